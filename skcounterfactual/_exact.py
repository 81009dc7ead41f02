"""Exact sums of floating-point arrays, independent of order and partitioning.

Audits are computed chunk by chunk (and partition by partition on a Dask
cluster). A float sum depends on the order of its terms, so a weighted rate
summed over other chunks would differ in its last digits. :func:`exact_sum`
returns the exact sum of the values as a :class:`fractions.Fraction`; sums of
chunks add up exactly, and the final rate is rounded once, so an audit gives
the same numbers to the last bit in any chunking.

Each float is ``m * 2**e`` with an integer mantissa ``|m| < 2**53``. The
mantissas are split into two 26-bit halves and summed per exponent with
``np.bincount``, whose float64 sums stay exact while a bin holds fewer than
``2**25`` values; the per-exponent totals are then combined as Python
integers.
"""

from fractions import Fraction

import numpy as np

_BLOCK = 1 << 25  # values per bincount pass: partial sums stay below 2**53


def exact_sum(values):
    """Return the exact sum of finite float values as a ``Fraction``.

    Parameters
    ----------
    values : array-like of float
        Finite values.

    Returns
    -------
    total : Fraction
        The exact sum; ``float(total)`` is the correctly rounded sum.

    Examples
    --------
    >>> float(exact_sum([0.1] * 10)) == 1.0
    True
    >>> exact_sum([1e16, 1.0, -1e16])
    Fraction(1, 1)
    """
    values = np.asarray(values, dtype=np.float64).ravel()
    if not len(values):
        return Fraction(0)
    mantissa, exponent = np.frexp(values)
    integers = (mantissa * 2.0**53).astype(np.int64)
    exponent = exponent.astype(np.int64) - 53
    high = integers >> 26
    low = integers - (high << 26)
    offset = int(exponent.min())
    bins = exponent - offset
    total = 0
    for start in range(0, len(values), _BLOCK):
        part = slice(start, start + _BLOCK)
        high_sums = np.bincount(bins[part], weights=high[part])
        low_sums = np.bincount(bins[part], weights=low[part])
        for k in np.flatnonzero((high_sums != 0) | (low_sums != 0)):
            total += ((int(high_sums[k]) << 26) + int(low_sums[k])) << int(k)
    if offset >= 0:
        return Fraction(total << offset)
    return Fraction(total, 1 << -offset)


def exact_sums_by_group(values, groups, n_groups):
    """Return the exact sum of ``values`` in each group, as a list of Fractions.

    ``groups`` holds each value's group, ``0 .. n_groups - 1``. One pass for
    all groups: the mantissa halves are summed per (group, exponent).
    """
    values = np.asarray(values, dtype=np.float64).ravel()
    groups = np.asarray(groups, dtype=np.int64).ravel()
    if not len(values):
        return [Fraction(0)] * n_groups
    mantissa, exponent = np.frexp(values)
    integers = (mantissa * 2.0**53).astype(np.int64)
    exponent = exponent.astype(np.int64) - 53
    high = integers >> 26
    low = integers - (high << 26)
    offset = int(exponent.min())
    width = int(exponent.max()) - offset + 1
    bins = groups * width + (exponent - offset)
    totals = [0] * n_groups
    for start in range(0, len(values), _BLOCK):
        part = slice(start, start + _BLOCK)
        size = n_groups * width
        high_sums = np.bincount(bins[part], weights=high[part], minlength=size)
        low_sums = np.bincount(bins[part], weights=low[part], minlength=size)
        for k in np.flatnonzero((high_sums != 0) | (low_sums != 0)):
            group, shift = divmod(int(k), width)
            totals[group] += ((int(high_sums[k]) << 26) + int(low_sums[k])) << shift
    if offset >= 0:
        return [Fraction(t << offset) for t in totals]
    return [Fraction(t, 1 << -offset) for t in totals]
