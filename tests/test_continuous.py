"""Continuous attributes from the user's side: an exact age is twinned on a
few quantiles of the fit data, rows are grouped by bins, the audit says how
decisions move as age goes up, and a 1,000-row audit of age writes a small
page; all of it the same in any chunk size."""

import json
import re

import numpy as np
import pandas as pd
import pytest
from _models import on_columns
from fairlearn.metrics import MetricFrame, count, selection_rate
from sklearn.tree import DecisionTreeClassifier

from skcounterfactual import CounterfactualAugmenter, audit
from skcounterfactual._continuous import (
    BAD_VALUES,
    LARGE_DOMAIN_WARNING,
    NOT_NUMERIC,
    quantile_domain,
)
from skcounterfactual._render import render_html
from skcounterfactual.datasets import make_loan_applicants


@pytest.fixture(scope="module")
def ages():
    """1,000 applicants, and a model that approves the young with an income."""
    X, _ = make_loan_applicants(n_samples=1000, bias=0, random_state=21)
    y = ((X["age"] < 40) & (X["income"] > 50_000)).astype(int)
    model = on_columns(
        ["age", "income"], DecisionTreeClassifier(max_depth=3, random_state=0)
    ).fit(X, y)
    return X, y, model


@pytest.fixture(scope="module")
def age_report(ages):
    X, y, model = ages
    return audit(model, X, y, protected="age")


def test_the_default_domain_is_five_quantiles_the_data_holds(ages):
    X, _, _ = ages
    augmenter = CounterfactualAugmenter(protected="age").fit(X)
    domain = augmenter.domains_["age"]
    levels = [0.1, 0.3, 0.5, 0.7, 0.9]
    assert domain == [
        int(v) for v in np.quantile(X["age"], levels, method="inverted_cdf")
    ]
    assert all(v in set(X["age"]) for v in domain)
    assert augmenter.bins_["age"] == [
        (a + b) / 2 for a, b in zip(domain[:-1], domain[1:], strict=True)
    ]
    # every row gets a twin for each domain value but its own
    twins = augmenter.make_twins(X)
    assert len(twins) == 5 * len(X) - X["age"].isin(domain).sum()


def test_given_values_and_other_numbers_of_quantiles(ages):
    X, _, _ = ages
    seven = CounterfactualAugmenter(protected="age", values={"age": 7}).fit(X)
    assert seven.domains_["age"] == quantile_domain(X["age"], 7)
    assert len(seven.domains_["age"]) == 7
    given = CounterfactualAugmenter(protected="age", values={"age": [25, 45, 65]})
    assert given.fit(X).bins_["age"] == [35.0, 55.0]
    for bad, kind in (("all", "str"), (1, "int")):
        message = BAD_VALUES.format(attribute="age", kind=kind, value=bad)
        with pytest.raises((TypeError, ValueError), match=re.escape(message)):
            CounterfactualAugmenter(protected="age", values={"age": bad}).fit(X)
    message = NOT_NUMERIC.format(attribute="gender", value=3, dtype=X["gender"].dtype)
    with pytest.raises(ValueError, match=re.escape(message)):
        CounterfactualAugmenter(protected="gender", values={"gender": 3}).fit(X)


def test_a_large_domain_warns(ages):
    X, _, _ = ages
    n = X["age"].nunique()
    message = LARGE_DOMAIN_WARNING.format(attribute="age", n=n, twins=n - 1)
    with pytest.warns(UserWarning, match=re.escape(message)):
        CounterfactualAugmenter(protected="age", values={"age": "observed"}).fit(X)
    # sampling a few twins per row is the other way out: no warning
    CounterfactualAugmenter(
        protected="age", values={"age": "observed"}, n_twins=2, random_state=0
    ).fit(X)


def test_groups_are_bins_and_equal_fairlearn(ages, age_report):
    X, y, model = ages
    found = age_report.attributes["age"]
    edges = CounterfactualAugmenter(protected="age").fit(X).bins_["age"]
    bins = pd.cut(X["age"], [-np.inf, *edges, np.inf], right=False)
    frame = MetricFrame(
        metrics={"count": count, "selection_rate": selection_rate},
        y_true=y,
        y_pred=model.predict(X),
        sensitive_features=bins.cat.codes,
    )
    assert found.group_metrics["count"].tolist() == (
        frame.by_group["count"].astype(int).tolist()
    )
    np.testing.assert_allclose(
        found.group_metrics["selection_rate"], frame.by_group["selection_rate"]
    )
    assert found.group_metrics.index[0].startswith("< ")
    assert found.group_metrics.index[-1].startswith(">= ")
    assert found.demographic_parity_difference == pytest.approx(
        frame.difference(method="between_groups")["selection_rate"]
    )


