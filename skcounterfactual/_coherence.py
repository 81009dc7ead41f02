"""Twin coherence: the (protected value, column value) combinations data holds.

A twin changes a protected attribute and its links; every other column keeps
its value. When such a column is nearly a function of the attribute (a
household role "Husband", a title, a status code mixing sex and marital
status), the twin carries a combination the data never holds: a woman whose
role is "Husband". A model reading that column still sees the original group,
so the audit is confidently wrong.

:class:`CoherenceCheck` learns at fit, for one protected attribute and every
other column, which combinations the data supports; it flags the twins that
meet an unsupported one. The rule, with ``coherence=(min_count, min_share)``:

* ``expected`` is the count the combination would have if the column had
  nothing to do with the attribute (the value's count times the group's
  share of the rows);
* the combination is *unsupported* when ``expected >= min_count`` (the data
  had the chance to show it) and the data holds it fewer than
  ``min_share * expected`` times (the group holds the value at less than
  ``min_share`` of the rate the data as a whole does).

Missing values are a value of their own, and a column with missing values is
also checked for presence (a group that never has a maiden name). Numeric
columns with more than ``MAX_LEVELS`` distinct values are checked by bins
(deciles of the whole column, and a bin of its own for a value held by 5% of
the rows or more), never value by value; datetimes and durations likewise.
Fitted state is plain lists, floats and dicts.
"""

import numbers
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._frames import index_codes

DEFAULT_COHERENCE = (10, 0.05)
MAX_LEVELS = 20  # numeric columns with more distinct values are binned
N_BINS = 10  # deciles
POINT_MASS = 0.05  # a numeric value held by this share of rows gets its own bin
MAX_GROUPS = 50  # attributes with a larger domain are not checked
SAMPLE_ROWS = 5_000  # rows looked at to decide whether a numeric column is binned
EDGE_ROWS = 20_000  # rows the bin edges are estimated from
SHOWN_COMBINATIONS = 10  # combinations kept per column in the fitted state
WIDE_TABLE = 2**20  # cells of a group-by-value table counted in one pass
RESAMPLE = "resample"
BAD_COHERENCE = (
    "coherence must be None (no check) or a pair (min_count, min_share): "
    "min_count a positive integer and min_share a number in (0, 1], such as "
    "(10, 0.05); got coherence={value!r}."
)


class IncoherentTwinWarning(UserWarning):
    """Twins carry combinations the fit data (almost) never holds.

    Raised once per column and protected attribute when fitting a
    :class:`CounterfactualAugmenter`: the column is not linked, so a twin
    keeps its value, and for some twins that value is one the new group
    (almost) never has, such as a woman whose household role is "Husband". A
    model reading the column still sees the original group, so the flip rate
    is likely under-estimated. The message names the column, the worst
    combinations with their counts in the fit data, the share of twins
    affected, and the fix: link the column (a translation, a value map or
    ``"resample"``; the augmenter's ``suggested_links_`` and
    :func:`suggest_links` propose one). Such twins are flagged in the
    provenance's ``incoherent`` column either way.

    The threshold is the augmenter's ``coherence=(min_count, min_share)``;
    ``coherence=None`` switches the check off. See :ref:`coherence`.

    Examples
    --------
    >>> import warnings
    >>> import pandas as pd
    >>> from skcounterfactual import CounterfactualAugmenter, IncoherentTwinWarning
    >>> X = pd.DataFrame({
    ...     "sex": ["Female", "Male"] * 30,
    ...     "role": ["Wife", "Husband"] * 20 + ["Unmarried"] * 20,
    ... })
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     augmenter = CounterfactualAugmenter(protected="sex").fit(X)
    >>> caught[0].category is IncoherentTwinWarning
    True
    >>> augmenter.suggested_links_
    {'role': {'Female': {'Husband': 'Wife'}, 'Male': {'Wife': 'Husband'}}}
    >>> int(augmenter.make_twins(X).provenance["incoherent"].sum())
    40
    """


