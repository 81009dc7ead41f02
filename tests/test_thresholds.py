"""A decision threshold, one way everywhere: the model wrapped in
scikit-learn's ``FixedThresholdClassifier(FrozenEstimator(model),
threshold=...)``, which every score of a scoring dict, the audit and the
command line (``--threshold``) then honour alike."""

import re
from pathlib import Path

import numpy as np
import pytest
from _models import on_columns
from fairlearn.metrics import demographic_parity_difference
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import get_scorer
from sklearn.model_selection import FixedThresholdClassifier, GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skcounterfactual import CounterfactualAugmenter, audit, fairness_scoring
from skcounterfactual.datasets import make_loan_applicants

# The twins link the gender code alone (the model reads nothing else).
pytestmark = pytest.mark.filterwarnings(
    "ignore::skcounterfactual.IncoherentTwinWarning"
)
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def loans_model():
    X, y = make_loan_applicants(n_samples=700, bias=0.6, random_state=5)
    model = on_columns(
        ["gender_code", "income"], make_pipeline(StandardScaler(), LogisticRegression())
    ).fit(X, y)
    twins = CounterfactualAugmenter(
        protected="gender", links={"gender_code": {"Male": 1, "Female": 0}}
    ).fit(X)
    return X, np.asarray(y), model, twins


def decisions(model, X, threshold):
    """The decisions at ``threshold`` of the rows and of their gender twins."""
    flipped = X.assign(
        gender_code=1 - X["gender_code"],
        gender=np.where(X["gender"] == "Male", "Female", "Male"),
    )
    own = (model.predict_proba(X)[:, 1] >= threshold).astype(int)
    twin = (model.predict_proba(flipped)[:, 1] >= threshold).astype(int)
    return own, twin


@pytest.mark.parametrize("threshold", [0.3, 0.5, 0.8])
def test_every_score_of_one_scoring_dict_honours_the_threshold(loans_model, threshold):
    X, y, model, twins = loans_model
    wrapped = FixedThresholdClassifier(FrozenEstimator(model), threshold=threshold)
    wrapped.fit(X, y)  # a frozen model: fitting only records the classes
    own, twin = decisions(model, X, threshold)
    expected = {
        "accuracy": np.mean(own == y),
        "counterfactual_flip": 1 - np.mean(own != twin),
        "neg_demographic_parity_difference": -demographic_parity_difference(
            y, own, sensitive_features=X["gender"]
        ),
    }
    scoring = fairness_scoring(augmenter=twins)
    assert sorted(scoring) == sorted(expected)
    for key, scorer in scoring.items():
        scorer = get_scorer(scorer) if isinstance(scorer, str) else scorer
        assert scorer(wrapped, X, y) == pytest.approx(expected[key]), key
    found = audit(wrapped, X, y, augmenter=twins).attributes["gender"]
    assert found.flip_rate == pytest.approx(np.mean(own != twin))
    assert found.demographic_parity_difference == pytest.approx(
        -expected["neg_demographic_parity_difference"]
    )


def test_a_search_over_thresholds_scores_each_at_its_own(loans_model):
    X, y, model, twins = loans_model
    search = GridSearchCV(
        FixedThresholdClassifier(model),
        {"threshold": [0.2, 0.8]},
        scoring=fairness_scoring(augmenter=twins),
        refit="accuracy",
        cv=3,
        error_score="raise",
    ).fit(X, y)
    flips = 1 - search.cv_results_["mean_test_counterfactual_flip"]
    assert flips[0] != flips[1]
    assert search.best_estimator_.threshold in (0.2, 0.8)


def test_the_pages_show_one_way_to_set_a_threshold():
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.rst"))]
    pages += sorted((ROOT / "examples").glob("*.py"))
    text = {page.name: page.read_text(encoding="utf-8") for page in pages}
    guide = text["thresholds.rst"]
    assert "FixedThresholdClassifier(FrozenEstimator(model), threshold=" in guide
    assert "--threshold" in text["cli.rst"]
    for name, page in text.items():
        # no entry point of the package takes a threshold
        calls = re.findall(
            r"(?:audit|fairness_scoring|counterfactual_\w+|make_\w+_scorer)"
            r"\([^()]*threshold=",
            page,
        )
        assert calls == [], name
        # an already fitted model is wrapped frozen, or refit in a search
        for match in re.finditer(r"FixedThresholdClassifier\(([^,)]*)", page):
            argument = match.group(1).strip()
            assert argument.startswith(("FrozenEstimator(", "model", "estimator")), (
                name,
                argument,
            )
