"""Tests of sk_imbalance._nn.portfolio and of the estimators' candidates."""

import pickle

import keras
import numpy as np
import pytest
from scipy.special import expit, softmax

from sk_imbalance import WeightedMultiClassClassifier, WeightedMultiLabelClassifier
from sk_imbalance._crossfit.feed import predict_logits
from sk_imbalance._estimator.persistence import model_from_state, model_to_state
from sk_imbalance._nn.builders import apply_layers, fold_mlp_layers
from sk_imbalance._nn.layers import FoldDense, LogitAverage
from sk_imbalance._nn.portfolio import (
    DEFAULT_CANDIDATES,
    ONE_MLP,
    SPARSE_STAND_INS,
    Candidate,
    blend_model,
    build_portfolio,
    candidate_view,
    make_candidates,
    sparse_defaults,
)

TWO = [
    {"name": "linear", "hidden_layer_sizes": (), "weight_decay": 1e-3},
    {"name": "small", "hidden_layer_sizes": (8,), "dropout": 0.0},
]
FAST = dict(epochs=4, batch_size=128, learning_rate=0.01, cv=3, random_state=0)


def _logits(model, X):
    return keras.ops.convert_to_numpy(model(X.astype("float32"), training=False))


def test_make_candidates_defaults_and_dicts():
    assert make_candidates(None) == list(DEFAULT_CANDIDATES)
    made = make_candidates(TWO)
    assert [c.name for c in made] == ["linear", "small"]
    assert made[0].hidden_layer_sizes == () and made[0].weight_decay == 1e-3
    assert made[1].dropout == 0.0 and made[1].activation == "relu"


@pytest.mark.parametrize(
    "candidates, match",
    [
        ([], r"candidates=\[\] has no candidate"),
        ("mlp", "must be None .* or a list"),
        ([{"hidden": (8,)}], r"candidates\[0\] has unknown key\(s\) \['hidden'\]"),
        ([{"hidden_layer_sizes": (0,)}], r"candidates\[0\]\['hidden_layer_sizes'\]"),
        ([{"dropout": 1.0}], r"candidates\[0\]\['dropout'\] must be in \[0, 1\)"),
        ([{"weight_decay": -1}], r"candidates\[0\]\['weight_decay'\] must be"),
        ([{"learning_rate_scale": 0}], r"\['learning_rate_scale'\] must be finite"),
        ([{"weight_decay": float("nan")}], r"\['weight_decay'\] must be finite"),
        ([{"model_kwargs": {"a": 1}}], "has model_kwargs but no model"),
        ([3], r"candidates\[0\] must be a dict of MLP settings"),
        ([{"name": "a"}, {"name": "a"}], r"repeated name\(s\) \['a'\]"),
    ],
)
def test_make_candidates_names_the_bad_item(candidates, match):
    with pytest.raises(ValueError, match=match):
        make_candidates(candidates)


def test_one_candidate_is_the_plain_fold_mlp():
    """Check the same initial weights and the same output as the MLP's fold
    layers with their seeds drawn up front from the same generator."""
    X = np.random.default_rng(0).normal(size=(7, 4))
    candidate = Candidate("mlp", hidden_layer_sizes=(8, 6), dropout=0.2)
    built = build_portfolio([candidate], 4, 3, 2, rng=np.random.default_rng(5))
    seeds = np.random.default_rng(5).integers(0, 2**31 - 1, size=5).tolist()
    layers = fold_mlp_layers(
        4, 3, 2, hidden_layer_sizes=(8, 6), activation="relu", dropout=0.2,
        seeds=seeds,
    )  # fmt: skip
    rows = keras.Input(shape=(4,))
    reference = keras.Model(rows, LogitAverage()(apply_layers(layers, rows)))
    assert len(built.ensembles) == 1 and built.train_model.name == "fold_mlp"
    np.testing.assert_allclose(_logits(built.ensembles[0], X), _logits(reference, X))


