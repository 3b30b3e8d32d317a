"""Building one user network, the optimizer, and calling a fitted model.

The network always ends in *logits*: a user model whose last layer is a
sigmoid (a softmax, for the multiclass estimator) has that activation
switched to linear, so the loss can be computed
stably from logits. Probabilities are computed in float64 outside Keras. The
default MLP is built fold-stacked in :mod:`._heads`.
"""

from __future__ import annotations

import inspect

import keras
import numpy as np

from ._feed import RowFeed
from ._sparse import is_sparse_model, lazy_optimizer, sparse_heads

__all__ = ["build_network", "make_optimizer", "predict_logits"]

#: Rows per direct model call at predict time, at most: fewer where their
#: dense block would exceed :data:`._feed.CHUNK_BYTES` (wide ``X``).
PREDICT_CHUNK = 8192


def _call_build_function(build_fn, meta, model_kwargs):
    """Call a scikeras-style build function with the arguments it asks for.

    As in scikeras, ``meta`` and ``compile_kwargs`` are passed when the function
    names them (or takes ``**kwargs``); ``model_kwargs`` are passed by name.
    """
    parameters = inspect.signature(build_fn).parameters
    takes_var_kwargs = any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()
    )
    kwargs = dict(model_kwargs)
    if "meta" in parameters or takes_var_kwargs:
        kwargs["meta"] = dict(meta)
    if "compile_kwargs" in parameters:
        kwargs["compile_kwargs"] = {"optimizer": "adam", "loss": None}
    unknown = [k for k in model_kwargs if k not in parameters]
    if unknown and not takes_var_kwargs:
        raise ValueError(
            f"model_kwargs has keys {unknown} that the build function "
            f"{getattr(build_fn, '__name__', build_fn)!r} does not take; it takes "
            f"{list(parameters)}."
        )
    return build_fn(**kwargs)


#: Stand-alone activation layers, which have no ``activation`` attribute.
_ACTIVATION_LAYERS = (
    keras.layers.Softmax,
    keras.layers.ReLU,
    keras.layers.LeakyReLU,
    keras.layers.ELU,
    keras.layers.PReLU,
)


def _activation_name(layer):
    """Name of a layer's activation: its ``activation`` or an Activation layer's."""
    activation = getattr(layer, "activation", None)
    return getattr(activation, "__name__", None)


def _check_link_is_last(model, link):
    """Refuse the link (sigmoid or softmax) followed only by weightless layers.

    Such a model outputs probabilities from a layer that is not its last, so
    they would be read as logits: with a sigmoid every probability would land
    in [0.5, 0.73] and every label be predicted. A link followed by a layer
    with weights is a hidden activation, and fine.
    """
    layers = [
        layer
        for layer in model.layers
        if not isinstance(layer, keras.layers.InputLayer)
    ]
    for position, layer in enumerate(layers[:-1]):
        after = layers[position + 1 :]
        if _activation_name(layer) == link and not any(
            later.trainable_weights or later.non_trainable_weights for later in after
        ):
            raise ValueError(
                f"The model's {link} in layer {layer.name!r} is followed by "
                f"{', '.join(repr(later.name) for later in after)}, so the model's "
                f"output is not the {link}'s input (the logits) nor the {link} "
                f"itself. End the model with the {link} layer, e.g. "
                f"Dense(meta['n_outputs_'], activation='{link}'), or with linear "
                "logits."
            )


#: What a network of each link models, for error messages.
_KIND = {"sigmoid": "multi-label", "softmax": "multiclass"}


def _output_to_logits(model, n_outputs, link="sigmoid"):
    """Check the output of a user model and make it return logits.

    A final ``sigmoid`` (or, for ``link="softmax"``, ``softmax``) activation
    is switched to ``linear`` in place (the model was just built for this
    fit), so the loss is computed from logits.
    """
    if len(model.outputs) != 1:
        raise ValueError(
            f"The model must have exactly one output; it has {len(model.outputs)}."
        )
    width = model.outputs[0].shape[-1]
    if width != n_outputs:
        what = "label(s)" if link == "sigmoid" else "classes"
        raise ValueError(
            f"The model's output has {width} units but the target has {n_outputs} "
            f"{what}; end the model with Dense(meta['n_outputs_'])."
        )
    _check_link_is_last(model, link)
    last = model.layers[-1]
    if isinstance(last, _ACTIVATION_LAYERS):
        raise ValueError(
            f"The model's last layer {last.name!r} is a {type(last).__name__} "
            f"layer; a {_KIND[link]} network must end in {link!r} or 'linear' "
            f"(logits), e.g. Dense(meta['n_outputs_'], activation='{link}')."
        )
    name = getattr(getattr(last, "activation", None), "__name__", "linear")
    if name == link:
        last.activation = keras.activations.linear
    elif name != "linear":
        raise ValueError(
            f"The model's last layer {last.name!r} has activation {name!r}; a "
            f"{_KIND[link]} network must end in {link!r} or 'linear' (logits)."
        )
    return model


def build_network(model, meta, model_kwargs, link="sigmoid"):
    """Build one network from a user's model or build function.

    Parameters
    ----------
    model : callable or keras.Model
        A scikeras-style build function, or a ``keras.Model`` to clone (fresh
        weights).
    meta : dict
        Facts about the data, passed to build functions.
    model_kwargs : dict
        Keyword arguments for a build function.
    link : {"sigmoid", "softmax"}, default="sigmoid"
        The output's activation, switched to linear if the model ends in it.

    Returns
    -------
    keras.Model
        Uncompiled, ending in logits.
    """
    if isinstance(model, keras.Model):
        network = keras.models.clone_model(model)
    elif callable(model):
        network = _call_build_function(model, meta, model_kwargs)
        if not isinstance(network, keras.Model):
            raise ValueError(
                f"The build function passed as model= returned "
                f"{type(network).__name__}, not a keras.Model."
            )
    else:
        raise ValueError(
            f"model must be None, a keras.Model or a build function; got "
            f"{type(model).__name__}."
        )
    return _output_to_logits(network, meta["n_outputs_"], link)


