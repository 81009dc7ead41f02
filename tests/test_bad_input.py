"""A table of bad inputs across the public API: each gets a clear, named error.

Where a result is well defined (all predictions one class), it is returned and
checked instead.
"""

import re

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.dummy import DummyClassifier
from sklearn.exceptions import NotFittedError
from sklearn.tree import DecisionTreeClassifier

from skcounterfactual import (
    CounterfactualAugmentedClassifier,
    CounterfactualAugmenter,
    audit,
    counterfactual_effect,
    counterfactual_flip_rate,
    fairness_scoring,
    leaderboard,
    make_counterfactual_flip_scorer,
    make_parity_scorer,
    most_accurate_within,
    plot_pareto,
)
from skcounterfactual._augmenter import NO_TWIN_SPECIFICATION, PROTECTED_MISMATCH
from skcounterfactual._kind import PREDICT_FOR_CLASSIFIER, TOLERANCE_FOR_CLASSIFIER
from skcounterfactual._predictions import BAD_POS_LABEL, NEEDS_POS_LABEL
from skcounterfactual._protocol import BAD_TARGET_ROWS, NOT_A_TWIN_MAKER
from skcounterfactual._twins import SINGLE_VALUE_DOMAIN
from skcounterfactual._validation import (
    BAD_CONFIDENCE,
    BAD_SAMPLE_WEIGHT_SHAPE,
    BAD_SAMPLE_WEIGHT_VALUES,
    BAD_Y_SHAPE,
    NOT_BOOL,
    Y_REQUIRED,
)

X = pd.DataFrame(
    {
        "gender": ["Female", "Male", "Female", "Male"],
        "code": [0, 1, 0, 1],
        "income": [10.0, 20.0, 30.0, 40.0],
    }
)
Y = np.array([0, 1, 1, 1])
MODEL = DecisionTreeClassifier(random_state=0).fit(X[["code", "income"]], Y)


class _Columns:
    """A fitted model on the numeric columns of X."""

    def __init__(self, estimator):
        self.estimator = estimator

    def __sklearn_is_fitted__(self):
        return True

    def predict(self, frame):
        return self.estimator.predict(frame[["code", "income"]])


FITTED = _Columns(MODEL)
WORDED = DecisionTreeClassifier(random_state=0).fit(
    X[["code", "income"]], np.where(Y == 1, "approved", "denied")
)


def augmenter_fit(**params):
    def call(data=X):
        return CounterfactualAugmenter(**params).fit(data)

    return call


def flip(estimator=FITTED, data=X, **kwargs):
    kwargs.setdefault("protected", "gender")
    return counterfactual_flip_rate(estimator, data, **kwargs)


