"""Interval statistics behind counterfactual audits.

An audit compares, row by row, the decision a model makes for a person and
for that person's counterfactual twin. This module turns those paired
decisions into the numbers a report shows: a flip rate with a confidence
interval, a paired test of whether flips run mostly in one direction, a mean
change with a t interval and the difference between the flip rate and a
placebo flip rate.

Decisions are coded 1 for the favourable outcome (loan granted, candidate
shortlisted) and 0 for the unfavourable one. Sample weights are treated as
sampling weights: they move the estimate, and they shrink the information in
the sample to Kish's effective sample size. Every function is vectorised; none
loops over rows.
"""

from fractions import Fraction

import numpy as np
from scipy import stats

from ._exact import exact_sum
from ._validation import check_confidence, check_sample_weight

PROPORTION_METHODS = ("wilson", "clopper-pearson")

BAD_METHOD = "method must be one of {allowed!r}; got {method!r}."
LENGTH_MISMATCH = (
    "{first} and {second} must have one entry per audited row, so the same "
    "length; got {n_first} and {n_second}."
)
NOT_BINARY = (
    "{name} must contain only 0/1 or boolean values; got {values!r}. "
    "Turn scores into decisions first, e.g. with proba >= threshold."
)
EMPTY_ROWS = "{name} is empty; an audit needs at least one row."


def _first(array, mask):
    """Return the first entry of ``array`` where ``mask`` holds, as a scalar."""
    return array[mask].ravel()[0].item()


def _as_output(value):
    """Return a Python float for 0-d results and an array otherwise."""
    value = np.asarray(value, dtype=float)
    return float(value) if value.ndim == 0 else value


def _as_numbers(values, name):
    array = np.asarray(values)
    try:
        return array, array.astype(float)
    except (TypeError, ValueError):
        raise ValueError(
            f"{name} must be a number or an array of numbers; got {values!r}."
        ) from None


def _check_counts(successes, n):
    """Validate and broadcast ``successes`` and ``n`` to float arrays."""
    raw_n, n = _as_numbers(n, "n")
    raw_s, successes = _as_numbers(successes, "successes")
    bad_n = ~(np.isfinite(n) & (n > 0))
    if bad_n.any():
        raise ValueError(
            "n must be a positive, finite number of audited rows (an interval "
            f"needs at least one row); got n={_first(raw_n, bad_n)!r}."
        )
    try:
        raw_s, raw_n = np.broadcast_arrays(raw_s, raw_n)
        successes, n = np.broadcast_arrays(successes, n)
    except ValueError:
        raise ValueError(
            "successes and n must be broadcastable to one shape; got shapes "
            f"{raw_s.shape!r} and {raw_n.shape!r}."
        ) from None
    bad_s = ~((successes >= 0) & (successes <= n))
    if bad_s.any():
        raise ValueError(
            "successes must lie between 0 and n; got "
            f"successes={_first(raw_s, bad_s)!r} with n={_first(raw_n, bad_s)!r}."
        )
    return successes, n


def _as_binary(values, name):
    """Return ``values`` as a 1-D float array of 0.0 and 1.0."""
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(
            f"{name} must be 1-D, one decision per row; got shape {array.shape!r}."
        )
    if array.size == 0:
        raise ValueError(EMPTY_ROWS.format(name=name))
    if array.dtype != bool:
        try:
            offending = array[~np.isin(array, (0, 1))]
        except TypeError:
            # Missing values such as pandas.NA have no truth value.
            offending = array
        if offending.size:
            values = list(dict.fromkeys(offending.tolist()))[:5]
            raise ValueError(NOT_BINARY.format(name=name, values=values))
    return array.astype(float)


def _check_same_length(first, second, first_name, second_name):
    if len(first) != len(second):
        raise ValueError(
            LENGTH_MISMATCH.format(
                first=first_name,
                second=second_name,
                n_first=len(first),
                n_second=len(second),
            )
        )


def weighted_total(values, weight=None):
    """Return the exact sum of ``weight * values`` (an int or a ``Fraction``).

    Booleans and integers without weights are counted as Python integers;
    anything else is summed exactly with :func:`~._exact.exact_sum`, so totals
    of chunks add up to the total of the whole, to the last bit.
    """
    values = np.asarray(values)
    if weight is None:
        if values.dtype.kind == "b":
            return int(np.count_nonzero(values))
        if values.dtype.kind in "iu":
            return int(values.sum(dtype=object))
        return exact_sum(values)
    if values.dtype.kind == "b":
        return exact_sum(np.where(values, weight, 0.0))
    return exact_sum(weight * values)


