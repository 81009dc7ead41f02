"""Paired decisions: the direction of flips and McNemar's tests of asymmetry.

A row and its twin form a matched pair of decisions. These functions count
the pairs (per source and target value, and pooled per pair of values) and
test whether flips run mostly one way (exact and mid-p McNemar tests).
"""

from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import stats

from ._stats import _as_binary, _as_numbers, _as_output, _check_same_length, _first


class PairedDirectionTable(NamedTuple):
    """Counts of paired binary decisions, original by twin.

    The first digit of each field is the decision on the original row, the
    second the decision on its twin; 1 is the favourable decision.

    Attributes
    ----------
    n00 : int
        Rows unfavourable on both.
    n01 : int
        Rows unfavourable on the original and favourable on the twin.
    n10 : int
        Rows favourable on the original and unfavourable on the twin.
    n11 : int
        Rows favourable on both.

    Examples
    --------
    >>> table = PairedDirectionTable(n00=5, n01=1, n10=3, n11=11)
    >>> table.b, table.c
    (3, 1)
    """

    n00: int
    n01: int
    n10: int
    n11: int

    @property
    def b(self):
        """Discordant pairs going favourable to unfavourable (``n10``)."""
        return self.n10

    @property
    def c(self):
        """Discordant pairs going unfavourable to favourable (``n01``)."""
        return self.n01


def paired_direction_table(original, twin):
    """Cross-tabulate the decisions on rows and on their twins.

    Parameters
    ----------
    original : array-like of shape (n_rows,)
        0/1 or boolean decision on each audited row, 1 being favourable.
    twin : array-like of shape (n_rows,)
        Decision on each row's counterfactual twin, in the same order.

    Returns
    -------
    PairedDirectionTable
        Named tuple of counts ``n00, n01, n10, n11`` (original then twin),
        with properties ``b = n10`` (favourable to unfavourable) and
        ``c = n01`` (unfavourable to favourable), the inputs of
        :func:`mcnemar_midp` and :func:`mcnemar_exact`.

    Examples
    --------
    >>> table = paired_direction_table([1, 1, 0, 1, 0], [0, 1, 0, 0, 1])
    >>> table
    PairedDirectionTable(n00=1, n01=1, n10=2, n11=1)
    >>> table.b, table.c
    (2, 1)
    """
    original = _as_binary(original, "original").astype(bool)
    twin = _as_binary(twin, "twin").astype(bool)
    _check_same_length(original, twin, "original", "twin")
    n11 = int(np.count_nonzero(original & twin))
    n10 = int(np.count_nonzero(original & ~twin))
    n01 = int(np.count_nonzero(~original & twin))
    return PairedDirectionTable(
        n00=len(original) - n11 - n10 - n01, n01=n01, n10=n10, n11=n11
    )


def _check_discordant(b, c):
    checked = []
    for name, count in (("b", b), ("c", c)):
        raw, value = _as_numbers(count, name)
        bad = ~(np.isfinite(value) & (value >= 0) & (value == np.round(value)))
        if bad.any():
            raise ValueError(
                f"{name} must be a non-negative whole number of discordant "
                f"pairs; got {_first(raw, bad)!r}. Weighted counts cannot be "
                "tested with the binomial distribution."
            )
        checked.append(value)
    return np.broadcast_arrays(*checked)


def mcnemar_exact(b, c):
    """Two-sided exact McNemar test of direction asymmetry.

    Parameters
    ----------
    b : int or array-like of int
        Discordant pairs going favourable to unfavourable.
    c : int or array-like of int
        Discordant pairs going unfavourable to favourable. Broadcast against
        ``b``.

    Returns
    -------
    pvalue : float or ndarray
        Two-sided p-value of the exact binomial test of ``b`` out of
        ``b + c`` at probability 0.5; 1.0 when there are no discordant pairs.

    See Also
    --------
    mcnemar_midp : The mid-p version, which an audit report should use.

    Notes
    -----
    Under no asymmetry, ``b`` given ``b + c`` is binomial with probability
    0.5, so the p-value is ``min(1, 2 P(X <= min(b, c)))``; this equals
    ``scipy.stats.binomtest(b, b + c).pvalue``. Its size never exceeds the
    nominal level, but because ``b`` is discrete it is often well below it,
    which costs power when there are few discordant pairs. Use it when a
    guaranteed type I error rate matters more than power.

    Examples
    --------
    >>> print(f"{mcnemar_exact(12, 3):.4f}")
    0.0352
    >>> mcnemar_exact(0, 0)
    1.0
    """
    b, c = _check_discordant(b, c)
    total = b + c
    pvalue = 2 * stats.binom.cdf(np.minimum(b, c), total, 0.5)
    return _as_output(np.minimum(pvalue, 1.0))


