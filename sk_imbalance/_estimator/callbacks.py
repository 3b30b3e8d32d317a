"""Progress through scikit-learn's callback API (scikit-learn >= 1.9).

scikit-learn 1.9's ``sklearn.callback`` lets an estimator report the tasks of
its ``fit`` to callbacks such as ``ProgressBar``; ``GridSearchCV`` and
``Pipeline`` pass their callbacks on to estimators that support them. With an
older scikit-learn the mixin and decorator below are no-op stand-ins and the
estimator works unchanged.

The tasks a fit reports: the root ``fit`` task, one subtask per epoch of the
cross-fit (at most ``epochs``), and within each epoch one leaf task per fold
(head). The heads train together, in one model, so a fold's task is reported
when the epoch's training and scoring are done, with the fold's row counts and
the epoch's logs as metadata. A callback whose ``on_fit_task_end`` returns
True for an epoch stops training after that epoch, as early stopping does.
"""

from __future__ import annotations

import keras

try:  # scikit-learn >= 1.9
    from sklearn.callback import CallbackSupportMixin, with_callbacks

    HAS_SKLEARN_CALLBACKS = True
except ImportError:  # pragma: no cover - depends on the installed scikit-learn
    HAS_SKLEARN_CALLBACKS = False

    class CallbackSupportMixin:
        """Stand-in for scikit-learn < 1.9: no callback support."""

    def with_callbacks(method):
        return method


__all__ = [
    "HAS_SKLEARN_CALLBACKS",
    "CallbackSupportMixin",
    "with_callbacks",
    "fit_context",
    "TaskReporter",
]


def fit_context(estimator, max_epochs):
    """The root callback context of ``estimator``'s fit, or None without support."""
    if not HAS_SKLEARN_CALLBACKS:
        return None
    return estimator._init_callback_context(task_name="fit", max_subtasks=max_epochs)


class TaskReporter(keras.callbacks.Callback):
    """A Keras callback that reports epochs and folds to scikit-learn's callbacks.

    Parameters
    ----------
    estimator : estimator
        The estimator whose fit runs.
    context : sklearn.callback.CallbackContext
        Its root context (:func:`fit_context`).
    X, y : array-like
        The training data, passed to the hooks.
    splits : list of (ndarray, ndarray)
        The heads' ``(train, held-out)`` rows.
    """

    def __init__(self, estimator, context, X, y, splits):
        super().__init__()
        self.estimator = estimator
        self.context = context
        self.X, self.y = X, y
        self.splits = splits
        self._epoch = None

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = self.context.subcontext(
            task_name="epoch", max_subtasks=len(self.splits)
        )
        self._epoch.call_on_fit_task_begin(
            estimator=self.estimator, X=self.X, y=self.y, metadata={"epoch": epoch + 1}
        )

    def on_epoch_end(self, epoch, logs=None):
        logs = dict(logs or {})
        for index, (train, held) in enumerate(self.splits):
            fold = self._epoch.subcontext(task_name="fold")
            metadata = {
                "epoch": epoch + 1,
                "fold": index,
                "n_train": len(train),
                "n_held_out": len(held),
            }
            fold.call_on_fit_task_begin(
                estimator=self.estimator, X=self.X, y=self.y, metadata=metadata
            )
            fold.call_on_fit_task_end(
                estimator=self.estimator,
                X=self.X,
                y=self.y,
                metadata={**metadata, **logs},
            )
        stop = self._epoch.call_on_fit_task_end(
            estimator=self.estimator,
            X=self.X,
            y=self.y,
            metadata={"epoch": epoch + 1, **logs},
        )
        if stop:
            self.model.stop_training = True
