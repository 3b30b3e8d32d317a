r"""A portfolio of candidate networks, trained as heads of one model.

One network shape does not fit every data set: small, high-dimensional data
wants a linear or strongly regularised model, larger dense data more capacity.
The estimators therefore train several *candidates* at once, each as its own
``k`` fold heads (:mod:`.layers`) in one fused Keras model, so that one
training loop, one traced step and one forward pass over the held-out rows
serve them all, and every candidate gets out-of-fold scores for free. The
held-out folds then choose among them (:mod:`.._decisions.selection`).

The fused training view maps the ``(batch, k, d)`` rows of the ``k`` folds
(or their sparse entries) to logits of shape ``(batch, c k, m)``: candidate
``i``'s head ``j`` is head ``i k + j``, and it sees the rows of fold ``j``'s
training set only, as every head does. Each candidate has its own ensemble
view (the mean of its ``k`` heads' logits), all on one shared input, so
a blend of candidates is one more layer on top of their outputs
(:func:`blend_model`).

A candidate is an MLP specification (:class:`Candidate`: hidden layer sizes,
activation, dropout, weight decay and a learning-rate scale, trained
fold-stacked and, on sparse rows, with a sparse first layer) or a user's build
function or ``keras.Model``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from numbers import Integral, Real

import keras
import numpy as np

from .builders import (
    apply_layers,
    draw_seeds,
    fold_mlp_layers,
    head_inputs,
    stack_heads,
    user_networks,
)
from .layers import LogitShift, blend_average, head_average

__all__ = [
    "INHERIT",
    "Candidate",
    "DEFAULT_CANDIDATES",
    "ONE_MLP",
    "FoldNetworks",
    "make_candidates",
    "SPARSE_STAND_INS",
    "sparse_defaults",
    "build_portfolio",
    "blend_model",
    "candidate_view",
    "shifted_view",
    "weighting_name",
]


class _Inherit:
    """The estimator's own weighting (a candidate that names none)."""

    def __repr__(self):
        return "INHERIT"

    def __reduce__(self):  # one object, after pickling too
        return "INHERIT"


#: A candidate's ``class_weight`` when it names none: the estimator's.
INHERIT = _Inherit()


@dataclass(frozen=True)
class Candidate:
    """One candidate network of the portfolio.

    Parameters
    ----------
    name : str
        How the fitted estimator's report calls it.
    hidden_layer_sizes : tuple of int, default=(128,)
        ``()`` is a linear model (the inputs straight to the logits).
    activation : str or callable, default="relu"
    dropout : float, default=0.2
        Rate of the dropout after each hidden layer.
    weight_decay : float, default=0.0
        L2 penalty :math:`\\lambda \\lVert W \\rVert^2` on every kernel of each
        head (:class:`~.layers.FoldDense`).
    learning_rate_scale : float, default=1.0
        The candidate trains at ``learning_rate_scale`` times the estimator's
        learning rate (a reparametrisation, exact for Adam; see
        :class:`~.layers.FoldDense`). Within
        :data:`LEARNING_RATE_SCALE_BOUNDS`.
    model : callable or keras.Model, default=None
        A user's network instead of the MLP: a build function or a model to
        clone, as the estimators' ``model`` parameter; the MLP fields are
        then unused.
    model_kwargs : dict, default=None
        Keyword arguments of the build function.
    class_weight : object, default=INHERIT
        The weighting this candidate trains under: anything the estimators'
        ``class_weight`` takes ("balanced", None, a dict, ...), or
        :data:`INHERIT`, the estimator's. Carried here, used by the estimator
        (:mod:`sk_imbalance._decisions.weightings`).
    """

    name: str
    hidden_layer_sizes: tuple = (128,)
    activation: object = "relu"
    dropout: float = 0.2
    weight_decay: float = 0.0
    learning_rate_scale: float = 1.0
    model: object = None
    model_kwargs: Mapping | None = field(default=None, compare=False)
    class_weight: object = field(default=INHERIT, compare=False)

    def describe(self):
        """The candidate's settings as a short string, for reports."""
        if self.model is not None:
            return getattr(self.model, "__name__", type(self.model).__name__)
        parts = [f"hidden_layer_sizes={tuple(self.hidden_layer_sizes)}"]
        if self.hidden_layer_sizes:
            parts.append(f"activation={self.activation!r}")
            parts.append(f"dropout={self.dropout:g}")
        if self.weight_decay:
            parts.append(f"weight_decay={self.weight_decay:g}")
        if self.learning_rate_scale != 1.0:
            parts.append(f"learning_rate_scale={self.learning_rate_scale:g}")
        if self.class_weight is not INHERIT:
            parts.append(f"class_weight={weighting_name(self.class_weight)}")
        return ", ".join(parts)


