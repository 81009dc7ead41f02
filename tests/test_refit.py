"""Model selection that never loses the search: unreachable bounds fall back
to the candidate closest to them with a warning (or raise, when asked), bounds
on flip minus placebo, ``search.score`` for every scoring the package builds,
and the leaderboard marks the refit choice."""

import pickle
import re
from copy import deepcopy

import numpy as np
import pytest
from _models import NameLength, keep, on_columns
from sklearn.base import clone
from sklearn.metrics import accuracy_score
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.tree import DecisionTreeClassifier

from skcounterfactual import (
    CounterfactualAugmenter,
    fairness_scoring,
    leaderboard,
    most_accurate_within,
)
from skcounterfactual.datasets import make_loan_applicants

LINKS = {
    "gender_code": {"Male": 1, "Female": 0},
    "first_name": "first_name",
    "title": "title",
}


@pytest.fixture(scope="module")
def loans():
    return make_loan_applicants(n_samples=600, bias=1.0, random_state=2)


@pytest.fixture(scope="module")
def twins(loans):
    X, _ = loans
    return CounterfactualAugmenter(protected="gender", links=LINKS, random_state=0).fit(
        X
    )


def grid_search(refit, twins, X, y):
    tree = DecisionTreeClassifier(max_depth=3, random_state=0)
    return GridSearchCV(
        on_columns(["gender_code", "income"], tree),
        {"select": [keep("gender_code", "income"), keep("income", "age")]},
        scoring=fairness_scoring(augmenter=twins),
        refit=refit,
        cv=3,
        error_score="raise",
    )


def test_unreachable_bounds_keep_the_search_and_warn(loans, twins):
    X, y = loans
    refit = most_accurate_within(max_flip_rate=0.0, max_parity_difference=0.0)
    with pytest.warns(UserWarning) as caught:
        search = grid_search(refit, twins, X, y).fit(X, y)
    results = search.cv_results_
    flip = 1 - results["mean_test_counterfactual_flip"]
    parity = -results["mean_test_neg_demographic_parity_difference"]
    (message,) = [str(w.message) for w in caught if "No candidate" in str(w.message)]
    assert message.startswith(
        f"No candidate meets flip rate <= 0.0 (lowest reached: {flip.min():.4f}) "
        f"and parity difference <= 0.0 (lowest reached: {parity.min():.4f}). "
        f"Refitting candidate {search.best_index_}, the closest to the bounds"
    )
    # the closest: the smallest sum of excesses
    assert search.best_index_ == int(np.argmin(flip + parity))
    board = leaderboard(search)
    assert board["refit"].sum() == 1
    assert board.loc[search.best_index_, "refit"]
    assert search.score(X, y) == accuracy_score(y, search.predict(X))


def test_fallback_raise_raises_and_names_the_bounds(loans, twins):
    X, y = loans
    refit = most_accurate_within(
        max_flip_rate=0.0, max_parity_difference=0.0, fallback="raise"
    )
    with pytest.raises(ValueError, match=re.escape("No candidate meets flip rate")):
        grid_search(refit, twins, X, y).fit(X, y)
    with pytest.raises(ValueError, match=re.escape("fallback must be one of")):
        most_accurate_within(fallback="nearest")


@pytest.mark.parametrize(
    "refit",
    [
        "accuracy",
        "counterfactual_flip",
        "neg_demographic_parity_difference",
        "neg_counterfactual_flip_minus_placebo",
        most_accurate_within(max_flip_rate=0.5),
    ],
)
def test_search_score_works_for_every_scoring_the_package_builds(loans, twins, refit):
    X, y = loans
    search = grid_search(refit, twins, X, y).fit(X, y)
    key = refit if isinstance(refit, str) else "accuracy"
    scorer = search.scorer_[key]
    scorer = scorer if callable(scorer) else None
    assert search.score(X, y) == pytest.approx(scorer(search.best_estimator_, X, y))


def test_a_bound_on_flip_minus_placebo_sees_through_name_novelty(loans, twins):
    X, y = loans
    models = [
        NameLength(),  # flips on new names only, whatever their gender
        on_columns(["gender_code"], DecisionTreeClassifier(random_state=0)),
    ]
    search = GridSearchCV(
        Pipeline([("model", NameLength())]),
        {"model": models},
        scoring=fairness_scoring(augmenter=twins),
        refit=most_accurate_within(max_flip_minus_placebo=0.1),
        cv=3,
        error_score="raise",
    ).fit(X, y)
    results = search.cv_results_
    flip = 1 - results["mean_test_counterfactual_flip"]
    beyond = -results["mean_test_neg_counterfactual_flip_minus_placebo"]
    assert flip[0] > 0.3  # the names model flips a lot ...
    assert abs(beyond[0]) < 0.1  # ... as much on same-gender names
    assert beyond[1] == pytest.approx(flip[1]) and flip[1] > 0.5
    assert search.best_index_ == 0
    board = leaderboard(search)
    np.testing.assert_allclose(board.sort_index()["flip_minus_placebo_mean"], beyond)
    # a bound on the flip rate alone fails every candidate
    with pytest.warns(UserWarning, match=re.escape("No candidate meets flip rate")):
        clone(search).set_params(refit=most_accurate_within(max_flip_rate=0.1)).fit(
            X, y
        )


def test_the_refit_object_stands_for_its_accuracy_key():
    refit = most_accurate_within(max_flip_rate=0.1, accuracy_key="balanced_accuracy")
    assert refit == "balanced_accuracy" and refit != "accuracy"
    assert {"balanced_accuracy": 1}[refit] == 1
    assert refit == deepcopy(refit) == pickle.loads(pickle.dumps(refit))
    assert repr(refit) == (
        "most_accurate_within(max_flip_rate=0.1, max_parity_difference=None, "
        "accuracy_key='balanced_accuracy')"
    )
    assert refit.max_flip_rate == 0.1 and refit.flip_key == "counterfactual_flip"


def test_bounds_are_checked():
    with pytest.raises(ValueError, match=re.escape("max_effect must be a non-")):
        most_accurate_within(max_effect=-1)
    with pytest.raises(
        ValueError, match=re.escape("max_flip_minus_placebo must be in [0, 1]")
    ):
        most_accurate_within(max_flip_minus_placebo=2)
