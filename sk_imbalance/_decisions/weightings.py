r"""Candidates trained under several weightings, compared on one scale.

A label weighted :math:`[w_0, w_1]` in the loss shifts what a network learns:
where it fits well, its logit estimates the log-odds of the weighted problem,
the unweighted log-odds plus

.. math:: s = \ln(w_1 / w_0)

(the analytic prior shift, :func:`.calibration.prior_shift` with its sign
turned). A softmax network whose classes are weighted :math:`w_c` learns
logits shifted by :math:`\ln w_c`, up to a constant per row. So two
candidates trained under different weightings score the same row on two
scales: an unweighted network's 0.5 is a weighted one's
:math:`\operatorname{expit}(s)`, and a threshold, a calibration prior or a
blend fitted on one is wrong for the other.

Before the held-out folds compare, choose and blend candidates, each
candidate's logits are therefore moved onto the **reference** weighting's
scale,

.. math:: z' = z + s_{\text{ref}} - s_{\text{own}},

and everything after (the epoch's objective, the blend, the calibration with
the reference's prior, the thresholds and their anchors) is fitted on that
one scale, as if every candidate had been trained under the reference. A
candidate trained under the reference is not moved at all. The shift is exact
for the best network of each weighting (the weighted cross-entropy's minimiser
is the shifted log-odds); for a network that fits a label less well it is the
prior's part of the difference, and the calibration map fitted out of fold
takes the rest.

Pure NumPy, so usable and testable without Keras.
"""

from __future__ import annotations

import numpy as np

__all__ = ["logit_shift", "scale_offsets", "distinct"]


def logit_shift(weights, link="sigmoid"):
    r"""How far a weighting moves a network's logits: :math:`s` per output.

    Parameters
    ----------
    weights : ndarray
        ``(n_labels, 2)`` label weights ``[w_neg, w_pos]`` for a sigmoid
        network, or ``(n_classes,)`` class weights for a softmax one.
    link : {"sigmoid", "softmax"}, default="sigmoid"

    Returns
    -------
    ndarray of shape (n_outputs,)
        :math:`\ln(w_1 / w_0)` per label, or :math:`\ln w_c` per class.
    """
    weights = np.asarray(weights, dtype=np.float64)
    if link == "softmax":
        return np.log(weights)
    return np.log(weights[:, 1]) - np.log(weights[:, 0])


def scale_offsets(weights, reference, link="sigmoid"):
    r"""What to add to each candidate's logits to put it on the reference's scale.

    Parameters
    ----------
    weights : sequence of ndarray
        Each candidate's weights, as :func:`logit_shift` takes them.
    reference : ndarray
        The reference weighting's weights.
    link : {"sigmoid", "softmax"}, default="sigmoid"

    Returns
    -------
    ndarray of shape (n_candidates, n_outputs)
        :math:`s_{\text{ref}} - s_{\text{own}}`; a row of zeros for a
        candidate trained under the reference's weights.
    """
    target = logit_shift(reference, link)
    return np.stack(
        [
            np.zeros_like(target)
            if np.array_equal(np.asarray(w, np.float64), np.asarray(reference))
            else target - logit_shift(w, link)
            for w in weights
        ]
    )


def distinct(weights):
    """Group equal weightings: the distinct ones and each candidate's index.

    Candidates under one weighting share one copy of the element weights.

    Parameters
    ----------
    weights : sequence of ndarray

    Returns
    -------
    unique : list of ndarray
        The distinct weightings, in order of first appearance.
    index : ndarray of shape (n_candidates,), dtype int
        ``unique[index[i]]`` is candidate ``i``'s.
    """
    unique, index = [], []
    for w in weights:
        w = np.asarray(w, dtype=np.float64)
        for position, seen in enumerate(unique):
            if seen.shape == w.shape and np.array_equal(seen, w):
                index.append(position)
                break
        else:
            unique.append(w)
            index.append(len(unique) - 1)
    return unique, np.asarray(index, dtype=int)
