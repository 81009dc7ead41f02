"""Whether rows are the rows seen before: a cheap key, then a comparison.

The scorers of a search see each fold once per candidate, as a new frame with
the same rows. A digest of every value would recognise it, at the cost of
reading all its memory through a hash. Instead, rows are looked up by a key of
their shape, columns, dtypes and labels, and a hit is confirmed by comparing
them with a copy kept from the first time (``DataFrame.equals``, with dtypes
and label dtypes compared too), which costs a fifth of a digest.

Object columns can hold mutable cells (a list edited in place would also edit
the copy), so their values are digested too; cells that cannot be hashed make
the rows unrecognisable: nothing is remembered for them.
"""

import hashlib

import numpy as np
import pandas as pd


def _digest(values):
    """Return a digest of an Index's or an object column's values, or None."""
    if isinstance(values, pd.RangeIndex):
        return repr((values.start, values.stop, values.step))
    dtype = values.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "biufcmM":
        data = np.ascontiguousarray(values.to_numpy())
        return hashlib.sha256(data.view(np.uint8).data).hexdigest()[:32]
    try:
        hashed = pd.util.hash_pandas_object(values, index=False).to_numpy()
    except TypeError:  # unhashable cells
        return None
    return hashlib.sha256(hashed.tobytes()).hexdigest()[:32]


def _object_digests(frame, dtypes=None):
    """Digests of the object columns' values (None: a cell is unhashable)."""
    dtypes = list(frame.dtypes) if dtypes is None else dtypes
    return tuple(
        _digest(frame.iloc[:, position])
        for position, dtype in enumerate(dtypes)
        if isinstance(dtype, np.dtype) and dtype.kind == "O"
    )


def rows_key(frame):
    """Return a hashable key of a frame's rows, or None when they cannot have one.

    Equal frames have equal keys; frames with equal keys may still differ in
    their values (confirm with :func:`same_rows`).

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"g": ["F", "M"], "x": [1.0, 2.0]})
    >>> rows_key(a) == rows_key(a.copy())
    True
    >>> rows_key(pd.DataFrame({"cells": [[1], [2]]})) is None
    True
    """
    if not isinstance(frame, pd.DataFrame):
        return None
    labels = _digest(frame.index)
    dtypes = list(frame.dtypes)
    objects = _object_digests(frame, dtypes)
    if labels is None or None in objects:
        return None
    index_dtypes = getattr(frame.index, "dtypes", [frame.index.dtype])
    return (
        frame.shape,
        tuple(frame.columns),
        tuple(map(repr, dtypes)),
        tuple(repr(d) for d in index_dtypes),
        labels,
        objects,
    )


def _same_index(a, b):
    """Equal labels of the same kind and dtypes (per level of a MultiIndex)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, pd.MultiIndex):
        same_dtypes = all(map(_same_dtype, a.dtypes, b.dtypes))
    else:
        same_dtypes = _same_dtype(a.dtype, b.dtype)
    return same_dtypes and bool(a.equals(b))


def _same_dtype(a, b):
    """Equal dtypes; categories in the same order (``==`` ignores their order)."""
    return a is b or (a == b and repr(a) == repr(b))


def same_rows(obj, copy):
    """Whether a frame or Series holds exactly ``copy``'s values, dtypes and labels.

    ``equals`` alone ignores the dtypes of the labels.
    """
    if type(obj) is not type(copy) or obj.shape != copy.shape:
        return False
    if not _same_index(obj.index, copy.index):
        return False
    if isinstance(obj, pd.DataFrame):
        if not _same_index(obj.columns, copy.columns):
            return False
        if not all(map(_same_dtype, obj.dtypes, copy.dtypes)):
            return False
    elif not _same_dtype(obj.dtype, copy.dtype):
        return False
    try:
        return bool(obj.equals(copy))
    except (TypeError, ValueError):  # cells that do not compare
        return False


def _same_array(obj, copy):
    if obj.dtype != copy.dtype or obj.shape != copy.shape:
        return False
    try:
        # NaN is not equal to itself in object arrays: a miss, never a false hit
        return bool(np.array_equal(obj, copy, equal_nan=obj.dtype.kind in "fc"))
    except (TypeError, ValueError):
        return False


def _digests_of(obj):
    """Digests of the object values of a frame, Series or array (else empty)."""
    if isinstance(obj, pd.DataFrame):
        return _object_digests(obj)
    if isinstance(obj, pd.Series):
        return (_digest(obj),) if pd.api.types.is_object_dtype(obj.dtype) else ()
    if isinstance(obj, np.ndarray) and obj.dtype.kind == "O":
        return (_digest(pd.Series(obj.ravel(), dtype=object)),)
    return ()


class Unchanged:
    """An object and a copy of it: whether it still holds what it held.

    Frames, Series and arrays are compared with their copy; other sequences
    as object arrays. Object values are also digested, as the copy shares
    their cells.
    """

    def __init__(self, obj):
        self.obj = obj
        if obj is None:
            self.copy = None
        elif isinstance(obj, pd.DataFrame | pd.Series | np.ndarray):
            self.copy = obj.copy()
        else:
            self.copy = np.array(obj, dtype=object)
        self.digests = _digests_of(self.copy)

    def holds(self, obj):
        """Whether ``obj`` is the object seen, with the values it had."""
        if obj is not self.obj or None in self.digests:
            return False
        if obj is None:
            return True
        if isinstance(obj, pd.DataFrame | pd.Series):
            same = same_rows(obj, self.copy)
        else:
            if not isinstance(obj, np.ndarray):
                try:
                    obj = np.array(obj, dtype=object)
                except (TypeError, ValueError):
                    return False
            same = _same_array(obj, self.copy)
        return same and _digests_of(obj) == self.digests
