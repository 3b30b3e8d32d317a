"""
A text CNN over token ids, passed to the estimator as a build function
======================================================================

The model family many binary-text users start from: token ids, an
embedding, parallel convolutions with two window widths (3 and 5 tokens),
max-pooling over the text, and a dense output layer (Kim, "Convolutional
neural networks for sentence classification", EMNLP 2014). It plugs into
:class:`~sk_imbalance.WeightedMultiLabelClassifier` as a build function,
``model=build_text_cnn``, and keeps the estimator's class weights, tuned
F1 threshold, calibration and early stopping on out-of-fold scores.

The texts: the tmc2007 slice shipped with the package (aviation safety
reports, label ``class06``; Srivastava & Zane-Ulman, IEEE Aerospace
Conference 2005). The data set holds which of 500 words each report
contains, not the running text, so each text is its words in alphabetical
order: the convolutions see which words occur together, not real phrases.
For such bag-of-words data, TF-IDF and the estimator's default network
(:ref:`sphx_glr_auto_examples_text_pipeline.py`) is the route we
recommend, and the faster one; this example shows the API for a network
of one's own, for running text, where the convolutions can use the word
order.

Run it with ``python examples/text_cnn.py`` (about a minute on a 2-core
CPU), or ``--epochs 2`` for a quick run. The figure needs matplotlib.

.. note::

   The documentation builds this page as a smoke run, with ``--epochs 1
   --n-train 1000``, to keep the build fast: its numbers show that the code
   runs, not what the network reaches. No full run of this example is
   published on the results pages.
"""

import argparse
import time
from collections import Counter

import keras
import matplotlib.pyplot as plt
import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.metrics import (
    f1_score,
    precision_score,
    recall_score,
)
from sklearn.pipeline import make_pipeline
from sklearn.utils.validation import check_is_fitted

from sk_imbalance import WeightedMultiLabelClassifier
from sk_imbalance.datasets import load_tmc2007_binary

parser = argparse.ArgumentParser(
    description="A text CNN on token ids."
)
parser.add_argument(
    "--epochs", type=int, default=20, help="at most (default: 20)"
)
parser.add_argument(
    "--n-train",
    type=int,
    help="first N training texts (default: all)",
)
args, _ = parser.parse_known_args()

# %%
# Texts to token ids
# ------------------
# The estimator takes a float matrix ``X``, so a small scikit-learn
# transformer turns each text into ``max_len`` token ids: ``fit`` learns a
# vocabulary from the training texts, ``transform`` maps each text to its
# first ``max_len`` ids, padded with 0. The ids are stored as float32,
# exact below 2**24.

#: Ids 0 (padding) and 1 (a word not seen in fit) are reserved.
PAD, UNKNOWN = 0, 1


class TokenIds(TransformerMixin, BaseEstimator):
    """Texts to float32 token ids, shape (n_texts, max_len).

    Tokens are whitespace-separated words. ``fit`` keeps the
    ``max_tokens - 2`` most frequent words of the training texts
    (ids 2, 3, ...; ties broken alphabetically); ``transform``
    gives each text its first ``max_len`` ids, padded with 0, and
    1 for a word not kept.

    Parameters
    ----------
    max_len : int, default=72
        Ids per text.
    max_tokens : int, default=2000
        Size of the id range, padding and unknown included:
        every id is below it, so it is the embedding's
        ``input_dim``.
    """

    def __init__(self, max_len=72, max_tokens=2000):
        self.max_len = max_len
        self.max_tokens = max_tokens

    def fit(self, X, y=None):
        counts = Counter(
            word for text in X for word in text.split()
        )
        kept = sorted(
            counts, key=lambda word: (-counts[word], word)
        )
        kept = kept[: self.max_tokens - 2]
        self.vocabulary_ = {
            word: UNKNOWN + 1 + i for i, word in enumerate(kept)
        }
        return self

    def transform(self, X):
        check_is_fitted(self, "vocabulary_")
        ids = np.full(
            (len(X), self.max_len), PAD, dtype=np.float32
        )
        for row, text in enumerate(X):
            words = text.split()[: self.max_len]
            ids[row, : len(words)] = [
                self.vocabulary_.get(word, UNKNOWN)
                for word in words
            ]
        return ids


# %%
# The network, as a build function
# --------------------------------
# The estimator calls the build function once per cross-fit head, with
# ``meta`` (``n_features_in_``, here the text length; ``n_outputs_``;
# ``seed``, the head's own seed) and the keys of ``model_kwargs``
# (vocabulary size, embedding width, filters). It returns an uncompiled
# ``keras.Model`` that ends in linear logits, one per output.
#
# ``keras.layers.Embedding`` casts the float ids to int32 itself, so the
# network needs no ``Lambda`` layer, which pickling would refuse: a fitted
# estimator is saved as its network's config and rebuilt in Keras's safe
# mode, so a network must use built-in layers, or custom ones registered
# with ``keras.saving.register_keras_serializable`` (:ref:`persistence`).