def check_coherence(value):
    """Return ``coherence`` as ``(min_count, min_share)``, or None (no check)."""
    if value is None:
        return None
    if isinstance(value, tuple | list) and len(value) == 2:
        count, share = value
        if (
            isinstance(count, numbers.Integral)
            and not isinstance(count, bool | np.bool_)
            and count >= 1
            and isinstance(share, numbers.Real)
            and not isinstance(share, bool | np.bool_)
            and 0 < share <= 1
        ):
            return int(count), float(share)
    raise ValueError(BAD_COHERENCE.format(value=value))


# ----------------------------------------------------------------- encoding
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


def bin_labels(edges, unit=None):
    """Return a label per bin: ``"< a"``, ``"[a, b)"``, ``"= c"`` or ``">= d"``."""
    if not len(edges):
        return ["any value"]
    shown = [_format(edge, unit) for edge in edges]
    labels = [f"< {shown[0]}"]
    for i in range(len(edges) - 1):
        if edges[i + 1] == np.nextafter(edges[i], np.inf):  # a single value
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
    edges = set(masses.tolist()) | {float(np.nextafter(v, np.inf)) for v in masses}
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


# ------------------------------------------------------------------ support
class Groups:
    """Each row's position in an attribute's domain (-1 outside), counted once.

    Rows outside the domain (missing values, values not in ``values=``) are
    left out of every count.
    """

    def __init__(self, codes, n_groups):
        codes = np.asarray(codes, dtype=np.intp)
        self.n_groups = n_groups
        self.inside = bool(len(codes) == 0 or codes.min() >= 0)
        self.rows = None if self.inside else np.flatnonzero(codes >= 0)
        self.codes = codes if self.inside else codes[self.rows]
        self.sizes = np.bincount(self.codes, minlength=n_groups).astype(float)
        self._offsets = {}

    def take(self, values):
        """``values`` (one per row) at the rows inside the domain."""
        return values if self.inside else values[self.rows]

    def keys(self, codes, width):
        """``group * width + code + 1`` per row inside the domain (missing: 0)."""
        offsets = self._offsets.get(width)
        if offsets is None:
            offsets = self.codes * width + 1
            if width <= 4096:  # a handful of widths: keep them for the next column
                self._offsets[width] = offsets
        return offsets + self.take(codes)


def _width(n_levels):
    """Return a table width for ``n_levels`` levels: a power of two, 16 or more."""
    return max(16, 1 << int(n_levels - 1).bit_length())


@dataclass
class Support:
    """Counts of one column against one attribute's groups.

    ``levels`` are the positions (in the encoded labels, ``len(labels)`` for
    missing) of the values common enough to judge (seen at least
    ``min_count`` times); ``counts``, ``expected`` and ``unsupported`` have
    one row per group and one column per level. ``present_unsupported``
    judges whether a value is there at all (for columns with missing values).
    ``profile`` is ``(distinct values, has missing values, distinct pairs)``
    for the mirror check, or None when the column has too many values.
    """

    levels: np.ndarray
    counts: np.ndarray
    expected: np.ndarray
    unsupported: np.ndarray
    group_sizes: np.ndarray
    n_missing: np.ndarray
    present_unsupported: np.ndarray
    value_totals: np.ndarray
    profile: tuple | None = None

    @property
    def any(self):
        """Whether some combination is unsupported."""
        return bool(self.unsupported.any() or self.present_unsupported.any())


