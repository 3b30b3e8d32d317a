"""``show_versions()``: what a bug report needs, as scikit-learn's prints it.

Python and the machine, sk_imbalance and its dependencies, the Keras backend
in use with its version, and the devices that backend sees. Importing this
module loads nothing heavy; calling the function imports Keras (and so its
backend).
"""

from __future__ import annotations

import platform
import sys
from importlib import metadata

__all__ = ["show_versions"]

#: Distributions reported under "Python dependencies", in order.
DEPENDENCIES = ("sk_imbalance", "numpy", "scipy", "scikit-learn", "keras")

#: The distribution that provides each Keras backend.
BACKENDS = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}


def _version(distribution):
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def _devices(backend):
    """The backend's devices, as strings (``["CPU:0"]``, ``["cuda:0"]``...)."""
    try:
        if backend == "tensorflow":
            import tensorflow as tf

            return [
                f"{d.device_type}:{d.name.rsplit(':', 1)[-1]}"
                for d in tf.config.list_physical_devices()
            ]
        if backend == "jax":
            import jax

            return [str(d) for d in jax.devices()]
        if backend == "torch":
            import torch

            count = torch.cuda.device_count()
            return ["cpu", *(f"cuda:{i}" for i in range(count))]
    except Exception as error:  # a broken driver must not hide the versions
        return [f"unknown ({type(error).__name__}: {error})"]
    return []


def versions():
    """The facts :func:`show_versions` prints, as a dict of dicts.

    Returns
    -------
    dict
        ``{"system": {...}, "dependencies": {...}, "backend": {...}}``; a
        distribution that is not installed has the value None.
    """
    import keras

    backend = keras.backend.backend()
    return {
        "system": {
            "python": sys.version.replace("\n", " "),
            "executable": sys.executable,
            "machine": platform.platform(),
        },
        "dependencies": {name: _version(name) for name in DEPENDENCIES},
        "backend": {
            "name": backend,
            "version": _version(BACKENDS.get(backend, backend)),
            "devices": ", ".join(_devices(backend)) or None,
            "floatx": keras.config.floatx(),
        },
    }


def show_versions():
    """Print the versions of Python, sk_imbalance, its dependencies and backend.

    Paste its output into a bug report. It lists the system (Python, its
    executable, the platform), the versions of sk_imbalance, NumPy, SciPy,
    scikit-learn and Keras, and the Keras backend in use (its name, version,
    the devices it sees, and Keras's float type).

    Examples
    --------
    >>> import sk_imbalance
    >>> sk_imbalance.show_versions()  # doctest: +SKIP
    <BLANKLINE>
    System:
        python: 3.11.7 ...
    """
    facts = versions()
    titles = {
        "system": "System",
        "dependencies": "Python dependencies",
        "backend": "Keras backend",
    }
    for section, title in titles.items():
        print(f"\n{title}:")
        width = max(len(key) for key in facts[section])
        for key, value in facts[section].items():
            print(f"{key:>{width + 4}}: {value}")
