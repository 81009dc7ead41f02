"""Columns as integer codes: their values, or bins for numbers.

The coherence check (``_coherence``) and :func:`find_proxies` count a column
against a protected attribute's groups. They read it once, as one code per
row: categories keep their categories (unused ones too, so that a translation
can name them), numeric columns with more than ``MAX_LEVELS`` distinct values,
datetimes and durations are binned (deciles, and a bin of its own for a value
that ``POINT_MASS`` of the rows hold), every other column is coded by its
distinct values. Arrow-backed text is dictionary-encoded directly, about twice
as fast as ``pd.factorize``.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._frames import index_codes

MAX_LEVELS = 20  # numeric columns with more distinct values are binned
N_BINS = 10  # deciles
POINT_MASS = 0.05  # a numeric value held by this share of rows gets its own bin
SAMPLE_ROWS = 5_000  # rows looked at to decide whether a numeric column is binned
EDGE_ROWS = 20_000  # rows the bin edges are estimated from


@dataclass
class Encoded:
    """A column as integer codes: its values, or its bins for numbers.

    ``codes`` holds one code per row (-1 when missing) indexing ``labels``;
    for bins, ``labels`` describe them and ``edges`` are the inner edges.
    """

    codes: np.ndarray
    labels: list
    kind: str
    edges: list
    numbers: np.ndarray | None = None
    unit: str | None = None


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def as_numbers(series):
    """Return ``(floats with NaN for missing, unit)`` or ``(None, None)``.

    ``unit`` is ``"datetime"``, ``"timedelta"`` or None; datetimes and
    durations become nanoseconds.
    """
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype) or isinstance(dtype, pd.CategoricalDtype):
        return None, None
    if pd.api.types.is_datetime64_any_dtype(dtype):
        if getattr(dtype, "tz", None) is not None:
            series = series.dt.tz_convert("UTC").dt.tz_localize(None)
        return _nanoseconds(series.astype("datetime64[ns]").to_numpy()), "datetime"
    if pd.api.types.is_timedelta64_dtype(dtype):
        return _nanoseconds(series.astype("timedelta64[ns]").to_numpy()), "timedelta"
    if pd.api.types.is_numeric_dtype(dtype):
        return series.to_numpy(dtype=float, na_value=np.nan), None
    return None, None


def _nanoseconds(values):
    out = values.view("int64").astype(float)
    out[np.isnat(values)] = np.nan
    return out


def _many_values(numbers):
    """Whether a numeric column has more than ``MAX_LEVELS`` distinct values."""
    sample = numbers[:: max(1, len(numbers) // SAMPLE_ROWS)]
    return len(np.unique(sample[~np.isnan(sample)])) > MAX_LEVELS


def bin_codes(numbers, edges):
    """Return the bin of each number (-1 when missing) for the inner ``edges``."""
    codes = np.zeros(len(numbers), dtype=np.int8)
    above = np.empty(len(numbers), dtype=bool)
    for edge in edges:
        codes += np.greater_equal(numbers, edge, out=above)
    missing = np.isnan(numbers, out=above)
    if missing.any():
        codes[missing] = -1
    return codes


def _format(number, unit):
    if unit == "datetime":
        moment = pd.Timestamp(int(number))
        return str(moment.date()) if moment == moment.normalize() else str(moment)
    if unit == "timedelta":
        return str(pd.Timedelta(int(number)))
    if float(number).is_integer():
        return f"{number:,.0f}"
    return f"{number:,.6g}"


def _next_up(value):
    """Return the next float above ``value`` (inf above the largest float)."""
    with np.errstate(over="ignore"):
        return float(np.nextafter(value, np.inf))


def bin_labels(edges, unit=None):
    """Return a label per bin: ``"< a"``, ``"[a, b)"``, ``"= c"`` or ``">= d"``."""
    if not len(edges):
        return ["any value"]
    shown = [_format(edge, unit) for edge in edges]
    labels = [f"< {shown[0]}"]
    for i in range(len(edges) - 1):
        if edges[i + 1] == _next_up(edges[i]):  # a single value
            labels.append(f"= {shown[i]}")
        else:
            labels.append(f"[{shown[i]}, {shown[i + 1]})")
    return labels + [f">= {shown[-1]}"]


def bin_edges(sample):
    """Return inner bin edges: deciles, and a bin of its own per common value.

    A value held by at least ``POINT_MASS`` of the rows (the zeros of a
    column that is mostly zero) gets its own bin, so that it does not share
    one with its rarer neighbours; deciles split the other values.
    """
    if not len(sample):
        return []
    values, counts = np.unique(sample, return_counts=True)
    masses = values[counts >= POINT_MASS * len(sample)]
    rest = sample[~np.isin(sample, masses)] if len(masses) else sample
    edges = set(masses.tolist()) | {_next_up(v) for v in masses}
    if len(rest):
        quantiles = np.linspace(0, 1, N_BINS + 1)[1:-1]
        edges |= set(np.quantile(rest, quantiles).tolist())
    return sorted(edges)


def _bins(numbers, unit):
    sample = numbers[:: max(1, len(numbers) // EDGE_ROWS)]
    sample = sample[~np.isnan(sample)]
    if not len(sample):
        sample = numbers[~np.isnan(numbers)]
    edges = bin_edges(sample)
    return Encoded(
        bin_codes(numbers, edges), bin_labels(edges, unit), "bins", edges, numbers, unit
    )


def encode(series):
    """Return the column as :class:`Encoded` codes, or None if it cannot be.

    Categorical columns keep their categories (unused ones included, so a
    translation can name them); numeric columns with more than ``MAX_LEVELS``
    distinct values, datetimes and durations are binned by deciles; every
    other column is coded by its distinct values.
    Columns of unhashable values (lists, dicts) give None.
    """
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy()
        return Encoded(codes, [_plain(c) for c in dtype.categories], "values", [])
    numbers, unit = as_numbers(series)
    if numbers is not None and _many_values(numbers):
        return _bins(numbers, unit)
    found = _arrow_codes(series)
    if found is None:
        try:
            found = pd.factorize(series, use_na_sentinel=True)
        except TypeError:
            return None
    codes, uniques = found
    if numbers is not None and len(uniques) > MAX_LEVELS:
        return _bins(numbers, unit)
    return Encoded(codes, [_plain(u) for u in uniques], "values", [])


def _arrow_codes(series):
    """Codes and distinct values of a pyarrow-backed column, or None.

    Dictionary-encoding the Arrow data directly is about twice as fast as
    ``pd.factorize`` on pandas' ``str`` columns.
    """
    array = series.array
    if not hasattr(array, "__arrow_array__") or isinstance(
        series.dtype, pd.CategoricalDtype
    ):
        return None
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
    except ImportError:
        return None
    try:
        data = pa.chunked_array(pa.array(array)) if len(array) else None
        if data is None or data.num_chunks == 0:
            return None
        encoded = pc.dictionary_encode(data).unify_dictionaries()
        indices = pa.chunked_array([chunk.indices for chunk in encoded.chunks])
        codes = pc.fill_null(indices, -1).to_numpy()
        return codes, encoded.chunk(0).dictionary.to_pylist()
    except (TypeError, ValueError, pa.ArrowException):
        return None


def codes_of(series, values):
    """Return each row's position in ``values`` (-1 when absent or missing)."""
    found = _arrow_codes(series)
    if found is None:
        return index_codes(series, values)
    codes, uniques = found
    lookup = np.append(pd.Index(list(values)).get_indexer(uniques), -1)
    return lookup[codes]
