"""Sphinx configuration of the sk_imbalance documentation.

Build (from the repository root)::

    pip install -e ".[docs]"
    sphinx-build -W --keep-going -b html docs docs/_build/html
"""

import os
import re
import sys

# Set before anything imports TensorFlow (autodoc imports the package).
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import sk_imbalance  # noqa: E402  (light: the public names load lazily)
from sk_imbalance._startup import quiet_native_stderr  # noqa: E402

# TensorFlow's C++ runtime writes start-up lines (oneDNN, CUDA, "WARNING: All
# log messages before absl::InitializeLog()") to file descriptor 2 when it
# loads, which TF_CPP_MIN_LOG_LEVEL does not stop. Load Keras and TensorFlow
# here with those native writes sent to the null device, as the demo does, so
# that the build log holds Sphinx's messages only; Python's own warnings and
# tracebacks still reach stderr.
_restore_stderr = quiet_native_stderr()
try:
    import keras  # noqa: E402, F401
finally:
    _restore_stderr()

# -- Project information -----------------------------------------------------

project = "sk_imbalance"
author = "the sk_imbalance developers"
copyright = "2026, the sk_imbalance developers"
version = sk_imbalance.__version__
release = sk_imbalance.__version__

# -- General configuration ---------------------------------------------------

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_parser",  # CHANGELOG.md and the Markdown pages under results/
]

# sphinx.ext.intersphinx is left out on purpose: it fetches the other
# projects' inventories over the network at build time.

root_doc = "index"
# results/text_*.md and results/sparse_quality.md are written by the benchmark
# scripts (--out) and included by results/index.md: not pages of their own.
exclude_patterns = [
    "_build",
    "Thumbs.db",
    ".DS_Store",
    "results/runs",
]
templates_path = []

# autosummary writes one page per public name into docs/generated/.
autosummary_generate = True

# numpydoc renders the numpydoc sections; the member tables come from the
# autosummary class template, so numpydoc lists no members of its own.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

# -- HTML output -------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = f"sk_imbalance {release}"
html_theme_options = {
    # nothing that needs the network at build or view time
    "icon_links": [],
    "github_url": None,
    "navbar_end": ["theme-switcher", "navbar-icon-links"],
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "check_switcher": False,
}
html_static_path = ["_static"]
html_css_files = ["custom.css"]
html_show_sourcelink = False


# -- Inherited scikit-learn docstrings ---------------------------------------

# The estimators inherit methods from scikit-learn (``score``, ``get_params``,
# ...), whose docstrings link to labels of scikit-learn's own documentation,
# e.g. ``:ref:`accuracy <accuracy_score>``` in ``ClassifierMixin.score``.
# Only intersphinx could resolve them, and it needs the network, so the
# class pages' method tables would warn "undefined label". For docstrings
# defined in scikit-learn only, such references are rendered as their text.
_REF_ROLE = re.compile(r":ref:`(?:([^`<]*?)\s*<[^`>]*>|([^`<]*))`")


def _unlink_sklearn_refs(app, what, name, obj, options, lines):
    module = getattr(obj, "__module__", None) or ""
    if module == "sklearn" or module.startswith("sklearn."):
        lines[:] = [
            _REF_ROLE.sub(lambda m: m.group(1) or m.group(2), line) for line in lines
        ]


def setup(app):
    app.connect("autodoc-process-docstring", _unlink_sklearn_refs)


# Anchors for Markdown headings (h1-h3), so that results/*.md can link to
# their own sections as ``#benchmarks-text-at-vocabulary-scale``.
myst_heading_anchors = 3

# -- Gallery: examples/ executed at build time, on their smallest settings ----

extensions.append("sphinx_gallery.gen_gallery")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # _gallery.py


sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r".*\.py$",  # execute every example, not only plot_*
    "reset_argv": "_gallery.example_argv",  # one epoch, 1,000 texts
    "download_all_examples": False,
    "remove_config_comments": True,
    "plot_gallery": "True",
    "abort_on_example_error": True,
    "show_memory": False,
}
