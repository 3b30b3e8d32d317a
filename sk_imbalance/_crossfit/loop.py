r"""Cross-fitting in one Keras model: the k fold heads trained together.

With k-fold cross-fitting the estimator needs ``k`` networks, network ``j``
trained on every fold but fold ``j``, and its out-of-fold scores (each row
scored by the network that did not train on it). Here the ``k`` networks are
the heads of one model (:mod:`.._nn.layers`) trained in one loop:

- **Own rows only.** Each step feeds a batch of shape ``(batch, k, d)``: slot
  ``j`` holds rows drawn from head ``j``'s own training rows, so a head never
  sees a row it holds out, whatever its layers (batch normalisation included).
  Each head takes the steps a separate fit would, ``ceil(n_j / batch)`` per
  epoch, all batches full (a head's epoch wraps into its next shuffle), so the
  traced step has one shape.
- **The held-out folds choose the training length.** After every epoch each
  head scores its own held-out rows (one forward pass over ``n`` rows in all),
  the caller's ``score`` is taken on those out-of-fold probabilities, and the
  weights of the best epoch are kept; training stops after ``patience``
  epochs without improvement. An epoch before each head has taken
  :data:`MIN_STEPS` optimizer steps is never kept: on a few hundred rows an
  epoch is five steps, and a network that has not learnt (its probabilities
  still near where they started) can score best out of fold by predicting
  every rare label everywhere.
- **Candidates of several weightings.** Each candidate trains on its own
  weighting's element weights (``targets`` of several weightings and
  ``target_of``), and its held-out logits are moved by ``offsets`` onto one
  scale (:mod:`.._decisions.weightings`) before they are scored, so that
  every epoch, candidate and blend is judged as the decisions will use it.
- **One traced step across fits.** The compiled model comes from
  :mod:`.trainer_cache`, so a grid search traces its training step once per
  configuration rather than once per fit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import keras
import numpy as np

from .._nn.losses import HeadwiseLoss
from .._nn.optimizers import make_optimizer
from .._nn.portfolio import FoldNetworks, candidate_view, shifted_view
from .._nn.sparse_layer import is_sparse_model, set_row_penalties
from .feed import RowFeed
from .oof import between_head_variance, held_out_slots, out_of_fold_proba
from .steps import EpochSteps
from .trainer_cache import acquire_trainer, configuration_key, release_trainer

#: Optimizer steps each head takes before an epoch may be kept (the epoch
#: floor is ``ceil(MIN_STEPS / steps_per_epoch)``). Chosen on the recorded
#: per-epoch out-of-fold curves of benchmarks/weighting_portfolio.py: it
#: stops the fits that kept epoch 1 or 2 (5 to 10 steps) of an untrained
#: network, and leaves the others' out-of-fold objective where it was (see
#: the docs, results, studies, *The epoch floor*).
MIN_STEPS = 30

__all__ = [
    "MIN_STEPS",
    "CrossFitResult",
    "CandidateResult",
    "head_batches",
    "fit_heads",
    "cross_fit",
    "follow_learning_rate",
]


@dataclass(frozen=True)
class CrossFitResult:
    """What one cross-fit returns.

    With several candidates (:mod:`.._nn.portfolio`), ``model``, ``proba``,
    ``n_epochs`` and ``history`` are the first candidate's, and
    ``candidates`` holds each one's. The estimator's choice among them
    (:mod:`.._decisions.selection`) is a separate value: the result is
    frozen.

    Attributes
    ----------
    model : keras.Model
        Ensemble view: ``(n, d)`` to the mean of the heads' logits,
        with the chosen epoch's weights.
    proba : ndarray of shape (n_samples, n_outputs)
        Out-of-fold probabilities at the chosen epoch: row ``i`` is the mean
        over the heads that held it out; NaN for rows no head held out.
    held : ndarray of shape (n_samples,), dtype bool
        Rows held out by at least one head.
    n_epochs : int
        The chosen epoch (1-based): the one whose weights ``model`` holds.
    history : dict of list
        ``"loss"``: training loss per epoch (mean over heads);
        ``"oof_score"``: the out-of-fold score per epoch where it was taken.
    candidates : list of CandidateResult
        One per candidate, in order.
    held_sets : list of ndarray
        The rows each head held out, one array per head (fold).
    train_sets : list of ndarray
        The rows each head trained on.
    between_cov : ndarray of shape (n_candidates, n_candidates, n_outputs) or None
        With several sigmoid candidates, the covariance between candidates
        of their heads' deviations on one row
        (:func:`~.oof.between_head_variance` with ``covariance=True``), whose
        diagonal is each candidate's ``between``; None otherwise.
    """

    model: keras.Model
    proba: np.ndarray
    held: np.ndarray
    n_epochs: int
    history: dict = field(default_factory=dict)
    candidates: list = field(default_factory=list)
    held_sets: list = field(default_factory=list)
    train_sets: list = field(default_factory=list)
    between_cov: np.ndarray | None = None


@dataclass(frozen=True)
class CandidateResult:
    """One candidate's part of a cross-fit.

    Attributes
    ----------
    model : keras.Model
        Its ensemble view (the mean of its heads' logits).
    proba : ndarray of shape (n_samples, n_outputs)
        Its out-of-fold probabilities at its chosen epoch.
    n_epochs : int
        Its chosen epoch.
    history : dict of list
        ``"loss"`` (of the fused model, shared by all candidates) and its own
        ``"oof_score"``.
    between : ndarray of shape (n_outputs,) or None
        The variance of its heads' logits on one row, between the heads that
        trained on it (:func:`~.oof.between_head_variance`): how much
        narrower the ensemble's scores are than the out-of-fold ones. None
        for a softmax, or with fewer than 3 heads.
    """

    model: keras.Model
    proba: np.ndarray
    n_epochs: int
    history: dict
    between: np.ndarray | None = None


def head_batches(train_sets, batch_size, rng):
    """One epoch of mini-batches for every head: indices of shape (steps, batch, k).

    Head ``j`` walks through a fresh shuffle of its own rows ``train_sets[j]``;
    the epoch lasts ``ceil(max_j n_j / batch_size)`` full batches, so a head
    with fewer rows continues into another shuffle of its rows.

    Parameters
    ----------
    train_sets : list of ndarray
    batch_size : int
    rng : numpy.random.Generator

    Returns
    -------
    ndarray of shape (steps, batch_size, k), dtype intp
    """
    steps = math.ceil(max(len(rows) for rows in train_sets) / batch_size)
    needed = steps * batch_size
    columns = []
    for rows in train_sets:
        order = [rng.permutation(rows)]
        while sum(len(o) for o in order) < needed:
            order.append(rng.permutation(rows))
        columns.append(np.concatenate(order)[:needed])
    return np.stack(columns, axis=1).reshape(steps, batch_size, len(train_sets))


def fit_heads(
    trainer,
    X,
    targets,
    splits,
    *,
    epochs,
    patience,
    batch_size,
    rng,
    score,
    verbose=0,
    callbacks=None,
    link="sigmoid",
    keep=None,
    groups=None,
    views=None,
    target_of=None,
    offsets=None,
):
    """Train the heads of a compiled training view; keep each candidate's best epoch.

    Parameters
    ----------
    trainer : keras.Model
        Compiled training view with ``c k`` heads (``c`` candidates of ``k =
        len(splits)`` heads each, :mod:`.._nn.portfolio`) and
        :class:`~sk_imbalance._nn.losses.HeadwiseLoss`.
    X : ndarray or sparse matrix of shape (n_samples, n_features)
    targets : ndarray of shape ([n_weightings,] n_samples, 2 * n_outputs)
        0/1 targets followed by their element weights, float32; one such
        matrix per weighting when candidates train under several.
    splits : list of (ndarray, ndarray)
        ``(train_rows, held_rows)`` of each head.
    epochs : int or list of int
        Maximum number of epochs; with ``patience=None``, a list gives each
        candidate's number of epochs (the longest is trained, each candidate
        keeps its weights of its own last epoch).
    patience : int or None
        A candidate stops improving after this many epochs without a better
        out-of-fold score and keeps its best epoch's weights; training stops
        when every candidate has. None trains every epoch, keeps the last
        weights and scores out of fold only at the end.
    batch_size : int
    rng : numpy.random.Generator
        Draws the batches.
    score : callable
        ``score(held, proba)`` with ``held`` the held-out mask and ``proba``
        their out-of-fold probabilities; higher is better.
    verbose : int, default=0
        1 or more prints one line per epoch.
    callbacks : list of keras.callbacks.Callback, default=None
        Called as ``model.fit`` would call them, with ``trainer`` (the fused
        training view of all heads) as their model: ``on_train_begin``,
        ``on_epoch_begin``, ``on_train_batch_end`` with ``{"loss": ...}`` (the
        step's loss, mean over heads), ``on_epoch_end`` with ``{"loss": ...,
        "oof_score": ...}`` (the latter on epochs that are scored: the best
        candidate's score that epoch) and ``on_train_end``. A callback that
        sets ``model.stop_training`` (as ``EarlyStopping`` does) ends training
        after that epoch. The learning rate they set on ``trainer``'s
        optimizer reaches the view that steps once candidates have stopped
        (:func:`follow_learning_rate`), at each epoch's start and after each
        batch's callbacks.
    link : {"sigmoid", "softmax"}, default="sigmoid"
        How the held-out logits become probabilities (:func:`out_of_fold_proba`).
    keep : keras.Model, default=None
        A model with ``trainer``'s variables that receives each candidate's
        chosen weights (assigned in place, at each better epoch); ``trainer``
        then keeps its last weights. None keeps the best weights as arrays and
        restores them into ``trainer``: one more copy of every weight, which
        at vocabulary scale is the largest thing a fit holds.
    groups : list of list of int, default=None
        Positions of each candidate's variables in ``trainer.variables``
        (:class:`~.._nn.portfolio.FoldNetworks`); None: one candidate.
    views : callable, default=None
        ``views(active, source)`` returns a compiled view of ``trainer`` that
        trains only the candidates ``active`` (a tuple of positions), on the
        same variables, its optimizer continuing ``source``'s state (see
        :meth:`.trainer_cache._Trainer.view`), or None. When a candidate
        stops, the epochs after train and score only the candidates still
        running: a stopped candidate costs nothing more. None: every
        candidate's heads train until the last one stops.
    target_of : sequence of int, default=None
        With 3-D ``targets``, the weighting each candidate trains under.
    offsets : ndarray of shape (n_candidates, n_outputs), default=None
        Added to each candidate's held-out logits before they become
        probabilities and are scored (the reference weighting's scale).

    Returns
    -------
    proba : ndarray of shape (n_candidates, n_samples, n_outputs)
        Each candidate's out-of-fold probabilities at its chosen epoch (NaN
        for rows not held out).
    held : ndarray of shape (n_samples,), dtype bool
        Rows held out by at least one head.
    n_epochs : list of int
        Each candidate's chosen epoch.
    history : dict of list
        ``"loss"``: the training loss per epoch (mean over the heads that
        trained that epoch); ``"oof_score"``: one list per candidate, its score
        per scored epoch (with ``views``, up to the epoch it stopped).
    """
    variables = trainer.variables
    if groups is None:
        groups = [list(range(len(variables)))]
    n_candidates = len(groups)
    n_outputs = targets.shape[-1] // 2
    if targets.ndim == 3 and (target_of is None or len(target_of) != n_candidates):
        raise ValueError("Targets of several weightings need target_of, one each.")
    feed = RowFeed(trainer, X, len(splits))
    train_sets = [train for train, _ in splits]
    slots = held_out_slots([held for _, held in splits])
    held = np.zeros(X.shape[0], dtype=bool)
    held[slots[slots >= 0]] = True
    history = {"loss": [], "oof_score": [[] for _ in groups]}
    stop_at = list(epochs) if isinstance(epochs, (list, tuple)) else None
    if stop_at is not None:
        if patience is not None or len(stop_at) != n_candidates:
            raise ValueError("Epochs per candidate need patience=None, one each.")
        epochs = max(stop_at)
    best = [[-np.inf, 0, None] for _ in groups]  # score, epoch, weights
    proba = np.full((n_candidates, X.shape[0], n_outputs), np.nan)
    chosen = proba.copy()
    running = np.ones(n_candidates, dtype=bool)
    kept = [0] * n_candidates
    keep_variables = None if keep is None else keep.variables
    hooks = keras.callbacks.CallbackList(
        list(callbacks or []), model=trainer, epochs=epochs, verbose=0
    )

    model, active = trainer, tuple(range(n_candidates))  # what steps, and whom

    def score_held_out(epoch):
        """Score the active candidates; their rows of ``proba`` are refreshed."""
        fresh = out_of_fold_proba(
            model,
            feed,
            slots,
            n_outputs,
            link,
            offsets=None if offsets is None else offsets[list(active)],
        )
        if not np.all(np.isfinite(fresh[:, held])):
            _diverged("The held-out predictions are not finite", epoch)
        current = np.full(n_candidates, np.nan)
        for position, i in enumerate(active):
            proba[i] = fresh[position]
            current[i] = float(score(held, fresh[position][held]))
            history["oof_score"][i].append(current[i])
        return current

    def keep_weights(i):
        """Candidate ``i``'s current weights become its chosen ones."""
        if keep_variables is not None:
            for position in groups[i]:
                keep_variables[position].assign(variables[position].value)
            return True
        return [variables[position].numpy() for position in groups[i]]

    def follow_callbacks():
        """The view that steps takes the learning rate callbacks set on ``trainer``."""
        if model is not trainer:
            follow_learning_rate(trainer.optimizer, model.optimizer)

    per_epoch = math.ceil(max(len(rows) for rows in train_sets) / batch_size)
    first_kept = math.ceil(MIN_STEPS / per_epoch)  # the epoch floor
    steps = EpochSteps(trainer)
    trainer.stop_training = False
    hooks.on_train_begin()
    for epoch in range(1, epochs + 1):
        hooks.on_epoch_begin(epoch - 1)
        follow_callbacks()
        steps.begin_epoch()
        n_heads = len(splits) * len(active)
        for step, batch in enumerate(head_batches(train_sets, batch_size, rng)):
            if targets.ndim == 3:  # each candidate its own weighting
                batch_targets = np.concatenate(
                    [targets[target_of[i]][batch] for i in active], axis=1
                )
            else:
                batch_targets = targets[batch]
                if len(active) > 1:
                    batch_targets = np.tile(batch_targets, (1, len(active), 1))
            steps.step(feed.inputs(batch), batch_targets)
            if callbacks:
                hooks.on_train_batch_end(step, {"loss": steps.loss() / n_heads})
                follow_callbacks()
        epoch_loss = steps.loss() / n_heads
        if not np.isfinite(epoch_loss):
            _diverged(f"The training loss is {epoch_loss}", epoch)
        history["loss"].append(epoch_loss)
        if stop_at is not None:
            for i, last in enumerate(stop_at):
                if last == epoch and keep is not None:
                    keep_weights(i)
                    kept[i] = epoch
        logs = {"loss": epoch_loss}
        scored = not ((patience is None and epoch < epochs) or not held.any())
        if scored:
            current = score_held_out(epoch)
            logs["oof_score"] = float(np.nanmax(current))
            if verbose:
                shown = " ".join(
                    "-" if np.isnan(value) else f"{value:.4f}" for value in current
                )
                print(f"epoch {epoch}/{epochs} - loss {epoch_loss:.4f} - oof {shown}")
        hooks.on_epoch_end(epoch - 1, logs)
        if not scored:
            if trainer.stop_training:  # a callback ended training: score it now
                if held.any():
                    score_held_out(epoch)
                break
            continue
        if patience is not None and epoch >= first_kept:
            for i in np.flatnonzero(running):
                if current[i] > best[i][0] or best[i][2] is None:
                    best[i] = [current[i], epoch, keep_weights(i)]
                    chosen[i] = proba[i]
                elif epoch - best[i][1] >= patience:
                    running[i] = False
            if not running.any():
                break
            now = tuple(int(i) for i in np.flatnonzero(running))
            if views is not None and now != active:
                view = views(now, model)
                if view is not None:
                    model, active = view, now
                    steps = EpochSteps(model)
        if trainer.stop_training:
            break
    hooks.on_train_end(logs)
    if not all(
        bool(keras.ops.all(keras.ops.isfinite(w.value)))
        for w in trainer.trainable_weights
    ):
        _diverged("The network's weights are not finite", epoch)
    if patience is None or best[0][2] is None:
        if keep is not None:
            for i in range(n_candidates):
                if not kept[i]:
                    keep_weights(i)
                    kept[i] = epoch
        n_epochs = [kept[i] or epoch for i in range(n_candidates)]
        return proba, held, n_epochs, history
    if keep is None:
        for i, (_, chosen_epoch, weights) in enumerate(best):
            if chosen_epoch != epoch:
                for position, value in zip(groups[i], weights, strict=True):
                    variables[position].assign(value)
    return chosen, held, [b[1] for b in best], history


