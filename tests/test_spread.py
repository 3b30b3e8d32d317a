"""Tests of sk_imbalance._decisions.spread: held-out scores matched to the ensemble."""

import keras
import numpy as np
import pytest
from scipy.special import expit, logit
from sklearn.model_selection import KFold, TimeSeriesSplit

from sk_imbalance import WeightedMultiLabelClassifier
from sk_imbalance._crossfit.oof import between_head_variance
from sk_imbalance._decisions.spread import (
    match_spread,
    remove_head_offsets,
    splits_partition,
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


def _complements(held_sets, n):
    """Each head's training rows for k-fold splits: the rows it does not hold out."""
    return [np.setdiff1d(np.arange(n), rows) for rows in held_sets]


def test_match_spread_narrows_held_logits_about_their_mean():
    rng = np.random.default_rng(1)
    proba = expit(rng.normal(-1.0, 1.5, size=(400, 2)))
    held_sets = np.array_split(rng.permutation(np.arange(50, 400)), 5)
    train_sets = [np.setdiff1d(np.arange(50, 400), rows) for rows in held_sets]
    proba[:50] = np.nan
    held = np.arange(400) >= 50
    between = np.array([0.0, 1.0])
    matched, ratio = match_spread(proba, held_sets, between, train_sets=train_sets)
    assert np.isnan(matched[:50]).all()  # rows held out by no head stay as they are
    # the expected values, written out: each head's rows moved to the common
    # mean, B the heads' means' variance less their squared standard errors,
    # then rho = sqrt(1 - (1 - 1/k) (tau^2 - B) / var)
    Z = logit(proba)
    centre = Z[held].mean(axis=0)
    means = np.array([Z[rows].mean(axis=0) for rows in held_sets])
    errors = np.mean([Z[rows].var(axis=0) / len(rows) for rows in held_sets], axis=0)
    B = np.maximum(means.var(axis=0, ddof=1) - errors, 0)
    shifted = Z.copy()
    for rows, mean in zip(held_sets, means, strict=True):
        shifted[rows] += centre - mean
    rho = np.sqrt(
        np.clip(
            1 - 0.8 * np.maximum(between - B, 0) / shifted[held].var(axis=0), 0.2, 1
        )
    )
    np.testing.assert_allclose(ratio, rho)
    np.testing.assert_allclose(rho[0], 1.0)  # heads that agree: no narrowing
    assert rho[1] < 0.9
    M = logit(matched[held])
    np.testing.assert_allclose(M, centre + rho * (shifted[held] - centre), atol=1e-9)
    unchanged, ones = match_spread(proba, held_sets, None, train_sets=train_sets)
    assert unchanged is proba and (ones == 1).all()


def _simulated_heads(rng, n, k, signal, offsets, noise_sd):
    """Every head's logits ``(n, k, m)``: the signal, the head's offset, its noise."""
    return (
        signal[:, np.newaxis, :]
        + offsets
        + rng.normal(0.0, noise_sd, size=(n, k, signal.shape[1]))
    )


def test_matched_scores_predict_the_counts_of_the_ensemble_that_predicts():
    """The matched held-out scores' tail is the predicting ensemble's tail.

    k = 5 heads, a rare label's signal N(-4, 0.5^2), each head's noise of
    variance 2 and offsets between heads. Held out, each row is scored by the
    head that did not train on it; the matched scores' 90th and 99th
    percentiles, used as cut-offs (a rare label's threshold), must be crossed
    by 10% and 1% of new rows as the estimator's own ensemble layer combines
    the heads, and the mean and spread must match.
    """
    from sk_imbalance._nn.layers import head_average

    rng = np.random.default_rng(7)
    n, k = 20000, 5
    offsets = np.array([-0.4, -0.2, 0.0, 0.2, 0.4])[:, np.newaxis]
    signal = rng.normal(-4.0, 0.5, size=(n, 1))
    fit_heads = _simulated_heads(rng, n, k, signal, offsets, np.sqrt(2.0))
    held_sets = np.array_split(rng.permutation(n), k)
    train_sets = _complements(held_sets, n)
    Z_oof = np.empty((n, 1))
    for j, rows in enumerate(held_sets):
        Z_oof[rows] = fit_heads[rows, j]
    trained = np.ones((n, k), dtype=bool)
    for j, rows in enumerate(held_sets):
        trained[rows, j] = False
    between = np.mean(  # tau^2 as the fit measures it: over the heads that trained
        [fit_heads[i, trained[i]].var(axis=0, ddof=1) for i in range(0, n, 7)], axis=0
    )
    matched, _ = match_spread(expit(Z_oof), held_sets, between, train_sets=train_sets)
    M = logit(matched)[:, 0]

    new_signal = rng.normal(-4.0, 0.5, size=(n, 1))
    new_heads = _simulated_heads(rng, n, k, new_signal, offsets, np.sqrt(2.0))
    layer = head_average("sigmoid")
    ensemble = keras.ops.convert_to_numpy(layer(new_heads.astype("float32")))[:, 0]

    np.testing.assert_allclose(ensemble.mean(), M.mean(), atol=0.05)
    np.testing.assert_allclose(ensemble.std(), M.std(), rtol=0.05)
    for q, tolerance in ((0.90, 0.01), (0.99, 0.003)):
        cut = np.quantile(M, q)
        predicted = int((ensemble > cut).sum())
        assert abs(predicted / n - (1 - q)) < tolerance, (q, predicted)
    # the raw held-out scores (one head each) would over-predict its tail
    assert (ensemble > np.quantile(Z_oof, 0.99)).mean() < 0.002


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
    matched, ratio = match_spread(
        expit(Z), held_sets, between, train_sets=_complements(held_sets, 4000)
    )
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
    def _choose_candidates(self, candidates, crossfit, score, rng):
        self.crossfit_ = crossfit
        self.blend_ = super()._choose_candidates(candidates, crossfit, score, rng)
        return self.blend_

    def _check_splits(self, splits, targets):
        self.splits_ = splits


@pytest.mark.parametrize("cv", [4, TimeSeriesSplit(4)], ids=["kfold", "time_series"])
def test_between_head_variance_is_the_variance_of_the_heads_that_trained_on_a_row(cv):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(240, 6))
    Y = (X[:, :3] + rng.normal(size=(240, 3)) > 0.8).astype(int)
    est = _Recorder(
        hidden_layer_sizes=(8,), epochs=3, batch_size=32, cv=cv, random_state=0
    ).fit(X, Y)
    Z = _heads_logits(est, X)  # (n, k, m)
    trained = np.zeros((240, 4), dtype=bool)  # from the splits' training rows
    for j, (train, _) in enumerate(est.splits_):
        trained[train, j] = True
    rows = [i for i in range(240) if trained[i].sum() >= 2]
    if not isinstance(cv, int):  # ordered: the first rows train every head, the
        assert len(rows) < 240  # last fold's rows none
    expected = np.mean([Z[i, trained[i]].var(axis=0, ddof=1) for i in rows], axis=0)
    got = est.crossfit_.candidates[0].between
    np.testing.assert_allclose(got, expected, rtol=1e-4)
    for kept, (_, held) in zip(est.crossfit_.held_sets, est.splits_, strict=True):
        np.testing.assert_array_equal(kept, held)  # what match_spread is given
    for kept, (train, _) in zip(est.crossfit_.train_sets, est.splits_, strict=True):
        np.testing.assert_array_equal(kept, train)
    assert between_head_variance(None, X, [np.arange(5), np.arange(5, 9)], 3) is None