def mcnemar_midp(b, c):
    """Two-sided mid-p McNemar test of direction asymmetry.

    This is the test an audit report should show.

    Parameters
    ----------
    b : int or array-like of int
        Discordant pairs going favourable to unfavourable.
    c : int or array-like of int
        Discordant pairs going unfavourable to favourable. Broadcast against
        ``b``.

    Returns
    -------
    pvalue : float or ndarray
        Two-sided mid-p value; 1.0 when ``b == c``, including when there are
        no discordant pairs.

    See Also
    --------
    mcnemar_exact : The exact conditional test, never above nominal size.

    Notes
    -----
    The mid-p value counts only half the probability of the observed table:
    with ``k = min(b, c)`` and ``X ~ Binomial(b + c, 0.5)`` it is
    ``2 (P(X < k) + P(X = k) / 2)``.

    It is not guaranteed to stay at or below the nominal level: for a fixed
    number of discordant pairs its size is sometimes above it. But an audit
    fixes the number of rows, not of discordant pairs, and averaged over how
    many pairs turn out discordant, the size of the mid-p test stays close
    to the nominal level and exceeds it rarely and slightly (Fagerland,
    Lydersen and Laake, 2013), whereas the exact test is often far below it
    and so misses real asymmetries. In an audit a missed asymmetry is the
    costly mistake, so the report uses the mid-p test and keeps
    :func:`mcnemar_exact` for readers who need a strict guarantee.

    References
    ----------
    M. W. Fagerland, S. Lydersen and P. Laake, "The McNemar test for binary
    matched-pairs data: mid-p and asymptotic are better than exact
    conditional", BMC Medical Research Methodology 13, 91 (2013).

    Examples
    --------
    >>> print(f"{mcnemar_midp(12, 3):.4f}")
    0.0213
    >>> mcnemar_midp([5, 4], [5, 0]).round(4).tolist()
    [1.0, 0.0625]
    """
    b, c = _check_discordant(b, c)
    total = b + c
    smaller = np.minimum(b, c)
    # 2 P(X < k) + P(X = k) = P(X <= k - 1) + P(X <= k)
    pvalue = stats.binom.cdf(smaller - 1, total, 0.5) + stats.binom.cdf(
        smaller, total, 0.5
    )
    return _as_output(np.minimum(pvalue, 1.0))


def _value_order(values, domain):
    """``domain`` first, then the other values (sorted, or by repr)."""
    order = list(domain or [])
    known = set(order)
    extra = [v for v in dict.fromkeys(values) if v not in known]
    try:
        extra = sorted(extra)
    except TypeError:
        extra = sorted(extra, key=repr)
    return order + extra