def test_each_candidates_head_reads_only_its_own_fold_slot():
    """Check that changing the rows in slot j changes heads (i, j) of every
    candidate i and no other head: slot j only ever holds fold j's training
    rows (tests/test_crossfit.py), so no candidate sees a row it holds out."""
    k, rng = 3, np.random.default_rng(0)
    built = build_portfolio(make_candidates(TWO), 4, 2, k, rng=rng)
    rows = rng.normal(size=(5, k, 4)).astype("float32")
    before = _logits(built.train_model, rows)
    assert before.shape == (5, 2 * k, 2)
    for j in range(k):
        changed = rows.copy()
        changed[:, j] += 1.0
        moved = np.abs(_logits(built.train_model, changed) - before).max(axis=(0, 2))
        heads = {i * k + j for i in range(2)}
        assert all((moved[h] > 0) == (h in heads) for h in range(2 * k)), moved


@pytest.mark.parametrize("active", [(1,), (0, 2)])
def test_candidate_view_is_the_active_heads_on_the_same_variables(active):
    """Check that a view's logits are the active candidates' slice of the
    fused model's and that its variables are the fused model's own objects
    (those of the active candidates only)."""
    k, rng = 3, np.random.default_rng(0)
    three = [*TWO, {"name": "other", "hidden_layer_sizes": (4,), "dropout": 0.0}]
    built = build_portfolio(make_candidates(three), 4, 2, k, rng=rng)
    view = candidate_view(built.train_model, active)
    rows = rng.normal(size=(5, k, 4)).astype("float32")
    fused = _logits(built.train_model, rows).reshape(5, 3, k, 2)
    expected = fused[:, list(active)].reshape(5, len(active) * k, 2)
    np.testing.assert_allclose(_logits(view, rows), expected, rtol=1e-6)
    ids = {id(v) for v in view.trainable_variables}
    owned = {
        id(built.train_model.variables[p]) for i in active for p in built.groups[i]
    }
    assert ids and ids <= {id(v) for v in built.train_model.variables}
    assert ids == owned & {id(v) for v in built.train_model.trainable_variables}


def test_variable_groups_partition_the_fused_model():
    built = build_portfolio(make_candidates(TWO), 4, 2, 3, rng=None)
    variables = built.train_model.variables
    for group, prefix in zip(built.groups, ("c0_", "c1_"), strict=True):
        assert all(variables[i].path.startswith(prefix) for i in group)
    assert sorted(sum(built.groups, [])) == list(range(len(variables)))


@pytest.mark.parametrize("link", ["sigmoid", "softmax"])
def test_blend_model_is_the_weighted_mean_probability(link):
    """Check the blend's probabilities, and that it survives our persistence."""
    X = np.random.default_rng(1).normal(size=(6, 4))
    built = build_portfolio(
        make_candidates(TWO), 4, 3, 2, rng=np.random.default_rng(0), link=link
    )
    model = blend_model(built.ensembles, [0.25, 0.75], link)
    to_proba = expit if link == "sigmoid" else lambda z: softmax(z, axis=1)
    expected = sum(
        w * to_proba(_logits(m, X).astype(np.float64))
        for w, m in zip((0.25, 0.75), built.ensembles, strict=True)
    )
    np.testing.assert_allclose(to_proba(predict_logits(model, X)), expected, atol=1e-6)
    restored = model_from_state(model_to_state(model))
    np.testing.assert_allclose(predict_logits(restored, X), predict_logits(model, X))
    assert blend_model(built.ensembles, [0, 1], link) is built.ensembles[1]


def test_fold_dense_weight_decay_and_scale():
    """Check the L2 penalty's value in training and the scale's reparametrisation."""
    layer = FoldDense(2, 3, weight_decay=0.5, scale=10.0, seed=0)
    x = np.ones((4, 2, 5), "float32")
    out = layer(x, training=True)
    kernel = layer.kernel.numpy() * 10.0
    np.testing.assert_allclose(float(sum(layer.losses)), 0.5 * np.sum(kernel**2), 1e-5)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(out), np.einsum("bkd,kdu->bku", x, kernel), 1e-5
    )
    unscaled = FoldDense(2, 3, seed=0)
    unscaled(x)
    np.testing.assert_allclose(kernel, unscaled.kernel.numpy(), rtol=1e-5)


