"""A synthetic Zipfian text corpus, as TF-IDF: the cost case of text at scale.

Short texts of a Zipfian vocabulary (word of rank ``r`` drawn with probability
proportional to ``1 / (r + 2.7)``, Mandelbrot's form of Zipf's law), each
positive with probability ``positive_rate``. A positive text draws a share
``signal`` of its tokens from a topic (another Zipfian over a random fifth of
the vocabulary), and a negative text a smaller share ``noise`` of them, so the
label is a noisy linear function of the words, as in topic or spam labels.
:func:`make_corpus` returns the token counts, and :func:`tfidf_split` the
TF-IDF of a train/test split (``TfidfTransformer(sublinear_tf=True)`` fitted on
the training rows): what ``TfidfVectorizer`` gives. This corpus measures cost;
quality is measured on real data.
"""

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfTransformer

__all__ = ["make_corpus", "tfidf_split"]


def _zipf(n):
    p = 1.0 / (np.arange(n) + 2.7)
    return p / p.sum()


def make_corpus(
    n_rows,
    n_words,
    *,
    tokens=64,
    positive_rate=0.27,
    signal=0.12,
    noise=0.04,
    seed=0,
):
    """``(counts, y)``: CSR token counts ``(n_rows, n_words)`` and 0/1 labels.

    Parameters
    ----------
    n_rows, n_words : int
    tokens : int, default=75
        Mean tokens per text (Poisson); about 59 distinct words at 50,000
        words.
    positive_rate : float, default=0.27
    signal, noise : float
        Share of a positive (negative) text's tokens drawn from the topic.
    seed : int

    Returns
    -------
    counts : scipy.sparse.csr_matrix of float32
    y : ndarray of int
    """
    rng = np.random.default_rng(seed)
    general = _zipf(n_words)
    order = rng.permutation(n_words)  # the vocabulary's frequency ranks
    topic_words = rng.choice(n_words, size=max(n_words // 5, 1), replace=False)
    topic = _zipf(topic_words.size)
    y = (rng.random(n_rows) < positive_rate).astype(int)
    lengths = np.maximum(rng.poisson(tokens, size=n_rows), 3)
    share = np.where(y == 1, signal, noise)
    from_topic = rng.binomial(lengths, share)
    rows = np.repeat(np.arange(n_rows), lengths)
    n_topic = int(from_topic.sum())
    words = order[rng.choice(n_words, size=int(lengths.sum()), p=general)]
    # the first from_topic[i] tokens of text i come from the topic instead
    offsets = np.cumsum(lengths) - lengths
    within = np.arange(lengths.sum()) - np.repeat(offsets, lengths)
    is_topic = within < np.repeat(from_topic, lengths)
    words[is_topic] = topic_words[rng.choice(topic_words.size, size=n_topic, p=topic)]
    counts = sp.csr_matrix(
        (np.ones(rows.size, dtype=np.float32), (rows, words)),
        shape=(n_rows, n_words),
    )
    counts.sum_duplicates()
    return counts, y


def tfidf_split(n_train, n_test, n_words, seed=0, **kwargs):
    """TF-IDF train and test matrices (float32 CSR) and labels of one corpus."""
    counts, y = make_corpus(n_train + n_test, n_words, seed=seed, **kwargs)
    tfidf = TfidfTransformer(sublinear_tf=True).fit(counts[:n_train])
    X = tfidf.transform(counts).astype(np.float32).tocsr()
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]
