"""NumPy Generators from ``random_state``, never touching global random state."""

from __future__ import annotations

import numpy as np
from sklearn.utils import check_random_state

__all__ = ["generator"]


def generator(random_state):
    """A NumPy Generator for ``random_state``; never reads or advances a global state.

    None draws fresh entropy from the operating system rather than from
    NumPy's global RandomState (scikit-learn's convention), so that fitting
    or splitting changes no global random state. An int or a RandomState
    seeds it, as scikit-learn's ``check_random_state`` would.
    """
    if random_state is None:
        return np.random.default_rng()
    return np.random.default_rng(
        check_random_state(random_state).randint(np.iinfo(np.int32).max)
    )
