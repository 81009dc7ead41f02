"""The bincount parity metrics must return exactly Fairlearn's values."""

import re

import fairlearn.metrics as flm
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skcounterfactual._parity import (
    demographic_parity_difference,
    demographic_parity_ratio,
    equalized_odds_difference,
    equalized_odds_ratio,
    selection_rate_by_group,
)
from skcounterfactual._validation import (
    BAD_SAMPLE_WEIGHT_SHAPE,
    BAD_SAMPLE_WEIGHT_VALUES,
    ZERO_SAMPLE_WEIGHT,
)

PAIRS = [
    (demographic_parity_difference, flm.demographic_parity_difference),
    (demographic_parity_ratio, flm.demographic_parity_ratio),
    (equalized_odds_difference, flm.equalized_odds_difference),
    (equalized_odds_ratio, flm.equalized_odds_ratio),
]
PAIR_IDS = [ours.__name__ for ours, _ in PAIRS]
NAMES = np.array(["female", "male", "non-binary", "Unknown", "x"])


def make_groups(codes, kind, n_groups):
    """Turn integer codes into sensitive values of the given kind."""
    if kind == "str":
        return NAMES[codes].tolist()
    if kind == "pandas-str":
        return pd.Series(NAMES[codes], dtype="str", name="sex")
    if kind == "int":
        return np.array([10, 2, -3, 7, 40])[codes]
    # Categories in reverse order plus an unused one: groups must still be the
    # observed values, sorted by value.
    categories = [*NAMES[:n_groups][::-1], "never-used"]
    return pd.Series(pd.Categorical(NAMES[codes], categories=categories))


@st.composite
def parity_inputs(draw, n_columns=1, max_groups=5):
    n = draw(st.sampled_from([1, 2, 9, 40, 300]))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    positive_share = draw(st.sampled_from([0.0, 0.1, 0.5, 0.9]))
    y_true = (rng.random(n) < draw(st.sampled_from([0.0, 0.3, 0.7]))).astype(int)
    y_pred = (rng.random(n) < positive_share).astype(int)
    columns = []
    for j in range(n_columns):
        n_groups = draw(st.integers(2, max_groups))
        kind = draw(st.sampled_from(["str", "pandas-str", "int", "categorical"]))
        codes = rng.integers(0, n_groups, n)
        column = make_groups(codes, kind, n_groups)
        if n_columns > 1:
            column = pd.Series(column, name=f"a{j}").reset_index(drop=True)
        columns.append(column)
    sensitive = columns[0] if n_columns == 1 else pd.concat(columns, axis=1)
    weights = draw(st.sampled_from([None, "float", "int"]))
    if weights == "float":
        weights = rng.uniform(0.01, 10.0, n)
    elif weights == "int":
        weights = rng.integers(1, 5, n)
    return y_true, y_pred, sensitive, weights


def for_fairlearn(sensitive):
    # Fairlearn squeezes a numpy array of sensitive values, so a single sample
    # becomes 0-D and is rejected ("too many dimensions"); a list is accepted.
    if isinstance(sensitive, np.ndarray) and sensitive.shape == (1,):
        return sensitive.tolist()
    return sensitive


def assert_same(ours, theirs, y_true, y_pred, sensitive, weights):
    expected = theirs(
        y_true,
        y_pred,
        sensitive_features=for_fairlearn(sensitive),
        sample_weight=weights,
    )
    if np.isnan(expected):
        # Fairlearn's only NaN here is a 0/0 ratio; ours raises instead.
        with pytest.raises(ValueError, match=re.escape("ratio is undefined")):
            ours(y_true, y_pred, sensitive_features=sensitive, sample_weight=weights)
        return
    value = ours(y_true, y_pred, sensitive_features=sensitive, sample_weight=weights)
    assert isinstance(value, float)
    assert np.isclose(value, expected, rtol=0, atol=1e-12), (value, expected)


def fairlearn_rates(y_pred, sensitive, weights):
    frame = flm.MetricFrame(
        metrics=flm.selection_rate,
        y_true=y_pred,
        y_pred=y_pred,
        sensitive_features=for_fairlearn(sensitive),
        sample_params={"sample_weight": weights},
    )
    # Fairlearn lists intersections without samples as NaN; ours omits them.
    return frame.by_group.dropna()


