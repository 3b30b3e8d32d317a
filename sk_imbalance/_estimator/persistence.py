"""Persistence of the fitted Keras network: pickle and skops.

A fitted estimator is saved with its network as a plain dict: the Keras
architecture config (JSON-like) and the weight arrays. That is what pickle
stores, and what ``skops.io`` stores without trusting anything but the
estimator's own class. Loading rebuilds the network with public Keras APIs
only, in Keras's safe mode: a config that names a Python ``lambda`` (a
``Lambda`` layer), or a class Keras does not know, is refused with a
``ValueError`` rather than run. Custom layers in a user's network must be
registered with ``keras.saving.register_keras_serializable``, as for any Keras
model; a user who trusts a file that holds a ``Lambda`` layer can call
``keras.config.enable_unsafe_deserialization()`` before loading it.

:func:`load_skops` loads a skops file trusting the estimator classes and no
other sk_imbalance name: skops calls a trusted name it finds in a file (a
constructor node), so trusting one of the library's functions would let a
crafted file call it at load.
"""

from __future__ import annotations

import keras

__all__ = ["model_to_state", "model_from_state", "load_skops", "SKOPS_TRUSTED"]

_FORMAT = "sk_imbalance.keras_model.v1"

#: The sk_imbalance types that :func:`load_skops` trusts: the estimator
#: classes, the only ones a fitted estimator's skops file holds.
SKOPS_TRUSTED = (
    "sk_imbalance._estimator.multilabel.WeightedMultiLabelClassifier",
    "sk_imbalance._estimator.multiclass.WeightedMultiClassClassifier",
)


def model_to_state(model):
    """Picklable description of a Keras model: its config and its weights.

    Parameters
    ----------
    model : keras.Model

    Returns
    -------
    dict
        ``{"format", "config", "weights"}``; ``weights`` is a list of ndarrays.
    """
    return {
        "format": _FORMAT,
        "config": keras.saving.serialize_keras_object(model),
        "weights": model.get_weights(),
    }


def model_from_state(state):
    """Rebuild the model saved by :func:`model_to_state`.

    Parameters
    ----------
    state : dict

    Returns
    -------
    keras.Model
        Uncompiled, with the saved weights.
    """
    if (
        not isinstance(state, dict)
        or state.get("format") != _FORMAT
        or not {"config", "weights"} <= state.keys()
    ):
        raise ValueError(
            "The pickled WeightedMultiLabelClassifier holds an unknown network "
            f"format {state.get('format') if isinstance(state, dict) else state!r}; "
            "it was saved by another version of sk_imbalance."
        )
    try:
        model = keras.saving.deserialize_keras_object(state["config"])
    except (ValueError, TypeError) as error:
        raise ValueError(
            "The saved network cannot be rebuilt in Keras's safe mode, so it was "
            f"not loaded: {error} Only load files you trust; for a trusted file "
            "holding a Lambda layer call keras.config.enable_unsafe_deserialization() "
            "first, and register custom layers with "
            "keras.saving.register_keras_serializable."
        ) from error
    if not isinstance(model, keras.Model):
        raise ValueError(
            f"The saved network rebuilt as a {type(model).__name__}, not a "
            "keras.Model; the file was not written by sk_imbalance."
        )
    model.set_weights(state["weights"])
    return model


def _type_name(item):
    """The fully qualified name of a type, or the name itself, as skops takes it."""
    if isinstance(item, str):
        return item
    return f"{item.__module__}.{item.__qualname__}"


def load_skops(file, *, trusted=None):
    """Load a skops file of a fitted estimator, or a Pipeline holding one.

    ``skops.io.load`` with :data:`SKOPS_TRUSTED`, the two estimator classes,
    and nothing else of sk_imbalance: a file that names any other type or
    function of the library is refused before anything in it is built.
    Trusting every name ``skops.io.get_untrusted_types`` lists is not safe:
    skops calls a trusted name found in a file with the file's arguments, so
    a crafted file naming one of the library's functions would call it at
    load.

    Parameters
    ----------
    file : str, path, file-like or bytes
        The file (or its bytes) written by ``skops.io.dump`` (``dumps``).
    trusted : list of str or type, default=None
        Further types to trust, e.g. your own transformers in the Pipeline
        (scikit-learn's are trusted by skops already). Review each: a trusted
        name can be called by the file. Names from sk_imbalance are refused.

    Returns
    -------
    object
        The loaded estimator or Pipeline.

    Raises
    ------
    ValueError
        ``trusted`` names a type or function of sk_imbalance.
    skops.io.exceptions.UntrustedTypesFoundException
        The file holds a type that is not trusted.
    ImportError
        skops is not installed.

    Examples
    --------
    >>> import skops.io as sio  # doctest: +SKIP
    >>> sio.dump(clf, "model.skops")  # doctest: +SKIP
    >>> clf = load_skops("model.skops")  # doctest: +SKIP
    """
    try:
        import skops.io as sio
    except ImportError as error:  # pragma: no cover - depends on the env
        raise ImportError(
            'load_skops needs skops: pip install "sk_imbalance[skops]".'
        ) from error
    extra = [trusted] if isinstance(trusted, str | type) else list(trusted or ())
    ours = [
        name
        for name in map(_type_name, extra)
        if name.split(".")[0] == "sk_imbalance" and name not in SKOPS_TRUSTED
    ]
    if ours:
        raise ValueError(
            f"trusted={ours!r}: load_skops trusts sk_imbalance's estimator classes "
            "and nothing else of sk_imbalance, since skops calls a trusted name the "
            "file gives it. A fitted estimator's file holds no other sk_imbalance "
            "type; drop these names (if you wrote the file yourself, "
            "skops.io.load(file, trusted=[...]) takes any name, at your risk)."
        )
    trusted = [*SKOPS_TRUSTED, *extra]
    if isinstance(file, bytes | bytearray):
        return sio.loads(bytes(file), trusted=trusted)
    return sio.load(file, trusted=trusted)
