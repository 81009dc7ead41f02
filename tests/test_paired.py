"""Paired decisions: the direction table, McNemar's exact and mid-p tests, and
the audit's direction and comparison tables.
"""

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from skcounterfactual._paired import (
    PairedDirectionTable,
    direction_tables,
    mcnemar_exact,
    mcnemar_midp,
    paired_direction_table,
)
from skcounterfactual._stats import EMPTY_ROWS, LENGTH_MISMATCH, NOT_BINARY

N_AUDITS = 2_000


def test_mcnemar_exact_matches_binomtest():
    b, c = np.meshgrid(np.arange(16), [0, 1, 2, 5, 9, 14, 15, 16, 40, 90])
    b, c = b.ravel(), c.ravel()
    pvalues = mcnemar_exact(b, c)
    expected = [
        stats.binomtest(int(x), int(x + y)).pvalue if x + y else 1.0
        for x, y in zip(b, c, strict=True)
    ]
    np.testing.assert_allclose(pvalues, expected, rtol=1e-12)


def test_mcnemar_midp_known_value():
    # b=12, c=3: X ~ Binomial(15, 1/2), P(X <= 3) = 576 / 2**15 and
    # P(X = 3) = 455 / 2**15, so exact = 1152 / 2**15, mid-p = 697 / 2**15.
    assert mcnemar_exact(12, 3) == pytest.approx(1152 / 2**15, rel=1e-12)
    assert mcnemar_midp(12, 3) == pytest.approx(697 / 2**15, rel=1e-12)
    assert mcnemar_midp(3, 12) == mcnemar_midp(12, 3)


def test_mcnemar_without_discordant_pairs_or_asymmetry():
    assert mcnemar_exact(0, 0) == 1.0
    assert mcnemar_midp(0, 0) == 1.0
    assert mcnemar_midp(7, 7) == 1.0
    assert mcnemar_exact(7, 7) == 1.0


def test_paired_direction_table_counts():
    original = np.array([1, 1, 1, 0, 0, 1, 0, 1])
    twin = np.array([1, 0, 0, 0, 1, 1, 0, 0])
    table = paired_direction_table(original, twin)
    assert table == PairedDirectionTable(n00=2, n01=1, n10=3, n11=2)
    assert (table.b, table.c) == (3, 1)
    assert all(type(count) is int for count in table)
    same = paired_direction_table(original.astype(bool), pd.Series(twin == 1))
    assert same == table


# Simulations: McNemar under the null and an alternative ---------------------


def test_mcnemar_pvalues_under_no_asymmetry():
    # 5,000 rows per audit, 20% of them discordant, each discordant pair
    # equally likely to go either way. The p-values are discrete, so they are
    # never exactly uniform: the largest atom (b == c, p = 1) has mass about
    # 1 / sqrt(2 pi E[b + c]), here ~0.013, a third of the KS critical value
    # at 2,000 audits. With ~100 discordant pairs it would be ~0.04 and the
    # KS test would rightly reject uniformity at this sample size.
    rng = np.random.default_rng(4)
    discordant = rng.binomial(5_000, 0.2, size=N_AUDITS)
    b = rng.binomial(discordant, 0.5)
    c = discordant - b
    midp = mcnemar_midp(b, c)
    assert stats.kstest(midp, "uniform").pvalue > 0.01
    # The exact test is conservative: it rejects at most as often as alpha
    # (up to simulation noise), and less often than the mid-p test.
    exact = mcnemar_exact(b, c)
    for alpha in (0.01, 0.05, 0.1):
        assert np.mean(exact <= alpha) <= alpha + 0.01
        assert np.mean(exact <= alpha) <= np.mean(midp <= alpha)


@pytest.mark.parametrize("alpha", [0.01, 0.05, 0.1])
def test_mcnemar_exact_size_never_exceeds_alpha(alpha):
    # Exact rejection probability under the null for every number of
    # discordant pairs from 1 to 300.
    pairs = np.arange(1, 301)[:, None]
    b = np.arange(301)[None, :]
    possible = b <= pairs
    b = np.where(possible, b, 0)
    c = np.where(possible, pairs - b, 0)
    probability = np.where(possible, stats.binom.pmf(b, pairs, 0.5), 0.0)
    exact_size = (probability * (mcnemar_exact(b, c) <= alpha)).sum(axis=1)
    midp_size = (probability * (mcnemar_midp(b, c) <= alpha)).sum(axis=1)
    assert exact_size.max() <= alpha + 1e-12
    # Averaged over the number of pairs, mid-p is closer to nominal.
    assert exact_size.mean() < midp_size.mean() <= alpha


def test_mcnemar_rejects_strong_asymmetry():
    assert mcnemar_exact(30, 5) < 0.001
    assert mcnemar_midp(30, 5) < 0.001
    # 1,000 rows; 6% of decisions turn unfavourable for the twin, 1% turn
    # favourable.
    rng = np.random.default_rng(5)
    counts = rng.multinomial(1_000, [0.06, 0.01, 0.93], size=N_AUDITS)
    assert np.mean(mcnemar_midp(counts[:, 0], counts[:, 1]) < 0.001) >= 0.99


