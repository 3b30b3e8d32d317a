"""How the fused training view takes its steps, and what an epoch's loss is.

A cross-fit epoch is a Python loop of single steps (:mod:`.loop` draws
each head's batch itself). ``keras.Model.train_on_batch`` is the portable way
to take one, but on every call it also resets the model's metrics (two
variable assignments) and converts the step's logs to Python floats. On a
small data set a step costs dispatch, not arithmetic, and those two cost
about a sixth of it on a 2-core CPU (yeast, the default portfolio).

:class:`EpochSteps` takes the first step of a fit with ``train_on_batch``
(which builds the model's metrics and compiled step) and, under TensorFlow,
the later ones through the same compiled step, ``model.train_function``,
resetting the metrics once per epoch as ``Model.fit`` does. The loss it
reports is then Keras's own running mean over the epoch's steps. Other
backends keep ``train_on_batch`` for every step and the mean of its losses.
"""

from __future__ import annotations

import keras
import numpy as np

__all__ = ["EpochSteps"]


class EpochSteps:
    """Steps of a compiled model, and the mean loss of the current epoch.

    Parameters
    ----------
    model : keras.Model
        Compiled (``loss`` and ``optimizer``); its metrics are reset at each
        :meth:`begin_epoch`.

    Examples
    --------
    >>> import keras, numpy as np
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> steps = EpochSteps(model)
    >>> steps.begin_epoch()
    >>> steps.step(np.ones((4, 2), "float32"), np.zeros((4, 1), "float32"))
    >>> bool(np.isfinite(steps.loss()))
    True
    """

    def __init__(self, model):
        self.model = model
        self._compiled = keras.backend.backend() == "tensorflow"
        self._built = False
        self._logs = None
        self._losses = []

    def begin_epoch(self):
        """Start a new epoch: the loss is averaged from here."""
        self._losses = []
        self._logs = None
        if self._built and self._compiled:
            self.model.reset_metrics()

    def step(self, x, y):
        """One optimizer step on the batch ``(x, y)``."""
        if self._built and self._compiled:
            self._logs = self.model.train_function([(x, y, None)])
            return
        self._logs = self.model.train_on_batch(x, y, return_dict=True)
        self._losses.append(float(self._logs["loss"]))
        self._built = True

    def loss(self):
        """The mean training loss over this epoch's steps so far (NaN before one)."""
        if self._logs is None:
            return float("nan")
        if self._compiled:
            return float(keras.ops.convert_to_numpy(self._logs["loss"]))
        return float(np.mean(self._losses))