def test_default_fit_blends_the_default_candidates(multilabel_data):
    """Check the default fit trains every default candidate and chooses by
    greedy selection: a blend of several (the single best rule keeps one),
    each weighted by how often it was added, a count over the rounds."""
    X, Y = multilabel_data
    clf = WeightedMultiLabelClassifier(**{**FAST, "epochs": 12, "batch_size": 32})
    clf.fit(X, Y)
    assert clf.candidates_["name"] == [c.name for c in DEFAULT_CANDIDATES]
    weights = np.array(clf.candidates_["weight"])
    assert np.count_nonzero(weights) > 1 and weights.sum() == pytest.approx(1.0)
    counts = [weights * rounds for rounds in range(1, 12)]  # at most 1 + 10 rounds
    assert any(np.allclose(c, np.round(c), atol=1e-9) for c in counts)


def test_multiclass_default_is_the_one_mlp():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 4))
    y = np.argmax(X[:, :3], axis=1)
    clf = WeightedMultiClassClassifier(**FAST).fit(X, y)
    assert clf.candidates_["name"] == [c.name for c in ONE_MLP] == ["mlp"]


def test_a_portfolio_fit_reports_every_candidate(multilabel_data):
    X, Y = multilabel_data
    clf = WeightedMultiLabelClassifier(**FAST, candidates=[*TWO, {}]).fit(X, Y)
    report = clf.candidates_
    assert report["name"] == ["linear", "small", "candidate_2"]
    assert sorted(report) == [
        "class_weight",
        "n_epochs",
        "name",
        "oof_score",
        "params",
        "weight",
    ]
    assert report["class_weight"] == ["'balanced'"] * 3
    assert sum(report["weight"]) == pytest.approx(1.0)
    best = int(np.argmax(report["oof_score"]))
    assert report["weight"][best] > 0  # greedy selection starts from the single best
    heaviest = int(np.argmax(report["weight"]))
    assert clf.n_epochs_ == report["n_epochs"][heaviest]
    # the chosen candidate's curve ends where it stopped; the loss, the fit's
    assert clf.n_epochs_ <= len(clf.history_["oof_score"]) <= len(clf.history_["loss"])


@pytest.mark.parametrize(
    "named", [{"hidden_layer_sizes": (8,)}, {"dropout": 0.0}, {"activation": "tanh"}]
)
def test_a_named_architecture_is_trained_alone(multilabel_data, named):
    X, Y = multilabel_data
    clf = WeightedMultiLabelClassifier(**FAST, **named).fit(X, Y)
    assert clf.candidates_["name"] == ["mlp"] and clf.candidates_["weight"] == [1.0]
    dense = [layer for layer in clf.model_.layers if isinstance(layer, FoldDense)]
    assert len(dense) == len(named.get("hidden_layer_sizes", (128,))) + 1


def test_a_build_function_is_trained_alone(multilabel_data):
    X, Y = multilabel_data

    def network(meta):
        return keras.Sequential(
            [keras.Input((meta["n_features_in_"],)), keras.layers.Dense(5)]
        )

    clf = WeightedMultiLabelClassifier(network, **FAST).fit(X, Y)
    assert clf.candidates_["name"] == ["model"]


def test_candidates_and_a_named_network_conflict(multilabel_data):
    X, Y = multilabel_data
    clf = WeightedMultiLabelClassifier(hidden_layer_sizes=(8,), candidates=TWO)
    with pytest.raises(ValueError, match="candidates= and hidden_layer_sizes="):
        clf.fit(X, Y)


def _swap(Y, a, b):
    Y = Y.copy()
    Y[[a, b]] = Y[[b, a]]
    return Y


