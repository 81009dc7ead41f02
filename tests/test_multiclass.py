"""Multiclass models, one rule everywhere: without ``pos_label`` a flip is any
change of label and what needs a favourable class is undefined (an error in the
parity scorer, a reason in the audit); with ``pos_label`` every measure compares
that class with the rest. Checked by hand and against Fairlearn."""

import json
import re

import numpy as np
import pandas as pd
import pytest
from _models import on_columns
from fairlearn.metrics import (
    MetricFrame,
    count,
    demographic_parity_difference,
    equalized_odds_difference,
)
from sklearn.metrics import accuracy_score
from sklearn.tree import DecisionTreeClassifier

from skcounterfactual import (
    CounterfactualAugmenter,
    audit,
    compare_twins,
    counterfactual_effect,
    counterfactual_flip_rate,
    make_parity_scorer,
)
from skcounterfactual._group_sums import NO_SELECTION_LABELS
from skcounterfactual._predictions import NEEDS_POS_LABEL
from skcounterfactual.datasets import make_loan_applicants

# The twins link the gender code alone (the model reads nothing else).
pytestmark = pytest.mark.filterwarnings(
    "ignore::skcounterfactual.IncoherentTwinWarning"
)
CLASSES = ["High", "Low", "Medium"]


@pytest.fixture(scope="module")
def grades():
    """A three-class model of risk grades that reads the gender code."""
    X, _ = make_loan_applicants(n_samples=900, bias=0, random_state=11)
    rng = np.random.default_rng(11)
    score = X["income"] / 1000 + 15 * X["gender_code"] + rng.normal(0, 8, len(X))
    y = np.select([score > 95, score < 65], ["Low", "High"], "Medium")
    model = on_columns(
        ["gender_code", "income"], DecisionTreeClassifier(max_depth=4, random_state=0)
    ).fit(X, y)
    twins = CounterfactualAugmenter(
        protected="gender", links={"gender_code": {"Male": 1, "Female": 0}}
    ).fit(X)
    flipped = X.assign(
        gender_code=1 - X["gender_code"],
        gender=np.where(X["gender"] == "Male", "Female", "Male"),
    )
    return X, y, model, twins, model.predict(X), model.predict(flipped)


def test_the_model_has_three_classes(grades):
    _, _, model, _, p, q = grades
    assert list(model.classes_) == CLASSES
    assert (p != q).mean() > ((p == "Low") != (q == "Low")).mean() > 0


def test_flip_rate_any_change_or_into_and_out_of_the_positive_class(grades):
    X, _, model, twins, p, q = grades
    assert counterfactual_flip_rate(model, X, augmenter=twins) == (p != q).mean()
    for label in CLASSES:
        expected = ((p == label) != (q == label)).mean()
        got = counterfactual_flip_rate(model, X, augmenter=twins, pos_label=label)
        assert got == expected


class TestParityScorer:
    def test_without_pos_label_parity_is_an_error_that_asks_for_one(self, grades):
        X, _, model, _, _, _ = grades
        message = NEEDS_POS_LABEL.format(
            what="The demographic_parity_difference scorer", classes=CLASSES
        )
        with pytest.raises(ValueError, match=re.escape(message)):
            make_parity_scorer(protected="gender")(model, X)

    def test_pos_label_against_the_rest_not_the_last_class(self, grades):
        X, y, model, _, p, _ = grades
        values = {}
        for label in CLASSES:
            scorer = make_parity_scorer(protected="gender", pos_label=label)
            values[label] = scorer(model, X)
            expected = demographic_parity_difference(
                (y == label).astype(int),
                (p == label).astype(int),
                sensitive_features=X["gender"],
            )
            assert values[label] == pytest.approx(-expected, abs=1e-15)
        assert values["Low"] != values["Medium"]  # Medium is classes_[-1]
        odds = make_parity_scorer(
            "equalized_odds_difference", protected="gender", pos_label="Low"
        )(model, X, y)
        assert odds == pytest.approx(
            -equalized_odds_difference(
                (y == "Low").astype(int),
                (p == "Low").astype(int),
                sensitive_features=X["gender"],
            )
        )


@pytest.fixture(scope="module")
def low(grades):
    """The three-class model audited with 'Low' as the favourable grade."""
    X, y, model, twins, _, _ = grades
    return audit(model, X, y, augmenter=twins, pos_label="Low")


@pytest.fixture(scope="module")
def unknown(grades):
    """The three-class model audited without a favourable class."""
    X, y, model, twins, _, _ = grades
    return audit(model, X, y, augmenter=twins)


