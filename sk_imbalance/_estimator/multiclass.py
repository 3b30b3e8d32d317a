"""WeightedMultiClassClassifier: a class-weighted softmax network for a 1-D target."""

from __future__ import annotations

from dataclasses import replace
from numbers import Real

import numpy as np
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import column_or_1d

from .._decisions.class_weights import (
    CLASS_WEIGHT_STRATEGIES,
    check_class_weights,
    warn_classes_missing_from_folds,
)
from .._decisions.multiclass import (
    DECISION_RULES,
    MULTICLASS_SCORINGS,
    MulticlassDecisions,
    decide_multiclass,
    fit_multiclass_decisions,
    multiclass_score,
    to_log_proba,
)
from .._decisions.scores import combine_weights
from .._decisions.thresholds import SHRINKAGE
from .._nn.losses import HeadwiseLoss
from .._nn.portfolio import ONE_MLP
from ..report import class_report
from .base import COMMON_CONSTRAINTS, CrossFitClassifier
from .callbacks import with_callbacks
from .fit_data import FitData, pack_targets
from .params import Custom, Number, Options
from .validation import check_float32_range, check_sample_weight

__all__ = ["WeightedMultiClassClassifier"]

#: The estimator's ``loss`` names and the :class:`HeadwiseLoss` kinds they train.
MULTICLASS_LOSSES = {
    "cross_entropy": "cross_entropy",
    "focal": "softmax_focal",
    "expected_cost": "expected_cost",
}


