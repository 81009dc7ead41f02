"""Proportion intervals (Wilson, Clopper-Pearson, weighted with Kish's effective
size) and mean intervals (weighted t interval, Newcombe's paired difference).

McNemar's tests and direction tables are tested in ``test_paired.py``.
"""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from skcounterfactual._mean_intervals import (
    _newcombe_interval,
    mean_with_interval,
    paired_difference_interval,
)
from skcounterfactual._stats import (
    BAD_METHOD,
    LENGTH_MISMATCH,
    NOT_BINARY,
    clopper_pearson_interval,
    proportion_interval,
    weighted_proportion_interval,
    wilson_interval,
)
from skcounterfactual._validation import (
    BAD_CONFIDENCE,
    BAD_SAMPLE_WEIGHT_SHAPE,
    BAD_SAMPLE_WEIGHT_VALUES,
    ZERO_SAMPLE_WEIGHT,
)

N_AUDITS = 2_000


def _rows(n11, n10, n01, n00):
    """Return two indicator arrays with the given paired counts."""
    first = np.repeat([1, 1, 0, 0], [n11, n10, n01, n00])
    second = np.repeat([1, 0, 1, 0], [n11, n10, n01, n00])
    return first, second


# Known values -------------------------------------------------------------


# With z = 1.959963984540054 (95%), the Wilson bounds reduce by hand to
# 0/10: (0, z**2 / (10 + z**2));  10/10: (10 / (10 + z**2), 1);
# 5/10: 0.5 -/+ z * sqrt(0.025 + z**2 / 400) / (1 + z**2 / 10).
@pytest.mark.parametrize(
    ("successes", "low", "high"),
    [
        (0, 0.0, 0.2775327998628892),
        (5, 0.236593090512564, 0.7634069094874361),
        (10, 0.7224672001371109, 1.0),
    ],
)
def test_wilson_interval_hand_computed_values(successes, low, high):
    result = wilson_interval(successes, 10)
    assert result == pytest.approx((low, high), abs=1e-12)
    assert all(isinstance(bound, float) for bound in result)


@pytest.mark.parametrize("confidence", [0.8, 0.95, 0.99])
def test_wilson_interval_matches_scipy(confidence):
    n = 37
    successes = np.arange(n + 1)
    low, high = wilson_interval(successes, n, confidence=confidence)
    expected = [
        stats.binomtest(int(k), n).proportion_ci(confidence, method="wilson")
        for k in successes
    ]
    np.testing.assert_allclose(low, [ci.low for ci in expected], atol=1e-12)
    np.testing.assert_allclose(high, [ci.high for ci in expected], atol=1e-12)


@pytest.mark.parametrize("n", [1, 10, 25])
@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_clopper_pearson_matches_scipy_exact(n, confidence):
    successes = np.arange(n + 1)
    low, high = clopper_pearson_interval(successes, n, confidence=confidence)
    expected = [
        stats.binomtest(int(k), n).proportion_ci(confidence, method="exact")
        for k in successes
    ]
    # scipy finds the bounds by root-finding on binomial tails, an independent
    # route to the same numbers, so they agree to the root-finder's tolerance.
    np.testing.assert_allclose(low, [ci.low for ci in expected], rtol=1e-8)
    np.testing.assert_allclose(high, [ci.high for ci in expected], rtol=1e-8)
    assert low[0] == 0.0
    assert high[-1] == 1.0


def test_intervals_accept_effective_counts():
    # Non-integer counts sit between their integer neighbours.
    low, high = wilson_interval(4.5, 12.3)
    low_below, high_below = wilson_interval(4, 12.3)
    low_above, high_above = wilson_interval(5, 12.3)
    assert low_below < low < low_above
    assert high_below < high < high_above
    cp_low, cp_high = clopper_pearson_interval(4.5, 12.3)
    assert 0 < cp_low < 4.5 / 12.3 < cp_high < 1


@pytest.mark.parametrize(
    ("method", "function"),
    [("wilson", wilson_interval), ("clopper-pearson", clopper_pearson_interval)],
)
def test_proportion_interval_dispatches(method, function):
    result = proportion_interval(7, 31, method=method, confidence=0.9)
    assert result == function(7, 31, confidence=0.9)


# Mean intervals ------------------------------------------------------------


def test_mean_with_interval_matches_scipy_t_interval():
    values = np.array([0.12, 0.05, 0.31, 0.0, 0.22, 0.09, 0.17])
    mean, low, high = mean_with_interval(values, confidence=0.9)
    expected = stats.t.interval(
        0.9, len(values) - 1, loc=values.mean(), scale=stats.sem(values)
    )
    assert mean == pytest.approx(values.mean(), rel=1e-12)
    assert (low, high) == pytest.approx(expected, rel=1e-12)


