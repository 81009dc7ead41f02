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
    CausalAugmenter,
    CounterfactualAugmentedClassifier,
    CounterfactualAugmenter,
    TransportAugmenter,
    audit,
    compare_twins,
    counterfactual_effect,
    counterfactual_flip_rate,
    fairness_scoring,
    find_proxies,
    leaderboard,
    make_counterfactual_flip_scorer,
    make_parity_scorer,
    most_accurate_within,
    plot_pareto,
    suggest_links,
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
from skcounterfactual.datasets import make_loan_applicants

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


# --- models that misbehave: each gives a clear error, never a silent number
class _Duck:
    """A fitted duck-typed model; ``predict`` returns ``decide(X)``."""

    def __init__(self, decide, proba=None, classes=(0, 1)):
        self.decide = decide
        self.proba = proba
        if classes is not None:
            self.classes_ = np.array(classes)

    def __sklearn_is_fitted__(self):
        return True

    def predict(self, X):
        return self.decide(pd.DataFrame(X))

    def __getattr__(self, name):
        if name == "predict_proba" and self.__dict__.get("proba") is not None:
            return lambda X: self.proba(pd.DataFrame(X))
        raise AttributeError(name)


def _by_code(X):
    return X["code"].to_numpy()


def _duck(decide=_by_code, **kwargs):
    return _Duck(decide, **kwargs)


def _halves(X):
    p = X["code"].to_numpy(dtype=float)
    return np.column_stack([1 - p, p])


def effect(estimator, data=X, **kwargs):
    kwargs.setdefault("protected", "gender")
    return counterfactual_effect(estimator, data, **kwargs)


def audited(estimator=FITTED, data=X, y=None, **kwargs):
    kwargs.setdefault("protected", "gender")
    return audit(estimator, data, y, **kwargs)


def profiles(schema=None, **kwargs):
    from skcounterfactual._profiles import make_profiles

    base = {
        "protected": {"gender": ["Male", "Female"]},
        "columns": {"income": {"low": 1, "high": 9}},
    }
    return make_profiles({**base, **(schema or {})}, **kwargs)