def share_from_totals(hits, total, total_sq):
    """Return the (weighted) share ``hits / total`` and the effective size.

    ``total`` and ``total_sq`` are the sums of the weights and of their
    squares (both the row count without weights); Kish's effective sample
    size is ``total**2 / total_sq``.
    """
    total = Fraction(total)
    estimate = float(Fraction(hits) / total)
    n_eff = float(total * total / Fraction(total_sq))
    return estimate, n_eff


def _totals(weight, n_rows):
    if weight is None:
        return n_rows, n_rows
    return exact_sum(weight), exact_sum(weight * weight)


def wilson_interval(successes, n, *, confidence=0.95):
    """Wilson score interval for a binomial proportion.

    Parameters
    ----------
    successes : float or array-like of float
        Number of rows with the event (for example, rows whose decision
        flips). Need not be a whole number, so that weighted effective counts
        can be passed. Must lie in ``[0, n]``.
    n : float or array-like of float
        Number of rows, or an effective number of rows. Must be positive.
        Broadcast against ``successes``.
    confidence : float, default=0.95
        Coverage probability, strictly between 0 and 1.

    Returns
    -------
    low, high : float or ndarray
        Interval bounds, floats for scalar input. They lie in ``[0, 1]``, with
        ``low == 0`` when ``successes == 0`` and ``high == 1`` when
        ``successes == n``.

    See Also
    --------
    clopper_pearson_interval : Exact interval, never below nominal coverage.

    Notes
    -----
    The Wilson interval inverts the score test. With ``z`` the normal
    quantile and ``p = successes / n`` it is::

        (p + z**2 / (2 n) +/- z * sqrt(p (1 - p) / n + z**2 / (4 n**2)))
        / (1 + z**2 / n)

    Unlike the Wald interval it stays inside ``[0, 1]`` and keeps close to
    nominal coverage for small flip rates, which is the usual case in an
    audit (Brown, Cai and DasGupta, 2001).

    References
    ----------
    L. D. Brown, T. T. Cai and A. DasGupta, "Interval estimation for a
    binomial proportion", Statistical Science 16, 101-133 (2001).

    Examples
    --------
    >>> low, high = wilson_interval(5, 10)
    >>> print(f"{low:.4f} {high:.4f}")
    0.2366 0.7634
    >>> low, high = wilson_interval([0, 10], [10, 10])
    >>> low.round(4).tolist(), high.round(4).tolist()
    ([0.0, 0.7225], [0.2775, 1.0])
    """
    z = stats.norm.ppf(0.5 + check_confidence(confidence) / 2)
    successes, n = _check_counts(successes, n)
    p = successes / n
    shrink = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / shrink
    half_width = z / shrink * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    low = np.where(successes == 0, 0.0, np.clip(centre - half_width, 0, 1))
    high = np.where(successes == n, 1.0, np.clip(centre + half_width, 0, 1))
    return _as_output(low), _as_output(high)


def clopper_pearson_interval(successes, n, *, confidence=0.95):
    """Clopper-Pearson ("exact") interval for a binomial proportion.

    Parameters
    ----------
    successes : float or array-like of float
        Number of rows with the event, in ``[0, n]``. Non-integer effective
        counts are accepted; the beta quantiles extend to them smoothly.
    n : float or array-like of float
        Number of rows, or an effective number of rows. Must be positive.
    confidence : float, default=0.95
        Coverage probability, strictly between 0 and 1.

    Returns
    -------
    low, high : float or ndarray
        Interval bounds, floats for scalar input. ``low`` is exactly 0 when
        ``successes == 0`` and ``high`` exactly 1 when ``successes == n``.

    See Also
    --------
    wilson_interval : Shorter interval with close to nominal coverage.

    Notes
    -----
    The bounds are beta quantiles: ``Beta(alpha / 2; x, n - x + 1)`` and
    ``Beta(1 - alpha / 2; x + 1, n - x)``. For whole counts, coverage is at
    least ``confidence`` for every true proportion; the price is a wider
    interval whose actual coverage is often well above nominal, especially
    for small samples and rates near 0 or 1.

    Examples
    --------
    >>> low, high = clopper_pearson_interval(0, 10)
    >>> print(f"{low:.4f} {high:.4f}")
    0.0000 0.3085
    """
    alpha = 1 - check_confidence(confidence)
    successes, n = _check_counts(successes, n)
    failures = n - successes
    # Placeholder shape parameters where the bound is fixed at 0 or 1, so that
    # the beta quantile never sees a zero shape.
    low = stats.beta.ppf(
        alpha / 2, np.where(successes > 0, successes, 1.0), failures + 1
    )
    high = stats.beta.ppf(
        1 - alpha / 2, successes + 1, np.where(failures > 0, failures, 1.0)
    )
    low = np.where(successes > 0, low, 0.0)
    high = np.where(failures > 0, high, 1.0)
    return _as_output(low), _as_output(high)


