"""Statistics behind counterfactual audits.

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

import numbers
from typing import NamedTuple

import numpy as np
from scipy import stats

PROPORTION_METHODS = ("wilson", "clopper-pearson")

BAD_CONFIDENCE = (
    "confidence must be a number strictly between 0 and 1, such as 0.95; "
    "got {confidence!r}."
)
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
BAD_WEIGHT = "sample_weight must contain finite, non-negative numbers; got {value!r}."
ZERO_WEIGHT = (
    "sample_weight sums to 0, so no row counts; give at least one row a "
    "positive weight."
)


def _check_confidence(confidence):
    if (
        isinstance(confidence, bool)
        or not isinstance(confidence, numbers.Real)
        or not 0 < confidence < 1
    ):
        raise ValueError(BAD_CONFIDENCE.format(confidence=confidence))
    return float(confidence)


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


def _check_sample_weight(sample_weight, n_rows):
    """Return ``sample_weight`` as a float array, or None when not given."""
    if sample_weight is None:
        return None
    raw, weight = _as_numbers(sample_weight, "sample_weight")
    if weight.ndim != 1 or len(weight) != n_rows:
        raise ValueError(
            f"sample_weight must hold one weight per row: expected shape "
            f"({n_rows},), got shape {weight.shape!r}."
        )
    bad = ~(np.isfinite(weight) & (weight >= 0))
    if bad.any():
        raise ValueError(BAD_WEIGHT.format(value=_first(raw, bad)))
    if not weight.sum() > 0:
        raise ValueError(ZERO_WEIGHT)
    return weight


def _weighted_share(values, weight):
    """Return the (weighted) mean of ``values`` and the effective sample size."""
    if weight is None:
        return values.mean(), float(len(values))
    total = weight.sum()
    n_eff = total**2 / (weight**2).sum()
    return (weight * values).sum() / total, n_eff


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
    z = stats.norm.ppf(0.5 + _check_confidence(confidence) / 2)
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
    alpha = 1 - _check_confidence(confidence)
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
    flags = _as_binary(flags, "flags")
    weight = _check_sample_weight(sample_weight, len(flags))
    estimate, n_eff = _weighted_share(flags, weight)
    low, high = proportion_interval(
        estimate * n_eff, n_eff, method=method, confidence=confidence
    )
    return float(estimate), low, high


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
    confidence = _check_confidence(confidence)
    weight = _check_sample_weight(sample_weight, len(values))
    mean, n_eff = _weighted_share(values, weight)
    n_used = len(values) if weight is None else int(np.count_nonzero(weight))
    if n_used < 2 or not n_eff > 1:
        raise ValueError(
            "values must hold at least 2 rows with positive weight, and an "
            "effective sample size above 1, to estimate a spread; got "
            f"{n_used} row(s) with effective sample size {float(n_eff)!r}."
        )
    spread, _ = _weighted_share((values - mean) ** 2, weight)
    standard_error = np.sqrt(spread / (n_eff - 1))
    if standard_error == 0:
        half_width = 0.0
    else:
        half_width = stats.t.ppf(0.5 + confidence / 2, n_eff - 1) * standard_error
    return float(mean), float(mean - half_width), float(mean + half_width)


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
    confidence = _check_confidence(confidence)
    weight = _check_sample_weight(sample_weight, len(flips))

    p1, n_eff = _weighted_share(flips, weight)
    p2, _ = _weighted_share(placebo_flips, weight)
    p11, _ = _weighted_share(flips * placebo_flips, weight)
    low, high = _newcombe_interval(p11, p1 - p11, p2 - p11, n_eff, confidence)
    return float(p1 - p2), low, high


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