def test_the_ordinal_summary_by_hand(ages, age_report):
    X, _, model = ages
    found = age_report.attributes["age"]
    domain = found.ordinal["value"].tolist()
    at = np.column_stack([model.predict(X.assign(age=v)) for v in domain])
    assert found.ordinal["n_rows"].tolist() == [len(X)] * 5
    np.testing.assert_allclose(found.ordinal["selection_rate"], at.mean(axis=0))
    up = ((at[:, :-1] == 0) & (at[:, 1:] == 1)).sum(axis=0)
    down = ((at[:, :-1] == 1) & (at[:, 1:] == 0)).sum(axis=0)
    assert found.ordinal["n_up"].tolist()[1:] == up.tolist()
    assert found.ordinal["n_down"].tolist()[1:] == down.tolist()
    assert found.trend["direction"] == "decreasing"
    assert found.trend["monotone"]
    assert found.trend["n_down"] == down.sum() > 0 == found.trend["n_up"]
    assert found.trend["p_value_midp"] < 1e-10
    # the comparisons of a continuous attribute are its consecutive values
    comparisons = found.comparisons
    assert comparisons["value_a"].tolist() == domain[:-1]
    assert comparisons["value_b"].tolist() == domain[1:]
    assert comparisons["only_a_favourable"].tolist() == down.tolist()
    text = age_report.to_markdown()
    assert f"As age goes up from {domain[0]} to {domain[-1]}" in text
    assert "decreasing, monotone" in text


def test_a_1000_row_audit_of_age_writes_a_small_page(ages, age_report):
    found = age_report.attributes["age"]
    assert found.n_twins <= 5 * 1000
    assert len(found.direction) <= 5 * 5  # bins by domain values
    assert len(found.group_metrics) == 5
    assert len(age_report.to_markdown()) < 12_000
    assert len(render_html(age_report, figures=False)) < 30_000
    pytest.importorskip("matplotlib")
    assert len(age_report.to_html()) < 250_000


def test_every_observed_value_still_makes_a_compact_page(ages):
    X, y, model = ages
    every = CounterfactualAugmenter(
        protected="age", values={"age": "observed"}, n_twins=3, random_state=0
    )
    report = audit(model, X, y, augmenter=every)
    found = report.attributes["age"]
    assert len(found.direction) > 100  # every observed pair is kept
    page = render_html(report, figures=False)
    assert page.count("<tr>") < 150  # the pages show the largest 30 rows
    assert "every row is in to_dict() and to_json()" in page
    assert len(json.loads(report.to_json())["attributes"]["age"]["direction"]) == (
        len(found.direction)
    )


@pytest.mark.parametrize("chunk_size", [1, 97])
def test_age_audits_do_not_depend_on_chunks(ages, age_report, chunk_size):
    X, y, model = ages
    weights = np.random.default_rng(2).uniform(0, 2, len(X))
    whole = audit(model, X, y, protected="age", sample_weight=weights)
    chunked = audit(
        model, X, y, protected="age", sample_weight=weights, chunk_size=chunk_size
    )
    assert json.dumps(whole.to_dict(), sort_keys=True) == json.dumps(
        chunked.to_dict(), sort_keys=True
    )


def test_age_audit_on_dask_equals_pandas(ages, age_report):
    dd = pytest.importorskip("dask.dataframe")
    X, y, model = ages
    fitted = CounterfactualAugmenter(protected="age").fit(X)
    expected = audit(model, X, y, augmenter=fitted)
    got = audit(
        model,
        dd.from_pandas(X, npartitions=3),
        dd.from_pandas(pd.Series(y, index=X.index), npartitions=3),
        augmenter=fitted,
        chunk_size=123,
    )
    assert json.dumps(got.to_dict(), sort_keys=True) == json.dumps(
        expected.to_dict(), sort_keys=True
    )