def test_splits_partition_only_for_k_folds():
    n = 100
    kfold = list(KFold(4, shuffle=True, random_state=0).split(np.arange(n)))
    assert splits_partition([t for t, _ in kfold], [h for _, h in kfold], n)
    some = np.arange(80)  # k folds of a subset: still a partition of what is used
    folds = np.array_split(some, 4)
    assert splits_partition([np.setdiff1d(some, f) for f in folds], folds, n)
    ordered = list(TimeSeriesSplit(4).split(np.arange(n)))
    assert not splits_partition([t for t, _ in ordered], [h for _, h in ordered], n)
    left_out = [(np.setdiff1d(np.arange(n), f), f) for f in np.array_split(some, 4)]
    assert not splits_partition(  # rows 80-99 trained on by every head, held by none
        [t for t, _ in left_out], [h for _, h in left_out], n
    )


def test_ordered_folds_keep_their_differences():
    """Splits that are not a partition: no offset is removed, only narrowing."""
    rng = np.random.default_rng(5)
    n = 5000
    splits = list(TimeSeriesSplit(4).split(np.arange(n)))
    held_sets = [h for _, h in splits]
    Z = rng.normal(0.0, 1.0, size=(n, 1))
    for j, rows in enumerate(held_sets):
        Z[rows] += j  # later folds really score higher: a drift, not an offset
    held = np.zeros(n, dtype=bool)
    held[np.concatenate(held_sets)] = True
    train_sets = [t for t, _ in splits]
    matched, ratio = match_spread(
        expit(Z), held_sets, np.array([0.0]), train_sets=train_sets
    )
    np.testing.assert_allclose(ratio, 1.0)
    np.testing.assert_allclose(logit(matched[held]), Z[held], atol=1e-9)  # kept
    used = np.concatenate(held_sets)  # the same folds, as if a partition of them
    kfold = [np.setdiff1d(used, h) for h in held_sets]
    shifted, _ = match_spread(expit(Z), held_sets, np.array([0.0]), train_sets=kfold)
    assert np.ptp([logit(shifted[h]).mean() for h in held_sets]) < 1e-6  # removed


