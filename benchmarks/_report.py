"""What a benchmark run writes: its header and tables, as Markdown.

Every benchmark script prints its results and, with ``--out PATH``, writes the
same header and tables to ``PATH``. The documentation includes those files as
they are (``docs/results/*.md``), so the tables it shows are the ones a run
printed, never numbers copied by hand.
"""

import os
import platform
import shlex
import sys


def run_header(**versions):
    """The run's provenance, as Markdown list items.

    Parameters
    ----------
    **versions : str
        Extra ``name=version`` pairs (e.g. ``scikeras="0.13.0"``), listed after
        the core libraries.

    Returns
    -------
    list of str
        ``- command: ...``, ``- machine: ...`` and ``- versions: ...``.
    """
    import keras
    import numpy
    import sklearn

    import sk_imbalance

    core = {
        "sk_imbalance": sk_imbalance.__version__,
        "numpy": numpy.__version__,
        "scikit-learn": sklearn.__version__,
        "keras": keras.__version__,
        "backend": keras.backend.backend(),
    }
    core.update(versions)
    return [
        f"- command: `{shlex.join(['python', *sys.argv])}`",
        f"- machine: {platform.platform()}, {platform.processor() or '?'}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}",
        "- versions: " + ", ".join(f"{k} {v}" for k, v in core.items()),
    ]


def write_markdown(path, *parts):
    """Write ``parts`` (strings or lists of lines) to ``path``, blank-line separated.

    Nothing is written when ``path`` is empty or None, so scripts can pass
    their ``--out`` argument straight through.
    """
    if not path:
        return
    blocks = ["\n".join(part) if isinstance(part, list) else part for part in parts]
    with open(path, "w") as handle:
        handle.write("\n\n".join(block.strip("\n") for block in blocks) + "\n")
