"""Tests of sk_imbalance._decisions.thresholds."""

import numpy as np
import pytest
from sklearn.metrics import f1_score, fbeta_score

import sk_imbalance._decisions.thresholds as thresholds_module
from sk_imbalance import optimal_fbeta_threshold, top_k_predict, tune_thresholds
from sk_imbalance._decisions.thresholds import (
    apply_thresholds,
    best_cutoffs,
    global_threshold,
    macro_fbeta,
    rate_anchor,
)


def _brute_force_best(y, scores, beta):
    """Best F-beta over every distinct cut-off, by scikit-learn's metric."""
    return max(
        fbeta_score(y, (scores >= c).astype(int), beta=beta, zero_division=0)
        for c in np.unique(scores)
    )


@pytest.mark.parametrize("beta", [0.5, 1.0, 2.0])
@pytest.mark.parametrize("seed", range(5))
def test_optimal_fbeta_threshold_is_exact(beta, seed):
    """Check that the threshold reaches the brute-force F-beta optimum."""
    rng = np.random.default_rng(seed)
    y = (rng.random(200) < 0.2).astype(int)
    scores = np.round(np.clip(0.3 * y + rng.random(200) * 0.7, 0, 1), 2)  # ties
    threshold, best = optimal_fbeta_threshold(y, scores, beta=beta)
    achieved = fbeta_score(y, (scores >= threshold).astype(int), beta=beta)
    assert best == pytest.approx(achieved)
    assert achieved == pytest.approx(_brute_force_best(y, scores, beta))


def test_optimal_fbeta_threshold_is_midpoint_between_scores():
    """Check that the threshold falls between the cut-off and the next lower score."""
    y = np.array([1, 1, 0, 0])
    scores = np.array([0.9, 0.8, 0.4, 0.1])
    threshold, best = optimal_fbeta_threshold(y, scores)
    assert threshold == pytest.approx(0.6) and best == pytest.approx(1.0)


def test_best_cutoffs_uses_sample_weight():
    """Check that the weighted F1 at each label's cut-off is scikit-learn's
    weighted F1 there, and that no other cut-off scores higher."""
    rng = np.random.default_rng(0)
    Y = (rng.random((50, 3)) < 0.3).astype(int)
    P, weights = rng.random((50, 3)), rng.random(50) * 3
    thresholds, best = best_cutoffs(Y, P, 1.0, weights)
    for j in range(3):
        expected = f1_score(Y[:, j], P[:, j] >= thresholds[j], sample_weight=weights)
        assert best[j] == pytest.approx(expected)
        others = [
            f1_score(Y[:, j], P[:, j] >= cut, sample_weight=weights) for cut in P[:, j]
        ]
        assert best[j] == pytest.approx(max(others))


def test_optimal_fbeta_threshold_cap_prevents_predicting_everything():
    """Check that an uninformative score does not give 'predict every row'."""
    rng = np.random.default_rng(0)
    y = (rng.random(1000) < 0.05).astype(int)
    scores = rng.random(1000)  # carries no information
    free, _ = optimal_fbeta_threshold(y, scores)
    capped, _ = optimal_fbeta_threshold(y, scores, max_predicted_ratio=3.0)
    assert np.mean(scores >= free) > 0.5
    assert np.sum(scores >= capped) <= 3 * y.sum()


def test_tune_thresholds_falls_back_and_shrinks():
    """Check the fallback for rare labels and the shrinkage toward 0.5."""
    rng = np.random.default_rng(0)
    n = 400
    Y = np.column_stack([rng.random(n) < 0.3, np.zeros(n), rng.random(n) < 0.005])
    Y = Y.astype(int)
    Y[:2, 2] = 1  # 2-3 positives only
    P = np.clip(0.3 * Y + rng.random(Y.shape) * 0.4, 0.001, 0.999)
    raw, _ = optimal_fbeta_threshold(Y[:, 0], P[:, 0])
    thresholds = tune_thresholds(Y, P)
    m = Y[:, 0].sum()
    shrinkage = thresholds_module.SHRINKAGE
    assert thresholds[0] == pytest.approx(0.5 + m / (m + shrinkage) * (raw - 0.5))
    assert thresholds[1] == 0.5 and thresholds[2] == 0.5
    unshrunk = tune_thresholds(Y, P, shrinkage=0.0, max_predicted_ratio=None)
    assert unshrunk[0] == pytest.approx(raw)


