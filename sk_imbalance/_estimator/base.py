"""What the multi-label and the multiclass estimators share.

Both estimators cross-fit ``k`` Keras heads in one model (:mod:`.._crossfit.loop`),
choose the epoch on the held-out folds, fit their decisions on the
out-of-fold scores and predict with the heads' ensemble (or a refit). The
problem-specific parts, the target's encoding, the loss's kind, the
decisions, are the subclasses'; this module holds the rest:

- :data:`COMMON_CONSTRAINTS`, the parameters both declare;
- :class:`CrossFitClassifier`, with the cross-fit, the refit, the network's
  logits at predict time, and pickling of the Keras model.
"""

from __future__ import annotations

from collections.abc import Mapping
from numbers import Integral, Real

import keras
import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from .._crossfit.encoding import as_csr
from .._crossfit.feed import DENSIFY_BYTES, predict_logits
from .._crossfit.loop import cross_fit
from .._crossfit.splits import make_splits
from .._decisions.weightings import distinct, scale_offsets
from .._nn.portfolio import (
    DEFAULT_CANDIDATES,
    INHERIT,
    Candidate,
    blend_model,
    build_portfolio,
    make_candidates,
    sparse_defaults,
    weighting_name,
)
from .._utils.rng import generator
from .callbacks import CallbackSupportMixin, TaskReporter, fit_context
from .choice import HeadsFit, HeldOutObjective, Weighting, choose_blend
from .params import Custom, Flag, Number, Sizes, validate_params
from .persistence import model_from_state, model_to_state
from .sparse_policy import use_sparse_layer
from .validation import check_cv, check_float32_range

__all__ = ["COMMON_CONSTRAINTS", "CrossFitClassifier", "take_rows"]

#: The MLP a user gets by naming any of its settings, the others at these.
MLP_DEFAULTS = {"hidden_layer_sizes": (128,), "activation": "relu", "dropout": 0.2}

#: Constraints of the parameters both estimators take (see :mod:`.params`).
COMMON_CONSTRAINTS = {
    "model": Custom(
        lambda v: v is None or callable(v),
        "None, a build function or a keras.Model",
    ),
    "hidden_layer_sizes": Sizes(none=True, note=" (the candidates)"),
    "activation": Custom(
        lambda v: v is None or isinstance(v, str) or callable(v),
        "None, a Keras activation name or a callable",
    ),
    "dropout": Number(Real, 0, 1, closed="left", none=True),
    "candidates": Custom(
        lambda v: v is None or isinstance(v, list | tuple),
        "None (the default candidates) or a list of candidates",
        types=(type(None), list, tuple),
        then=lambda name, value: make_candidates(value),
    ),
    "model_kwargs": Custom(
        lambda v: v is None or isinstance(v, Mapping),
        "None or a dict",
        types=(type(None), Mapping),
    ),
    "focal_gamma": Number(Real, 0),
    "optimizer": Custom(
        lambda v: True,
        "a Keras optimizer name or instance",
        types=(str, keras.optimizers.Optimizer),
    ),
    "learning_rate": Number(Real, 0, closed="neither", none=True),
    "epochs": Number(Integral, 1),
    "patience": Number(
        Integral,
        1,
        none=True,
        note=" (None: train every epoch; an int: epochs without a better "
        "out-of-fold score before training stops)",
    ),
    "batch_size": Number(Integral, 1),
    "sparse_layer": Custom(
        lambda v: isinstance(v, bool | np.bool_) or v == "auto",
        "'auto', True or False",
        types=(str, bool, np.bool_),
    ),
    "cv": Custom(lambda v: True, "", then=check_cv),
    "ensemble": Flag(),
    "random_state": Custom(
        lambda v: True,
        "None, an int or a numpy.random.RandomState",
        types=(type(None), Integral, np.random.RandomState),
    ),
    "verbose": Number(Integral, 0),
    "callbacks": Custom(
        lambda v: v is None or all(isinstance(c, keras.callbacks.Callback) for c in v),
        "None or a list of keras.callbacks.Callback",
        types=(type(None), list, tuple),
    ),
}