def test_mean_with_interval_equal_weights_and_repeated_rows():
    values = np.array([0.4, 0.1, 0.25, 0.3])
    unweighted = mean_with_interval(values)
    assert mean_with_interval(values, np.full(4, 2.5)) == pytest.approx(
        unweighted, rel=1e-12
    )
    counts = np.array([3, 1, 2, 1])
    weighted_mean, *_ = mean_with_interval(values, counts)
    repeated_mean, *_ = mean_with_interval(np.repeat(values, counts))
    assert weighted_mean == pytest.approx(repeated_mean, rel=1e-12)


def test_mean_with_interval_zero_spread_gives_zero_width():
    assert mean_with_interval([0.0, 0.0, 0.0]) == (0.0, 0.0, 0.0)


def test_newcombe_matches_published_example():
    # Complete response before and after consolidation therapy (Cavo et al.,
    # 2012) as analysed by Fagerland, Lydersen and Laake, "Statistical
    # Analysis of Contingency Tables" (2017), chapter 8: estimate -0.0621,
    # Newcombe square-and-add 95% interval -0.1186 to -0.0046.
    flips, placebo_flips = _rows(n11=59, n10=6, n01=16, n00=80)
    difference, low, high = paired_difference_interval(flips, placebo_flips)
    assert difference == pytest.approx(-10 / 161, rel=1e-12)
    assert low == pytest.approx(-0.1186, abs=5e-5)
    assert high == pytest.approx(-0.0046, abs=5e-5)


def test_paired_difference_swaps_and_scales():
    flips, placebo_flips = _rows(n11=3, n10=14, n01=4, n00=79)
    difference, low, high = paired_difference_interval(flips, placebo_flips)
    swapped = paired_difference_interval(placebo_flips, flips)
    assert swapped == pytest.approx((-difference, -high, -low), rel=1e-12)
    scaled = paired_difference_interval(flips, placebo_flips, np.full(100, 0.3))
    assert scaled == pytest.approx((difference, low, high), rel=1e-12)
    assert low < difference == 0.1 < high


def test_paired_difference_uses_the_pairing():
    # Same marginal rates; strongly correlated indicators give a narrower
    # interval than uncorrelated ones, as they should for paired data.
    together = paired_difference_interval(*_rows(n11=20, n10=10, n01=0, n00=70))
    apart = paired_difference_interval(*_rows(n11=6, n10=24, n01=14, n00=56))
    assert together[0] == apart[0] == pytest.approx(0.1)
    assert together[2] - together[1] < apart[2] - apart[1]


# Weights -------------------------------------------------------------------


def test_weighted_proportion_equals_repeated_rows_estimate():
    flags = np.array([1, 0, 0, 1, 1, 0, 0])
    counts = np.array([2, 5, 1, 1, 3, 1, 4])
    estimate, low, high = weighted_proportion_interval(flags, counts)
    repeated, r_low, r_high = weighted_proportion_interval(np.repeat(flags, counts))
    assert estimate == pytest.approx(repeated, rel=1e-12) == 6 / 17
    # Sampling weights claim less evidence than literal copies of rows.
    assert low < r_low and high > r_high


@pytest.mark.parametrize("method", ["wilson", "clopper-pearson"])
def test_weighted_proportion_constant_and_zero_weights(method):
    flags = np.array([1, 0, 0, 1, 0, 1, 0, 0, 0, 0])
    unweighted = weighted_proportion_interval(flags, method=method)
    assert unweighted[0] == 0.3
    assert unweighted[1:] == proportion_interval(3, 10, method=method)
    constant = weighted_proportion_interval(flags, np.full(10, 4.0), method=method)
    assert constant == pytest.approx(unweighted, rel=1e-12)
    weight = np.array([1.0, 2.0, 0.0, 1.0, 0.5, 0.0, 1.0, 3.0, 1.0, 0.0])
    kept = weight > 0
    with_zeros = weighted_proportion_interval(flags, weight, method=method)
    dropped = weighted_proportion_interval(flags[kept], weight[kept], method=method)
    assert with_zeros == pytest.approx(dropped, rel=1e-12)


def test_weighted_proportion_uses_kish_effective_size():
    flags = np.array([1, 0, 1, 0])
    weight = np.array([3.0, 1.0, 1.0, 1.0])
    # n_eff = 6**2 / 12 = 3 and p = 4 / 6.
    estimate, low, high = weighted_proportion_interval(flags, weight)
    assert estimate == pytest.approx(2 / 3, rel=1e-12)
    assert (low, high) == pytest.approx(wilson_interval(2, 3), rel=1e-12)


# Simulations: coverage -----------------------------------------------------