def follow_learning_rate(source, target):
    """Give ``target`` the learning rate ``source`` has now.

    Callbacks (``LearningRateScheduler``, ``ReduceLROnPlateau``) set the
    learning rate of the fused training view's optimizer; once candidates
    stop, a view with its own optimizer steps instead
    (:meth:`.trainer_cache._Trainer.view`), and it follows. A learning rate
    given as a schedule is not settable; the view's optimizer has the same
    schedule and step count, so nothing is copied.
    """
    rate = getattr(source, "_learning_rate", None)
    if isinstance(rate, keras.Variable) and isinstance(
        getattr(target, "_learning_rate", None), keras.Variable
    ):
        target.learning_rate = rate.value


def _diverged(what, epoch):
    raise FloatingPointError(
        f"{what} at epoch {epoch}: the network diverged. Lower learning_rate, or "
        "scale the features (e.g. StandardScaler in a Pipeline)."
    )


def _optimizer_spec(optimizer, learning_rate, sparse_rows=False):
    """The optimizer's class and config, without its auto-numbered name."""
    made = make_optimizer(optimizer, learning_rate, sparse_rows=sparse_rows)
    config = {k: v for k, v in made.get_config().items() if k != "name"}
    return {"class": type(made).__qualname__, "config": config}


def cross_fit(
    build,
    X,
    targets,
    splits,
    *,
    loss,
    focal_gamma=2.0,
    optimizer,
    learning_rate,
    epochs,
    patience,
    batch_size,
    rng,
    score,
    verbose=0,
    callbacks=None,
    measure_spread=True,
    target_of=None,
    offsets=None,
):
    """Build, train and score the heads of one fit.

    Parameters
    ----------
    build : callable
        ``build(n_heads)`` returns the fit's fresh ``(train_model,
        ensemble_model)`` (see :mod:`.._nn.layers`), sharing layers, or the
        :class:`~.._nn.portfolio.FoldNetworks` of several candidates.
    X, targets, splits, epochs, patience, rng, score, verbose, callbacks
        See :func:`fit_heads` (``epochs`` may give each candidate its own).
    target_of, offsets
        See :func:`fit_heads`: candidates trained under several weightings.
        A candidate's ensemble view then ends in its offset
        (:class:`~.._nn.layers.LogitShift`), so that it predicts on the scale
        it was scored on.
    loss : str or HeadwiseLoss
        A :class:`~.._nn.losses.HeadwiseLoss` (its kind says whether the heads end
        in sigmoids or a softmax), or the kind of one.
    focal_gamma : float, default=2.0
        The focal kinds' gamma when ``loss`` is a str.
    optimizer : str or keras.optimizers.Optimizer
    learning_rate : float or None
    batch_size : int
        Capped at the smallest head's number of training rows.
    measure_spread : bool, default=True
        Measure each candidate's ``between`` (one more forward pass over the
        rows); False when the heads' mean will not predict.

    Returns
    -------
    CrossFitResult
    """
    networks = build(len(splits))
    if isinstance(networks, tuple):  # one network: (train_model, ensemble_model)
        networks = FoldNetworks(networks[0], [networks[1]], None)
    train_model = networks.train_model
    batch_size = min(batch_size, min(len(train) for train, _ in splits))
    if is_sparse_model(train_model):
        set_row_penalties(train_model, X, [train for train, _ in splits])
    head_loss = (
        loss if isinstance(loss, HeadwiseLoss) else HeadwiseLoss(loss, focal_gamma)
    )
    sparse = is_sparse_model(train_model)
    key = configuration_key(
        train_model,
        loss=head_loss.get_config(),
        optimizer=_optimizer_spec(optimizer, learning_rate, sparse),
        batch_size=batch_size,
    )
    trainer = acquire_trainer(
        train_model,
        key,
        head_loss,
        lambda: make_optimizer(optimizer, learning_rate, sparse_rows=sparse),
        candidate_view,
    )
    try:
        proba, held, n_epochs, history = fit_heads(
            trainer.model,
            X,
            targets,
            splits,
            epochs=epochs,
            patience=patience,
            batch_size=batch_size,
            rng=rng,
            score=score,
            verbose=verbose,
            callbacks=callbacks,
            link=head_loss.link,
            keep=train_model,
            groups=networks.groups,
            views=trainer.view if len(networks.ensembles) > 1 else None,
            target_of=target_of,
            offsets=offsets,
        )
        between, between_cov = None, None
        if measure_spread and head_loss.link == "sigmoid":
            between, between_cov = between_head_variance(
                train_model,
                X,
                [rows for rows, _ in splits],
                targets.shape[-1] // 2,
                covariance=True,
            )
        if between is None:
            between = [None] * len(networks.ensembles)
    finally:
        release_trainer(key, trainer)
    ensembles = list(networks.ensembles)
    if offsets is not None:
        ensembles = [
            model if not np.any(offset) else shifted_view(model, offset)
            for model, offset in zip(ensembles, offsets, strict=True)
        ]
    candidates = [
        CandidateResult(
            model,
            proba[i],
            n_epochs[i],
            {"loss": history["loss"], "oof_score": history["oof_score"][i]},
            between[i],
        )
        for i, model in enumerate(ensembles)
    ]
    first = candidates[0]
    return CrossFitResult(
        first.model,
        first.proba,
        held,
        first.n_epochs,
        first.history,
        candidates,
        [rows for _, rows in splits],
        [rows for rows, _ in splits],
        between_cov,
    )
