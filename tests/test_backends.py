"""Backend smoke test: both estimators under Keras's JAX backend.

Keras picks its backend once per process, so the test runs a script in a
subprocess with ``KERAS_BACKEND=jax``; it is skipped when JAX is not
installed. TensorFlow stays the default (and a dependency).
"""

import importlib.util
import os
import subprocess
import sys

import pytest

SCRIPT = r"""
import pickle
import keras
import numpy as np
from sklearn.datasets import make_multilabel_classification
from sk_imbalance import WeightedMultiLabelClassifier, WeightedBinaryCrossentropy
from sk_imbalance import WeightedFocalLoss

assert keras.backend.backend() == "jax", keras.backend.backend()
y = np.array([[1.0, 0.0], [0.0, 1.0]], dtype="float32")
z = np.array([[2.0, -1.0], [0.5, 3.0]], dtype="float32")
weights = np.array([[1.0, 3.0], [0.5, 2.0]])
expected = np.mean(
    -(weights[:, 1] * y * np.log(1 / (1 + np.exp(-z)))
      + weights[:, 0] * (1 - y) * np.log(1 - 1 / (1 + np.exp(-z))))
)
assert np.isclose(float(WeightedBinaryCrossentropy(weights)(y, z)), expected, rtol=1e-5)
focal = float(WeightedFocalLoss(weights, gamma=0.0)(y, z))
assert np.isclose(focal, expected, rtol=1e-5), (focal, expected)

X, Y = make_multilabel_classification(n_samples=150, n_classes=4, random_state=0)
# the non-default losses on dense rows; the sparse fits below use the defaults
for loss in ("focal",):
    clf = WeightedMultiLabelClassifier(
        hidden_layer_sizes=(8,), epochs=3, cv=2, loss=loss, random_state=0
    ).fit(X, Y)
    proba = clf.predict_proba(X)
    assert proba.shape == Y.shape and np.all(np.isfinite(proba))
    again = pickle.loads(pickle.dumps(clf)).predict_proba(X)
    np.testing.assert_allclose(again, proba, rtol=1e-6)

from sk_imbalance import WeightedMultiClassClassifier
y3 = Y.argmax(axis=1)
for loss, cost in (("expected_cost", 1 - np.eye(4)),):
    clf = WeightedMultiClassClassifier(
        hidden_layer_sizes=(8,), epochs=3, cv=2, loss=loss, cost=cost, random_state=0
    ).fit(X, y3)
    proba = clf.predict_proba(X)
    assert proba.shape == (150, 4) and np.allclose(proba.sum(axis=1), 1.0)
    again = pickle.loads(pickle.dumps(clf)).predict_proba(X)
    np.testing.assert_allclose(again, proba, rtol=1e-6)

import scipy.sparse as sp
Xs = sp.random(150, 300, density=0.05, format="csr", random_state=0)
for clf in (
    WeightedMultiLabelClassifier(hidden_layer_sizes=(8,), epochs=3, cv=2),
    WeightedMultiClassClassifier(hidden_layer_sizes=(8,), epochs=3, cv=2),
):
    clf.set_params(random_state=0, sparse_layer=True)
    target = Y if isinstance(clf, WeightedMultiLabelClassifier) else y3
    clf.fit(Xs, target)
    assert clf.model_.input[0].name.startswith("entry_ids")  # the sparse path
    proba = clf.predict_proba(Xs)
    assert np.all(np.isfinite(proba))
    np.testing.assert_allclose(clf.predict_proba(Xs.toarray()), proba, rtol=1e-5)
    again = pickle.loads(pickle.dumps(clf)).predict_proba(Xs)
    np.testing.assert_allclose(again, proba, rtol=1e-6)

# a portfolio whose candidates stop at different epochs: the later epochs
# step a view of the running candidates (sk_imbalance._crossfit.trainer_cache)
from sk_imbalance._crossfit import loop
from sk_imbalance._crossfit import trainer_cache as _trainer_cache
loop.MIN_STEPS = 1  # one step an epoch here: let the candidates stop early
views = []
original_view = _trainer_cache._Trainer.view
def spy(self, active, source):
    made = original_view(self, active, source)
    views.append(made is not None)
    return made
_trainer_cache._Trainer.view = spy
two = [{"name": "linear", "hidden_layer_sizes": ()},
       {"name": "small", "hidden_layer_sizes": (8,)}]
params = dict(candidates=two, epochs=30, patience=1, cv=3, learning_rate=0.05,
              batch_size=128, random_state=0)
clf = WeightedMultiLabelClassifier(**params).fit(X, Y)
assert views and all(views), views
_trainer_cache._Trainer.view = lambda self, active, source: None
reference = WeightedMultiLabelClassifier(**params).fit(X, Y)
assert clf.candidates_["n_epochs"] == reference.candidates_["n_epochs"]
np.testing.assert_allclose(clf.predict_proba(X), reference.predict_proba(X), atol=1e-5)
print("jax ok")
"""


@pytest.mark.skipif(
    importlib.util.find_spec("jax") is None, reason="JAX is not installed"
)
def test_jax_backend_losses_fit_predict_pickle():
    """Check losses against NumPy, a fit, predict and a pickle round trip on JAX,
    dense and sparse (the first layer on the non-zeros), and that a portfolio
    whose candidates stop apart fits as it would with every candidate trained
    to the end."""
    env = {**os.environ, "KERAS_BACKEND": "jax"}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "jax ok" in done.stdout
