"""sk_imbalance: scikit-learn estimators for imbalanced data on Keras networks.

:class:`WeightedMultiLabelClassifier` wraps a Keras sigmoid network, weights
every label in its loss and tunes one decision threshold per label;
:class:`WeightedMultiClassClassifier` wraps a softmax network, weights every
class in its loss and corrects its decisions with per-class offsets.

The public names are imported on first use (PEP 562), so that importing the
package, or a light submodule of it, does not load Keras and TensorFlow.
"""

import importlib
from importlib import metadata

try:  # the installed distribution's version: one source, pyproject.toml
    __version__ = metadata.version("sk_imbalance")
except metadata.PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"

#: public name -> the submodule that defines it
_PUBLIC = {
    "WeightedMultiLabelClassifier": "._classifier",
    "WeightedMultiClassClassifier": "._multiclass",
    "compute_class_weights": "._class_weights",
    "compute_label_weights": "._label_weights",
    "LABEL_WEIGHT_STRATEGIES": "._label_weights",
    "WeightedBinaryCrossentropy": "._losses",
    "WeightedFocalLoss": "._losses",
    "optimal_fbeta_threshold": "._thresholds",
    "tune_thresholds": "._thresholds",
    "top_k_predict": "._thresholds",
    "clear_trainer_cache": "._trainer_cache",
    "show_versions": "._show_versions",
    "load_skops": "._persistence",
}

__all__ = list(_PUBLIC)


def __getattr__(name):
    if name in _PUBLIC:
        value = getattr(importlib.import_module(_PUBLIC[name], __name__), name)
        globals()[name] = value  # later lookups skip this function
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
