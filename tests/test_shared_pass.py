"""fairness_scoring predicts once per candidate and fold, with unchanged scores.

The flip scorer's pass (rows, twins and placebo twins in one call) is reused
by the scorers after it only for the very same candidate, unchanged, on the
very same rows, labels and weights, unchanged.
"""

import pickle

import numpy as np
import pytest
import sklearn
from _models import on_columns
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import get_scorer
from sklearn.model_selection import GridSearchCV, cross_validate
from sklearn.tree import DecisionTreeClassifier

from skcounterfactual import (
    CounterfactualAugmenter,
    fairness_scoring,
    make_counterfactual_flip_scorer,
    make_parity_scorer,
)

LINKS = {"gender_code": {"Male": 1, "Female": 0}, "first_name": "first_name"}
pytestmark = pytest.mark.filterwarnings(
    "ignore::skcounterfactual.IncoherentTwinWarning",
    "ignore::skcounterfactual.UnlinkedMirrorWarning",
)


def names():
    return CounterfactualAugmenter(protected="gender", links=LINKS, random_state=0)


def one_by_one(augmenter):
    """The same scores from scorers that share nothing."""
    return {
        "counterfactual_flip": make_counterfactual_flip_scorer(augmenter=augmenter),
        "neg_counterfactual_flip_minus_placebo": make_counterfactual_flip_scorer(
            augmenter=augmenter, subtract_placebo=True
        ),
        "accuracy": "accuracy",
        "neg_demographic_parity_difference": make_parity_scorer(protected="gender"),
    }


class CountingTree(ClassifierMixin, BaseEstimator):
    """A tree on the gender code and income that counts its predict calls."""

    calls = []

    def __init__(self, max_depth=2):
        self.max_depth = max_depth

    def fit(self, X, y):
        self.tree_ = DecisionTreeClassifier(max_depth=self.max_depth, random_state=0)
        self.tree_.fit(X[["gender_code", "income"]], y)
        self.classes_ = self.tree_.classes_
        return self

    def predict(self, X):
        CountingTree.calls.append(len(X))
        return self.tree_.predict(X[["gender_code", "income"]])


def search(scoring, X, y, refit="accuracy"):
    return GridSearchCV(
        CountingTree(),
        {"max_depth": [1, 2, 3]},
        scoring=scoring,
        refit=refit,
        cv=3,
        error_score="raise",
    ).fit(X, y)


def test_the_search_scores_equal_the_scorers_called_one_by_one(loans):
    X, y = loans
    shared = search(fairness_scoring(augmenter=names()), X, y)
    alone = search(one_by_one(names()), X, y)
    for key in one_by_one(names()):
        for column in ("mean_test_", "split0_test_", "split2_test_"):
            np.testing.assert_array_equal(
                shared.cv_results_[column + key], alone.cv_results_[column + key]
            )
    # the flip scores are informative: the gender code follows the twins
    assert shared.cv_results_["mean_test_counterfactual_flip"].min() < 1.0


def test_one_prediction_per_candidate_and_fold(loans):
    X, y = loans
    CountingTree.calls.clear()
    search(fairness_scoring(augmenter=names()), X, y, refit=False)
    # 3 candidates x 3 folds, each one call on the rows with their twins
    assert len(CountingTree.calls) == 9
    assert all(n > 200 for n in CountingTree.calls)  # 200 rows and their twins
    CountingTree.calls.clear()
    search(one_by_one(names()), X, y, refit=False)
    assert len(CountingTree.calls) == 9 * 4


def test_cross_validate_and_parallel_workers_share_the_pass(loans):
    X, y = loans
    scoring = fairness_scoring(augmenter=names())
    model = on_columns(["gender_code", "income"], DecisionTreeClassifier(max_depth=2))
    got = cross_validate(model, X, y, scoring=scoring, cv=3, n_jobs=2)
    expected = cross_validate(model, X, y, scoring=one_by_one(names()), cv=3)
    for key in one_by_one(names()):
        np.testing.assert_array_equal(got[f"test_{key}"], expected[f"test_{key}"])
    # pickled together, the scorers still share one pass
    copy = pickle.loads(pickle.dumps(scoring))
    assert copy["accuracy"]._shared is copy["counterfactual_flip"]._pass
    assert copy["neg_demographic_parity_difference"]._pass is copy["accuracy"]._shared


def test_a_candidate_refitted_in_place_is_predicted_again(loans, tutorial_model):
    X, y = loans
    scoring = fairness_scoring(augmenter=names())
    model = on_columns(["gender_code", "income"], DecisionTreeClassifier(max_depth=1))
    model.fit(X, y)
    scoring["counterfactual_flip"](model, X, y)
    flipped = 1 - np.asarray(y)  # refit the same object on other labels
    model.fit(X, flipped)
    accuracy = get_scorer("accuracy")
    assert scoring["accuracy"](model, X, y) == accuracy(model, X, y)
    parity = make_parity_scorer(protected="gender")
    key = "neg_demographic_parity_difference"
    assert scoring[key](model, X, y) == parity(model, X, y)


