"""Quiet TensorFlow's native start-up logging, for the demo and examples only.

TensorFlow's C++ runtime writes several lines to the process's stderr when it
loads (oneDNN, CUDA, CPU features), before ``TF_CPP_MIN_LOG_LEVEL`` or any
Python logging setting can act. The demo and the examples call
:func:`quiet_native_stderr` first thing in their own process; the library
itself never does: what a user's program logs is the user's choice.
"""

from __future__ import annotations

import os
import sys

__all__ = ["quiet_native_stderr"]


def quiet_native_stderr():
    """Send native writes to file descriptor 2 to the null device.

    Python's own ``sys.stderr`` (warnings, tracebacks) keeps writing to the
    original stream. Call it before TensorFlow is imported.

    Returns
    -------
    restore : callable
        Puts file descriptor 2 and ``sys.stderr`` back as they were.
    """
    try:
        sys.stderr.flush()
        original = os.dup(2)
    except (OSError, ValueError):  # no real descriptor 2 (an embedding host)
        return lambda: None
    python_stderr = sys.stderr
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
    sys.stderr = os.fdopen(os.dup(original), "w", buffering=1)

    def restore():
        sys.stderr.flush()
        os.dup2(original, 2)
        os.close(original)
        sys.stderr = python_stderr

    return restore
