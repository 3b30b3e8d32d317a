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
"""

from __future__ import annotations

import keras

__all__ = ["model_to_state", "model_from_state"]

_FORMAT = "sk_imbalance.keras_model.v1"


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