def test_the_choice_uses_out_of_fold_rows_only(multilabel_data):
    """Check that swapping the labels of two rows no split trains on or holds
    out (the class counts, hence the weights, unchanged) changes nothing,
    while the same swap between two held-out rows changes the scores."""
    X, Y = multilabel_data
    rows = np.arange(len(X))
    unused = rows[-20:]
    a, b = next(
        (i, j) for i in unused for j in unused if (Y[i] != Y[j]).any() and i < j
    )
    folds = np.arange(len(X) - 20) % 3
    cv = [(rows[:-20][folds != f], rows[:-20][folds == f]) for f in range(3)]
    params = dict(FAST, cv=cv, candidates=TWO)
    base = WeightedMultiLabelClassifier(**params).fit(X, Y)
    same = WeightedMultiLabelClassifier(**params).fit(X, _swap(Y, a, b))
    # two fits: the same to float32 rounding (bit-equal on one CPU thread count)
    tolerance = dict(rtol=1e-5, atol=1e-6)
    assert same.candidates_["weight"] == base.candidates_["weight"]
    assert same.candidates_["n_epochs"] == base.candidates_["n_epochs"]
    scores = base.candidates_["oof_score"]
    np.testing.assert_allclose(same.candidates_["oof_score"], scores, **tolerance)
    np.testing.assert_allclose(
        same.predict_proba(X), base.predict_proba(X), **tolerance
    )
    held = cv[0][1]
    c, d = next((i, j) for i in held for j in held if (Y[i] != Y[j]).any() and i < j)
    moved = WeightedMultiLabelClassifier(**params).fit(X, _swap(Y, c, d))
    assert not np.allclose(moved.candidates_["oof_score"], scores, **tolerance)


@pytest.mark.parametrize("ensemble", [True, False])
def test_a_blend_survives_pickle_and_skops(multilabel_data, ensemble):
    sio = pytest.importorskip("skops.io")
    X, Y = multilabel_data
    candidates = [*TWO, {"name": "wide", "hidden_layer_sizes": (32,)}]
    clf = WeightedMultiLabelClassifier(
        **FAST, candidates=candidates, ensemble=ensemble
    ).fit(X, Y)
    assert sum(clf.candidates_["weight"]) == pytest.approx(1.0)
    assert sum(w > 0 for w in clf.candidates_["weight"]) > 1  # a blend
    for loaded in (
        pickle.loads(pickle.dumps(clf)),
        sio.loads(sio.dumps(clf), trusted=sio.get_untrusted_types(data=sio.dumps(clf))),
    ):
        assert loaded.candidates_ == clf.candidates_
        np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


def test_multiclass_trains_the_portfolio():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(240, 6))
    y = np.argmax(X[:, :3] + 0.5 * rng.normal(size=(240, 3)), axis=1)
    clf = WeightedMultiClassClassifier(**FAST, candidates=TWO).fit(X, y)
    assert clf.candidates_["name"] == ["linear", "small"]
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    assert (clf.predict(X) == y).mean() > 0.5


def test_sparse_fold_dense_decays_the_rows_the_batch_touches():
    """Check the sparse layer's penalty: lambda / n times the squared norms of
    the kernel rows of the batch's entries (a row counted once per entry),
    on the scaled kernel; and the same output as the dense layer."""
    import scipy.sparse as sp

    from sk_imbalance._crossfit.encoding import encode_rows
    from sk_imbalance._nn.sparse_layer import SparseFoldDense

    X = sp.csr_matrix(np.array([[1.0, 0, 2.0, 0], [0, 3.0, 0, 0], [1.0, 1.0, 0, 0]]))
    index = np.array([[0, 1], [2, 0]])  # two rows for each of two heads
    inputs = encode_rows(X, index, 2)
    layer = SparseFoldDense(2, 4, 3, weight_decay=0.5, scale=4.0, seed=0)
    out = keras.ops.convert_to_numpy(layer(inputs, training=True))
    kernel = layer.kernel.numpy() * 4.0
    ids = inputs[0][inputs[1] != 0]
    expected = 0.5 * np.sum(kernel[ids] ** 2) / 2  # n = 2 rows per head
    np.testing.assert_allclose(float(sum(layer.losses)), expected, rtol=1e-5)
    dense = X.toarray()[index]  # (2, 2, 4)
    heads = kernel[:-1].reshape(2, 4, 3)
    np.testing.assert_allclose(out, np.einsum("bkd,kdu->bku", dense, heads), 1e-5)