def weighting_name(class_weight):
    """A short name of a weighting, for reports."""
    if class_weight is None or isinstance(class_weight, str):
        return repr(class_weight)
    return getattr(class_weight, "__name__", type(class_weight).__name__)


#: The one MLP the estimators trained before the portfolio, and the
#: multiclass estimator's default until a study of its own chooses one.
ONE_MLP = (Candidate("mlp", hidden_layer_sizes=(128,), dropout=0.2),)

#: The multi-label default candidates, chosen on out-of-fold scores over the
#: MULAN dev sets, 400-row subsamples and three seeds: a linear model (an L2
#: penalty of 1e-3 on the kernel, three times the learning rate) and an MLP of
#: 256 units at dropout 0.5, both balanced, and the 128-unit MLP without
#: class weights. The 256-unit MLP took the place of two (the 128-unit MLP
#: at dropout 0.2 and a 512-unit one at dropout 0.5): the blend's split-half
#: out-of-fold score stayed within 0.004 of theirs on every set, and the
#: arithmetic fell by about 40% (benchmarks/weighting_portfolio.py; docs,
#: results, studies, *A cheaper portfolio*). The unweighted MLP lets the
#: held-out folds choose the weighting too (issue 27): with the estimators'
#: ``class_weight="auto"`` it trains without class weights, is scored on the
#: balanced scale, and joins the blend only when that beats the balanced
#: candidates' blend by more than ``WEIGHTING_Z`` bootstrap standard errors
#: (``_estimator.choice``); a named ``class_weight`` leaves it out.
DEFAULT_CANDIDATES = (
    Candidate("linear-wd1e-3", hidden_layer_sizes=(), dropout=0.0,
              weight_decay=1e-3, learning_rate_scale=3.0),
    Candidate("mlp256", hidden_layer_sizes=(256,), dropout=0.5),
    Candidate("mlp-unweighted", hidden_layer_sizes=(128,), dropout=0.2,
              class_weight=None),
)  # fmt: skip

#: Default candidates replaced, or left out (None), when the first layer
#: works on the non-zeros (``sparse_layer_``: a vocabulary of thousands of
#: words). At that scale a fit's cost is the candidates' first layers, each
#: units by the vocabulary per head: ``mlp256``'s would be twice one MLP's,
#: so the 128-unit MLP stands in for it; the unweighted MLP would add a whole
#: MLP's (on 20,000 texts of 50,000 words it took the default fit from 0.69x
#: to 1.3x-1.4x one plain Keras network, for the same F1 against balanced
#: logistic regression), so it is left out and text trains the balanced
#: linear model and MLP. The MULAN sets the defaults were chosen on are all
#: on the dense layer. Measured in the docs: results, studies, *What the
#: default candidates cost*.
SPARSE_STAND_INS = {"mlp256": ONE_MLP[0], "mlp-unweighted": None}

#: The smallest and largest ``learning_rate_scale`` :math:`s` of a candidate.
#: :class:`~.layers.FoldDense` stores its kernel divided by :math:`s` (the
#: initial bound is Glorot's over :math:`s`) and computes in float32: at
#: :math:`s = 10^{-40}` the bound does not fit a float32, and far from 1 the
#: stored weights or Adam's steps (:math:`\epsilon = 10^{-7}` against
#: gradients scaled by :math:`s`) lose precision. Three orders of magnitude
#: either way covers the defaults (3) and leaves the rest to ``learning_rate``.
LEARNING_RATE_SCALE_BOUNDS = (1e-3, 1e3)

#: The keys a candidate given as a dict may have.
CANDIDATE_KEYS = (
    "name",
    "hidden_layer_sizes",
    "activation",
    "dropout",
    "weight_decay",
    "learning_rate_scale",
    "model",
    "model_kwargs",
    "class_weight",
)


def _check_number(index, key, value, low, closed_low=True):
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(
            f"candidates[{index}][{key!r}] must be a number; got {value!r}."
        )
    if not np.isfinite(value) or value < low or (value == low and not closed_low):
        bound = ">=" if closed_low else ">"
        raise ValueError(
            f"candidates[{index}][{key!r}] must be finite and {bound} {low}; got "
            f"{value!r}."
        )