class WeightedMultiClassClassifier(CrossFitClassifier):
    r"""Keras softmax network for imbalanced binary or multiclass data.

    ``fit`` computes one weight per class from the target it is given, trains
    a Keras network with a softmax output on a class-weighted loss, and fits
    on predictions the network did not train on (out of fold) a calibration
    map for ``predict_proba`` and per-class offsets for ``predict``, which
    correct the decision for the weighting and the long tail. The sibling of
    :class:`~sk_imbalance.WeightedMultiLabelClassifier` for a 1-D target,
    on the same cross-fit core.

    Parameters
    ----------
    model : None, callable or keras.Model, default=None
        The network. None: the candidates (``candidates``), or the one MLP
        that ``hidden_layer_sizes``, ``activation`` or ``dropout`` names. A
        callable is a build function in
        scikeras's style: it may take ``meta`` (a dict with
        ``n_features_in_``, ``n_classes_``, ``n_outputs_`` (equal to
        ``n_classes_``, the output width), ``target_type_``, ``classes_``
        and ``seed``), ``compile_kwargs`` and the keys of ``model_kwargs``,
        and returns an uncompiled ``keras.Model`` ending in
        ``Dense(n_classes_)`` with a softmax or linear activation (the
        softmax is switched to linear: the loss is computed from logits). A
        ``keras.Model`` is cloned with fresh weights.
    hidden_layer_sizes : tuple of int, default=None
        Naming any of ``hidden_layer_sizes``, ``activation`` and ``dropout``
        trains that one MLP alone, the others at ``(128,)``, ``"relu"`` and
        0.2 (``()`` is a linear model). None for all three: the held-out
        folds choose among ``candidates``.
    activation : str or callable, default=None
        Hidden-layer activation of the one MLP (see ``hidden_layer_sizes``).
    dropout : float, default=None
        Dropout rate after each hidden layer of the one MLP.
    candidates : list, default=None
        The candidate networks the held-out folds blend, when no single
        network is named (``model``, ``hidden_layer_sizes``, ``activation``,
        ``dropout``). None: ``ONE_MLP`` (``sk_imbalance._nn.portfolio``), the
        one MLP of ``hidden_layer_sizes=(128,)`` and ``dropout=0.2``: on the
        long-tailed benchmark (``benchmarks/multiclass_quality.py``) the
        multi-label candidates, blended, scored what it scores at several
        times its fit time. Each item is a dict
        of MLP settings (keys ``name``, ``hidden_layer_sizes``,
        ``activation``, ``dropout``, ``weight_decay``: an L2 penalty on the
        kernels, ``learning_rate_scale``: a multiple of ``learning_rate``),
        a build function or a ``keras.Model``. Every candidate is trained as
        its own ``cv`` fold heads in one Keras model and keeps its own best
        epoch; greedy ensemble selection (Caruana et al. 2004) on the
        out-of-fold objective then weights them, and the weighted mean of
        their probabilities predicts (``candidates_`` reports the weights;
        :ref:`candidates` explains the choice).
    model_kwargs : dict, default=None
        Keyword arguments for a build function passed as ``model``.
    sparse_layer : {"auto", True, False}, default="auto"
        Whether the default network's first layer works on the non-zeros of
        ``X`` only (an embedding bag per head, see Notes): a step then costs
        the batch's non-zeros, not ``n_features``. ``"auto"``: when ``X`` is
        at most 1.5% non-zero (sparse or dense; a dense ``X`` is converted to
        CSR), or sparse with a dense copy over 512 MB; above 1.5% the dense
        layer measured faster on a CPU. True: always (``model=None`` only);
        False: never (sparse ``X`` is densified batch by batch).
    class_weight : "auto", None, str, dict, array-like or callable, default="auto"
        One weight per class, computed in ``fit`` from the target it is
        given; each row's loss is multiplied by its class's weight (and its
        ``sample_weight``). ``"auto"``: each candidate trains under its own
        ``class_weight`` (a candidate that names none: ``"balanced"``), its
        logits moved by :math:`\ln w_c` of the balanced weights less its own
        before the held-out folds compare and blend the candidates. Any
        other value trains every candidate under that weighting alone:

        - ``"balanced"``: :math:`w_c = n / (K n_c)`, scikit-learn's formula;
        - ``"balanced_sqrt"``: its square root, a milder correction;
        - ``"effective_number"``: Cui et al. (2019), :math:`\beta = 0.999`;
        - dict ``{class label: weight}``, classes not listed weigh 1;
        - array-like of shape ``(n_classes,)`` in the order of ``classes_``;
        - callable: ``class_weight(y)`` returns a dict or an array;
        - None: no weighting.
    loss : {"cross_entropy", "focal", "expected_cost"}, default="cross_entropy"
        Computed from logits:

        - ``"cross_entropy"``: :math:`-w_{y} \log p_{y}`;
        - ``"focal"``: :math:`-w_y (1 - p_y)^\gamma \log p_y` (Lin et al. 2017);
        - ``"expected_cost"``: :math:`w_y \left(\sum_k p_k C_{y k} +
          \text{ce\_weight} \cdot (-\log p_y)\right)` for the cost matrix
          ``cost``: the differentiable form of a cost matrix applied to the
          argmax, which has no gradient.
    focal_gamma : float, default=2.0
        :math:`\gamma` of the focal loss.
    cost : array-like of shape (n_classes, n_classes), default=None
        ``cost[i, j]``, the cost of predicting class ``classes_[j]`` for a row
        of class ``classes_[i]``; finite and non-negative. Only with
        ``loss="expected_cost"``, which needs it.
    ce_weight : float, default=1.0
        Weight of the cross-entropy term of ``"expected_cost"``; the expected
        cost alone is bounded, and its gradient vanishes on confident mistakes.
    optimizer : str or keras.optimizers.Optimizer, default="adam"
        A fresh copy is made for every fit. On TensorFlow, plain Adam (named
        or given) steps with the fused ``ApplyAdam`` kernel: the same update,
        in one pass over each weight (``sk_imbalance._nn.optimizers.FusedAdam``).
    learning_rate : float or None, default=1e-3
        Overrides the optimizer's learning rate; None keeps it.
    epochs : int, default=100
        Maximum number of training epochs.
    patience : int or None, default=10
        Training stops once the out-of-fold objective has not improved for
        this many epochs, and the weights of the best epoch are kept. None
        trains exactly ``epochs`` epochs and keeps the last weights.
    batch_size : int, default=64
        Rows per head in each training step.
    decision : {"balanced", "tuned", "argmax"}, default="balanced"
        ``predict`` is :math:`\arg\max_c (\log p_c + o_c)` of the calibrated
        probabilities :math:`p` with per-class offsets ``offsets_``:

        - ``"balanced"``: :math:`o = -\log \pi`, the training priors: post-hoc
          logit adjustment (Menon et al. 2021), the Bayes rule for the
          balanced error, whatever the class mix the model later meets;
        - ``"tuned"``: offsets chosen on the out-of-fold scores for the
          objective ``scoring`` names (exact coordinate ascent; see Notes), for
          a test set with the training class mix;
        - ``"argmax"``: no offset, the most probable class. With
          ``calibration=None`` this is the weighted network's own argmax.
    scoring : str, default="balanced_accuracy"
        One of ``"balanced_accuracy"``, ``"f1_macro"``, ``"accuracy"`` and
        ``"f1"``: the out-of-fold monitor that chooses the epoch, and the
        objective the tuned offsets maximise. ``"f1"``, for a binary target
        only, is the F1 of the positive class ``classes_[1]``.
    calibration : {"bcts", "shift"} or None, default="bcts"
        How ``predict_proba`` undoes the class weights' shift of the
        probabilities: bias-corrected temperature scaling fitted on the
        out-of-fold logits and pulled toward the analytic shift; the shift
        :math:`\operatorname{softmax}(z - \log w)` alone; or None, the
        weighted network's own softmax. Tuned decisions do not depend on it.
    shrinkage : float, default=100.0
        Pseudo-count :math:`k` pulling the tuned offsets back toward logit
        adjustment, their starting point: class :math:`c` with :math:`m_c`
        held-out rows moves :math:`m_c / (m_c + k)` of the way to its tuned
        offset, and the result is kept only if it scores at least logit
        adjustment out of fold. Only with ``decision="tuned"``; 0 disables
        it. The multi-label estimator's pseudo-count; on the long-tailed
        benchmark 100 and 300 tied, and both beat 0 and 30 (README).
    cv : int, float, CV splitter or iterable, default=5
        The cross-fit, as scikit-learn's ``cv``: an int ``k >= 2`` trains
        ``k`` networks ("heads") on stratified folds, each on ``k - 1`` of
        them; a float in (0, 1) holds that fraction out, stratified, and
        trains one network on the rest; a splitter (its ``split(X, y)`` is
        called) or an iterable of ``(train, test)`` index arrays trains one
        head per split. All heads are trained together, as one Keras model.
    ensemble : bool, default=True
        True: the heads predict together, their probabilities averaged, as
        :class:`~sklearn.calibration.CalibratedClassifierCV`'s
        ``ensemble=True``. False: one more network is fitted on all the data
        for the chosen number of epochs and predicts alone.
    random_state : int, RandomState instance or None, default=None
        Seeds the weight initialisation, dropout, mini-batch order and the
        splits. None draws the seed from NumPy's global RandomState, as
        scikit-learn does (``np.random.seed`` makes a script reproducible);
        an int touches no global state. No global seed is set.
    verbose : int, default=0
        1 or more prints the training loss and out-of-fold objective of every
        epoch.
    callbacks : list of keras.callbacks.Callback, default=None
        Keras callbacks, called as in
        :class:`~sk_imbalance.WeightedMultiLabelClassifier`.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels, sorted (any labels: ints, strings).
    class_weights_ : ndarray of shape (n_classes,)
        The weight of each class in the loss.
    class_prior_ : ndarray of shape (n_classes,)
        Class frequencies of the training target (weighted by
        ``sample_weight``).
    calibration_scale_ : float
        The scale :math:`a` of the calibration map (see ``calibration_bias_``).
    calibration_bias_ : ndarray of shape (n_classes,)
        ``predict_proba`` is :math:`\operatorname{softmax}(a z + b)` of the
        network's logits :math:`z`.
    offsets_ : ndarray of shape (n_classes,)
        Added to the calibrated log-probabilities before the argmax.
    class_report_ : dict of ndarray
        Per class, on the out-of-fold rows the decisions were fitted on:
        ``"class"``, ``"n_rows"``, ``"weight"``, ``"offset"``,
        ``"precision"``, ``"recall"`` and ``"f1"``;
        :func:`sk_imbalance.report.report_table` renders it.
    model_ : keras.Model
        Maps ``X`` to logits ``(n_samples, n_classes)``. After a fit on
        sparse ``X`` it takes the rows' entries instead (see Notes).
    sparse_layer_ : bool
        Whether the first layer worked on the non-zeros of ``X`` (see
        ``sparse_layer``).
    n_epochs_ : int
        The chosen candidate's epoch whose weights were kept, chosen on the
        held-out folds.
    history_ : dict of list
        ``"loss"`` (of all candidates) and the chosen candidate's
        ``"oof_score"``, per epoch (the latter ends where that candidate
        stopped, as :class:`WeightedMultiLabelClassifier`'s).
    candidates_ : dict of list
        One entry per candidate: ``"name"``, ``"params"``, ``"oof_score"``,
        ``"n_epochs"`` and ``"weight"``, as
        :class:`WeightedMultiLabelClassifier`'s.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of str
        Only when ``X`` has string column names.

    See Also
    --------
    WeightedMultiLabelClassifier : sigmoid outputs for multi-label targets
        (and binary ones, with per-label thresholds).

    Notes
    -----
    **Why the decisions are corrected.** A softmax network trained with
    class weights :math:`w` estimates :math:`q_c \propto w_c p_c`: with
    ``"balanced"`` weights its argmax already leans toward the rare classes,
    and without weights it leans toward the frequent ones. Neither is the
    argmax a user judged by macro-F1 wants. ``calibration`` turns the logits
    back into probabilities; ``decision`` picks the class from them.

    **Why the default is logit adjustment.** On the long-tailed benchmark
    (``benchmarks/multiclass_quality.py``: tmc2007 and digits with an
    imbalance ratio of 50 and a balanced test split, as in CIFAR-LT), the
    calibrated probabilities with logit adjustment had the best test macro-F1
    of every rule tried; offsets tuned for macro-F1 on the long-tailed
    out-of-fold rows lost to it and even to the weighted network's own
    argmax: they are estimated from the few held-out rows of the rarest
    classes, and macro-F1 on long-tailed rows rewards predicting rare
    classes less often than a balanced test does. With a test split that has
    the training class mix instead, offsets tuned for macro-F1 were the best
    rule on tmc2007 (and logit adjustment kept the better balanced
    accuracy): use ``decision="tuned", scoring="f1_macro"`` when judged by
    macro-F1 on data like the training data. The results pages give the
    numbers (multiclass quality).

    **Tuned offsets.** With all offsets but class :math:`c`'s fixed, row
    :math:`i` is predicted :math:`c` exactly when :math:`o_c` exceeds its
    margin :math:`\max_{j \ne c}(\log p_{ij} + o_j) - \log p_{ic}`; sorting
    the margins lists every distinct decision, whose confusion counts are
    cumulative sums, so each class's best offset is found exactly in
    :math:`O(n K)` after the sort. Rounds over the classes repeat until no
    offset moves (at most 10). The ascent starts at logit adjustment (under
    the analytic shift), and each class then moves :math:`m_c / (m_c + k)`
    of the way to its tuned offset (``shrinkage``), so that classes with few
    held-out rows stay near logit adjustment. They are fitted on out-of-fold
    scores, never on scores of rows the network trained on.

    **Sparse input (text).** As in :class:`WeightedMultiLabelClassifier` (see
    its Notes): given an ``X`` at most 1.5% non-zero (``sparse_layer="auto"``),
    the default network's first layer works on the non-zeros only, an embedding
    bag per head with lazy Adam, so a step costs the batch's non-zeros, not
    ``n_features``, and no dense copy of ``X`` is made. A build function
    receives dense rows. The fitted ``model_`` of a sparse fit takes the rows'
    entries; ``predict`` takes sparse or dense ``X`` alike.

    **Choosing the epoch.** After every epoch the held-out rows are scored
    with the decisions ``predict`` would make (offsets tuned on them, or the
    calibrated argmax), and the best epoch's weights are kept.

    References
    ----------
    A. K. Menon, S. Jayasumana, A. S. Rawat, H. Jain, A. Veit and S. Kumar,
    "Long-tail learning via logit adjustment", ICLR 2021. A. Alexandari, A.
    Kundaje and A. Shrikumar, "Maximum Likelihood with Bias-Corrected
    Calibration is Hard-To-Beat at Label Shift Adaptation", ICML 2020. Y. Cui
    et al., "Class-Balanced Loss Based on Effective Number of Samples", CVPR
    2019. T.-Y. Lin et al., "Focal Loss for Dense Object Detection", ICCV
    2017. C. Elkan, "The Foundations of Cost-Sensitive Learning", IJCAI 2001.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sk_imbalance import WeightedMultiClassClassifier
    >>> X, y = make_classification(n_samples=300, n_classes=3, n_informative=4,
    ...                            weights=[0.8, 0.15, 0.05], random_state=0)
    >>> clf = WeightedMultiClassClassifier(epochs=5, random_state=0).fit(X, y)
    >>> clf.predict_proba(X[:2]).shape
    (2, 3)
    """

    _link = "softmax"
    #: The one MLP until a multiclass study chooses a portfolio.
    _default_candidates = ONE_MLP

    #: One check per parameter, run at the start of ``fit`` (see :mod:`.params`).
    _parameter_constraints = {
        **COMMON_CONSTRAINTS,
        "class_weight": Custom(
            lambda v: (
                v is None
                or not isinstance(v, str)
                or v == "auto"
                or v in CLASS_WEIGHT_STRATEGIES
            ),
            f"'auto', None, one of {sorted(CLASS_WEIGHT_STRATEGIES)}, a dict, an "
            "array of shape (n_classes,) or a callable",
        ),
        "loss": Options(tuple(MULTICLASS_LOSSES)),
        "cost": Custom(
            lambda v: v is None or np.ndim(v) == 2,
            "None or an (n_classes, n_classes) array",
            types=(type(None), list, tuple, np.ndarray),
        ),
        "ce_weight": Number(Real, 0),
        "decision": Options(DECISION_RULES),
        "scoring": Options(MULTICLASS_SCORINGS),
        "calibration": Options(("bcts", "shift"), none=True),
        "shrinkage": Number(Real, 0, note=" (0: no shrinkage)"),
    }

    def __init__(
        self,
        model=None,
        *,
        hidden_layer_sizes=None,
        activation=None,
        dropout=None,
        candidates=None,
        model_kwargs=None,
        sparse_layer="auto",
        class_weight="auto",
        loss="cross_entropy",
        focal_gamma=2.0,
        cost=None,
        ce_weight=1.0,
        optimizer="adam",
        learning_rate=1e-3,
        epochs=100,
        patience=10,
        batch_size=64,
        decision="balanced",
        scoring="balanced_accuracy",
        calibration="bcts",
        shrinkage=SHRINKAGE,
        cv=5,
        ensemble=True,
        random_state=None,
        verbose=0,
        callbacks=None,
    ):
        self.model = model
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.candidates = candidates
        self.model_kwargs = model_kwargs
        self.sparse_layer = sparse_layer
        self.class_weight = class_weight
        self.loss = loss
        self.focal_gamma = focal_gamma
        self.cost = cost
        self.ce_weight = ce_weight
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.patience = patience
        self.batch_size = batch_size
        self.decision = decision
        self.scoring = scoring
        self.calibration = calibration
        self.shrinkage = shrinkage
        self.cv = cv
        self.ensemble = ensemble
        self.random_state = random_state
        self.verbose = verbose
        self.callbacks = callbacks

    # ------------------------------------------------------------------ fit
    @with_callbacks
    def fit(self, X, y, sample_weight=None):
        """Cross-fit the networks, choose the epoch, calibrate and tune offsets.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Sparse input trains the first layer on its non-zeros (see Notes).
        y : array-like of shape (n_samples,)
            Class labels: two or more classes, any labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Multiplies each row's loss and its weight in the calibration and
            the offsets. Only relative weights matter.

        Returns
        -------
        self : WeightedMultiClassClassifier
        """
        return self._fit(X, y, sample_weight)

    def _fit_data(self, X, y, sample_weight):
        """Validate the data; set the classes, their weights and priors."""
        X, y, y_index, sample_weight = self._validate_fit_data(X, y, sample_weight)
        n_classes = len(self.classes_)
        self._cost = self._check_cost(n_classes)
        self.class_weights_ = check_class_weights(
            self._reference_weighting(), y, y_index, self.classes_
        )
        weight = np.ones(len(y)) if sample_weight is None else sample_weight
        self.class_prior_ = np.bincount(y_index, weight, minlength=n_classes)
        if np.any(self.class_prior_ <= 0):
            empty = self.classes_[self.class_prior_ <= 0].tolist()
            raise ValueError(
                f"sample_weight is zero on every row of class(es) {empty}: they "
                "would have no prior and no loss. Drop those rows, or give them a "
                "positive weight."
            )
        self.class_prior_ /= self.class_prior_.sum()
        onehot = np.eye(n_classes)[y_index]
        data = FitData(X, y, y_index, onehot, None, sample_weight)
        return replace(data, targets=self._pack_targets(self.class_weights_, data))

    def _reference_weights(self):
        return self.class_weights_

    def _weights_of(self, class_weight, data):
        """Class weights of a candidate's own ``class_weight``."""
        return check_class_weights(class_weight, data.y, data.truth, self.classes_)

    def _pack_targets(self, class_weights, data):
        weight = (
            np.ones(len(data.truth))
            if data.sample_weight is None
            else data.sample_weight
        )
        row_weight = class_weights[data.truth] * weight
        with np.errstate(over="ignore"):
            return pack_targets(
                data.indicator,
                data.indicator * row_weight[:, np.newaxis],
                "rescale the class weights.",
            )

    def _validate_fit_data(self, X, y, sample_weight):
        X, y = self._validate_X_y(X, y)
        if y.ndim == 2 and y.shape[1] > 1:
            raise ValueError(
                f"y must be 1-D, one class label per row; got shape {y.shape}. "
                "For multi-label targets (an indicator matrix) use "
                "WeightedMultiLabelClassifier."
            )
        y = column_or_1d(y, warn=True)
        check_float32_range(X)
        check_classification_targets(y)
        target_type = type_of_target(y, input_name="y")
        if target_type not in ("binary", "multiclass"):
            raise ValueError(
                f"y must be a 1-D binary or multiclass target; its type is "
                f"{target_type!r}. For multi-label targets use "
                "WeightedMultiLabelClassifier."
            )
        self.classes_, y_index = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(
                f"y has only one class ({self.classes_.tolist()}); a classifier "
                "needs samples of at least 2 classes."
            )
        if self.scoring == "f1" and len(self.classes_) > 2:
            raise ValueError(
                f"scoring='f1' is the positive class's F1 of a binary target; y has "
                f"{len(self.classes_)} classes. Use scoring='f1_macro'."
            )
        sample_weight = check_sample_weight(sample_weight, X.shape[0], y_index)
        return X, y, y_index, sample_weight

    def _check_cost(self, n_classes):
        if (self.loss == "expected_cost") != (self.cost is not None):
            raise ValueError(
                f"cost and loss='expected_cost' go together; got loss={self.loss!r} "
                f"and cost={'None' if self.cost is None else 'a matrix'}. Pass "
                "loss='expected_cost' with cost=, or drop cost."
            )
        if self.cost is None:
            return None
        try:
            cost = np.asarray(self.cost, dtype=np.float64)
        except (TypeError, ValueError) as error:
            raise ValueError(f"cost must hold numbers; got {self.cost!r}.") from error
        if cost.shape != (n_classes, n_classes):
            raise ValueError(
                f"cost must have shape ({n_classes}, {n_classes}), rows and columns "
                f"in the order of classes_ {self.classes_.tolist()}; got shape "
                f"{cost.shape}."
            )
        if not np.all(np.isfinite(cost)) or np.any(cost < 0):
            raise ValueError(
                f"cost must hold finite, non-negative values; got {cost.tolist()}."
            )
        return cost

    def _check_splits(self, splits, targets):
        y_index = targets[:, : len(self.classes_)].argmax(axis=1)
        warn_classes_missing_from_folds(splits, y_index, self.classes_)

    def _meta(self, n_features):
        """Facts passed to build functions, with scikeras's key names."""
        n_classes = len(self.classes_)
        return {
            "n_features_in_": n_features,
            "n_classes_": n_classes,
            "n_outputs_": n_classes,
            "n_outputs_expected_": 1,
            "target_type_": "binary" if n_classes == 2 else "multiclass",
            "classes_": self.classes_,
            "seed": None,  # replaced per head
        }

    def _head_loss(self):
        return HeadwiseLoss(
            MULTICLASS_LOSSES[self.loss],
            self.focal_gamma,
            cost=self._cost,
            ce_weight=self.ce_weight,
        )

    def _fit_decisions(self, y_index, Z, sample_weight, calibrate=True):
        """Calibration and offsets on out-of-fold logits; ``calibrate=False``
        skips the calibration map, for the monitor where decisions do not
        depend on it."""
        return fit_multiclass_decisions(
            y_index,
            Z,
            class_weights=self.class_weights_,
            priors=self.class_prior_,
            sample_weight=sample_weight,
            calibration=self.calibration if calibrate else None,
            decision=self.decision,
            scoring=self.scoring,
            shrinkage=self.shrinkage,
        )

    def _decision_scorer(self, y_index, proba, sample_weight):
        """``scoring`` of the decisions ``predict`` would make from
        out-of-fold probabilities ``proba``, fitted on them as at the end of
        ``fit`` (without the calibration where tuned offsets make it
        irrelevant), as ``at(row_weight=None)``: the objective under extra
        row weights, the decisions held fixed (``at()``: the epoch monitor)."""
        Z = to_log_proba(proba)
        calibrate = self.decision != "tuned"
        decisions = self._fit_decisions(y_index, Z, sample_weight, calibrate)
        _, predicted = decide_multiclass(Z, decisions)
        n_classes = len(self.classes_)

        def at(row_weight=None):
            return multiclass_score(
                y_index,
                predicted,
                n_classes,
                self.scoring,
                combine_weights(sample_weight, row_weight),
            )

        return at

    def _fit_held_out_decisions(self, y_index, proba, sample_weight):
        """Calibration, offsets and ``class_report_`` on the held-out rows."""
        Z = to_log_proba(proba)
        decisions = self._fit_decisions(y_index, Z, sample_weight)
        self.calibration_scale_ = decisions.scale
        self.calibration_bias_ = decisions.bias
        self.offsets_ = decisions.offsets
        self.class_report_ = class_report(
            y_index,
            decide_multiclass(Z, decisions)[1],
            self.classes_,
            self.class_weights_,
            self.offsets_,
            sample_weight,
        )

    # -------------------------------------------------------------- predict
    def _decide(self, X):
        Z = self._network_logits(X)  # checks that the estimator is fitted
        decisions = MulticlassDecisions(
            self.calibration_scale_, self.calibration_bias_, self.offsets_
        )
        return decide_multiclass(Z, decisions)

    def predict_log_proba(self, X):
        """Log of :meth:`predict_proba`, computed without underflow.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes), dtype float64
            Columns in the order of ``classes_``.
        """
        return self._decide(X)[0]

    def predict_proba(self, X):
        """Calibrated probability of each class.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes), dtype float64
            Columns in the order of ``classes_``; rows sum to 1.
        """
        return np.exp(self._decide(X)[0])

    def predict(self, X):
        """Predict classes: the argmax of the calibrated log-probabilities plus
        ``offsets_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        _, predicted = self._decide(X)
        return self.classes_[predicted]

    # ------------------------------------------------------- sklearn hooks
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = True
        return tags
