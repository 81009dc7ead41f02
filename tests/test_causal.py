"""CausalAugmenter: twins whose descendants follow a structural causal model."""

import re
import sys

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from sklearn.compose import make_column_transformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

from skcounterfactual import (
    CausalAugmenter,
    CounterfactualAugmentedClassifier,
    CounterfactualAugmenter,
    UnlinkedMirrorWarning,
    audit,
    counterfactual_flip_rate,
    fairness_scoring,
    leaderboard,
)
from skcounterfactual._causal import (
    BAD_MECHANISM,
    CAUSAL_EXTRA,
    GRAPH_CYCLE,
    GRAPH_NODE_MISSING,
    LINKED_IN_GRAPH,
    MISSING_IN_GRAPH_COLUMN,
    PROTECTED_NOT_IN_GRAPH,
    UNKNOWN_CATEGORY,
)
from skcounterfactual._validation import MISSING_COLUMN

# All-else-equal twins of these simulations keep an income shaped by gender,
# the very incoherence these tests show the causal and transport twins avoid.
pytestmark = pytest.mark.filterwarnings(
    "ignore::skcounterfactual.IncoherentTwinWarning"
)

SHIFT = 15_000
GRAPH = [("gender", "income"), ("income", "debt"), ("gender", "job")]


def people(n=3000, seed=0):
    """gender -> income -> debt, gender -> job; age and city outside the graph."""
    rng = np.random.default_rng(seed)
    male = rng.random(n) < 0.5
    income = 40_000 + SHIFT * male + rng.normal(0, 8_000, n)
    job = np.where(rng.random(n) < np.where(male, 0.9, 0.1), "engineer", "carer")
    return pd.DataFrame(
        {
            "gender": pd.array(np.where(male, "male", "female"), dtype="str"),
            "title": np.where(male, "Mr", "Ms"),
            "income": income.round(2),
            "debt": (0.2 * income + rng.normal(0, 1_000, n)).astype(np.int64),
            "job": pd.Categorical(job),
            "age": rng.integers(20, 65, n),
            "city": pd.array(rng.choice(["Lyon", "Oslo", "Pune"], n), dtype="str"),
        },
        index=pd.Index([f"p{i}" for i in range(n)], name="person"),
    )


@pytest.fixture(scope="module")
def data():
    return people()


@pytest.fixture(scope="module")
def fitted(data):
    return CausalAugmenter(
        protected="gender",
        graph=GRAPH,
        links={"title": {"female": "Ms", "male": "Mr"}},
        mechanisms="linear",
        random_state=0,
    ).fit(data)


def test_descendants_follow_and_every_other_column_is_byte_identical(data, fitted):
    twins, provenance = fitted.make_twins(data)
    assert fitted.descendants_ == {"gender": ["income", "job", "debt"]}
    # DoWhy fits nodes in the order of its graph: causal order, never a set's
    assert list(fitted.causal_model_.graph.nodes) == fitted.model_nodes_
    assert fitted.model_nodes_ == ["gender", "income", "job", "debt"]
    assert fitted.factors_ == {
        "gender": {"columns": ["gender"], "linked": ["title", "income", "job", "debt"]}
    }
    assert twins.index.equals(data.index)
    assert twins.dtypes.equals(data.dtypes)
    for column in ("age", "city"):
        assert twins[column].equals(data[column])
    assert (twins["gender"] != data["gender"]).all()
    assert (twins["title"] == np.where(twins["gender"] == "male", "Mr", "Ms")).all()
    male = (data["gender"] == "male").to_numpy()
    shift = (twins["income"] - data["income"]).to_numpy()
    # each row keeps its own noise: the whole group moves by one fitted shift
    assert np.ptp(shift[male]) < 1e-6 and np.ptp(shift[~male]) < 1e-6
    assert shift[male][0] == pytest.approx(-SHIFT, abs=600)
    assert shift[~male][0] == pytest.approx(-shift[male][0])
    debt_shift = (twins["debt"] - data["debt"]).to_numpy()
    assert np.abs(debt_shift - 0.2 * shift).max() <= 40  # debt follows income
    assert list(provenance.columns) == [
        "source_position",
        "attribute",
        "original",
        "new",
        "kind",
        "unseen",
        "approximate",
        "out_of_range",
    ]
    assert (provenance["new"].to_numpy() == twins["gender"].to_numpy()).all()


