"""The response engine: decisions and scores on rows and their twins, chunk by
chunk; sensitive features at predict; output checks; the favourable class.
"""

import re

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OrdinalEncoder
from sklearn.svm import LinearSVC
from sklearn.tree import DecisionTreeClassifier

from skcounterfactual import (
    CounterfactualAugmenter,
    audit,
    counterfactual_effect,
    counterfactual_flip_rate,
    make_parity_scorer,
)
from skcounterfactual._predictions import (
    BAD_POS_LABEL,
    NEEDS_POS_LABEL,
    NO_CLASSES_POS_LABEL,
    counterfactual_predictions,
    observed_positive_class,
    positive_class,
    require_positive_class,
)
from skcounterfactual.datasets import make_loan_applicants

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


def test_result_does_not_depend_on_chunk_size(loans):
    X, y = loans
    model = Pipeline(
        [
            (
                "select",
                ColumnTransformer(
                    [
                        (
                            "names",
                            OrdinalEncoder(
                                handle_unknown="use_encoded_value", unknown_value=-1
                            ),
                            ["first_name"],
                        ),
                        ("income", "passthrough", ["income"]),
                    ]
                ),
            ),
            ("model", DecisionTreeClassifier(random_state=0)),
        ]
    ).fit(X, y)
    augmenter = CounterfactualAugmenter(
        protected="gender",
        links={**LINKS, "first_name": "first_name"},
        random_state=0,
    )
    whole = counterfactual_flip_rate(model, X, augmenter=augmenter)
    chunked = counterfactual_flip_rate(model, X, augmenter=augmenter, chunk_size=37)
    assert whole == chunked
    assert whole > 0


def test_arrays_give_the_same_result_in_any_chunk_size():
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.integers(0, 4, 400), rng.integers(0, 100, 400)]).astype(
        float
    )
    y = ((X[:, 0] >= 2) | (X[:, 1] > 50)).astype(int)
    model = DecisionTreeClassifier(random_state=0).fit(X, y)
    augmenter = CounterfactualAugmenter(protected=0, n_twins=1, random_state=0)
    rates = {
        size: counterfactual_flip_rate(model, X, augmenter=augmenter, chunk_size=size)
        for size in (400, 7, 64)
    }
    assert len(set(rates.values())) == 1
    assert rates[400] > 0


