"""TransportAugmenter: FlipTest twins, each row's optimal-transport counterpart."""

import re
import sys

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linear_sum_assignment
from sklearn.compose import make_column_transformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from skcounterfactual import (
    CounterfactualAugmentedClassifier,
    TransportAugmenter,
    counterfactual_effect,
    counterfactual_flip_rate,
    counterfactual_flip_score,
    make_counterfactual_flip_scorer,
)
from skcounterfactual._transport import (
    MISSING_COST_VALUE,
    MISSING_GROUP,
    NO_RESAMPLE,
    TRANSPORT_EXTRA,
    UNKNOWN_GROUP,
)


def applicants(n=400, seed=0, share=0.5, groups=("female", "male")):
    rng = np.random.default_rng(seed)
    male = rng.random(n) < share
    gender = np.where(male, groups[1], groups[0])
    return pd.DataFrame(
        {
            "gender": pd.Categorical(gender, categories=sorted(set(groups))),
            "income": (40_000 + 15_000 * male + rng.normal(0, 8_000, n)).astype(int),
            "age": rng.normal(40, 10, n).round(1),
            "city": pd.array(rng.choice(["Lyon", "Oslo", "Pune"], n), dtype="str"),
            "owner": rng.random(n) < 0.4,
        },
        index=pd.Index([f"a{i}" for i in range(n)], name="applicant"),
    )


def standardised(X):
    income = (X["income"] - X["income"].mean()) / X["income"].std(ddof=0)
    age = (X["age"] - X["age"].mean()) / X["age"].std(ddof=0)
    city = pd.get_dummies(X["city"]).to_numpy(dtype=float)
    owner = pd.get_dummies(X["owner"]).to_numpy(dtype=float)
    return np.column_stack([income, age, city, owner])


def test_twins_are_the_exact_optimal_transport_counterparts():
    """Equal groups: the plan is a permutation, the optimal assignment."""
    X = applicants(300).groupby("gender", observed=True).head(130)
    assert (X["gender"].value_counts() == 130).all()
    twins, provenance = TransportAugmenter(protected="gender").fit(X).make_twins(X)
    Z = standardised(X)
    women = np.flatnonzero(X["gender"] == "female")
    men = np.flatnonzero(X["gender"] == "male")
    cost = ((Z[women][:, None, :] - Z[men][None, :, :]) ** 2).sum(axis=2)
    rows, cols = linear_sum_assignment(cost)
    expected = np.empty(len(X), dtype=int)
    expected[women[rows]] = men[cols]
    expected[men[cols]] = women[rows]
    assert (provenance["counterpart"].to_numpy() == expected).all()
    assert provenance["matched"].all() and not provenance["approximate"].any()
    # the twin is the counterpart's row, every column, under the row's label
    assert twins.index.equals(X.index)
    assert twins.dtypes.equals(X.dtypes)
    assert (twins.to_numpy() == X.iloc[expected].to_numpy()).all()


def test_new_rows_go_through_their_nearest_fitted_neighbour_in_any_chunks():
    X = applicants(500)
    maker = TransportAugmenter(protected="gender").fit(X)
    whole = maker.make_twins(X)
    chunks = [maker.make_twins(X.iloc[i : i + 37]) for i in range(0, 500, 37)]
    assert pd.concat([c.X for c in chunks]).equals(whole.X)
    new = X.iloc[[3, 8]].copy()
    new["age"] += 0.04  # two returning applicants, a little older
    new.index = ["new1", "new2"]
    twins, provenance = maker.make_twins(new)
    assert not provenance["matched"].any()
    assert (provenance["neighbour_distance"] > 0).all()
    counterparts = whole.provenance["counterpart"].to_numpy()[[3, 8]]
    assert (provenance["counterpart"].to_numpy() == counterparts).all()
    # the same values under a label of the fit data but another row's values
    # is not that row: it is mapped through its neighbour
    relabelled = X.iloc[[3]].set_axis(["a8"])
    _, again = maker.make_twins(relabelled)
    assert again["counterpart"].iloc[0] == counterparts[0]
    assert not again["matched"].iloc[0]


def test_unequal_and_three_groups_give_one_twin_per_other_group():
    X = applicants(450, seed=1, share=0.3)
    rng = np.random.default_rng(2)
    X["gender"] = pd.Categorical(
        np.where(rng.random(450) < 0.2, "nonbinary", X["gender"].astype(str))
    )
    maker = TransportAugmenter(protected="gender", columns=["income", "age"]).fit(X)
    twins, provenance = maker.make_twins(X)
    assert maker.domains_ == {"gender": ["female", "male", "nonbinary"]}
    assert len(twins) == 2 * len(X)
    assert (provenance.groupby("source_position").size() == 2).all()
    groups = X["gender"].to_numpy()[provenance["counterpart"].to_numpy()]
    assert (groups == provenance["new"].to_numpy()).all()
    assert (twins["gender"].to_numpy() == provenance["new"].to_numpy()).all()
    assert (provenance["new"] != provenance["original"]).all()
    # with unequal groups some men are the counterpart of several women
    women_to_men = provenance[
        (provenance["original"] == "female") & (provenance["new"] == "male")
    ]
    assert women_to_men["counterpart"].duplicated().any()