def _check_scale(index, value):
    """Refuse a ``learning_rate_scale`` outside :data:`LEARNING_RATE_SCALE_BOUNDS`."""
    _check_number(index, "learning_rate_scale", value, 0, False)
    low, high = LEARNING_RATE_SCALE_BOUNDS
    if not low <= value <= high:
        raise ValueError(
            f"candidates[{index}]['learning_rate_scale'] must be in [{low:g}, "
            f"{high:g}] (the candidate trains at that many times learning_rate); "
            f"got {value!r}. Change the estimator's learning_rate for a larger step."
        )


def _candidate_from(index, item):
    """One :class:`Candidate` from an item of the ``candidates`` parameter."""
    if isinstance(item, Candidate):
        _check_scale(index, item.learning_rate_scale)
        return item
    if isinstance(item, keras.Model) or (
        callable(item) and not isinstance(item, Mapping)
    ):
        name = getattr(item, "name", None) or getattr(item, "__name__", None)
        return Candidate(name=str(name or f"candidate_{index}"), model=item)
    if not isinstance(item, Mapping):
        raise ValueError(
            f"candidates[{index}] must be a dict of MLP settings (keys from "
            f"{list(CANDIDATE_KEYS)}), a build function or a keras.Model; got "
            f"{type(item).__name__}."
        )
    unknown = sorted(set(item) - set(CANDIDATE_KEYS))
    if unknown:
        raise ValueError(
            f"candidates[{index}] has unknown key(s) {unknown}; a candidate's keys "
            f"are {list(CANDIDATE_KEYS)}."
        )
    settings = dict(item)
    sizes = settings.get("hidden_layer_sizes", (128,))
    if isinstance(sizes, Integral) and not isinstance(sizes, bool):
        sizes = (sizes,)
    if not isinstance(sizes, (list, tuple)) or not all(
        isinstance(u, Integral) and not isinstance(u, bool) and u >= 1 for u in sizes
    ):
        raise ValueError(
            f"candidates[{index}]['hidden_layer_sizes'] must be a tuple of positive "
            f"ints (() for a linear model); got {sizes!r}."
        )
    settings["hidden_layer_sizes"] = tuple(int(u) for u in sizes)
    if "dropout" in settings:
        _check_number(index, "dropout", settings["dropout"], 0)
        if settings["dropout"] >= 1:
            raise ValueError(
                f"candidates[{index}]['dropout'] must be in [0, 1); got "
                f"{settings['dropout']!r}."
            )
    if "weight_decay" in settings:
        _check_number(index, "weight_decay", settings["weight_decay"], 0)
    if "learning_rate_scale" in settings:
        _check_scale(index, settings["learning_rate_scale"])
    activation = settings.get("activation", "relu")
    if not (isinstance(activation, str) or callable(activation)):
        raise ValueError(
            f"candidates[{index}]['activation'] must be a Keras activation name or "
            f"a callable; got {activation!r}."
        )
    model = settings.get("model")
    if model is not None and not callable(model):
        raise ValueError(
            f"candidates[{index}]['model'] must be a build function or a "
            f"keras.Model; got {type(model).__name__}."
        )
    if settings.get("model_kwargs") is not None and model is None:
        raise ValueError(
            f"candidates[{index}] has model_kwargs but no model; model_kwargs are "
            "for a build function."
        )
    settings.setdefault("name", f"candidate_{index}")
    settings["name"] = str(settings["name"])
    return Candidate(**settings)


def make_candidates(candidates, default=DEFAULT_CANDIDATES):
    """The list of :class:`Candidate` of the ``candidates`` parameter.

    Parameters
    ----------
    candidates : None or sequence
        None gives ``default``. A sequence holds dicts of MLP
        settings (keys :data:`CANDIDATE_KEYS`), build functions,
        ``keras.Model`` instances or :class:`Candidate` objects.
    default : sequence of Candidate, default=DEFAULT_CANDIDATES
        The estimator's default candidates.

    Returns
    -------
    list of Candidate
        With unique names.
    """
    if candidates is None:
        return list(default)
    if isinstance(candidates, (str, Mapping)) or not hasattr(candidates, "__len__"):
        raise ValueError(
            "candidates must be None (the default candidates) or a list of "
            f"candidates; got {type(candidates).__name__}."
        )
    if len(candidates) == 0:
        raise ValueError(
            "candidates=[] has no candidate; give at least one, or None for the "
            "default candidates."
        )
    made = [_candidate_from(index, item) for index, item in enumerate(candidates)]
    names = [c.name for c in made]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(
            f"candidates have repeated name(s) {repeated}; give each a distinct 'name'."
        )
    return made


