"""Helpers of the gallery's configuration, named by string in ``conf.py``.

sphinx-gallery takes callables as importable names so that Sphinx can cache
the configuration (a function object in it cannot be pickled).
"""

import os


def example_argv(gallery_conf, script_vars):
    """Each example's command line in the gallery.

    The ``plot_*`` examples draw what a fit decided, so they run with their
    defaults (a few seconds each on yeast); the others print tables and run
    one epoch (1,000 texts or rows for the text examples) as a smoke run.
    """
    name = os.path.basename(script_vars["src_file"])
    if name.startswith("plot_"):
        return []
    argv = ["--epochs", "1"]
    if name.startswith("text_") or name == "binary_text.py":
        argv += ["--n-train", "1000"]
    return argv