# Invariants ----------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 2_000), st.integers(0, 2_000))
def test_mcnemar_invariants(b, c):
    exact, midp = mcnemar_exact(b, c), mcnemar_midp(b, c)
    # Both can underflow to 0 for extreme tables such as b=0, c=1075.
    assert 0 <= midp <= exact <= 1
    assert midp < exact or b == c or exact == 0
    assert (mcnemar_exact(c, b), mcnemar_midp(c, b)) == (exact, midp)


# Errors --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([0, 1, 2], NOT_BINARY.format(name="original", values=[2])),
        ([0.5, 1, 0.5, -1], NOT_BINARY.format(name="original", values=[0.5, -1.0])),
        ([1, np.nan], NOT_BINARY.format(name="original", values=[np.nan])),
        (["yes", "no"], NOT_BINARY.format(name="original", values=["yes", "no"])),
        (
            pd.array([True, None], dtype="boolean"),
            NOT_BINARY.format(name="original", values=[True, pd.NA]),
        ),
        ([], EMPTY_ROWS.format(name="original")),
        ([[0, 1]], "original must be 1-D, one decision per row; got shape (1, 2)."),
    ],
)
def test_bad_decisions(values, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        paired_direction_table(values, [0] * max(len(values), 1))


def test_direction_table_inputs_must_have_one_length():
    message = LENGTH_MISMATCH.format(
        first="original", second="twin", n_first=3, n_second=2
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        paired_direction_table([0, 1, 1], [0, 1])


@pytest.mark.parametrize(
    ("b", "c", "message"),
    [
        (2.5, 3, "b must be a non-negative whole number of discordant pairs; "),
        (4, -1, "c must be a non-negative whole number of discordant pairs; "),
        ([1, np.nan], 3, "got nan."),
    ],
)
@pytest.mark.parametrize("test", [mcnemar_exact, mcnemar_midp])
def test_bad_discordant_counts(test, b, c, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        test(b, c)


# The audit's tables -----------------------------------------------------------


def test_direction_tables_count_each_observed_pair_and_pool_both_ways():
    source = np.array(["M", "M", "M", "F", "F", "F", "F"], dtype=object)
    target = np.array(["F", "F", "F", "M", "M", "M", "M"], dtype=object)
    row = np.array([1, 1, 0, 0, 0, 1, 1], dtype=bool)
    twin = np.array([0, 1, 0, 1, 0, 1, 0], dtype=bool)
    direction, comparisons = direction_tables(source, target, row, twin, ["F", "M"])
    assert direction[["source", "target"]].to_numpy().tolist() == [
        ["F", "M"],
        ["M", "F"],
    ]
    female, male = direction.to_dict("records")
    assert (female["n_pairs"], male["n_pairs"]) == (4, 3)
    assert (female["favourable_both"], male["favourable_both"]) == (1, 1)
    assert female["favourable_to_unfavourable"] == 1
    assert female["unfavourable_to_favourable"] == 1
    assert (male["favourable_to_unfavourable"], male["unfavourable_to_favourable"]) == (
        1,
        0,
    )
    assert (female["unfavourable_both"], male["unfavourable_both"]) == (1, 1)
    assert male["p_value_exact"] == mcnemar_exact(1, 0)
    assert female["p_value_midp"] == mcnemar_midp(1, 1)
    # pooled: each pair as (decision as F, decision as M)
    (pooled,) = comparisons.to_dict("records")
    assert (pooled["value_a"], pooled["value_b"], pooled["n_pairs"]) == ("F", "M", 7)
    # favourable only as F: row 6; only as M: rows 0 (a man) and 3 (a woman)
    assert pooled["only_a_favourable"] == 1
    assert pooled["only_b_favourable"] == 1 + 1
    assert pooled["favoured"] == "M"
    assert pooled["p_value_midp"] == mcnemar_midp(1, 2)


def test_direction_tables_list_observed_pairs_only_in_domain_order():
    # a domain of 100 values, two of them observed: two rows, not 9,900
    domain = [f"v{i:03d}" for i in range(100)]
    source = np.array(["v050", "v007", "v050"], dtype=object)
    target = np.array(["v007", "v050", "v099"], dtype=object)
    flags = np.array([True, False, True])
    direction, comparisons = direction_tables(source, target, flags, ~flags, domain)
    assert direction[["source", "target"]].to_numpy().tolist() == [
        ["v007", "v050"],
        ["v050", "v007"],
        ["v050", "v099"],
    ]
    assert comparisons[["value_a", "value_b", "n_pairs"]].to_numpy().tolist() == [
        ["v007", "v050", 2],
        ["v050", "v099", 1],
    ]
    # values outside the domain follow it, sorted
    direction, _ = direction_tables(
        np.array(["x", "a"], dtype=object),
        np.array(["a", "y"], dtype=object),
        np.array([True, True]),
        np.array([True, False]),
        ["a"],
    )
    assert direction[["source", "target"]].to_numpy().tolist() == [
        ["a", "y"],
        ["x", "a"],
    ]
    assert direction["favourable_to_unfavourable"].tolist() == [1, 0]
