"""The decisions: NumPy and SciPy only, no Keras.

Everything fitted on the out-of-fold scores after training, and the weights
fixed before it.

- :mod:`.label_weights`, :mod:`.class_weights`: the loss weights;
- :mod:`.spread`: held-out scores matched to the ensemble that predicts;
- :mod:`.selection`: the blend of candidates;
- :mod:`.calibration`, :mod:`.thresholds`, :mod:`.scores`: the pieces;
- :mod:`.multilabel`, :mod:`.multiclass`: the decisions of each estimator.
"""