def test_predictions_align_rows_and_twins_across_chunks(people):
    pipe = Pipeline(
        [
            ("select", ColumnTransformer([("k", "passthrough", ["gender_code"])])),
            ("model", LogisticRegression()),
        ]
    ).fit(people, people["gender_code"])
    maker = twins().fit(people)
    seen = []
    predictions = counterfactual_predictions(
        pipe,
        people,
        maker,
        method="predict_proba",
        pos_label=1,
        chunk_size=150,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen == [(150, 400), (300, 400), (400, 400)]
    assert predictions.n_samples == 400
    np.testing.assert_array_equal(predictions.original, pipe.predict(people))
    assert predictions.provenance["source_position"].tolist() == list(range(400))
    # every twin of this model flips: it reads gender_code only
    mask = predictions.mask("twin")
    assert mask.all() and predictions.changed(mask).all()
    flipped, audited = predictions.flips(mask)
    assert flipped.all() and audited.all()
    change, audited = predictions.score_changes(mask)
    proba = pipe.predict_proba(people)[:, 1]
    flipped_rows = people.assign(gender_code=1 - people["gender_code"])
    expected = np.abs(pipe.predict_proba(flipped_rows)[:, 1] - proba)
    np.testing.assert_allclose(change, expected)
    assert predictions.mask("placebo").sum() == 0


def test_threshold_optimizer_gets_sensitive_features_at_predict():
    from fairlearn.postprocessing import ThresholdOptimizer

    X, y = make_loan_applicants(n_samples=600, bias=0.5, noise=0.1, random_state=0)
    base = Pipeline(
        [
            ("select", ColumnTransformer([("keep", "passthrough", ["income"])])),
            ("model", LogisticRegression(max_iter=1000)),
        ]
    )
    optimizer = ThresholdOptimizer(
        estimator=base,
        constraints="demographic_parity",
        predict_method="predict_proba",
    ).fit(X, y, sensitive_features=X["gender"])
    with pytest.raises(TypeError, match="sensitive_features"):
        counterfactual_flip_rate(optimizer, X, augmenter=twins())
    rate = counterfactual_flip_rate(
        optimizer, X, augmenter=twins(), sensitive_features_at_predict=True
    )
    # group thresholds differ by gender, so decisions do change for some twins
    assert 0 < rate < 1


# ----------------------------------------------------------- output checks
class Broken(ClassifierMixin, BaseEstimator):
    """A fitted model whose predictions have the wrong shape or values."""

    def __init__(self, fault="predict"):
        self.fault = fault

    def fit(self, X, y=None):
        self.classes_ = np.array([0, 1])
        return self

    def predict(self, X):
        if self.fault == "predict":
            return np.zeros((len(X), 2))
        return np.zeros(len(X), dtype=int)

    def predict_proba(self, X):
        if self.fault == "proba_shape":
            return np.full(len(X), 0.5)
        if self.fault == "proba_columns":
            return np.full((len(X), 3), 1 / 3)
        proba = np.full((len(X), 2), 0.5)
        if self.fault == "nan":
            proba[0] = np.nan
        return proba


GENDERS = pd.DataFrame({"gender": ["F", "M", "F", "M"], "v": [1, 2, 3, 4]})


@pytest.mark.parametrize(
    "fault, message",
    [
        (
            "predict",
            # the model is called once on the 4 rows and their 4 twins
            "predict returned an array of shape (8, 2) for 8 rows; expected shape "
            "(8,).",
        ),
        (
            "proba_shape",
            "predict_proba of Broken returned shape (8,); expected (8, n_classes).",
        ),
        (
            "proba_columns",
            "predict_proba of Broken returned 3 columns for 2 classes [0, 1].",
        ),
        (
            "nan",
            "predict_proba of Broken returned 1 missing or infinite scores; scores "
            "must be finite numbers.",
        ),
    ],
)
def test_malformed_outputs_are_refused_with_their_shape(fault, message):
    model = Broken(fault).fit(GENDERS)
    with pytest.raises(ValueError, match=re.escape(message)):
        counterfactual_effect(model, GENDERS, protected="gender")


# -------------------------------------------------------- the favourable class
class Labelled:
    """Just ``classes_``, as the resolution reads it."""

    def __init__(self, classes):
        self.classes_ = np.asarray(classes)


@pytest.mark.parametrize(
    "classes, expected",
    [
        ([0, 1], 1),
        ([0.0, 1.0], 1),
        ([-1, 1], 1),
        ([False, True], True),
        ([1], 1),  # a model that only ever saw the favourable class
        (["approved", "denied"], None),
        (["0", "1"], None),
        ([0, 1, 2], None),
        ([1, 2], None),
    ],
)
def test_pos_label_none_resolves_only_for_zero_one_classes(classes, expected):
    found = positive_class(Labelled(classes), None)
    assert found == expected and type(found) is type(expected)


def test_a_model_without_classes_has_no_resolved_class():
    assert positive_class(object(), None) is None
    assert positive_class(object(), "yes") == "yes"


def test_given_pos_label_must_be_a_class():
    model = Labelled(["approved", "denied"])
    assert positive_class(model, "denied") == "denied"
    assert positive_class(Labelled([0, 1]), np.int64(0)) == 0
    message = BAD_POS_LABEL.format(pos_label="yes", classes=["approved", "denied"])
    with pytest.raises(ValueError, match=re.escape(message)):
        positive_class(model, "yes")


def test_string_classes_need_pos_label_where_a_favourable_class_is_needed():
    message = NEEDS_POS_LABEL.format(what="The audit", classes=["approved", "denied"])
    with pytest.raises(ValueError, match=re.escape(message)):
        require_positive_class(Labelled(["approved", "denied"]), None, "The audit")
    assert require_positive_class(Labelled([0, 1]), None, "The audit") == 1


def test_decision_function_scores_the_favourable_class(loans):
    X, y = loans
    labels = np.where(y == 1, "yes", "no")  # classes_ ["no", "yes"]
    model = Pipeline(
        [
            (
                "select",
                ColumnTransformer([("k", "passthrough", ["gender_code", "income"])]),
            ),
            ("svc", LinearSVC()),
        ]
    ).fit(X, labels)
    maker = twins().fit(X)
    yes = counterfactual_predictions(
        model, X, maker, method="decision_function", pos_label="yes"
    )
    no = counterfactual_predictions(
        model, X, maker, method="decision_function", pos_label="no"
    )
    np.testing.assert_allclose(yes.original_score, model.decision_function(X))
    np.testing.assert_allclose(no.original_score, -model.decision_function(X))
    # the size of a change does not depend on the side it is seen from
    mask = yes.mask("twin")
    np.testing.assert_allclose(yes.score_changes(mask)[0], no.score_changes(mask)[0])


class Rule:
    """A duck-typed fitted model without ``classes_``: decides by a rule."""

    def __init__(self, labels=(0, 1)):
        self.labels = labels

    def __sklearn_is_fitted__(self):
        return True

    def predict(self, X):
        return np.where(X["gender"] == "M", self.labels[1], self.labels[0])


@pytest.mark.parametrize(
    "decisions, expected",
    [([0, 1, 1], 1), ([1, 1], 1), ([0, 0], 1), ([True, False], True), ([-1, 1], 1)],
)
def test_without_classes_the_decisions_stand_for_the_classes(decisions, expected):
    found = observed_positive_class(np.array(decisions), "The audit")
    assert found == expected and type(found) is type(expected)


def test_a_model_without_classes_and_other_decisions_needs_pos_label():
    message = NO_CLASSES_POS_LABEL.format(what="The audit", decisions=["no", "yes"])
    with pytest.raises(ValueError, match=re.escape(message)):
        observed_positive_class(np.array(["yes", "no", "yes"]), "The audit")
    worded = Rule(labels=("no", "yes"))
    # the audit reports what needs no favourable class, and says why the rest
    # is undefined
    unknown = audit(worded, GENDERS, protected="gender")
    assert unknown.pos_label is None
    assert unknown.attributes["gender"].flip_rate == 1.0
    assert unknown.attributes["gender"].demographic_parity_difference is None
    assert (
        "favourable class is unknown"
        in (unknown.attributes["gender"].undefined["demographic_parity_difference"])
    )
    parity = make_parity_scorer(protected="gender")
    message = NO_CLASSES_POS_LABEL.format(
        what="The demographic_parity_difference scorer", decisions=["no", "yes"]
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        parity(worded, GENDERS)
    # with pos_label, both work
    assert (
        audit(worded, GENDERS, protected="gender", pos_label="yes").pos_label == "yes"
    )
    assert (
        make_parity_scorer(protected="gender", pos_label="yes")(worded, GENDERS) == -1.0
    )


def test_the_audit_and_the_parity_scorer_agree_on_a_model_without_classes():
    model = Rule()
    report = audit(model, GENDERS, protected="gender")
    assert report.pos_label == 1
    gender = report.attributes["gender"]
    assert gender.flip_rate == 1.0
    assert gender.demographic_parity_difference == 1.0
    assert make_parity_scorer(protected="gender")(model, GENDERS) == -1.0
