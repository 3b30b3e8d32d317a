"""WeightedMultiLabelClassifier: the scikit-learn estimator."""

from __future__ import annotations

from dataclasses import replace
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import MultiOutputMixin

from .._decisions.label_weights import LABEL_WEIGHT_STRATEGIES, check_label_weights
from .._decisions.multilabel import (
    SCORINGS,
    Decisions,
    calibration_matters,
    decide,
    decision_scorer,
    fit_decisions,
    parse_scoring,
    to_logits,
)
from .._decisions.thresholds import (
    MAX_ANCHOR_RATIO,
    MAX_PREDICTED_RATIO,
    MIN_POSITIVES,
    SHRINKAGE,
)
from .._nn.losses import LOSSES, HeadwiseLoss, element_weights
from ..report import label_report
from .base import COMMON_CONSTRAINTS, CrossFitClassifier
from .callbacks import with_callbacks
from .fit_data import FitData, pack_targets
from .params import Custom, Number, Options
from .validation import (
    check_float32_range,
    check_sample_weight,
    check_threshold,
    check_threshold_scoring,
    encode_target,
)

__all__ = ["WeightedMultiLabelClassifier"]


class WeightedMultiLabelClassifier(MultiOutputMixin, CrossFitClassifier):
    r"""Keras sigmoid network for imbalanced multi-label data.

    ``fit`` computes ``[w_neg, w_pos]`` weights for every label from the target
    it is given, trains a Keras network with one sigmoid output per label on a
    per-label weighted loss, and tunes one decision threshold per label on
    predictions the network did not train on. ``predict`` applies those
    thresholds.

    Parameters
    ----------
    model : None, callable or keras.Model, default=None
        The network. None: the candidates (``candidates``), or the one MLP
        that ``hidden_layer_sizes``, ``activation`` or ``dropout`` names. A
        callable is a build function in
        scikeras's style: it may take ``meta`` (a dict with
        ``n_features_in_``, ``n_outputs_``, ``n_outputs_expected_``,
        ``target_type_``, ``classes_`` and ``seed``), ``compile_kwargs`` and
        the keys of ``model_kwargs``, and returns an uncompiled
        ``keras.Model`` ending in ``Dense(n_outputs_)`` with a sigmoid or
        linear activation. A ``keras.Model`` is cloned with fresh weights.
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
        ``dropout``). None: the three networks of ``DEFAULT_CANDIDATES``
        (``sk_imbalance._nn.portfolio``), ``"linear-wd1e-3"`` (a linear model,
        L2 penalty 1e-3), ``"mlp256"`` (``(256,)``, dropout 0.5) and
        ``"mlp-unweighted"`` (``(128,)``, dropout 0.2, without class weights,
        which joins the blend only when that beats the balanced candidates'
        blend out of fold by more than two bootstrap standard errors; a named
        ``class_weight`` leaves it out),
        blended by greedy ensemble selection; when the first layer works on
        the non-zeros (``sparse_layer_``), ``"mlp"`` (``(128,)``, dropout 0.2)
        stands in for ``"mlp256"`` and ``"mlp-unweighted"`` is left out.
        Each item is a dict of MLP settings
        (keys ``name``, ``hidden_layer_sizes``,
        ``activation``, ``dropout``, ``weight_decay``: an L2 penalty on the
        kernels, ``learning_rate_scale``: a multiple of ``learning_rate``,
        ``class_weight``: the candidate's own weighting, with
        ``class_weight="auto"``), a build function or a ``keras.Model``.
        Every candidate is trained as its own ``cv`` fold heads in one Keras
        model and keeps its own best epoch; greedy ensemble selection
        (Caruana et al. 2004) on the out-of-fold objective then weights them,
        and the weighted mean of their probabilities predicts
        (``candidates_`` reports the weights). :ref:`candidates` explains the
        choice, and :ref:`model_selection` what a fit of several candidates
        costs.
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
        Per-label weights of the loss, computed in ``fit`` from the labels it
        is given. ``"auto"``: each candidate trains under its own
        ``class_weight`` (a candidate that names none: ``"balanced"``), and
        the held-out folds compare and blend them on the balanced weighting's
        scale: a candidate of another weighting has its logits moved by
        :math:`\ln(w_{\text{pos}} / w_{\text{neg}})` of the balanced weights
        less its own, so that its scores, calibration and thresholds mean
        what the balanced network's do (see :ref:`candidates`). Any other
        value trains every candidate under that weighting alone:

        - ``"balanced"``: :math:`w_{\text{pos}} = n / (2 n_{\text{pos}})` and
          :math:`w_{\text{neg}} = n / (2 n_{\text{neg}})` for each label;
        - ``"balanced_sqrt"``: the square root of those;
        - ``"effective_number"``: Cui et al. (2019), :math:`\beta = 0.999`;
        - array-like of shape ``(n_labels, 2)``: ``[w_neg, w_pos]`` per label;
        - dict: ``{label_index: w_pos}`` or ``{label_index: {0: w_neg, 1:
          w_pos}}``; for a 1-D binary ``y``, ``{class: weight}`` as in
          scikit-learn;
        - list of dicts, scikit-learn's multi-output form: one ``{0: w_neg,
          1: w_pos}`` per label, as ``RandomForestClassifier`` takes;
        - callable: ``class_weight(Y)`` returns an ``(n_labels, 2)`` array;
        - None: no weighting.
    loss : {"bce", "focal"}, default="bce"
        Weighted binary cross-entropy, or the focal loss of Lin et al. (2017),
        both computed from logits.
    focal_gamma : float, default=2.0
        Focusing parameter of the focal loss.
    optimizer : str or keras.optimizers.Optimizer, default="adam"
        A fresh copy is made for every fit. On TensorFlow, plain Adam (named
        or given) steps with the fused ``ApplyAdam`` kernel: the same update,
        in one pass over each weight (``sk_imbalance._nn.optimizers.FusedAdam``).
    learning_rate : float or None, default=1e-3
        Overrides the optimizer's learning rate; None keeps it.
    epochs : int, default=100
        Maximum number of training epochs.
    patience : int or None, default=10
        Training stops once the out-of-fold objective (see Notes) has not
        improved for this many epochs, and the weights of the best epoch are
        kept. None trains exactly ``epochs`` epochs and keeps the last weights.
    batch_size : int, default=64
        Rows per head in each training step.
    threshold : {"tuned", "top_k"}, float or array-like, default="tuned"
        The form of ``predict``'s rule:

        - ``"tuned"``: cut-offs chosen on out-of-fold predictions for the
          objective ``scoring`` names (one per label for the macro average,
          one common cut-off for the micro and per-row averages; see Notes);
        - ``"top_k"``: every row gets its ``top_k`` highest-scoring labels;
        - a float in (0, 1): the same fixed cut-off of ``predict_proba`` for
          every label (with ``calibration=None``, 0.5 is the weighted
          network's own cut-off);
        - an array of one float per label.
    scoring : str, default="f1_macro"
        The objective the decisions maximise, and the out-of-fold monitor
        that chooses the epoch, with scikit-learn's metric names:
        ``"f1_macro"``, ``"f1_micro"``, ``"f1_samples"`` (the mean per-row
        F1), their F-beta forms ``"fbeta_macro"``, ``"fbeta_micro"``,
        ``"fbeta_samples"`` (with ``beta``), and ``"precision_at_k"`` (with
        ``threshold="top_k"``: is the right label among my ``top_k``?).
    beta : float, default=1.0
        The beta of the ``"fbeta_*"`` objectives; above 1 favours recall.
    top_k : int, default=1
        Labels per row when ``threshold="top_k"``, and the k of
        ``"precision_at_k"``.
    calibration : {"platt", "shift"} or None, default="platt"
        How ``predict_proba`` undoes the class weights' shift of the odds
        (see Notes): a per-label Platt map fitted on the out-of-fold logits
        and pulled toward the analytic shift; the analytic shift alone; or
        None, the weighted network's own output. ``predict`` with
        ``threshold="tuned"`` and ``scoring="f1_macro"`` is the same whatever
        the calibration: its thresholds move with the map.
    min_positives : int, default=5
        Labels with fewer out-of-fold positives keep the anchor (the per-label
        rule, see Notes).
    shrinkage : float, default=100.0
        Pseudo-count :math:`k` of the shrinkage toward the anchor; 0 disables
        it.
    max_predicted_ratio : float or None, default=3.0
        A tuned cut-off may predict at most this many times the label's
        out-of-fold positives; None lifts the cap.
    max_anchor_ratio : float or None, default=1.5
        The anchor (the network's 0.5) is raised, label by label, to the
        cut-off that predicts this many times the label's out-of-fold
        positives where 0.5 predicts more; None keeps 0.5 (see Notes).
    cv : int, float, CV splitter or iterable, default=5
        The cross-fit, as scikit-learn's ``cv``: an int ``k >= 2`` trains
        ``k`` networks ("heads"), each on ``k - 1`` of ``k`` folds stratified
        label by label
        (:class:`~sk_imbalance.model_selection.MultilabelStratifiedKFold`:
        every label with at least ``k`` positives has positives in every
        held-out fold); a float in (0, 1) holds that fraction out, stratified
        the same way, and trains one network on the rest; a splitter (e.g.
        ``KFold(5)``; its ``split(X, y)`` is called) or an iterable of
        ``(train, test)`` index arrays trains one head per split. The held-out
        rows choose the epoch and tune the thresholds.
        All heads are trained together, as one Keras model.
    ensemble : bool, default=True
        Which network predicts. True: the heads whose held-out scores chose
        the epoch and the thresholds, their probabilities averaged in one
        model, as :class:`~sklearn.calibration.CalibratedClassifierCV`'s
        ``ensemble=True``. False: one more network is fitted on all the data
        for the chosen number of epochs and predicts alone, as
        :class:`~sklearn.model_selection.TunedThresholdClassifierCV` does with
        ``refit=True``; its scores are more confident than the held-out ones
        the thresholds came from, which measured worse (see Notes).
    random_state : int, RandomState instance or None, default=None
        Seeds the weight initialisation, dropout, mini-batch order and the
        splits. The same int gives the same predictions on CPU and touches no
        global state. None draws the seed from NumPy's global RandomState,
        as scikit-learn does: ``np.random.seed(0)`` at the top of a script
        makes its fits reproducible. No global seed is set.
    verbose : int, default=0
        1 or more prints the training loss and out-of-fold objective of every
        epoch.
    callbacks : list of keras.callbacks.Callback, default=None
        Keras callbacks, called as ``model.fit`` calls them (see Notes).

    Attributes
    ----------
    model_ : keras.Model
        Maps ``X`` to logits ``(n_samples, n_labels)``: the logit of the heads'
        mean probability (``ensemble=True``), or the refitted network. After
        a fit on sparse ``X`` it takes the rows' entries instead (see Notes).
    sparse_layer_ : bool
        Whether the first layer worked on the non-zeros of ``X`` (see
        ``sparse_layer``).
    n_epochs_ : int
        The chosen candidate's epoch whose weights were kept (1-based),
        chosen on the held-out folds; with ``ensemble=False`` also the
        refitted network's epochs.
    label_weights_ : ndarray of shape (n_labels, 2)
        ``[w_neg, w_pos]`` per label used in the loss.
    thresholds_ : ndarray of shape (n_labels,) or None
        Cut-off of ``predict_proba`` per label; None with
        ``threshold="top_k"``.
    calibration_slope_, calibration_intercept_ : ndarray of shape (n_labels,)
        The calibration map: ``predict_proba`` is
        :math:`\sigma(a_j z_j + b_j)` of the network's logit :math:`z_j`.
    label_report_ : dict of ndarray
        Per label, on the out-of-fold scores the decisions were chosen on:
        ``"label"``, ``"n_positives"``, ``"threshold"``, ``"precision"``,
        ``"recall"``, ``"fbeta"`` and ``"status"`` (``"tuned"``, or why not:
        ``"few_positives"``, ``"no_negative"``, ``"no_gain"``; ``"global"``,
        ``"fixed"``, ``"top_k"``). :func:`sk_imbalance.report.report_table`
        renders it.
    classes_ : ndarray of shape (2,) or list of ndarray
        For a 1-D binary ``y``, its two classes; for a multi-label ``Y``, one
        ``array([0, 1])`` per label, as scikit-learn's multi-output classifiers do.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of str
        Only when ``X`` has string column names.
    n_outputs_ : int
        Number of sigmoid outputs (labels).
    history_ : dict of list
        ``"loss"``: the training loss of every epoch trained (mean over the
        heads of every candidate); ``"oof_score"``: the chosen candidate's
        out-of-fold objective of every epoch it trained (of the last only,
        with ``patience=None``). With several candidates it can be shorter
        than ``"loss"``: the chosen candidate may stop before the others.
    candidates_ : dict of list
        One entry per candidate: ``"name"``, ``"params"`` (its settings, in
        words), ``"oof_score"`` (its best out-of-fold objective),
        ``"n_epochs"`` (its chosen epoch) and ``"weight"`` (its weight in the
        predicting blend; the chosen one has 1).
        :func:`sk_imbalance.report.candidates_table` renders it.

    See Also
    --------
    WeightedMultiClassClassifier : a softmax network for a 1-D target with
        two or more classes, on the same cross-fit core.

    Notes
    -----
    **Calibrated probabilities.** A network trained with weight
    :math:`w_+` on a label's positives and :math:`w_-` on its negatives
    learns the odds of the weighted problem, :math:`\operatorname{logit} q =
    \operatorname{logit} p + \ln(w_+/w_-)` (King & Zeng 2001); with
    ``"balanced"`` weights its 0.5 is the label's prior. ``predict_proba``
    maps the logit back, per label, with :math:`\sigma(a z + b)` fitted on the
    out-of-fold logits by penalised likelihood, the penalty (10 rows' worth)
    pulling :math:`(a, b)` toward the analytic shift :math:`(1,
    -\ln(w_+/w_-))`, so that labels with few positives keep the shift.
    Fitted on out-of-fold logits, the map also undoes over-confidence.

    **Threshold rule for the macro average.** The F1-optimal threshold of a
    label estimated from few positives is noisy: freely tuned, it can do
    worse than the anchor on new data, and for an uninformative score F1's
    optimum is to predict every row. The rule runs on the network's own
    (weighted) scale, whose 0.5, the anchor, is the calibrated prior: the
    balanced-accuracy cut-off. For each label with :math:`m` out-of-fold
    positives:

    0. where 0.5 predicts more than ``max_anchor_ratio`` :math:`\cdot m`
       (:math:`1.5m`) out-of-fold rows, the anchor is raised to the cut-off
       that predicts :math:`1.5m`: with many rare labels, 0.5 predicts several
       times the true labels per row, and so do thresholds shrunk toward it;
    1. with fewer than ``min_positives`` (5) positives the label keeps the
       anchor;
    2. otherwise the exact F-beta optimum :math:`t^*` is searched over all
       distinct scores, among cut-offs that predict at most
       ``max_predicted_ratio`` :math:`\cdot m` (:math:`3m`) rows;
    3. it is shrunk toward the anchor :math:`t_0`: :math:`t = t_0 +
       \frac{m}{m + k}(t^* - t_0)`, with :math:`k` = ``shrinkage`` (100);
    4. it is kept only if it beats the anchor on the out-of-fold scores;
       otherwise the label keeps the anchor.

    With ``ensemble=True`` these out-of-fold scores are first narrowed to the
    spread of the heads' mean (``sk_imbalance._decisions.spread``), so that a cut-off
    predicts about as many new rows as it did held-out ones.

    The cut-offs are then carried through the calibration map into
    ``thresholds_``. The rule was chosen offline (``benchmarks/
    decision_study.py``) on three seeds of five MULAN data sets, against an
    anchor at :math:`F^*/2` (Lipton et al. 2014; it lost 7 points of macro-F1
    on enron, where most labels are rare and the prior anchor recalls them),
    no shrinkage, no cap, and pseudo-counts 10, 30, 300 and 1000; 100 had
    the best mean ratio to the test oracle. Step 0 was chosen in
    ``benchmarks/anchor_study.py``: among anchor ratios 1, 1.5 and 3, 1.5 is
    the smallest whose split-half macro-F1 on the MULAN sets matches 0.5's,
    and it brings a synthetic 1,000-label set from 9 predicted labels per true
    one to about 2.

    **Micro and per-row averages.** Pooled F1 is optimised by one common
    cut-off of calibrated probabilities (Lipton et al. 2014), searched
    exactly over the out-of-fold scores; so is the mean per-row F1, whose
    value at every cut-off is a cumulative sum over the sorted scores.

    Do not tune thresholds on the data the network trained on: its scores
    there are over-confident. That is why they come from held-out predictions.

    **Cross-fitting in one model.** The ``k`` heads are trained together, in
    one Keras model and one training loop: each step feeds every head a batch
    drawn from its own training rows (a tensor of shape ``(batch, k,
    n_features)``), so a head never sees a row it holds out, and it takes the
    steps a separate fit would. The default MLP's layers hold the heads side
    by side, one batched matmul each. The compiled training model is kept
    per configuration and reused by later fits (with the new fit's initial
    weights and a reset optimizer), so a long grid search does not grow
    TensorFlow's memory fit by fit;
    :func:`~sk_imbalance.clear_trainer_cache` drops it.

    **Sparse input (text).** Given an ``X`` at most 1.5% non-zero (e.g. TF-IDF of
    a vocabulary of thousands of words, ``sparse_layer="auto"``), the default
    network's first layer works on the non-zeros only: head :math:`j`'s first
    layer is :math:`\sum_r x_r W_j[r]` over the row's non-zero columns
    :math:`r`, an embedding bag, and Adam updates only the kernel rows a batch
    touched ("lazy" Adam, :class:`~sk_imbalance._nn.optimizers.LazyAdam`). A step then
    costs the batch's words, not the vocabulary, and no dense copy of ``X`` is
    made in ``fit``, out-of-fold scoring or ``predict``; memory grows with the
    non-zeros and the kernel (``k x n_features x units`` floats). With SGD the
    result equals the dense layer's; lazy Adam differs from dense Adam only on
    rows a batch did not touch, which dense Adam moves on momentum. On
    TensorFlow the update is sparse; on JAX the gradient is dense, so the step
    costs the vocabulary again (same network, same answers). Above 1.5% non-zero
    the dense layer measured faster on a CPU (a batched matmul against gathers
    and scatters; 1.97x at tmc2007's 4.5%), so ``"auto"`` keeps it there. A
    build function passed as ``model`` receives dense rows: sparse ``X`` is
    densified one batch at a time (once, if its dense copy fits 512 MB), so its
    cost grows with ``n_features``. The fitted ``model_`` of a sparse fit takes
    the rows' entries (:func:`sk_imbalance._crossfit.encoding.encode_rows`); ``predict``
    and ``predict_proba`` take sparse or dense ``X`` alike.

    **Choosing the epoch.** After every epoch each head scores its held-out
    rows, and the objective ``scoring`` names is computed on those
    out-of-fold scores, for the decisions ``predict`` would make: calibration
    and thresholds fitted on them as above (or fixed, or top-k). The best epoch's
    weights are kept; training stops after ``patience`` epochs without
    improvement. The weighted training loss is not monitored: it falls long
    after macro-F1 has peaked, or before.

    **Keras callbacks.** Their ``model`` is the fused training view of all
    heads (input ``(batch, k, n_features)``, output ``(batch, k, n_labels)``,
    its optimizer shared by the heads). They receive ``on_train_begin``,
    ``on_epoch_begin``, ``on_train_batch_end`` with the step's ``"loss"``
    (mean over heads), ``on_epoch_end`` with ``"loss"`` and, on scored
    epochs, ``"oof_score"`` (every epoch unless ``patience=None``, which
    scores the last only), and ``on_train_end``. Setting
    ``model.stop_training`` (``EarlyStopping(monitor="oof_score",
    mode="max")``) ends training after that epoch; the best out-of-fold
    epoch's weights are then restored as usual, whatever the callback
    restored. A learning-rate schedule changes the shared optimizer's rate for
    this fit only. With ``ensemble=False`` the callbacks also see the refit.

    **Why the ensemble.** A network refitted on all the data (``ensemble=
    False``) trains on more rows than the heads whose held-out scores chose
    the thresholds; its scores are more confident, so the thresholds no
    longer fit them. In an offline comparison over three seeds on MULAN's
    yeast, emotions and enron splits, tuned thresholds on the ensemble beat
    the 0.5 cut-off on every seed and data set, while on a refitted network
    they lost to 0.5 on one emotions seed and two enron seeds.

    References
    ----------
    G. King and L. Zeng, "Logistic Regression in Rare Events Data", Political
    Analysis, 2001. J. Platt, "Probabilistic Outputs for Support Vector
    Machines", 1999. Y. Cui et al., "Class-Balanced Loss Based on Effective
    Number of Samples",
    CVPR 2019. T.-Y. Lin et al., "Focal Loss for Dense Object Detection", ICCV
    2017. Z. C. Lipton, C. Elkan and B. Naryanaswamy, "Optimal Thresholding of
    Classifiers to Maximize F1 Measure", ECML PKDD 2014.

    Examples
    --------
    >>> from sklearn.datasets import make_multilabel_classification
    >>> from sk_imbalance import WeightedMultiLabelClassifier
    >>> X, Y = make_multilabel_classification(n_samples=200, n_classes=5,
    ...                                       random_state=0)
    >>> clf = WeightedMultiLabelClassifier(epochs=5, random_state=0).fit(X, Y)
    >>> clf.predict(X[:2]).shape
    (2, 5)
    """

    #: One check per parameter, run at the start of ``fit`` (see :mod:`.params`).
    _parameter_constraints = {
        **COMMON_CONSTRAINTS,
        "class_weight": Custom(
            lambda v: (
                v is None
                or not isinstance(v, str)
                or v == "auto"
                or v in LABEL_WEIGHT_STRATEGIES
            ),
            f"'auto', None, one of {sorted(LABEL_WEIGHT_STRATEGIES)}, a dict, an "
            "array of shape (n_labels, 2) or a callable",
        ),
        "loss": Options(tuple(LOSSES)),
        "threshold": Custom(lambda v: True, "", then=check_threshold),
        "scoring": Options(tuple(SCORINGS)),
        "beta": Number(Real, 0, closed="neither"),
        "top_k": Number(Integral, 1),
        "calibration": Options(("platt", "shift"), none=True),
        "min_positives": Number(Integral, 1),
        "shrinkage": Number(Real, 0, note=" (0: no shrinkage)"),
        "max_predicted_ratio": Number(
            Real, 0, closed="neither", none=True, note=" (None: no cap)"
        ),
        "max_anchor_ratio": Number(
            Real, 0, closed="neither", none=True, note=" (None: the anchor is 0.5)"
        ),
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
        loss="bce",
        focal_gamma=2.0,
        optimizer="adam",
        learning_rate=1e-3,
        epochs=100,
        patience=10,
        batch_size=64,
        threshold="tuned",
        scoring="f1_macro",
        beta=1.0,
        top_k=1,
        calibration="platt",
        min_positives=MIN_POSITIVES,
        shrinkage=SHRINKAGE,
        max_predicted_ratio=MAX_PREDICTED_RATIO,
        max_anchor_ratio=MAX_ANCHOR_RATIO,
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
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.patience = patience
        self.batch_size = batch_size
        self.threshold = threshold
        self.scoring = scoring
        self.beta = beta
        self.top_k = top_k
        self.calibration = calibration
        self.min_positives = min_positives
        self.shrinkage = shrinkage
        self.max_predicted_ratio = max_predicted_ratio
        self.max_anchor_ratio = max_anchor_ratio
        self.cv = cv
        self.ensemble = ensemble
        self.random_state = random_state
        self.verbose = verbose
        self.callbacks = callbacks

    # ------------------------------------------------------------------ fit
    @with_callbacks
    def fit(self, X, y, sample_weight=None):
        """Cross-fit the networks, choose the epoch and tune the thresholds.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Sparse input trains the first layer on its non-zeros (see Notes).
        y : array-like of shape (n_samples, n_labels) or (n_samples,)
            0/1 indicator matrix, or a 1-D binary target.
        sample_weight : array-like of shape (n_samples,), default=None
            Multiplies each row's loss and its weight in threshold tuning and
            calibration. Only relative weights matter: it is rescaled to mean 1.

        Returns
        -------
        self : WeightedMultiLabelClassifier
        """
        return self._fit(X, y, sample_weight)

    def _check_params(self):
        check_threshold_scoring(self.threshold, self.scoring)

    def _fit_data(self, X, y, sample_weight):
        """Validate the data, set the target's attributes and the label weights."""
        X, target, sample_weight = self._validate_fit_data(X, y, sample_weight)
        self._set_target_attributes(target)
        self.label_weights_ = check_label_weights(
            self._reference_weighting(), target.Y, target.classes
        )
        data = FitData(X, y, target.Y, target.Y, None, sample_weight, target.classes)
        return replace(data, targets=self._pack_targets(self.label_weights_, data))

    def _reference_weights(self):
        return self.label_weights_

    def _weights_of(self, class_weight, data):
        """Label weights of a candidate's own ``class_weight``."""
        return check_label_weights(class_weight, data.truth, data.classes)

    def _pack_targets(self, label_weights, data):
        return pack_targets(
            data.truth,
            element_weights(data.truth, label_weights, data.sample_weight),
            "rescale sample_weight, e.g. divide it by its mean.",
        )

    def _validate_fit_data(self, X, y, sample_weight):
        if sp.issparse(y):  # a sparse indicator matrix, as MultiLabelBinarizer gives
            y = y.toarray()
        X, y = self._validate_X_y(X, y)
        check_float32_range(X)
        target = encode_target(y)
        sample_weight = check_sample_weight(sample_weight, X.shape[0], target)
        if (
            isinstance(self.threshold, str)
            and self.threshold == "top_k"
            and target.classes is not None
        ):
            raise ValueError(
                "threshold='top_k' needs a multi-label Y (2-D); got a "
                "1-D binary y. Use threshold='tuned' or a float."
            )
        n_outputs = target.Y.shape[1]
        if (
            not isinstance(self.threshold, str)
            and np.ndim(self.threshold) == 1
            and len(self.threshold) != n_outputs
        ):
            raise ValueError(
                f"threshold has {len(self.threshold)} values but Y has "
                f"{n_outputs} label(s); give one threshold per label."
            )
        return X, target, sample_weight

    def _set_target_attributes(self, target):
        self.n_outputs_ = target.Y.shape[1]
        self._y_dtype = target.dtype.str  # a str: persisted without numpy.dtype
        if target.classes is not None:
            self.classes_ = target.classes
        else:
            self.classes_ = [np.array([0, 1]) for _ in range(self.n_outputs_)]

    def _meta(self, n_features):
        """Facts passed to build functions, with scikeras's key names."""
        target_is_binary = not isinstance(self.classes_, list)
        return {
            "n_features_in_": n_features,
            "n_outputs_": self.n_outputs_,
            "n_outputs_expected_": 1,
            # scikeras's name for the width of a multi-label output layer
            "n_classes_": 2 if target_is_binary else self.n_outputs_,
            "target_type_": "binary" if target_is_binary else "multilabel-indicator",
            "classes_": self.classes_,
            "seed": None,  # replaced per head
        }

    def _head_loss(self):
        return HeadwiseLoss(self.loss, self.focal_gamma)

    def _fit_decisions(self, Y, Z, sample_weight, calibrate=True):
        """Calibration and thresholds on out-of-fold logits.

        See :mod:`.._decisions.multilabel`.

        ``calibrate=False`` skips the calibration map (identity), for the
        monitor where the decisions do not depend on it.
        """
        return fit_decisions(
            Y,
            Z,
            label_weights=self.label_weights_,
            sample_weight=sample_weight,
            calibration=self.calibration if calibrate else None,
            threshold=self.threshold,
            scoring=self.scoring,
            beta=self.beta,
            min_positives=self.min_positives,
            shrinkage=self.shrinkage,
            max_predicted_ratio=self.max_predicted_ratio,
            max_anchor_ratio=self.max_anchor_ratio,
        )

    def _decision_scorer(self, Y, proba, sample_weight):
        """The objective ``scoring`` names, of the decisions ``predict`` would
        make from out-of-fold ``proba``, as ``at(row_weight=None)``
        (:func:`.._decisions.multilabel.decision_scorer`). The calibration and
        thresholds are fitted on ``proba`` exactly as at the end of ``fit``
        (the calibration only where the decisions depend on it,
        :func:`.._decisions.multilabel.calibration_matters`).
        """
        Z = to_logits(proba)
        calibrate = calibration_matters(self.threshold, self.scoring)
        decisions = self._fit_decisions(Y, Z, sample_weight, calibrate=calibrate)
        return decision_scorer(
            Y,
            Z,
            decisions,
            scoring=self.scoring,
            beta=self.beta,
            top_k=self.top_k,
            sample_weight=sample_weight,
        )

    def _fit_held_out_decisions(self, Y, proba, sample_weight):
        """Calibration, thresholds and ``label_report_`` on the held-out rows."""
        Z = to_logits(proba)
        decisions = self._fit_decisions(Y, Z, sample_weight)
        self.calibration_slope_ = decisions.slope
        self.calibration_intercept_ = decisions.intercept
        self.thresholds_ = decisions.thresholds
        self.label_report_ = label_report(
            Y,
            Z,
            decisions,
            beta=self._beta(),
            top_k=self.top_k,
            sample_weight=sample_weight,
        )

    def _decisions(self):
        return Decisions(
            self.calibration_slope_,
            self.calibration_intercept_,
            self.thresholds_,
            None,
        )

    def _beta(self):
        return parse_scoring(self.scoring, self.beta)[1]

    # -------------------------------------------------------------- predict
    def _decide(self, X):
        """Calibrated probabilities and 0/1 decisions of every label."""
        Z = self._network_logits(X)
        return decide(Z, self._decisions(), self.top_k)

    def predict_proba(self, X):
        """Probability of each label.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_labels), dtype float64
            Strictly inside (0, 1). For a 1-D binary ``y`` the shape is
            ``(n_samples, 2)``, columns ordered as ``classes_``.
        """
        proba, _ = self._decide(X)
        if not isinstance(self.classes_, list):
            return np.hstack([1.0 - proba, proba])
        return proba

    def predict(self, X):
        """Predict label sets with the per-label thresholds (or top-k).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        Y_pred : ndarray of shape (n_samples, n_labels) or (n_samples,)
            Same shape convention and dtype as the target given to ``fit``.
        """
        _, indicator = self._decide(X)
        if not isinstance(self.classes_, list):
            return self.classes_[indicator[:, 0]]
        return indicator.astype(np.dtype(self._y_dtype), copy=False)

    # ------------------------------------------------------- sklearn hooks
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        tags.classifier_tags.multi_class = False
        tags.target_tags.multi_output = True
        return tags
