"""Building, training and calling the Keras network.

The network always ends in *logits*: the default MLP has a linear last layer,
and a user model whose last layer is a sigmoid has that activation switched to
linear, so the loss can be computed stably from logits. Probabilities are
computed in float64 outside Keras.
"""

from __future__ import annotations

import inspect
import math

import keras
import numpy as np
import scipy.sparse as sp

__all__ = ["build_mlp", "build_network", "train_network", "predict_logits"]

#: Rows per direct model call at predict time.
PREDICT_CHUNK = 8192


def _seed(rng):
    """Draw a Keras seed from a NumPy generator, or None when unseeded."""
    return None if rng is None else int(rng.integers(0, 2**31 - 1))


def build_mlp(meta, hidden_layer_sizes=(64,), activation="relu", dropout=0.2):
    """Default network: an MLP with one linear (logit) output per label.

    Parameters
    ----------
    meta : dict
        At least ``n_features_in_``, ``n_outputs_`` and ``seed`` (an int or
        None), as built by the estimator.
    hidden_layer_sizes : tuple of int, default=(64,)
        Units of each hidden ``Dense`` layer.
    activation : str, default="relu"
        Activation of the hidden layers.
    dropout : float, default=0.2
        Dropout rate after each hidden layer; 0 disables it.

    Returns
    -------
    keras.Model
        Uncompiled; its output has shape ``(None, n_outputs_)`` and holds logits.
    """
    seed = meta.get("seed")
    rng = None if seed is None else np.random.default_rng(seed)
    inputs = keras.Input(shape=(meta["n_features_in_"],), name="features")
    x = inputs
    for units in hidden_layer_sizes:
        x = keras.layers.Dense(
            int(units),
            activation=activation,
            kernel_initializer=keras.initializers.GlorotUniform(seed=_seed(rng)),
        )(x)
        if dropout:
            x = keras.layers.Dropout(float(dropout), seed=_seed(rng))(x)
    outputs = keras.layers.Dense(
        meta["n_outputs_"],
        kernel_initializer=keras.initializers.GlorotUniform(seed=_seed(rng)),
        name="logits",
    )(x)
    return keras.Model(inputs, outputs, name="weighted_multilabel_mlp")


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


def _output_to_logits(model, n_outputs):
    """Check the output of a user model and make it return logits.

    A final ``sigmoid`` activation is switched to ``linear`` in place (the model
    was just built for this fit), so the loss is computed from logits.
    """
    if len(model.outputs) != 1:
        raise ValueError(
            f"The model must have exactly one output; it has {len(model.outputs)}."
        )
    width = model.outputs[0].shape[-1]
    if width != n_outputs:
        raise ValueError(
            f"The model's output has {width} units but the target has {n_outputs} "
            f"label(s); end the model with Dense(meta['n_outputs_'])."
        )
    last = model.layers[-1]
    if isinstance(last, _ACTIVATION_LAYERS):
        raise ValueError(
            f"The model's last layer {last.name!r} is a {type(last).__name__} "
            "layer; a multi-label network must end in 'sigmoid' or 'linear' "
            "(logits), e.g. Dense(meta['n_outputs_'], activation='sigmoid')."
        )
    name = getattr(getattr(last, "activation", None), "__name__", "linear")
    if name == "sigmoid":
        last.activation = keras.activations.linear
    elif name != "linear":
        raise ValueError(
            f"The model's last layer {last.name!r} has activation {name!r}; a "
            "multi-label network must end in 'sigmoid' or 'linear' (logits)."
        )
    return model


def build_network(model, meta, model_kwargs, architecture):
    """Build the Keras network of one fit.

    Parameters
    ----------
    model : None, callable or keras.Model
        None builds :func:`build_mlp` with ``architecture``; a callable is a
        scikeras-style build function; a ``keras.Model`` is cloned (fresh
        weights).
    meta : dict
        Facts about the data, passed to build functions.
    model_kwargs : dict
        Keyword arguments for a build function.
    architecture : dict
        ``hidden_layer_sizes``, ``activation`` and ``dropout`` for the default.

    Returns
    -------
    keras.Model
        Uncompiled, ending in logits.
    """
    if model is None:
        return build_mlp(meta, **architecture)
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
    return _output_to_logits(network, meta["n_outputs_"])


