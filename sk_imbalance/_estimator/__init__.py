"""The scikit-learn side: the two estimators and what only they know.

The top layer (``docs/architecture.rst``): it validates ``X`` and ``y``, turns
the parameters into a cross-fit (:mod:`.._crossfit`) and decisions
(:mod:`.._decisions`), and keeps the fitted state.

- :mod:`.base`: ``CrossFitClassifier``, the ``fit`` both estimators share;
- :mod:`.choice`: the held-out folds' choice among the candidates;
- :mod:`.fit_data`: one fit's data, as the cross-fit and the decisions take it;
- :mod:`.multilabel`, :mod:`.multiclass`: the two public estimators;
- :mod:`.params`, :mod:`.validation`: parameter constraints and checks;
- :mod:`.sparse_policy`: when the first layer works on the non-zeros;
- :mod:`.callbacks`: scikit-learn's callback protocol;
- :mod:`.persistence`: the Keras model in pickles and skops files.
"""
