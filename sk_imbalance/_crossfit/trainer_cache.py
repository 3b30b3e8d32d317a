"""Compiled training models, kept and reused across fits.

Every new Keras model that is trained traces new TensorFlow functions, and
TensorFlow never frees them (tensorflow/tensorflow#62854,
keras-team/keras#17458): memory grows with every trained network, without
bound, in a long grid search. Here a compiled training model is kept per
*configuration* (architecture, loss, optimizer, batch size, shapes) and
reused by the next fit of the same configuration: its weights, seed states
and optimizer state are overwritten with the new fit's, so a reused model
trains exactly like a fresh one, and the traced step is reused instead of
traced again. Memory then grows with the number of distinct configurations,
not with the number of fits (measured in the docs: results, fit cost,
*Memory across many fits*).

A fit takes a model out of the cache for as long as it trains (so threads never
share one) and puts it back afterwards. At most :data:`MAX_CONFIGURATIONS`
configurations, and :data:`MAX_IDLE_BYTES` of weights and optimizer state, are
kept, least recently used first out. A trainer larger than that alone (a first
layer over a vocabulary of 100,000 words holds 64 M weights, three times over
with Adam's moments) is not kept: idle, it would hold more memory than its
traces leak, and its next fit traces again.
:func:`clear_trainer_cache` empties the cache.
"""

from __future__ import annotations

import json
import math
import threading
from collections import OrderedDict

import keras
import numpy as np

from .._nn.builders import copy_variables

__all__ = [
    "MAX_CONFIGURATIONS",
    "MAX_IDLE_BYTES",
    "acquire_trainer",
    "release_trainer",
    "clear_trainer_cache",
    "carry_optimizer_state",
]

#: Distinct configurations whose compiled training models are kept.
MAX_CONFIGURATIONS = 8

#: Bytes of variables (weights, seed states, optimizer state) the idle
#: trainers may hold in all.
MAX_IDLE_BYTES = 512 * 2**20

_LOCK = threading.Lock()
_IDLE: OrderedDict[str, list] = OrderedDict()


def _collect_names(config, names):
    """Every value of a ``"name"`` key in ``config``, in a structural order."""
    if isinstance(config, dict):
        for key in sorted(config):
            value = config[key]
            if key == "name" and isinstance(value, str):
                names.setdefault(value, f"#name{len(names)}")
            else:
                _collect_names(value, names)
    elif isinstance(config, (list, tuple)):
        for value in config:
            _collect_names(value, names)
    return names


def _canonical(config, names):
    """``config`` with names replaced by their positions and seeds removed."""
    if isinstance(config, dict):
        return {
            key: None if key == "seed" else _canonical(value, names)
            for key, value in config.items()
        }
    if isinstance(config, (list, tuple)):
        return [_canonical(value, names) for value in config]
    if isinstance(config, str):
        return names.get(config, config)
    return config


def configuration_key(train_model, **compile_spec):
    """A string that is equal for two fits exactly when one compiled model serves both.

    The model's serialised config with every name (layers, nested models,
    inputs: Keras numbers them globally) replaced by its position in the
    config, and every seed removed: they differ between fits but not in what
    is traced. The compile settings are added as given.

    Parameters
    ----------
    train_model : keras.Model
    **compile_spec
        JSON-serialisable settings that change the compiled step (loss,
        optimizer config, batch size).

    Returns
    -------
    str
    """
    config = keras.saving.serialize_keras_object(train_model)
    canonical = _canonical(config, _collect_names(config, {}))
    return json.dumps(
        {"model": canonical, **compile_spec}, sort_keys=True, default=repr
    )


def _compile(model, loss, optimizer):
    # No XLA: each fit calls train_on_batch on small tensors, where one XLA
    # compilation per configuration costs more than it saves on CPU, and
    # "auto" would make TensorFlow and JAX compile differently.
    model.compile(optimizer=optimizer, loss=loss, jit_compile=False)
    model.optimizer.build(model.trainable_variables)


def _nbytes(variables):
    return sum(math.prod(v.shape) * np.dtype(v.dtype).itemsize for v in variables)


def carry_optimizer_state(source, target):
    """Give ``target`` the state ``source`` holds for the same model variables.

    Two optimizers built on overlapping variables of one model name each
    slot after its variable (Keras: ``{variable.path}_{slot}``), and the step
    counter the same way in both. Every variable of ``target`` is assigned
    the value of ``source``'s of the same name, so ``target`` continues where
    ``source`` left off (Adam's moments and step, for its variables).

    Parameters
    ----------
    source, target : keras.optimizers.Optimizer
        Built.

    Returns
    -------
    bool
        False, with nothing assigned, when a name of ``target`` is missing in
        ``source`` or repeated in either (the state cannot be matched).
    """
    names = [v.name for v in source.variables]
    wanted = [v.name for v in target.variables]
    if len(set(names)) != len(names) or len(set(wanted)) != len(wanted):
        return False
    by_name = dict(zip(names, source.variables, strict=True))
    if not all(name in by_name for name in wanted):
        return False
    for variable in target.variables:
        variable.assign(by_name[variable.name].value)
    return True


