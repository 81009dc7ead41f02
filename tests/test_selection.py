"""Model selection: group-parity scorers, the ready ``scoring=`` dict and the
fairness-bounded refit.
"""

import pickle
import re

import numpy as np
import pytest
from fairlearn.metrics import (
    demographic_parity_difference,
    demographic_parity_ratio,
    equalized_odds_difference,
)
from sklearn.compose import ColumnTransformer
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.tree import DecisionTreeClassifier

from skcounterfactual import (
    CounterfactualAugmenter,
    fairness_scoring,
    make_counterfactual_flip_scorer,
    make_parity_scorer,
    most_accurate_within,
)
from skcounterfactual._augmenter import NO_TWIN_SPECIFICATION, PROTECTED_MISMATCH
from skcounterfactual._predictions import NEEDS_POS_LABEL

# These tests twin the loan data with the fewest links their assertions need
# (often the gender code alone), so titles and names stay those of the other
# gender: the incoherence the coherence check reports (tests/test_coherence.py).
pytestmark = pytest.mark.filterwarnings(
    "ignore::skcounterfactual.IncoherentTwinWarning"
)


LINKS = {"gender_code": {"Male": 1, "Female": 0}}


def twins(**params):
    return CounterfactualAugmenter(
        protected="gender", links=LINKS, random_state=0, **params
    )


def select(columns, estimator):
    """A pipeline that takes whole applicant rows and uses only ``columns``."""
    return Pipeline(
        [
            ("select", ColumnTransformer([("keep", "passthrough", columns)])),
            ("model", estimator),
        ]
    )


# ---------------------------------------------------------------- parity
@pytest.mark.parametrize(
    "metric, fairlearn_metric, sign",
    [
        ("demographic_parity_difference", demographic_parity_difference, -1),
        ("demographic_parity_ratio", demographic_parity_ratio, 1),
        ("equalized_odds_difference", equalized_odds_difference, -1),
    ],
)
def test_parity_scorers_equal_fairlearn(
    loans, tutorial_model, metric, fairlearn_metric, sign
):
    X, y = loans
    scorer = make_parity_scorer(metric, protected="gender")
    expected = sign * fairlearn_metric(
        y, tutorial_model.predict(X), sensitive_features=X["gender"]
    )
    assert scorer(tutorial_model, X, y) == pytest.approx(expected, abs=1e-12)


def test_parity_scorer_pickles_and_has_a_readable_repr():
    parity = make_parity_scorer(protected="gender")
    assert repr(parity) == (
        "make_parity_scorer('demographic_parity_difference', protected='gender')"
    )
    assert repr(pickle.loads(pickle.dumps(parity))) == repr(parity)
    labelled = make_parity_scorer(
        "demographic_parity_ratio", protected="gender", pos_label="approved"
    )
    assert repr(labelled) == (
        "make_parity_scorer('demographic_parity_ratio', protected='gender', "
        "pos_label='approved')"
    )


def test_string_labels_give_parity_for_the_positive_class(loans):
    X, y = loans
    labels = np.where(y == 1, "approved", "denied")
    model = select(["gender_code", "income"], DecisionTreeClassifier(max_depth=3))
    numeric = -demographic_parity_difference(
        y, model.fit(X, y).predict(X), sensitive_features=X["gender"]
    )
    model.fit(X, labels)
    # classes_ are ["approved", "denied"]: name the favourable one
    scorer = make_parity_scorer(protected="gender", pos_label="approved")
    assert scorer(model, X, labels) == pytest.approx(numeric, abs=1e-12)
    search = GridSearchCV(
        model,
        {"model__max_depth": [2, 3]},
        scoring=fairness_scoring(augmenter=twins(), pos_label="approved"),
        refit="accuracy",
        cv=2,
        error_score="raise",
    ).fit(X, labels)
    parity = search.cv_results_["mean_test_neg_demographic_parity_difference"]
    assert np.all(np.isfinite(parity)) and np.all(parity < -0.3)