def proportion_interval(successes, n, *, method="wilson", confidence=0.95):
    """Confidence interval for a proportion, by the method named.

    Parameters
    ----------
    successes : float or array-like of float
        Number of rows with the event, in ``[0, n]``.
    n : float or array-like of float
        Number of rows, or an effective number of rows. Must be positive.
    method : {"wilson", "clopper-pearson"}, default="wilson"
        ``"wilson"`` for :func:`wilson_interval`, ``"clopper-pearson"`` for
        :func:`clopper_pearson_interval`.
    confidence : float, default=0.95
        Coverage probability, strictly between 0 and 1.

    Returns
    -------
    low, high : float or ndarray
        Interval bounds.

    Examples
    --------
    >>> low, high = proportion_interval(3, 40, method="clopper-pearson")
    >>> print(f"{low:.4f} {high:.4f}")
    0.0157 0.2039
    """
    if method == "wilson":
        return wilson_interval(successes, n, confidence=confidence)
    if method == "clopper-pearson":
        return clopper_pearson_interval(successes, n, confidence=confidence)
    raise ValueError(BAD_METHOD.format(allowed=list(PROPORTION_METHODS), method=method))


def weighted_proportion_interval(
    flags, sample_weight=None, *, method="wilson", confidence=0.95
):
    """Share of flagged rows with a confidence interval, optionally weighted.

    Parameters
    ----------
    flags : array-like of shape (n_rows,)
        0/1 or boolean indicator per row, e.g. whether the decision flips.
    sample_weight : array-like of shape (n_rows,), default=None
        Non-negative sampling weights with a positive sum. None gives every
        row weight 1.
    method : {"wilson", "clopper-pearson"}, default="wilson"
        Interval for the proportion.
    confidence : float, default=0.95
        Coverage probability, strictly between 0 and 1.

    Returns
    -------
    estimate : float
        Weighted share of flagged rows, ``sum(w * flags) / sum(w)``.
    low, high : float
        Interval bounds.

    Notes
    -----
    With weights, the interval is computed on Kish's effective sample size
    ``n_eff = sum(w)**2 / sum(w**2)`` with ``estimate * n_eff`` successes.
    For flags drawn independently of the weights, the variance of the
    weighted share is exactly ``p (1 - p) / n_eff``, so this keeps the
    interval honest when a few rows carry most of the weight.

    Weights are sampling weights, not frequency weights: a weight of 3 is not
    the same as three copies of the row. The estimate is the same either way,
    but repeating rows claims more independent evidence, and so gives a
    narrower interval. Multiplying all weights by a constant changes nothing.

    Examples
    --------
    >>> flips = [1, 0, 0, 1, 0, 0, 0, 0]
    >>> estimate, low, high = weighted_proportion_interval(flips)
    >>> print(f"{estimate:.3f} [{low:.3f}, {high:.3f}]")
    0.250 [0.071, 0.591]
    >>> weights = [3, 1, 1, 3, 1, 1, 1, 1]
    >>> estimate, low, high = weighted_proportion_interval(flips, weights)
    >>> print(f"{estimate:.3f} [{low:.3f}, {high:.3f}]")
    0.500 [0.188, 0.812]
    """
    flags = _as_binary(flags, "flags").astype(bool)
    weight = check_sample_weight(sample_weight, len(flags))
    total, total_sq = _totals(weight, len(flags))
    return proportion_from_totals(
        weighted_total(flags, weight),
        total,
        total_sq,
        method=method,
        confidence=confidence,
    )


def proportion_from_totals(hits, total, total_sq, *, method="wilson", confidence=0.95):
    """:func:`weighted_proportion_interval` from exact totals of the rows.

    Parameters
    ----------
    hits : int or Fraction
        Sum of the weights of the flagged rows (their count without weights).
    total, total_sq : int or Fraction
        Sums of the weights and of their squares (the row count twice
        without weights).
    method : {"wilson", "clopper-pearson"}, default="wilson"
        Interval method.
    confidence : float, default=0.95
        Coverage probability.

    Returns
    -------
    estimate, low, high : float
    """
    estimate, n_eff = share_from_totals(hits, total, total_sq)
    low, high = proportion_interval(
        estimate * n_eff, n_eff, method=method, confidence=confidence
    )
    return estimate, low, high