def support(groups, encoded, min_count, min_share):
    """Count the column's values per group and find the unsupported ones."""
    m, k = len(encoded.labels), groups.n_groups
    width = _width(m + 1)
    profile = None
    if k * width <= WIDE_TABLE:
        table = np.bincount(groups.keys(encoded.codes, width), minlength=k * width)
        table = table.reshape(k, width)[:, : m + 1]  # missing first, then labels
        totals = table.sum(axis=0)
        # a value seen fewer than min_count times can never be expected as often
        kept = np.flatnonzero(totals >= min_count)
        counts = table[:, kept]
        n_missing = table[:, 0]
        if encoded.kind == "values":
            profile = (
                int(np.count_nonzero(totals[1:])),
                bool(totals[0]),
                int(np.count_nonzero(table[:, 1:])),
            )
    else:  # many values: count only those seen often enough
        shifted = groups.take(encoded.codes) + 1
        totals = np.bincount(shifted, minlength=m + 1)
        kept = np.flatnonzero(totals >= min_count)
        position = np.full(m + 1, len(kept), dtype=np.intp)
        position[kept] = np.arange(len(kept))
        columns = len(kept) + 1
        counts = np.bincount(
            groups.codes * columns + position[shifted], minlength=k * columns
        )
        counts = counts.reshape(k, columns)[:, :-1]
        n_missing = np.bincount(groups.codes[shifted == 0], minlength=k)
    levels = np.where(kept == 0, m, kept - 1)
    totals = np.append(totals[1:], totals[0])  # labels, then missing
    n_rows = groups.sizes.sum()
    share = groups.sizes / n_rows if n_rows else groups.sizes
    expected = totals[levels][None, :] * share[:, None]
    unsupported = (expected >= min_count) & (counts < min_share * expected)
    present = groups.sizes - n_missing
    present_expected = present.sum() * share
    present_unsupported = np.zeros(k, dtype=bool)
    if n_missing.sum():
        present_unsupported = (present_expected >= min_count) & (
            present < min_share * present_expected
        )
    return Support(
        levels=levels,
        counts=counts,
        expected=expected,
        unsupported=unsupported,
        group_sizes=groups.sizes,
        n_missing=n_missing,
        present_unsupported=present_unsupported,
        value_totals=totals,
        profile=profile,
    )


def twins_flagged(sup):
    """Twins (one per row and other group) meeting an unsupported combination."""
    n_groups = len(sup.group_sizes)
    missing_level = np.flatnonzero(sup.levels == len(sup.value_totals) - 1)
    present_levels = np.flatnonzero(sup.levels != len(sup.value_totals) - 1)
    others = sup.counts.sum(axis=0)[None, :] - sup.counts  # rows of other groups
    total = 0
    for h in range(n_groups):
        if sup.present_unsupported[h]:
            present = sup.group_sizes - sup.n_missing
            total += present.sum() - present[h]
        else:
            hit = sup.unsupported[h, present_levels]
            total += (others[h, present_levels] * hit).sum()
        total += (others[h, missing_level] * sup.unsupported[h, missing_level]).sum()
    return int(total)


# ------------------------------------------------------------- fitted check
class ColumnSupport:
    """The unsupported combinations of one column, for one attribute (fitted).

    Attributes are plain Python (lists, floats, dicts), so a fitted augmenter
    can be saved with skops.
    """

    def __init__(self, column, encoded, sup, domain, suggestion):
        m = len(encoded.labels)
        self.column = column
        self.kind = encoded.kind
        self.unit = encoded.unit
        self.edges = [float(e) for e in encoded.edges]
        self.n_groups = len(domain)
        flagged = [
            j for j in np.flatnonzero(sup.unsupported.any(axis=0)) if sup.levels[j] != m
        ]
        self.levels = [int(sup.levels[j]) for j in flagged]  # codes or bins
        self.values = [encoded.labels[level] for level in self.levels]
        self.table = [[bool(b) for b in sup.unsupported[:, j]] for j in flagged]
        missing = np.flatnonzero(sup.levels == m)
        self.missing = (
            [bool(b) for b in sup.unsupported[:, missing[0]]]
            if len(missing)
            else [False] * self.n_groups
        )
        self.present = [bool(b) for b in sup.present_unsupported]
        n_rows = float(sup.group_sizes.sum())
        n_twins = n_rows * (len(domain) - 1)
        self.n_twins = int(twins_flagged(sup))
        self.share = self.n_twins / n_twins if n_twins else 0.0
        self.combinations = _combinations(encoded, sup, domain)
        self.suggestion = suggestion

    def _level_rows(self, series):
        """Per row: its row of the lookup table (flagged values, missing, fine)."""
        n_flagged = len(self.levels)
        fine = n_flagged + 1
        if self.kind == "bins":
            numbers, _ = as_numbers(series)
            bins = bin_codes(numbers, self.edges)
            lookup = np.full(len(self.edges) + 2, fine, dtype=np.int64)
            lookup[self.levels] = np.arange(n_flagged)
            lookup[-1] = n_flagged  # bin -1: missing
            return lookup[bins]
        if n_flagged:
            rows = codes_of(series, self.values)
            rows = np.where(rows < 0, fine, rows)
        else:
            rows = np.full(len(series), fine, dtype=np.int64)
        missing = series.isna().to_numpy()
        rows[missing] = n_flagged
        return rows

    def row_flags(self, series):
        """Per row and group: would a twin of the row into the group be flagged."""
        table = np.zeros((len(self.levels) + 2, self.n_groups), dtype=bool)
        if self.levels:
            table[: len(self.levels)] = np.asarray(self.table, dtype=bool)
        table[len(self.levels)] = self.missing
        out = table[self._level_rows(series)]
        if any(self.present):
            present = ~series.isna().to_numpy()
            out |= present[:, None] & np.asarray(self.present)[None, :]
        return out


