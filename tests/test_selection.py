"""Tests of sk_imbalance._decisions.selection."""

import numpy as np
import pytest

from sk_imbalance._decisions.selection import (
    blend,
    choose_weights,
    greedy_weights,
    memoized,
    paired_bootstrap_se,
    single_best,
)


def _accuracy_score(Y):
    """A score on probabilities: accuracy of the 0.5 cut-off against ``Y``."""
    return lambda P: float(np.mean((P >= 0.5) == Y))


def test_blend_is_the_weighted_mean_and_skips_zero_weights():
    """Check the blend's formula, and that a zero-weight NaN candidate is ignored."""
    a, b = np.full((2, 3), 0.2), np.full((2, 3), 0.8)
    np.testing.assert_allclose(blend([a, b], [1, 3]), np.full((2, 3), 0.65))
    np.testing.assert_array_equal(blend([a, np.full((2, 3), np.nan)], [1, 0]), a)


def test_single_best_takes_the_first_of_equal_scores():
    np.testing.assert_array_equal(single_best([0.1, 0.3, 0.3]), [0, 1, 0])


def test_greedy_weights_find_a_blend_that_beats_every_candidate():
    """Check two candidates, each right on a different half of the rows, whose
    mean is right everywhere: greedy selection weights them equally."""
    Y = np.array([[1], [1], [0], [0]])
    a = np.array([[0.9], [0.4], [0.1], [0.1]])  # wrong on row 1
    b = np.array([[0.4], [0.9], [0.1], [0.1]])  # wrong on row 0
    score = _accuracy_score(Y)
    weights, best = greedy_weights([a, b], score, rounds=4)
    assert best == 1.0 > max(score(a), score(b))
    np.testing.assert_allclose(weights, [0.5, 0.5])


def test_greedy_weights_keep_the_single_best_when_no_blend_helps():
    Y = np.array([[1], [0]])
    good, bad = np.array([[0.9], [0.1]]), np.array([[0.1], [0.9]])
    weights, best = greedy_weights([bad, good], _accuracy_score(Y))
    np.testing.assert_array_equal(weights, [0, 1])
    assert best == 1.0


def test_choose_weights_asks_the_blend_to_beat_the_best_by_the_tolerance():
    """Check that a blend gaining 0.25 is kept at tolerance 0.1, not at 0.3."""
    Y = np.array([[1], [1], [0], [0]])
    a = np.array([[0.9], [0.4], [0.1], [0.1]])
    b = np.array([[0.4], [0.9], [0.1], [0.1]])
    score = _accuracy_score(Y)
    weights, scores, chosen = choose_weights([a, b], score, "greedy", tolerance=0.1)
    np.testing.assert_allclose(weights, [0.5, 0.5])
    assert scores == [0.75, 0.75] and chosen == 1.0
    weights, _, chosen = choose_weights([a, b], score, "greedy", tolerance=0.3)
    np.testing.assert_array_equal(weights, [1, 0])
    assert chosen == 0.75
    weights, _, _ = choose_weights([a, b], score, "best")
    np.testing.assert_array_equal(weights, [1, 0])


def test_choose_weights_names_an_unknown_rule():
    with pytest.raises(ValueError, match="rule='vote'"):
        choose_weights([np.zeros((1, 1))], lambda P: 0.0, "vote")


def test_memoized_scores_each_distinct_blend_once():
    calls = []

    def score(P):
        calls.append(P.copy())
        return float(P.sum())

    cached = memoized(score)
    a = np.array([[0.2, 0.7], [0.1, 0.4]])
    assert cached(a) == score(a)
    calls.clear()
    assert cached(a.copy()) == pytest.approx(1.4)  # equal values: no new call
    assert cached(np.asfortranarray(a)) == pytest.approx(1.4)
    assert calls == []
    b = a.copy()
    b[1, 1] = np.nextafter(0.4, 1.0)  # one ulp apart: scored anew
    cached(b)
    cached(a.astype(np.float32))  # another dtype: scored anew
    cached(a.reshape(1, 4))  # another shape: scored anew
    assert len(calls) == 3


def test_greedy_selection_with_memoized_score_matches_the_plain_score():
    rng = np.random.default_rng(0)
    Y = (rng.random((60, 3)) < 0.3).astype(int)
    probas = [np.clip(Y * 0.3 + rng.random((60, 3)) * 0.7, 0, 1) for _ in range(2)]
    probas.append(1.0 - Y)  # always wrong: the full greedy never picks it
    score = _accuracy_score(Y)
    calls = []

    def counted(P):
        calls.append(1)
        return score(P)

    plain = choose_weights(probas, score, "greedy")
    cached = memoized(counted)
    first = choose_weights(probas, cached, "greedy")
    n_first = len(calls)
    again = choose_weights(probas[:2], cached, "greedy", scores=first[1][:2])
    np.testing.assert_array_equal(first[0], plain[0])
    assert first[2] == plain[2]
    assert again[2] == choose_weights(probas[:2], score, "greedy")[2]
    assert first[0][2] == 0
    # the subset's greedy tried only blends the full one had scored
    assert len(calls) == n_first


def test_paired_bootstrap_se_is_the_standard_error_of_a_mean_difference():
    """Check the bootstrap on means of row values, whose standard errors are
    known: the difference of two means on the same rows has the error of
    the mean of the row-wise differences, far below either mean's own."""
    rng = np.random.default_rng(0)
    n = 2000
    x = rng.normal(scale=3.0, size=n)
    e = rng.normal(scale=0.5, size=n)

    def mean_of(values):
        return lambda weight: float(np.average(values, weights=weight))

    se = paired_bootstrap_se(
        mean_of(x + e), mean_of(x), n, np.random.default_rng(1), n_resamples=400
    )
    assert se == pytest.approx(0.5 / np.sqrt(n), rel=0.15)
    unpaired = paired_bootstrap_se(
        mean_of(x), lambda weight: 0.0, n, np.random.default_rng(1), n_resamples=400
    )
    assert unpaired == pytest.approx(3.0 / np.sqrt(n), rel=0.15)


def test_paired_bootstrap_se_is_zero_for_equal_scores_and_few_rows():
    def score(weight):
        return float(np.sum(weight[:3]))

    rng = np.random.default_rng(0)
    assert paired_bootstrap_se(score, score, 50, rng) == 0.0
    assert paired_bootstrap_se(score, lambda w: 0.0, 1, rng) == 0.0


def test_paired_bootstrap_se_draws_from_the_generator_it_is_given():
    """Check that the same generator state gives the same error (no global
    state is read) and another state another one."""

    def score(weight):
        return float(np.average(np.arange(30.0), weights=weight))

    def zero(weight):
        return 0.0

    first = paired_bootstrap_se(score, zero, 30, np.random.default_rng(5))
    again = paired_bootstrap_se(score, zero, 30, np.random.default_rng(5))
    other = paired_bootstrap_se(score, zero, 30, np.random.default_rng(6))
    assert first == again != other