def test_string_labels_without_pos_label_are_refused(loans):
    # classes_[-1] used to be taken silently; "denied" would count as selected
    X, y = loans
    labels = np.where(y == 1, "approved", "denied")
    model = select(["gender_code", "income"], DecisionTreeClassifier(max_depth=3))
    model.fit(X, labels)
    message = NEEDS_POS_LABEL.format(
        what="The demographic_parity_difference scorer",
        classes=["approved", "denied"],
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        make_parity_scorer(protected="gender")(model, X, labels)
    # the flip rate needs no favourable class: any change of label is a flip
    flip = make_counterfactual_flip_scorer(augmenter=twins())
    assert 0.0 < flip(model, X) < 1.0


def test_parity_scorer_reads_the_protected_column_from_X(loans, tutorial_model):
    X, y = loans
    by_country = make_parity_scorer(protected="country")(tutorial_model, X)
    expected = -demographic_parity_difference(
        y, tutorial_model.predict(X), sensitive_features=X["country"]
    )
    assert by_country == pytest.approx(expected, abs=1e-12)
    both = make_parity_scorer(protected=["gender", "country"])(tutorial_model, X)
    expected = -demographic_parity_difference(
        y, tutorial_model.predict(X), sensitive_features=X[["gender", "country"]]
    )
    assert both == pytest.approx(expected, abs=1e-12)


def test_parity_scorer_errors(tutorial_model, loans):
    X, _ = loans
    with pytest.raises(ValueError, match=re.escape("metric must be one of")):
        make_parity_scorer("parity", protected="gender")
    with pytest.raises(ValueError, match=re.escape("protected is required")):
        make_parity_scorer()
    with pytest.raises(
        ValueError,
        match=re.escape("The equalized_odds_difference scorer needs y (true labels)."),
    ):
        make_parity_scorer("equalized_odds_difference", protected="gender")(
            tutorial_model, X
        )
    with pytest.raises(TypeError, match="takes from 0 to 1 positional argument"):
        make_parity_scorer("demographic_parity_difference", "gender")


# ------------------------------------------------------- fairness_scoring
def test_fairness_scoring_keys_and_scorers():
    scoring = fairness_scoring(augmenter=twins())
    # the flip scorer first: the scorers after it read its pass
    assert list(scoring) == [
        "counterfactual_flip",
        "accuracy",
        "neg_demographic_parity_difference",
    ]
    assert repr(scoring["accuracy"]) == (
        "make_scorer(accuracy_score, response_method='predict')"
    )
    mae = fairness_scoring(protected="gender", accuracy="neg_mean_absolute_error")
    assert "greater_is_better=False" in repr(mae["accuracy"])
    assert repr(scoring["counterfactual_flip"]) == (
        f"make_counterfactual_flip_scorer(augmenter={twins()!r})"
    )
    # the parity scorer reads the augmenter's protected column
    assert repr(scoring["neg_demographic_parity_difference"]) == (
        "make_parity_scorer('demographic_parity_difference', protected='gender')"
    )
    ratio = fairness_scoring(
        protected="gender", parity="demographic_parity_ratio", pos_label=1
    )
    assert list(ratio) == [
        "counterfactual_flip",
        "accuracy",
        "demographic_parity_ratio",
    ]
    assert ratio["counterfactual_flip"].pos_label == 1
    assert ratio["demographic_parity_ratio"].pos_label == 1
    assert list(fairness_scoring(protected="gender", parity=None)) == [
        "counterfactual_flip",
        "accuracy",
    ]
    assert fairness_scoring(protected="gender", accuracy="f1")["accuracy"] == "f1"


def test_fairness_scoring_arguments():
    with pytest.raises(ValueError, match=re.escape(NO_TWIN_SPECIFICATION)):
        fairness_scoring()
    with pytest.raises(TypeError, match="takes 0 positional arguments"):
        fairness_scoring("gender")
    with pytest.raises(TypeError, match="unexpected keyword argument 'links'"):
        fairness_scoring(protected="gender", links=LINKS)
    with pytest.raises(
        ValueError,
        match=re.escape(
            PROTECTED_MISMATCH.format(protected="country", augmenter_protected="gender")
        ),
    ):
        fairness_scoring(protected="country", augmenter=twins())


# ------------------------------------------------------ most_accurate_within
def test_refit_helper_picks_the_most_accurate_fair_candidate(loans):
    X, y = loans
    pipe = select(["gender_code", "income"], DecisionTreeClassifier(random_state=0))
    grid = {
        "select": [
            ColumnTransformer([("keep", "passthrough", ["gender_code", "income"])]),
            ColumnTransformer([("keep", "passthrough", ["income"])]),
        ]
    }
    search = GridSearchCV(
        pipe,
        grid,
        scoring=fairness_scoring(augmenter=twins()),
        refit=most_accurate_within(max_flip_rate=0.05),
        cv=3,
    ).fit(X, y)
    assert search.best_index_ == 1
    assert (
        search.cv_results_["mean_test_accuracy"][0]
        > search.cv_results_["mean_test_accuracy"][1]
    )
    impossible = most_accurate_within(max_flip_rate=0.0, fallback="raise")
    with pytest.raises(
        ValueError, match=re.escape("No candidate meets flip rate <= 0.0")
    ):
        impossible(
            {
                "mean_test_accuracy": np.array([0.9]),
                "mean_test_counterfactual_flip": np.array([0.5]),
            }
        )


def test_refit_explains_an_all_nan_metric():
    refit = most_accurate_within(max_parity_difference=0.1)
    with pytest.raises(ValueError, match=re.escape("error_score='raise'")):
        refit(
            {
                "mean_test_accuracy": np.array([0.9, 0.8]),
                "mean_test_neg_demographic_parity_difference": np.array([np.nan] * 2),
            }
        )


def test_refit_reads_the_keys_it_is_given():
    results = {
        "mean_test_acc": np.array([0.9, 0.8, 0.7]),
        "mean_test_flip": np.array([0.6, 0.97, 1.0]),
        "mean_test_parity": np.array([-0.5, -0.3, -0.05]),
    }
    refit = most_accurate_within(
        max_flip_rate=0.05,
        max_parity_difference=0.1,
        accuracy_key="acc",
        flip_key="flip",
        parity_key="parity",
    )
    assert refit(results) == 2
    assert most_accurate_within(accuracy_key="acc")(results) == 0
    assert repr(
        most_accurate_within(max_flip_rate=0.05, max_parity_difference=0.1)
    ) == ("most_accurate_within(max_flip_rate=0.05, max_parity_difference=0.1)")
    with pytest.raises(
        ValueError, match=re.escape("cv_results_ has no 'mean_test_accuracy'")
    ):
        most_accurate_within(max_flip_rate=0.05)(results)


@pytest.mark.parametrize(
    "kwargs, exc, message",
    [
        (
            {"max_flip_rate": 5},
            ValueError,
            "max_flip_rate must be in [0, 1] or None, got 5.",
        ),
        (
            {"max_parity_difference": True},
            ValueError,
            "max_parity_difference must be in [0, 1] or None, got True.",
        ),
        (
            {"flip_key": 3},
            TypeError,
            "flip_key must be a scoring key (a string), got int: 3.",
        ),
    ],
)
def test_refit_arguments_are_checked(kwargs, exc, message):
    with pytest.raises(exc, match=re.escape(message)):
        most_accurate_within(**kwargs)


def test_refit_bounds_are_keyword_only():
    with pytest.raises(TypeError, match="takes 0 positional arguments"):
        most_accurate_within(0.05)
