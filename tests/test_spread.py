"""Tests of sk_imbalance._spread: the held-out scores narrowed to the ensemble's."""

import keras
import numpy as np
import pytest
from scipy.special import expit, logit

from sk_imbalance import WeightedMultiLabelClassifier
from sk_imbalance._spread import (
    between_head_variance,
    match_spread,
    remove_head_offsets,
    spread_ratio,
)


def test_spread_ratio_bounds_and_formula():
    rng = np.random.default_rng(0)
    Z = rng.normal(0, 2.0, size=(5000, 3))
    variance = Z.var(axis=0)
    ratio = spread_ratio(Z, np.array([0.0, variance[1] / 2, 10 * variance[2]]), 5)
    np.testing.assert_allclose(ratio[0], 1.0)
    np.testing.assert_allclose(ratio[1], np.sqrt(1 - 0.8 / 2))
    np.testing.assert_allclose(ratio[2], np.sqrt(1 / 5))  # clipped at 1/sqrt(k)


def test_match_spread_narrows_held_logits_about_their_mean():
    rng = np.random.default_rng(1)
    proba = expit(rng.normal(-1.0, 1.5, size=(400, 2)))
    held_sets = np.array_split(rng.permutation(np.arange(50, 400)), 5)
    proba[:50] = np.nan
    held = np.arange(400) >= 50
    between = np.array([0.0, 1.0])
    matched, ratio = match_spread(proba, held_sets, between)
    assert np.isnan(matched[:50]).all()  # rows held out by no head stay as they are
    Z, M = logit(proba[held]), logit(matched[held])
    shifted, offsets = remove_head_offsets(
        Z, [np.searchsorted(np.flatnonzero(held), rows) for rows in held_sets]
    )
    np.testing.assert_allclose(M.mean(axis=0), Z.mean(axis=0))
    np.testing.assert_allclose(M.std(axis=0), ratio * shifted.std(axis=0))
    np.testing.assert_allclose(M[:, 0], shifted[:, 0])  # heads that agree: no change
    assert ratio[1] < 1
    unchanged, ones = match_spread(proba, held_sets, None)
    assert unchanged is proba and (ones == 1).all()


def test_remove_head_offsets_takes_out_each_heads_shift_and_estimates_its_variance():
    rng = np.random.default_rng(3)
    groups = np.array_split(rng.permutation(5000), 5)
    offsets = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])
    Z = rng.normal(0.0, 1.0, size=(5000, 2))
    for g, b in zip(groups, offsets, strict=True):
        Z[g, 1] += b  # label 1: every head has its own shift
    shifted, variance = remove_head_offsets(Z, groups)
    for g in groups:
        np.testing.assert_allclose(shifted[g].mean(axis=0), Z.mean(axis=0))
    np.testing.assert_allclose(shifted.mean(axis=0), Z.mean(axis=0))
    assert variance[0] < 0.01  # no offsets: only sampling noise, taken off
    np.testing.assert_allclose(variance[1], offsets.var(ddof=1), rtol=0.05)
    same, none = remove_head_offsets(Z, [np.arange(5000)])
    assert same is Z and (none == 0).all()


def test_offsets_are_removed_not_narrowed():
    """Heads that differ only by a shift: the ensemble's spread is the signal's."""
    rng = np.random.default_rng(4)
    held_sets = np.array_split(rng.permutation(4000), 5)
    signal = rng.normal(-2.0, 1.0, size=(4000, 1))
    Z = signal.copy()
    for rows, b in zip(held_sets, [-1.5, -0.5, 0.0, 0.5, 1.5], strict=True):
        Z[rows] += b
    between = np.array([np.var([-1.5, -0.5, 0.0, 0.5, 1.5], ddof=1)])  # tau^2 = B
    matched, ratio = match_spread(expit(Z), held_sets, between)
    np.testing.assert_allclose(ratio, 1.0, atol=0.02)  # B estimated from samples
    M = logit(matched)
    np.testing.assert_allclose(M.std(), signal.std(), rtol=0.02)  # not sigma / sqrt(k)
    np.testing.assert_allclose(M - M.mean(), signal - signal.mean(), atol=0.2)


def _heads_logits(est, X):
    """Every head's logits of ``X``: the ensemble model's layers before the mean."""
    h = keras.ops.convert_to_tensor(X.astype("float32"))
    for layer in est.model_.layers[1:-1]:
        h = layer(h, training=False)
    return keras.ops.convert_to_numpy(h).astype(np.float64)


class _Recorder(WeightedMultiLabelClassifier):
    def _choose_candidates(self, candidates, crossfit, score):
        self.crossfit_ = crossfit
        return super()._choose_candidates(candidates, crossfit, score)

    def _check_splits(self, splits, targets):
        self.splits_ = splits


def test_between_head_variance_is_the_variance_of_the_heads_that_trained_on_a_row():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(240, 6))
    Y = (X[:, :3] + rng.normal(size=(240, 3)) > 0.8).astype(int)
    est = _Recorder(
        hidden_layer_sizes=(8,), epochs=3, batch_size=64, cv=4, random_state=0
    ).fit(X, Y)
    Z = _heads_logits(est, X)  # (n, k, m)
    trained = np.ones((240, 4), dtype=bool)
    for j, (_, held) in enumerate(est.splits_):
        trained[held, j] = False
    expected = np.mean(
        [Z[i, trained[i]].var(axis=0, ddof=1) for i in range(240)], axis=0
    )
    got = est.crossfit_.candidates[0].between
    np.testing.assert_allclose(got, expected, rtol=1e-4)
    for kept, (_, held) in zip(est.crossfit_.held_sets, est.splits_, strict=True):
        np.testing.assert_array_equal(kept, held)  # what match_spread is given
    assert between_head_variance(None, X, [np.arange(5), np.arange(5, 9)], 3) is None


@pytest.mark.parametrize("ensemble", [True, False])
def test_fit_narrows_the_held_out_scores_only_for_the_ensemble(ensemble):
    rng = np.random.default_rng(2)
    X = rng.normal(size=(300, 5))
    Y = (rng.random((300, 2)) < 0.2).astype(int)  # noise: the heads disagree
    est = _Recorder(
        hidden_layer_sizes=(16,), epochs=2, batch_size=64, cv=3, random_state=0,
        ensemble=ensemble,
    ).fit(X, Y)  # fmt: skip
    raw = logit(est.crossfit_.candidates[0].proba)
    used = logit(est.crossfit_.proba)
    if ensemble:
        assert (used.std(axis=0) < raw.std(axis=0)).all()
    else:
        np.testing.assert_allclose(used, raw)
