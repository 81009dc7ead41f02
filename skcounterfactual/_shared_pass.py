"""One prediction pass per fold, shared by the scorers of :func:`fairness_scoring`.

A search calls each scorer of a ``scoring=`` dict in turn with the same
fitted candidate and the same fold. The flip scorer's pass predicts the rows,
their twins and their placebo twins: everything the flip minus placebo
scorer needs, and the decisions on the rows that the parity scorer needs. The
first scorer of the dict to run remembers what its pass computed; the others
reuse it when they are called with the same candidate, in the same state, on
the same rows, labels and weights, and compute their own pass otherwise.

"The same" is checked, not assumed: the very same objects (held here, so
their identities cannot be reused); every attribute of the candidate and of
the estimators inside it still bound to the same object (a new ``fit``
rebinds them), and every array among them equal to a copy taken with the
pass (``partial_fit`` often updates arrays in place); and the rows, labels
and weights equal to a copy taken with the pass (values, dtypes and labels:
an edit in place shows). One pass is remembered; the next one replaces it.
The memory is not pickled: each worker keeps its own.
"""

import operator
import threading

import numpy as np
import pandas as pd
from sklearn import metrics
from sklearn.base import BaseEstimator

from ._routing import SampleWeightRequestMixin
from ._unchanged import Unchanged

_MAX_CONTAINER = 1_000  # larger lists and dicts are compared as one object


def _state(estimator):
    """Every attribute value reachable from ``estimator``, in a fixed order.

    Estimators inside it (pipeline steps, a column transformer's fitted
    transformers, a meta-estimator's ``estimator_``) are walked too, through
    the lists, tuples and dicts that hold them.
    """
    held, seen, stack = [], set(), [estimator]
    while stack:
        item = stack.pop()
        held.append(item)
        if isinstance(item, np.ndarray | str | int | float | None):
            continue  # leaves, the most common attributes
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, BaseEstimator):
            stack.extend(vars(item).values())
        elif isinstance(item, list | tuple) and len(item) <= _MAX_CONTAINER:
            stack.extend(item)
        elif isinstance(item, dict) and len(item) <= _MAX_CONTAINER:
            stack.extend(item.values())
    return held


def _same_values(array, copy):
    """Whether a fitted array still holds its copy's values (NaN equals NaN)."""
    if array.shape != copy.shape or array.dtype != copy.dtype:
        return False
    try:
        return bool(np.array_equal(array, copy, equal_nan=array.dtype.kind in "fc"))
    except (TypeError, ValueError):  # values that do not compare: not the same
        return False


class _Fold:
    """The objects a pass was computed on, with what proves them unchanged."""

    def __init__(self, estimator, X, labels_and_weights):
        self.estimator = estimator
        self.state = _state(estimator)
        # arrays can change in place (partial_fit): compared with a copy
        self.arrays = [(a, a.copy()) for a in self.state if isinstance(a, np.ndarray)]
        self.X = Unchanged(X)
        self.metadata = [Unchanged(v) for v in labels_and_weights]

    def holds(self, estimator, X):
        if estimator is not self.estimator or not self.X.holds(X):
            return False
        state = _state(estimator)
        if len(state) != len(self.state):
            return False
        if not all(map(operator.is_, state, self.state)):
            return False
        return all(_same_values(a, copy) for a, copy in self.arrays)

    def holds_metadata(self, labels_and_weights):
        return len(labels_and_weights) == len(self.metadata) and all(
            m.holds(v) for m, v in zip(self.metadata, labels_and_weights, strict=True)
        )


class SharedPass:
    """What the last scoring pass computed, for the other scorers of its dict."""

    def __init__(self):
        self._lock = threading.Lock()
        self._fold = None
        self._decisions = None
        self._values = None

    def __reduce__(self):
        return (SharedPass, ())  # an empty memory where the scorers go

    def _current(self):
        with self._lock:
            return self._fold, self._decisions, self._values

    def decisions(self, estimator, X):
        """Return the decisions on the rows of ``X`` a pass computed, or None."""
        fold, decisions, _ = self._current()
        if decisions is None or not fold.holds(estimator, X):
            return None
        return decisions

    def values(self, estimator, X, labels_and_weights):
        """Return the values a pass computed with these labels and weights, or None."""
        fold, _, values = self._current()
        if fold is None or not fold.holds(estimator, X):
            return None
        return values if fold.holds_metadata(labels_and_weights) else None

    def remember(self, estimator, X, labels_and_weights, computed):
        """Remember one pass: ``computed`` holds ``"decisions"`` and values."""
        fold = _Fold(estimator, X, labels_and_weights)
        values = {k: v for k, v in computed.items() if k != "decisions"}
        with self._lock:
            self._fold = fold
            self._decisions = computed.get("decisions")
            self._values = values


def predict_shared(shared, estimator, X):
    """Return ``estimator.predict(X)``, from ``shared``'s pass when it has it."""
    if shared is not None and isinstance(X, pd.DataFrame | np.ndarray):
        decisions = shared.decisions(estimator, X)
        if decisions is not None:
            return decisions
    return np.asarray(estimator.predict(X))


# scikit-learn's scorers that read ``predict`` alone: (function, sign)
PREDICT_SCORERS = {
    "accuracy": (metrics.accuracy_score, 1.0),
    "balanced_accuracy": (metrics.balanced_accuracy_score, 1.0),
    "r2": (metrics.r2_score, 1.0),
    "neg_mean_absolute_error": (metrics.mean_absolute_error, -1.0),
    "neg_mean_squared_error": (metrics.mean_squared_error, -1.0),
}


class SharedPredictScorer(SampleWeightRequestMixin):
    """scikit-learn's scorer ``name``, reading the decisions of a shared pass.

    It returns what ``sklearn.metrics.get_scorer(name)`` returns; the
    decisions on the rows come from the flip scorer's pass when it ran on the
    same candidate and rows just before (see :class:`SharedPass`), else from
    ``predict``.
    """

    def __init__(self, name, shared):
        self.name = name
        self._shared = shared
        self._request = {}

    def __call__(self, estimator, X, y, sample_weight=None):
        """Score ``estimator`` on ``X`` against ``y``."""
        function, sign = PREDICT_SCORERS[self.name]
        decisions = predict_shared(self._shared, estimator, X)
        options = {} if sample_weight is None else {"sample_weight": sample_weight}
        return sign * float(function(y, decisions, **options))

    def __repr__(self):
        return repr(metrics.get_scorer(self.name))  # scikit-learn's, as it scores
