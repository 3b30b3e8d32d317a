"""Per-label decision thresholds: exact F-beta search, shrinkage and top-k.

All functions are pure NumPy. Scores are probabilities in (0, 1); a label is
predicted when ``score >= threshold``.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "optimal_fbeta_threshold",
    "tune_thresholds",
    "shrink_toward",
    "apply_thresholds",
    "top_k_predict",
    "macro_fbeta",
    "best_cutoffs",
    "global_threshold",
    "fbeta_at",
    "label_counts",
    "fbeta_from_counts",
    "rate_anchor",
    "DEFAULT_THRESHOLD",
    "MAX_ANCHOR_RATIO",
]

#: The cut-off used when a label cannot be tuned (too few positives).
DEFAULT_THRESHOLD = 0.5
#: Labels with fewer held-out positives than this keep the default threshold.
MIN_POSITIVES = 5
#: Pseudo-count of the shrinkage toward the default threshold (chosen in
#: benchmarks/decision_study.py over 10, 30, 100, 300 and 1000).
SHRINKAGE = 100.0
#: A tuned cut-off may predict at most this many times the label's positives.
MAX_PREDICTED_RATIO = 3.0
#: The anchor is raised where it predicts more than this many times the
#: label's positives (chosen in benchmarks/anchor_study.py).
MAX_ANCHOR_RATIO = 1.5


#: Score-matrix elements sorted per block (bounds the search's working memory).
_BLOCK_ELEMENTS = 2**22


def best_cutoffs(Y, P, beta=1.0, sample_weight=None, max_predicted_ratio=None):
    r"""Exact F-beta-optimal threshold of every label, vectorised over labels.

    For each label the scores are sorted once; the true positives
    :math:`TP_k` and predicted positives :math:`PP_k` of every cut-off
    "predict ``score >= s_k``" are then cumulative sums, so every label's
    curve

    .. math:: F_\beta(k) = \frac{(1+\beta^2)\, TP_k}{\beta^2 P + PP_k}

    costs one sort and a few passes over the sorted column. The labels are
    processed in blocks of contiguous rows of the transposed matrix. Without
    sample weights and for scores in ``[0, 2)`` (probabilities), each score's
    IEEE-754 bit pattern, which orders non-negative floats as integers, is
    shifted left by one bit and the 0/1 truth is stored in the freed bit: one
    integer sort then carries the truth along, with no ``argsort`` and no
    gather. Otherwise an ``argsort`` orders the truth and the weights.

    Ties: rows with equal scores are all in or all out, so only the first
    position of each run of equal scores (ascending) is a cut-off. Among
    cut-offs with equal F the highest is chosen. The returned threshold is the
    midpoint between that cut-off and the next lower distinct score (0 when
    there is none), so a new score equal to either neighbour is classified as
    on the data searched.

    Parameters
    ----------
    Y : ndarray of shape (n_samples, n_labels)
        0/1 truth.
    P : ndarray of shape (n_samples, n_labels)
        Scores.
    beta : float, default=1.0
    sample_weight : ndarray of shape (n_samples,), default=None
    max_predicted_ratio : float, default=None
        If given, only cut-offs that predict at most
        ``max(max_predicted_ratio * n_positives, 1)`` rows (unweighted) are
        considered, unless none does.

    Returns
    -------
    thresholds : ndarray of shape (n_labels,)
    best_fbeta : ndarray of shape (n_labels,)
        F-beta on ``(Y, P)`` at each threshold.
    """
    thresholds, best, _ = _search(Y, P, beta, sample_weight, max_predicted_ratio)
    return thresholds, best


def _search(Y, P, beta, sample_weight, max_predicted_ratio, rate_rows=None):
    """:func:`best_cutoffs`, and the rate cut-offs of ``rate_rows`` from the
    same sorted scores (:func:`rate_anchor`'s, without sorting again)."""
    Y = np.asarray(Y)
    P = np.asarray(P, dtype=np.float64)
    n_samples, n_labels = P.shape
    thresholds = np.full(n_labels, DEFAULT_THRESHOLD)
    best = np.zeros(n_labels)
    rates = None if rate_rows is None else np.empty(n_labels)
    if n_samples == 0:
        return thresholds, best, rates
    weight = None if sample_weight is None else np.asarray(sample_weight, np.float64)
    block = max(1, _BLOCK_ELEMENTS // n_samples)
    for start in range(0, n_labels, block):
        columns = slice(start, min(start + block, n_labels))
        found = _best_cutoffs_block(
            np.ascontiguousarray((Y[:, columns] > 0).T),
            np.ascontiguousarray(P[:, columns].T) + 0.0,  # -0.0 becomes 0.0
            beta,
            weight,
            max_predicted_ratio,
            None if rate_rows is None else rate_rows[columns],
        )
        thresholds[columns], best[columns] = found[:2]
        if rate_rows is not None:
            rates[columns] = found[2]
    return thresholds, best, rates


def _sorted_block(truth, scores, weight):
    """Sort each row of ``scores`` ascending; return (scores, truth, weight)."""
    if weight is None and scores.min() >= 0.0 and scores.max() < 2.0:
        # non-negative float64 below 2 have bit patterns below 2**62, so the
        # shifted key fits an int64 and sorts as the scores do
        keys = scores.view(np.int64) << 1
        keys |= truth
        keys.sort(axis=1)
        sorted_truth = keys & 1
        keys >>= 1
        return keys.view(np.float64), sorted_truth, None
    order = np.argsort(scores, axis=1, kind="stable")
    sorted_truth = np.take_along_axis(truth, order, axis=1).astype(np.float64)
    sorted_weight = None
    if weight is not None:
        sorted_weight = weight[order]
        sorted_truth *= sorted_weight
    return np.take_along_axis(scores, order, axis=1), sorted_truth, sorted_weight


def _best_cutoffs_block(truth, scores, beta, weight, max_predicted_ratio, rate_rows):
    """:func:`best_cutoffs` on one block; rows are labels (transposed).

    With ``rate_rows`` (one count :math:`r_j` a row), also :func:`rate_anchor`'s
    cut-offs, read from the sorted scores: the midpoint of the
    :math:`r_j`-th and the next score in descending order.
    """
    n_samples = scores.shape[1]
    scores, gains, weights = _sorted_block(truth.astype(np.int64), scores, weight)
    rates = None
    if rate_rows is not None:
        rows = np.arange(scores.shape[0])
        # descending position r - 1 is ascending n - r (1 above the first)
        above = scores[rows, np.clip(n_samples - rate_rows, 0, n_samples - 1)]
        above = np.where(rate_rows == 0, 1.0, above)
        below = scores[rows, np.clip(n_samples - 1 - rate_rows, 0, n_samples - 1)]
        below = np.where(rate_rows >= n_samples, 0.0, below)
        rates = (above + below) / 2.0
    # ascending position i, first of its run: the cut-off "score >= scores[i]"
    true_positives = np.cumsum(gains[:, ::-1], axis=1)[:, ::-1]
    positives = true_positives[:, :1]
    if weights is None:
        predicted = np.arange(n_samples, 0, -1, dtype=np.float64)[np.newaxis, :]
    else:
        predicted = np.cumsum(weights[:, ::-1], axis=1)[:, ::-1]
    fbeta = fbeta_from_counts(true_positives, positives, predicted, beta)
    first = np.ones(scores.shape, dtype=bool)
    np.not_equal(scores[:, 1:], scores[:, :-1], out=first[:, 1:])
    candidates = first
    if max_predicted_ratio is not None:
        n_positives = truth.sum(axis=1, keepdims=True)
        cap = np.maximum(max_predicted_ratio * n_positives, 1)
        within = np.arange(n_samples, 0, -1)[np.newaxis, :] <= cap
        capped = first & within
        candidates = np.where(capped.any(axis=1, keepdims=True), capped, first)
    fbeta = np.where(candidates, fbeta, -1.0)
    # the last maximum in ascending order is the highest cut-off among ties
    position = n_samples - 1 - np.argmax(fbeta[:, ::-1], axis=1)
    rows = np.arange(scores.shape[0])
    cutoff = scores[rows, position]
    lower = np.where(position > 0, scores[rows, np.maximum(position - 1, 0)], 0.0)
    return (cutoff + lower) / 2.0, np.maximum(fbeta[rows, position], 0.0), rates


def optimal_fbeta_threshold(
    y_true, scores, beta=1.0, sample_weight=None, max_predicted_ratio=None
):
    """Exact F-beta-optimal threshold of one label.

    The search is over every distinct score, not a grid: see
    :func:`best_cutoffs`, of which this is the one-label case.

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
    thresholds, best = best_cutoffs(
        np.asarray(y_true).reshape(-1, 1),
        np.asarray(scores, dtype=np.float64).reshape(-1, 1),
        beta,
        sample_weight,
        max_predicted_ratio,
    )
    return float(thresholds[0]), float(best[0])


def rate_anchor(Y, P, ratio=1.0):
    r"""Per-label cut-off that predicts ``ratio`` times the label's positives.

    For label :math:`j` with :math:`m_j` positives among :math:`n` rows,
    :math:`r_j = \min(\lfloor \text{ratio} \cdot m_j \rceil, n)` and
    scores sorted in descending order :math:`s_{(1)} \ge \dots \ge s_{(n)}`,

    .. math:: a_j = \tfrac12\,\bigl(s_{(r_j)} + s_{(r_j + 1)}\bigr),

    the midpoint between the :math:`r_j`-th and the next score (with
    :math:`s_{(0)} = 1` and :math:`s_{(n+1)} = 0`), so that "predict
    ``score >= a_j``" predicts :math:`r_j` rows when the scores are distinct:
    with ``ratio=1``, the label's own rate. An anchor for the F-beta
    thresholds that does not depend on the network's scale, compared with the
    network's 0.5 in ``benchmarks/anchor_study.py``.

    Parameters
    ----------
    Y : ndarray of shape (n_samples, n_labels)
        0/1 truth.
    P : ndarray of shape (n_samples, n_labels)
        Scores in [0, 1].
    ratio : float, default=1.0
        Rows predicted per positive.

    Returns
    -------
    ndarray of shape (n_labels,)
    """
    Y = np.asarray(Y) > 0
    P = np.asarray(P, dtype=np.float64)
    n_samples, n_labels = P.shape
    # descending, padded with 1 above and 0 below
    padded = np.empty((n_samples + 2, n_labels))
    padded[0], padded[-1] = 1.0, 0.0
    padded[1:-1] = -np.sort(-P, axis=0)
    m = _rate_rows(Y, ratio)
    columns = np.arange(n_labels)
    return (padded[m, columns] + padded[m + 1, columns]) / 2.0


def _rate_rows(Y, ratio):
    """Rows :func:`rate_anchor`'s cut-off predicts per label: ``ratio`` times
    its positives, rounded, at most the number of rows."""
    n_samples = Y.shape[0]
    return np.minimum(np.rint(ratio * Y.sum(axis=0)).astype(np.int64), n_samples)


def shrink_toward(anchor, tuned, counts, shrinkage):
    r"""Pull tuned values back toward an anchor by a pseudo-count.

    .. math:: t = a + \frac{m}{m + k}\,(t^* - a)

    with :math:`m` the rows behind each value and :math:`k` = ``shrinkage``:
    values estimated from few rows stay near the anchor. The rule of the
    per-label thresholds and of the multiclass offsets.

    Parameters
    ----------
    anchor, tuned, counts : ndarray of shape (n,)
    shrinkage : float
        :math:`k`; 0 returns ``tuned`` (where a count is positive).

    Returns
    -------
    ndarray of shape (n,)
        NaN where both a count and ``shrinkage`` are 0.
    """
    with np.errstate(invalid="ignore"):  # 0/0: no rows and no shrinkage
        weight = counts / (counts + shrinkage)
    return anchor + weight * (tuned - anchor)


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
    max_anchor_ratio=None,
    return_status=False,
):
    r"""Tune one F-beta threshold per label on held-out scores, with shrinkage.

    The F-beta-optimal cut-off of a label estimated from few positives is
    noisy, and tuning it freely can do worse than the default cut-off. For each
    label :math:`j` with :math:`m_j` held-out positives and default (anchor)
    :math:`t_{0j}` the rule is:

    0. with ``max_anchor_ratio`` :math:`c`, raise the anchor to
       :math:`\max(t_{0j}, a_j)`, :math:`a_j` the cut-off that predicts
       :math:`c\, m_j` rows (:func:`rate_anchor`): an anchor that itself
       predicts many times the label's rate is a poor place to fall back on
       or to shrink toward;
    1. if :math:`m_j <` ``min_positives`` (or the label has no negative), keep
       :math:`t_{0j}`;
    2. otherwise find the exact optimum :math:`t^*_j` over the distinct scores
       (:func:`best_cutoffs`), among cut-offs that predict at most
       ``max_predicted_ratio`` :math:`\cdot m_j` rows (so that an
       uninformative score does not turn into "predict every row", F1's
       optimum for a constant score);
    3. shrink it toward the anchor with weight
       :math:`\lambda_j = m_j / (m_j + \text{shrinkage})`:

       .. math:: t_j = t_{0j} + \lambda_j (t^*_j - t_{0j})

    4. keep :math:`t_j` only if its F-beta on the held-out scores beats the
       anchor's; otherwise fall back to :math:`t_{0j}`. Shrinkage and the
       cap can move a cut-off off its optimum; this gate makes sure a label is
       never tuned to something the held-out data says is worse than the
       anchor.

    Every step is vectorised over labels: one sort per label (in blocks) and a
    few passes over the score matrix.

    Parameters
    ----------
    Y : ndarray of shape (n_samples, n_labels)
        Held-out 0/1 truth.
    P : ndarray of shape (n_samples, n_labels)
        Held-out probabilities.
    beta : float, default=1.0
    sample_weight : ndarray of shape (n_samples,), default=None
    default : float or ndarray of shape (n_labels,), default=0.5
        The anchor :math:`t_{0j}`: the cut-off of labels that are not tuned
        and the point the shrinkage pulls toward.
    min_positives : int, default=5
    shrinkage : float, default=100.0
        Pseudo-count :math:`k`; 0 disables shrinkage.
    max_predicted_ratio : float or None, default=3.0
    max_anchor_ratio : float or None, default=None
        :math:`c` of step 0; None keeps the anchor as given.
    return_status : bool, default=False
        Also return why each label has its threshold.

    Returns
    -------
    thresholds : ndarray of shape (n_labels,)
    status : ndarray of shape (n_labels,), dtype object
        Only with ``return_status``: ``"tuned"``, ``"few_positives"`` (fewer
        than ``min_positives``), ``"no_negative"`` or ``"no_gain"`` (the tuned
        cut-off did not beat the anchor on the held-out scores).
    """
    Y = np.asarray(Y) > 0
    P = np.asarray(P, dtype=np.float64)
    n_labels = Y.shape[1]
    anchor = np.broadcast_to(np.asarray(default, dtype=np.float64), (n_labels,))
    status = np.full(n_labels, "tuned", dtype=object)
    n_positives = Y.sum(axis=0)
    status[n_positives < min_positives] = "few_positives"
    status[(n_positives >= min_positives) & (n_positives == Y.shape[0])] = "no_negative"
    tunable = status == "tuned"
    rows = None if max_anchor_ratio is None else _rate_rows(Y, max_anchor_ratio)
    if tunable.any():  # searched on every label: cheaper than copying columns
        best, _, rates = _search(Y, P, beta, sample_weight, max_predicted_ratio, rows)
    if max_anchor_ratio is not None:
        # the rate cut-off lies below the anchor wherever the anchor predicts
        # fewer rows than the rate allows: only the other labels move
        moved = (P >= anchor).sum(axis=0) >= rows
        if not tunable.any():  # no search sorted the scores: sort these
            rates = np.empty(n_labels)
            rates[moved] = rate_anchor(Y[:, moved], P[:, moved], max_anchor_ratio)
        anchor = anchor.copy()
        anchor[moved] = np.maximum(anchor[moved], rates[moved])
    thresholds = anchor.copy()
    if tunable.any():
        shrunk = np.where(
            tunable, shrink_toward(anchor, best, n_positives, shrinkage), anchor
        )
        gain = fbeta_at(Y, P, shrunk, beta, sample_weight) - fbeta_at(
            Y, P, anchor, beta, sample_weight
        )
        keep = tunable & (gain > 0)
        thresholds[keep] = shrunk[keep]
        status[tunable & ~keep] = "no_gain"
    if return_status:
        return thresholds, status
    return thresholds


def global_threshold(Y, P, beta=1.0, sample_weight=None, average="micro"):
    r"""One exact threshold for every label, optimal for micro or per-row F-beta.

    - ``"micro"``: F-beta pools the counts of all labels, so it is the F-beta
      of one binary problem over all ``n_samples * n_labels`` pairs; its
      optimum over the distinct scores is found as in :func:`best_cutoffs`.
      For calibrated probabilities the micro-F-optimal rule is one common
      cut-off (Lipton et al. 2014), which is why the scores are calibrated
      first.
    - ``"samples"``: the mean over rows of each row's F-beta. Lowering the
      cut-off past a score adds that label to its row; with each row's labels
      sorted, the change of the row's F-beta is known from the label's rank in
      its row and the true labels above it, so the mean F-beta at every cut-off
      is a cumulative sum of those changes over all pairs sorted by score.

    Parameters
    ----------
    Y, P : ndarray of shape (n_samples, n_labels)
    beta : float, default=1.0
    sample_weight : ndarray of shape (n_samples,), default=None
    average : {"micro", "samples"}, default="micro"

    Returns
    -------
    threshold : float
    best_fbeta : float
        The averaged F-beta on ``(Y, P)`` at that threshold.
    """
    Y = np.asarray(Y) > 0
    P = np.asarray(P, dtype=np.float64)
    n_samples, n_labels = P.shape
    weight = None if sample_weight is None else np.asarray(sample_weight, np.float64)
    if average == "micro":
        pooled_weight = None if weight is None else np.repeat(weight, n_labels)
        threshold, best = best_cutoffs(
            Y.reshape(-1, 1), P.reshape(-1, 1), beta, pooled_weight
        )
        return float(threshold[0]), float(best[0])
    if average != "samples":
        raise ValueError(f"average={average!r} must be 'micro' or 'samples'.")
    beta2 = beta * beta
    order = np.argsort(-P, axis=1, kind="stable")
    truth = np.take_along_axis(Y, order, axis=1).astype(np.float64)
    rank = np.arange(1, n_labels + 1, dtype=np.float64)[np.newaxis, :]
    true_above = np.cumsum(truth, axis=1)
    n_true = true_above[:, -1:]
    with np.errstate(invalid="ignore", divide="ignore"):
        after = np.where(
            beta2 * n_true + rank > 0,
            (1 + beta2) * true_above / (beta2 * n_true + rank),
            0.0,
        )
    before = np.zeros_like(after)
    before[:, 1:] = after[:, :-1]
    change = after - before
    if weight is not None:
        change *= weight[:, np.newaxis] / weight.sum()
    else:
        change /= n_samples
    scores = np.take_along_axis(P, order, axis=1).ravel()
    pooled = np.argsort(-scores, kind="stable")
    scores, change = scores[pooled], change.ravel()[pooled]
    mean_f = np.cumsum(change)
    last_of_run = np.r_[np.flatnonzero(np.diff(scores) != 0), scores.size - 1]
    best = int(np.argmax(mean_f[last_of_run]))
    if mean_f[last_of_run][best] <= 0:  # predicting nothing is as good
        return float(np.nextafter(scores[0], np.inf)), 0.0
    cut = last_of_run[best]
    lower = scores[cut + 1] if cut + 1 < scores.size else 0.0
    return float((scores[cut] + lower) / 2.0), float(mean_f[cut])


def label_counts(Y, Y_pred, sample_weight=None):
    """Per-label (weighted) true positives, positives and predicted positives.

    Parameters
    ----------
    Y, Y_pred : ndarray of shape (n_samples, n_labels)
    sample_weight : ndarray of shape (n_samples,), default=None

    Returns
    -------
    true_positives, positives, predicted : ndarray of shape (n_labels,)
    """
    Y, Y_pred = _as_bool(Y), _as_bool(Y_pred)
    if sample_weight is None:
        return (
            np.count_nonzero(Y & Y_pred, axis=0).astype(np.float64),
            np.count_nonzero(Y, axis=0).astype(np.float64),
            np.count_nonzero(Y_pred, axis=0).astype(np.float64),
        )
    weight = np.asarray(sample_weight, dtype=np.float64)
    return weight @ (Y & Y_pred), weight @ Y, weight @ Y_pred


def _as_bool(A):
    A = np.asarray(A)
    return A if A.dtype == bool else A > 0


def fbeta_at(Y, P, thresholds, beta=1.0, sample_weight=None):
    """Per-label F-beta of predicting ``P >= thresholds``; 0 where undefined.

    Parameters
    ----------
    Y, P : ndarray of shape (n_samples, n_labels)
    thresholds : ndarray of shape (n_labels,)
    beta : float, default=1.0
    sample_weight : ndarray of shape (n_samples,), default=None

    Returns
    -------
    ndarray of shape (n_labels,)
    """
    predicted = np.asarray(P) >= np.asarray(thresholds)[np.newaxis, :]
    return fbeta_from_counts(*label_counts(Y, predicted, sample_weight), beta)


def fbeta_from_counts(true_positives, positives, predicted, beta):
    r"""F-beta from (weighted) counts: :math:`(1+\beta^2) TP / (\beta^2 P + PP)`.

    Returns 0 where the denominator is 0 (no positive, nothing predicted).
    """
    beta2 = beta * beta
    denominator = beta2 * np.asarray(positives) + np.asarray(predicted, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(
            denominator > 0, (1 + beta2) * true_positives / denominator, 0.0
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
    return float(
        np.mean(fbeta_from_counts(*label_counts(Y, Y_pred, sample_weight), beta))
    )