def test_apply_thresholds_is_greater_or_equal():
    """Check that a score equal to the threshold is predicted positive."""
    P = np.array([[0.5, 0.2], [0.49, 0.9]])
    np.testing.assert_array_equal(apply_thresholds(P, [0.5, 0.3]), [[1, 0], [0, 1]])


def test_top_k_predict_gives_k_labels_per_row():
    """Check that top-k predicts exactly k labels per row, ties by lower index."""
    P = np.array([[0.1, 0.9, 0.5, 0.7], [0.3, 0.3, 0.3, 0.3]])
    np.testing.assert_array_equal(top_k_predict(P, 2), [[0, 1, 0, 1], [1, 1, 0, 0]])
    assert top_k_predict(P, 10).sum() == 8


def test_tune_thresholds_keeps_default_when_tuning_does_not_beat_it():
    """Check that a label whose shrunk threshold loses to 0.5 held out keeps 0.5."""
    # Label 0: positives score 0.45-0.5, negatives 0.3 or 0.55. The optimum
    # (predict >= ~0.45) beats 0.5, but heavy shrinkage moves the cut-off to just
    # under 0.5, where it no longer beats 0.5: the gate restores 0.5.
    y = np.array([1] * 10 + [0] * 30)
    scores = np.r_[np.linspace(0.45, 0.49, 10), np.full(25, 0.3), np.full(5, 0.55)]
    Y, P = y[:, None], scores[:, None]
    free = tune_thresholds(Y, P, shrinkage=0.0)
    assert free[0] < 0.46
    shrunk = tune_thresholds(Y, P, shrinkage=1000.0)
    assert shrunk[0] == 0.5


def test_macro_fbeta_matches_scikit_learn():
    """Check the vectorised macro F-beta against scikit-learn, weights included."""
    rng = np.random.default_rng(0)
    Y = (rng.random((50, 6)) > 0.7).astype(int)
    Y[:, 5] = 0  # a label with no positive counts 0
    pred = (rng.random((50, 6)) > 0.6).astype(int)
    weight = rng.random(50)
    for beta in (1.0, 2.0):
        expected = fbeta_score(
            Y, pred, beta=beta, average="macro", zero_division=0, sample_weight=weight
        )
        assert macro_fbeta(Y, pred, beta, weight) == pytest.approx(expected)
    assert macro_fbeta(Y, pred) == pytest.approx(
        f1_score(Y, pred, average="macro", zero_division=0)
    )


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("shift", [0.0, -3.0])  # -3: scores outside [0, 2)
def test_best_cutoffs_matches_brute_force_per_label(weighted, shift):
    """Check the vectorised search against brute force, label by label.

    Scores are rounded so that ties occur; the shifted scores take the argsort
    path, the unweighted probabilities the bit-packed sort.
    """
    rng = np.random.default_rng(1)
    Y = (rng.random((150, 12)) < rng.uniform(0.05, 0.5, 12)).astype(int)
    P = np.round(np.clip(0.3 * Y + 0.7 * rng.random(Y.shape), 0, 1), 2) + shift
    weights = rng.random(150) * 3 if weighted else None
    thresholds, best = best_cutoffs(Y, P, 1.0, weights)
    for j in range(Y.shape[1]):
        candidates = [
            f1_score(Y[:, j], P[:, j] >= c, sample_weight=weights, zero_division=0)
            for c in np.unique(P[:, j])
        ]
        achieved = f1_score(
            Y[:, j], P[:, j] >= thresholds[j], sample_weight=weights, zero_division=0
        )
        assert best[j] == pytest.approx(max(candidates))
        assert achieved == pytest.approx(max(candidates))


