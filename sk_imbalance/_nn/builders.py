"""Building the networks: one user network, or k fold heads in one model.

The network always ends in *logits*: a user model whose last layer is a
sigmoid (a softmax, for the multiclass estimator) has that activation
switched to linear, so the loss can be computed stably from logits
(:func:`build_network`). The default MLP is built fold-stacked from the
start (:func:`fold_mlp_layers`, on :class:`~.layers.FoldDense`); a user's
build function is called ``k`` times and its ``k`` models are wired side by
side (:func:`user_networks`, :func:`stack_heads`).
"""

from __future__ import annotations

import inspect

import keras

from .layers import FoldDense, HeadSlice, StackHeads
from .sparse_layer import SparseFoldDense, sparse_inputs

__all__ = [
    "build_network",
    "draw_seeds",
    "fold_mlp_layers",
    "apply_layers",
    "head_inputs",
    "user_networks",
    "stack_heads",
    "copy_variables",
]


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


def draw_seeds(rng, n):
    """``n`` Keras seeds drawn up front from a NumPy generator (None if unseeded)."""
    if rng is None:
        return [None] * n
    return [int(s) for s in rng.integers(0, 2**31 - 1, size=n)]


def fold_mlp_layers(
    n_features,
    n_outputs,
    n_heads,
    *,
    hidden_layer_sizes,
    activation,
    dropout,
    seeds,
    sparse=False,
    weight_decay=0.0,
    scale=1.0,
    prefix="",
):
    """The layers of one fold-stacked MLP, in order.

    Each head is ``Dense(u_1, activation) -> Dropout -> ... -> Dense(n_outputs)``
    with a linear (logit) output, built from :class:`FoldDense` layers so that
    a layer of all heads is one batched matmul; each ``Dropout`` draws its mask
    per element of ``(batch, k, units)``, so per head. With ``sparse=True`` the
    first layer is :class:`~.sparse_layer.SparseFoldDense`, on the entries of
    sparse rows (:mod:`.sparse_layer`); the same ``seeds`` draw the same
    initial weights either way.

    ``seeds`` holds ``2 * len(hidden_layer_sizes) + 1`` Keras seeds (each
    hidden layer's kernel and dropout, then the output layer's kernel);
    ``weight_decay`` and ``scale`` go to every :class:`FoldDense` (and
    :class:`~.sparse_layer.SparseFoldDense`); ``prefix`` starts every layer's name.
    """
    sizes = [int(u) for u in hidden_layer_sizes]
    widths = [*sizes, n_outputs]
    layers = []
    for depth, units in enumerate(widths):
        last = depth == len(sizes)
        seed = seeds[-1] if last else seeds[2 * depth]
        name = prefix + ("fold_logits" if last else f"fold_dense_{depth}")
        options = {"seed": seed, "weight_decay": weight_decay, "scale": scale}
        if sparse and depth == 0:
            layer = SparseFoldDense(
                n_heads,
                n_features,
                units,
                None if last else activation,
                name=f"sparse_{name}",
                **options,
            )
        else:
            layer = FoldDense(
                n_heads, units, None if last else activation, name=name, **options
            )
        layers.append(layer)
        if dropout and not last:
            layers.append(
                keras.layers.Dropout(
                    float(dropout),
                    seed=seeds[2 * depth + 1],
                    name=f"{prefix}dropout_{depth}",
                )
            )
    return layers


def apply_layers(layers, x):
    """Call ``layers`` in order on ``x``."""
    for layer in layers:
        x = layer(x)
    return x


def head_inputs(n_features, n_heads, sparse=False):
    """The training view's and the ensemble view's ``keras.Input``.

    ``(batch, n_heads, n_features)`` and ``(batch, n_features)`` rows, or, with
    ``sparse=True``, the entries of sparse rows for each (:mod:`.sparse_layer`).
    """
    if sparse:
        return sparse_inputs(), sparse_inputs()
    return (
        keras.Input(shape=(n_heads, n_features), name="features_per_head"),
        keras.Input(shape=(n_features,), name="features"),
    )


def user_networks(
    model, meta, model_kwargs, n_heads, rng=None, link="sigmoid", prefix=""
):
    """``n_heads`` networks built from a user's model, each with its own seed."""
    networks = []
    for index, seed in enumerate(draw_seeds(rng, n_heads)):
        network = build_network(model, {**meta, "seed": seed}, model_kwargs, link)
        network.name = f"{prefix}head_{index}"
        networks.append(network)
    return networks


def stack_heads(networks, per_head, prefix=""):
    """Head ``j``'s network on slot ``j`` of ``per_head``: ``(batch, k, m)`` logits."""
    logits = [
        network(HeadSlice(index, name=f"{prefix}rows_of_head_{index}")(per_head))
        for index, network in enumerate(networks)
    ]
    return StackHeads(name=f"{prefix}stack_heads")(logits)


def copy_variables(source, target):
    """Assign every variable of ``source`` (weights and seed states) to ``target``."""
    src, dst = source.variables, target.variables
    if len(src) != len(dst) or any(
        tuple(a.shape) != tuple(b.shape) for a, b in zip(src, dst, strict=True)
    ):
        raise RuntimeError("The two models do not have the same variables.")
    for a, b in zip(src, dst, strict=True):
        b.assign(a.value)