def test_rows_labels_or_weights_edited_in_place_are_predicted_again(loans):
    X, y = loans
    X, y = X.copy(), np.asarray(y).copy()
    scoring = fairness_scoring(augmenter=names())
    model = on_columns(["gender_code", "income"], DecisionTreeClassifier(max_depth=2))
    model.fit(X, y)
    accuracy = get_scorer("accuracy")
    scoring["counterfactual_flip"](model, X, y)
    X.loc[X.index[:300], "income"] = 0  # the same frame, other rows
    assert scoring["accuracy"](model, X, y) == accuracy(model, X, y)
    alone = one_by_one(names())["neg_counterfactual_flip_minus_placebo"]
    key = "neg_counterfactual_flip_minus_placebo"
    assert scoring[key](model, X, y) == alone(model, X, y)
    # weights edited in place between two scorers of the pass
    weights = np.ones(len(X))
    before = scoring["counterfactual_flip"](model, X, y, sample_weight=weights)
    weights[: len(X) // 2] = 0.0
    flip = make_counterfactual_flip_scorer(augmenter=names())
    placebo = scoring[key](model, X, y, sample_weight=weights)
    assert placebo == alone(model, X, y, sample_weight=weights)
    assert before == flip(model, X, y, sample_weight=np.ones(len(X)))


def test_another_frame_with_the_same_rows_is_predicted_again(loans):
    X, y = loans
    scoring = fairness_scoring(augmenter=names())
    model = CountingTree().fit(X, y)
    scoring["counterfactual_flip"](model, X, y)
    CountingTree.calls.clear()
    scoring["accuracy"](model, X.copy(), y)  # equal rows, another object
    assert CountingTree.calls == [len(X)]
    CountingTree.calls.clear()
    scoring["accuracy"](model, X, y)  # the same object: read from the pass
    assert CountingTree.calls == []


def test_weighted_accuracy_under_metadata_routing(loans):
    X, y = loans
    weights = np.linspace(0.5, 2.0, len(X))
    with sklearn.config_context(enable_metadata_routing=True):
        scoring = fairness_scoring(augmenter=names())
        for scorer in scoring.values():
            scorer.set_score_request(sample_weight=True)
        reference = get_scorer("accuracy").set_score_request(sample_weight=True)
        model = CountingTree()
        got = cross_validate(
            model, X, y, scoring=scoring, cv=3, params={"sample_weight": weights}
        )
        expected = cross_validate(
            model,
            X,
            y,
            scoring={"accuracy": reference},
            cv=3,
            params={"sample_weight": weights},
        )
    np.testing.assert_array_equal(got["test_accuracy"], expected["test_accuracy"])
    unweighted = cross_validate(CountingTree(), X, y, scoring="accuracy", cv=3)
    assert not np.array_equal(got["test_accuracy"], unweighted["test_score"])


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_candidate_updated_in_place_by_partial_fit_is_predicted_again(loans):
    from sklearn.neural_network import MLPClassifier
    from sklearn.preprocessing import StandardScaler

    X, y = loans
    y = np.asarray(y)
    scoring = fairness_scoring(augmenter=names())
    mlp = MLPClassifier(hidden_layer_sizes=(8,), random_state=0)
    model = on_columns(["gender_code", "income"], mlp)
    model.steps.insert(1, ("scale", StandardScaler()))
    model.fit(X, y)
    accuracy = get_scorer("accuracy")
    flip = make_counterfactual_flip_scorer(augmenter=names())
    scored = []
    for step in range(3):  # an online-learning loop: weights change in place
        got = {key: scorer(model, X, y) for key, scorer in scoring.items()}
        assert got["accuracy"] == accuracy(model, X, y)
        assert got["counterfactual_flip"] == flip(model, X, y)
        scored.append(got["accuracy"])
        prepared = model[:-1].transform(X)
        for _ in range(20):
            model[-1].partial_fit(prepared, 1 - y if step % 2 else y)
    assert len(set(scored)) > 1  # the updates changed the decisions


class InPlaceThreshold(ClassifierMixin, BaseEstimator):
    """Approves incomes above ``cut_[0]``; ``nudge`` edits that array in place."""

    def fit(self, X, y):
        self.classes_ = np.array([0, 1])
        self.cut_ = np.array([float(np.median(X["income"]))])
        return self

    def nudge(self, amount):
        self.cut_ += amount  # no attribute is rebound

    def predict(self, X):
        return (X["income"].to_numpy() > self.cut_[0]).astype(np.int64)


def test_fitted_arrays_edited_in_place_are_seen(loans):
    X, y = loans
    scoring = fairness_scoring(augmenter=names())
    model = InPlaceThreshold().fit(X, y)
    accuracy = get_scorer("accuracy")
    scoring["counterfactual_flip"](model, X, y)
    before = accuracy(model, X, y)
    model.nudge(20_000.0)
    after = accuracy(model, X, y)
    assert after != before
    assert scoring["accuracy"](model, X, y) == after


@pytest.mark.parametrize(
    "name",
    [
        "accuracy",
        "balanced_accuracy",
        "r2",
        "neg_mean_absolute_error",
        "neg_mean_squared_error",
    ],
)
def test_each_shared_predict_scorer_equals_scikit_learns(loans, name):
    from sklearn.tree import DecisionTreeRegressor

    from skcounterfactual._shared_pass import SharedPredictScorer

    X, y = loans
    if name in ("accuracy", "balanced_accuracy"):
        model = on_columns(
            ["gender_code", "income"], DecisionTreeClassifier(max_depth=3)
        )
        target = y
    else:
        model = on_columns(["gender_code", "age"], DecisionTreeRegressor(max_depth=3))
        target = X["income"].to_numpy(dtype=float)
    model.fit(X, target)
    weights = np.linspace(0.5, 1.5, len(X))
    ours = SharedPredictScorer(name, None)
    assert ours(model, X, target) == get_scorer(name)(model, X, target)
    with sklearn.config_context(enable_metadata_routing=True):
        theirs = get_scorer(name).set_score_request(sample_weight=True)
        expected = theirs(model, X, target, sample_weight=weights)
    assert ours(model, X, target, sample_weight=weights) == expected
    assert repr(ours) == repr(get_scorer(name))