def test_best_cutoffs_blocks_agree_with_one_block(monkeypatch):
    """Check that splitting the labels into blocks changes nothing."""
    rng = np.random.default_rng(2)
    Y = (rng.random((200, 30)) < 0.2).astype(int)
    P = rng.random(Y.shape)
    whole = best_cutoffs(Y, P, max_predicted_ratio=3.0)
    monkeypatch.setattr(thresholds_module, "_BLOCK_ELEMENTS", 7 * 200)
    blocked = best_cutoffs(Y, P, max_predicted_ratio=3.0)
    np.testing.assert_array_equal(whole[0], blocked[0])
    np.testing.assert_array_equal(whole[1], blocked[1])


def test_tune_thresholds_status_says_why():
    """Check the status of tuned, rare, all-positive and no-gain labels."""
    rng = np.random.default_rng(0)
    n = 500
    informative = (rng.random(n) < 0.3).astype(int)
    Y = np.column_stack([informative, np.zeros(n), np.ones(n), informative])
    P = np.column_stack(
        [
            np.clip(0.3 * informative + 0.7 * rng.random(n), 0, 1),
            rng.random(n),
            rng.random(n),
            0.25 + 0.5 * informative,  # 0.5 already separates perfectly
        ]
    )
    thresholds, status = tune_thresholds(Y, P, return_status=True)
    assert list(status) == ["tuned", "few_positives", "no_negative", "no_gain"]
    assert thresholds[1] == thresholds[2] == thresholds[3] == 0.5


def test_tune_thresholds_takes_one_anchor_per_label():
    """Check that an array default is each label's fallback."""
    Y = np.zeros((50, 2), dtype=int)
    P = np.random.default_rng(0).random((50, 2))
    thresholds = tune_thresholds(Y, P, default=np.array([0.2, 0.7]))
    np.testing.assert_array_equal(thresholds, [0.2, 0.7])


def _brute_force_global(Y, P, beta, average, weights):
    """Best averaged F-beta over every distinct score used as one cut-off."""
    return max(
        fbeta_score(
            Y,
            (P >= c).astype(int),
            beta=beta,
            average=average,
            sample_weight=weights,
            zero_division=0,
        )
        for c in np.unique(P)
    )