@pytest.mark.parametrize("ensemble", [True, False])
def test_fit_narrows_the_held_out_scores_only_for_the_ensemble(ensemble):
    rng = np.random.default_rng(2)
    X = rng.normal(size=(300, 5))
    Y = (rng.random((300, 2)) < 0.2).astype(int)  # noise: the heads disagree
    est = _Recorder(
        hidden_layer_sizes=(16,), epochs=2, batch_size=64, cv=3, random_state=0,
        ensemble=ensemble,
    ).fit(X, Y)  # fmt: skip
    crossfit = est.crossfit_
    result = crossfit.candidates[0]
    raw = logit(result.proba)
    used = logit(est.blend_.proba)  # what the decisions were fitted on
    if ensemble:  # the fit's own tau^2 and splits, handed to match_spread
        assert result.between is not None and (result.between > 0).all()
        expected, ratio = match_spread(
            result.proba,
            [h for _, h in est.splits_],
            result.between,
            train_sets=[t for t, _ in est.splits_],
        )
        np.testing.assert_allclose(used, logit(expected), atol=1e-12)
        assert (ratio < 1).all()
        assert (used.std(axis=0) < raw.std(axis=0)).all()
    else:  # the refit predicts: nothing is narrowed, no tau^2 is measured
        assert result.between is None
        np.testing.assert_allclose(used, raw)


