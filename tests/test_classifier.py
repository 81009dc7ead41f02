"""Training on twins: CounterfactualAugmentedClassifier, and the augmenter as an
imbalanced-learn sampler inside a search.
"""

import re

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC
from sklearn.tree import DecisionTreeClassifier

from skcounterfactual import (
    CounterfactualAugmentedClassifier,
    CounterfactualAugmenter,
    fairness_scoring,
)
from skcounterfactual._protocol import NOT_A_TWIN_MAKER


def test_meta_estimator_exposes_predict_proba_only_when_its_estimator_does(people):
    X = people[["gender_code", "income"]]
    y = people["gender_code"]
    aug = CounterfactualAugmenter(protected="gender_code")
    clf = CounterfactualAugmentedClassifier(
        estimator=DecisionTreeClassifier(max_depth=2, random_state=0), augmenter=aug
    ).fit(X, y)
    assert hasattr(clf, "predict_proba")
    assert clf.predict_proba(X).shape == (len(X), 2)
    # trained on twins with copied labels, the tree cannot use gender any more
    assert clf.estimator_.feature_importances_[0] == 0.0
    svc = CounterfactualAugmentedClassifier(estimator=LinearSVC(), augmenter=aug)
    assert not hasattr(svc, "predict_proba")
    assert hasattr(svc, "decision_function")


def test_meta_estimator_passes_weights_to_a_pipelines_last_step():
    X = pd.DataFrame({"g": [0, 1] * 20, "v": np.arange(40.0)})
    y = (X["v"] > 20).astype(int)
    w = np.where(X["v"] > 30, 5.0, 1.0)
    clf = CounterfactualAugmentedClassifier(
        estimator=make_pipeline(StandardScaler(), LogisticRegression()),
        augmenter=CounterfactualAugmenter(protected="g"),
    )
    weighted = clf.fit(X, y, sample_weight=w).predict_proba(X)
    plain = clone(clf).fit(X, y).predict_proba(X)
    assert not np.allclose(weighted, plain)


@pytest.mark.parametrize(
    "augmenter, exc, message",
    [
        (
            None,
            TypeError,
            NOT_A_TWIN_MAKER.format(kind="NoneType", value=None),
        ),
        (
            CounterfactualAugmenter,  # the class, not an instance
            TypeError,
            NOT_A_TWIN_MAKER.format(kind="type", value=CounterfactualAugmenter),
        ),
    ],
)
def test_meta_estimator_needs_a_twin_maker(augmenter, exc, message):
    clf = CounterfactualAugmentedClassifier(
        estimator=DecisionTreeClassifier(), augmenter=augmenter
    )
    with pytest.raises(exc, match=re.escape(message)):
        clf.fit(pd.DataFrame({"g": [0, 1]}), [0, 1])


def test_imblearn_pipeline_under_grid_search_compares_augmentation():
    from imblearn.pipeline import Pipeline as ImbPipeline

    from skcounterfactual.datasets import make_loan_applicants

    X, y = make_loan_applicants(600, bias=1.0, random_state=0)
    X = X[["gender", "gender_code", "income"]]
    links = {"gender_code": {"Male": 1, "Female": 0}}
    pipe = ImbPipeline(
        [
            ("augment", CounterfactualAugmenter(protected="gender", links=links)),
            (
                "select",
                ColumnTransformer([("keep", "passthrough", ["gender_code", "income"])]),
            ),
            ("tree", DecisionTreeClassifier(max_depth=3, random_state=0)),
        ]
    )
    search = GridSearchCV(
        pipe,
        {
            "augment": [
                CounterfactualAugmenter(protected="gender", links=links),
                "passthrough",
            ]
        },
        scoring=fairness_scoring(
            augmenter=CounterfactualAugmenter(protected="gender", links=links)
        ),
        refit="accuracy",
        cv=3,
        error_score="raise",
    ).fit(X, y)
    flip = search.cv_results_["mean_test_counterfactual_flip"]
    accuracy = search.cv_results_["mean_test_accuracy"]
    assert flip[0] == 1.0  # augmented: gender no longer changes a decision
    assert flip[1] < 0.8  # not augmented: the tutorial's bias
    assert accuracy[1] > accuracy[0]  # the biased labels reward the biased model
