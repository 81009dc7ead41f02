"""A fitted twin maker that remembers the twins it built, for repeated scoring.

A search scores every candidate on the same few folds. The twins of a fold
depend only on its rows and the fitted twin maker, never on the candidate, so
the flip scorer builds them once per fold and reuses them: a fitted maker per
fold (when the augmenter is fitted on each fold) and the twins of each chunk,
looked up by a key of the rows and confirmed by comparing them with a copy
(``_unchanged``). Results are the same as without the cache; the cache is not
pickled (each worker process keeps its own).
"""

import threading
from collections import OrderedDict

from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from ._augmenter import CounterfactualAugmenter
from ._unchanged import rows_key, same_rows

MAX_FOLDS = 16  # fitted makers (folds) remembered
MAX_TWIN_ROWS = 2_000_000  # twins remembered, over all folds and chunks


class CachedTwinMaker:
    """A fitted twin maker whose ``make_twins`` results are remembered.

    It follows the twin-maker protocol by delegation: its fitted attributes
    are the wrapped maker's.
    """

    def __init__(self, maker, budget):
        self.maker = maker
        self.protected = maker.protected
        for name in ("protected_", "domains_", "factors_", "n_features_in_"):
            if hasattr(maker, name):
                setattr(self, name, getattr(maker, name))
        if hasattr(maker, "values"):
            self.values = maker.values
        self._twins = {}  # (rows key, options) -> (copy of the rows, twin set)
        self._budget = budget
        self._known = None  # (rows, key, copy): rows this call already matched

    def fit(self, X, y=None):
        """Fitted already: return ``self`` (the protocol's ``fit``)."""
        return self

    def __sklearn_is_fitted__(self):
        return True

    def __sklearn_tags__(self):
        return self.maker.__sklearn_tags__()

    def make_twins(self, X, *, include_original=False, placebo=None):
        """Return the wrapped maker's twins of ``X``, built once per rows.

        A remembered twin set also remembers, in ``stacked``, the rows
        followed by their twins as the model was given them: it is handed out
        again only for the same rows.
        """
        known = self._known
        if known is not None and X is known[0]:
            key, copy = known[1], known[2]
        else:
            key, copy = rows_key(X), None
        if key is None:
            return self.maker.make_twins(
                X, include_original=include_original, placebo=placebo
            )
        entry = self._twins.get((key, include_original, placebo))
        if entry is not None:
            seen, twin_set = entry
            if (copy is not None and seen is copy) or same_rows(X, seen):
                return twin_set
        twin_set = self.maker.make_twins(
            X, include_original=include_original, placebo=placebo
        )
        if self._budget.take(len(twin_set) + (len(X) if copy is None else 0)):
            if self._budget.take(len(twin_set) + len(X)):
                twin_set.stacked = {}  # room for one stack of rows and twins
            seen = X.copy() if copy is None else copy
            self._twins[(key, include_original, placebo)] = (seen, twin_set)
        return twin_set

    def __getattr__(self, name):
        # what the audit and reports read of a maker (seed_, coherence_, ...)
        if name.startswith("__") or name in ("maker", "_twins", "_budget", "_known"):
            raise AttributeError(name)
        return getattr(self.maker, name)


class _Budget:
    """How many more twins the cache may hold."""

    def __init__(self, rows):
        self.rows = rows

    def take(self, n):
        if n > self.rows:
            return False
        self.rows -= n
        return True


class TwinCache:
    """Fitted, caching twin makers per fold, for one flip scorer."""

    def __init__(self):
        self._makers = OrderedDict()
        self._lock = threading.Lock()
        self._budget = _Budget(MAX_TWIN_ROWS)

    def maker_for(self, frame, protected, augmenter):
        """Return a caching maker for the rows of ``frame``, or None.

        None (no cache) when the rows cannot be recognised (unhashable
        cells); the caller then resolves the twin maker as usual.
        """
        key = rows_key(frame)
        if key is None:
            return None
        fitted = augmenter is not None and _is_fitted(augmenter)
        with self._lock:
            entry = self._makers.get("fitted" if fitted else key)
        if entry is not None:
            seen, cached = entry
            if fitted:
                cached._known = (frame, key, None)
                return cached
            if same_rows(frame, seen):
                with self._lock:
                    self._makers.move_to_end(key)
                cached._known = (frame, key, seen)
                return cached
        if fitted:
            maker = augmenter
        elif augmenter is None:
            maker = CounterfactualAugmenter(protected=protected).fit(frame)
        else:
            maker = clone(augmenter).fit(frame)
        cached = CachedTwinMaker(maker, self._budget)
        seen = None if fitted else frame.copy()
        cached._known = (frame, key, seen)
        with self._lock:
            self._makers["fitted" if fitted else key] = (seen, cached)
            while len(self._makers) > MAX_FOLDS:
                self._makers.popitem(last=False)
        return cached


def _is_fitted(maker):
    try:
        check_is_fitted(maker)
    except NotFittedError:
        return False
    return True
