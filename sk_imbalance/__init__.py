"""sk_imbalance: a scikit-learn estimator for imbalanced multi-label data.

:class:`WeightedMultiLabelClassifier` wraps a Keras sigmoid network, weights
every label in its loss and tunes one decision threshold per label.
"""

from ._classifier import WeightedMultiLabelClassifier
from ._label_weights import LABEL_WEIGHT_STRATEGIES, compute_label_weights
from ._losses import WeightedBinaryCrossentropy, WeightedFocalLoss
from ._thresholds import optimal_fbeta_threshold, top_k_predict, tune_thresholds
from ._trainer_cache import clear_trainer_cache

__version__ = "0.1.0"

__all__ = [
    "WeightedMultiLabelClassifier",
    "compute_label_weights",
    "LABEL_WEIGHT_STRATEGIES",
    "WeightedBinaryCrossentropy",
    "WeightedFocalLoss",
    "optimal_fbeta_threshold",
    "tune_thresholds",
    "top_k_predict",
    "clear_trainer_cache",
]
