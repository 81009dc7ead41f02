"""Frame utilities of the twin layer: dtype-safe casting, codes, concatenation.

Links produce their column in *factorised* form, a small array of distinct
values plus one index per twin, so that casting to the column's dtype (a
categorical gaining a category, a nullable integer, pandas ``str``) costs as
much as the number of distinct values, not the number of twins.
"""

import numpy as np
import pandas as pd


def cast_values(values, dtype, column):
    """Cast a small array of distinct values to ``dtype`` without losing any.

    A categorical column gains the categories it lacks (never a silent NaN);
    a value the dtype cannot hold (``45.5`` in an integer column) raises a
    ``ValueError`` naming the column.
    """
    values = list(values)
    if isinstance(dtype, pd.CategoricalDtype):
        known = set(dtype.categories)
        extra = []
        for value in values:
            if not is_missing(value) and value not in known and value not in extra:
                extra.append(value)
        categories = dtype.categories
        if extra:
            try:
                categories = categories.append(pd.Index(extra, dtype=categories.dtype))
            except (TypeError, ValueError):
                categories = pd.Index(list(categories) + extra)
        return pd.Categorical(
            values, dtype=pd.CategoricalDtype(categories, dtype.ordered)
        )
    if pd.api.types.is_object_dtype(dtype):
        out = np.empty(len(values), dtype=object)
        out[:] = values
        # a NumPy-backed object array: assigning it keeps the object dtype
        return pd.array(out, dtype=object)
    if pd.api.types.is_string_dtype(dtype) and all(isinstance(v, str) for v in values):
        # strings into a string dtype lose nothing (rewritten texts, names)
        return pd.array(values, dtype=dtype)
    try:
        cast = pd.Series(values, dtype=object).astype(dtype)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"Column {column!r} has dtype {dtype}, which cannot hold the twin "
            f"values {values[:5]!r}: {exc}. Give values or links that fit the "
            "column, or change the column's dtype."
        ) from None
    for before, after in zip(values, cast.tolist(), strict=True):
        if is_missing(before) and is_missing(after):
            continue
        if is_missing(before) != is_missing(after) or not _equal(before, after):
            raise ValueError(
                f"Column {column!r} has dtype {dtype}, which cannot hold the twin "
                f"value {before!r} exactly (it would become {after!r}). Give "
                "values or links that fit the column, or change its dtype."
            )
    return cast.array


def _equal(a, b):
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def is_missing(value):
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def assign(frame, column, values):
    """Set a column, keeping an object dtype (pandas would infer ``str``)."""
    if pd.api.types.is_object_dtype(getattr(values, "dtype", None)):
        values = pd.Series(
            np.asarray(values, dtype=object), index=frame.index, dtype=object
        )
    frame[column] = values


def index_codes(series, values, factorized=None):
    """Return each element's position in ``values`` (-1 if absent or missing).

    Factorises the column first, so only its distinct values are looked up;
    ``factorized`` is ``pd.factorize(series, use_na_sentinel=True)`` when the
    caller has it.
    """
    codes, uniques = factorized or pd.factorize(series, use_na_sentinel=True)
    lookup = np.append(pd.Index(list(values)).get_indexer(uniques), -1)
    return lookup[codes]


def object_take(series, positions, factorized=None):
    """``series`` values at ``positions`` as an object array, via its uniques.

    ``factorized`` is ``pd.factorize(series, use_na_sentinel=True)`` when the
    caller has it.
    """
    codes, uniques = factorized or pd.factorize(series, use_na_sentinel=True)
    table = np.empty(len(uniques) + 1, dtype=object)
    table[:-1] = list(uniques)
    table[-1] = None
    return table[codes[positions]]


def tuples(columns):
    """Zip equal-length arrays into an object array of tuples."""
    out = np.empty(len(columns[0]), dtype=object)
    out[:] = list(zip(*columns, strict=True))
    return out


def factorize(series):
    """Return ``(uniques as a list, codes)``, missing values kept as a value."""
    codes, uniques = pd.factorize(series, use_na_sentinel=False)
    return list(uniques), codes


def concat_frames(frames):
    """Concatenate frames, uniting categorical categories instead of losing them."""
    frames = list(frames)
    if len(frames) == 1:
        return frames[0]
    for column in frames[0].columns:
        dtypes = [f[column].dtype for f in frames]
        if all(isinstance(d, pd.CategoricalDtype) for d in dtypes):
            categories = dtypes[0].categories
            for d in dtypes[1:]:
                extra = d.categories.difference(categories, sort=False)
                if len(extra):
                    categories = categories.append(extra)
            union = pd.CategoricalDtype(categories, dtypes[0].ordered)
            frames = [_with_categories(f, column, union) for f in frames]
    return pd.concat(frames)


def _with_categories(frame, column, dtype):
    if frame[column].dtype == dtype:
        return frame
    frame = frame.copy(deep=False)
    frame[column] = frame[column].astype(dtype)
    return frame
