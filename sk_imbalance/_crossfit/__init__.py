"""The cross-fit loop: k fold heads per candidate, trained in one Keras model.

Below the estimators, above the networks (:mod:`.._nn`) and the decisions
(:mod:`.._decisions`).

- :mod:`.splits`: the folds;
- :mod:`.loop`: the training loop, the epoch choice, the result;
- :mod:`.feed`, :mod:`.encoding`: rows into the model, dense or as the sparse
  layer's entries;
- :mod:`.steps`: one epoch's steps;
- :mod:`.trainer_cache`: compiled models reused across fits;
- :mod:`.oof`: out-of-fold scores and the between-head variance.
"""