#: Why a norm clip is refused, and the fix.
_COUPLES_HEADS = (
    "every head of the fit shares the fused kernels, so the norm is taken over "
    "all heads' gradients and head j's step is scaled by gradients of the rows "
    "it holds out",
    "clip element-wise with clipvalue, or do not clip",
)

#: Optimizer options refused on every network: why, and the fix.
_REFUSED_OPTIONS = {
    "use_ema": (
        "the cross-fit takes its steps one at a time and never swaps the moving "
        "average into the weights (Model.fit's finalize_variable_values), so the "
        "average would be silently ignored",
        "use the optimizer without use_ema",
    ),
    "clipnorm": _COUPLES_HEADS,
    "global_clipnorm": _COUPLES_HEADS,
}

#: Optimizer options refused on sparse rows (a first layer on the non-zeros).
_REFUSED_SPARSE_OPTIONS = {
    "weight_decay": (
        "on sparse rows Keras decays every row of the first layer's kernel every "
        "step, the rows the batch does not touch too, so the step is neither lazy "
        "nor cheap",
        "give a candidate a 'weight_decay' key (an L2 penalty on the rows each "
        "batch touches), e.g. candidates=[{'weight_decay': 1e-4}], or set "
        "sparse_layer=False",
    ),
    "gradient_accumulation_steps": (
        "on sparse rows the accumulated gradient of the first layer's kernel is "
        "dense, so every step updates every row",
        "raise batch_size instead, or set sparse_layer=False",
    ),
}


def check_optimizer_options(optimizer, instance, sparse_rows=False):
    """Refuse the optimizer options that break the heads' independence or laziness.

    ``use_ema`` is refused everywhere (the fit's loop never applies the
    average), ``clipnorm`` and ``global_clipnorm`` too (a norm over fused
    kernels couples the heads); ``clipvalue`` is element-wise and allowed.
    On sparse rows, ``weight_decay`` and ``gradient_accumulation_steps``
    update every row of the first layer each step (:class:`~._sparse.LazyAdam`
    updates the touched rows only), and are refused there.

    Parameters
    ----------
    optimizer : str or keras.optimizers.Optimizer
        The estimator's ``optimizer``, as given (for the message).
    instance : keras.optimizers.Optimizer
        The optimizer it names.
    sparse_rows : bool, default=False

    Raises
    ------
    ValueError
        Naming the option, its value and the fix.
    """
    config = instance.get_config()
    given = optimizer if isinstance(optimizer, str) else type(instance).__name__
    refused = dict(_REFUSED_OPTIONS)
    if sparse_rows:
        refused.update(_REFUSED_SPARSE_OPTIONS)
    for option, (why, fix) in refused.items():
        value = config.get(option)
        if value:
            raise ValueError(
                f"optimizer={given!r} has {option}={value!r}, which this estimator "
                f"refuses: {why}. Fix: {fix}."
            )


def make_optimizer(optimizer, learning_rate, sparse_rows=False):
    """A fresh optimizer instance from a name or an instance to copy.

    ``sparse_rows=True`` (a network on sparse rows) swaps plain Adam for
    :class:`~._sparse.LazyAdam`, which updates only the kernel rows a batch
    touched (:func:`~._sparse.lazy_optimizer`). Options that would couple the
    heads or update untouched rows are refused first
    (:func:`check_optimizer_options`).
    """
    if isinstance(optimizer, str):
        instance = keras.optimizers.get(optimizer)
    elif isinstance(optimizer, keras.optimizers.Optimizer):
        instance = optimizer
    else:
        raise ValueError(
            f"optimizer must be a Keras optimizer name such as 'adam' or a "
            f"keras.optimizers.Optimizer; got {type(optimizer).__name__}."
        )
    check_optimizer_options(optimizer, instance, sparse_rows)
    config = instance.get_config()
    if learning_rate is not None:
        config["learning_rate"] = float(learning_rate)
    made = type(instance).from_config(config)
    return lazy_optimizer(made) if sparse_rows else made


def predict_logits(network, X):
    """Logits of ``X`` in float64, calling the model directly.

    ``model.predict`` sets up a data pipeline and a compiled function on every
    call, which costs tens of milliseconds even for one row; a direct call in
    chunks costs one forward pass. Dense chunks hold :data:`PREDICT_CHUNK`
    rows, fewer where their block would exceed :data:`._feed.CHUNK_BYTES`. A
    network on sparse rows (:mod:`._sparse`) is given the entries of each
    chunk, every head the same rows; its chunks are bounded by their
    non-zeros.

    Parameters
    ----------
    network : keras.Model
    X : ndarray or sparse matrix of shape (n_samples, n_features)

    Returns
    -------
    logits : ndarray of shape (n_samples, n_outputs), dtype float64
    """
    rows = np.arange(X.shape[0])
    if is_sparse_model(network):
        n_heads = sparse_heads(network)
        rows = np.repeat(rows[:, np.newaxis], n_heads, axis=1)
        feed = RowFeed(network, X, n_heads)
        chunks = feed.chunks(rows)
    else:
        feed = RowFeed(network, X, 1, densify=False)
        chunks = feed.chunks(rows, max_rows=PREDICT_CHUNK)
    logits = [
        keras.ops.convert_to_numpy(network(feed.inputs(rows[chunk]), training=False))
        for chunk in chunks
    ]
    return np.concatenate(logits).astype(np.float64, copy=False)