class TestAuditWithPosLabel:
    def test_every_measure_compares_low_with_the_rest(self, grades, low):
        X, y, _, _, p, q = grades
        gender = low.attributes["gender"]
        assert low.pos_label == "Low"
        assert gender.flip_rate == ((p == "Low") != (q == "Low")).mean()
        direction = gender.direction.set_index(["source", "target"])
        for source, target in (("Female", "Male"), ("Male", "Female")):
            rows = (X["gender"] == source).to_numpy()
            cell = direction.loc[(source, target)]
            lost = ((p == "Low") & (q != "Low") & rows).sum()
            won = ((p != "Low") & (q == "Low") & rows).sum()
            assert cell["favourable_to_unfavourable"] == lost
            assert cell["unfavourable_to_favourable"] == won
        assert gender.demographic_parity_difference == pytest.approx(
            demographic_parity_difference(
                (y == "Low").astype(int),
                (p == "Low").astype(int),
                sensitive_features=X["gender"],
            )
        )
        assert gender.equalized_odds_difference == pytest.approx(
            equalized_odds_difference(
                (y == "Low").astype(int),
                (p == "Low").astype(int),
                sensitive_features=X["gender"],
            )
        )
        assert gender.score_change is not None  # P(Low), the favourable class

    def test_the_effect_compares_the_positive_class_probability(self, grades):
        X, _, model, twins, _, _ = grades
        message = NEEDS_POS_LABEL.format(what="counterfactual_effect", classes=CLASSES)
        with pytest.raises(ValueError, match=re.escape(message)):
            counterfactual_effect(model, X, augmenter=twins)
        flipped = X.assign(gender_code=1 - X["gender_code"])
        low = list(model.classes_).index("Low")
        expected = np.abs(
            model.predict_proba(flipped)[:, low] - model.predict_proba(X)[:, low]
        ).mean()
        got = counterfactual_effect(model, X, augmenter=twins, pos_label="Low")
        assert got == pytest.approx(expected)

    def test_compare_twins_follows_the_same_rule(self, grades):
        X, _, model, twins, p, q = grades
        table = compare_twins(model, X, augmenters={"twins": twins}, pos_label="Low")
        assert table["flip_rate"].iloc[0] == ((p == "Low") != (q == "Low")).mean()
        table = compare_twins(model, X, augmenters={"twins": twins})
        assert table["flip_rate"].iloc[0] == (p != q).mean()


class TestAuditWithoutPosLabel:
    def test_flips_are_any_change_and_the_rest_is_undefined(self, grades, unknown):
        X, y, _, _, p, q = grades
        gender = unknown.attributes["gender"]
        assert unknown.pos_label is None and unknown.kind == "classifier"
        assert gender.flip_rate == (p != q).mean()
        reason = NO_SELECTION_LABELS.format(classes=CLASSES)
        for key in (
            "direction",
            "comparisons",
            "asymmetry_p_value",
            "demographic_parity_difference",
            "equalized_odds_difference",
            "score_change",
        ):
            assert gender.undefined[key] == reason
        assert gender.direction.empty and gender.comparisons.empty
        assert gender.asymmetry_p_value is None
        assert gender.demographic_parity_difference is None

    def test_group_metrics_keep_count_and_accuracy(self, grades, unknown):
        X, y, _, _, p, _ = grades
        frame = MetricFrame(
            metrics={"count": count, "accuracy": accuracy_score},
            y_true=y,
            y_pred=p,
            sensitive_features=X["gender"],
        )
        got = unknown.attributes["gender"].group_metrics
        assert list(got.columns) == ["count", "accuracy"]
        np.testing.assert_allclose(got["count"], frame.by_group["count"])
        np.testing.assert_allclose(
            got["accuracy"], frame.by_group["accuracy"], rtol=1e-12
        )

    def test_pages_say_why(self, unknown):
        text = unknown.to_markdown()
        assert "no favourable class (pos_label): a flip is any change of label" in (
            text
        )
        assert "Directions and parity are undefined: the favourable class is " in (text)
        html = unknown.to_html()
        assert "the favourable class is unknown" in html
        data = json.loads(unknown.to_json())
        assert data["pos_label"] is None
        assert data["attributes"]["gender"]["direction"] == []


@pytest.mark.parametrize("pos_label", [None, "Low"])
def test_multiclass_audits_do_not_depend_on_chunks(grades, pos_label):
    X, y, model, twins, _, _ = grades
    whole = audit(model, X, y, augmenter=twins, pos_label=pos_label)
    chunked = audit(model, X, y, augmenter=twins, pos_label=pos_label, chunk_size=77)
    assert json.dumps(whole.to_dict(), sort_keys=True) == json.dumps(
        chunked.to_dict(), sort_keys=True
    )


def test_a_string_label_model_without_pos_label_gets_the_same_rule(grades):
    X, _, _, twins, _, _ = grades
    worded = on_columns(["income"], DecisionTreeClassifier(max_depth=2)).fit(
        X, np.where(X["income"] > 60_000, "approved", "denied")
    )
    found = audit(worded, X, augmenter=twins).attributes["gender"]
    assert found.flip_rate == 0.0  # reads income only
    assert "['approved', 'denied']" in found.undefined["demographic_parity_difference"]
    assert isinstance(found.group_metrics, pd.DataFrame)
