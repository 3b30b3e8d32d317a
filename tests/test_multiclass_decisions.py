"""Tests of the multiclass calibration and decisions (_decisions.multiclass)."""

import numpy as np
import pytest
from scipy.special import log_softmax
from sklearn.metrics import accuracy_score, balanced_accuracy_score, f1_score

from sk_imbalance._decisions.multiclass import (
    _sweep,
    decide_multiclass,
    fit_bcts,
    fit_multiclass_decisions,
    multiclass_score,
    tune_offsets,
)


@pytest.mark.parametrize("scoring", ["f1_macro", "balanced_accuracy", "accuracy"])
def test_multiclass_score_matches_scikit_learn(scoring):
    """Check the objective from confusion counts against scikit-learn's metrics."""
    rng = np.random.default_rng(1)
    y, pred = rng.integers(0, 4, 50), rng.integers(0, 4, 50)
    weight = rng.random(50)
    expected = {
        "f1_macro": lambda **k: f1_score(y, pred, average="macro", **k),
        "balanced_accuracy": lambda **k: balanced_accuracy_score(y, pred, **k),
        "accuracy": lambda **k: accuracy_score(y, pred, **k),
    }[scoring]
    assert multiclass_score(y, pred, 4, scoring) == pytest.approx(expected())
    assert multiclass_score(y, pred, 4, scoring, weight) == pytest.approx(
        expected(sample_weight=weight)
    )


def test_binary_f1_is_the_positive_class_f1():
    """Check scoring="f1" against f1_score with pos_label=1."""
    rng = np.random.default_rng(2)
    y, pred = rng.integers(0, 2, 40), rng.integers(0, 2, 40)
    assert multiclass_score(y, pred, 2, "f1") == pytest.approx(f1_score(y, pred))


@pytest.mark.parametrize("scoring", ["f1_macro", "balanced_accuracy", "accuracy"])
@pytest.mark.parametrize("weighted", [False, True])
def test_sweep_finds_the_exact_best_offset_of_one_class(scoring, weighted):
    """Check one class's sweep against a brute force over every decision it can make."""
    rng = np.random.default_rng(3)
    L = np.round(rng.normal(size=(60, 3)), 1)  # ties on purpose
    y = rng.integers(0, 3, 60)
    weight = rng.random(60) if weighted else np.ones(60)
    offsets = np.array([0.0, 0.3, -0.2])
    true = np.bincount(y, weight, minlength=3)
    for c in range(3):
        value, _ = _sweep(L, offsets.copy(), c, y, weight, true, scoring)
        others = np.delete(L + offsets, c, axis=1).max(axis=1) - L[:, c]
        cuts = np.unique(others)  # every decision lies between two margins
        candidates = np.concatenate(
            [[cuts[0] - 1, cuts[-1] + 1, offsets[c]], (cuts[1:] + cuts[:-1]) / 2]
        )
        best = -np.inf
        for candidate in candidates:
            trial = offsets.copy()
            trial[c] = candidate
            pred = np.argmax(L + trial, axis=1)
            best = max(best, multiclass_score(y, pred, 3, scoring, weight))
        trial = offsets.copy()
        trial[c] = value
        got = multiclass_score(y, np.argmax(L + trial, axis=1), 3, scoring, weight)
        assert got == pytest.approx(best)


def test_tune_offsets_raises_the_objective_on_a_skewed_problem():
    """Check the ascent beats or equals no offsets, on a skewed problem."""
    rng = np.random.default_rng(4)
    y = rng.choice(4, size=400, p=[0.7, 0.2, 0.07, 0.03])
    L = rng.normal(size=(400, 4)) + 1.0 * np.eye(4)[y] + np.log([0.7, 0.2, 0.07, 0.03])
    for scoring in ("f1_macro", "balanced_accuracy"):
        offsets = tune_offsets(L, y, scoring)
        before = multiclass_score(y, L.argmax(axis=1), 4, scoring)
        after = multiclass_score(y, np.argmax(L + offsets, axis=1), 4, scoring)
        assert after > before + 0.02  # the prior in L hides the rare classes


