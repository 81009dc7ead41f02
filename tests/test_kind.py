"""What a model predicts, told the same way everywhere: scikit-learn's
estimator type, then ``pos_label`` or ``tolerance``, then the output's dtype."""

import re

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skcounterfactual._kind import (
    BAD_TOLERANCE,
    BOTH_POS_LABEL_AND_TOLERANCE,
    declared_kind,
    output_kind,
)


class Duck:
    def predict(self, X):
        return np.zeros(len(X))


@pytest.mark.parametrize(
    "estimator, options, expected",
    [
        (LinearRegression(), {}, "regressor"),
        (make_pipeline(StandardScaler(), LinearRegression()), {}, "regressor"),
        (LogisticRegression(), {}, "classifier"),
        (Duck(), {}, None),
        (Duck(), {"pos_label": 1}, "classifier"),
        (Duck(), {"tolerance": 0.5}, "regressor"),
    ],
)
def test_declared_kind(estimator, options, expected):
    assert declared_kind(estimator, **options) == expected


def test_output_kind_reads_the_dtype_only():
    assert output_kind(np.array([0.0, 1.0])) == "regressor"
    assert output_kind(np.array(["a", "b"])) == "classifier"
    assert output_kind(np.array([True])) == "classifier"


@pytest.mark.parametrize("tolerance", [-1, np.inf, "5", True])
def test_bad_tolerances_are_named(tolerance):
    with pytest.raises(
        ValueError, match=re.escape(BAD_TOLERANCE.format(tolerance=tolerance))
    ):
        declared_kind(LinearRegression(), tolerance=tolerance)


def test_both_pos_label_and_tolerance_for_an_undeclared_model():
    message = BOTH_POS_LABEL_AND_TOLERANCE.format(
        pos_label=1, tolerance=0.5, name="Duck"
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        declared_kind(Duck(), pos_label=1, tolerance=0.5)