class _Trainer:
    """A compiled training model, its optimizer's initial state, and its views.

    A view trains some of the model's candidates only, on the same variables
    (``make_view``, given by the caller: the cross-fit's is
    :func:`~.._nn.portfolio.candidate_view`); each is compiled once, with its
    own optimizer, and kept with the model, so a later fit that stops the
    same candidates reuses its traced step too.
    """

    def __init__(self, model, loss, optimizer, make_optimizer=None, make_view=None):
        _compile(model, loss, optimizer)
        self.model = model
        self._loss = loss
        self._make_optimizer = make_optimizer
        self._make_view = make_view
        self._views = {}
        # None for a variable that starts at zero (Adam's moments): no copy of
        # a vocabulary-sized table is kept for it
        self._optimizer_start = [
            None if not bool(keras.ops.any(v.value)) else v.numpy()
            for v in model.optimizer.variables
        ]
        self.nbytes = _nbytes([*model.variables, *model.optimizer.variables])

    def view(self, active, source):
        """The compiled view of candidates ``active``, continuing ``source``'s state.

        Parameters
        ----------
        active : tuple of int
            The candidates still training, increasing.
        source : keras.Model
            The compiled model (this trainer's, or one of its views) that
            trained them so far: its optimizer's state for their variables
            is carried over (:func:`carry_optimizer_state`).

        Returns
        -------
        keras.Model or None
            None when no view can be made (one candidate, a model that is not
            a portfolio, an optimizer whose state cannot be matched): the
            caller keeps training ``source``.
        """
        if self._make_optimizer is None or self._make_view is None:
            return None
        view = self._views.get(active)
        if view is None:
            try:
                view = self._make_view(self.model, active)
            except ValueError:  # e.g. no "candidates" layer: not a portfolio
                return None
            _compile(view, self._loss, self._make_optimizer())
            self._views[active] = view
            self.nbytes += _nbytes(view.optimizer.variables)
        if not carry_optimizer_state(source.optimizer, view.optimizer):
            return None
        return view

    def reset(self, fresh_model):
        """Take ``fresh_model``'s variables and restart the optimizer."""
        copy_variables(fresh_model, self.model)
        for variable, value in zip(
            self.model.optimizer.variables, self._optimizer_start, strict=True
        ):
            if value is None:
                variable.assign(keras.ops.zeros(variable.shape, variable.dtype))
            else:
                variable.assign(value)


def acquire_trainer(fresh_model, key, loss, make_optimizer, make_view=None):
    """A compiled training model with ``fresh_model``'s architecture and variables.

    Parameters
    ----------
    fresh_model : keras.Model
        The fit's own, freshly initialised training model. It is not compiled
        or trained; a clone of it is, the first time its configuration is seen.
    key : str
        From :func:`configuration_key`.
    loss : keras.losses.Loss
    make_optimizer : callable
        Returns a fresh optimizer.
    make_view : callable, default=None
        ``make_view(model, active)`` returns the training view of the
        candidates ``active`` (a tuple of positions) on ``model``'s variables,
        or raises ``ValueError`` when ``model`` has no candidates
        (:func:`~.._nn.portfolio.candidate_view`). It is kept with a new
        trainer, whose :meth:`_Trainer.view` then makes its views; None: no
        views.

    Returns
    -------
    _Trainer
        Its ``model`` holds ``fresh_model``'s variables and a reset optimizer.
        Give it back with :func:`release_trainer`.
    """
    with _LOCK:
        idle = _IDLE.get(key)
        trainer = idle.pop() if idle else None
        if key in _IDLE:
            _IDLE.move_to_end(key)
    if trainer is None:
        trainer = _Trainer(
            keras.models.clone_model(fresh_model),
            loss,
            make_optimizer(),
            make_optimizer,
            make_view,
        )
    trainer.reset(fresh_model)
    return trainer


def release_trainer(key, trainer):
    """Put a trainer back for the next fit of the same configuration.

    A trainer over :data:`MAX_IDLE_BYTES` is dropped; older configurations
    are dropped while more than :data:`MAX_CONFIGURATIONS`, or more than
    :data:`MAX_IDLE_BYTES`, are kept.
    """
    if trainer.nbytes > MAX_IDLE_BYTES:
        return
    with _LOCK:
        _IDLE.setdefault(key, []).append(trainer)
        _IDLE.move_to_end(key)
        while len(_IDLE) > 1 and (
            len(_IDLE) > MAX_CONFIGURATIONS or _idle_bytes() > MAX_IDLE_BYTES
        ):
            _IDLE.popitem(last=False)


def _idle_bytes():
    return sum(t.nbytes for trainers in _IDLE.values() for t in trainers)


def clear_trainer_cache():
    """Drop every kept training model (TensorFlow may still hold their traces)."""
    with _LOCK:
        _IDLE.clear()
