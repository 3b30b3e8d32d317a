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

from sphinx.ext.intersphinx import InventoryAdapter  # noqa: E402
from sphinx.util import logging  # noqa: E402

import sk_imbalance  # noqa: E402  (light: the public names load lazily)
from sk_imbalance._utils.startup import quiet_native_stderr

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # docs/ helpers
import _parameters  # noqa: E402

logger = logging.getLogger(__name__)

# TensorFlow's C++ runtime writes start-up lines (oneDNN, CUDA, "WARNING: All
# log messages before absl::InitializeLog()") to file descriptor 2 when it
# loads, which TF_CPP_MIN_LOG_LEVEL does not stop. Load Keras and TensorFlow
# here with those native writes sent to the null device, as the demo does, so
# that the build log holds Sphinx's messages only; Python's own warnings and
# tracebacks still reach stderr. The first tensor starts the runtime's
# devices, which logs too (a failed cuInit on a machine without a GPU): made
# here, it keeps the gallery's examples, which fit networks and import only
# public names, as quiet as the rest of the build.
_restore_stderr = quiet_native_stderr()
try:
    import keras  # noqa: E402

    keras.ops.zeros(1)
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
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    # MathJax served from the site itself, not a CDN, so that the formulas
    # render offline. The package (PyPI, the docs extra) holds MathJax 3.2.2,
    # copies it into _build/html/_static/mathjax after the build and points
    # mathjax_path there. Chosen over vendoring MathJax from npm into
    # _static (megabytes of minified third-party JavaScript and fonts in this
    # repository, updated by hand) and over KaTeX pre-rendered at build time
    # (Node.js on the build machine, and formulas written for KaTeX's subset).
    "sphinx-mathjax-offline",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_parser",  # CHANGELOG.md and the Markdown pages under results/
]

# Links to scikit-learn's and NumPy's documentation, resolved from inventories
# kept in the repository (docs/_intersphinx/README.md says where they come
# from), so the build never fetches one over the network. Keras has no
# inventory to link to: keras.io is not built with Sphinx.
intersphinx_mapping = {
    "sklearn": (
        "https://scikit-learn.org/stable/",
        "_intersphinx/sklearn-objects.inv",
    ),
    "numpy": ("https://numpy.org/doc/stable/", "_intersphinx/numpy-objects.inv"),
}

root_doc = "index"
# results/text_*.md and results/sparse_quality.md are written by the benchmark
# scripts (--out) and included by results/index.md: not pages of their own.
exclude_patterns = [
    "_build",
    "Thumbs.db",
    ".DS_Store",
    "results/runs",
    "_intersphinx",  # its README.md says where the inventories come from
]
# _templates/autosummary/class.rst documents each class's methods on its page,
# with the examples that use it.
templates_path = ["_templates"]

# autosummary writes one page per public name into docs/generated/.
autosummary_generate = True
# A class page's "On this page" lists its methods as fit(), not Class.fit().
toc_object_entries_show_parents = "hide"

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
# The vendored inventory resolves the labels it has; a label that a newer
# scikit-learn adds would warn "undefined label", so in docstrings defined in
# scikit-learn a reference to a label the inventory lacks becomes its text.
_REF_ROLE = re.compile(r":ref:`(?:([^`<]*?)\s*<([^`>]*)>|([^`<]*))`")


def _unlink_unknown_sklearn_refs(app, what, name, obj, options, lines):
    module = getattr(obj, "__module__", None) or ""
    if not (module == "sklearn" or module.startswith("sklearn.")):
        return
    inventory = InventoryAdapter(app.env).named_inventory.get("sklearn", {})
    labels = inventory.get("std:label", {})

    def text_unless_known(match):
        text, label = match.group(1), match.group(2) or match.group(3)
        if label.strip().lower() in labels:
            return match.group(0)
        return text or label

    lines[:] = [_REF_ROLE.sub(text_unless_known, line) for line in lines]


# -- Sections of the Markdown pages as reST targets ---------------------------


# myst_heading_anchors gives every h1-h3 heading of a Markdown page a slug
# that Markdown links can name (``[Fit cost](cost.md#fit-cost)``); reST has
# no such link. Each slug is registered as a label ``<page>#<slug>`` too, so
# that reST pages link to the section with ``:ref:`results/cost#fit-cost```
# and the build warns when the heading goes away.
def _label_markdown_sections(app, doctree):
    docname = app.env.docname
    slugs = app.env.metadata.get(docname, {}).get("myst_slugs", {})
    std = app.env.domains.standard_domain
    for slug, (_level, target_id, title) in slugs.items():
        label = f"{docname}#{slug}".lower()
        std.labels[label] = (docname, target_id, title)
        std.anonlabels[label] = (docname, target_id)


# -- Parameters at a glance, written from the code ----------------------------


def _write_parameters_page(app):
    """Rewrite results/parameters.md from the estimators (docs/_parameters.py);
    warn when the committed page was out of date, so that -W fails until the
    new page is committed."""
    if _parameters.write():
        logger.warning(
            "docs/results/parameters.md was out of date and has been rewritten "
            "from the estimators' signatures and docstrings: commit it"
        )


def setup(app):
    app.connect("builder-inited", _write_parameters_page)
    app.connect("autodoc-process-docstring", _unlink_unknown_sklearn_refs)
    app.connect("doctree-read", _label_markdown_sections)


# Anchors for Markdown headings (h1-h3), so that results/*.md can link to
# their own sections as ``#benchmarks-text-at-vocabulary-scale``.
myst_heading_anchors = 3

# -- Gallery: examples/ executed at build time (docs/_gallery.py: order, argv) --

extensions.append("sphinx_gallery.gen_gallery")

sphinx_gallery_conf = {
    # Which examples use each public name ("backreferences"): the class and
    # function templates of _templates/autosummary list them on the API pages.
    "doc_module": ("sk_imbalance",),
    "backreferences_dir": "generated/backreferences",
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r".*\.py$",  # execute every example, not only plot_*
    "reset_argv": "_gallery.example_argv",  # real runs, or labelled smoke runs
    "within_subsection_order": "_gallery.ExampleOrder",  # quick start first
    # a figure's Text or Legend objects are not output worth showing
    "ignore_repr_types": r"matplotlib\.",
    "download_all_examples": False,
    "remove_config_comments": True,
    "plot_gallery": "True",
    "abort_on_example_error": True,
    "show_memory": False,
    # No execution-times pages: they load jQuery and DataTables from CDNs,
    # and the site is to work offline.
    "write_computation_times": False,
}