def test_twins_do_not_depend_on_chunks_or_row_order(data, fitted):
    whole = fitted.make_twins(data)
    chunks = [fitted.make_twins(data.iloc[i : i + 97]) for i in range(0, 679, 97)]
    assert pd.concat([c.X for c in chunks]).equals(whole.X.iloc[:679])
    flags = pd.concat([c.provenance["approximate"] for c in chunks])
    assert flags.equals(whole.provenance["approximate"].iloc[:679])
    shuffled = data.sample(frac=1.0, random_state=3)
    again = fitted.make_twins(shuffled).X
    assert again.loc[data.index].equals(whole.X)


def test_categorical_descendant_is_drawn_within_its_observed_step(data, fitted):
    """P(engineer) is 0.9 for men and 0.1 for women in the simulation.

    A male carer sits in the lowest 10% of the noise, where a woman is a carer
    too: his twin stays a carer, for sure. A male engineer's noise lies above
    0.1; as a woman he is an engineer only above 0.9: about 1 in 9 stay.
    """
    twins, provenance = fitted.make_twins(data)
    male = (data["gender"] == "male").to_numpy()
    carer = (data["job"] == "carer").to_numpy()
    approximate = provenance["approximate"].to_numpy()
    assert (twins["job"].to_numpy()[male & carer] == "carer").all()
    assert not approximate[male & carer].any()
    assert approximate[male & ~carer].all()
    stay = np.mean(twins["job"].to_numpy()[male & ~carer] == "engineer")
    assert stay == pytest.approx(1 / 9, abs=0.03)
    other_seed = CausalAugmenter(
        protected="gender",
        graph=GRAPH,
        links={"title": {"female": "Ms", "male": "Mr"}},
        mechanisms="linear",
        random_state=1,
    ).fit(data)
    redrawn = other_seed.make_twins(data).X["job"].to_numpy()
    assert (redrawn[male & carer] == "carer").all()
    assert (redrawn[male & ~carer] != twins["job"].to_numpy()[male & ~carer]).any()


def test_out_of_range_flags_values_beyond_the_fit_data(data, fitted):
    twins, provenance = fitted.make_twins(data)
    expected = np.zeros(len(data), dtype=bool)
    for column in ("income", "debt"):
        low, high = data[column].min(), data[column].max()
        expected |= ((twins[column] < low) | (twins[column] > high)).to_numpy()
    assert (provenance["out_of_range"].to_numpy() == expected).all()
    assert 0 < expected.sum() < 30


def test_arrays_graph_objects_and_mechanism_overrides():
    from dowhy import gcm

    frame = people(800, seed=1)[["gender", "income", "age"]]
    X = frame.assign(gender=(frame["gender"] == "male").astype(int)).to_numpy()
    graph = nx.DiGraph([(0, 1)])
    mechanism = gcm.AdditiveNoiseModel(gcm.ml.create_linear_regressor())
    aug = CausalAugmenter(protected=0, graph=graph, mechanisms={1: mechanism}).fit(X)
    assert aug.mechanisms_ == {1: "AdditiveNoiseModel using LinearRegression"}
    twins, provenance = aug.make_twins(X)
    assert isinstance(twins, np.ndarray) and twins.dtype == X.dtype
    assert (twins[:, 2] == X[:, 2]).all()
    assert (twins[:, 0] == 1 - X[:, 0]).all()
    assert np.mean(np.abs(twins[:, 1] - X[:, 1])) == pytest.approx(SHIFT, rel=0.1)


COLUMNS = ["gender", "title", "income", "debt", "job", "age", "city"]