@pytest.mark.parametrize(("n", "rate"), [(200, 0.2), (500, 0.05)])
def test_interval_coverage_in_simulated_audits(n, rate):
    rng = np.random.default_rng(0)
    successes = rng.binomial(n, rate, size=N_AUDITS)
    low, high = wilson_interval(successes, n)
    wilson_coverage = np.mean((low <= rate) & (rate <= high))
    low, high = clopper_pearson_interval(successes, n)
    exact_coverage = np.mean((low <= rate) & (rate <= high))
    assert 0.93 <= wilson_coverage <= 0.97
    assert 0.94 <= exact_coverage <= 0.99
    assert exact_coverage >= wilson_coverage


def test_clopper_pearson_coverage_is_never_below_nominal():
    # Exact coverage, summed over the binomial distribution, on a grid of
    # true rates: the guarantee that defines the method.
    n = 50
    successes = np.arange(n + 1)
    low, high = clopper_pearson_interval(successes, n)
    rates = np.linspace(0.001, 0.999, 999)[:, None]
    covered = (low <= rates) & (rates <= high)
    coverage = (stats.binom.pmf(successes, n, rates) * covered).sum(axis=1)
    assert coverage.min() >= 0.95 - 1e-9


def test_weighted_interval_coverage_with_kish_size():
    rng = np.random.default_rng(1)
    n, rate = 400, 0.1
    weight = rng.exponential(size=(N_AUDITS, n))
    flags = rng.random((N_AUDITS, n)) < rate
    total = weight.sum(axis=1)
    estimate = (weight * flags).sum(axis=1) / total
    n_eff = total**2 / (weight**2).sum(axis=1)
    low, high = wilson_interval(estimate * n_eff, n_eff)
    assert 0.93 <= np.mean((low <= rate) & (rate <= high)) <= 0.97
    # The same computation through the public function, for a few audits.
    for row in range(3):
        result = weighted_proportion_interval(flags[row], weight[row])
        assert result == pytest.approx((estimate[row], low[row], high[row]))


@pytest.mark.parametrize(
    ("n", "cells"),
    [
        # shares of (both flip, only the twin flips, only the placebo flips)
        (300, (0.04, 0.11, 0.01)),
        (1000, (0.005, 0.025, 0.015)),
    ],
)
def test_newcombe_coverage_in_simulated_audits(n, cells):
    rng = np.random.default_rng(2)
    counts = rng.multinomial(n, [*cells, 1 - sum(cells)], size=N_AUDITS)
    low, high = _newcombe_interval(*(counts[:, :3].T / n), float(n), 0.95)
    true_difference = cells[1] - cells[2]
    coverage = np.mean((low <= true_difference) & (true_difference <= high))
    assert 0.93 <= coverage <= 0.97


def test_weighted_mean_coverage_in_simulated_audits():
    rng = np.random.default_rng(3)
    values = rng.beta(2, 8, size=(N_AUDITS, 100))  # skewed, true mean 0.2
    weight = rng.exponential(size=(N_AUDITS, 100))
    total = weight.sum(axis=1)
    n_eff = total**2 / (weight**2).sum(axis=1)
    mean = (weight * values).sum(axis=1) / total
    spread = (weight * (values - mean[:, None]) ** 2).sum(axis=1) / total
    half_width = stats.t.ppf(0.975, n_eff - 1) * np.sqrt(spread / (n_eff - 1))
    low, high = mean - half_width, mean + half_width
    assert 0.93 <= np.mean((low <= 0.2) & (high >= 0.2)) <= 0.97
    # The same computation through the public function, for a few audits.
    for row in range(3):
        result = mean_with_interval(values[row], weight[row])
        assert result == pytest.approx((mean[row], low[row], high[row]))


# Invariants ----------------------------------------------------------------


@st.composite
def counts(draw):
    n = draw(st.integers(1, 10_000))
    return draw(st.integers(0, n)), n


@settings(max_examples=100, deadline=None)
@given(counts(), st.floats(0.5, 0.999))
def test_intervals_contain_the_estimate_and_mirror(count, confidence):
    successes, n = count
    for interval in (wilson_interval, clopper_pearson_interval):
        low, high = interval(successes, n, confidence=confidence)
        assert 0 <= low <= successes / n <= high <= 1
        mirror_low, mirror_high = interval(n - successes, n, confidence=confidence)
        assert (low, high) == pytest.approx((1 - mirror_high, 1 - mirror_low))
        wider_low, wider_high = interval(successes, n, confidence=0.9995)
        assert wider_low <= low and high <= wider_high


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.booleans()), min_size=1, max_size=60))
def test_paired_difference_interval_invariants(pairs):
    flips, placebo_flips = np.array(pairs).T
    difference, low, high = paired_difference_interval(flips, placebo_flips)
    assert -1 <= low <= difference <= high <= 1
    assert difference == pytest.approx(flips.mean() - placebo_flips.mean())


