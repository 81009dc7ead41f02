"""What the twin engine learns about columns at fit: domains, seen values, mirrors."""

import warnings

import numpy as np
import pandas as pd

from ._state import plain_state


class UnlinkedMirrorWarning(UserWarning):
    """A column encodes a protected attribute one to one but is not linked.

    Twins would keep that column's value, so a model that reads it instead of
    the attribute shows no flip: link the column (a value map) or, if the
    match is a coincidence, silence the warning.

    Examples
    --------
    >>> import warnings
    >>> import pandas as pd
    >>> from skcounterfactual import CounterfactualAugmenter, UnlinkedMirrorWarning
    >>> X = pd.DataFrame({"gender": ["F", "M"] * 10, "code": [0, 1] * 10})
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = CounterfactualAugmenter(protected="gender").fit(X)
    >>> caught[0].category is UnlinkedMirrorWarning
    True
    """


@plain_state
class SeenValues:
    """Values a column held in the fit data: a list, or a range for numbers.

    Only plain Python values and lists are kept, so a fitted augmenter can be
    saved with skops.
    """

    def __init__(self, series):
        observed = series.dropna()
        self.dates = bool(pd.api.types.is_datetime64_any_dtype(series.dtype))
        self.numeric = self.dates or bool(
            pd.api.types.is_numeric_dtype(series.dtype)
            and not pd.api.types.is_bool_dtype(series.dtype)
        )
        self.low = self.high = None
        self.values = None
        if self.numeric and len(observed):
            low, high = observed.min(), observed.max()
            self.low = low.isoformat() if self.dates else _plain(low)
            self.high = high.isoformat() if self.dates else _plain(high)
        else:
            self.numeric = False
            uniques = pd.unique(observed.to_numpy(dtype=object))
            self.values = [_plain(v) for v in uniques]

    def unseen(self, values):
        """Return a boolean array: which of ``values`` were never seen."""
        values = pd.Series(list(values), dtype=object)
        missing = values.isna().to_numpy()
        if self.numeric and self.dates:
            moments = pd.to_datetime(values, errors="coerce", utc=False)
            low, high = pd.Timestamp(self.low), pd.Timestamp(self.high)
            out = ((moments < low) | (moments > high)).to_numpy()
        elif self.numeric:
            numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
            out = (numbers < self.low) | (numbers > self.high) | np.isnan(numbers)
        else:
            out = ~values.isin(self.values).to_numpy()
        return out & ~missing


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def as_value_list(values, attribute):
    """Return the user's ``values[attribute]`` as a list of distinct values.

    Refuses what is not an ordered collection (a string, a set, a dict), an
    empty list, and missing (NaN, None, ``pd.NA``, NaT) or unhashable values:
    a twin's protected value must be a value.
    """
    if isinstance(values, str | bytes | set | frozenset | dict) or not hasattr(
        values, "__iter__"
    ):
        raise TypeError(
            f"values[{attribute!r}] must be a list of values such as "
            f"['Female', 'Male'], got {type(values).__name__}: {values!r}."
        )
    out = []
    for value in values:
        value = _plain(value)
        try:
            hash(value)
        except TypeError:
            raise TypeError(
                f"values[{attribute!r}] must hold text, numbers, booleans or "
                f"dates, got {type(value).__name__}: {value!r}."
            ) from None
        if _is_missing(value):
            raise ValueError(
                f"values[{attribute!r}] holds a missing value ({value!r}); list "
                "only values a twin can take. Rows with a missing protected "
                "value are handled by missing='error' or 'skip'."
            )
        if value not in out:
            out.append(value)
    if not out:
        raise ValueError(
            f"values[{attribute!r}] is empty; list at least two values a twin can "
            f"take, e.g. values={{{attribute!r}: [...]}}, or leave {attribute!r} "
            "out to use the values observed in fit."
        )
    return out


def _is_missing(value):
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def observed_domain(column):
    """Return the distinct non-missing values of ``column``, sorted."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        present = set(column.dropna().unique())
        return [c for c in column.cat.categories if c in present]
    uniques = [_plain(u) for u in pd.unique(column.dropna().to_numpy(dtype=object))]
    try:
        return sorted(uniques)
    except TypeError:
        return sorted(uniques, key=repr)


def warn_unlinked_mirrors(frame, protected, linked, profiles=None):
    """Warn about a column that encodes a protected attribute but is not linked.

    The commonest mistake in a twin audit: ``gender`` changes, its numeric
    copy ``gender_code`` does not, and a model that reads the copy shows
    no flip at all. Returns the ``(attribute, column)`` pairs warned about.

    ``profiles`` may give, per attribute, ``(n_values, {column: profile})``
    counted already by the coherence check, a profile being ``(distinct
    values, has missing values, distinct pairs with the attribute)`` or None
    for a column with too many values to mirror anything; columns and
    attributes it does not cover are counted here.
    """
    found = []
    if len(frame) < 20:  # in a handful of rows columns co-vary by chance
        return found
    for attribute in protected:
        source = frame[attribute]
        n_values, known = (profiles or {}).get(attribute, (None, {}))
        if n_values is None:
            n_values = source.nunique()
        # a categorical attribute, each value shared by several rows; in a
        # continuous one every unique column would look like a mirror
        if n_values < 2 or n_values > min(50, len(frame) // 5):
            continue
        for column in frame.columns:
            if column in linked or column in protected:
                continue
            if column in known:
                profile = known[column]
                mirror = profile is not None and profile == (n_values, False, n_values)
            else:
                mirror = _mirrors(source, frame[column], n_values)
            if mirror:
                found.append((attribute, column))
                warnings.warn(
                    f"Column {column!r} mirrors the protected attribute "
                    f"{attribute!r} one to one but is not linked, so twins keep "
                    f"its value and a model reading it will not flip. Link it, "
                    f"e.g. links={{{column!r}: {{value: mirrored, ...}}}}.",
                    UnlinkedMirrorWarning,
                    stacklevel=4,
                )
    return found


def _mirrors(source, other, n_values):
    try:
        if other.nunique() != n_values or other.isna().any():
            return False
    except TypeError:  # unhashable cells (lists, dicts) mirror nothing
        return False
    pairs = pd.DataFrame({"a": source, "b": other}).dropna().drop_duplicates()
    return len(pairs) == n_values