@pytest.mark.parametrize(
    ("params", "error", "message"),
    [
        (
            {"graph": [("gender", "salary")]},
            ValueError,
            GRAPH_NODE_MISSING.format(node="salary", available=COLUMNS),
        ),
        (
            {"graph": [("gender", "income"), ("income", "debt"), ("debt", "income")]},
            ValueError,
            GRAPH_CYCLE.format(cycle=[("income", "debt"), ("debt", "income")]),
        ),
        (
            {"graph": [("income", "debt")]},
            ValueError,
            PROTECTED_NOT_IN_GRAPH.format(attribute="gender"),
        ),
        (
            {"graph": [("gender", "title")], "links": {"title": {"female": "Ms"}}},
            ValueError,
            "links['title'] has no entry for gender='male'",
        ),
        (
            {"graph": [("gender", "title")], "links": {"title": "resample"}},
            ValueError,
            LINKED_IN_GRAPH.format(column="title"),
        ),
        ({"graph": None}, ValueError, "graph is required"),
        ({"graph": "gender->income"}, TypeError, "graph must be a list of"),
        ({"graph": [("gender",)]}, TypeError, "graph must hold (cause, effect)"),
        (
            {"graph": GRAPH, "mechanisms": {"income": "boosting"}},
            ValueError,
            BAD_MECHANISM.format(column="income", kind="str", value="boosting"),
        ),
        ({"graph": GRAPH, "mechanisms": "fast"}, ValueError, "mechanisms must be"),
        (
            {"graph": GRAPH, "protected": "sex"},
            ValueError,
            MISSING_COLUMN.format(param="protected", column="sex", available=COLUMNS),
        ),
    ],
)
def test_graph_and_parameters_are_checked_against_the_data(params, error, message):
    X = people(60)[COLUMNS]
    links = {"title": {"female": "Ms", "male": "Mr"}}
    params = {"protected": "gender", "mechanisms": "linear", "links": links, **params}
    with pytest.raises(error, match=re.escape(message)):
        CausalAugmenter(**params).fit(X)


def test_missing_values_and_unknown_categories_are_refused(fitted, data):
    X = people(60).drop(columns="title")
    X["debt"] = X["debt"].astype("Float64")
    X.loc[X.index[:2], "debt"] = None
    message = MISSING_IN_GRAPH_COLUMN.format(column="debt", count=2)
    with pytest.raises(ValueError, match=re.escape(message)):
        CausalAugmenter(protected="gender", graph=GRAPH, mechanisms="linear").fit(X)
    rows = data.head(3).copy()
    rows["job"] = rows["job"].cat.add_categories(["pilot"])
    rows.loc[rows.index[0], "job"] = "pilot"
    message = UNKNOWN_CATEGORY.format(column="job", values=["pilot"])
    with pytest.raises(ValueError, match=re.escape(message)):
        fitted.make_twins(rows)


def test_a_missing_dowhy_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "dowhy", None)
    with pytest.raises(ImportError, match=re.escape(CAUSAL_EXTRA)):
        CausalAugmenter(protected="gender", graph=GRAPH).fit(people(40))


def income_model():
    """A model that never reads gender: only income (and age)."""
    return Pipeline(
        [
            ("columns", make_column_transformer(("passthrough", ["income"]))),
            ("model", LogisticRegression(C=1.0, max_iter=1000)),
        ]
    )


def labels(X, seed=1):
    rng = np.random.default_rng(seed)
    return (X["income"] + rng.normal(0, 4_000, len(X)) > 50_000).astype(int)


def test_a_model_blind_to_gender_flips_under_causal_twins_only(data, fitted):
    model = income_model().fit(data, labels(data))
    plain = counterfactual_flip_rate(model, data, augmenter=fitted.links_augmenter_)
    causal = counterfactual_flip_rate(model, data, augmenter=fitted)
    assert plain == 0.0
    assert 0.4 < causal < 0.8
    report = audit(model, data, labels(data), augmenter=fitted)
    found = report.attributes["gender"]
    assert found.flip_rate == causal
    assert found.transparency["feature"].iloc[0] == "income"
    assert set(found.flipsets["source"]) == {"female", "male"}


