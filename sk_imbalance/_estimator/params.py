"""Declarative checks of an estimator's hyper-parameters.

An estimator declares, beside its ``__init__``, one constraint per parameter
in a ``_parameter_constraints`` dict; :func:`validate_params` checks them all
at the start of ``fit``. A value of the wrong type raises
:class:`ParameterTypeError` (a ``TypeError``, and a ``ValueError`` so that
``except ValueError`` keeps working, as scikit-learn's own
``InvalidParameterError``); a value of the right type out of its range raises
``ValueError``. Both name the parameter, the value received and what is
expected.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from numbers import Integral

import numpy as np

__all__ = [
    "ParameterTypeError",
    "Number",
    "Options",
    "Flag",
    "Sizes",
    "Custom",
    "validate_params",
]


class ParameterTypeError(TypeError, ValueError):
    """A hyper-parameter of the wrong type."""


def _type_name(value):
    return type(value).__name__


@dataclass(frozen=True)
class Number:
    """An int or a float in a range; finite unless ``finite=False``.

    Parameters
    ----------
    kind : Integral or Real
    low, high : float or None
        Bounds; None for no bound.
    closed : {"both", "left", "right", "neither"}
        Which bounds are included.
    none : bool
        Whether None is allowed.
    note : str
        What None (or a special value) means, appended to the message.
    """

    kind: type
    low: float | None = None
    high: float | None = None
    closed: str = "both"
    none: bool = False
    note: str = ""

    def describe(self):
        kind = "an int" if self.kind is Integral else "a finite float"
        left = "[" if self.closed in ("both", "left") and self.low is not None else "("
        right = (
            "]" if self.closed in ("both", "right") and self.high is not None else ")"
        )
        low = "-inf" if self.low is None else f"{self.low:g}"
        high = "inf" if self.high is None else f"{self.high:g}"
        text = f"{kind} in {left}{low}, {high}{right}"
        if self.none:
            text = f"None or {text}"
        return f"{text}{self.note}"

    def check(self, name, value):
        if value is None and self.none:
            return
        if isinstance(value, bool | np.bool_) or not isinstance(value, self.kind):
            raise ParameterTypeError(
                f"{name} must be {self.describe()}; got {value!r} of type "
                f"{_type_name(value)}."
            )
        low_ok = (
            self.low is None
            or value > self.low
            or (value == self.low and self.closed in ("both", "left"))
        )
        high_ok = (
            self.high is None
            or value < self.high
            or (value == self.high and self.closed in ("both", "right"))
        )
        if not (np.isfinite(value) and low_ok and high_ok):
            raise ValueError(f"{name} must be {self.describe()}; got {value!r}.")


@dataclass(frozen=True)
class Options:
    """One of a fixed set of strings (or None)."""

    values: tuple
    none: bool = False
    renamed: dict = field(default_factory=dict)

    def describe(self):
        names = ", ".join(repr(v) for v in self.values)
        return f"one of {names}" + (" or None" if self.none else "")

    def check(self, name, value):
        if value is None and self.none:
            return
        if not isinstance(value, str):
            raise ParameterTypeError(
                f"{name} must be {self.describe()}; got {value!r} of type "
                f"{_type_name(value)}."
            )
        if value in self.renamed:
            raise ValueError(f"{name}={value!r} is now {self.renamed[value]}.")
        if value not in self.values:
            raise ValueError(f"{name} must be {self.describe()}; got {value!r}.")


@dataclass(frozen=True)
class Flag:
    """True or False."""

    def check(self, name, value):
        if not isinstance(value, bool | np.bool_):
            raise ParameterTypeError(
                f"{name} must be True or False; got {value!r} of type "
                f"{_type_name(value)}."
            )


@dataclass(frozen=True)
class Sizes:
    """A tuple or list of positive ints, such as hidden layer sizes.

    ``none=True`` also accepts None, described by ``note``.
    """

    none: bool = False
    note: str = ""

    def check(self, name, value):
        if self.none and value is None:
            return
        expected = "a tuple of positive ints, e.g. (64,) or (128, 64)"
        if self.none:
            expected += f", or None{self.note}"
        if not isinstance(value, tuple | list):
            raise ParameterTypeError(
                f"{name} must be {expected}; got {value!r} of type {_type_name(value)}."
            )
        if not all(
            isinstance(v, Integral) and not isinstance(v, bool) and v >= 1
            for v in value
        ):
            raise ValueError(f"{name} must be {expected}; got {value!r}.")


@dataclass(frozen=True)
class Custom:
    """A check that no simple form covers.

    Parameters
    ----------
    is_valid : callable
        ``is_valid(value) -> bool``.
    expected : str
        What is expected, in words.
    types : tuple of type or None
        If given, a value of none of these types raises ParameterTypeError.
    then : callable or None
        Called as ``then(name, value)`` once the value passed, for checks
        that raise their own message.
    """

    is_valid: Callable
    expected: str
    types: tuple | None = None
    then: Callable | None = None

    def check(self, name, value):
        if self.types is not None and not isinstance(value, self.types):
            raise ParameterTypeError(
                f"{name} must be {self.expected}; got {value!r} of type "
                f"{_type_name(value)}."
            )
        if not self.is_valid(value):
            raise ValueError(f"{name} must be {self.expected}; got {value!r}.")
        if self.then is not None:
            self.then(name, value)


def validate_params(estimator):
    """Check every parameter of ``estimator`` against its declared constraint.

    Raises
    ------
    ParameterTypeError
        For a value of the wrong type (a TypeError and a ValueError).
    ValueError
        For a value out of its range or set.
    """
    params = estimator.get_params(deep=False)
    for name, constraint in estimator._parameter_constraints.items():
        constraint.check(name, params[name])
