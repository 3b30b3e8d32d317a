"""Tests of sk_imbalance._crossfit.loop."""

import keras
import numpy as np
import pytest
import scipy.sparse as sp
from _networks import fold_mlp
from scipy.special import expit, logsumexp
from sklearn.model_selection import KFold, ShuffleSplit

from sk_imbalance._crossfit.encoding import as_csr, encode_rows
from sk_imbalance._crossfit.loop import cross_fit, head_batches
from sk_imbalance._crossfit.oof import held_out_slots, out_of_fold_proba
from sk_imbalance._crossfit.splits import make_splits
from sk_imbalance._nn.losses import element_weights
from sk_imbalance._nn.sparse_layer import is_sparse_model

SETTINGS = dict(
    loss="bce",
    focal_gamma=2.0,
    optimizer="adam",
    learning_rate=0.01,
    batch_size=16,
)


def _data(n=60, d=5, m=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)).astype("float32")
    Y = (X[:, :m] + rng.normal(size=(n, m)) > 0).astype("float32")
    return X, Y


def _targets(Y):
    weights = element_weights(Y, np.ones((Y.shape[1], 2)))
    return np.hstack([Y, weights]).astype("float32")


def _build(X, Y, seed=0, hidden=(8,), sparse=False):
    rng = np.random.default_rng(seed)
    return lambda k: fold_mlp(
        X.shape[1],
        Y.shape[1],
        k,
        hidden_layer_sizes=hidden,
        dropout=0.1,
        rng=rng,
        sparse=sparse,
    )


def _per_head_logits(ensemble_model, X):
    average = ensemble_model.get_layer("logit_average")
    heads = keras.Model(ensemble_model.input, average.input)
    if is_sparse_model(ensemble_model):
        k = average.input.shape[1]
        rows = np.repeat(np.arange(X.shape[0])[:, np.newaxis], k, axis=1)
        return keras.ops.convert_to_numpy(
            heads(encode_rows(as_csr(X), rows, k))
        ).astype(np.float64)
    return keras.ops.convert_to_numpy(heads(X)).astype(np.float64)


def _no_score(held, proba):
    return 0.0


def test_make_splits_int_partitions_the_rows():
    """Check that an int gives k disjoint held-out folds covering every row."""
    splits = make_splits(4, 22, seed=0)
    assert len(splits) == 4
    held = np.concatenate([test for _, test in splits])
    np.testing.assert_array_equal(np.sort(held), np.arange(22))
    for train, test in splits:
        np.testing.assert_array_equal(
            np.sort(np.concatenate([train, test])), np.arange(22)
        )


def test_make_splits_float_splitter_and_iterable():
    """Check the hold-out fraction, a splitter object and an iterable of pairs."""
    ((train, test),) = make_splits(0.25, 20, seed=0)
    assert len(test) == 5 and len(train) == 15
    assert len(make_splits(KFold(3), 9, seed=0)) == 3
    shuffled = make_splits(ShuffleSplit(2, test_size=3, random_state=0), 9, seed=0)
    assert [len(test) for _, test in shuffled] == [3, 3]
    pairs = [([0, 1, 2], [3, 4]), ([3, 4], [0, 1])]
    assert [t.tolist() for _, t in make_splits(pairs, 5, seed=0)] == [[3, 4], [0, 1]]


@pytest.mark.parametrize(
    "cv, message",
    [
        (10, "at least 10 samples"),
        ([([0, 1], [1, 2])], "holds out rows it also trains on"),
        ([([], [0, 1])], "no training row"),
        ([], "gave no split"),
        ([([0, 1, 2], [3, 4]), ([0, 1, 2, 3, 4], [])], "Split 1 .* holds no row out"),
    ],
)
def test_make_splits_rejects_bad_splits(cv, message):
    """Check that impossible splits get a named error."""
    with pytest.raises(ValueError, match=message):
        make_splits(cv, 5, seed=0)