def test_candidates_on_sparse_rows(multilabel_data):
    """Check a portfolio on the sparse layer: every candidate on the entries,
    the chosen one predicting after a pickle round trip."""
    import scipy.sparse as sp

    X, Y = multilabel_data
    X = sp.csr_matrix(X * (np.random.default_rng(0).random(X.shape) < 0.1))
    clf = WeightedMultiLabelClassifier(**FAST, candidates=TWO, sparse_layer=True).fit(
        X, Y
    )
    assert clf.sparse_layer_ and len(clf.candidates_["name"]) == 2
    loaded = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


def test_sparse_layer_swaps_the_256_unit_default_candidate(multilabel_data):
    """Check that on the sparse layer the 128-unit MLP stands in for the
    default 256-unit one (its first layer is 256 units by the vocabulary per
    head) and the unweighted MLP is left out, that the dense layer keeps
    them, and that candidates a user names are kept as given."""
    import scipy.sparse as sp

    X, Y = multilabel_data
    X = sp.csr_matrix(X * (np.random.default_rng(0).random(X.shape) < 0.1))
    sparse = WeightedMultiLabelClassifier(**FAST, sparse_layer=True).fit(X, Y)
    assert sparse.sparse_layer_
    assert sparse.candidates_["name"] == ["linear-wd1e-3", "mlp"]
    assert sparse.candidates_["class_weight"] == ["'balanced'", "'balanced'"]
    dense = WeightedMultiLabelClassifier(**FAST, sparse_layer=False).fit(X, Y)
    assert dense.candidates_["name"] == [c.name for c in DEFAULT_CANDIDATES]
    assert "mlp256" in dense.candidates_["name"]
    named = [{**TWO[0], "name": "mlp256"}, {**TWO[1], "name": "mlp-unweighted"}]
    mine = WeightedMultiLabelClassifier(
        **FAST, candidates=named, sparse_layer=True
    ).fit(X, Y)
    assert mine.candidates_["name"] == ["mlp256", "mlp-unweighted"]


def test_sparse_defaults_put_the_stand_ins_in_place_once():
    assert [c.name for c in sparse_defaults(DEFAULT_CANDIDATES)] == [
        "linear-wd1e-3",
        "mlp",
    ]
    assert SPARSE_STAND_INS["mlp256"] == ONE_MLP[0]
    assert SPARSE_STAND_INS["mlp-unweighted"] is None
    unweighted = [Candidate("mlp-unweighted", hidden_layer_sizes=(4,))]
    assert sparse_defaults(unweighted) == unweighted  # never no candidate
    both = [Candidate("mlp256", hidden_layer_sizes=(4,)), ONE_MLP[0]]
    assert sparse_defaults(both) == [ONE_MLP[0]]
    other = [Candidate("mine", hidden_layer_sizes=(4,))]
    assert sparse_defaults(other) == other


@pytest.mark.parametrize("scale", [1e-40, 1e-4, 2e3, 1e40])
@pytest.mark.parametrize("as_object", [False, True])
def test_learning_rate_scale_outside_its_bounds_is_named(scale, as_object):
    """Check that a scale outside LEARNING_RATE_SCALE_BOUNDS, given as a dict or a
    Candidate, is refused by name instead of failing in FoldDense.build."""
    from sk_imbalance._nn.portfolio import LEARNING_RATE_SCALE_BOUNDS

    assert LEARNING_RATE_SCALE_BOUNDS == (1e-3, 1e3)
    item = {"learning_rate_scale": scale}
    item = Candidate("mlp", **item) if as_object else item
    match = r"candidates\[0\]\['learning_rate_scale'\] must be in \[0.001, 1000\]"
    with pytest.raises(ValueError, match=match) as excinfo:
        make_candidates([item])
    assert f"; got {scale!r}." in str(excinfo.value)


def test_learning_rate_scale_bounds_build_finite_networks():
    """Check that both bounds build and run in float32."""
    made = make_candidates(
        [
            {"name": "slow", "hidden_layer_sizes": (4,), "learning_rate_scale": 1e-3},
            {"name": "fast", "hidden_layer_sizes": (4,), "learning_rate_scale": 1e3},
        ]
    )
    built = build_portfolio(made, 5, 2, 2, rng=np.random.default_rng(0))
    X = np.random.default_rng(0).normal(size=(6, 5))
    for ensemble in built.ensembles:
        assert np.all(np.isfinite(_logits(ensemble, X)))
    assert all(np.all(np.isfinite(w)) for w in built.train_model.get_weights())


