"""Test configuration: a bounded Hypothesis profile, and the data, models and
audits that several test files share (built once per test run; tests must not
modify them).
"""

import os

import numpy as np
import pandas as pd
import pytest
from hypothesis import settings
from sklearn.tree import DecisionTreeClassifier

from skcounterfactual import CounterfactualAugmenter, audit
from skcounterfactual.datasets import make_loan_applicants

# Hypothesis profiles, chosen with HYPOTHESIS_PROFILE (default: "ci" when CI
# is set, else "dev"):
# - "ci" draws the same examples on every run, so a failure reproduces, and
#   keeps the property and fuzz tests fast (each test bounds its own number
#   of examples with @settings(max_examples=...));
# - "dev" draws new examples on every run;
# - "long" draws new examples, twenty times as many in the fuzz tests
#   (tests/test_fuzz.py): HYPOTHESIS_PROFILE=long pytest tests/test_fuzz.py
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.register_profile("long", deadline=None, print_blob=True)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev")
)

GENDER_CODE = {"gender_code": {"Male": 1, "Female": 0}}


@pytest.fixture(scope="session")
def people():
    """400 people: names and titles of their gender, every dtype to carry."""
    rng = np.random.default_rng(0)
    n = 400
    gender = rng.choice(["Female", "Male"], n)
    female = ["Anna", "Maria", "Sofia", "Emma"]
    male = ["John", "Peter", "Karl", "Omar"]
    first = np.where(gender == "Female", rng.choice(female, n), rng.choice(male, n))
    title = np.where(gender == "Female", rng.choice(["Mrs.", "Ms."], n), "Mr.")
    return pd.DataFrame(
        {
            "gender": pd.array(gender, dtype="str"),
            "gender_code": (gender == "Male").astype(np.int64),
            "first_name": pd.array(first, dtype="str"),
            "title": pd.Categorical(title),
            "income": rng.integers(30_000, 120_000, n),
            "score": pd.array(rng.integers(0, 5, n), dtype="Int64"),
        },
        index=pd.Index([f"id{i}" for i in range(n)], name="applicant"),
    )


@pytest.fixture(scope="session")
def loans():
    """600 applicants whose labels follow the tutorial's biased rule."""
    return make_loan_applicants(n_samples=600, bias=1.0, random_state=0)


@pytest.fixture(scope="session")
def tutorial_model(loans):
    """The tutorial's tree on gender_code and income, fitted on ``loans``."""
    from _models import on_columns

    X, y = loans
    return on_columns(
        ["gender_code", "income"], DecisionTreeClassifier(max_depth=3, random_state=0)
    ).fit(X, y)


@pytest.fixture(scope="session")
def tutorial():
    """The tutorial's model, 1,000 fresh applicants and their gender audit."""
    from _models import on_columns

    X, y = make_loan_applicants(n_samples=1000, bias=1, random_state=42)
    model = on_columns(
        ["gender_code", "income"],
        DecisionTreeClassifier(max_depth=3, random_state=0),
        step="tree",
    ).fit(X, y)
    X_audit, y_audit = make_loan_applicants(n_samples=1000, bias=1, random_state=7)
    twins = CounterfactualAugmenter(protected="gender", links=GENDER_CODE)
    report = audit(model, X_audit, y_audit, augmenter=twins)
    return model, X_audit, y_audit, report


@pytest.fixture(scope="session")
def pyplot():
    """Matplotlib's pyplot on the Agg backend; skips the test without it."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    yield plt
    plt.close("all")


@pytest.fixture(scope="session")
def age_audit():
    """A model on age and income, audited with age twins 25, 45 and 65."""
    from _models import on_columns

    X, y = make_loan_applicants(n_samples=400, bias=1, random_state=5)
    model = on_columns(
        ["age", "income"],
        DecisionTreeClassifier(max_depth=3, random_state=0),
        step="tree",
    ).fit(X, y)
    ages = CounterfactualAugmenter(protected="age", values={"age": [25, 45, 65]})
    report = audit(model, X, y, augmenter=ages)
    return X, y, model, report
