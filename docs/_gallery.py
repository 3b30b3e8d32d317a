"""Helpers of the gallery's configuration, named by string in ``conf.py``.

sphinx-gallery takes callables as importable names so that Sphinx can cache
the configuration (a function object in it cannot be pickled).
"""

import os


def example_argv(gallery_conf, script_vars):
    """Each example's command line in the gallery: one epoch, 1,000 texts."""
    argv = ["--epochs", "1"]
    if os.path.basename(script_vars["src_file"]).startswith("text_"):
        argv += ["--n-train", "1000"]
    return argv
