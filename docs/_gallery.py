"""Helpers of the gallery's configuration, named by string in ``conf.py``.

sphinx-gallery takes callables as importable names so that Sphinx can cache
the configuration (a function object in it cannot be pickled).
"""

import os

#: The gallery's order: the quick start, what a fit decides, the two
#: problem pages (long-tailed multiclass, binary text judged by F1), text
#: pipelines, then the scikit-learn tools (cross-validation, grid search).
#: An example missing here comes last (tests/test_demo.py fails on it).
ORDER = (
    "quickstart.py",
    "plot_diagnostics.py",
    "multiclass.py",
    "binary_text.py",
    "text_pipeline.py",
    "text_cnn.py",
    "pipeline.py",
    "grid_search_weights.py",
)

#: The command line of each example the gallery runs as a smoke run, to keep
#: the build fast: a fit long enough to prove that the code runs, not a
#: result. Each of these says so on its page, with these options (checked
#: by tests/test_demo.py). The other examples run with their defaults, so
#: that their pages show real runs (about two minutes in all on 2 cores).
SMOKE_ARGV = {
    "binary_text.py": ["--epochs", "1", "--n-train", "1000"],
    "text_cnn.py": ["--epochs", "1", "--n-train", "1000"],
    "pipeline.py": ["--epochs", "1"],
    "grid_search_weights.py": ["--epochs", "1"],
}


def example_argv(gallery_conf, script_vars):
    """Each example's command line in the gallery (``reset_argv``)."""
    name = os.path.basename(script_vars["src_file"])
    return list(SMOKE_ARGV.get(name, []))


class ExampleOrder:
    """Sort key of the examples (``within_subsection_order``): ``ORDER``."""

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename):
        name = os.path.basename(filename)
        return (ORDER.index(name) if name in ORDER else len(ORDER), name)