def _combinations(encoded, sup, domain):
    """Return the unsupported combinations, most twins first, as plain records."""
    m = len(encoded.labels)
    others = sup.counts.sum(axis=0)[None, :] - sup.counts
    out = []
    rows, cols = np.nonzero(sup.unsupported)
    worst = np.argsort(-others[rows, cols], kind="stable")[:SHOWN_COMBINATIONS]
    for h, j in zip(rows[worst], cols[worst], strict=True):
        level = int(sup.levels[j])
        if level == m:
            kind, value = "missing", None
        else:
            kind, value = (
                ("bin" if encoded.kind == "bins" else "value"),
                (encoded.labels[level]),
            )
        out.append(
            {
                "group": domain[h],
                "level": kind,
                "value": value,
                "count": int(sup.counts[h, j]),
                "expected": round(float(sup.expected[h, j]), 1),
                "twins": int(others[h, j]),
            }
        )
    present = sup.group_sizes - sup.n_missing
    expected = present.sum() * sup.group_sizes / max(sup.group_sizes.sum(), 1)
    for h in np.flatnonzero(sup.present_unsupported):
        out.append(
            {
                "group": domain[h],
                "level": "present",
                "value": None,
                "count": int(present[h]),
                "expected": round(float(expected[h]), 1),
                "twins": int(present.sum() - present[h]),
            }
        )
    out.sort(key=lambda r: (-r["twins"], -r["expected"]))
    return out[:SHOWN_COMBINATIONS]


