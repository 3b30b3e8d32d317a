"""Per-label decision thresholds: exact F-beta search, shrinkage and top-k.

All functions are pure NumPy. Scores are probabilities in (0, 1); a label is
predicted when ``score >= threshold``.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "optimal_fbeta_threshold",
    "tune_thresholds",
    "apply_thresholds",
    "top_k_predict",
    "macro_fbeta",
    "DEFAULT_THRESHOLD",
]

#: The cut-off used when a label cannot be tuned (too few positives).
DEFAULT_THRESHOLD = 0.5
#: Labels with fewer held-out positives than this keep the default threshold.
MIN_POSITIVES = 5
#: Pseudo-count of the shrinkage toward the default threshold.
SHRINKAGE = 10.0
#: A tuned cut-off may predict at most this many times the label's positives.
MAX_PREDICTED_RATIO = 3.0


def _fbeta_curve(y_true, scores, beta=1.0, sample_weight=None):
    r"""F-beta at every distinct score used as a cut-off.

    Sorting the scores once gives, for the cut-off at the :math:`k`-th distinct
    score :math:`s_k` (descending), the true positives :math:`TP_k` and the
    predicted positives :math:`PP_k` as cumulative sums, so all
    :math:`F_\beta` values come in :math:`O(n \log n)`:

    .. math:: F_\beta(k) = \frac{(1+\beta^2)\, TP_k}{\beta^2 P + PP_k}

    where :math:`P` is the (weighted) number of positives.

    Parameters
    ----------
    y_true : ndarray of shape (n_samples,)
        0/1 truth of one label.
    scores : ndarray of shape (n_samples,)
        Scores of that label.
    beta : float, default=1.0
    sample_weight : ndarray of shape (n_samples,), default=None

    Returns
    -------
    cutoffs : ndarray of shape (n_distinct,)
        Distinct scores, descending.
    fbeta : ndarray of shape (n_distinct,)
        F-beta when predicting ``score >= cutoffs[k]``.
    n_predicted : ndarray of shape (n_distinct,)
        Unweighted number of rows predicted positive at each cut-off.
    """
    y_true = np.asarray(y_true, dtype=np.float64)
    scores = np.asarray(scores, dtype=np.float64)
    weight = (
        np.ones_like(scores)
        if sample_weight is None
        else np.asarray(sample_weight, dtype=np.float64)
    )
    order = np.argsort(-scores, kind="mergesort")
    sorted_scores = scores[order]
    true_positives = np.cumsum(y_true[order] * weight[order])
    predicted = np.cumsum(weight[order])
    counts = np.arange(1, scores.size + 1)
    # keep the last index of each run of equal scores: ties are all in or all out
    last_of_run = np.r_[np.flatnonzero(np.diff(sorted_scores) != 0), scores.size - 1]
    positives = true_positives[-1] if scores.size else 0.0
    fbeta = _fbeta_from_counts(
        true_positives[last_of_run], positives, predicted[last_of_run], beta
    )
    return sorted_scores[last_of_run], fbeta, counts[last_of_run]


def optimal_fbeta_threshold(
    y_true, scores, beta=1.0, sample_weight=None, max_predicted_ratio=None
):
    """Exact F-beta-optimal threshold of one label.

    The search is over every distinct score, not a grid. The returned threshold
    is the midpoint between the best cut-off score and the next lower distinct
    score, so that a new score equal to either neighbour is classified as on the
    validation data, with a margin.

    Parameters
    ----------
    y_true : ndarray of shape (n_samples,)
    scores : ndarray of shape (n_samples,)
    beta : float, default=1.0
    sample_weight : ndarray of shape (n_samples,), default=None
    max_predicted_ratio : float, default=None
        If given, only cut-offs that predict at most
        ``max_predicted_ratio * n_positives`` rows are considered. For an
        uninformative score the unconstrained F1 optimum is to predict every row
        (F1 = 2p / (1 + p) for prevalence p); this bound rules that out.

    Returns
    -------
    threshold : float
    best_fbeta : float
        F-beta on ``(y_true, scores)`` at that threshold.
    """
    cutoffs, fbeta, n_predicted = _fbeta_curve(y_true, scores, beta, sample_weight)
    if cutoffs.size == 0:
        return DEFAULT_THRESHOLD, 0.0
    if max_predicted_ratio is not None:
        n_positives = float(np.sum(np.asarray(y_true) > 0))
        allowed = n_predicted <= max(max_predicted_ratio * n_positives, 1)
        if allowed.any():
            fbeta = np.where(allowed, fbeta, -1.0)
    best = int(np.argmax(fbeta))  # first maximum = highest cut-off among ties
    lower = cutoffs[best + 1] if best + 1 < cutoffs.size else 0.0
    return float((cutoffs[best] + lower) / 2.0), float(max(fbeta[best], 0.0))


def tune_thresholds(
    Y,
    P,
    beta=1.0,
    sample_weight=None,
    *,
    default=DEFAULT_THRESHOLD,
    min_positives=MIN_POSITIVES,
    shrinkage=SHRINKAGE,
    max_predicted_ratio=MAX_PREDICTED_RATIO,
):
    r"""Tune one F-beta threshold per label on held-out scores, with shrinkage.

    The F-beta-optimal cut-off of a label estimated from few positives is
    noisy, and tuning it freely can do worse than the default cut-off. For each
    label :math:`j` with :math:`m_j` held-out positives the rule is:

    1. if :math:`m_j <` ``min_positives``, keep ``default``;
    2. otherwise find the exact optimum :math:`t^*_j` over the distinct scores,
       among cut-offs that predict at most ``max_predicted_ratio`` :math:`\cdot
       m_j` rows (so that an uninformative score does not turn into "predict
       every row", F1's optimum for a constant score);
    3. shrink it toward the default with weight
       :math:`\lambda_j = m_j / (m_j + \text{shrinkage})`:

       .. math:: t_j = t_0 + \lambda_j (t^*_j - t_0)

    4. keep :math:`t_j` only if its F-beta on the held-out scores beats the
       default cut-off's; otherwise fall back to ``default``. Shrinkage and the
       cap can move a cut-off off its optimum; this gate makes sure a label is
       never tuned to something the held-out data says is worse than the
       default.

    Parameters
    ----------
    Y : ndarray of shape (n_samples, n_labels)
        Held-out 0/1 truth.
    P : ndarray of shape (n_samples, n_labels)
        Held-out probabilities.
    beta : float, default=1.0
    sample_weight : ndarray of shape (n_samples,), default=None
    default : float, default=0.5
    min_positives : int, default=5
    shrinkage : float, default=10.0
        Pseudo-count :math:`k`; 0 disables shrinkage.
    max_predicted_ratio : float or None, default=3.0

    Returns
    -------
    thresholds : ndarray of shape (n_labels,)
    """
    Y = np.asarray(Y)
    P = np.asarray(P, dtype=np.float64)
    thresholds = np.full(Y.shape[1], float(default))
    for j in range(Y.shape[1]):
        n_positives = int(np.sum(Y[:, j] > 0))
        if n_positives < min_positives or n_positives == Y.shape[0]:
            continue
        best, _ = optimal_fbeta_threshold(
            Y[:, j], P[:, j], beta, sample_weight, max_predicted_ratio
        )
        weight = n_positives / (n_positives + shrinkage)
        shrunk = default + weight * (best - default)
        gain = _fbeta_at(Y[:, j], P[:, j], shrunk, beta, sample_weight) - _fbeta_at(
            Y[:, j], P[:, j], default, beta, sample_weight
        )
        if gain > 0:
            thresholds[j] = shrunk
    return thresholds


def _fbeta_from_counts(true_positives, positives, predicted, beta):
    r"""F-beta from (weighted) counts: :math:`(1+\beta^2) TP / (\beta^2 P + PP)`.

    Returns 0 where the denominator is 0 (no positive, nothing predicted).
    """
    beta2 = beta * beta
    denominator = beta2 * np.asarray(positives) + np.asarray(predicted, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(
            denominator > 0, (1 + beta2) * true_positives / denominator, 0.0
        )


def _fbeta_at(y_true, scores, threshold, beta=1.0, sample_weight=None):
    """F-beta of predicting ``scores >= threshold``; 0 when it is undefined."""
    y_true = np.asarray(y_true) > 0
    predicted = np.asarray(scores) >= threshold
    weight = np.ones(y_true.shape) if sample_weight is None else sample_weight
    return float(
        _fbeta_from_counts(
            np.sum(weight * (y_true & predicted)),
            np.sum(weight * y_true),
            np.sum(weight * predicted),
            beta,
        )
    )


def apply_thresholds(P, thresholds):
    """Predict label ``j`` when ``P[:, j] >= thresholds[j]``.

    Parameters
    ----------
    P : ndarray of shape (n_samples, n_labels)
    thresholds : ndarray of shape (n_labels,)

    Returns
    -------
    Y_pred : ndarray of shape (n_samples, n_labels), dtype int64
    """
    return (np.asarray(P) >= np.asarray(thresholds)[np.newaxis, :]).astype(np.int64)


def top_k_predict(P, k):
    """Give each row its ``k`` highest-scoring labels.

    Ties are broken by the lower label index, so the result is deterministic.

    Parameters
    ----------
    P : ndarray of shape (n_samples, n_labels)
    k : int
        Labels per row; values above ``n_labels`` predict every label.

    Returns
    -------
    Y_pred : ndarray of shape (n_samples, n_labels), dtype int64
    """
    P = np.asarray(P)
    k = min(int(k), P.shape[1])
    Y_pred = np.zeros(P.shape, dtype=np.int64)
    if k <= 0:
        return Y_pred
    top = np.argsort(-P, axis=1, kind="stable")[:, :k]
    np.put_along_axis(Y_pred, top, 1, axis=1)
    return Y_pred


def macro_fbeta(Y, Y_pred, beta=1.0, sample_weight=None):
    r"""Macro-averaged F-beta of 0/1 predictions, vectorised over labels.

    .. math:: \frac{1}{m}\sum_{j=1}^{m}
        \frac{(1+\beta^2)\, TP_j}{\beta^2 P_j + \hat P_j}

    with (sample-weighted) true positives, positives and predicted positives;
    a label with no positive and no prediction counts 0, as scikit-learn's
    ``f1_score(average="macro", zero_division=0)``.

    Parameters
    ----------
    Y, Y_pred : ndarray of shape (n_samples, n_labels)
    beta : float, default=1.0
    sample_weight : ndarray of shape (n_samples,), default=None

    Returns
    -------
    float
    """
    Y = np.asarray(Y) > 0
    Y_pred = np.asarray(Y_pred) > 0
    weight = (
        np.ones(Y.shape[0]) if sample_weight is None else np.asarray(sample_weight)
    )[:, np.newaxis]
    scores = _fbeta_from_counts(
        np.sum(weight * (Y & Y_pred), axis=0),
        np.sum(weight * Y, axis=0),
        np.sum(weight * Y_pred, axis=0),
        beta,
    )
    return float(np.mean(scores))