def count_cells(cells, source, target, row_favourable, twin_favourable):
    """Add paired decisions to ``cells``, one entry per observed value pair.

    ``cells`` maps ``(source, target)`` to ``[pairs, favourable_to_unfavourable,
    unfavourable_to_favourable, favourable_both]``; it grows with the pairs
    observed, never with the square of the domain.
    """
    row_fav = np.asarray(row_favourable, dtype=bool)
    twin_fav = np.asarray(twin_favourable, dtype=bool)
    if not len(row_fav):
        return cells
    source_codes, sources = pd.factorize(np.asarray(source, dtype=object))
    target_codes, targets = pd.factorize(np.asarray(target, dtype=object))
    keys = source_codes.astype(np.int64) * len(targets) + target_codes
    n_cells = len(sources) * len(targets)
    # few value pairs (and no missing value): count them directly
    direct = n_cells <= 4 * len(keys) + 1024 and bool(keys.min() >= 0)
    if direct:
        inverse, size = keys, n_cells
    else:  # many: number the observed pairs first
        found, inverse = np.unique(keys, return_inverse=True)
        size = len(found)
    flags = (
        row_fav & ~twin_fav,
        ~row_fav & twin_fav,
        row_fav & twin_fav,
    )
    # float64 counts are exact below 2**53
    counted = [np.bincount(inverse, minlength=size)] + [
        np.bincount(inverse, weights=f, minlength=size).astype(np.int64) for f in flags
    ]
    if direct:
        found = np.flatnonzero(counted[0])
        counted = [c[found] for c in counted]
    for i, cell in enumerate(found):
        key = (sources[cell // len(targets)], targets[cell % len(targets)])
        mine = cells.setdefault(key, [0, 0, 0, 0])
        for j in range(4):
            mine[j] += int(counted[j][i])
    return cells


def direction_tables(source, target, row_favourable, twin_favourable, domain):
    """Return the ``direction`` and ``comparisons`` tables of paired decisions.

    Parameters
    ----------
    source, target : array-like of object
        Each pair's original and new protected value.
    row_favourable, twin_favourable : array-like of bool
        Whether the row's and the twin's decisions are favourable.
    domain : list or None
        The order in which values are listed (other values follow, sorted).

    Returns
    -------
    direction, comparisons : DataFrame
        See :class:`AttributeAudit`.
    """
    cells = count_cells({}, source, target, row_favourable, twin_favourable)
    return tables_from_cells(cells, domain)


def tables_from_cells(cells, domain):
    """Return the per-cell ``direction`` and pooled ``comparisons`` tables.

    Parameters
    ----------
    cells : dict
        ``{(source, target): [pairs, favourable_to_unfavourable,
        unfavourable_to_favourable, favourable_both]}``, from the observed
        pairs only (never sized by the square of the domain).
    domain : list or None
        The order in which values are listed (values outside it follow).

    Returns
    -------
    direction, comparisons : DataFrame
        See :class:`AttributeAudit`.
    """
    order = _value_order([v for key in cells for v in key], domain)
    rank = {value: i for i, value in enumerate(order)}
    keys = sorted(cells, key=lambda key: (rank[key[0]], rank[key[1]]))
    counts = np.array([cells[k] for k in keys], dtype=np.int64).reshape(-1, 4)
    n, b, c, both = counts.T
    direction = pd.DataFrame(
        {
            "source": pd.Series([k[0] for k in keys], dtype=object),
            "target": pd.Series([k[1] for k in keys], dtype=object),
            "n_pairs": n,
            "favourable_both": both,
            "favourable_to_unfavourable": b,
            "unfavourable_to_favourable": c,
            "unfavourable_both": n - both - b - c,
            "p_value_midp": np.atleast_1d(mcnemar_midp(b, c)),
            "p_value_exact": np.atleast_1d(mcnemar_exact(b, c)),
        }
    )
    # orient every pair as (decision with value a, decision with value b),
    # rank(a) < rank(b): a row of value a whose twin has value b is favoured
    # as a when its own decision is favourable and its twin's is not
    pooled = {}
    for (source, target), (n_k, b_k, c_k, _) in zip(keys, counts, strict=True):
        forward = rank[source] < rank[target]
        key = (source, target) if forward else (target, source)
        found = pooled.setdefault(key, [0, 0, 0])
        found[0] += n_k
        found[1] += b_k if forward else c_k
        found[2] += c_k if forward else b_k
    pairs = sorted(pooled, key=lambda key: (rank[key[0]], rank[key[1]]))
    totals = np.array([pooled[k] for k in pairs], dtype=np.int64).reshape(-1, 3)
    n, only_a, only_b = totals.T
    favoured = [
        a if x > y else b if y > x else None
        for (a, b), x, y in zip(pairs, only_a, only_b, strict=True)
    ]
    comparisons = pd.DataFrame(
        {
            "value_a": pd.Series([k[0] for k in pairs], dtype=object),
            "value_b": pd.Series([k[1] for k in pairs], dtype=object),
            "n_pairs": n,
            "only_a_favourable": only_a,
            "only_b_favourable": only_b,
            "favoured": pd.Series(favoured, dtype=object),
            "p_value_midp": np.atleast_1d(mcnemar_midp(only_a, only_b)),
            "p_value_exact": np.atleast_1d(mcnemar_exact(only_a, only_b)),
        }
    )
    return direction, comparisons