LARGE = pd.DataFrame({"v": [f"id{i}" for i in range(1_500)], "w": 0})
WEIGHTS_ON_MALES = np.where(X["gender"] == "Male", 1.0, 0.0)
MORE_CASES = [
    # --- values= and the domain
    (
        "values holding NaN",
        lambda: augmenter_fit(
            protected="gender", values={"gender": ["Male", np.nan]}
        )(),
        ValueError,
        "values['gender'] holds a missing value (nan); list only values a twin can "
        "take.",
    ),
    (
        "values holding pd.NA",
        lambda: augmenter_fit(protected="gender", values={"gender": ["Male", pd.NA]})(),
        ValueError,
        "values['gender'] holds a missing value (<NA>)",
    ),
    (
        "values holding None",
        lambda: augmenter_fit(protected="code", values={"code": [0, None]})(),
        ValueError,
        "values['code'] holds a missing value (None)",
    ),
    (
        "values holding NaT",
        lambda: augmenter_fit(protected="code", values={"code": [0, pd.NaT]})(),
        ValueError,
        "values['code'] holds a missing value (NaT)",
    ),
    (
        "values empty",
        lambda: augmenter_fit(protected="gender", values={"gender": []})(),
        ValueError,
        "values['gender'] is empty; list at least two values a twin can take",
    ),
    (
        "values as a set (no order)",
        lambda: augmenter_fit(protected="gender", values={"gender": {"Male"}})(),
        TypeError,
        "values['gender'] must be a list of values such as ['Female', 'Male'], "
        "got set: {'Male'}.",
    ),
    (
        "values as a dict",
        lambda: augmenter_fit(protected="code", values={"code": {0: "a", 1: "b"}})(),
        TypeError,
        "values['code'] must be a list of values such as ['Female', 'Male'], got dict",
    ),
    (
        "values holding a list",
        lambda: augmenter_fit(protected="gender", values={"gender": [["Male"], "F"]})(),
        TypeError,
        "values['gender'] must hold text, numbers, booleans or dates, got list: "
        "['Male'].",
    ),
    (
        "a domain too large for one twin per value",
        lambda: augmenter_fit(protected="v")(LARGE),
        ValueError,
        "With n_twins=None, each row gets one twin per other value: 1,499 twins per "
        "row for 'v' (1,500 values), more than the limit of 1,000. Pass n_twins=k",
    ),
    (
        "an intersection too large for one twin per combination",
        lambda: augmenter_fit(protected=["a", "b", "c"], intersectional=True)(
            pd.DataFrame({c: [f"{c}{i}" for i in range(11)] for c in "abc"})
        ),
        ValueError,
        "each row gets one twin per other combination of values: 1,330 twins per "
        "row for 'a & b & c' (11 x 11 x 11 values)",
    ),
    (
        "make_twins on an array after a fit on a frame",
        lambda: augmenter_fit(protected="gender")().make_twins(X.to_numpy()),
        ValueError,
        "X has columns [0, 1, 2], but CounterfactualAugmenter was fitted on columns "
        "['gender', 'code', 'income'] (an array's columns are its positions",
    ),
    (
        "make_twins on a frame after a fit on an array",
        lambda: augmenter_fit(protected=0)(X.to_numpy()).make_twins(X),
        ValueError,
        "X has columns ['gender', 'code', 'income'], but CounterfactualAugmenter "
        "was fitted on columns [0, 1, 2]",
    ),
    # --- parameters: what is allowed and what was received, no NumPy reprs
    (
        "n_twins a NumPy float",
        lambda: augmenter_fit(protected="gender", n_twins=np.float64(1.0))(),
        ValueError,
        "n_twins must be None or a positive integer, got 1.0.",
    ),
    (
        "n_twins True",
        lambda: augmenter_fit(protected="gender", n_twins=True)(),
        ValueError,
        "n_twins must be None or a positive integer, got True.",
    ),
    (
        "intersectional as text",
        lambda: augmenter_fit(protected="gender", intersectional="yes")(),
        ValueError,
        "intersectional must be one of (False, True, 'both'), got 'yes'.",
    ),
    (
        "placebo unknown",
        lambda: augmenter_fit(protected="gender", placebo="sometimes")(),
        ValueError,
        "placebo must be one of (False, True, 'auto'), got 'sometimes'.",
    ),
    (
        "strict as text",
        lambda: augmenter_fit(protected="gender", strict="yes")(),
        ValueError,
        "strict must be True or False, got 'yes'.",
    ),
    (
        "coherence with NumPy numbers out of range",
        lambda: augmenter_fit(
            protected="gender", coherence=(np.int64(0), np.float64(0.5))
        )(),
        ValueError,
        "got coherence=(0, 0.5).",
    ),
    (
        "include_original as text",
        lambda: augmenter_fit(protected="gender")().make_twins(X, include_original=1),
        ValueError,
        "include_original must be True or False, got 1.",
    ),
    (
        "protected an empty list",
        lambda: augmenter_fit(protected=[])(),
        ValueError,
        "protected must name at least one column, got [].",
    ),
    (
        "protected naming a column twice",
        lambda: augmenter_fit(protected=["gender", "gender"])(),
        ValueError,
        "protected names a column twice: ['gender', 'gender'].",
    ),
    (
        "chunk_size a NumPy zero",
        lambda: flip(chunk_size=np.int64(0)),
        ValueError,
        "chunk_size must be a positive integer, got 0.",
    ),
    (
        "chunk_size a float",
        lambda: flip(chunk_size=2.5),
        ValueError,
        "chunk_size must be a positive integer, got 2.5.",
    ),
    (
        "max_evidence negative",
        lambda: audited(max_evidence=-1),
        ValueError,
        "max_evidence must be a non-negative integer, got -1.",
    ),
    (
        "confidence a NumPy NaN",
        lambda: audited(confidence=np.float64("nan")),
        ValueError,
        BAD_CONFIDENCE.format(confidence=float("nan")),
    ),
    (
        "confidence True",
        lambda: audited(confidence=True),
        ValueError,
        BAD_CONFIDENCE.format(confidence=True),
    ),
    (
        "an unknown audit response method",
        lambda: audited(response_method="predict_log_proba"),
        ValueError,
        "response_method must be one of ('auto', 'predict', 'predict_proba', "
        "'decision_function'), got 'predict_log_proba'.",
    ),
    (
        "n_permutations below two",
        lambda: find_proxies(X, protected="gender", n_permutations=np.int64(1)),
        ValueError,
        "n_permutations must be an integer of at least 2, got 1.",
    ),
    (
        "refit bound a NumPy NaN",
        lambda: most_accurate_within(max_parity_difference=np.float64("nan")),
        ValueError,
        "max_parity_difference must be in [0, 1] or None, got nan.",
    ),
    (
        "refit key that is not a string",
        lambda: most_accurate_within(flip_key=1),
        TypeError,
        "flip_key must be a scoring key (a string), got int: 1.",
    ),
    (
        "a flip scorer with a NaN pos_label",
        lambda: make_counterfactual_flip_scorer(protected="gender", pos_label=np.nan),
        ValueError,
        "pos_label must be a class label, got nan.",
    ),
    # --- weights and labels
    (
        "sample_weight as text",
        lambda: flip(sample_weight=["1"] * 4),
        ValueError,
        "sample_weight must hold numbers, one weight per row of X; got values such "
        "as '1'.",
    ),
    (
        "sample_weight 2-D",
        lambda: flip(sample_weight=np.ones((4, 1))),
        ValueError,
        BAD_SAMPLE_WEIGHT_SHAPE.format(n_samples=4, shape=(4, 1)),
    ),
    (
        "sample_weight all zero",
        lambda: flip(sample_weight=np.zeros(4)),
        ValueError,
        "sample_weight sums to zero; at least one row must count.",
    ),
    (
        "sample_weight so large that it overflows",
        lambda: flip(sample_weight=[1e308] * 4),
        ValueError,
        "sample_weight holds 4 positive weight(s) outside [1e-150, 1e+150], whose "
        "squares (in the intervals' effective sample size) underflow or overflow",
    ),
    (
        "sample_weight so small that its square underflows",
        lambda: flip(sample_weight=[1e-200, 1, 1, 1]),
        ValueError,
        "sample_weight holds 1 positive weight(s) outside [1e-150, 1e+150]",
    ),
    (
        "y with a missing label",
        lambda: audited(y=[0, 1, np.nan, 1]),
        ValueError,
        "y has 1 missing label(s); the audit compares true labels with decisions",
    ),
    (
        "y in other terms than the classes",
        lambda: audit(
            MODEL, X[["code", "income"]], ["no", "yes", "yes", "yes"], protected="code"
        ),
        ValueError,
        "y holds the labels ['no', 'yes'], none of which is a class of the "
        "estimator [0, 1].",
    ),
    # --- predictions of the wrong kind
    (
        "predict returning None",
        lambda: flip(_duck(lambda X: None)),
        ValueError,
        # the rows and their twins are predicted in one call
        "predict returned None for 8 rows; expected an array of shape (8,).",
    ),
    (
        "predict returning one decision too many",
        lambda: flip(_duck(lambda X: np.zeros(len(X) + 1))),
        ValueError,
        "predict returned an array of shape (9,) for 8 rows; expected shape (8,).",
    ),
    (
        "predict returning a column per class",
        lambda: audited(_duck(lambda X: np.zeros((len(X), 2)))),
        ValueError,
        "predict returned an array of shape (8, 2) for 8 rows",
    ),
    (
        "predict returning a scalar",
        lambda: flip(_duck(lambda X: 1)),
        ValueError,
        "predict returned an array of shape () for 8 rows",
    ),
    (
        "predict returning lists",
        lambda: flip(_duck(lambda X: [[1], [1, 2]] * (len(X) // 2))),
        ValueError,
        "predict of _Duck returned decisions that are not labels, such as [1]",
    ),
    (
        "predict returning missing decisions",
        lambda: flip(_duck(lambda X: np.full(len(X), np.nan))),
        ValueError,
        "predict of _Duck returned 8 missing prediction(s) (NaN or None)",
    ),
    (
        "predict returning None decisions in an object array",
        lambda: audited(_duck(lambda X: np.array([1, None] * (len(X) // 2)))),
        ValueError,
        "predict of _Duck returned 4 missing prediction(s) (NaN or None)",
    ),
    (
        "predict_proba all NaN",
        lambda: effect(_duck(proba=lambda X: np.full((len(X), 2), np.nan))),
        ValueError,
        "predict_proba of _Duck returned 8 missing or infinite scores",
    ),
    (
        "predict_proba with three columns for two classes",
        lambda: audited(_duck(proba=lambda X: np.full((len(X), 3), 1 / 3))),
        ValueError,
        "predict_proba of _Duck returned 3 columns for 2 classes [0, 1].",
    ),
    (
        "predict_proba beyond [0, 1]",
        lambda: effect(_duck(proba=lambda X: 5 * _halves(X))),
        ValueError,
        "predict_proba of _Duck returned 4 probabilities outside [0, 1]",
    ),
    (
        "predict_proba of text",
        lambda: effect(_duck(proba=lambda X: np.full((len(X), 2), "high"))),
        ValueError,
        "predict_proba of _Duck returned scores that are not numbers, such as 'high'.",
    ),
    (
        "an audit of probabilities without classes_",
        lambda: audited(_duck(proba=_halves, classes=None)),
        ValueError,
        "predict_proba of _Duck has a column per class [0, 1] (no classes_: "
        "positions), and pos_label=None is none of them.",
    ),
    (
        "an effect of probabilities without classes_",
        lambda: effect(_duck(proba=_halves, classes=None)),
        ValueError,
        "counterfactual_effect needs the favourable class, and the estimator has "
        "no classes_ to name it.",
    ),
    # --- compare_twins, proxies and profiles
    (
        "compare_twins of a maker that twins no row",
        lambda: compare_twins(
            FITTED,
            X.assign(gender=None),
            augmenters={
                "bare": CounterfactualAugmenter(
                    protected="gender",
                    values={"gender": ["Female", "Male"]},
                    missing="skip",
                )
            },
        ),
        ValueError,
        "augmenters['bare'] builds no twin for 'gender' (every value is missing or "
        "outside its domain), so its flip rate is undefined.",
    ),
    (
        "compare_twins of twinned rows that weigh nothing",
        lambda: compare_twins(
            FITTED,
            X.assign(gender=["Female", "Female", None, None]),
            augmenters={
                "bare": CounterfactualAugmenter(
                    protected="gender",
                    values={"gender": ["Female", "Male"]},
                    missing="skip",
                )
            },
            sample_weight=[0, 0, 1, 1],
        ),
        ValueError,
        "The rows that augmenters['bare'] twins for 'gender' all have zero "
        "sample_weight, so its flip rate is undefined.",
    ),
    (
        "compare_twins of a list",
        lambda: compare_twins(FITTED, X, augmenters=[]),
        TypeError,
        "augmenters must be a non-empty dict of name to twin maker",
    ),
    (
        "transport twins over an infinite value",
        lambda: TransportAugmenter(protected="gender").fit(
            X.assign(income=[1.0, np.inf, 2.0, 3.0])
        ),
        ValueError,
        "Column 'income' has 1 missing or infinite value(s); the transport cost "
        "needs complete, finite rows.",
    ),
    (
        "a transport cost that is not a number",
        lambda: TransportAugmenter(
            protected="gender", cost=lambda A, B: np.full((len(A), len(B)), np.nan)
        ).fit(X),
        ValueError,
        "cost(A, B) returned 4 missing or infinite cost(s); every pair of rows "
        "needs a finite cost.",
    ),
    (
        "causal twins over an infinite value",
        lambda: CausalAugmenter(protected="gender", graph=[("gender", "income")]).fit(
            X.assign(income=[1.0, np.inf, 2.0, 3.0])
        ),
        ValueError,
        "Column 'income' of the causal graph has 1 missing or infinite value(s)",
    ),
    (
        "a loan data set too large to build",
        lambda: make_loan_applicants(10**12),
        ValueError,
        "n_samples must be at most 100,000,000 (the data set is built in memory); "
        "got n_samples=1,000,000,000,000.",
    ),
    (
        "a loan data set of a NumPy zero",
        lambda: make_loan_applicants(np.int64(0)),
        ValueError,
        "n_samples must be a positive integer; got n_samples=0.",
    ),
    (
        "proxies of a single group",
        lambda: find_proxies(X.assign(gender="Male"), protected="gender"),
        ValueError,
        "protected='gender' has 1 distinct non-missing value(s); finding proxies "
        "compares groups, so it needs at least two.",
    ),
    (
        "suggested links without a threshold",
        lambda: suggest_links(X, protected="gender", coherence=None),
        ValueError,
        "coherence must be a pair (min_count, min_share) such as (10, 0.05) to "
        "suggest links; got coherence=None.",
    ),
    (
        "profiles without columns or id keep their rows",
        lambda: len(profiles({"columns": {}}, n_profiles=0)),
        ValueError,
        "n_profiles must be a positive integer, got 0.",
    ),
    (
        "profiles of a NumPy count that is too large",
        lambda: profiles(n_profiles=np.int64(10**8)),
        ValueError,
        "n_profiles=100,000,000 with 2 protected values makes 200,000,000 rows, "
        "more than 10,000,000.",
    ),
    (
        "profiles with a NaN bound",
        lambda: profiles({"columns": {"x": {"low": float("nan"), "high": 1}}}),
        ValueError,
        'schema["columns"][\'x\']["low"] must be a whole number, got nan.',
    ),
    (
        "profiles with bounds the wrong way round",
        lambda: profiles(
            {"columns": {"x": {"low": 2.0, "high": 1.0, "type": "float"}}}
        ),
        ValueError,
        'schema["columns"][\'x\'] has "low" 2.0 above "high" 1.0; swap them.',
    ),
    (
        "profiles with a value listed twice",
        lambda: profiles({"protected": {"gender": ["M", "M"]}}),
        ValueError,
        "schema[\"protected\"]['gender'] lists a value twice: ['M', 'M'].",
    ),
    (
        "profiles linking the protected column to itself",
        lambda: profiles({"links": {"gender": "first_name"}}),
        ValueError,
        'schema["links"] names \'gender\', which schema["protected"] already names',
    ),
]


@pytest.mark.parametrize(
    "call, exception, message",
    [case[1:] for case in CASES + MORE_CASES],
    ids=[case[0] for case in CASES + MORE_CASES],
)
def test_bad_input_raises_a_named_error(call, exception, message):
    with pytest.raises(exception, match=re.escape(message)):
        call()


def test_the_table_is_large_enough():
    cases = CASES + MORE_CASES
    assert len(cases) >= 100
    assert len({case[0] for case in cases}) == len(cases)


def test_messages_show_no_numpy_reprs():
    for _, call, exception, _ in CASES + MORE_CASES:
        with pytest.raises(exception) as caught:
            call()
        assert not re.search(r"\b(np|numpy)\.\w+\(|\barray\(", str(caught.value))


def test_numpy_integers_are_accepted_as_counts():
    constant = DummyClassifier(strategy="constant", constant=1).fit(X, Y)
    rate = flip(constant, chunk_size=np.int64(10))
    assert rate == 0.0
    augmenter = CounterfactualAugmenter(protected="gender", n_twins=np.int64(1))
    assert len(augmenter.fit(X).make_twins(X)) == 4
    report = audited(constant, max_evidence=np.int64(2), chunk_size=np.int32(3))
    assert report.attributes["gender"].n_rows == 4
    proxies = find_proxies(X, protected="gender", n_permutations=np.int64(3))
    assert len(proxies) == 2
    assert len(profiles(n_profiles=np.int64(2))) == 4


def test_profiles_without_numeric_columns_keep_their_rows():
    frame = profiles({"columns": {}, "id": "person"}, n_profiles=3)
    assert len(frame) == 6
    frame = profiles({"columns": {}}, n_profiles=2)
    assert frame["gender"].tolist() == ["Male", "Female", "Male", "Female"]


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
