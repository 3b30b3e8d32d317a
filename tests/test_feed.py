"""Tests of sk_imbalance._crossfit.feed."""

import keras
import numpy as np
import pytest
import scipy.sparse as sp

from sk_imbalance._crossfit import feed as _feed
from sk_imbalance._crossfit.feed import CHUNK_BYTES, DENSE_CHUNK, RowFeed, chunk_rows


def _dense_model(n_features):
    """A network on dense rows (any will do: the feed reads only its inputs)."""
    inputs = keras.Input((n_features,))
    return keras.Model(inputs, keras.layers.Dense(1)(inputs))


def test_chunk_rows_keeps_the_row_cap_for_narrow_rows():
    """Check that typical widths keep DENSE_CHUNK rows and wide ones shrink."""
    assert chunk_rows(5 * 1000, 4, DENSE_CHUNK) == DENSE_CHUNK
    assert chunk_rows(5 * 100_000, 4, DENSE_CHUNK) == CHUNK_BYTES // 2_000_000
    assert chunk_rows(10**9, 8, DENSE_CHUNK) == 1


def test_row_feed_chunks_of_wide_x_stay_under_the_budget():
    """Check that a 100,000-column X makes blocks of at most CHUNK_BYTES."""
    X = sp.random(
        3000, 100_000, density=1e-5, format="csr", dtype=np.float32, random_state=0
    )
    feed = RowFeed(_dense_model(X.shape[1]), X, 5, densify=False)
    index = np.arange(3000 * 5).reshape(3000, 5) % 3000
    chunks = feed.chunks(index)
    assert len(chunks) > 3000 // DENSE_CHUNK + 1
    block = feed.inputs(index[chunks[0]])
    assert 0.5 * CHUNK_BYTES < block.nbytes <= CHUNK_BYTES
    assert np.concatenate([index[c] for c in chunks]).tolist() == index.tolist()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_row_feed_chunks_count_the_bytes_of_x_and_heads(monkeypatch, dtype):
    """Check that every gathered block, in X's dtype and cast, fits the budget."""
    monkeypatch.setattr(_feed, "CHUNK_BYTES", 3000)
    X = np.random.default_rng(0).random((50, 40)).astype(dtype)
    feed = RowFeed(_dense_model(40), X, 3)
    index = np.arange(150).reshape(50, 3) % 50
    chunks = feed.chunks(index)
    assert len(chunks) == int(np.ceil(50 / (3000 // (3 * 40 * X.itemsize))))
    for chunk in chunks:
        assert X[index[chunk].ravel()].nbytes <= 3000
        assert feed.inputs(index[chunk]).nbytes <= 3000
