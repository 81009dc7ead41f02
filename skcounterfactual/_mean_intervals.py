"""Intervals for mean score changes and for flip minus placebo rates.

Both take sampling weights as ``_stats`` does (Kish's effective sample size).
"""

from fractions import Fraction

import numpy as np
from scipy import stats

from ._stats import (
    _as_binary,
    _as_numbers,
    _as_output,
    _check_same_length,
    _first,
    _totals,
    share_from_totals,
    weighted_total,
    wilson_interval,
)
from ._validation import check_confidence, check_sample_weight


def mean_with_interval(values, sample_weight=None, *, confidence=0.95):
    """Mean with a t confidence interval, optionally weighted.

    Parameters
    ----------
    values : array-like of shape (n_rows,)
        Finite values, e.g. the absolute change in predicted probability
        between each row and its twin.
    sample_weight : array-like of shape (n_rows,), default=None
        Non-negative sampling weights. None gives every row weight 1.
    confidence : float, default=0.95
        Coverage probability, strictly between 0 and 1.

    Returns
    -------
    mean : float
        (Weighted) mean of ``values``.
    low, high : float
        Bounds of the t interval.

    Raises
    ------
    ValueError
        If fewer than two rows have a positive weight: one value says
        nothing about the spread, and a zero-width interval would claim
        certainty that the data do not support.

    Notes
    -----
    Unweighted, the interval is ``mean +/- t * s / sqrt(n)`` with ``n - 1``
    degrees of freedom. Weighted, ``n`` becomes Kish's effective sample size
    ``n_eff = sum(w)**2 / sum(w**2)``, the degrees of freedom ``n_eff - 1``,
    and the variance ``sum(w (x - mean)**2) / sum(w) * n_eff / (n_eff - 1)``,
    which is unbiased when the weights do not depend on the values. Equal
    weights give the unweighted interval.

    When all values are equal the interval has zero width; that is what the
    data show (for instance, a model whose probabilities never move), not a
    missing value.

    Examples
    --------
    >>> mean, low, high = mean_with_interval([0.1, 0.3, 0.2, 0.4])
    >>> print(f"{mean:.3f} [{low:.3f}, {high:.3f}]")
    0.250 [0.045, 0.455]
    """
    raw = np.asarray(values)
    if raw.ndim != 1:
        raise ValueError(
            f"values must be 1-D, one value per row; got shape {raw.shape!r}."
        )
    raw, values = _as_numbers(raw, "values")
    bad = ~np.isfinite(values)
    if bad.any():
        raise ValueError(f"values must be finite; got {_first(raw, bad)!r}.")
    confidence = check_confidence(confidence)
    weight = check_sample_weight(sample_weight, len(values))
    total, total_sq = _totals(weight, len(values))
    return mean_from_totals(
        weighted_total(values, weight),
        weighted_total(values * values, weight),
        total,
        total_sq,
        len(values) if weight is None else int(np.count_nonzero(weight)),
        confidence=confidence,
    )


def mean_from_totals(value_sum, square_sum, total, total_sq, n_used, *, confidence):
    """:func:`mean_with_interval` from exact totals of the rows.

    Parameters
    ----------
    value_sum, square_sum : int or Fraction
        Sums of ``weight * value`` and ``weight * value**2``.
    total, total_sq : int or Fraction
        Sums of the weights and of their squares.
    n_used : int
        Rows with a positive weight.
    confidence : float
        Coverage probability.

    Returns
    -------
    mean, low, high : float
    """
    total = Fraction(total)
    mean = Fraction(value_sum) / total
    n_eff = float(total * total / Fraction(total_sq))
    if n_used < 2 or not n_eff > 1:
        raise ValueError(
            "values must hold at least 2 rows with positive weight, and an "
            "effective sample size above 1, to estimate a spread; got "
            f"{n_used} row(s) with effective sample size {n_eff!r}."
        )
    spread = max(Fraction(square_sum) / total - mean * mean, Fraction(0))
    standard_error = np.sqrt(float(spread) / (n_eff - 1))
    if standard_error == 0:
        half_width = 0.0
    else:
        half_width = stats.t.ppf(0.5 + confidence / 2, n_eff - 1) * standard_error
    mean = float(mean)
    return mean, float(mean - half_width), float(mean + half_width)


