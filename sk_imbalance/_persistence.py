"""Pickling of the fitted Keras network.

A fitted estimator is pickled with its network as a plain dict: the Keras
architecture config and the weight arrays. Unpickling rebuilds the network
with public Keras APIs only; nothing in Keras is patched. Custom layers in a
user's network must be registered with
``keras.saving.register_keras_serializable``, as for any Keras model.
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
    model = keras.saving.deserialize_keras_object(state["config"])
    model.set_weights(state["weights"])
    return model