def test_head_batches_draw_each_head_from_its_own_rows():
    """Check the shape, that head j only gets its rows, and that it sees them all."""
    train_sets = [np.arange(0, 10), np.arange(10, 17)]
    batches = head_batches(train_sets, 4, np.random.default_rng(0))
    assert batches.shape == (3, 4, 2)  # ceil(10 / 4) full batches
    for j, rows in enumerate(train_sets):
        drawn = batches[:, :, j].ravel()
        assert set(drawn) <= set(rows)
        assert set(drawn) == set(rows)  # every row at least once per epoch
    # no repeat within a head's first pass through its rows
    assert len(set(batches[:, :, 0].ravel()[:10])) == 10


def test_held_out_slots_lay_heads_side_by_side():
    """Check the (positions, k) layout with -1 padding."""
    slots = held_out_slots([np.array([4, 5, 6]), np.array([1])])
    np.testing.assert_array_equal(slots, [[4, 1], [5, -1], [6, -1]])


@pytest.mark.parametrize("sparse", [False, True])
def test_out_of_fold_proba_is_each_heads_prediction_on_its_held_rows(sparse):
    """Check that out-of-fold scores equal what each head predicts for its rows."""
    X, Y = _data()
    splits = make_splits(3, len(X), seed=0)
    train_model, ensemble_model = _build(X, Y)(3)
    Xin = sp.csr_matrix(X) if sparse else X
    (proba,) = out_of_fold_proba(
        train_model, Xin, held_out_slots([h for _, h in splits]), 3
    )
    per_head = expit(_per_head_logits(ensemble_model, X))
    for j, (_, held) in enumerate(splits):
        np.testing.assert_allclose(proba[held], per_head[held, j], rtol=1e-5)


@pytest.mark.parametrize("sparse", [False, True])
def test_cross_fit_held_out_rows_cannot_change_their_heads_weights(sparse):
    """Check that a head's weights do not depend on the rows it holds out, on
    dense rows and on sparse ones (the first layer on the non-zeros)."""
    X, Y = _data()
    if sparse:
        X[np.abs(X) < 0.8] = 0
    splits = make_splits(3, len(X), seed=0)
    changed_X, changed_Y = X.copy(), Y.copy()
    held_by_0 = splits[0][1]
    changed_X[held_by_0] = np.random.default_rng(9).normal(
        size=changed_X[held_by_0].shape
    )
    changed_Y[held_by_0] = 1 - changed_Y[held_by_0]
    logits = []
    for features, labels in [(X, Y), (changed_X, changed_Y)]:
        result = cross_fit(
            _build(X, Y, seed=1, sparse=sparse),
            sp.csr_matrix(features) if sparse else features,
            _targets(labels),
            splits,
            epochs=3,
            patience=None,
            rng=np.random.default_rng(5),
            score=_no_score,
            **SETTINGS,
        )
        logits.append(_per_head_logits(result.model, X))
    # two fits: equal to float32 rounding (bit-equal on one CPU thread count)
    np.testing.assert_allclose(logits[0][:, 0], logits[1][:, 0], rtol=1e-5, atol=1e-6)
    assert not np.allclose(logits[0][:, 1], logits[1][:, 1], rtol=1e-3)


def test_cross_fit_keeps_the_best_epoch_of_the_out_of_fold_curve(monkeypatch):
    """Check that training stops after patience and restores the best epoch.

    (The epoch floor is tested on its own below: here every epoch may be kept.)
    """
    from sk_imbalance._crossfit import loop

    monkeypatch.setattr(loop, "MIN_STEPS", 1)
    X, Y = _data()
    splits = make_splits(3, len(X), seed=0)
    curve = iter([0.1, 0.5, 0.3, 0.2, 0.4, 0.9])
    seen = []

    def score(held, proba):
        seen.append(proba.copy())
        return next(curve)

    result = cross_fit(
        _build(X, Y),
        X,
        _targets(Y),
        splits,
        epochs=10,
        patience=3,
        rng=np.random.default_rng(0),
        score=score,
        **SETTINGS,
    )
    assert result.history["oof_score"] == [0.1, 0.5, 0.3, 0.2, 0.4]
    assert len(result.history["loss"]) == 5
    assert result.n_epochs == 2
    np.testing.assert_array_equal(result.proba[result.held], seen[1])
    # the returned model holds epoch 2's weights: its heads give those scores
    per_head = expit(_per_head_logits(result.model, X))
    for j, (_, held) in enumerate(splits):
        np.testing.assert_allclose(result.proba[held], per_head[held, j], rtol=1e-5)