def sparse_defaults(candidates):
    """The default ``candidates`` for a first layer on the non-zeros.

    Replaces those named in :data:`SPARSE_STAND_INS` by their stand-ins, or
    leaves them out where the stand-in is None: their first layers cost
    several MLPs' at vocabulary scale. Only the estimator's own defaults
    pass through here; candidates a user names are trained as given.

    Parameters
    ----------
    candidates : sequence of Candidate

    Returns
    -------
    list of Candidate
        ``candidates`` with the stand-ins in place (a stand-in already in
        the list is not repeated); all of ``candidates`` if none would be
        left.
    """
    made = []
    for candidate in candidates:
        candidate = SPARSE_STAND_INS.get(candidate.name, candidate)
        if candidate is not None and candidate.name not in [c.name for c in made]:
            made.append(candidate)
    return made or list(candidates)


@dataclass
class FoldNetworks:
    """The fused model of a portfolio's candidates.

    Attributes
    ----------
    train_model : keras.Model
        ``(batch, k, d)`` rows (or entries) to ``(batch, c k, m)`` logits.
    ensembles : list of keras.Model
        Candidate ``i``'s ensemble view, ``(n, d)`` to the mean of its heads'
        logits (:class:`~.layers.LogitAverage`); all share one input.
    groups : list of list of int
        Positions of candidate ``i``'s variables in ``train_model.variables``.
    """

    train_model: keras.Model
    ensembles: list
    groups: list


def build_portfolio(
    candidates,
    n_features,
    n_outputs,
    n_heads,
    *,
    meta=None,
    rng=None,
    link="sigmoid",
    sparse=False,
):
    """Build every candidate's ``n_heads`` heads into one model.

    With one candidate this is that candidate's fold-stacked MLP
    (:func:`~.builders.fold_mlp_layers`) or a user's network once per head
    (:func:`~.builders.user_networks`), with no name prefix.

    Parameters
    ----------
    candidates : list of Candidate
    n_features, n_outputs, n_heads : int
    meta : dict, default=None
        Facts passed to build functions (:func:`~.builders.user_networks`).
    rng : numpy.random.Generator or None
        Draws every layer's seed, candidate by candidate.
    link : {"sigmoid", "softmax"}, default="sigmoid"
    sparse : bool, default=False
        The MLP candidates' first layer works on sparse rows; build functions
        always get dense rows, so they cannot be combined with it.

    Returns
    -------
    FoldNetworks
    """
    if sparse and any(c.model is not None for c in candidates):
        raise ValueError("Build functions take dense rows, not sparse entries.")
    per_head, shared = head_inputs(n_features, n_heads, sparse)
    single = len(candidates) == 1
    outputs, averaged, owners = [], [], []
    for index, candidate in enumerate(candidates):
        prefix = "" if single else f"c{index}_"
        if candidate.model is None:
            sizes = tuple(candidate.hidden_layer_sizes)
            layers = fold_mlp_layers(
                n_features,
                n_outputs,
                n_heads,
                hidden_layer_sizes=sizes,
                activation=candidate.activation,
                dropout=candidate.dropout,
                seeds=draw_seeds(rng, 2 * len(sizes) + 1),
                sparse=sparse,
                weight_decay=candidate.weight_decay,
                scale=candidate.learning_rate_scale,
                prefix=prefix,
            )
            outputs.append(apply_layers(layers, per_head))
            heads = apply_layers(layers, shared)
        else:
            layers = user_networks(
                candidate.model,
                meta,
                candidate.model_kwargs or {},
                n_heads,
                rng,
                link,
                prefix,
            )
            _check_input_shape(layers[0], n_features, index, candidate, single)
            outputs.append(stack_heads(layers, per_head, prefix))
            heads = [network(shared) for network in layers]
        owners.append(layers)
        averaged.append(
            head_average(link, name=f"{prefix}average" if prefix else None)(heads)
        )
    if single:
        name = "fold_mlp" if candidates[0].model is None else "stacked_heads"
        train_model = keras.Model(per_head, outputs[0], name=name)
    else:
        fused = keras.layers.Concatenate(axis=1, name="candidates")(outputs)
        train_model = keras.Model(per_head, fused, name="portfolio")
    ensembles = [
        keras.Model(shared, output, name="cross_fit_ensemble") for output in averaged
    ]
    return FoldNetworks(train_model, ensembles, _variable_groups(train_model, owners))


