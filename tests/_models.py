"""Small models and pipelines shared by the test files."""

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline


def keep(*columns):
    """A ColumnTransformer that keeps ``columns``: models receive whole rows."""
    return ColumnTransformer(
        [("keep", "passthrough", list(columns))], verbose_feature_names_out=False
    )


def on_columns(columns, estimator, *, step="model"):
    """A pipeline that takes whole applicant rows and uses only ``columns``."""
    return Pipeline([("select", keep(*columns)), (step, estimator)])


class KnownFlips(ClassifierMixin, BaseEstimator):
    """Approves every man; a woman only when ``u >= p``: flip rate ``p``."""

    def __init__(self, p=0.3):
        self.p = p

    def fit(self, X, y=None):
        self.classes_ = np.array([0, 1])
        return self

    def predict(self, X):
        approved = (X["gender"] == "Male") | (X["u"] >= self.p)
        return approved.to_numpy().astype(np.int64)

    def predict_proba(self, X):
        p = self.predict(X).astype(float)
        return np.column_stack([1 - p, p])


def known_rows(n, rng):
    """Rows for :class:`KnownFlips`: a gender and a uniform ``u``."""
    return pd.DataFrame(
        {"gender": rng.choice(["Female", "Male"], n), "u": rng.random(n)}
    )


class NameLength(ClassifierMixin, BaseEstimator):
    """Approves names of even length: gender-blind, but sensitive to names."""

    def fit(self, X, y=None):
        self.classes_ = np.array([0, 1])
        return self

    def predict(self, X):
        return (X["first_name"].str.len() % 2 == 0).to_numpy().astype(np.int64)
