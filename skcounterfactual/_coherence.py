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
the rows or more), never value by value; datetimes and durations likewise
(``_encoding`` reads the columns, ``_support`` counts them). Fitted state is
plain lists, floats and dicts.
"""

import numbers
import warnings

import numpy as np

from ._encoding import MAX_LEVELS, as_numbers, bin_codes, codes_of, encode
from ._state import plain_state
from ._support import Groups, support, twins_flagged
from ._validation import shown

DEFAULT_COHERENCE = (10, 0.05)
MAX_GROUPS = 50  # attributes with a larger domain are not checked
SHOWN_COMBINATIONS = 10  # combinations kept per column in the fitted state
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
    raise ValueError(BAD_COHERENCE.format(value=shown(value)))


# ------------------------------------------------------------- fitted check
@plain_state
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


@plain_state
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