class _ShuffledBatches(keras.utils.PyDataset):
    """Mini-batches in an order drawn from a seeded generator each epoch.

    Keras's own ``shuffle=True`` draws from the backend's global random state;
    shuffling here keeps a seeded fit reproducible without touching any global
    seed. Sparse rows are densified one batch at a time.
    """

    def __init__(self, X, Y, sample_weight, batch_size, rng):
        super().__init__()
        self.X, self.Y, self.sample_weight = X, Y, sample_weight
        self.batch_size = batch_size
        self.rng = rng
        self.order = self.rng.permutation(Y.shape[0])

    def __len__(self):
        return math.ceil(self.Y.shape[0] / self.batch_size)

    def __getitem__(self, index):
        rows = np.sort(
            self.order[index * self.batch_size : (index + 1) * self.batch_size]
        )
        X = self.X[rows]
        if sp.issparse(X):
            X = X.toarray()
        batch = (
            np.asarray(X, dtype=keras.config.floatx()),
            self.Y[rows].astype(keras.config.floatx()),
        )
        if self.sample_weight is not None:
            batch += (self.sample_weight[rows].astype(keras.config.floatx()),)
        return batch

    def on_epoch_end(self):
        self.order = self.rng.permutation(self.Y.shape[0])


def make_optimizer(optimizer, learning_rate):
    """A fresh optimizer instance from a name or an instance to copy."""
    if isinstance(optimizer, str):
        instance = keras.optimizers.get(optimizer)
    elif isinstance(optimizer, keras.optimizers.Optimizer):
        instance = optimizer
    else:
        raise ValueError(
            f"optimizer must be a Keras optimizer name such as 'adam' or a "
            f"keras.optimizers.Optimizer; got {type(optimizer).__name__}."
        )
    config = instance.get_config()
    if learning_rate is not None:
        config["learning_rate"] = float(learning_rate)
    return type(instance).from_config(config)


def train_network(
    network,
    X,
    Y,
    sample_weight,
    *,
    loss,
    optimizer,
    learning_rate,
    epochs,
    batch_size,
    rng,
    verbose=0,
):
    """Compile and train ``network`` on ``(X, Y)``.

    Parameters
    ----------
    network : keras.Model
    X : ndarray or sparse matrix of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_outputs)
    sample_weight : ndarray of shape (n_samples,) or None
    loss : keras.losses.Loss
    optimizer : str or keras.optimizers.Optimizer
    learning_rate : float or None
    epochs, batch_size : int
    rng : numpy.random.Generator
        Draws the mini-batch order.
    verbose : int, default=0

    Returns
    -------
    history : dict
        Keras's ``History.history``: per-epoch losses.
    """
    network.compile(
        optimizer=make_optimizer(optimizer, learning_rate), loss=loss, jit_compile=False
    )
    batches = _ShuffledBatches(X, Y, sample_weight, min(batch_size, Y.shape[0]), rng)
    history = network.fit(batches, epochs=epochs, verbose=verbose, shuffle=False)
    return {key: [float(v) for v in values] for key, values in history.history.items()}


def predict_logits(network, X):
    """Logits of ``X`` in float64, calling the model directly.

    ``model.predict`` sets up a data pipeline and a compiled function on every
    call, which costs tens of milliseconds even for one row; a direct call in
    chunks costs one forward pass.

    Parameters
    ----------
    network : keras.Model
    X : ndarray or sparse matrix of shape (n_samples, n_features)

    Returns
    -------
    logits : ndarray of shape (n_samples, n_outputs), dtype float64
    """
    chunks = []
    for start in range(0, X.shape[0], PREDICT_CHUNK):
        block = X[start : start + PREDICT_CHUNK]
        if sp.issparse(block):
            block = block.toarray()
        block = np.asarray(block, dtype=keras.config.floatx())
        chunks.append(keras.ops.convert_to_numpy(network(block, training=False)))
    return np.concatenate(chunks).astype(np.float64, copy=False)
