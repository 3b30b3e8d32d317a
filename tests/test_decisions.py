"""Tests of sk_imbalance._decisions.multilabel."""

import numpy as np
import pytest
from scipy.special import expit, logit

from sk_imbalance._decisions.multilabel import (
    decide,
    decision_score,
    decision_scorer,
    fit_decisions,
    parse_scoring,
)
from sk_imbalance._decisions.scores import fbeta_average


def _calibrated_problem(rng, n, n_labels):
    """Calibrated probabilities (a few frequent labels, many rare ones) and draws."""
    prevalence = np.r_[np.full(3, 0.4), np.full(n_labels - 3, 0.02)]
    P = expit(logit(prevalence) + rng.normal(scale=1.5, size=(n, n_labels)))
    return P, (rng.random(P.shape) < P).astype(int)


def _no_weights(n_labels):
    return np.ones((n_labels, 2))


def test_micro_objective_beats_per_label_thresholds_on_micro_f1():
    """Check that one common cut-off wins micro-F1 where per-label ones lose it.

    With many rare, weakly predictable labels, per-label F1 thresholds predict
    them generously (F1's optimum for a weak score is a low cut-off), which costs
    the pooled precision; one cut-off at the calibrated micro optimum does not.
    Thresholds are chosen on one sample and judged on a fresh one.
    """
    rng = np.random.default_rng(0)
    P, Y = _calibrated_problem(rng, 3000, 60)
    P_new, Y_new = _calibrated_problem(rng, 3000, 60)
    settings = dict(label_weights=_no_weights(60), calibration=None)
    macro = fit_decisions(Y, logit(P), scoring="f1_macro", **settings)
    micro = fit_decisions(Y, logit(P), scoring="f1_micro", **settings)
    assert np.unique(micro.thresholds).size == 1
    micro_f1 = {
        name: fbeta_average(Y_new, decide(logit(P_new), d)[1], average="micro")
        for name, d in (("macro", macro), ("micro", micro))
    }
    assert micro_f1["micro"] > micro_f1["macro"] + 0.01


def test_macro_thresholds_are_the_raw_rule_carried_through_calibration():
    """Check that calibration changes predict_proba but not the macro decisions."""
    rng = np.random.default_rng(1)
    P, Y = _calibrated_problem(rng, 2000, 6)
    Z = logit(P) + 1.0  # as if trained with weights
    weights = np.tile([1.0, np.e], (6, 1))  # ln(w_pos / w_neg) = 1
    raw = fit_decisions(Y, Z, label_weights=weights, calibration=None)
    for calibration in ("shift", "platt"):
        calibrated = fit_decisions(Y, Z, label_weights=weights, calibration=calibration)
        np.testing.assert_array_equal(decide(Z, raw)[1], decide(Z, calibrated)[1])
        assert np.all(calibrated.thresholds < raw.thresholds)
    shift = fit_decisions(Y, Z, label_weights=weights, calibration="shift")
    np.testing.assert_allclose(decide(Z, shift)[0], P, rtol=1e-9)


def test_fixed_threshold_cuts_the_calibrated_probabilities():
    """Check that a float threshold applies to predict_proba's scale."""
    Z = np.array([[-1.0, 0.2], [0.5, 3.0]])
    Y = np.array([[0, 1], [1, 1]])
    decisions = fit_decisions(
        Y,
        Z,
        label_weights=np.tile([1.0, np.e], (2, 1)),
        calibration="shift",
        threshold=0.4,
    )
    proba, indicator = decide(Z, decisions)
    np.testing.assert_allclose(proba, expit(Z - 1.0))
    np.testing.assert_array_equal(indicator, (expit(Z - 1.0) >= 0.4).astype(int))
    assert list(decisions.status) == ["fixed", "fixed"]


def test_top_k_decisions_and_precision_at_k_objective():
    """Check that top_k has no thresholds and precision@k scores the ranking."""
    Z = np.array([[2.0, 1.0, -1.0], [0.0, 3.0, 1.0]])
    Y = np.array([[1, 0, 0], [0, 0, 1]])
    decisions = fit_decisions(
        Y,
        Z,
        label_weights=np.ones((3, 2)),
        calibration=None,
        threshold="top_k",
        scoring="precision_at_k",
    )
    assert decisions.thresholds is None
    _, indicator = decide(Z, decisions, top_k=1)
    np.testing.assert_array_equal(indicator, [[1, 0, 0], [0, 1, 0]])
    score = decision_score(Y, Z, decisions, scoring="precision_at_k", top_k=1)
    assert score == pytest.approx(0.5)