class CrossFitClassifier(CallbackSupportMixin, ClassifierMixin, BaseEstimator):
    """Base class: cross-fitted Keras heads behind a scikit-learn classifier.

    A subclass's ``fit`` calls :meth:`_fit`, the ``fit`` both share. The
    subclass sets ``_link`` (``"sigmoid"`` or ``"softmax"``) and provides:

    - ``_fit_data(X, y, sample_weight)``: validate the data, set the
      target's attributes and weights, return a :class:`~.fit_data.FitData`;
    - ``_meta(n_features)``: the facts passed to build functions;
    - ``_head_loss()``: a :class:`~.._nn.losses.HeadwiseLoss`;
    - ``_decision_scorer(truth, proba, sample_weight)``: the decisions
      fitted on out-of-fold probabilities, as ``at(row_weight=None)``, their
      objective under extra row weights (``at()``: :meth:`_decision_score`,
      the epoch monitor);
    - ``_fit_held_out_decisions(truth, proba, sample_weight)``: fit and keep
      the decisions on the chosen blend's out-of-fold probabilities.
    """

    _link = "sigmoid"
    #: What ``candidates=None`` trains (:mod:`.._nn.portfolio`).
    _default_candidates = DEFAULT_CANDIDATES

    def _fit(self, X, y, sample_weight):
        """The ``fit`` of both estimators: it reads as a table of contents.

        Check the parameters, validate and encode the data
        (``_fit_data``), cross-fit the heads and choose the blend of
        candidates (:meth:`_cross_fit_heads`), fit the decisions on the
        blend's held-out scores (``_fit_held_out_decisions``), and make the
        predicting network (:meth:`_final_model`).

        Returns
        -------
        self
        """
        validate_params(self)
        self._check_params()
        self._check_model_kwargs()
        data = self._fit_data(X, y, sample_weight)

        score = HeldOutObjective(self, data.truth, data.sample_weight)
        fitted = self._cross_fit_heads(data, score)
        held = fitted.crossfit.held
        self._fit_held_out_decisions(
            data.truth[held],
            fitted.blend.proba[held],
            take_rows(data.sample_weight, held),
        )
        self._final_model(fitted)
        return self

    def _check_params(self):
        """Hook: checks of several parameters together, after ``validate_params``."""

    def _decision_score(self, truth, proba, sample_weight):
        """The out-of-fold objective of out-of-fold probabilities ``proba``:
        the decisions fitted on them as at the end of ``fit``, scored on the
        same rows (``_decision_scorer``). The monitor that chooses the epoch."""
        return self._decision_scorer(truth, proba, sample_weight)()

    def _validate_X_y(self, X, y):
        """``validate_data`` of ``X`` (dense or CSR, float) and a 1-D or 2-D ``y``."""
        return validate_data(
            self,
            X,
            y,
            accept_sparse="csr",
            multi_output=True,
            dtype=[np.float32, np.float64],
        )

    def _check_model_kwargs(self):
        if self.model is None and self.model_kwargs:
            raise ValueError(
                f"model_kwargs={self.model_kwargs!r} is for a build function passed "
                "as model=; the built-in MLP (model=None) takes hidden_layer_sizes, "
                "activation and dropout instead."
            )

    def set_params(self, **params):
        """Set the estimator's parameters, as scikit-learn's ``set_params``.

        A nested key ``name__part`` needs ``name`` to hold an estimator. The
        ``candidates`` list and the other plain values have no parameters of
        their own, so such a key is refused by name (scikit-learn would fail
        with an ``AttributeError`` on the value).

        Returns
        -------
        self
        """
        own = self.get_params(deep=False)
        for key in params:
            name, nested, _ = key.partition("__")
            if nested and name in own and not hasattr(own[name], "set_params"):
                value = own[name]
                kind = "None" if value is None else f"a {type(value).__name__}"
                fix = (
                    "give the whole list: set_params(candidates=[...]), e.g. the "
                    "current list with that item's dict changed"
                    if name == "candidates"
                    else f"give the whole value: set_params({name}=...)"
                )
                raise ValueError(
                    f"Invalid parameter {key!r} for {type(self).__name__}: {name} "
                    f"is {kind}, not an estimator, and has no parameters to set; "
                    f"{fix}."
                )
        return super().set_params(**params)

    def _candidates(self, sparse=False):
        """The candidate networks of this fit (:mod:`.._nn.portfolio`).

        A ``model``, or any of ``hidden_layer_sizes``, ``activation`` and
        ``dropout``, names one network, trained alone; otherwise
        ``candidates`` (None: the default ones, or with ``sparse``, for a
        first layer on the non-zeros, :func:`.._nn.portfolio.sparse_defaults`).
        """
        named = [k for k in MLP_DEFAULTS if getattr(self, k) is not None]
        if self.candidates is not None and (self.model is not None or named):
            given = ["model"] * (self.model is not None) + named
            raise ValueError(
                f"candidates= and {', '.join(f'{k}=' for k in given)} both name the "
                "network; give the candidates, or one network, not both (put its "
                "settings in a candidate's dict)."
            )
        if self.model is not None:
            return [
                Candidate("model", model=self.model, model_kwargs=self.model_kwargs)
            ]
        if named:
            settings = {**MLP_DEFAULTS, **{k: getattr(self, k) for k in named}}
            settings["hidden_layer_sizes"] = tuple(settings["hidden_layer_sizes"])
            return [Candidate("mlp", **settings)]
        default = self._default_candidates
        if not _is_auto(self.class_weight):  # a named weighting trains alone
            default = tuple(c for c in default if c.class_weight is INHERIT)
        return make_candidates(
            self.candidates, sparse_defaults(default) if sparse else default
        )

    def _build_heads(self, candidates, n_features, n_outputs, rng, sparse=False):
        """``build(n_heads)``: the fit's fresh fused model of ``candidates``.

        ``sparse``: the MLP candidates' first layer works on the non-zeros of
        sparse rows (:mod:`.._nn.sparse_layer`); a build function always gets
        dense rows.
        """
        meta = self._meta(n_features)
        return lambda n_heads: build_portfolio(
            candidates,
            n_features,
            n_outputs,
            n_heads,
            meta=meta,
            rng=rng,
            link=self._link,
            sparse=sparse,
        )

    def _cross_fit(
        self,
        candidates,
        X,
        weighting,
        splits,
        rng,
        score,
        *,
        patience,
        epochs,
        hooks,
    ):
        """Train one head per split and candidate in one model.

        ``weighting`` is the :class:`.choice.Weighting` of ``candidates``.
        See :func:`.._crossfit.loop.cross_fit`.
        """
        targets = weighting.targets
        return cross_fit(
            self._build_heads(
                candidates,
                X.shape[1],
                targets.shape[-1] // 2,
                rng,
                sparse=self.sparse_layer_,
            ),
            X,
            targets,
            splits,
            loss=self._head_loss(),
            optimizer=self.optimizer,
            learning_rate=self.learning_rate,
            epochs=epochs,
            patience=patience,
            batch_size=self.batch_size,
            rng=rng,
            score=score,
            verbose=self.verbose,
            callbacks=[*(self.callbacks or []), *hooks],
            measure_spread=self.ensemble,
            target_of=weighting.target_of,
            offsets=weighting.offsets,
        )

    def _reference_weighting(self):
        """The weighting the decisions are fitted on: ``class_weight``, or
        ``"balanced"`` for ``"auto"``."""
        return "balanced" if _is_auto(self.class_weight) else self.class_weight

    def _candidate_weightings(self, candidates):
        """Each candidate's weighting: its own, or the reference one.

        A ``class_weight`` the user names trains that weighting alone, as a
        named network trains alone: a candidate of the user's that names its
        own then is refused.
        """
        named = not _is_auto(self.class_weight)
        reference = self._reference_weighting()
        found = []
        for index, candidate in enumerate(candidates):
            if candidate.class_weight is INHERIT:
                found.append(reference)
            elif named:
                raise ValueError(
                    f"class_weight={self.class_weight!r} and candidates[{index}]'s "
                    f"class_weight={candidate.class_weight!r} both name the "
                    "weighting; give class_weight='auto' to let each candidate "
                    "keep its own, or drop the candidates' class_weight keys."
                )
            else:
                found.append(candidate.class_weight)
        return found

    def _weighting(self, candidates, data):
        """The targets and scale offsets of ``candidates``' weightings.

        Returns
        -------
        Weighting
            One target matrix (and no offsets) when every candidate trains
            under the reference weighting, as with a named ``class_weight``.
        """
        reference = self._reference_weights()
        weights = []
        for index, spec in enumerate(self._candidate_weightings(candidates)):
            if spec is self._reference_weighting():
                weights.append(reference)
                continue
            try:
                weights.append(self._weights_of(spec, data))
            except (TypeError, ValueError) as error:
                raise ValueError(
                    f"candidates[{index}]['class_weight']: {error}"
                ) from error
        unique, target_of = distinct(weights)
        if len(unique) == 1 and np.array_equal(unique[0], reference):
            return Weighting(data.targets)
        targets = np.stack(
            [
                data.targets
                if np.array_equal(w, reference)
                else self._pack_targets(w, data)
                for w in unique
            ]
        )
        offsets = scale_offsets(weights, reference, self._link)
        return Weighting(targets, target_of, offsets if offsets.any() else None)

    def _cross_fit_heads(self, data, score):
        """Split, train the heads and choose the epoch: the first half of ``fit``.

        Parameters
        ----------
        data : FitData
            The validated data: ``X``, ``y`` (for splitters and callbacks),
            the reference weighting's ``targets`` and the ``indicator`` the
            int and float ``cv`` stratify on.
        score : callable
            ``score(held, proba)``, the out-of-fold monitor.

        Returns
        -------
        HeadsFit
            The cross-fit, the chosen blend of candidates and what
            :meth:`_final_model` needs.
        """
        X, y, stratify = data.X, data.y, data.indicator
        candidates = self._candidates()
        self.sparse_layer_ = use_sparse_layer(
            X,
            self.sparse_layer,
            all(c.model is None for c in candidates),
            DENSIFY_BYTES,
        )
        if self.sparse_layer_:
            X = as_csr(X)
            candidates = self._candidates(sparse=True)
        rng = generator(self.random_state)
        seed = int(rng.integers(2**31 - 1))
        splits = make_splits(self.cv, X.shape[0], seed, X, y, Y=stratify)
        self._check_splits(splits, data.targets)
        weighting = self._weighting(candidates, data)
        context = fit_context(self, self.epochs)
        hooks = []
        if context is not None:
            context.call_on_fit_task_begin(estimator=self, X=X, y=y)
            hooks = [TaskReporter(self, context, X, y, splits)]
        crossfit = self._cross_fit(
            candidates,
            X,
            weighting,
            splits,
            rng,
            score,
            patience=self.patience,
            epochs=self.epochs,
            hooks=hooks,
        )
        # the bootstrap of the weighting's choice: a stream of its own
        bootstrap = np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0])
        blend = self._choose_candidates(candidates, crossfit, score, bootstrap)
        self.n_epochs_ = blend.n_epochs
        self.history_ = blend.history
        return HeadsFit(
            X, y, weighting, score, rng, context, candidates, crossfit, blend
        )

    def _choose_candidates(self, candidates, crossfit, score, rng):
        """Blend the candidates on their out-of-fold scores; record ``candidates_``.

        Returns the chosen blend (:func:`.choice.choose_blend`): its model,
        out-of-fold probabilities, epoch and history (those of its heaviest
        candidate for the last two); ``crossfit`` is left as it is. With
        ``ensemble=True`` each candidate's out-of-fold probabilities are
        first narrowed to the spread of its heads' mean
        (:mod:`.._decisions.spread`), so that the choice and the decisions see
        scores distributed as ``predict`` will see them.

        ``candidates_["oof_score"]`` is each candidate's objective on those
        matched scores, with one candidate as with several: the scale the
        candidates, the blend and the decisions are chosen on. The epoch was
        chosen before, on each epoch's raw held-out scores (``history_``):
        matching needs :math:`\\tau^2`, one more forward pass over ``k``
        times the rows, which is measured once, at the chosen epoch.
        ``rng`` draws the bootstrap that weighs a blend of several
        weightings against the reference's own (:data:`.choice.WEIGHTING_Z`).
        """
        reference = self._reference_weighting()
        weightings = self._candidate_weightings(candidates)
        blend = choose_blend(
            crossfit,
            score,
            link=self._link,
            match=self.ensemble,
            reference=np.array([w is reference for w in weightings]),
            rng=rng,
        )
        self.candidates_ = {
            "name": [c.name for c in candidates],
            "params": [c.describe() for c in candidates],
            "oof_score": [float(v) for v in blend.scores],
            "n_epochs": [r.n_epochs for r in crossfit.candidates],
            "weight": [float(w) for w in blend.weights],
            "class_weight": [weighting_name(w) for w in weightings],
        }
        return blend

    def _check_splits(self, splits, targets):
        """Hook: look at the fit's splits (and packed targets) before training."""

    def _final_model(self, fitted):
        """The predicting network (ensemble or refit); ends the callback task.

        Parameters
        ----------
        fitted : HeadsFit
            What :meth:`_cross_fit_heads` returned.
        """
        weights = fitted.blend.weights
        if self.ensemble:
            self.model_ = fitted.blend.model
        else:
            everything = [(np.arange(fitted.X.shape[0]), np.arange(0))]
            chosen = np.flatnonzero(weights > 0)
            epochs = [fitted.crossfit.candidates[i].n_epochs for i in chosen]
            refit = self._cross_fit(
                [fitted.candidates[i] for i in chosen],
                fitted.X,
                fitted.weighting.subset(chosen),
                everything,
                fitted.rng,
                fitted.score,
                patience=None,
                epochs=epochs[0] if len(chosen) == 1 else epochs,
                hooks=(),
            )
            self.model_ = blend_model(
                [r.model for r in refit.candidates], weights[chosen], self._link
            )
        if fitted.context is not None:
            fitted.context.call_on_fit_task_end(estimator=self, X=fitted.X, y=fitted.y)

    def _network_logits(self, X):
        """The fitted network's logits of ``X``, float64, after validating ``X``."""
        check_is_fitted(self)
        X = validate_data(
            self, X, accept_sparse="csr", reset=False, dtype=[np.float32, np.float64]
        )
        check_float32_range(X)
        Z = predict_logits(self.model_, X)
        if np.isnan(Z).any():
            rows = np.flatnonzero(np.isnan(Z).any(axis=1))
            raise FloatingPointError(
                f"The network's output is NaN for {rows.size} row(s) of X (first: "
                f"{rows[:5].tolist()}): their values overflow the network's float32 "
                "arithmetic. Scale X as for fit (e.g. StandardScaler in a Pipeline)."
            )
        return Z

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def __getstate__(self):
        state = self.__dict__.copy()
        if "model_" in state:
            state["model_"] = model_to_state(state["model_"])
        return state

    def __setstate__(self, state):
        if "model_" in state:
            state["model_"] = model_from_state(state["model_"])
        self.__dict__.update(state)


def take_rows(values, index):
    """``values[index]``, or None for None (an absent ``sample_weight``)."""
    return None if values is None else values[index]


def _is_auto(class_weight):
    """Whether ``class_weight`` is ``"auto"`` (an array is not)."""
    return isinstance(class_weight, str) and class_weight == "auto"