def test_minibatch_plans_change_the_flip_rate_little():
    X = applicants(1600, seed=3)
    y = (X["income"] > 50_000).astype(int)
    model = Pipeline(
        [
            ("columns", make_column_transformer(("passthrough", ["income", "age"]))),
            ("model", LogisticRegression(max_iter=1000)),
        ]
    ).fit(X, y)
    exact = TransportAugmenter(protected="gender").fit(X)
    blocks = TransportAugmenter(protected="gender", max_exact=500, batch_size=200)
    blocks.fit(X)
    assert exact.methods_ == {"gender": "exact"}
    assert blocks.methods_ == {"gender": "minibatch"}
    assert blocks.make_twins(X.head(3)).provenance["approximate"].all()
    rate_exact = counterfactual_flip_rate(model, X, augmenter=exact)
    rate_blocks = counterfactual_flip_rate(model, X, augmenter=blocks)
    assert 0.4 < rate_exact < 0.8
    assert abs(rate_blocks - rate_exact) < 0.03


def test_a_callable_cost_and_array_input():
    X = applicants(120, seed=4)
    arrays = X[["gender", "income", "age"]].assign(
        gender=(X["gender"] == "male").astype(float)
    )
    arrays = arrays.to_numpy()

    def income_only(A, B):
        return (A[:, :1] - B[:, :1].T) ** 2

    maker = TransportAugmenter(protected=0, cost=income_only).fit(arrays)
    twins, provenance = maker.make_twins(arrays)
    assert isinstance(twins, np.ndarray) and twins.dtype == arrays.dtype
    assert (twins[:, 0] == 1 - arrays[:, 0]).all()
    # a 1-D transport keeps the order: richer people get richer counterparts
    women = arrays[:, 0] == 0
    order = np.lexsort([twins[women, 1], arrays[women, 1]])
    assert (np.diff(twins[women, 1][order]) >= 0).all()


def test_training_augmentation_is_refused_with_the_reason():
    X = applicants(100)
    y = (X["income"] > 50_000).astype(int)
    with pytest.raises(TypeError, match=re.escape(NO_RESAMPLE)):
        TransportAugmenter(protected="gender").fit_resample(X, y)
    classifier = CounterfactualAugmentedClassifier(
        estimator=LogisticRegression(), augmenter=TransportAugmenter(protected="gender")
    )
    with pytest.raises(TypeError, match=re.escape(NO_RESAMPLE)):
        classifier.fit(X[["income"]].assign(gender=X["gender"]), y)


def test_scorer_and_flip_score_accept_transport_twins():
    X = applicants(300, seed=6)
    y = (X["income"] > 50_000).astype(int)
    model = Pipeline(
        [
            ("columns", make_column_transformer(("passthrough", ["income"]))),
            ("model", LogisticRegression(max_iter=1000)),
        ]
    ).fit(X, y)
    maker = TransportAugmenter(protected="gender")
    scorer = make_counterfactual_flip_scorer(augmenter=maker)
    assert repr(scorer) == (
        "make_counterfactual_flip_scorer(augmenter=TransportAugmenter(protected="
        "'gender'))"
    )
    expected = 1 - counterfactual_flip_rate(model, X, augmenter=maker)
    assert (
        scorer(model, X, y)
        == expected
        == counterfactual_flip_score(model, X, augmenter=maker)
    )
    assert expected < 0.7
    fitted = maker.fit(X)
    twins, provenance = fitted.make_twins(X)
    change = np.abs(
        model.predict_proba(twins)[:, 1] - model.predict_proba(X)[:, 1]
    ).mean()
    assert counterfactual_effect(model, X, augmenter=fitted) == pytest.approx(change)


@pytest.mark.parametrize(
    ("params", "change", "message"),
    [
        ({"method": "fast"}, None, "method must be one of"),
        ({"cost": "cosine"}, None, "cost must be one of"),
        ({"max_exact": 0}, None, "max_exact must be a positive integer, got 0."),
        ({"columns": ["gender", "income"]}, None, "columns names the protected"),
        (
            {},
            "missing income",
            MISSING_COST_VALUE.format(column="income", count=1),
        ),
        ({}, "missing gender", MISSING_GROUP.format(attribute="gender", count=1)),
        ({}, "one group", "has a single group ['female']"),
    ],
)
def test_parameters_and_data_are_checked(params, change, message):
    X = applicants(40)
    if change == "missing income":
        X["income"] = X["income"].astype(float)
        X.loc["a0", "income"] = np.nan
    elif change == "missing gender":
        X.loc["a0", "gender"] = np.nan
    elif change == "one group":
        X["gender"] = "female"
    with pytest.raises(ValueError, match=re.escape(message)):
        TransportAugmenter(protected="gender", **params).fit(X)


def test_a_group_never_fitted_is_refused_at_twin_time():
    X = applicants(40)
    maker = TransportAugmenter(protected="gender").fit(X)
    rows = X.head(2).copy()
    rows["gender"] = rows["gender"].cat.add_categories(["other"])
    rows.loc["a0", "gender"] = "other"
    with pytest.raises(
        ValueError,
        match=re.escape(UNKNOWN_GROUP.format(attribute="gender", values=["'other'"])),
    ):
        maker.make_twins(rows)


def test_a_missing_pot_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "ot", None)
    with pytest.raises(ImportError, match=re.escape(TRANSPORT_EXTRA)):
        TransportAugmenter(protected="gender").fit(applicants(20))