@pytest.mark.parametrize("average", ["micro", "samples"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("beta", [1.0, 2.0])
def test_global_threshold_is_exact(average, weighted, beta):
    """Check the one-cut-off search against brute force, ties included."""
    rng = np.random.default_rng(3)
    Y = (rng.random((40, 6)) < 0.3).astype(int)
    P = np.round(np.clip(0.3 * Y + 0.7 * rng.random(Y.shape), 0, 1), 2)
    weights = rng.random(40) + 0.2 if weighted else None
    threshold, best = global_threshold(Y, P, beta, weights, average)
    achieved = fbeta_score(
        Y,
        (P >= threshold).astype(int),
        beta=beta,
        average=average,
        sample_weight=weights,
        zero_division=0,
    )
    assert best == pytest.approx(achieved)
    assert achieved == pytest.approx(_brute_force_global(Y, P, beta, average, weights))


def test_global_threshold_rejects_macro():
    """Check that the one-cut-off search names the averages it supports."""
    with pytest.raises(ValueError, match="'micro' or 'samples'"):
        global_threshold(np.eye(3), np.eye(3), average="macro")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_rate_anchor_predicts_each_labels_own_rate(seed):
    rng = np.random.default_rng(seed)
    Y = (rng.random((200, 6)) < [0.0, 0.02, 0.1, 0.3, 0.5, 1.0]).astype(int)
    P = rng.random((200, 6))
    anchor = rate_anchor(Y, P)
    np.testing.assert_array_equal((P >= anchor).sum(axis=0), Y.sum(axis=0))
    # a label with no positive predicts nothing; one with no negative, everything
    assert anchor[0] > P[:, 0].max() and anchor[5] < P[:, 5].min()


def test_rate_anchor_is_the_midpoint_between_neighbouring_scores():
    Y = np.array([[1], [0], [1], [0]])
    P = np.array([[0.9], [0.1], [0.7], [0.3]])
    np.testing.assert_allclose(rate_anchor(Y, P), [0.5])


def test_rate_anchor_ratio_scales_the_predicted_rows():
    rng = np.random.default_rng(0)
    Y = (rng.random((300, 3)) < [0.02, 0.1, 0.5]).astype(int)
    P = rng.random((300, 3))
    predicted = (P >= rate_anchor(Y, P, ratio=3.0)).sum(axis=0)
    np.testing.assert_array_equal(predicted, np.minimum(3 * Y.sum(axis=0), 300))


def test_tune_thresholds_raises_an_anchor_that_over_predicts():
    rng = np.random.default_rng(0)
    Y = np.zeros((400, 2), dtype=int)
    Y[:3, 0] = 1  # too few positives to tune: the label keeps its anchor
    Y[:100, 1] = 1
    P = np.column_stack([rng.uniform(0.4, 0.9, 400), rng.uniform(0.0, 0.45, 400)])
    plain, status = tune_thresholds(Y, P, return_status=True)
    assert status[0] == "few_positives" and plain[0] == 0.5  # 0.5 predicts ~320 rows
    raised = tune_thresholds(Y, P, max_anchor_ratio=1.5)
    assert (P[:, 0] >= raised[0]).sum() == 4  # round(1.5 * 3) rows
    # where 0.5 already predicts fewer than 1.5 m rows, the anchor stays 0.5
    np.testing.assert_array_equal(rate_anchor(Y, P, 1.5)[1] < 0.5, True)
    assert raised[1] == tune_thresholds(Y, P)[1]


@pytest.mark.parametrize("weighted", [False, True])
def test_the_search_reads_rate_anchor_cut_offs_from_its_sorted_scores(weighted):
    """Check the rate cut-offs the search reads off its sort equal rate_anchor's,
    to the bit, with ties, a label of no positive and one of every row."""
    rng = np.random.default_rng(3)
    n, m = 40, 6
    P = np.round(rng.random((n, m)), 1)  # many ties
    Y = (rng.random((n, m)) < 0.3).astype(int)
    Y[:, 0], Y[:, 1] = 0, 1  # rate rows 0 and n
    weight = rng.random(n) + 0.5 if weighted else None
    for ratio in (1.0, 1.5, 3.0):
        rows = np.minimum(np.rint(ratio * Y.sum(axis=0)).astype(np.int64), n)
        found = thresholds_module._search(Y, P, 1.0, weight, 3.0, rows)
        np.testing.assert_array_equal(found[2], rate_anchor(Y, P, ratio))
        np.testing.assert_array_equal(found[:2], best_cutoffs(Y, P, 1.0, weight, 3.0))


def test_tune_thresholds_moves_the_anchor_with_or_without_a_search():
    """Check the anchor is raised to the rate cut-off whether or not any label
    is searched (none has enough positives in the second case), as raising
    it by hand first and tuning from there does."""
    rng = np.random.default_rng(4)
    P = rng.random((60, 4))
    Y = (rng.random((60, 4)) < 0.2).astype(int)
    low = np.array([0.05, 0.05, 0.9, 0.05])  # the third predicts few rows
    rows = np.rint(1.5 * Y.sum(axis=0)).astype(int)
    moved = (P >= low).sum(axis=0) >= rows
    assert moved.any() and not moved.all()
    raised = low.copy()
    raised[moved] = np.maximum(low[moved], rate_anchor(Y, P, 1.5)[moved])
    for min_positives in (5, 10**6):  # searched, and not
        np.testing.assert_array_equal(
            tune_thresholds(
                Y, P, default=low, max_anchor_ratio=1.5, min_positives=min_positives
            ),
            tune_thresholds(Y, P, default=raised, min_positives=min_positives),
        )
