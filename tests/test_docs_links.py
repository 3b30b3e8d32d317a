"""Tests of docs/check_links.py, the built site's link check that CI runs."""

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "docs" / "check_links.py"
spec = importlib.util.spec_from_file_location("check_links", SCRIPT)
check_links = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check_links)


def test_broken_links_finds_missing_files_and_anchors(tmp_path):
    """Check a missing file and a missing anchor are reported; good links,
    other sites and the theme's templates are not."""
    (tmp_path / "sub").mkdir()
    (tmp_path / "_static").mkdir()
    (tmp_path / "index.html").write_text(
        '<a href="sub/page.html#here">ok</a><a href="sub/page.html#gone">x</a>'
        '<a href="missing.html">x</a><a href="https://example.org/x">web</a>'
        '<img src="sub/">'
    )
    (tmp_path / "sub" / "page.html").write_text(
        '<h1 id="here">t</h1><a href="#">top</a>'
    )
    (tmp_path / "sub" / "index.html").write_text("<p>index</p>")
    (tmp_path / "_static" / "macros.html").write_text('<a href="{{ x }}">t</a>')
    broken = {
        (str(page), link, why) for page, link, why in check_links.broken_links(tmp_path)
    }
    assert broken == {
        ("index.html", "sub/page.html#gone", "no such anchor"),
        ("index.html", "missing.html", "no such file"),
    }


def test_main_fails_on_a_missing_expected_page(tmp_path, capsys):
    """Check the exit status: 1 when a required page is absent."""
    (tmp_path / "index.html").write_text("<p>only</p>")
    assert check_links.main([str(tmp_path)]) == 1
    assert "missing page: api.html" in capsys.readouterr().out