class CoherenceCheck:
    """Supported combinations of one protected attribute with the other columns.

    ``fit`` keeps a :class:`ColumnSupport` for every column with at least one
    unsupported combination; ``flags`` marks the twins that meet one.
    """

    def __init__(self, attribute, domain, min_count, min_share):
        self.attribute = attribute
        self.domain = list(domain)
        self.min_count = min_count
        self.min_share = min_share

    def fit(self, frame, skip, suggest):
        """Learn the supported combinations of ``frame``'s columns not in ``skip``.

        ``suggest(encoded, sup, domain)`` returns the link proposed for a
        column with unsupported combinations. ``_profiles`` keeps, per column,
        what the mirror check needs (None when it cannot be read off the
        counts: missing protected values, more than ``MAX_LEVELS`` groups).
        """
        self.columns_ = []
        self._profiles = None
        # a continuous attribute (an exact measurement) has no groups to judge
        if not 2 <= len(self.domain) <= min(MAX_GROUPS, len(frame) // 5):
            return self
        groups = Groups(codes_of(frame[self.attribute], self.domain), len(self.domain))
        profiles = {}
        for column in frame.columns:
            if column in skip or column == self.attribute:
                continue
            encoded = encode(frame[column])
            if encoded is None:
                continue
            sup = support(groups, encoded, self.min_count, self.min_share)
            profiles[column] = sup.profile
            if sup.any:
                link = suggest(encoded, sup, self.domain)
                self.columns_.append(
                    ColumnSupport(column, encoded, sup, self.domain, link)
                )
        if groups.inside and len(self.domain) <= MAX_LEVELS:
            # what the mirror check needs, counted already (see _domains)
            self._profiles = profiles
        return self

    def flags(self, frame, pos, own, target, skip=()):
        """Whether each twin meets an unsupported combination of some column.

        ``pos`` are the twins' source rows in ``frame``, ``own`` and
        ``target`` their original and new positions in the domain; twins whose
        value of this attribute does not change are never flagged.
        """
        by_group = None  # per source row and group, whether a twin is flagged
        for column in self.columns_:
            if column.column not in skip:
                hit = column.row_flags(frame[column.column])
                by_group = hit if by_group is None else by_group | hit
        if by_group is None:
            return np.zeros(len(pos), dtype=bool)
        return by_group[pos, target] & (own != target)

    def report(self):
        """Return ``{column: {"share", "n_twins", "combinations"}}`` (plain data)."""
        return {
            c.column: {
                "share": c.share,
                "n_twins": c.n_twins,
                "combinations": [dict(r) for r in c.combinations],
            }
            for c in self.columns_
        }


# ------------------------------------------------------------------ warning
def _describe(column, record):
    if record["level"] == "missing":
        what = f"{column!r} missing"
    elif record["level"] == "present":
        what = f"{column!r} present (any value)"
    elif record["level"] == "bin":
        what = f"{column!r} in {record['value']}"
    else:
        what = f"{column}={record['value']!r}"
    rows = "row" if record["count"] == 1 else "rows"
    return (
        f"{what} ({record['count']:,} {rows} in the fit data where "
        f"{record['expected']:,.0f} would be expected; {record['twins']:,} twins)"
    )


def incoherence_message(attribute, column, *, coherence=None, shown=3):
    """Return the :class:`IncoherentTwinWarning` text for a :class:`ColumnSupport`."""
    worst = "; ".join(
        f"{attribute}={r['group']!r} with {_describe(column.column, r)}"
        for r in column.combinations[:shown]
    )
    if column.suggestion == RESAMPLE or column.suggestion is None:
        fix = (
            f"link it, e.g. links={{{column.column!r}: 'resample'}} to draw it "
            "from the twin's new group (no value pairs up unambiguously between "
            "groups), or a translation or value map you write"
        )
    else:
        kind = "a translation" if _is_translation(column.suggestion) else "a value map"
        fix = (
            f"link it, e.g. with {kind}: links={{{column.column!r}: "
            f"{column.suggestion!r}}}, or with 'resample'"
        )
    threshold = ""
    if coherence is not None:
        threshold = (
            f" The threshold is coherence={tuple(coherence)!r} (min_count, "
            "min_share); coherence=None switches the check off."
        )
    return (
        f"Column {column.column!r} is not linked to {attribute!r}, and "
        f"{column.share:.1%} of the twins ({column.n_twins:,} in the fit data) "
        "carry a combination the fit data (almost) never holds. Worst: "
        f"{worst}. A model reading {column.column!r} still sees the original "
        "group, so the flip rate is likely under-estimated; such twins are "
        f"flagged in the provenance's 'incoherent' column. To fix it, {fix}; "
        "the augmenter's suggested_links_ and suggest_links(X, protected=...) "
        f"propose links.{threshold}"
    )


def _is_translation(spec):
    return isinstance(spec, dict) and all(isinstance(v, dict) for v in spec.values())


def warn_incoherent(attribute, column, *, coherence=None, stacklevel=4):
    """Emit an :class:`IncoherentTwinWarning` for one column."""
    warnings.warn(
        incoherence_message(attribute, column, coherence=coherence),
        IncoherentTwinWarning,
        stacklevel=stacklevel,
    )
