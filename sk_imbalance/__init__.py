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
    "WeightedMultiLabelClassifier": "._estimator.multilabel",
    "WeightedMultiClassClassifier": "._estimator.multiclass",
    "compute_class_weights": "._decisions.class_weights",
    "compute_label_weights": "._decisions.label_weights",
    "LABEL_WEIGHT_STRATEGIES": "._decisions.label_weights",
    "WeightedBinaryCrossentropy": "._nn.losses",
    "WeightedFocalLoss": "._nn.losses",
    "optimal_fbeta_threshold": "._decisions.thresholds",
    "tune_thresholds": "._decisions.thresholds",
    "top_k_predict": "._decisions.thresholds",
    "clear_trainer_cache": "._crossfit.trainer_cache",
    "show_versions": "._utils.show_versions",
    "load_skops": "._estimator.persistence",
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
