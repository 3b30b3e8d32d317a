"""Tests of what the two estimators share (sk_imbalance._estimator.base)."""

from functools import partial

import numpy as np
import pytest
import scipy.sparse as sp

from sk_imbalance import (
    WeightedMultiClassClassifier,
    WeightedMultiLabelClassifier,
)
from sk_imbalance._crossfit import feed as _feed
from sk_imbalance._crossfit.encoding import entry_chunks
from sk_imbalance._estimator.base import (
    COMMON_CONSTRAINTS,
    CrossFitClassifier,
    take_rows,
)


@pytest.mark.parametrize(
    "estimator", [WeightedMultiLabelClassifier, WeightedMultiClassClassifier]
)
def test_each_estimator_declares_every_parameter_once(estimator):
    """Check constraints == get_params, the shared ones included, on the base."""
    declared = set(estimator._parameter_constraints)
    assert declared == set(estimator().get_params())
    assert set(COMMON_CONSTRAINTS) <= declared
    assert issubclass(estimator, CrossFitClassifier)


@pytest.mark.parametrize(
    "estimator", [WeightedMultiLabelClassifier, WeightedMultiClassClassifier]
)
def test_shared_constraints_give_the_same_error_in_both(estimator):
    """Check a shared parameter's error is the same text in both estimators."""
    X, y = np.zeros((6, 2)), np.array([0, 1, 0, 1, 0, 1])
    with pytest.raises(TypeError, match="epochs"):
        estimator(epochs="10").fit(X, y)
    with pytest.raises(ValueError, match="model_kwargs"):
        estimator(model_kwargs={"units": 2}).fit(X, y)


def test_take_rows_passes_none_through():
    """Check take_rows on an array and on None (no sample_weight)."""
    np.testing.assert_array_equal(take_rows(np.arange(5), [1, 3]), [1, 3])
    assert take_rows(None, [1, 3]) is None


def _order_data(estimator, sparse):
    """60 rows of 30 features (CSR at 10% density if ``sparse``) and a target."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 30)) * (rng.random((60, 30)) < (0.1 if sparse else 1))
    if estimator is WeightedMultiClassClassifier:
        y = np.argmax(X[:, :3], axis=1)
    else:
        y = (X[:, :3] > 0).astype(int)
    return (sp.csr_matrix(X) if sparse else X), y


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse_layer"])
@pytest.mark.parametrize(
    "estimator", [WeightedMultiLabelClassifier, WeightedMultiClassClassifier]
)
def test_predictions_do_not_depend_on_the_order_of_rows(estimator, sparse, monkeypatch):
    """Check predict and predict_proba of permuted rows, over several chunks.

    The seeded, float32-tolerance form of scikit-learn's
    check_methods_sample_order_invariance (marked xfail in test_common.py).
    """
    X, y = _order_data(estimator, sparse)
    clf = estimator(
        hidden_layer_sizes=(8,),
        epochs=3,
        batch_size=256,
        cv=2,
        random_state=0,
        sparse_layer=sparse,
    ).fit(X, y)
    # a few rows per forward call: 7 dense rows, or 40 entries of the heads
    monkeypatch.setattr(_feed, "CHUNK_BYTES", 7 * 30 * 8)
    monkeypatch.setattr(_feed, "entry_chunks", partial(entry_chunks, budget=40))
    calls = []
    inputs = _feed.RowFeed.inputs
    monkeypatch.setattr(
        _feed.RowFeed,
        "inputs",
        lambda feed, index: calls.append(1) or inputs(feed, index),
    )
    proba, predicted = clf.predict_proba(X), clf.predict(X)
    assert len(calls) >= 4
    order = np.random.default_rng(1).permutation(X.shape[0])
    np.testing.assert_allclose(
        clf.predict_proba(X[order]), proba[order], rtol=1e-5, atol=1e-6
    )
    np.testing.assert_array_equal(clf.predict(X[order]), predicted[order])


@pytest.mark.parametrize("candidates", [None, "two"], ids=["one", "two"])
def test_candidates_oof_score_is_on_the_matched_scale(candidates):
    """``candidates_["oof_score"]`` is each candidate's objective on its
    matched held-out scores (those the choice and the decisions see), with
    one candidate as with several, not the raw epoch curve's best."""
    from scipy.special import logit

    from sk_imbalance._decisions.spread import match_spread

    class Recorder(WeightedMultiLabelClassifier):
        def _choose_candidates(self, candidates, crossfit, score, rng):
            self.crossfit_, self.score_ = crossfit, score
            return super()._choose_candidates(candidates, crossfit, score, rng)

    rng = np.random.default_rng(0)
    X = rng.normal(size=(240, 6))
    Y = (X[:, :3] + rng.normal(scale=2.0, size=(240, 3)) > 1.2).astype(int)
    options = {"epochs": 4, "batch_size": 64, "cv": 3, "random_state": 0}
    if candidates is None:
        options["hidden_layer_sizes"] = (8,)
    else:
        options["candidates"] = [
            {"name": "linear", "hidden_layer_sizes": ()},
            {"name": "mlp", "hidden_layer_sizes": (8,)},
        ]
    est = Recorder(**options).fit(X, Y)
    crossfit = est.crossfit_
    held = crossfit.held
    for got, result in zip(
        est.candidates_["oof_score"], crossfit.candidates, strict=True
    ):
        matched = match_spread(
            result.proba,
            crossfit.held_sets,
            result.between,
            train_sets=crossfit.train_sets,
        )[0]
        assert not np.allclose(logit(matched[held]), logit(result.proba[held]))
        assert got == pytest.approx(est.score_(held, matched[held]), abs=1e-12)


@pytest.mark.parametrize(
    "estimator", [WeightedMultiLabelClassifier, WeightedMultiClassClassifier]
)
def test_set_params_refuses_a_nested_key_into_a_plain_value(estimator):
    """Check that candidates__0__dropout points to set_params(candidates=[...])
    instead of an AttributeError, and that plain keys still work."""
    clf = estimator(candidates=[{"hidden_layer_sizes": (4,), "dropout": 0.2}])
    with pytest.raises(ValueError, match=r"set_params\(candidates=\[\.\.\.\]\)"):
        clf.set_params(candidates__0__dropout=0.1)
    with pytest.raises(ValueError, match=r"optimizer is a str.*set_params\(optimizer="):
        clf.set_params(optimizer__learning_rate=0.1)
    assert clf.candidates[0]["dropout"] == 0.2  # nothing was set
    clf.set_params(candidates=[{"hidden_layer_sizes": (4,), "dropout": 0.1}])
    assert clf.get_params()["candidates"][0]["dropout"] == 0.1