CASES = [
    # --- the augmenter
    ("no protected", lambda: augmenter_fit()(), ValueError, "protected is required"),
    (
        "protected of a wrong type",
        lambda: augmenter_fit(protected={"gender": 1})(),
        TypeError,
        "protected must be a column name, an integer position or a list",
    ),
    (
        "protected column missing",
        lambda: augmenter_fit(protected="sex")(),
        ValueError,
        "protected='sex' is not a column of X.",
    ),
    (
        "empty frame",
        lambda: augmenter_fit(protected="gender")(X.iloc[:0]),
        ValueError,
        "X has no rows",
    ),
    (
        "a single group",
        lambda: augmenter_fit(protected="gender")(X[X.gender == "Male"]),
        ValueError,
        "The domain of 'gender' has a single value ['Male']",
    ),
    (
        "NaN in the protected column",
        lambda: augmenter_fit(protected="gender")(X.assign(gender=[None, "Male"] * 2)),
        ValueError,
        "The protected column 'gender' has 2 missing value(s).",
    ),
    (
        "sparse matrix",
        lambda: augmenter_fit(protected=0)(sp.csr_matrix(np.eye(3))),
        TypeError,
        "X is a sparse matrix (csr_matrix)",
    ),
    (
        "1-D array",
        lambda: augmenter_fit(protected=0)(np.arange(3)),
        ValueError,
        "X must be a pandas DataFrame or a 2-D array, got ndarray with shape (3,)",
    ),
    (
        "a Series",
        lambda: augmenter_fit(protected=0)(X["gender"]),
        ValueError,
        "Use X.to_frame() for a single column.",
    ),
    (
        "duplicated column names",
        lambda: augmenter_fit(protected="gender")(
            X.set_axis(["gender", "gender", "x"], axis=1)
        ),
        ValueError,
        "X has duplicated column names ['gender']",
    ),
    (
        "links not a dict",
        lambda: augmenter_fit(protected="gender", links=["code"])(),
        TypeError,
        "links must be a dict or None, got list",
    ),
    (
        "unknown generated field",
        lambda: augmenter_fit(protected="gender", links={"code": "nickname"})(),
        ValueError,
        "links['code']='nickname' is not a generated field.",
    ),
    (
        "link to a missing column",
        lambda: augmenter_fit(protected="gender", links={"title": "title"})(),
        ValueError,
        "links names 'title', which is not a column of X.",
    ),
    (
        "value map lacking a value",
        lambda: augmenter_fit(protected="gender", links={"code": {"Male": 1}})(),
        ValueError,
        "links['code'] has no entry for gender='Female'.",
    ),
    (
        "a protected column linked to itself",
        lambda: augmenter_fit(protected="gender", links={"gender": "first_name"})(),
        ValueError,
        "links['gender']: 'gender' is a protected attribute",
    ),
    (
        "flat links with two attributes",
        lambda: augmenter_fit(
            protected=["gender", "code"], links={"income": "resample"}
        )(),
        ValueError,
        "links must be given per protected attribute when several are protected",
    ),
    (
        "values for an unprotected column",
        lambda: augmenter_fit(protected="gender", values={"age": [1, 2]})(),
        ValueError,
        "values names ['age'], which are not protected attributes",
    ),
    (
        "values given as a string",
        lambda: augmenter_fit(protected="gender", values={"gender": "FM"})(),
        TypeError,
        "values['gender'] must be a list of values",
    ),
    (
        "unknown value under strict",
        lambda: augmenter_fit(
            protected="gender", values={"gender": ["Female", "Other"]}, strict=True
        )(),
        ValueError,
        "values['gender'] contains ['Other'], never seen",
    ),
    (
        "a value the dtype cannot hold",
        lambda: augmenter_fit(protected="code", values={"code": [0, 0.5]})(),
        ValueError,
        "Column 'code' has dtype int64, which cannot hold the twin value 0.5",
    ),
    (
        "unsupported Mimesis locale",
        lambda: augmenter_fit(protected="gender", default_locale="klingon")(),
        ValueError,
        "default_locale='klingon' is not a Mimesis locale.",
    ),
    (
        "unknown source",
        lambda: augmenter_fit(protected="gender", source="web")(),
        ValueError,
        "source must be one of ('auto', 'vocabulary', 'mimesis'), got 'web'.",
    ),
    (
        "n_twins negative",
        lambda: augmenter_fit(protected="gender", n_twins=-1)(),
        ValueError,
        "n_twins must be None or a positive integer, got -1.",
    ),
    (
        "make_twins before fit",
        lambda: CounterfactualAugmenter(protected="gender").make_twins(X),
        NotFittedError,
        "This CounterfactualAugmenter instance is not fitted yet.",
    ),
    (
        "fit_resample without y",
        lambda: CounterfactualAugmenter(protected="gender").fit_resample(X, None),
        ValueError,
        Y_REQUIRED.format(
            what="fit_resample", why="each twin copies its source's label"
        ),
    ),
    (
        "fit_resample with a wrong-length y",
        lambda: CounterfactualAugmenter(protected="gender").fit_resample(X, [0, 1]),
        ValueError,
        BAD_TARGET_ROWS.format(n_samples=4, shape=(2,)),
    ),
    (
        "wrong-length sample weights for the augmented classifier",
        lambda: CounterfactualAugmentedClassifier(
            DecisionTreeClassifier(), CounterfactualAugmenter(protected="gender")
        ).fit(X, Y, sample_weight=[1.0]),
        ValueError,
        BAD_SAMPLE_WEIGHT_SHAPE.format(n_samples=4, shape=(1,)),
    ),
    (
        "negative sample weights",
        lambda: CounterfactualAugmentedClassifier(
            DecisionTreeClassifier(), CounterfactualAugmenter(protected="gender")
        ).fit(X, Y, sample_weight=[1.0, -1.0, 1.0, 1.0]),
        ValueError,
        BAD_SAMPLE_WEIGHT_VALUES.format(n_bad=0, n_negative=1),
    ),
    (
        "meta-estimator without an augmenter",
        lambda: CounterfactualAugmentedClassifier(
            estimator=DecisionTreeClassifier()
        ).fit(X[["code"]], Y),
        TypeError,
        NOT_A_TWIN_MAKER.format(kind="NoneType", value=None),
    ),
    # --- the scorers
    (
        "scoring a missing protected column",
        lambda: flip(protected="sex"),
        ValueError,
        "protected='sex' is not a column of X.",
    ),
    (
        "scoring with an unfitted estimator",
        lambda: flip(estimator=DecisionTreeClassifier()),
        NotFittedError,
        "is not fitted. Fit it before computing counterfactual scores.",
    ),
    (
        "an estimator without predict",
        lambda: flip(estimator=object()),
        TypeError,
        "estimator must have a predict method, got object",
    ),
    (
        "probabilities from an estimator without predict_proba",
        lambda: counterfactual_effect(
            FITTED, X, protected="gender", response_method="predict_proba"
        ),
        ValueError,
        "response_method='predict_proba', but _Columns has no predict_proba.",
    ),
    (
        "an unknown response method",
        lambda: counterfactual_effect(
            FITTED, X, protected="gender", response_method="proba"
        ),
        ValueError,
        "response_method must be one of ('auto', 'predict', 'predict_proba', "
        "'decision_function'), got 'proba'.",
    ),
    (
        "a threshold (wrap the model in FixedThresholdClassifier instead)",
        lambda: flip(threshold=0.3),
        TypeError,
        "got an unexpected keyword argument 'threshold'",
    ),
    (
        "a response method for the flip rate (decisions come from predict)",
        lambda: flip(response_method="predict_proba"),
        TypeError,
        "got an unexpected keyword argument 'response_method'",
    ),
    (
        "effect from labels",
        lambda: counterfactual_effect(
            MODEL, X[["code", "income"]], protected="code", response_method="predict"
        ),
        ValueError,
        PREDICT_FOR_CLASSIFIER.format(name="DecisionTreeClassifier"),
    ),
    (
        "wrong-length sample weights in scoring",
        lambda: flip(sample_weight=np.ones(3)),
        ValueError,
        BAD_SAMPLE_WEIGHT_SHAPE.format(n_samples=4, shape=(3,)),
    ),
    (
        "infinite sample weights",
        lambda: flip(sample_weight=[np.inf, 1, 1, 1]),
        ValueError,
        BAD_SAMPLE_WEIGHT_VALUES.format(n_bad=1, n_negative=0),
    ),
    (
        "a fold lacking a group",
        lambda: flip(data=X[X.gender == "Female"]),
        ValueError,
        SINGLE_VALUE_DOMAIN.format(attribute="gender", values=["Female"]),
    ),
    (
        "protected and augmenter naming other columns",
        lambda: flip(augmenter=CounterfactualAugmenter(protected="code")),
        ValueError,
        PROTECTED_MISMATCH.format(protected="gender", augmenter_protected="code"),
    ),
    (
        "a twin option passed to a scorer",
        lambda: flip(links={"code": {"Female": 0, "Male": 1}}),
        TypeError,
        "got an unexpected keyword argument 'links'",
    ),
    (
        "a non-boolean sensitive_features_at_predict",
        lambda: flip(sensitive_features_at_predict="yes"),
        ValueError,
        NOT_BOOL.format(param="sensitive_features_at_predict", value="yes"),
    ),
    (
        "chunk size zero",
        lambda: flip(chunk_size=0),
        ValueError,
        "chunk_size must be a positive integer, got 0.",
    ),
    (
        "a scorer without protected",
        lambda: make_counterfactual_flip_scorer(),
        ValueError,
        NO_TWIN_SPECIFICATION,
    ),
    (
        "an augmenter of the wrong type",
        lambda: make_counterfactual_flip_scorer(augmenter="gender"),
        TypeError,
        NOT_A_TWIN_MAKER.format(kind="str", value="gender"),
    ),
    (
        "an unknown parity metric",
        lambda: make_parity_scorer("fairness", protected="gender"),
        ValueError,
        "metric must be one of",
    ),
    (
        "equalized odds without y",
        lambda: make_parity_scorer("equalized_odds_difference", protected="gender")(
            FITTED, X
        ),
        ValueError,
        "The equalized_odds_difference scorer needs y (true labels).",
    ),
    (
        "parity with a missing column",
        lambda: make_parity_scorer(protected="sex")(FITTED, X),
        ValueError,
        "protected='sex' is not a column of X.",
    ),
    (
        "fairness scoring without protected",
        lambda: fairness_scoring(),
        ValueError,
        NO_TWIN_SPECIFICATION,
    ),
    (
        "parity of string labels without pos_label",
        lambda: make_parity_scorer(protected="gender")(WORDED, X),
        ValueError,
        NEEDS_POS_LABEL.format(
            what="The demographic_parity_difference scorer",
            classes=["approved", "denied"],
        ),
    ),
    (
        "refit bound outside [0, 1]",
        lambda: most_accurate_within(max_flip_rate=5),
        ValueError,
        "max_flip_rate must be in [0, 1] or None, got 5.",
    ),
    # --- audit and leaderboard
    (
        "audit of a missing column",
        lambda: audit(FITTED, X, protected="sex"),
        ValueError,
        "protected='sex' is not a column of X.",
    ),
    (
        "audit with a wrong-length y",
        lambda: audit(FITTED, X, Y[:3], protected="gender"),
        ValueError,
        BAD_Y_SHAPE.format(n_samples=4, shape=(3,)),
    ),
    (
        "audit of an object without predict",
        lambda: audit(object(), X, protected="gender"),
        TypeError,
        "estimator must have a predict method, got object",
    ),
    (
        "audit of an empty frame",
        lambda: audit(FITTED, X.iloc[:0], protected="gender"),
        ValueError,
        "X has no rows",
    ),
    (
        "audit with a favourable label that is not a class",
        lambda: audit(MODEL, X[["code", "income"]], protected="code", pos_label=7),
        ValueError,
        BAD_POS_LABEL.format(pos_label=7, classes=[0, 1]),
    ),
    (
        "audit of a classifier with a regressor's tolerance",
        lambda: audit(WORDED, X, protected="gender", tolerance=0.5),
        ValueError,
        TOLERANCE_FOR_CLASSIFIER.format(tolerance=0.5, name="DecisionTreeClassifier"),
    ),
    (
        "audit with the former favourable parameter",
        lambda: audit(MODEL, X[["code", "income"]], protected="code", favourable=1),
        TypeError,
        "got an unexpected keyword argument 'favourable'",
    ),
    (
        "audit with a confidence outside (0, 1)",
        lambda: audit(FITTED, X, protected="gender", confidence=2),
        ValueError,
        BAD_CONFIDENCE.format(confidence=2),
    ),
    (
        "leaderboard of something that is not a search",
        lambda: leaderboard(42),
        ValueError,
        "search must be a fitted GridSearchCV / RandomizedSearchCV",
    ),
    (
        "leaderboard of a search scored without fairness keys",
        lambda: leaderboard({"params": [{}], "mean_test_score": [0.5]}),
        ValueError,
        "accuracy_key='accuracy' is not a scoring key of the search",
    ),
    (
        "Pareto plot of a string",
        lambda: plot_pareto("board"),
        ValueError,
        "search must be a fitted GridSearchCV / RandomizedSearchCV",
    ),
    (
        "refit on results without the flip key",
        lambda: most_accurate_within(max_flip_rate=0.1)({"mean_test_accuracy": [0.5]}),
        ValueError,
        "cv_results_ has no 'mean_test_counterfactual_flip'",
    ),
]