def test_cross_fit_without_patience_trains_every_epoch():
    """Check that patience=None trains all epochs and scores only the last."""
    X, Y = _data()
    result = cross_fit(
        _build(X, Y),
        X,
        _targets(Y),
        make_splits(2, len(X), seed=0),
        epochs=4,
        patience=None,
        rng=np.random.default_rng(0),
        score=lambda held, proba: 0.3,
        **SETTINGS,
    )
    assert result.n_epochs == 4 and len(result.history["loss"]) == 4
    assert result.history["oof_score"] == [0.3]
    assert result.held.all()


def test_cross_fit_refuses_a_diverging_network():
    """Check that a NaN or infinite loss raises a named error, not silent NaN."""
    X, Y = _data()
    with pytest.raises(FloatingPointError, match="diverged.*learning_rate"):
        cross_fit(
            _build(X, Y),
            X * 1e37,
            _targets(Y),
            make_splits(2, len(X), seed=0),
            epochs=2,
            patience=None,
            rng=np.random.default_rng(0),
            score=_no_score,
            **SETTINGS,
        )


def test_sparse_input_trains_like_dense_whether_densified_or_not(monkeypatch):
    """Check that a network on dense rows (a build function's) gets sparse X
    densified, once or per batch, with the dense result."""
    from sk_imbalance._crossfit import feed as _feed

    X, Y = _data()
    splits = make_splits(2, len(X), seed=0)
    logits = []
    for features, limit in [(X, None), (sp.csr_matrix(X), None), (sp.csr_matrix(X), 0)]:
        if limit is not None:
            monkeypatch.setattr(_feed, "DENSIFY_BYTES", limit)
        result = cross_fit(
            _build(X, Y),
            features,
            _targets(Y),
            splits,
            epochs=2,
            patience=None,
            rng=np.random.default_rng(0),
            score=_no_score,
            **SETTINGS,
        )
        logits.append(_per_head_logits(result.model, X))
    np.testing.assert_allclose(logits[1], logits[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(logits[2], logits[0], rtol=1e-5, atol=1e-6)


def test_out_of_fold_proba_softmax_rows_are_each_heads_distribution():
    """Check the softmax link: each held-out row's probabilities sum to 1 and are
    its head's softmax."""
    X, Y = _data()
    splits = make_splits(3, len(X), seed=0)
    train_model, ensemble_model = fold_mlp(
        X.shape[1],
        3,
        3,
        hidden_layer_sizes=(8,),
        rng=np.random.default_rng(0),
        link="softmax",
    )
    slots = held_out_slots([h for _, h in splits])
    (proba,) = out_of_fold_proba(train_model, X, slots, 3, link="softmax")
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    average = ensemble_model.get_layer("softmax_average")
    heads = keras.Model(ensemble_model.input, average.input)
    logits = keras.ops.convert_to_numpy(heads(X)).astype(np.float64)
    per_head = np.exp(logits - logsumexp(logits, axis=-1, keepdims=True))
    for j, (_, held) in enumerate(splits):
        np.testing.assert_allclose(proba[held], per_head[held, j], rtol=1e-5)


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_sparse_network_trains_as_the_dense_one(optimizer):
    """Check the first layer on the non-zeros trains as the dense layer does.

    A row of the kernel no batch touched gets a zero update from SGD either
    way; LazyAdam leaves it where dense Adam moves it on momentum. Here (a
    third of the values non-zero, 16 rows a batch) a feature is missing from a
    batch with probability (2/3)**16 = 0.15%, so with Adam too the fits agree
    to float32 rounding, which Adam's normalised step amplifies: measured
    2.6e-5 on logits up to 4 (SGD: 1e-6), where a 1% error in LazyAdam's
    first moment moves them by 0.04.
    """
    X, Y = _data(n=80, d=12)
    X[np.abs(X) < 1.0] = 0  # about two thirds zeros
    splits = make_splits(2, len(X), seed=0)
    settings = {**SETTINGS, "optimizer": optimizer, "learning_rate": 0.05}
    results = [
        cross_fit(
            _build(X, Y, sparse=sparse),
            sp.csr_matrix(X) if sparse else X,
            _targets(Y),
            splits,
            epochs=4,
            patience=None,
            rng=np.random.default_rng(0),
            score=_no_score,
            **settings,
        )
        for sparse in (False, True)
    ]
    dense, sparse = (_per_head_logits(r.model, X) for r in results)
    atol = 1e-5 if optimizer == "sgd" else 5e-4
    np.testing.assert_allclose(sparse, dense, rtol=1e-4, atol=atol)
    np.testing.assert_allclose(results[1].proba, results[0].proba, atol=atol)


@pytest.mark.parametrize("sparse", [False, True])
def test_stopped_candidates_leave_the_step_and_the_fit_is_unchanged(
    monkeypatch, sparse
):
    """Check that once a candidate stops, later epochs train only the others
    (a view of them is stepped) and that the fit is the one where every
    candidate trained to the end: same epochs, same scores, same weights."""
    from sk_imbalance._crossfit import trainer_cache as _trainer_cache
    from sk_imbalance._nn.portfolio import build_portfolio, make_candidates

    X, Y = _data(n=150, d=6, m=2, seed=1)
    if sparse:
        X = sp.csr_matrix(X * (X > 0.3))
    candidates = make_candidates(
        [
            {"name": "linear", "hidden_layer_sizes": (), "dropout": 0.0},
            {"name": "small", "hidden_layer_sizes": (8,), "dropout": 0.2},
            {"name": "wide", "hidden_layer_sizes": (32,), "dropout": 0.5},
        ]
    )

    def fit():
        _trainer_cache.clear_trainer_cache()
        rng = np.random.default_rng(0)
        result = cross_fit(
            lambda k: build_portfolio(
                candidates, X.shape[1], 2, k, rng=rng, sparse=sparse
            ),
            X,
            _targets(Y),
            make_splits(3, X.shape[0], 0),
            **SETTINGS,
            epochs=60,
            patience=2,
            rng=np.random.default_rng(1),
            score=lambda held, proba: -np.mean((proba - Y[held]) ** 2),
        )
        weights = [c.model.get_weights() for c in result.candidates]
        return result, weights

    used = []
    view = _trainer_cache._Trainer.view

    def spy(self, active, source):
        made = view(self, active, source)
        used.append((active, made is not None))
        return made

    monkeypatch.setattr(_trainer_cache._Trainer, "view", spy)
    result, weights = fit()
    epochs = [c.n_epochs for c in result.candidates]
    assert used and all(made for _, made in used), used
    assert len(set(epochs)) > 1 and max(epochs) < 60, epochs
    # each candidate is scored up to the epoch it stopped: patience=2 after its best
    curves = [len(c.history["oof_score"]) for c in result.candidates]
    assert curves == [e + 2 for e in epochs], (curves, epochs)
    monkeypatch.setattr(_trainer_cache._Trainer, "view", lambda *a: None)
    reference, reference_weights = fit()
    assert epochs == [c.n_epochs for c in reference.candidates]
    for ours, theirs in zip(result.candidates, reference.candidates, strict=True):
        np.testing.assert_allclose(ours.proba, theirs.proba, rtol=1e-5, equal_nan=True)
        n = len(ours.history["oof_score"])
        np.testing.assert_allclose(
            ours.history["oof_score"], theirs.history["oof_score"][:n], rtol=1e-5
        )
    for ours, theirs in zip(weights, reference_weights, strict=True):
        for a, b in zip(ours, theirs, strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    _trainer_cache.clear_trainer_cache()


@pytest.mark.parametrize(
    "callback",
    [
        keras.callbacks.LearningRateScheduler(
            lambda epoch, lr: 0.0 if epoch >= 4 else lr
        ),
        keras.callbacks.ReduceLROnPlateau(
            monitor="oof_score", mode="max", patience=0, factor=1e-12, min_lr=0.0
        ),
    ],
    ids=["scheduler", "plateau"],
)
def test_callbacks_reach_the_optimizer_that_steps_after_a_candidate_stops(
    callback, monkeypatch
):
    """Check that a learning rate a callback sets on the fused model reaches the
    view that trains the remaining candidate.

    Scripted scores: the first candidate stops after epoch 3 (patience 2), so
    from epoch 4 a view of the second one steps. The scheduler sets the rate to
    0 from epoch 5; the plateau callback cuts it to ~0 after epoch 4, whose
    best score does not improve. Either way, no weight moves after epoch 4.
    """
    from sk_imbalance._crossfit import loop
    from sk_imbalance._crossfit import trainer_cache as _trainer_cache
    from sk_imbalance._nn.portfolio import build_portfolio, make_candidates

    monkeypatch.setattr(loop, "MIN_STEPS", 1)  # the scripted epoch 1 may be kept
    X, Y = _data(n=120, d=6, m=2, seed=2)
    candidates = make_candidates(
        [
            {"name": "linear", "hidden_layer_sizes": (), "dropout": 0.0},
            {"name": "small", "hidden_layer_sizes": (8,), "dropout": 0.0},
        ]
    )
    scripted = iter([1.0, 1.0, 0.0, 2.0, 0.0, 3.0, 3.0, 4.0, 5.0])

    class Snapshots(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.weights = []

        def on_epoch_end(self, epoch, logs=None):
            self.weights.append([w.copy() for w in self.model.get_weights()])

    snapshots = Snapshots()
    _trainer_cache.clear_trainer_cache()
    rng = np.random.default_rng(0)
    result = cross_fit(
        lambda k: build_portfolio(candidates, X.shape[1], 2, k, rng=rng),
        X,
        _targets(Y),
        make_splits(3, X.shape[0], 0),
        **SETTINGS,
        epochs=6,
        patience=2,
        rng=np.random.default_rng(1),
        score=lambda held, proba: next(scripted),
        callbacks=[callback, snapshots],
    )
    _trainer_cache.clear_trainer_cache()
    assert [c.n_epochs for c in result.candidates] == [1, 6]
    assert len(snapshots.weights) == 6
    moved = [
        max(
            np.abs(a - b).max()
            for a, b in zip(snapshots.weights[e], snapshots.weights[e - 1], strict=True)
        )
        for e in range(1, 6)
    ]
    assert moved[2] > 1e-4  # epoch 4: the view trains at the full rate
    assert max(moved[3:]) < 1e-9, moved  # epochs 5 and 6: the callback's rate


def _portfolio_fit(targets, score=None, epochs=3, patience=None, **options):
    """A two-candidate cross-fit (a linear model and a small MLP)."""
    from sk_imbalance._crossfit import trainer_cache as _trainer_cache
    from sk_imbalance._nn.portfolio import build_portfolio, make_candidates

    X, Y = _data(n=90, d=5, m=2, seed=3)
    candidates = make_candidates(
        [
            {"name": "linear", "hidden_layer_sizes": (), "dropout": 0.0},
            {"name": "small", "hidden_layer_sizes": (8,), "dropout": 0.0},
        ]
    )
    _trainer_cache.clear_trainer_cache()
    rng = np.random.default_rng(0)
    result = cross_fit(
        lambda k: build_portfolio(candidates, X.shape[1], 2, k, rng=rng),
        X,
        targets(Y),
        make_splits(3, X.shape[0], 0),
        **SETTINGS,
        epochs=epochs,
        patience=patience,
        rng=np.random.default_rng(1),
        score=score or (lambda held, proba: 0.0),
        **options,
    )
    _trainer_cache.clear_trainer_cache()
    return X, result


def _weighted_targets(Y, w_pos):
    weights = np.tile([[1.0, w_pos]], (Y.shape[1], 1))
    return np.hstack([Y, element_weights(Y, weights)]).astype("float32")


def test_each_candidate_trains_on_its_own_weighting_only():
    """Targets of two weightings: each candidate's heads see their own only.

    The candidates share no weight, so the linear candidate trained on
    weighting A (as the first of two weightings) is the linear candidate of a
    fit where both train on A, to the bit, and the MLP trained on B is not
    the MLP trained on A.
    """
    same = _portfolio_fit(_targets)[1]
    mixed = _portfolio_fit(
        lambda Y: np.stack([_targets(Y), _weighted_targets(Y, 20.0)]),
        target_of=np.array([0, 1]),
    )[1]
    np.testing.assert_array_equal(same.candidates[0].proba, mixed.candidates[0].proba)
    assert (
        np.nanmax(np.abs(same.candidates[1].proba - mixed.candidates[1].proba)) > 1e-3
    )
    # the weighted MLP learnt a higher rate of positives
    assert np.nanmean(mixed.candidates[1].proba) > np.nanmean(same.candidates[1].proba)


def test_targets_of_several_weightings_need_one_index_per_candidate():
    with pytest.raises(ValueError, match="target_of"):
        _portfolio_fit(
            lambda Y: np.stack([_targets(Y), _weighted_targets(Y, 2.0)]),
            target_of=np.array([0]),
        )


def test_offsets_move_scores_and_predictions_onto_one_scale():
    """A candidate's offset is added to its held-out logits and to its model's."""
    from sk_imbalance._crossfit.feed import predict_logits
    from sk_imbalance._nn.layers import LogitShift

    offsets = np.array([[0.0, 0.0], [1.5, -0.5]])
    X, plain = _portfolio_fit(_targets)
    X, moved = _portfolio_fit(_targets, offsets=offsets)
    held = plain.held
    np.testing.assert_array_equal(plain.candidates[0].proba, moved.candidates[0].proba)
    logit = np.log(plain.candidates[1].proba[held]) - np.log1p(
        -plain.candidates[1].proba[held]
    )
    np.testing.assert_allclose(
        moved.candidates[1].proba[held], expit(logit + offsets[1]), rtol=1e-6
    )
    assert moved.candidates[0].model is not None
    assert not any(
        isinstance(layer, LogitShift) for layer in moved.candidates[0].model.layers
    )
    np.testing.assert_allclose(
        predict_logits(moved.candidates[1].model, X),
        predict_logits(plain.candidates[1].model, X) + offsets[1],
        rtol=1e-6,
        atol=1e-6,
    )


def test_an_epoch_before_the_floor_of_steps_is_never_kept():
    """With 5 steps an epoch, the floor is epoch ceil(30 / 5) = 6: a score that
    is best at epoch 1 (an untrained network) cannot be kept, and patience
    counts from the floor."""
    from sk_imbalance._crossfit.loop import MIN_STEPS

    scores = iter([9.0] + [1.0] * 40)
    _, result = _portfolio_fit(
        _targets,
        score=lambda held, proba: next(scores),
        epochs=20,
        patience=2,
    )
    per_epoch = int(np.ceil(60 / SETTINGS["batch_size"]))  # 60 training rows a head
    floor = int(np.ceil(MIN_STEPS / per_epoch))
    assert floor > 1
    assert [c.n_epochs for c in result.candidates] == [floor, floor]
    assert len(result.history["loss"]) == floor + 2
