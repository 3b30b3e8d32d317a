"""NumPy Generators from ``random_state``, as scikit-learn's convention reads it."""

from __future__ import annotations

import numpy as np
from sklearn.utils import check_random_state

__all__ = ["generator"]


def generator(random_state):
    """A NumPy Generator seeded from ``random_state``, scikit-learn's way.

    One seed is drawn from ``check_random_state(random_state)``: for None,
    NumPy's global RandomState (so ``np.random.seed`` makes a script's fits
    reproducible, as for every scikit-learn estimator, and advances it by
    one draw); for an int, a RandomState of its own (no global state is read
    or changed); for a RandomState, that instance.
    """
    return np.random.default_rng(
        check_random_state(random_state).randint(np.iinfo(np.int32).max)
    )
