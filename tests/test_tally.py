"""Audits from exact sufficient statistics: chunk and partition independence,
Fairlearn-equal group metrics from counts, Dask tables, exact sums."""

import json
import math
import re
from fractions import Fraction

import dask.dataframe as dask_dataframe
import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import (
    MetricFrame,
    count,
    false_positive_rate,
    selection_rate,
    true_positive_rate,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.compose import make_column_transformer
from sklearn.metrics import accuracy_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder
from sklearn.tree import DecisionTreeClassifier

from skcounterfactual import (
    CounterfactualAugmenter,
    audit,
    counterfactual_effect,
    counterfactual_flip_rate,
)
from skcounterfactual._exact import exact_sum
from skcounterfactual._partitions import DASK_NEEDS_FITTED, PARTITIONS_MISMATCH

# These tests twin the loan data with the fewest links their assertions need
# (often the gender code alone), so titles and names stay those of the other
# gender: the incoherence the coherence check reports (tests/test_coherence.py).
pytestmark = pytest.mark.filterwarnings(
    "ignore::skcounterfactual.IncoherentTwinWarning"
)


LINKS = {
    "gender_code": {"Male": 1, "Female": 0},
    "first_name": "first_name",
    "title": "title",
}


@settings(max_examples=60)
@given(
    st.lists(
        st.floats(min_value=-1e300, max_value=1e300, width=64),
        min_size=0,
        max_size=60,
    ),
    st.integers(1, 7),
)
def test_exact_sum_is_exact_and_adds_up_over_any_split(values, n_parts):
    total = exact_sum(values)
    assert total == sum((Fraction(v) for v in values), Fraction(0))
    assert float(total) == math.fsum(values)
    parts = np.array_split(np.asarray(values, dtype=float), n_parts)
    assert sum((exact_sum(p) for p in parts), Fraction(0)) == total


@pytest.fixture(scope="module")
def loan_audit_setup(loans):
    X, y = loans
    X, y = X.iloc[:1500], np.asarray(y)[:1500]
    model = make_pipeline(
        make_column_transformer(("passthrough", ["gender_code", "income"])),
        DecisionTreeClassifier(max_depth=3, random_state=0),
    ).fit(X, y)
    augmenter = CounterfactualAugmenter(
        protected="gender", links=LINKS, random_state=0
    ).fit(X)
    weights = np.random.default_rng(3).uniform(0, 2, len(X))
    return model, X, y, augmenter, weights


def _as_json(report):
    return json.dumps(report.to_dict(), sort_keys=True, default=str)


@pytest.mark.parametrize("chunk_size", [1, 97, 1000])
def test_audit_does_not_depend_on_the_chunk_size_to_the_last_bit(
    loan_audit_setup, chunk_size
):
    model, X, y, augmenter, weights = loan_audit_setup
    whole = audit(model, X, y, augmenter=augmenter, sample_weight=weights)
    chunked = audit(
        model,
        X,
        y,
        augmenter=augmenter,
        sample_weight=weights,
        chunk_size=chunk_size,
    )
    assert _as_json(chunked) == _as_json(whole)
    found = whole.attributes["gender"]
    assert found.placebo_rate is not None  # name links: placebo twins by default
    assert len(found.evidence) == 20


def test_weighted_group_metrics_equal_fairlearns_metric_frame(loan_audit_setup):
    model, X, y, augmenter, weights = loan_audit_setup
    found = audit(model, X, y, augmenter=augmenter, sample_weight=weights).attributes[
        "gender"
    ]
    y_pred = model.predict(X)
    frame = MetricFrame(
        metrics={
            "count": count,
            "selection_rate": selection_rate,
            "accuracy": accuracy_score,
            "true_positive_rate": true_positive_rate,
            "false_positive_rate": false_positive_rate,
        },
        y_true=y,
        y_pred=y_pred,
        sensitive_features=X["gender"],
        sample_params={
            k: {"sample_weight": weights}
            for k in (
                "selection_rate",
                "accuracy",
                "true_positive_rate",
                "false_positive_rate",
            )
        },
    )
    expected = frame.by_group
    got = found.group_metrics
    assert list(got.index) == list(expected.index)
    assert got["count"].tolist() == expected["count"].astype(int).tolist()
    for column in expected.columns.drop("count"):
        np.testing.assert_allclose(got[column], expected[column], rtol=1e-12)
    differences = frame.difference(method="between_groups")
    assert found.demographic_parity_difference == pytest.approx(
        differences["selection_rate"], rel=1e-12
    )
    assert found.equalized_odds_difference == pytest.approx(
        max(differences["true_positive_rate"], differences["false_positive_rate"]),
        rel=1e-12,
    )


def test_a_group_that_weighs_nothing_leaves_parity_undefined(loan_audit_setup):
    model, X, y, augmenter, _ = loan_audit_setup
    weights = np.where(X["gender"] == "Female", 0.0, 1.0)
    found = audit(model, X, y, augmenter=augmenter, sample_weight=weights).attributes[
        "gender"
    ]
    assert found.demographic_parity_difference is None
    assert found.demographic_parity_ratio is None
    assert found.equalized_odds_difference is None
    assert "['Female']" in found.undefined["demographic_parity_difference"]
    assert "zero total sample_weight" in found.undefined["demographic_parity_ratio"]
    assert np.isnan(found.group_metrics.loc["Female", "selection_rate"])
    assert found.group_metrics.loc["Male", "selection_rate"] == pytest.approx(
        np.mean(model.predict(X)[X["gender"] == "Male"] == 1)
    )


def test_direction_tables_hold_observed_pairs_of_a_large_domain():
    rng = np.random.default_rng(0)
    n = 300
    X = pd.DataFrame({"code": rng.permutation(n), "x": rng.normal(size=n)})
    model = DecisionTreeClassifier(max_depth=2, random_state=0).fit(
        X, (X["x"] > 0).astype(int)
    )
    found = audit(
        model,
        X,
        augmenter=CounterfactualAugmenter(
            protected="code", values={"code": "observed"}, n_twins=1, random_state=0
        ),
    ).attributes["code"]
    # 300 values: 89,700 possible (source, target) cells, 300 observed
    assert len(found.direction) == n
    assert found.direction["n_pairs"].sum() == n


def test_dask_audit_equals_the_pandas_audit_exactly(loan_audit_setup):
    model, X, y, augmenter, weights = loan_audit_setup
    expected = audit(model, X, y, augmenter=augmenter, sample_weight=weights)
    table = dask_dataframe.from_pandas(X, npartitions=4)
    labels = dask_dataframe.from_pandas(pd.Series(y, index=X.index), npartitions=4)
    weight = dask_dataframe.from_pandas(
        pd.Series(weights, index=X.index), npartitions=4
    )
    got = audit(
        model, table, labels, augmenter=augmenter, sample_weight=weight, chunk_size=111
    )
    assert _as_json(got) == _as_json(expected)
    assert got.n_rows == len(X)


def test_dask_flip_rate_and_effect_equal_pandas(loan_audit_setup):
    model, X, y, augmenter, weights = loan_audit_setup
    table = dask_dataframe.from_pandas(X, npartitions=3)
    weight = dask_dataframe.from_pandas(
        pd.Series(weights, index=X.index), npartitions=3
    )
    assert counterfactual_flip_rate(
        model, table, augmenter=augmenter, sample_weight=weight
    ) == counterfactual_flip_rate(model, X, augmenter=augmenter, sample_weight=weights)
    assert counterfactual_effect(model, table, augmenter=augmenter) == (
        counterfactual_effect(model, X, augmenter=augmenter)
    )
    # protected= alone: the default augmenter learns the values from the table
    # (the pandas run warns that gender_code mirrors gender; the Dask run fits
    # on one row per value, too few rows to tell)
    with pytest.warns(UserWarning, match="mirrors the protected attribute"):
        expected = counterfactual_flip_rate(model, X, protected="gender")
    assert counterfactual_flip_rate(model, table, protected="gender") == expected


def test_dask_audit_of_parquet_files_with_labels_as_a_column(
    loan_audit_setup, tmp_path
):
    # reading one column of Parquet files, Dask may merge partitions that the
    # whole table keeps apart: labels and weights must still meet their rows
    import pyarrow  # noqa: F401

    model, X, y, augmenter, weights = loan_audit_setup
    expected = audit(model, X, y, augmenter=augmenter, sample_weight=weights)
    table = X.assign(approved=y, weight=weights)
    for i, start in enumerate(range(0, len(X), 250)):
        table.iloc[start : start + 250].to_parquet(tmp_path / f"part-{i}.parquet")
    files = dask_dataframe.read_parquet(tmp_path)
    rows = files.drop(columns=["approved", "weight"])
    assert len(files["approved"].to_delayed()) < files.npartitions  # merged
    got = audit(
        model,
        rows,
        files["approved"],
        augmenter=augmenter,
        sample_weight=files["weight"],
    )
    assert _as_json(got) == _as_json(expected)
    assert counterfactual_flip_rate(
        model, rows, augmenter=augmenter, sample_weight=files["weight"]
    ) == counterfactual_flip_rate(model, X, augmenter=augmenter, sample_weight=weights)


def test_dask_inputs_are_checked(loan_audit_setup):
    model, X, y, augmenter, _ = loan_audit_setup
    table = dask_dataframe.from_pandas(X, npartitions=3)
    unfitted = CounterfactualAugmenter(protected="gender")
    with pytest.raises(
        ValueError,
        match=re.escape(DASK_NEEDS_FITTED.format(kind="CounterfactualAugmenter")),
    ):
        audit(model, table, augmenter=unfitted)
    labels = dask_dataframe.from_pandas(pd.Series(y, index=X.index), npartitions=2)
    with pytest.raises(
        ValueError,
        match=re.escape(PARTITIONS_MISMATCH.format(param="y", n_x=3, n_other=2)),
    ):
        audit(model, table, labels, augmenter=augmenter)
    with pytest.raises(TypeError, match="y must be a Dask Series partitioned like X"):
        audit(model, table, y, augmenter=augmenter)
    with pytest.raises(ValueError, match=re.escape("protected='sex' is not a column")):
        counterfactual_flip_rate(model, table, protected="sex")


def test_one_hot_pipeline_on_categorical_rows_is_chunk_independent():
    rng = np.random.default_rng(1)
    n = 400
    X = pd.DataFrame(
        {
            "region": pd.Categorical(rng.choice(["n", "s", "e"], n)),
            "g": rng.choice(["F", "M"], n),
            "x": rng.normal(size=n),
        }
    )
    y = ((X["g"] == "M") & (X["x"] > 0)).astype(int)
    model = make_pipeline(
        make_column_transformer(
            (OneHotEncoder(handle_unknown="ignore"), ["region", "g"]),
            remainder="passthrough",
        ),
        DecisionTreeClassifier(max_depth=3, random_state=0),
    ).fit(X, y)
    augmenter = CounterfactualAugmenter(
        protected=["g", "region"], intersectional="both", random_state=0
    )
    whole = audit(model, X, y, augmenter=augmenter)
    assert list(whole.attributes) == ["g", "region", "g & region"]
    assert _as_json(audit(model, X, y, augmenter=augmenter, chunk_size=37)) == (
        _as_json(whole)
    )


@settings(max_examples=40)
@given(
    st.lists(
        st.tuples(
            st.floats(min_value=-1e300, max_value=1e300, width=64),
            st.integers(0, 4),
        ),
        max_size=50,
    )
)
def test_exact_sums_by_group_equal_one_exact_sum_per_group(pairs):
    from skcounterfactual._exact import exact_sums_by_group

    values = np.array([v for v, _ in pairs], dtype=float)
    groups = np.array([g for _, g in pairs], dtype=np.int64)
    expected = [exact_sum(values[groups == g]) for g in range(5)]
    assert exact_sums_by_group(values, groups, 5) == expected
