"""Tests of sk_imbalance._decisions.selection."""

import numpy as np
import pytest

from sk_imbalance._decisions.selection import (
    blend,
    choose_weights,
    greedy_weights,
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