def _five_inputs(meta):
    return keras.Sequential(
        [keras.Input((5,)), keras.layers.Dense(meta["n_outputs_"])], name="five"
    )


def test_a_user_candidate_whose_input_does_not_match_x_is_named(multilabel_data):
    """Check that a keras.Model candidate, or a build function passed as model=,
    built for 5 features on an X of 20 gets an error naming it and both shapes."""
    X, Y = multilabel_data
    five = _five_inputs({"n_outputs_": Y.shape[1]})
    candidates = [{"name": "small", "hidden_layer_sizes": (4,)}, five]
    clf = WeightedMultiLabelClassifier(candidates=candidates, **FAST)
    match = (
        r"candidates\[1\] \('five'\) expects input of shape \(None, 5\), but X "
        r"has 20 features"
    )
    with pytest.raises(ValueError, match=match):
        clf.fit(X, Y)
    clf = WeightedMultiLabelClassifier(model=_five_inputs, **FAST)
    with pytest.raises(ValueError, match=r"model= expects input of shape \(None, 5\)"):
        clf.fit(X, Y)


# --- candidates of several weightings (issue 27) ---

ONE_NET = {"name": "small", "hidden_layer_sizes": (8,), "dropout": 0.0}


def test_a_candidates_own_weighting_is_moved_onto_the_reference_scale(
    multilabel_data,
):
    """Under class_weight="auto", a candidate that names None trains unweighted
    and predicts on the balanced scale: its logits are the unweighted fit's
    plus ln(w_pos / w_neg) of the balanced weights, exactly (same seed, same
    targets, same network)."""
    X, Y = multilabel_data
    unweighted = {**ONE_NET, "class_weight": None}
    auto = WeightedMultiLabelClassifier(**FAST, candidates=[unweighted]).fit(X, Y)
    named = WeightedMultiLabelClassifier(
        **FAST, candidates=[ONE_NET], class_weight=None
    ).fit(X, Y)
    balanced = WeightedMultiLabelClassifier(**FAST, candidates=[ONE_NET]).fit(X, Y)
    np.testing.assert_allclose(auto.label_weights_, balanced.label_weights_)
    assert auto.candidates_["class_weight"] == ["None"]
    assert named.candidates_["class_weight"] == ["None"]
    assert balanced.candidates_["class_weight"] == ["'balanced'"]
    w = auto.label_weights_
    np.testing.assert_allclose(
        predict_logits(auto.model_, X),
        predict_logits(named.model_, X) + np.log(w[:, 1] / w[:, 0]),
        rtol=1e-5,
        atol=1e-5,
    )
    assert not np.allclose(
        predict_logits(balanced.model_, X), predict_logits(auto.model_, X), atol=1e-3
    )
    restored = pickle.loads(pickle.dumps(auto))
    np.testing.assert_array_equal(restored.predict_proba(X), auto.predict_proba(X))


def test_candidates_of_two_weightings_are_blended_on_one_scale(multilabel_data):
    X, Y = multilabel_data
    clf = WeightedMultiLabelClassifier(
        **FAST, candidates=[ONE_NET, {**ONE_NET, "name": "plain", "class_weight": None}]
    ).fit(X, Y)
    assert clf.candidates_["class_weight"] == ["'balanced'", "None"]
    assert clf.predict_proba(X).shape == Y.shape
    assert np.isfinite(clf.candidates_["oof_score"]).all()


def test_a_named_class_weight_and_a_candidates_own_are_refused(multilabel_data):
    X, Y = multilabel_data
    clf = WeightedMultiLabelClassifier(
        **FAST,
        class_weight="balanced_sqrt",
        candidates=[{**ONE_NET, "class_weight": None}],
    )
    with pytest.raises(ValueError, match=r"class_weight='balanced_sqrt' and cand"):
        clf.fit(X, Y)


