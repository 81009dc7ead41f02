"""compare_twins, and the three notions of a twin against a known ground truth.

The simulation: gender is a fair coin, income = 40,000 + 15,000 * male + noise
(standard deviation 10,000), age is independent of both. The model approves
when income exceeds 55,000 and never reads gender. Had a man been a woman, his
income would have been 15,000 lower, so his decision flips exactly when his
noise lies in (0, 15,000]; a woman's likewise. The true counterfactual flip
rate is therefore Phi(1.5) - Phi(0) = 0.4332 for everyone.
"""

import re

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from skcounterfactual import (
    CausalAugmenter,
    CounterfactualAugmenter,
    TransportAugmenter,
    compare_twins,
)
from skcounterfactual._compare import COMPARE_COLUMNS, NOT_A_DICT_OF_MAKERS
from skcounterfactual._protocol import NOT_A_TWIN_MAKER

# All-else-equal twins of these simulations keep an income shaped by gender,
# the very incoherence these tests show the causal and transport twins avoid.
pytestmark = pytest.mark.filterwarnings(
    "ignore::skcounterfactual.IncoherentTwinWarning"
)

BASE, SHIFT, NOISE, THRESHOLD = 40_000, 15_000, 10_000, 55_000
TRUTH = norm.cdf((THRESHOLD - BASE) / NOISE) - norm.cdf(
    (THRESHOLD - BASE - SHIFT) / NOISE
)


class ApprovesOnIncome:
    """The audited model: approve when income exceeds the threshold."""

    classes_ = np.array([0, 1])

    def predict(self, X):
        return (X["income"].to_numpy() > THRESHOLD).astype(int)


def simulate(n, rng):
    male = rng.random(n) < 0.5
    return pd.DataFrame(
        {
            "gender": np.where(male, "male", "female"),
            "income": BASE + SHIFT * male + rng.normal(0, NOISE, n),
            "age": rng.integers(20, 65, n),
        }
    )


def causal_twins():
    return CausalAugmenter(
        protected="gender",
        graph=[("gender", "income")],
        mechanisms="linear",
        random_state=0,
    )


def test_the_truth_is_what_the_simulation_says():
    assert round(TRUTH, 4) == 0.4332
    rng = np.random.default_rng(0)
    rows = simulate(200_000, rng)
    male = rows["gender"] == "male"
    twin_income = rows["income"] - np.where(male, SHIFT, -SHIFT)  # the true twins
    decisions = ApprovesOnIncome().predict(rows)
    flipped = decisions != (twin_income > THRESHOLD).to_numpy()
    assert flipped.mean() == pytest.approx(TRUTH, abs=0.005)


def test_causal_intervals_cover_the_true_flip_rate():
    """95% intervals cover the truth in at least 93% of 120 simulated audits.

    Each audit fits the causal model on 4,000 training rows and audits 200
    new rows; the interval counts the sampling of the audited rows only, so
    the fit data must be much larger than the audited rows (fitted on the
    audited rows alone, 500 of them, the coverage falls to about 82%).
    """
    covered = []
    for seed in range(120):
        rng = np.random.default_rng(seed)
        train, rows = simulate(4_000, rng), simulate(200, rng)
        table = compare_twins(
            ApprovesOnIncome(), rows, augmenters={"causal": causal_twins().fit(train)}
        )
        low, high = table.loc[("causal", "gender"), ["flip_rate_low", "flip_rate_high"]]
        covered.append(low <= TRUTH <= high)
    assert np.mean(covered) >= 0.93


def test_side_by_side_all_else_equal_misses_the_bias_causal_and_transport_see_it():
    rates = {"all else equal": [], "causal": [], "transport": []}
    for seed in range(20):
        rng = np.random.default_rng(1000 + seed)
        train, rows = simulate(4_000, rng), simulate(400, rng)
        table = compare_twins(
            ApprovesOnIncome(),
            rows,
            augmenters={
                "all else equal": CounterfactualAugmenter(protected="gender"),
                "causal": causal_twins().fit(train),
                "transport": TransportAugmenter(protected="gender"),
            },
        )
        assert list(table.columns) == list(COMPARE_COLUMNS)
        assert table.index.names == ["twins", "attribute"]
        for name in rates:
            rates[name].append(table.loc[(name, "gender"), "flip_rate"])
        assert (table["n_rows"] == 400).all()
    assert rates["all else equal"] == [0.0] * 20
    causal, transport = np.array(rates["causal"]), np.array(rates["transport"])
    assert abs(causal.mean() - TRUTH) < 0.015
    # transport twins are real people of the other group: unbiased here (the
    # groups differ by the income shift only) but noisier than causal twins
    assert abs(transport.mean() - TRUTH) < 0.02
    assert np.abs(transport - TRUTH).mean() < 0.06


def test_compare_twins_keeps_the_order_weights_and_pos_label():
    rng = np.random.default_rng(5)
    rows = simulate(300, rng)
    weights = np.where(rows["gender"] == "male", 2.0, 1.0)
    table = compare_twins(
        ApprovesOnIncome(),
        rows,
        augmenters={
            "transport": TransportAugmenter(protected="gender"),
            "plain": CounterfactualAugmenter(protected="gender"),
        },
        sample_weight=weights,
        pos_label=1,
        confidence=0.9,
    )
    assert list(table.index.get_level_values("twins")) == ["transport", "plain"]
    maker = TransportAugmenter(protected="gender").fit(rows)
    twins, provenance = maker.make_twins(rows)
    model = ApprovesOnIncome()
    flipped = model.predict(rows) != model.predict(twins)
    expected = np.sum(weights * flipped) / weights.sum()
    assert table.loc[("transport", "gender"), "flip_rate"] == pytest.approx(expected)
    low, high = table.loc[("transport", "gender"), ["flip_rate_low", "flip_rate_high"]]
    assert low < expected < high


@pytest.mark.parametrize(
    ("augmenters", "error", "message"),
    [
        (
            [CounterfactualAugmenter(protected="gender")],
            TypeError,
            NOT_A_DICT_OF_MAKERS.format(
                kind="list", value=[CounterfactualAugmenter(protected="gender")]
            ),
        ),
        ({}, TypeError, NOT_A_DICT_OF_MAKERS.format(kind="dict", value={})),
        (
            {"causal": "gender"},
            TypeError,
            NOT_A_TWIN_MAKER.format(kind="str", value="gender"),
        ),
    ],
)
def test_compare_twins_refuses_what_is_not_a_dict_of_twin_makers(
    augmenters, error, message
):
    rows = simulate(20, np.random.default_rng(0))
    with pytest.raises(error, match=re.escape(message)):
        compare_twins(ApprovesOnIncome(), rows, augmenters=augmenters)