# Errors --------------------------------------------------------------------


@pytest.mark.parametrize("confidence", [0, 1, 1.5, -0.1, float("nan"), "0.9", True])
@pytest.mark.parametrize(
    "call",
    [
        lambda confidence: wilson_interval(1, 3, confidence=confidence),
        lambda confidence: clopper_pearson_interval(1, 3, confidence=confidence),
        lambda confidence: weighted_proportion_interval([0, 1], confidence=confidence),
        lambda confidence: mean_with_interval([0.1, 0.2], confidence=confidence),
        lambda confidence: paired_difference_interval(
            [0, 1], [1, 1], confidence=confidence
        ),
    ],
)
def test_bad_confidence(call, confidence):
    message = BAD_CONFIDENCE.format(confidence=confidence)
    with pytest.raises(ValueError, match=re.escape(message)):
        call(confidence)


@pytest.mark.parametrize(
    ("successes", "n", "message"),
    [
        (0, 0, "n must be a positive, finite number of audited rows"),
        (0, -3, "got n=-3."),
        (1, float("inf"), "got n=inf."),
        (11, 10, "successes must lie between 0 and n; got successes=11 with n=10."),
        (-1, 10, "got successes=-1 with n=10."),
        ([1, 20], 10, "got successes=20 with n=10."),
        ("few", 10, "successes must be a number or an array of numbers; got 'few'."),
        ([1, 2], [3, 4, 5], "broadcastable to one shape; got shapes (2,) and (3,)."),
    ],
)
@pytest.mark.parametrize("method", ["wilson", "clopper-pearson"])
def test_bad_counts(successes, n, message, method):
    with pytest.raises(ValueError, match=re.escape(message)):
        proportion_interval(successes, n, method=method)


def test_unknown_method():
    message = BAD_METHOD.format(allowed=["wilson", "clopper-pearson"], method="wald")
    with pytest.raises(ValueError, match=re.escape(message)):
        proportion_interval(1, 10, method="wald")
    with pytest.raises(ValueError, match=re.escape(message)):
        weighted_proportion_interval([0, 1], method="wald")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: paired_difference_interval([0, 1], [0, 1, 1, 0]),
            LENGTH_MISMATCH.format(
                first="flips", second="placebo_flips", n_first=2, n_second=4
            ),
        ),
        (
            lambda: paired_difference_interval([0, 1], [0, 3]),
            NOT_BINARY.format(name="placebo_flips", values=[3]),
        ),
    ],
)
def test_length_mismatch_and_named_inputs(call, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        call()


@pytest.mark.parametrize(
    ("sample_weight", "message"),
    [
        ([1.0, -0.5, 2.0], BAD_SAMPLE_WEIGHT_VALUES.format(n_bad=0, n_negative=1)),
        ([1.0, np.nan, 2.0], BAD_SAMPLE_WEIGHT_VALUES.format(n_bad=1, n_negative=0)),
        ([0, 0, 0], ZERO_SAMPLE_WEIGHT),
        ([1.0, 2.0], BAD_SAMPLE_WEIGHT_SHAPE.format(n_samples=3, shape=(2,))),
        ([[1.0, 2.0, 3.0]], BAD_SAMPLE_WEIGHT_SHAPE.format(n_samples=3, shape=(1, 3))),
    ],
)
@pytest.mark.parametrize(
    "call",
    [
        lambda w: weighted_proportion_interval([0, 1, 1], w),
        lambda w: mean_with_interval([0.1, 0.2, 0.3], w),
        lambda w: paired_difference_interval([0, 1, 1], [0, 0, 1], w),
    ],
)
def test_bad_sample_weight(call, sample_weight, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        call(sample_weight)


@pytest.mark.parametrize(
    ("values", "sample_weight", "message"),
    [
        ([0.3], None, "got 1 row(s) with effective sample size 1.0."),
        ([0.3, 0.4, 0.1], [0, 2, 0], "got 1 row(s) with effective sample size"),
        # a weight whose square underflows is refused before any estimate
        ([0.3, 0.4], [1, 1e-200], "positive weight(s) outside [1e-150, 1e+150]"),
        ([0.3, np.nan], None, "values must be finite; got nan."),
        ([[0.3, 0.4]], None, "values must be 1-D, one value per row; got shape"),
    ],
)
def test_mean_with_interval_refuses_what_it_cannot_estimate(
    values, sample_weight, message
):
    with pytest.raises(ValueError, match=re.escape(message)):
        mean_with_interval(values, sample_weight)
