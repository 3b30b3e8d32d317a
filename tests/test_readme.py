"""The README's numbers come from the benchmark scripts' output files.

The benchmarks write their tables as Markdown (``--out``) into
``docs/results/runs/``; the README quotes a few of them. These tests fail
when a README number is not in a file a script wrote, e.g. after a rerun
whose numbers were not copied over, or a number edited by hand.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
RUNS = ROOT / "docs" / "results" / "runs"


def _section(title):
    """The README's text under the ``## title`` heading, to the next one."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", README, re.M | re.S)
    assert match, f"README has no section {title!r}"
    return match.group(1)


def test_the_headline_table_is_the_one_quality_py_wrote():
    """Check every row of the README's benchmark table, as quality.py wrote it."""
    rows = [
        line for line in _section("Benchmarks").splitlines() if line.startswith("|")
    ]
    assert len(rows) >= 7, rows  # header, separator, five data sets
    written = (RUNS / "quality.md").read_text().splitlines()
    missing = [row for row in rows if row not in written]
    assert not missing, f"not in docs/results/runs/quality.md: {missing}"


def test_every_measured_number_in_the_readme_is_in_a_run_file():
    """Check each decimal number of the README's prose (code blocks and
    percentages left out) against the files the benchmarks wrote."""
    prose = re.sub(r"```.*?```", "", README, flags=re.S)
    numbers = set(re.findall(r"(?<![\w.])\d+\.\d+x?(?![\w.%])", prose))
    assert "0.693" in numbers  # the headline table is prose, not code
    written = "\n".join(
        path.read_text() for path in sorted(RUNS.iterdir()) if path.is_file()
    )
    missing = sorted(n for n in numbers if n not in written)
    assert not missing, f"README numbers in no docs/results/runs file: {missing}"