def test_between_head_covariance_has_each_candidates_variance_on_its_diagonal():
    """With several candidates the cross-fit also measures the covariance
    between candidates of the heads' deviations; its diagonal is each
    candidate's own tau^2, and it is symmetric."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(240, 6))
    Y = (X[:, :3] + rng.normal(size=(240, 3)) > 0.8).astype(int)
    est = _Recorder(
        candidates=[
            {"name": "linear", "hidden_layer_sizes": ()},
            {"name": "mlp", "hidden_layer_sizes": (8,)},
        ],
        epochs=3,
        batch_size=32,
        cv=4,
        random_state=0,
    ).fit(X, Y)
    cov = est.crossfit_.between_cov
    assert cov.shape == (2, 2, 3)
    for i, result in enumerate(est.crossfit_.candidates):
        np.testing.assert_allclose(cov[i, i], result.between, rtol=1e-10)
    np.testing.assert_allclose(cov[0, 1], cov[1, 0])
    # a covariance: |T_01| <= sqrt(T_00 T_11), label by label
    assert np.all(np.abs(cov[0, 1]) <= np.sqrt(cov[0, 0] * cov[1, 1]) + 1e-12)
    single = between_head_variance(None, X, [np.arange(5), np.arange(5, 9)], 3)
    assert single is None
    assert between_head_variance(
        None, X, [np.arange(5), np.arange(5, 9)], 3, covariance=True
    ) == (None, None)


def _two_candidates(n=1000, k=5, shared=0.0, seed=0):
    """Held-out logits of two candidates: a common signal, each head's own
    noise (``shared`` of it common to both candidates' heads of one fold)."""
    rng = np.random.default_rng(seed)
    held_sets = np.array_split(rng.permutation(n), k)
    train_sets = _complements(held_sets, n)
    signal = rng.normal(-2.0, 1.5, size=(n, 3))
    tau2 = np.array([1.0, 2.0])
    common = rng.normal(size=(n, 3))
    Z = []
    for c in range(2):
        own = rng.normal(size=(n, 3))
        noise = np.sqrt(tau2[c]) * (
            np.sqrt(shared) * common + np.sqrt(1 - shared) * own
        )
        Z.append(signal + noise)
    between = [np.full(3, t) for t in tau2]
    cov = np.zeros((2, 2, 3))
    cov[0, 0], cov[1, 1] = between
    cov[0, 1] = cov[1, 0] = shared * np.sqrt(tau2[0] * tau2[1])
    return [expit(z) for z in Z], held_sets, train_sets, between, cov


@pytest.mark.parametrize("shared", [0.0, 0.5])
def test_match_spread_jointly_keeps_each_spread_and_models_the_agreement(shared):
    """Each candidate keeps the spread match_spread gives it; between them the
    covariance becomes S - (1 - 1/k) T off the diagonal: with heads' noise of
    their own, the candidates agree more than out of fold."""
    from sk_imbalance._decisions.spread import match_spread_jointly

    probas, held_sets, train_sets, between, cov = _two_candidates(shared=shared)
    joint = match_spread_jointly(probas, held_sets, between, cov, train_sets=train_sets)
    alone = [
        match_spread(p, held_sets, b, train_sets=train_sets)[0]
        for p, b in zip(probas, between, strict=True)
    ]
    Zj = [logit(p) for p in joint]
    Za = [logit(p) for p in alone]
    for zj, za in zip(Zj, Za, strict=True):
        np.testing.assert_allclose(zj.var(axis=0), za.var(axis=0), rtol=1e-8)
        np.testing.assert_allclose(zj.mean(axis=0), za.mean(axis=0), atol=1e-10)
    # the cross-covariance the model asks for, of the offset-free logits (the
    # heads' offsets here are sampling noise only, so the row-to-row part is
    # nearly all of tau^2)
    groups = list(held_sets)
    raw = [remove_head_offsets(logit(p), groups)[0] for p in probas]
    for j in range(3):
        S = np.cov(raw[0][:, j], raw[1][:, j], bias=True)[0, 1]
        got = np.cov(Zj[0][:, j], Zj[1][:, j], bias=True)[0, 1]
        assert got == pytest.approx(S - 0.8 * cov[0, 1, j], abs=0.05)
    corr_joint = np.corrcoef(Zj[0][:, 0], Zj[1][:, 0])[0, 1]
    corr_alone = np.corrcoef(Za[0][:, 0], Za[1][:, 0])[0, 1]
    if shared == 0.0:
        assert corr_joint > corr_alone + 0.05
    else:
        assert corr_joint > corr_alone


def test_match_spread_jointly_leaves_a_constant_label_to_its_own_matching():
    from sk_imbalance._decisions.spread import match_spread_jointly

    probas, held_sets, train_sets, between, cov = _two_candidates()
    probas[1][:, 2] = 0.25  # the second candidate says the same of every row
    joint = match_spread_jointly(probas, held_sets, between, cov, train_sets=train_sets)
    alone = match_spread(probas[0], held_sets, between[0], train_sets=train_sets)[0]
    np.testing.assert_allclose(joint[0][:, 2], alone[:, 2])
    np.testing.assert_allclose(joint[1][:, 2], 0.25)