def build_text_cnn(
    meta,
    vocab_size,
    embedding_dim=32,
    filters=32,
    kernel_sizes=(3, 5),
    dropout=0.3,
):
    """Embedding, Conv1D + max-pool per width, dropout, Dense.

    Every layer is seeded from ``meta["seed"]`` (each head has its
    own; None when the estimator's ``random_state`` is None), so
    ``random_state=0`` gives the same predictions on a CPU.
    """
    seed = meta["seed"]

    def seeded(initializer, offset):
        return initializer(
            seed=None if seed is None else seed + offset
        )

    ids = keras.Input(
        shape=(meta["n_features_in_"],), name="token_ids"
    )
    vectors = keras.layers.Embedding(
        vocab_size,
        embedding_dim,
        embeddings_initializer=seeded(
            keras.initializers.RandomUniform, 0
        ),
        name="embedding",
    )(ids)
    channels = []
    for i, size in enumerate(kernel_sizes):
        conv = keras.layers.Conv1D(
            filters,
            size,
            activation="relu",
            kernel_initializer=seeded(
                keras.initializers.HeUniform, 1 + i
            ),
            name=f"conv_{size}",
        )(vectors)
        pooled = keras.layers.GlobalMaxPooling1D(
            name=f"max_pool_{size}"
        )
        channels.append(pooled(conv))
    features = keras.layers.Concatenate(name="concatenate")(
        channels
    )
    features = keras.layers.Dropout(
        dropout,
        seed=None if seed is None else seed + 100,
        name="dropout",
    )(features)
    logits = keras.layers.Dense(
        meta["n_outputs_"],
        kernel_initializer=seeded(
            keras.initializers.GlorotUniform, 200
        ),
        name="logits",
    )(features)
    return keras.Model(ids, logits, name="text_cnn")


def make_model(
    epochs, max_len=72, max_tokens=2000, **model_kwargs
):
    """Token ids, then the classifier with the text CNN."""
    return make_pipeline(
        TokenIds(max_len=max_len, max_tokens=max_tokens),
        WeightedMultiLabelClassifier(
            model=build_text_cnn,
            model_kwargs={
                "vocab_size": max_tokens,
                **model_kwargs,
            },
            epochs=epochs,
            random_state=0,
        ),
    )


# %%
# Fit
# ---
# The texts go into the pipeline as they are; with a 1-D binary target
# the estimator weights the classes and tunes the positives' F1 threshold
# on the out-of-fold scores of its five heads.

texts, y = load_tmc2007_binary(
    "train", as_text=True, return_X_y=True
)
texts_test, y_test = load_tmc2007_binary(
    "test", as_text=True, return_X_y=True
)
if args.n_train is not None:
    texts, y = texts[: args.n_train], y[: args.n_train]
print(
    f"{len(texts)} training texts ({y.sum()} positives), "
    f"{len(texts_test)} test texts"
)

model = make_model(args.epochs)
start = time.perf_counter()
model.fit(texts, y)
seconds = time.perf_counter() - start
clf = model[-1]
print(
    f"token ids: {model[0].max_len} per text, "
    f"{len(model[0].vocabulary_)} words in the vocabulary"
)
print(f"{clf.model_.count_params():,} weights in {clf.cv} heads")
print(f"epoch kept: {clf.n_epochs_}")
print(f"tuned threshold: {clf.thresholds_[0]:.3f}")

# %%
# Score
# -----

pred = model.predict(texts_test)
f1 = f1_score(y_test, pred)
precision = precision_score(y_test, pred, zero_division=0)
recall = recall_score(y_test, pred)
print("model                    F1  precision  recall  fit s")
print(
    f"{'TokenIds + text CNN':<20}{f1:7.3f}{precision:11.3f}"
    f"{recall:8.3f}{seconds:7.1f}"
)

# %%
# The scores and the tuned threshold
# ----------------------------------
# The calibrated probability of the positive class on the test texts, for
# the positives and the negatives, and the threshold tuned for F1 on the
# out-of-fold scores: ``predict`` marks every text to its right.

proba = model.predict_proba(texts_test)[:, 1]
fig, ax = plt.subplots(figsize=(6, 3.5))
bins = np.linspace(0, 1, 41)
ax.hist(
    proba[y_test == 0], bins=bins, alpha=0.6, label="negatives"
)
ax.hist(
    proba[y_test == 1], bins=bins, alpha=0.6, label="positives"
)
ax.axvline(clf.thresholds_[0], color="black", linestyle="--")
ax.annotate(
    "tuned threshold",
    (clf.thresholds_[0], 1),
    xycoords=("data", "axes fraction"),
    xytext=(4, -12),
    textcoords="offset points",
)
ax.set_xlabel("predict_proba, positive class")
ax.set_ylabel("test texts")
ax.set_title(f"{len(texts)} training texts, epochs={args.epochs}")
ax.legend(loc="center right")
fig.tight_layout()
plt.show()