def test_fit_resample_and_the_augmented_classifier_use_causal_twins(data):
    y = labels(data)
    aug = CausalAugmenter(
        protected="gender",
        graph=GRAPH,
        links={"title": {"female": "Ms", "male": "Mr"}},
        mechanisms="linear",
        random_state=0,
    )
    X_res, y_res = aug.fit_resample(data, y)
    assert len(X_res) == 2 * len(data) and (y_res.to_numpy()[len(data) :] == y).all()
    assert X_res.dtypes.equals(data.dtypes)
    reads_gender_and_income = Pipeline(
        [
            (
                "columns",
                make_column_transformer(
                    (OneHotEncoder(), ["gender"]), ("passthrough", ["income"])
                ),
            ),
            ("model", LogisticRegression(max_iter=1000)),
        ]
    )
    clf = CounterfactualAugmentedClassifier(
        estimator=reads_gender_and_income, augmenter=aug
    ).fit(data, y)
    fitted = aug.fit(data)
    plain = reads_gender_and_income.fit(data, y)
    before = counterfactual_flip_rate(plain, data, augmenter=fitted)
    after = counterfactual_flip_rate(clf, data, augmenter=fitted)
    # trained on its causal twins, the model learns to read income net of the
    # part gender causes, which is the same for a row and its twin
    assert before > 0.4
    assert after < 0.05


def test_a_search_scored_with_causal_twins_ranks_the_blind_model_as_unfair(
    data, fitted
):
    y = labels(data)
    search = GridSearchCV(
        income_model(),
        {
            "columns": [
                make_column_transformer(("passthrough", ["income"])),
                make_column_transformer(("passthrough", ["age"])),
            ]
        },
        scoring=fairness_scoring(augmenter=fitted),
        refit="accuracy",
        cv=3,
        error_score="raise",
    ).fit(data, y)
    board = leaderboard(search)
    flip = board["flip_rate_mean"].to_numpy()
    # candidate 0 reads income, which gender causes; candidate 1 reads age
    assert board.loc[1, "flip_rate_mean"] == 0.0
    assert board.loc[0, "flip_rate_mean"] > 0.4
    assert board.loc[0, "rank"] == 1 and flip.max() > 0.4
    plain = GridSearchCV(
        income_model(),
        {"model__C": [1.0]},
        scoring=fairness_scoring(
            augmenter=CounterfactualAugmenter(
                protected="gender", links={"title": {"female": "Ms", "male": "Mr"}}
            )
        ),
        refit="accuracy",
        cv=3,
    ).fit(data, y)
    assert leaderboard(plain)["flip_rate_mean"].iloc[0] == 0.0


def test_a_mirror_is_followed_when_it_is_a_descendant_and_warned_about_otherwise():
    rng = np.random.default_rng(7)
    gender = rng.choice(["female", "male"], 300)
    X = pd.DataFrame(
        {
            "gender": gender,
            "code": (gender == "male").astype(int),
            "income": rng.normal(0, 1, 300) + (gender == "male"),
            "insured": rng.random(300) < np.where(gender == "male", 0.8, 0.2),
        }
    )
    graph = [("gender", "code"), ("gender", "income"), ("gender", "insured")]
    twins, _ = (
        CausalAugmenter(
            protected="gender", graph=graph, mechanisms="linear", random_state=0
        )
        .fit(X)
        .make_twins(X)
    )
    assert (twins["code"] == (twins["gender"] == "male").astype(int)).all()
    assert twins.dtypes.equals(X.dtypes)  # the boolean descendant stays boolean
    assert set(twins["insured"]) == {False, True}
    with pytest.warns(UnlinkedMirrorWarning, match="Column 'code' mirrors"):
        CausalAugmenter(
            protected="gender", graph=[("gender", "income")], mechanisms="linear"
        ).fit(X)