@pytest.mark.parametrize(
    "scoring, expected",
    [
        ("f1_macro", ("macro", 1.0)),
        ("fbeta_micro", ("micro", 2.0)),
        ("f1_samples", ("samples", 1.0)),
        ("fbeta_samples", ("samples", 2.0)),
    ],
)
def test_parse_scoring_uses_beta_only_for_fbeta(scoring, expected):
    """Check that the f1 names ignore beta and the fbeta names use it."""
    assert parse_scoring(scoring, 2.0) == expected


def test_samples_objective_is_the_monitored_score():
    """Check that decision_score is per-row F1 for scoring='f1_samples'."""
    rng = np.random.default_rng(2)
    P, Y = _calibrated_problem(rng, 500, 8)
    decisions = fit_decisions(
        Y,
        logit(P),
        label_weights=_no_weights(8),
        calibration=None,
        scoring="f1_samples",
    )
    _, indicator = decide(logit(P), decisions)
    expected = fbeta_average(Y, indicator, average="samples")
    assert decision_score(Y, logit(P), decisions, scoring="f1_samples") == expected


def test_calibration_matters_only_off_the_per_label_macro_rule():
    """Check the monitor's shortcut: tuned macro decisions ignore the map."""
    from sk_imbalance._decisions.multilabel import calibration_matters

    rng = np.random.default_rng(3)
    P, Y = _calibrated_problem(rng, 800, 6)
    Z = logit(P) + 1.0
    weights = np.tile([1.0, np.e], (6, 1))
    assert not calibration_matters("tuned", "f1_macro")
    assert not calibration_matters("tuned", "fbeta_macro")
    for threshold, scoring in [
        ("tuned", "f1_micro"),
        ("tuned", "f1_samples"),
        (0.5, "f1_macro"),
        ("top_k", "precision_at_k"),
    ]:
        assert calibration_matters(threshold, scoring)
    scores = [
        decision_score(
            Y,
            Z,
            fit_decisions(Y, Z, label_weights=weights, calibration=calibration),
            scoring="f1_macro",
        )
        for calibration in (None, "platt")
    ]
    assert scores[0] == scores[1]


@pytest.mark.parametrize(
    "scoring, threshold",
    [("f1_macro", "tuned"), ("f1_micro", "tuned"), ("f1_samples", "tuned"),
     ("precision_at_k", "top_k")],
)  # fmt: skip
def test_decision_scorer_weighs_rows_as_repeats(scoring, threshold):
    """Check decision_scorer: ``at()`` is decision_score, and integer row
    weights (a bootstrap's counts) score as the rows repeated that often,
    with the decisions fitted once on the unrepeated rows."""
    rng = np.random.default_rng(4)
    P, Y = _calibrated_problem(rng, 300, 7)
    Z = logit(P)
    sample_weight = rng.uniform(0.5, 2.0, size=300)
    decisions = fit_decisions(
        Y, Z, label_weights=_no_weights(7), calibration=None, scoring=scoring,
        threshold=threshold, sample_weight=sample_weight,
    )  # fmt: skip
    at = decision_scorer(
        Y, Z, decisions, scoring=scoring, top_k=2, sample_weight=sample_weight
    )
    assert at() == decision_score(
        Y, Z, decisions, scoring=scoring, top_k=2, sample_weight=sample_weight
    )
    counts = np.bincount(rng.integers(300, size=300), minlength=300)
    rows = np.repeat(np.arange(300), counts)
    repeated = decision_score(
        Y[rows], Z[rows], decisions, scoring=scoring, top_k=2,
        sample_weight=sample_weight[rows],
    )  # fmt: skip
    assert at(counts.astype(float)) == pytest.approx(repeated, rel=1e-12)
    assert at(counts.astype(float)) != at()  # the rows' draw moves the score
