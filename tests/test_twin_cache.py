"""The flip scorer builds the twins of a fold once per search, with equal results."""

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.tree import DecisionTreeClassifier

from skcounterfactual import (
    CounterfactualAugmenter,
    counterfactual_flip_score,
    fairness_scoring,
    make_counterfactual_flip_scorer,
)
from skcounterfactual._twin_cache import TwinCache

LINKS = {"gender_code": {"Male": 1, "Female": 0}, "title": "title"}
# The loan data's first names (and, with protected= alone, its gender code and
# titles) are left unlinked here: their warnings are not the subject.
pytestmark = pytest.mark.filterwarnings(
    "ignore::skcounterfactual.IncoherentTwinWarning",
    "ignore::skcounterfactual.UnlinkedMirrorWarning",
)


@pytest.fixture(scope="module")
def search_setup(loans):
    X, y = loans
    X, y = X.iloc[:900], np.asarray(y)[:900]
    with_gender = ColumnTransformer([("k", "passthrough", ["gender_code", "income"])])
    without = ColumnTransformer([("k", "passthrough", ["income"])])
    pipeline = Pipeline([("select", with_gender), ("tree", DecisionTreeClassifier())])
    grid = {"select": [with_gender, without], "tree__max_depth": [1, 2, 4]}
    return X, y, pipeline, grid


def _search(search_setup, scoring):
    X, y, pipeline, grid = search_setup
    return GridSearchCV(
        pipeline, grid, scoring=scoring, refit="accuracy", cv=3, error_score="raise"
    ).fit(X, y)


@pytest.mark.parametrize(
    "augmenter",
    [
        CounterfactualAugmenter(protected="gender", links=LINKS, random_state=0),
        None,  # protected= only
    ],
)
def test_cached_twins_give_the_search_the_same_scores(
    search_setup, monkeypatch, augmenter
):
    def scoring():
        if augmenter is None:
            return fairness_scoring(protected="gender")
        return fairness_scoring(augmenter=augmenter)

    cached = _search(search_setup, scoring())
    monkeypatch.setattr(TwinCache, "maker_for", lambda self, *args, **kw: None)
    uncached = _search(search_setup, scoring())
    for key in ("mean_test_counterfactual_flip", "split0_test_counterfactual_flip"):
        np.testing.assert_array_equal(
            cached.cv_results_[key], uncached.cv_results_[key]
        )
    if augmenter is not None:  # the gender code follows: some candidates flip
        assert cached.cv_results_["mean_test_counterfactual_flip"].min() < 1.0


def test_each_fold_is_twinned_once_per_search(search_setup, monkeypatch):
    fits, builds = [], []
    fit, make_twins = CounterfactualAugmenter.fit, CounterfactualAugmenter.make_twins
    monkeypatch.setattr(
        CounterfactualAugmenter,
        "fit",
        lambda self, X, y=None: fits.append(len(X)) or fit(self, X, y),
    )
    monkeypatch.setattr(
        CounterfactualAugmenter,
        "make_twins",
        lambda self, X, **kw: builds.append(len(X)) or make_twins(self, X, **kw),
    )
    augmenter = CounterfactualAugmenter(
        protected="gender", links=LINKS, coherence=None, random_state=0
    )
    _search(search_setup, fairness_scoring(augmenter=augmenter))
    # 6 candidates x 3 folds are scored, plus the refit's candidate: 3 folds
    # fitted and twinned once each
    assert len(fits) == 3 and len(builds) == 3


def test_the_cache_stays_behind_when_the_scorer_is_pickled(loans):
    X, y = loans
    X = X.iloc[:300]
    model = Pipeline(
        [
            ("select", ColumnTransformer([("k", "passthrough", ["gender_code"])])),
            ("tree", DecisionTreeClassifier()),
        ]
    ).fit(X, np.asarray(y)[:300])
    augmenter = CounterfactualAugmenter(
        protected="gender", links={"gender_code": {"Male": 1, "Female": 0}}
    ).fit(X)
    scorer = make_counterfactual_flip_scorer(augmenter=augmenter)
    first = scorer(model, X)
    assert first == counterfactual_flip_score(model, X, augmenter=augmenter) == 0.0
    restored = pickle.loads(pickle.dumps(scorer))
    assert len(pickle.dumps(scorer)) < 20_000  # no twins in the pickle
    assert restored(model, X) == first
    assert restored(model, X.iloc[::-1]) == first


def test_rows_without_a_fingerprint_are_scored_without_the_cache():
    X = pd.DataFrame({"g": ["a", "b"] * 10, "tags": [["x"], ["y"]] * 10})
    model = DecisionTreeClassifier().fit(
        pd.DataFrame({"code": [0, 1] * 10}), [0, 1] * 10
    )

    class OnCode:
        classes_ = np.array([0, 1])

        def fit(self, X, y=None):
            return self

        def predict(self, X):
            return model.predict(pd.DataFrame({"code": (X["g"] == "b").astype(int)}))

    scorer = make_counterfactual_flip_scorer(protected="g")
    assert scorer(OnCode(), X) == 0.0  # every twin flips
