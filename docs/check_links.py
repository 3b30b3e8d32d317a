"""Check a built HTML site: the expected pages exist and no link is broken.

Every ``href`` and ``src`` in every page that points inside the site must name
a file that exists and, with a ``#fragment``, an ``id`` in that file. Links to
other sites are not followed (the build machine has no network). Run after
the build::

    python docs/check_links.py docs/_build/html
"""

import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

#: Pages the site must have, relative to its root.
EXPECTED = [
    "index.html",
    "install.html",
    "api.html",
    "benchmarks.html",
    "changelog.html",
    "user_guide/index.html",
    "user_guide/problem.html",
    "user_guide/multilabel.html",
    "user_guide/multiclass.html",
    "user_guide/text.html",
    "generated/sk_imbalance.WeightedMultiLabelClassifier.html",
    "generated/sk_imbalance.WeightedMultiClassClassifier.html",
]


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append(value)
            if name in ("id", "name") and value:
                self.ids.add(value)


def _parse(path, cache):
    if path not in cache:
        parser = _Links()
        parser.feed(path.read_text(encoding="utf-8"))
        cache[path] = parser
    return cache[path]


def _pages(root):
    """The site's pages: every .html but the theme's templates in ``_static``."""
    return [p for p in sorted(root.rglob("*.html")) if "_static" not in p.parts]


def broken_links(root):
    """``(page, link, why)`` for every internal link that leads nowhere."""
    root = Path(root).resolve()
    cache, broken = {}, []
    for page in _pages(root):
        for link in _parse(page, cache).links:
            parts = urlsplit(link)
            if parts.scheme or link.startswith(("//", "mailto:", "javascript:")):
                continue
            target = (
                (page.parent / unquote(parts.path)).resolve() if parts.path else page
            )
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append((page.relative_to(root), link, "no such file"))
                continue
            if parts.fragment and target.suffix == ".html":
                if unquote(parts.fragment) not in _parse(target, cache).ids:
                    broken.append((page.relative_to(root), link, "no such anchor"))
    return broken


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    root = Path(argv[0] if argv else "docs/_build/html")
    missing = [page for page in EXPECTED if not (root / page).exists()]
    broken = broken_links(root)
    pages = len(_pages(root))
    for page in missing:
        print(f"missing page: {page}")
    for page, link, why in broken:
        print(f"{page}: {link} ({why})")
    print(f"{pages} pages, {len(missing)} missing, {len(broken)} broken links")
    return 1 if missing or broken or not pages else 0


if __name__ == "__main__":
    sys.exit(main())
