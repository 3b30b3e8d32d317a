r"""Choosing among the portfolio's candidates on their out-of-fold scores.

Every candidate (:mod:`.._nn.portfolio`) leaves out-of-fold probabilities
:math:`P_i` on the held-out rows. The estimator's objective ``score(P)`` (the
monitor that chose each candidate's epoch: the objective of the decisions
fitted on ``P``) compares them. Two rules:

- **the single best** candidate, :math:`\arg\max_i \operatorname{score}(P_i)`;
- **greedy ensemble selection** (Caruana et al., 2004): start from the single
  best, then repeatedly add, *with replacement*, the candidate whose addition
  to the running mean gives the best score; keep the round with the best
  score. A candidate added :math:`c_i` times out of :math:`R` has weight
  :math:`c_i / R` in the blend :math:`\sum_i w_i P_i`.

Both are chosen on the rows the decisions are then tuned on, so the chosen
score is optimistic, the greedy blend's (more choices) more than the single
best's. :func:`choose_weights` can ask the blend to beat the single best by
``tolerance``; the estimators pass 0, which counts none of that optimism:
on split-half out-of-fold scores (``benchmarks/portfolio_study.py``) the
greedy blend at tolerance 0 did better than at 0.002 or 0.005, so the
optimism did not cost held-out score there.

References
----------
R. Caruana, A. Niculescu-Mizil, G. Crew, A. Ksikes, "Ensemble selection from
libraries of models", ICML 2004.
"""

from __future__ import annotations

import hashlib

import numpy as np

__all__ = [
    "blend",
    "single_best",
    "greedy_weights",
    "choose_weights",
    "memoized",
    "paired_bootstrap_se",
]


def blend(probas, weights):
    """The weighted mean :math:`\\sum_i w_i P_i / \\sum_i w_i` of probabilities.

    Parameters
    ----------
    probas : sequence of ndarray of shape (n_samples, n_outputs)
    weights : array-like of shape (n_candidates,)
        Non-negative, not all zero.

    Returns
    -------
    ndarray of shape (n_samples, n_outputs)
    """
    weights = np.asarray(weights, dtype=np.float64)
    total = sum(w * p for w, p in zip(weights, probas, strict=True) if w > 0)
    return total / weights.sum()


def memoized(score):
    """``score(P)``, computed once per distinct ``P``.

    A greedy selection over all candidates and one over a subset of them
    (the reference weighting's, :mod:`.._estimator.choice`) try the same
    blends as long as their picks agree: the same candidates added in the
    same order give the same floats. Each distinct ``P`` is scored once,
    keyed by its shape, dtype and a BLAKE2 digest of its bytes (a few
    milliseconds on what costs tens to score), so the results are those of
    ``score`` itself.

    Parameters
    ----------
    score : callable
        ``score(P) -> float``, a function of ``P``'s values only.

    Returns
    -------
    callable
    """
    seen = {}

    def cached(P):
        P = np.ascontiguousarray(P)
        digest = hashlib.blake2b(memoryview(P).cast("B"), digest_size=16).digest()
        key = (P.shape, P.dtype.str, digest)
        if key not in seen:
            seen[key] = score(P)
        return seen[key]

    return cached


def single_best(scores):
    """One-hot weights of the best score (the first of equal ones)."""
    weights = np.zeros(len(scores))
    weights[int(np.argmax(scores))] = 1.0
    return weights


def greedy_weights(probas, score, rounds=10, scores=None):
    """Greedy ensemble selection with replacement (Caruana et al., 2004).

    Parameters
    ----------
    probas : sequence of ndarray of shape (n_samples, n_outputs)
        Each candidate's out-of-fold probabilities.
    score : callable
        ``score(P) -> float``, higher is better.
    rounds : int, default=10
        Additions after the first candidate, at most.
    scores : sequence of float, default=None
        ``score(P_i)`` of each candidate, if already known.

    Returns
    -------
    weights : ndarray of shape (n_candidates,)
        Counts of the best round divided by their sum.
    best_score : float
        Its score.
    """
    if scores is None:
        scores = [score(p) for p in probas]
    counts = single_best(scores)
    running = np.array(probas[int(np.argmax(scores))], dtype=np.float64)
    best = (float(np.max(scores)), counts.copy())
    for size in range(2, rounds + 2):
        trials = [score((running * (size - 1) + p) / size) for p in probas]
        pick = int(np.argmax(trials))
        counts[pick] += 1
        running = (running * (size - 1) + probas[pick]) / size
        if trials[pick] > best[0]:
            best = (float(trials[pick]), counts.copy())
    return best[1] / best[1].sum(), best[0]


def choose_weights(probas, score, rule="best", rounds=10, tolerance=0.0, scores=None):
    """The candidates' weights in the predicting blend.

    Parameters
    ----------
    probas : sequence of ndarray of shape (n_samples, n_outputs)
    score : callable
        ``score(P) -> float`` on the held-out rows.
    rule : {"best", "greedy"}, default="best"
        The single best candidate, or greedy ensemble selection when its
        blend beats the single best by more than ``tolerance``.
    rounds : int, default=10
    tolerance : float, default=0.0
    scores : list of float, default=None
        Each candidate's own score, if already computed.

    Returns
    -------
    weights : ndarray of shape (n_candidates,)
    scores : list of float
        Each candidate's own score.
    blend_score : float
        The score of the chosen blend.
    """
    if scores is None:
        scores = [float(score(p)) for p in probas]
    weights = single_best(scores)
    chosen = max(scores)
    if rule == "greedy" and len(probas) > 1:
        greedy, greedy_score = greedy_weights(probas, score, rounds, scores)
        if greedy_score > chosen + tolerance:
            weights, chosen = greedy, greedy_score
    elif rule not in ("best", "greedy"):
        raise ValueError(f"rule={rule!r} is not 'best' or 'greedy'.")
    return weights, scores, chosen


def paired_bootstrap_se(score_a, score_b, n_rows, rng, n_resamples=100):
    r"""Bootstrap standard error of a difference of two scores on the same rows.

    Each resample draws ``n_rows`` rows with replacement, as counts
    :math:`c_r` (how often row :math:`r` was drawn), and scores both with
    the same counts (a paired bootstrap: what both share cancels in the
    difference). The standard error is the standard deviation of
    :math:`\operatorname{score}_a(c) - \operatorname{score}_b(c)` over the
    resamples (Efron and Tibshirani, 1993, ch. 6). What each score fitted
    on the rows (thresholds, a calibration) stays fixed: the error is that
    of the rows' draw, not of the fitting.

    Parameters
    ----------
    score_a, score_b : callable
        ``score(row_weight) -> float``, with ``row_weight`` of shape
        ``(n_rows,)`` (:func:`.multilabel.decision_scorer`).
    n_rows : int
    rng : numpy.random.Generator
    n_resamples : int, default=100

    Returns
    -------
    float
        0.0 with fewer than two rows.

    References
    ----------
    B. Efron, R. J. Tibshirani, "An Introduction to the Bootstrap", Chapman
    & Hall, 1993.
    """
    if n_rows < 2:
        return 0.0
    differences = np.empty(n_resamples)
    for b in range(n_resamples):
        counts = np.bincount(rng.integers(n_rows, size=n_rows), minlength=n_rows)
        counts = counts.astype(np.float64)
        differences[b] = score_a(counts) - score_b(counts)
    return float(np.std(differences, ddof=1))