def paired_difference_interval(
    flips, placebo_flips, sample_weight=None, *, confidence=0.95
):
    """Flip rate minus placebo flip rate, with a paired confidence interval.

    Parameters
    ----------
    flips : array-like of shape (n_rows,)
        0/1 or boolean: whether the decision flips for the counterfactual
        twin of each row.
    placebo_flips : array-like of shape (n_rows,)
        0/1 or boolean: whether the decision flips for the placebo twin of
        the same row (an attribute change that should not matter).
    sample_weight : array-like of shape (n_rows,), default=None
        Non-negative sampling weights. None gives every row weight 1.
    confidence : float, default=0.95
        Coverage probability, strictly between 0 and 1.

    Returns
    -------
    difference : float
        Flip rate minus placebo flip rate.
    low, high : float
        Interval bounds, within ``[-1, 1]``.

    Notes
    -----
    Both rates are measured on the same rows, so they are correlated and an
    interval for independent samples would be wrong. This uses Newcombe's
    hybrid score interval for paired proportions (method 10 of Newcombe,
    1998): Wilson intervals for the two rates are combined with the
    estimated correlation between them. Compared with the paired Wald
    interval, it stays inside ``[-1, 1]`` and keeps close to nominal coverage
    when flips are rare or the discordant rows are few, and it needs no
    iteration. Fagerland, Lydersen and Laake (2014) list it among the
    intervals they recommend for paired proportions. With weights, the
    counts are replaced by weighted shares times Kish's effective sample
    size, as in :func:`weighted_proportion_interval`.

    References
    ----------
    R. G. Newcombe, "Improved confidence intervals for the difference
    between binomial proportions based on paired data", Statistics in
    Medicine 17, 2635-2650 (1998).

    M. W. Fagerland, S. Lydersen and P. Laake, "Recommended tests and
    confidence intervals for paired binomial proportions", Statistics in
    Medicine 33, 2850-2875 (2014).

    Examples
    --------
    >>> flips = [1, 1, 0, 1, 0, 0, 1, 0, 0, 0]
    >>> placebo_flips = [0, 1, 0, 0, 0, 0, 0, 0, 0, 0]
    >>> difference, low, high = paired_difference_interval(flips, placebo_flips)
    >>> print(f"{difference:.2f} [{low:.3f}, {high:.3f}]")
    0.30 [-0.070, 0.593]
    """
    flips = _as_binary(flips, "flips")
    placebo_flips = _as_binary(placebo_flips, "placebo_flips")
    _check_same_length(flips, placebo_flips, "flips", "placebo_flips")
    confidence = check_confidence(confidence)
    weight = check_sample_weight(sample_weight, len(flips))

    flips, placebo_flips = flips.astype(bool), placebo_flips.astype(bool)
    total, total_sq = _totals(weight, len(flips))
    return paired_from_totals(
        weighted_total(flips, weight),
        weighted_total(placebo_flips, weight),
        weighted_total(flips & placebo_flips, weight),
        total,
        total_sq,
        confidence=confidence,
    )


def paired_from_totals(first, second, both, total, total_sq, *, confidence):
    """:func:`paired_difference_interval` from exact totals of the rows.

    Parameters
    ----------
    first, second, both : int or Fraction
        Weight of the rows that flip, that flip for the placebo, and both.
    total, total_sq : int or Fraction
        Sums of the weights and of their squares.
    confidence : float
        Coverage probability.

    Returns
    -------
    difference, low, high : float
    """
    p1, n_eff = share_from_totals(first, total, total_sq)
    p2, _ = share_from_totals(second, total, total_sq)
    p11, _ = share_from_totals(both, total, total_sq)
    low, high = _newcombe_interval(p11, p1 - p11, p2 - p11, n_eff, confidence)
    return (
        float(Fraction(first) / Fraction(total) - Fraction(second) / Fraction(total)),
        low,
        high,
    )


def _newcombe_interval(p11, p10, p01, n, confidence):
    """Newcombe's hybrid score interval for ``p10 - p01``, vectorised.

    ``p11``, ``p10`` and ``p01`` are cell shares of the paired table (first
    indicator then second) and ``n`` the (effective) number of rows.
    """
    p1, p2 = p11 + p10, p11 + p01
    p00 = 1 - p11 - p10 - p01
    low1, high1 = wilson_interval(p1 * n, n, confidence=confidence)
    low2, high2 = wilson_interval(p2 * n, n, confidence=confidence)

    # Correlation between the two indicators, with Newcombe's continuity
    # adjustment: a positive association is reduced by 1 / (2 n), down to 0.
    product = p1 * (1 - p1) * p2 * (1 - p2)
    association = p11 * p00 - p10 * p01
    association = np.where(
        association > 0, np.maximum(association - 1 / (2 * n), 0), association
    )
    phi = np.where(
        product > 0, association / np.sqrt(np.where(product > 0, product, 1)), 0
    )

    below1, above1 = p1 - low1, high1 - p1
    below2, above2 = p2 - low2, high2 - p2
    delta = np.sqrt(np.maximum(below1**2 - 2 * phi * below1 * above2 + above2**2, 0))
    epsilon = np.sqrt(np.maximum(above1**2 - 2 * phi * above1 * below2 + below2**2, 0))
    low = np.maximum(p1 - p2 - delta, -1.0)
    high = np.minimum(p1 - p2 + epsilon, 1.0)
    return _as_output(low), _as_output(high)