@pytest.mark.parametrize(
    "call, exception, message",
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_bad_input_raises_a_named_error(call, exception, message):
    with pytest.raises(exception, match=re.escape(message)):
        call()


def test_the_table_is_large_enough():
    assert len(CASES) >= 30


def test_well_defined_audits_are_returned_without_nan():
    import json

    # all predictions one class: no flip, parity 0, every value defined
    constant = DummyClassifier(strategy="constant", constant=1).fit(X, Y)
    result = json.loads(audit(constant, X, Y, protected="gender").to_json())
    gender = result["attributes"]["gender"]
    assert gender["flip_rate"] == 0.0
    assert gender["demographic_parity_difference"] == 0.0
    # a label other than the favourable one counts as unfavourable
    three = json.loads(audit(FITTED, X, np.arange(4) % 3, protected="gender").to_json())
    assert three["attributes"]["gender"]["equalized_odds_difference"] is not None


def test_well_defined_results_are_returned():
    constant = DummyClassifier(strategy="constant", constant=1).fit(X, Y)
    assert counterfactual_flip_rate(constant, X, protected="gender") == 0.0
    parity = make_parity_scorer(protected="gender")(constant, X)
    assert parity == 0.0
    # infinite values in a protected float column are values like any other
    frame = pd.DataFrame({"g": [1.0, np.inf, 1.0], "v": [1, 2, 3]})
    twins = CounterfactualAugmenter(protected="g").fit(frame).make_twins(frame).X
    assert twins["g"].tolist() == [np.inf, 1.0, np.inf]
    # non-default and duplicated labels survive
    labelled = X.set_axis(["a", "a", "b", "c"])
    twin_set = (
        CounterfactualAugmenter(protected="gender").fit(labelled).make_twins(labelled)
    )
    assert twin_set.X.index.tolist() == ["a", "a", "b", "c"]