def _check_input_shape(network, n_features, index, candidate, single):
    """Refuse a user's network whose input does not take the rows of ``X``.

    Keras's own error would not say which candidate it is.
    """
    shapes = [tuple(t.shape) for t in network.inputs]
    if len(shapes) == 1 and shapes[0][1:] in ((None,), (n_features,)):
        return
    what = (
        "model="
        if single and candidate.name == "model"
        else f"candidates[{index}] ({candidate.name!r})"
    )
    raise ValueError(
        f"The network of {what} expects input of shape "
        f"{shapes[0] if len(shapes) == 1 else shapes}, but X has {n_features} "
        f"features (rows of shape ({n_features},)). Build it on one "
        f"keras.Input(shape=({n_features},)) (in a build function: "
        "shape=(meta['n_features_in_'],))."
    )


def _variable_groups(model, owners):
    """Positions of each owner group's variables in ``model.variables``."""
    position = {id(v): i for i, v in enumerate(model.variables)}
    groups = [
        sorted(position[id(v)] for layer in layers for v in layer.variables)
        for layers in owners
    ]
    if sorted(i for group in groups for i in group) != list(range(len(position))):
        raise RuntimeError("The candidates' variables do not partition the model's.")
    return groups


def blend_model(ensembles, weights, link="sigmoid"):
    """The predicting model of a weighted blend of candidates.

    Parameters
    ----------
    ensembles : list of keras.Model
        The candidates' ensemble views, on one shared input
        (:attr:`FoldNetworks.ensembles`).
    weights : array-like of shape (n_candidates,)
        Non-negative; candidates of weight 0 are left out of the model.

    Returns
    -------
    keras.Model
        The one chosen candidate's ensemble view itself, or a model that maps
        the shared input to the logits of :math:`\\sum_i w_i p_i / \\sum_i
        w_i`, :math:`p_i` candidate ``i``'s probabilities.
    """
    weights = np.asarray(weights, dtype=np.float64)
    chosen = np.flatnonzero(weights > 0)
    if chosen.size == 0:
        raise ValueError("A blend needs a candidate of positive weight.")
    if chosen.size == 1:
        return ensembles[int(chosen[0])]
    outputs = [ensembles[int(i)].outputs[0] for i in chosen]
    average = blend_average(link, weights[chosen].tolist(), name="candidate_blend")
    return keras.Model(ensembles[0].input, average(outputs), name="candidate_blend")


def shifted_view(ensemble, offset, name=None):
    """A candidate's ensemble view moved onto another weighting's scale.

    Parameters
    ----------
    ensemble : keras.Model
        The candidate's ensemble view (logits).
    offset : array-like of shape (n_outputs,)
        Added to its logits (:class:`~.layers.LogitShift`).

    Returns
    -------
    keras.Model
        On the same input and layers as ``ensemble``.
    """
    shift = LogitShift(offset, name=f"{ensemble.name}_shift")
    return keras.Model(
        ensemble.input, shift(ensemble.outputs[0]), name=name or ensemble.name
    )


def candidate_view(train_model, active):
    """The training view of some of a portfolio's candidates, on the same layers.

    Once a candidate has stopped improving out of fold, its heads need no more
    steps: a view of the candidates still ``active`` trains only theirs. It
    shares the fused model's layers, so its variables are the fused model's
    (nothing is copied) and each active head's step is the one it took in the
    fused model (:class:`~.losses.HeadwiseLoss` sums the heads' losses, so a
    head's gradient does not depend on the others).

    Parameters
    ----------
    train_model : keras.Model
        A fused training view of several candidates (:func:`build_portfolio`,
        or its clone), whose ``"candidates"`` layer concatenates their heads.
    active : sequence of int
        Positions of the candidates to keep, increasing.

    Returns
    -------
    keras.Model
        The same inputs to the logits ``(batch, a k, m)`` of the ``a`` active
        candidates' heads, in the order of ``active``.
    """
    parts = train_model.get_layer("candidates").input
    outputs = [parts[int(i)] for i in active]
    if len(outputs) > 1:
        outputs = keras.layers.Concatenate(axis=1, name="active_candidates")(outputs)
    else:
        outputs = outputs[0]
    return keras.Model(train_model.input, outputs, name="active_candidates")