def assert_same_rates(y_pred, sensitive, weights):
    ours = selection_rate_by_group(y_pred, sensitive, sample_weight=weights)
    theirs = fairlearn_rates(y_pred, sensitive, weights)
    assert ours.name == theirs.name == "selection_rate"
    assert ours.index.names == theirs.index.names
    assert ours.index.tolist() == theirs.index.tolist()
    np.testing.assert_allclose(ours.to_numpy(), theirs.to_numpy(), rtol=0, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(inputs=parity_inputs())
def test_all_metrics_match_fairlearn(inputs):
    for ours, theirs in PAIRS:
        assert_same(ours, theirs, *inputs)
    y_true, y_pred, sensitive, weights = inputs
    assert_same_rates(y_pred, sensitive, weights)


# Fairlearn takes ~10 ms per group and metric; 2-3 values per column keep the
# number of intersections (and the run time) moderate.
@settings(max_examples=12, deadline=None)
@given(inputs=parity_inputs(n_columns=2, max_groups=3))
def test_intersectional_groups_match_fairlearn(inputs):
    for ours, theirs in PAIRS:
        assert_same(ours, theirs, *inputs)
    y_true, y_pred, sensitive, weights = inputs
    assert_same_rates(y_pred, sensitive, weights)


@settings(max_examples=10, deadline=None)
@given(inputs=parity_inputs(), seed=st.integers(0, 2**32 - 1))
def test_demographic_parity_counts_only_label_one(inputs, seed):
    y_true, _, sensitive, weights = inputs
    y_pred = np.random.default_rng(seed).choice([0, 1, 2, 5], size=len(y_true))
    for ours, theirs in PAIRS[:2]:
        assert_same(ours, theirs, y_true, y_pred, sensitive, weights)


@settings(max_examples=10, deadline=None)
@given(inputs=parity_inputs())
def test_equalized_odds_minus_one_labels_match_fairlearn(inputs):
    y_true, y_pred, sensitive, weights = inputs
    for ours, theirs in PAIRS[2:]:
        assert_same(ours, theirs, 2 * y_true - 1, 2 * y_pred - 1, sensitive, weights)


# A small fixed case: groups a (rows 0-2), b (3-5), c (6-8).
Y_TRUE = np.array([1, 1, 0, 1, 0, 0, 1, 1, 0])
Y_PRED = np.array([1, 0, 1, 1, 1, 0, 0, 0, 0])
GROUPS = ["a", "a", "a", "b", "b", "b", "c", "c", "c"]


def test_fixed_case_values():
    # Selection rates 2/3, 2/3, 0; TPR 1/2, 1, 0; FPR 1, 1/2, 0.
    rates = selection_rate_by_group(Y_PRED, GROUPS)
    np.testing.assert_allclose(rates.to_numpy(), [2 / 3, 2 / 3, 0.0])
    kwargs = {"sensitive_features": GROUPS}
    assert demographic_parity_difference(Y_TRUE, Y_PRED, **kwargs) == 2 / 3
    assert demographic_parity_ratio(Y_TRUE, Y_PRED, **kwargs) == 0.0
    assert equalized_odds_difference(Y_TRUE, Y_PRED, **kwargs) == 1.0
    assert equalized_odds_ratio(Y_TRUE, Y_PRED, **kwargs) == 0.0
    for ours, theirs in PAIRS:
        assert_same(ours, theirs, Y_TRUE, Y_PRED, GROUPS, None)


@pytest.mark.parametrize(("ours", "theirs"), PAIRS, ids=PAIR_IDS)
def test_single_group(ours, theirs):
    value = ours(Y_TRUE, Y_PRED, sensitive_features=["g"] * 9)
    assert value == theirs(Y_TRUE, Y_PRED, sensitive_features=["g"] * 9)
    assert value == (1.0 if ours.__name__.endswith("ratio") else 0.0)


def test_categorical_groups_are_observed_values_sorted_by_value():
    sensitive = pd.Series(
        pd.Categorical(GROUPS, categories=["c", "unused", "b", "a"]), name="grp"
    )
    rates = selection_rate_by_group(Y_PRED, sensitive)
    assert rates.index.tolist() == ["a", "b", "c"]
    assert rates.index.name == "grp"
    assert_same_rates(Y_PRED, sensitive, None)


def test_mixed_type_groups_sort_like_fairlearn():
    sensitive = [2, "b", 10, "a", 2, "b", 10, "a", "b"]
    rates = selection_rate_by_group(Y_PRED, sensitive)
    assert rates.index.tolist() == [2, 10, "a", "b"]
    assert_same_rates(Y_PRED, sensitive, None)


def test_demographic_parity_ignores_y_true():
    expected = demographic_parity_difference(Y_TRUE, Y_PRED, sensitive_features=GROUPS)
    for y_true in (None, ["anything"] * 9, np.full(9, 7.5)):
        value = demographic_parity_difference(y_true, Y_PRED, sensitive_features=GROUPS)
        assert value == expected == 2 / 3


def test_group_without_positives_has_tpr_zero_like_fairlearn():
    y_true = np.array([0, 0, 0, 1, 0, 0, 1, 1, 0])  # group a has no positives
    y_pred = np.array([0, 1, 0, 1, 1, 1, 1, 1, 0])
    # TPR: a 0 (no positives), b 1, c 1. FPR: a 1/3, b 1, c 0.
    assert equalized_odds_difference(y_true, y_pred, sensitive_features=GROUPS) == 1.0
    assert_same(*PAIRS[2], y_true, y_pred, GROUPS, None)
    assert equalized_odds_ratio(y_true, y_pred, sensitive_features=GROUPS) == 0.0
    assert_same(*PAIRS[3], y_true, y_pred, GROUPS, None)


def test_equalized_odds_ratio_all_fpr_zero_returns_tpr_ratio_like_fairlearn():
    y_pred = Y_TRUE * np.array([1, 0, 1, 1, 1, 1, 1, 1, 1])  # no false positives
    # TPR: a 1/2, b 1, c 1; FPR all 0, so Fairlearn's min([1/2, nan]) is 1/2.
    expected = flm.equalized_odds_ratio(Y_TRUE, y_pred, sensitive_features=GROUPS)
    assert expected == 0.5
    assert equalized_odds_ratio(Y_TRUE, y_pred, sensitive_features=GROUPS) == 0.5


def test_ratios_raise_where_fairlearn_returns_nan():
    none_selected = np.zeros(9, dtype=int)
    assert np.isnan(
        flm.demographic_parity_ratio(Y_TRUE, none_selected, sensitive_features=GROUPS)
    )
    msg = (
        "The demographic parity ratio is undefined: every group has a selection "
        "rate of 0, so the ratio is 0/0 (Fairlearn returns NaN). No sample has "
        "y_pred == 1."
    )
    with pytest.raises(ValueError, match=re.escape(msg)):
        demographic_parity_ratio(Y_TRUE, none_selected, sensitive_features=GROUPS)

    false_positives_only = 1 - Y_TRUE
    assert np.isnan(
        flm.equalized_odds_ratio(
            Y_TRUE, false_positives_only, sensitive_features=GROUPS
        )
    )
    msg = "The equalized odds ratio is undefined: every group has a true positive rate"
    with pytest.raises(ValueError, match=re.escape(msg)):
        equalized_odds_ratio(Y_TRUE, false_positives_only, sensitive_features=GROUPS)


def test_zero_weight_group_raises_instead_of_being_dropped():
    weights = np.array([0.0, 0, 0, 1, 2, 1, 1, 1, 1])
    # Fairlearn divides 0 by 0 for group a, warns, then ignores the group.
    with pytest.warns(RuntimeWarning, match="invalid value encountered"):
        theirs = flm.demographic_parity_difference(
            Y_TRUE, Y_PRED, sensitive_features=GROUPS, sample_weight=weights
        )
    assert theirs == 0.75  # b: 3/4, c: 0; a is silently left out
    msg = (
        "sample_weight sums to 0 within group(s) ['a'], so their selection rate "
        "is undefined."
    )
    for metric in (demographic_parity_difference, demographic_parity_ratio):
        with pytest.raises(ValueError, match=re.escape(msg)):
            metric(Y_TRUE, Y_PRED, sensitive_features=GROUPS, sample_weight=weights)
    with pytest.raises(ValueError, match=re.escape(msg)):
        selection_rate_by_group(Y_PRED, GROUPS, sample_weight=weights)
    # For equalized odds, scikit-learn rejects the group's all-zero weights too.
    with pytest.raises(ValueError, match="at least one non-zero"):
        flm.equalized_odds_difference(
            Y_TRUE, Y_PRED, sensitive_features=GROUPS, sample_weight=weights
        )
    msg = "sample_weight sums to 0 within group(s) ['a'], so their rates"
    for metric in (equalized_odds_difference, equalized_odds_ratio):
        with pytest.raises(ValueError, match=re.escape(msg)):
            metric(Y_TRUE, Y_PRED, sensitive_features=GROUPS, sample_weight=weights)


def test_zero_weight_positives_give_tpr_zero_like_fairlearn():
    weights = np.array([0.0, 0, 1, 1, 1, 1, 1, 1, 1])  # a's positives weigh 0
    for ours, theirs in PAIRS[2:]:
        assert_same(ours, theirs, Y_TRUE, Y_PRED, GROUPS, weights)
    # TPR: a 0, b 1, c 0.
    value = equalized_odds_difference(
        Y_TRUE, Y_PRED, sensitive_features=GROUPS, sample_weight=weights
    )
    assert value == 1.0


def test_two_column_intersection_with_an_empty_cell():
    sensitive = pd.DataFrame(
        {
            "sex": ["f", "f", "f", "m", "m", "m", "m", "m", "m"],
            "age": [
                "old",
                "old",
                "old",
                "old",
                "young",
                "young",
                "old",
                "old",
                "young",
            ],
        }
    )
    # (f, young) is empty; rates: (f, old) 2/3, (m, old) 1/3, (m, young) 1/3.
    rates = selection_rate_by_group(Y_PRED, sensitive)
    assert rates.index.tolist() == [("f", "old"), ("m", "old"), ("m", "young")]
    assert rates.index.names == ["sex", "age"]
    np.testing.assert_allclose(rates.to_numpy(), [2 / 3, 1 / 3, 1 / 3])
    assert_same_rates(Y_PRED, sensitive, None)
    for ours, theirs in PAIRS:
        assert_same(ours, theirs, Y_TRUE, Y_PRED, sensitive, None)
    value = demographic_parity_difference(Y_TRUE, Y_PRED, sensitive_features=sensitive)
    assert np.isclose(value, 1 / 3, rtol=0, atol=1e-15)


def test_column_layouts_give_the_same_groups():
    sex = ["f", "f", "f", "m", "m", "m", "m", "m", "m"]
    age = [30, 30, 60, 30, 60, 60, 30, 30, 60]
    frame = pd.DataFrame({"sex": sex, "age": age})
    expected = selection_rate_by_group(Y_PRED, frame)
    layouts = [
        {"sex": sex, "age": age},
        [sex, age],
        [np.array(sex), pd.Series(age)],
        np.array([sex, age], dtype=object).T,
    ]
    for layout in layouts:
        rates = selection_rate_by_group(Y_PRED, layout)
        assert rates.index.tolist() == expected.index.tolist()
        np.testing.assert_array_equal(rates.to_numpy(), expected.to_numpy())
    unnamed = selection_rate_by_group(Y_PRED, [sex, age])
    assert unnamed.index.names == ["sensitive_feature_0", "sensitive_feature_1"]


@pytest.mark.parametrize(
    "y_pred",
    [
        Y_PRED.astype(bool),
        Y_PRED.astype(float),
        pd.Series(Y_PRED, dtype="Int64"),
        pd.Series(Y_PRED, dtype="boolean"),
        Y_PRED.astype(object),
        Y_PRED.reshape(-1, 1),
    ],
    ids=["bool", "float", "Int64", "boolean", "object", "column"],
)
def test_label_dtypes(y_pred):
    value = demographic_parity_difference(None, y_pred, sensitive_features=GROUPS)
    assert value == 2 / 3
    assert equalized_odds_difference(Y_TRUE, y_pred, sensitive_features=GROUPS) == 1.0


@pytest.mark.parametrize(
    ("kwargs", "msg"),
    [
        (
            {"sensitive_features": GROUPS[:4]},
            "sensitive_features column 'sensitive_feature_0' has 4 rows but y_pred "
            "has 9; pass one value per prediction.",
        ),
        (
            {"y_true": Y_TRUE[:8]},
            "y_true has 8 rows but y_pred has 9; pass one value per prediction.",
        ),
        (
            {"sample_weight": np.ones(3)},
            BAD_SAMPLE_WEIGHT_SHAPE.format(n_samples=9, shape=(3,)),
        ),
        (
            {"sample_weight": np.ones((9, 2))},
            BAD_SAMPLE_WEIGHT_SHAPE.format(n_samples=9, shape=(9, 2)),
        ),
        (
            {"sample_weight": np.r_[-1.0, np.ones(8)]},
            BAD_SAMPLE_WEIGHT_VALUES.format(n_bad=0, n_negative=1),
        ),
        (
            {"sample_weight": np.zeros(9)},
            ZERO_SAMPLE_WEIGHT,
        ),
        (
            {"sensitive_features": ["a", None] * 4 + ["b"]},
            "sensitive_features column 'sensitive_feature_0' contains missing "
            "values; every sample needs a group.",
        ),
        (
            {"sensitive_features": pd.DataFrame({"g": [np.nan] + [1.0] * 8})},
            "sensitive_features column 'g' contains missing values",
        ),
        (
            {"sensitive_features": np.zeros((9, 1, 1))},
            "sensitive_features must be 1-D (one column) or 2-D (n_samples, "
            "n_columns); got an array of shape (9, 1, 1).",
        ),
        (
            {"sensitive_features": ["a", ["b", "c"]]},
            "sensitive_features must be one column of scalars or a list of "
            "columns; got a list mixing scalars and sequences",
        ),
        (
            {"sensitive_features": pd.DataFrame(index=range(9))},
            "sensitive_features has no columns; pass at least one.",
        ),
        (
            {"y_pred": np.array(["yes", "no"] * 4 + ["no"])},
            "y_pred must hold numeric or boolean labels (1 is the positive label); "
            "got dtype '<U3' with values such as ['yes', 'no', 'yes'].",
        ),
        (
            {"y_pred": np.r_[np.nan, np.ones(8)]},
            "y_pred contains missing or infinite values; every sample needs a "
            "finite label.",
        ),
        (
            {"y_pred": pd.Series([None] + [1] * 8, dtype="Int64")},
            "y_pred contains missing or infinite values",
        ),
        (
            {"y_pred": np.ones((9, 2))},
            "y_pred must be 1-D; got shape (9, 2).",
        ),
    ],
)
@pytest.mark.parametrize(("ours", "theirs"), PAIRS, ids=PAIR_IDS)
def test_input_errors(ours, theirs, kwargs, msg):
    arguments = {
        "y_true": Y_TRUE,
        "y_pred": Y_PRED,
        "sensitive_features": GROUPS,
        "sample_weight": None,
    }
    arguments.update(kwargs)
    y_true, y_pred = arguments.pop("y_true"), arguments.pop("y_pred")
    with pytest.raises(ValueError, match=re.escape(msg)):
        ours(y_true, y_pred, **arguments)


def test_empty_input_raises():
    msg = "y_pred is empty; parity metrics need at least one sample."
    with pytest.raises(ValueError, match=re.escape(msg)):
        demographic_parity_difference([], [], sensitive_features=[])
    with pytest.raises(ValueError, match=re.escape(msg)):
        selection_rate_by_group([], [])


@pytest.mark.parametrize("metric", [equalized_odds_difference, equalized_odds_ratio])
def test_equalized_odds_label_errors(metric):
    msg = (
        "y_pred must hold binary labels from {0, 1} or {-1, 1} (1 is the positive "
        "label) for equalized odds; got values [2]."
    )
    with pytest.raises(ValueError, match=re.escape(msg)):
        metric(Y_TRUE, np.r_[2, Y_PRED[1:]], sensitive_features=GROUPS)
    with pytest.raises(ValueError, match=re.escape("y_true must hold binary")):
        metric(Y_TRUE + 1, Y_PRED, sensitive_features=GROUPS)
    # Fairlearn rejects 0 and -1 together, even in different groups.
    mixed = np.r_[2 * Y_TRUE[:3] - 1, Y_TRUE[3:]]
    with pytest.raises(ValueError, match=re.escape("values must be from")):
        flm.equalized_odds_difference(mixed, Y_PRED, sensitive_features=GROUPS)
    msg = (
        "y_true and y_pred use both 0 and -1 as the negative label; use either "
        "{0, 1} or {-1, 1} throughout."
    )
    with pytest.raises(ValueError, match=re.escape(msg)):
        metric(mixed, Y_PRED, sensitive_features=GROUPS)


def test_inputs_are_not_modified():
    sensitive = pd.Series(pd.Categorical(GROUPS, categories=["c", "b", "a", "z"]))
    y_pred = Y_PRED.copy()
    weights = np.linspace(1, 2, 9)
    before = (sensitive.copy(), weights.copy())
    equalized_odds_ratio(Y_TRUE, y_pred, sensitive_features=sensitive)
    demographic_parity_difference(
        None, y_pred, sensitive_features=sensitive, sample_weight=weights
    )
    pd.testing.assert_series_equal(sensitive, before[0])
    np.testing.assert_array_equal(weights, before[1])
    np.testing.assert_array_equal(y_pred, Y_PRED)
