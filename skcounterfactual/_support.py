"""Counts of a column against a protected attribute's groups: the support.

For each group and each value (or bin) of the column, the count in the data
and the count expected if the column had nothing to do with the attribute
(the value's count times the group's share of the rows). A combination is
*unsupported* when ``expected >= min_count`` and the count is below
``min_share * expected`` (see ``_coherence``). Missing values are a level of
their own; a column with missing values is also judged on presence.
"""

from dataclasses import dataclass

import numpy as np

WIDE_TABLE = 2**20  # cells of a group-by-value table counted in one pass


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
