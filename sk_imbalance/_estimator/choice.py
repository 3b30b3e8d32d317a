"""The held-out folds' choice among the candidates, and what a fit carries to its end.

After the cross-fit (:func:`.._crossfit.loop.cross_fit`) every candidate has
out-of-fold probabilities. :func:`choose_blend` weights the candidates on them
(:mod:`.._decisions.selection`) and returns the chosen blend as a new value,
:class:`ChosenBlend`; the cross-fit's result is not changed.
:class:`HeadsFit` holds what the first half of ``fit`` hands to the second
(:meth:`~.base.CrossFitClassifier._final_model`).
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np

from .._crossfit.loop import CrossFitResult
from .._decisions.selection import (
    blend,
    choose_weights,
    memoized,
    paired_bootstrap_se,
)
from .._decisions.spread import match_spread
from .._nn.portfolio import blend_model

__all__ = [
    "WEIGHTING_Z",
    "WEIGHTING_RESAMPLES",
    "SELECTION_RULE",
    "HeldOutObjective",
    "ChosenBlend",
    "HeadsFit",
    "Weighting",
    "choose_blend",
]

#: How the held-out folds choose among the candidates (:mod:`.._decisions.selection`):
#: greedy ensemble selection, chosen over the single best candidate (and over
#: tolerances of 0.002 and 0.005) on split-half out-of-fold scores in
#: benchmarks/portfolio_study.py.
SELECTION_RULE = "greedy"

#: How many standard errors higher, out of fold, a blend that takes
#: candidates of other weightings than the reference must score than the
#: reference weighting's own blend to be kept. The standard error is the
#: paired bootstrap's over the held-out rows, the decisions of both blends
#: held fixed (:func:`.._decisions.selection.paired_bootstrap_se`), so the
#: bar is high where the held-out rows are few and low where they are many.
#: The fixed margin it replaced (0.01 macro-F1) kept tmc2007's unweighted
#: MLP out in half the seeds, though it gained there out of fold and on the
#: test split; at two standard errors it joins on tmc2007 in every seed and
#: on no 400-row subsample where it lost (benchmarks/weighting_margin.py,
#: 3 seeds; the docs, results, studies, *A margin scaled to the noise*).
WEIGHTING_Z = 2.0

#: Bootstrap resamples behind the standard error of :data:`WEIGHTING_Z`.
WEIGHTING_RESAMPLES = 100


@dataclass(frozen=True)
class ChosenBlend:
    """The blend of candidates the held-out folds chose.

    Attributes
    ----------
    weights : ndarray of shape (n_candidates,)
        Each candidate's weight in the blend, non-negative (``[1.0]`` for one
        candidate).
    scores : list of float
        Each candidate's objective on its out-of-fold scores as the choice
        saw them (narrowed to the ensemble's spread with ``match``; NaN
        without held-out rows).
    model : keras.Model
        The blend's ensemble view: ``(n, d)`` to the logits of the weighted
        mean of the candidates' probabilities (a lone candidate's own view).
    proba : ndarray of shape (n_samples, n_outputs)
        The blend's out-of-fold probabilities, as the choice saw them: what
        the decisions are fitted on. NaN for rows no head held out.
    n_epochs : int
        The chosen epoch of the heaviest candidate.
    history : dict of list
        The heaviest candidate's ``"loss"`` and ``"oof_score"`` per epoch.
    """

    weights: np.ndarray
    scores: list
    model: keras.Model
    proba: np.ndarray
    n_epochs: int
    history: dict


def choose_blend(
    crossfit, score, *, link="sigmoid", match=True, reference=None, rng=None
):
    """Blend the candidates of a cross-fit on their out-of-fold scores.

    With ``match`` each candidate's out-of-fold probabilities are first
    narrowed to the spread of its heads' mean (:mod:`.._decisions.spread`), so
    that the choice and the decisions see scores distributed as the ensemble
    will predict them. They are matched one by one: out of fold the
    candidates agree less than their ensembles will, which
    :func:`.._decisions.spread.match_spread_jointly` models but which is not
    used here yet (the docs: results, studies, *The blend's spread*). One
    candidate is its own blend; several are weighted by
    :data:`SELECTION_RULE`.

    Parameters
    ----------
    crossfit : CrossFitResult
    score : HeldOutObjective
        ``score(held, proba)``, the out-of-fold objective; with
        ``reference``, also ``score.resampled(held, proba)``.
    link : {"sigmoid", "softmax"}, default="sigmoid"
        How the blend's model averages the candidates
        (:func:`.._nn.portfolio.blend_model`).
    match : bool, default=True
        Narrow the scores to the ensemble's spread (``ensemble=True``).
    reference : ndarray of shape (n_candidates,), dtype bool, default=None
        Which candidates train under the reference weighting. When some do
        and some do not, the blend of all is kept only if it beats the blend
        of the reference ones out of fold by more than :data:`WEIGHTING_Z`
        times the bootstrap standard error of the difference.
    rng : numpy.random.Generator, default=None
        Draws the bootstrap's resamples; needed with ``reference``.

    Returns
    -------
    ChosenBlend
    """
    results, held = crossfit.candidates, crossfit.held
    probas = [r.proba for r in results]
    if match and held.any():  # as narrow as the ensemble's scores
        probas = [
            match_spread(
                r.proba,
                crossfit.held_sets,
                r.between,
                train_sets=crossfit.train_sets,
            )[0]
            for r in results
        ]
    if len(results) == 1:
        only = results[0]
        # the scale the candidates are compared on: the matched scores
        scores = [score(held, probas[0][held]) if held.any() else np.nan]
        return ChosenBlend(
            np.ones(1), scores, only.model, probas[0], only.n_epochs, only.history
        )
    if not held.any():
        raise ValueError("Choosing among candidates needs held-out rows.")

    @memoized  # the subset's greedy below retries the blends of the first
    def objective(proba):
        return score(held, proba)

    weights, scores, best = choose_weights(
        [p[held] for p in probas], objective, rule=SELECTION_RULE
    )
    if reference is not None and 0 < np.sum(reference) < len(results):
        own = np.flatnonzero(reference)
        own_weights, _, own_best = choose_weights(
            [probas[i][held] for i in own],
            objective,
            rule=SELECTION_RULE,
            scores=[scores[i] for i in own],
        )
        if not _clears_noise(
            best - own_best, score, held, probas, weights, own, own_weights, rng
        ):
            weights = np.zeros(len(results))
            weights[own] = own_weights
    heaviest = results[int(np.argmax(weights))]
    return ChosenBlend(
        weights,
        scores,
        blend_model([r.model for r in results], weights, link),
        blend(probas, weights),
        heaviest.n_epochs,
        heaviest.history,
    )


def _clears_noise(gain, score, held, probas, weights, own, own_weights, rng):
    """Whether the blend of all beats the reference weighting's own blend by
    more than :data:`WEIGHTING_Z` bootstrap standard errors of ``gain``."""
    if not gain > 0:
        return False
    if rng is None:
        raise ValueError("Choosing between weightings needs rng.")
    own_all = np.zeros(len(probas))
    own_all[own] = own_weights
    held_probas = [p[held] for p in probas]
    error = paired_bootstrap_se(
        score.resampled(held, blend(held_probas, weights)),
        score.resampled(held, blend(held_probas, own_all)),
        int(np.sum(held)),
        rng,
        WEIGHTING_RESAMPLES,
    )
    return error == 0 or gain > WEIGHTING_Z * error


@dataclass(frozen=True)
class HeldOutObjective:
    """The out-of-fold objective of one fit: the decisions' score.

    ``objective(held, proba)`` fits the decisions on the ``held`` rows'
    out-of-fold probabilities ``proba`` and returns the objective ``scoring``
    names, of the decisions ``predict`` would make (the estimator's
    ``_decision_score``): the epoch monitor and the candidates' choice.
    :meth:`resampled` holds those decisions fixed and scores them under
    extra row weights, for the bootstrap of :data:`WEIGHTING_Z`.

    Attributes
    ----------
    estimator : CrossFitClassifier
        Fits and scores the decisions (its ``_decision_score`` and
        ``_decision_scorer``).
    truth : ndarray
        The encoded target of every row.
    sample_weight : ndarray of shape (n_samples,) or None
    """

    estimator: object
    truth: np.ndarray
    sample_weight: np.ndarray | None

    def _rows(self, held):
        weight = self.sample_weight
        return self.truth[held], None if weight is None else weight[held]

    def __call__(self, held, proba):
        truth, weight = self._rows(held)
        return self.estimator._decision_score(truth, proba, weight)

    def resampled(self, held, proba):
        """``at(row_weight)``: the objective with the decisions held fixed."""
        truth, weight = self._rows(held)
        return self.estimator._decision_scorer(truth, proba, weight)


@dataclass(frozen=True)
class Weighting:
    """What the candidates train on: their weightings' targets and offsets.

    Attributes
    ----------
    targets : ndarray of shape ([n_weightings,] n_samples, 2 * n_outputs)
        0/1 targets and element weights, float32: one matrix when every
        candidate trains under the reference weighting, else one per
        distinct weighting.
    target_of : ndarray of shape (n_candidates,) or None
        With several weightings, the one each candidate trains under.
    offsets : ndarray of shape (n_candidates, n_outputs) or None
        Each candidate's scale offset onto the reference weighting
        (:func:`.._decisions.weightings.scale_offsets`); None when all are 0.
    """

    targets: np.ndarray
    target_of: np.ndarray | None = None
    offsets: np.ndarray | None = None

    def subset(self, chosen):
        """The weighting of the candidates ``chosen`` (positions)."""
        if self.target_of is None:
            return self
        return Weighting(
            self.targets,
            self.target_of[chosen],
            None if self.offsets is None else self.offsets[chosen],
        )


@dataclass(frozen=True)
class HeadsFit:
    """The first half of a fit, as the second half needs it.

    :meth:`~.base.CrossFitClassifier._cross_fit_heads` returns it; the
    decisions are fitted on ``blend.proba`` of the ``crossfit.held`` rows, and
    :meth:`~.base.CrossFitClassifier._final_model` makes the predicting
    network from it.

    Attributes
    ----------
    X : ndarray or scipy.sparse.csr_matrix of shape (n_samples, n_features)
        The rows the heads trained on (CSR when the first layer works on the
        non-zeros, ``sparse_layer_``).
    y : array-like
        The target as given to ``fit`` (for the callbacks).
    weighting : Weighting
        The candidates' targets (0/1 targets and their element weights) and
        scale offsets.
    score : callable
        ``score(held, proba)``, the out-of-fold monitor.
    rng : numpy.random.Generator
        The fit's generator, drawn on again by a refit.
    context : sklearn.callback.CallbackContext or None
        The root callback context (None without callback support).
    candidates : list of Candidate
        The candidates trained, in order.
    crossfit : CrossFitResult
        The cross-fit's result, every candidate's.
    blend : ChosenBlend
        The held-out folds' choice among the candidates.
    """

    X: object
    y: object
    weighting: Weighting
    score: object
    rng: np.random.Generator
    context: object
    candidates: list
    crossfit: CrossFitResult
    blend: ChosenBlend