def test_a_candidates_unknown_weighting_is_named(multilabel_data):
    X, Y = multilabel_data
    clf = WeightedMultiLabelClassifier(
        **FAST,
        candidates=[ONE_NET, {**ONE_NET, "name": "b", "class_weight": "balancd"}],
    )
    with pytest.raises(ValueError, match=r"candidates\[1\]\['class_weight'\].*balancd"):
        clf.fit(X, Y)


def test_multiclass_candidates_of_another_weighting_move_by_log_class_weight():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(240, 6))
    y = np.where(X[:, 0] > 0.8, 2, np.where(X[:, 1] > 0.5, 1, 0))
    unweighted = {**ONE_NET, "class_weight": None}
    auto = WeightedMultiClassClassifier(**FAST, candidates=[unweighted]).fit(X, y)
    named = WeightedMultiClassClassifier(
        **FAST, candidates=[ONE_NET], class_weight=None
    ).fit(X, y)
    assert auto.candidates_["class_weight"] == ["None"]
    gap = predict_logits(auto.model_, X) - predict_logits(named.model_, X)
    expected = np.log(auto.class_weights_)
    np.testing.assert_allclose(
        gap - gap[:, :1], np.broadcast_to(expected - expected[0], gap.shape), atol=1e-4
    )


def test_other_weightings_join_the_blend_only_past_the_margin(
    multilabel_data, monkeypatch
):
    """A blend with an unweighted candidate is kept only if it beats the
    balanced candidates' own blend by WEIGHTING_Z standard errors out of fold."""
    from sk_imbalance._estimator import choice

    X, Y = multilabel_data
    candidates = [
        ONE_NET,
        {**ONE_NET, "name": "linear", "hidden_layer_sizes": ()},
        {**ONE_NET, "name": "plain", "class_weight": None},
    ]
    monkeypatch.setattr(choice, "WEIGHTING_Z", np.inf)
    clf = WeightedMultiLabelClassifier(**FAST, candidates=candidates).fit(X, Y)
    assert clf.candidates_["weight"][2] == 0.0
    assert sum(clf.candidates_["weight"][:2]) == pytest.approx(1.0)
    monkeypatch.setattr(choice, "WEIGHTING_Z", -np.inf)
    loose = WeightedMultiLabelClassifier(**FAST, candidates=candidates).fit(X, Y)
    # the same training: the margin changes the choice only
    assert loose.candidates_["oof_score"] == pytest.approx(clf.candidates_["oof_score"])


class _MeanObjective:
    """A stand-in objective: the (row-weighted) mean of a blend's first column."""

    def resampled(self, held, proba):
        return lambda weight=None: float(np.average(proba[:, 0], weights=weight))


def test_the_weighting_bar_scales_with_the_noise_of_the_held_out_rows():
    """Check choice._clears_noise: the same gain clears the bar on many rows
    and not on few, where its bootstrap error is larger; no gain never does."""
    from sk_imbalance._estimator.choice import _clears_noise

    def case(n, gain, seed=0):
        rng = np.random.default_rng(seed)
        own = rng.uniform(0.2, 0.8, size=(n, 1))
        other = own + gain + rng.normal(scale=0.2, size=(n, 1))
        held = np.ones(n, dtype=bool)
        blend_gain = float(np.mean(other) - np.mean(own))  # the all-other blend
        return _clears_noise(
            blend_gain, _MeanObjective(), held, [own, other], np.array([0.0, 1.0]),
            np.array([0]), np.array([1.0]), np.random.default_rng(seed + 1),
        )  # fmt: skip

    # the error of the difference is about 0.2 / sqrt(n)
    assert case(20_000, 0.01)  # 0.0014: 7 errors
    assert not case(100, 0.01)  # 0.02: half an error
    assert not case(20_000, -0.01)
    with pytest.raises(ValueError, match="rng"):
        _clears_noise(
            0.1, _MeanObjective(), np.ones(3, bool), [np.ones((3, 1))] * 2,
            np.array([0.0, 1.0]), np.array([0]), np.array([1.0]), None,
        )  # fmt: skip
