"""A text CNN over token ids, passed to the estimator as a build function
======================================================================

The model family many binary-text users start from: token ids, an
embedding, parallel convolutions with two window widths (3 and 5 tokens),
max-pooling over the text, and a dense output layer (Kim, "Convolutional
neural networks for sentence classification", EMNLP 2014). It plugs into
``WeightedMultiLabelClassifier`` as a scikeras-style build function
``model=build_text_cnn``: the estimator calls it once per cross-fit head
with ``meta`` (``n_features_in_``, here the text length; ``n_outputs_``;
``seed``, the head's own seed) and the keys of ``model_kwargs`` (vocabulary
size, embedding dimension, filters), and keeps its class weights, tuned F1
threshold, calibration and early stopping on out-of-fold scores.

The input is a matrix of token ids made by ``TokenIds``, a small
scikit-learn transformer defined below: ``fit`` learns a vocabulary from the
training texts (id 0 is padding, 1 an unseen word), ``transform`` maps each
text to ``max_len`` ids, truncated or padded with 0. The estimator takes
float ``X``, so the ids are stored as float32 (exact below 2**24);
``keras.layers.Embedding`` casts its input to int32 itself, so the network
needs no ``Lambda`` layer, which pickling would refuse: a fitted estimator
is saved as its network's config and rebuilt in Keras's safe mode, so a
network must use built-in layers or custom ones registered with
``keras.saving.register_keras_serializable``.

The texts: the tmc2007 slice shipped with the package, loaded with
``load_tmc2007_binary(as_text=True)`` (aviation safety reports, label
``class06``; Srivastava & Zane-Ulman, IEEE Aerospace Conference 2005). The
data set holds which of 500 words each report contains, not the running
text, so each text is its words in vocabulary (alphabetical) order: the
convolutions see which words occur together, in that order, not real
phrases. For such bag-of-words data, TF-IDF and the estimator's default
network (``examples/text_pipeline.py``) is the route we recommend, and the
faster one; this example shows the API for a network of one's own, for
running text, where the convolutions can use the word order.

Run it with::

    python examples/text_cnn.py              # 20 epochs at most
    python examples/text_cnn.py --epochs 2   # a quick smoke run

It takes about a minute on a 2-core CPU with the default settings. In our
run the text CNN scored F1 0.610 on the test slice (precision 0.49, recall
0.81), against 0.624 for TF-IDF and the default network, which fits in a
third of the time.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
if __name__ == "__main__":  # a program of its own: hide TensorFlow's start-up lines
    from sk_imbalance._startup import quiet_native_stderr

    _restore_stderr = quiet_native_stderr()

import argparse  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402

import keras  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.base import BaseEstimator, TransformerMixin  # noqa: E402
from sklearn.metrics import f1_score, precision_score, recall_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.utils.validation import check_is_fitted  # noqa: E402

from sk_imbalance import WeightedMultiLabelClassifier  # noqa: E402
from sk_imbalance.datasets import load_tmc2007_binary  # noqa: E402

#: Ids 0 (padding) and 1 (a word not seen in fit) are reserved.
PAD, UNKNOWN = 0, 1


class TokenIds(TransformerMixin, BaseEstimator):
    """Texts to a float32 matrix of token ids, shape (n_texts, max_len).

    Tokens are whitespace-separated words. ``fit`` keeps the
    ``max_tokens - 2`` most frequent words of the training texts (ids 2, 3,
    ...; ties broken alphabetically); ``transform`` gives each text its first
    ``max_len`` ids, padded with 0, and 1 for a word not kept.

    Parameters
    ----------
    max_len : int, default=72
        Ids per text.
    max_tokens : int, default=2000
        Size of the id range, padding and unknown included: every id is below
        it, so it is the ``input_dim`` of the embedding.
    """

    def __init__(self, max_len=72, max_tokens=2000):
        self.max_len = max_len
        self.max_tokens = max_tokens

    def fit(self, X, y=None):
        counts = Counter(word for text in X for word in text.split())
        kept = sorted(counts, key=lambda word: (-counts[word], word))
        kept = kept[: self.max_tokens - 2]
        self.vocabulary_ = {word: UNKNOWN + 1 + i for i, word in enumerate(kept)}
        return self

    def transform(self, X):
        check_is_fitted(self, "vocabulary_")
        ids = np.full((len(X), self.max_len), PAD, dtype=np.float32)
        for row, text in enumerate(X):
            words = text.split()[: self.max_len]
            ids[row, : len(words)] = [
                self.vocabulary_.get(word, UNKNOWN) for word in words
            ]
        return ids


def build_text_cnn(
    meta, vocab_size, embedding_dim=32, filters=32, kernel_sizes=(3, 5), dropout=0.3
):
    """Embedding, one Conv1D + max-pool channel per kernel size, dropout, Dense.

    Every layer is seeded from ``meta["seed"]`` (each head has its own; None
    when the estimator's ``random_state`` is None), so ``random_state=0``
    gives the same predictions on CPU. Returns an uncompiled ``keras.Model``
    ending in linear logits, one per output.
    """
    seed = meta["seed"]

    def seeded(initializer, offset):
        return initializer(seed=None if seed is None else seed + offset)

    ids = keras.Input(shape=(meta["n_features_in_"],), name="token_ids")
    # Embedding casts the float ids to int32 itself: no Lambda layer needed.
    vectors = keras.layers.Embedding(
        vocab_size,
        embedding_dim,
        embeddings_initializer=seeded(keras.initializers.RandomUniform, 0),
        name="embedding",
    )(ids)
    channels = [
        keras.layers.GlobalMaxPooling1D(name=f"max_pool_{size}")(
            keras.layers.Conv1D(
                filters,
                size,
                activation="relu",
                kernel_initializer=seeded(keras.initializers.HeUniform, 1 + i),
                name=f"conv_{size}",
            )(vectors)
        )
        for i, size in enumerate(kernel_sizes)
    ]
    features = keras.layers.Concatenate(name="concatenate")(channels)
    features = keras.layers.Dropout(
        dropout, seed=None if seed is None else seed + 100, name="dropout"
    )(features)
    logits = keras.layers.Dense(
        meta["n_outputs_"],
        kernel_initializer=seeded(keras.initializers.GlorotUniform, 200),
        name="logits",
    )(features)
    return keras.Model(ids, logits, name="text_cnn")


def make_model(epochs, max_len=72, max_tokens=2000, **model_kwargs):
    """``TokenIds`` followed by the classifier with the text CNN."""
    return make_pipeline(
        TokenIds(max_len=max_len, max_tokens=max_tokens),
        WeightedMultiLabelClassifier(
            model=build_text_cnn,
            model_kwargs={"vocab_size": max_tokens, **model_kwargs},
            epochs=epochs,
            random_state=0,
        ),
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=(__doc__ or "\n").splitlines()[0])
    parser.add_argument(
        "--epochs", type=int, default=20, help="training epochs at most (default 20)"
    )
    parser.add_argument(
        "--n-train",
        type=int,
        default=None,
        help="use only the first N training texts (default: all 8,000)",
    )
    args = parser.parse_args(argv)

    texts, y = load_tmc2007_binary("train", as_text=True, return_X_y=True)
    texts_test, y_test = load_tmc2007_binary("test", as_text=True, return_X_y=True)
    if args.n_train is not None:
        texts, y = texts[: args.n_train], y[: args.n_train]
    print(
        f"tmc2007 class06: {len(texts)} training texts ({y.sum()} positives), "
        f"{len(texts_test)} test texts"
    )

    model = make_model(args.epochs)
    start = time.perf_counter()
    model.fit(texts, y)
    seconds = time.perf_counter() - start
    clf = model[-1]
    print(
        f"token ids: {model[0].transform(texts[:1]).shape[1]} per text, "
        f"{len(model[0].vocabulary_)} words in the vocabulary"
    )
    print(
        f"text CNN: {clf.model_.count_params():,} weights in its {clf.cv} "
        f"cross-fit heads; epoch {clf.n_epochs_} kept, tuned threshold "
        f"{clf.thresholds_[0]:.3f}"
    )

    pred = model.predict(texts_test)
    result = {
        "pipeline": model,
        "f1": f1_score(y_test, pred),
        "precision": precision_score(y_test, pred, zero_division=0),
        "recall": recall_score(y_test, pred),
        "fit_seconds": seconds,
    }
    print(f"\n{'model':<40}{'F1':>7}{'precision':>11}{'recall':>8}{'fit s':>8}")
    print(
        f"{'TokenIds + text CNN':<40}{result['f1']:7.3f}"
        f"{result['precision']:11.3f}{result['recall']:8.3f}{seconds:8.1f}"
    )
    return result


if __name__ == "__main__":
    try:
        main()
    finally:
        _restore_stderr()