def test_bcts_recovers_a_temperature_and_a_prior_shift():
    """Check BCTS on logits generated as z = (log p - b) / a."""
    rng = np.random.default_rng(5)
    n, K = 20000, 3
    true_logits = rng.normal(size=(n, K)) * 2
    P = np.exp(log_softmax(true_logits, axis=1))
    y = np.array([rng.choice(K, p=p) for p in P])
    a, b = 0.5, np.array([0.0, 1.0, -1.0])
    Z = (true_logits - b) / a
    scale, bias = fit_bcts(Z, y, np.zeros(K), strength=1.0)
    assert scale == pytest.approx(a, rel=0.05)
    np.testing.assert_allclose(bias - bias.mean(), b - b.mean(), atol=0.08)
    # infinitely strong prior: the analytic shift itself
    scale, bias = fit_bcts(Z, y, np.array([1.0, 2.0, 3.0]), strength=np.inf)
    assert scale == 1.0
    np.testing.assert_allclose(bias, [1.0, 2.0, 3.0])


@pytest.mark.parametrize("calibration", ["bcts", "shift", None])
def test_tuned_decisions_do_not_depend_on_the_calibration(calibration):
    """Check that offsets are carried through the map: same predictions."""
    rng = np.random.default_rng(6)
    y = rng.choice(3, size=300, p=[0.7, 0.2, 0.1])
    Z = rng.normal(size=(300, 3)) + np.eye(3)[y]
    common = dict(
        class_weights=np.array([0.5, 1.7, 3.3]), priors=np.array([0.7, 0.2, 0.1])
    )
    reference = fit_multiclass_decisions(y, Z, calibration=None, **common)
    decisions = fit_multiclass_decisions(y, Z, calibration=calibration, **common)
    np.testing.assert_array_equal(
        decide_multiclass(Z, decisions)[1], decide_multiclass(Z, reference)[1]
    )


def test_balanced_and_argmax_rules():
    """Check argmax(log p) and argmax(log p - log prior) with the shift map."""
    rng = np.random.default_rng(7)
    Z = rng.normal(size=(50, 3))
    y = rng.integers(0, 3, 50)
    weights, priors = np.array([1.0, 2.0, 4.0]), np.array([0.5, 0.3, 0.2])
    common = dict(class_weights=weights, priors=priors, calibration="shift")
    log_p = log_softmax(Z - np.log(weights), axis=1)
    argmax = fit_multiclass_decisions(y, Z, decision="argmax", **common)
    np.testing.assert_array_equal(decide_multiclass(Z, argmax)[1], log_p.argmax(1))
    np.testing.assert_allclose(decide_multiclass(Z, argmax)[0], log_p)
    balanced = fit_multiclass_decisions(y, Z, decision="balanced", **common)
    np.testing.assert_array_equal(
        decide_multiclass(Z, balanced)[1], np.argmax(log_p - np.log(priors), axis=1)
    )


def test_tune_offsets_starts_at_the_anchor_and_shrinks_toward_it():
    """Check the start and the pseudo-count: huge k keeps the anchor; a class
    with many rows moves a larger share of the way than one with few."""
    rng = np.random.default_rng(8)
    y = rng.choice(3, size=600, p=[0.8, 0.15, 0.05])
    L = rng.normal(size=(600, 3)) + np.eye(3)[y] + np.log([0.8, 0.15, 0.05])
    anchor = -np.log([0.8, 0.15, 0.05])
    free = tune_offsets(L, y, "f1_macro", start=anchor)
    kept = tune_offsets(L, y, "f1_macro", start=anchor, shrinkage=1e12)
    np.testing.assert_allclose(kept, anchor, atol=1e-6)
    shrunk = tune_offsets(L, y, "f1_macro", start=anchor, shrinkage=100.0)
    rows = np.bincount(y)
    expected = anchor + rows / (rows + 100.0) * (free - anchor)
    before = multiclass_score(y, np.argmax(L + anchor, 1), 3, "f1_macro")
    after = multiclass_score(y, np.argmax(L + expected, 1), 3, "f1_macro")
    # kept only when it scores at least the anchor on these rows
    np.testing.assert_allclose(shrunk, expected if after >= before else anchor)
    assert not np.allclose(free, anchor)
