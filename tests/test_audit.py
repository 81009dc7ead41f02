"""The audit's numbers: flip rates and intervals, placebo noise floors, direction
tests, score changes, group metrics, evidence; weights, arrays, missing values,
continuous attributes and the audit's argument checks.

The report objects, pages, JSON and figures are tested in ``test_report.py``.
"""

import json
import re

import numpy as np
import pandas as pd
import pytest
from _models import KnownFlips, NameLength, known_rows, on_columns
from fairlearn.metrics import (
    MetricFrame,
    demographic_parity_difference,
    demographic_parity_ratio,
    equalized_odds_difference,
    selection_rate,
)
from sklearn.dummy import DummyClassifier
from sklearn.tree import DecisionTreeClassifier

from skcounterfactual import AuditReport, CounterfactualAugmenter, audit
from skcounterfactual._audit import run_audit
from skcounterfactual._augmenter import PROTECTED_MISMATCH
from skcounterfactual._group_sums import NO_SELECTION_LABELS
from skcounterfactual._predictions import BAD_POS_LABEL
from skcounterfactual._stats import weighted_proportion_interval, wilson_interval
from skcounterfactual._twins import MISSING_PROTECTED
from skcounterfactual._validation import (
    BAD_CONFIDENCE,
    BAD_SAMPLE_WEIGHT_VALUES,
    BAD_Y_SHAPE,
    MISSING_COLUMN,
    NOT_NON_NEGATIVE_INT,
    NOT_ONE_OF,
)
from skcounterfactual.datasets import make_loan_applicants

# These tests twin the loan data with the fewest links their assertions need
# (often the gender code alone), so titles and names stay those of the other
# gender: the incoherence the coherence check reports (tests/test_coherence.py).
pytestmark = pytest.mark.filterwarnings(
    "ignore::skcounterfactual.IncoherentTwinWarning"
)


GENDER_CODE = {"gender_code": {"Male": 1, "Female": 0}}
IMG = '<img src="data:image/png;base64,'


def female_income_threshold(tree):
    """The income split the tree learned under gender_code <= 0.5 (women)."""
    t = tree.tree_
    assert t.feature[0] == 0  # the root splits on gender_code (feature 0)
    assert t.threshold[0] == pytest.approx(0.5)
    stack = [t.children_left[0]]  # gender_code <= 0.5
    while stack:
        node = stack.pop()
        if t.feature[node] == 1:  # income
            return t.threshold[node]
        if t.children_left[node] != -1:
            stack += [t.children_left[node], t.children_right[node]]
    raise AssertionError("the tree has no income split for women")


class TestTutorial:
    def test_flip_rate_matches_the_learned_threshold(self, tutorial):
        model, X, _, report = tutorial
        gender = report.attributes["gender"]
        threshold = female_income_threshold(model.named_steps["tree"])
        assert 70_000 < threshold < 90_000
        below = float(np.mean(X["income"] <= threshold))
        assert gender.n_rows == 1000
        assert abs(gender.flip_rate - below) < 0.03
        low, high = gender.flip_rate_interval
        assert low < gender.flip_rate < high
        assert (low, high) == pytest.approx(
            wilson_interval(gender.n_flipped_rows, 1000)
        )

    def test_direction_men_approved_women_denied(self, tutorial):
        gender = tutorial[3].attributes["gender"]
        direction = gender.direction.set_index(["source", "target"])
        male, female = (
            direction.loc[("Male", "Female")],
            direction.loc[("Female", "Male")],
        )
        # a man's female twin only ever loses the approval ...
        assert male["favourable_to_unfavourable"] > 0
        assert male["unfavourable_to_favourable"] == 0
        # ... and a woman's male twin only ever gains it
        assert female["favourable_to_unfavourable"] == 0
        assert female["unfavourable_to_favourable"] > 0
        assert male["p_value_midp"] < 0.001 and female["p_value_midp"] < 0.001
        flips = (
            male["favourable_to_unfavourable"] + female["unfavourable_to_favourable"]
        )
        assert flips == gender.n_flipped_pairs == gender.n_flipped_rows

    def test_pooled_asymmetry_being_female_lowers_approval(self, tutorial):
        # Null: a person's decision as a man and as a woman are exchangeable.
        # Each person gives one pair (Male version, Female version), whichever
        # gender they have, so only_b_favourable counts people approved as a
        # man and denied as a woman.
        gender = tutorial[3].attributes["gender"]
        (comparison,) = gender.comparisons.to_dict("records")
        assert (comparison["value_a"], comparison["value_b"]) == ("Female", "Male")
        assert comparison["n_pairs"] == 1000
        assert comparison["only_a_favourable"] == 0
        assert comparison["only_b_favourable"] == gender.n_flipped_rows
        assert comparison["favoured"] == "Male"
        assert comparison["p_value_midp"] < 0.001
        assert gender.asymmetry_p_value < 0.001
        assert gender.asymmetry_p_value == comparison["p_value_midp"]

    def test_moderate_incomes_men_approved_women_denied(self, tutorial):
        model = tutorial[0]
        profiles = pd.DataFrame(
            {
                "applicant_id": ["a", "b", "c"],
                "gender": ["Male"] * 3,
                "gender_code": [1] * 3,
                "income": [44815, 47436, 58194],
            }
        )
        twins = CounterfactualAugmenter(
            protected="gender",
            links=GENDER_CODE,
            values={"gender": ["Female", "Male"]},
        )
        report = audit(model, profiles, augmenter=twins)
        evidence = report.attributes["gender"].evidence
        assert evidence["row"].tolist() == [0, 1, 2]
        assert evidence["decision"].tolist() == [1, 1, 1]
        assert evidence["twin_decision"].tolist() == [0, 0, 0]
        assert evidence["new"].tolist() == ["Female"] * 3
        assert evidence["changes"].tolist() == [{"gender_code": (1, 0)}] * 3

    def test_group_metrics_equal_fairlearn(self, tutorial):
        model, X, y, report = tutorial
        gender = report.attributes["gender"]
        y_pred = model.predict(X)
        sf = X["gender"]
        assert gender.demographic_parity_difference == pytest.approx(
            demographic_parity_difference(y, y_pred, sensitive_features=sf)
        )
        assert gender.demographic_parity_ratio == pytest.approx(
            demographic_parity_ratio(y, y_pred, sensitive_features=sf)
        )
        assert gender.equalized_odds_difference == pytest.approx(
            equalized_odds_difference(y, y_pred, sensitive_features=sf)
        )
        groups = gender.group_metrics
        assert groups.loc["Male", "selection_rate"] == 1.0
        assert groups.loc["Female", "selection_rate"] == pytest.approx(
            y_pred[sf == "Female"].mean()
        )
        assert groups["count"].tolist() == sf.value_counts().loc[groups.index].tolist()
        assert list(groups.columns) == [
            "count",
            "selection_rate",
            "accuracy",
            "true_positive_rate",
            "false_positive_rate",
        ]

    def test_scores_and_placebo(self, tutorial):
        report = tutorial[3]
        gender = report.attributes["gender"]
        assert report.response_method == "predict_proba"
        # the tree's leaves are pure: every flip moves the probability by 1
        assert gender.score_change == pytest.approx(gender.flip_rate)
        # a value map is not a generated field, so no placebo by default
        assert report.placebo is False
        assert gender.placebo_rate is None and gender.flip_minus_placebo is None
        assert "placebo" in gender.undefined["placebo_rate"]
        assert gender.unseen_twins == 0 and gender.unseen_values == {}

    def test_pos_label_of_zero_one_classes_is_one(self, tutorial):
        assert tutorial[3].pos_label == 1


def test_placebo_is_zero_for_a_model_that_ignores_names():
    X, y = make_loan_applicants(n_samples=300, random_state=0)
    model = on_columns(["income"], DecisionTreeClassifier(), step="tree").fit(X, y)
    report = audit(
        model,
        make_loan_applicants(n_samples=300, random_state=1)[0],
        augmenter=CounterfactualAugmenter(
            protected="gender",
            links={**GENDER_CODE, "first_name": "first_name"},
            source="mimesis",
            random_state=0,
        ),
    )
    gender = report.attributes["gender"]
    assert report.placebo is True
    assert gender.n_placebo_twins == 300
    assert gender.placebo_rate == 0.0
    assert gender.placebo_rate_interval[0] == 0.0
    assert gender.flip_rate == 0.0
    assert gender.flip_minus_placebo == 0.0
    assert gender.evidence.empty


def test_placebo_measures_the_noise_of_new_names():
    X, _ = make_loan_applicants(n_samples=400, random_state=3)
    X = X.drop(columns="gender_code")  # only names follow gender here
    report = audit(
        NameLength().fit(X),
        X,
        augmenter=CounterfactualAugmenter(
            protected="gender",
            links={"first_name": "first_name"},
            source="mimesis",
            random_state=0,
        ),
    )
    gender = report.attributes["gender"]
    assert gender.placebo_rate > 0.3
    assert gender.flip_rate > 0.3
    low, high = gender.flip_minus_placebo_interval
    assert low < 0 < high  # new names, not gender, move the decisions
    changed = set().union(*(set(c) for c in gender.evidence["changes"]))
    assert changed == {"first_name"}


def test_the_augmenters_placebo_decides_whether_placebo_twins_are_audited():
    X, _ = make_loan_applicants(n_samples=200, random_state=3)
    X = X.drop(columns="gender_code")
    twins = CounterfactualAugmenter(
        protected="gender",
        links={"first_name": "first_name"},
        placebo=False,
        random_state=0,
    )
    gender = audit(NameLength().fit(X), X, augmenter=twins).attributes["gender"]
    assert gender.n_placebo_twins == 0
    assert gender.placebo_rate is None
    assert "placebo=False" in gender.undefined["placebo_rate"]
    forced = twins.set_params(placebo=True, links=None)
    report = audit(NameLength().fit(X), X, augmenter=forced)
    # placebo twins without a generated link are copies of their rows
    assert report.placebo is True
    assert report.attributes["gender"].n_placebo_twins == 200
    assert report.attributes["gender"].placebo_rate == 0.0


class TestIntervalCoverage:
    """The 95% intervals the report shows cover the true flip rate ~95% of the time."""

    n_simulations = 2000

    def test_wilson_coverage(self):
        rng = np.random.default_rng(0)
        p, n = 0.2, 400
        flips = rng.binomial(n, p, size=self.n_simulations)
        low, high = wilson_interval(flips, n)
        coverage = np.mean((low <= p) & (p <= high))
        assert 0.93 <= coverage <= 0.97

    def test_weighted_coverage(self):
        rng = np.random.default_rng(1)
        p, n = 0.15, 300
        weights = rng.lognormal(sigma=0.8, size=n)
        flags = rng.random((self.n_simulations, n)) < p
        estimate = flags @ weights / weights.sum()
        n_eff = weights.sum() ** 2 / (weights**2).sum()
        low, high = wilson_interval(estimate * n_eff, n_eff)
        # the same numbers as the function the report calls, row by row
        for i in range(3):
            assert (estimate[i], low[i], high[i]) == pytest.approx(
                weighted_proportion_interval(flags[i], weights)
            )
        coverage = np.mean((low <= p) & (p <= high))
        assert 0.93 <= coverage <= 0.97

    def test_audit_reports_the_wilson_interval_of_its_flips(self):
        rng = np.random.default_rng(2)
        X = known_rows(500, rng)
        gender = audit(KnownFlips(p=0.3).fit(X), X, protected="gender").attributes[
            "gender"
        ]
        assert gender.n_flipped_rows == int(np.sum(X["u"] < 0.3))
        assert gender.flip_rate == gender.n_flipped_rows / 500
        assert gender.flip_rate_interval == pytest.approx(
            wilson_interval(gender.n_flipped_rows, 500)
        )

    @pytest.mark.slow
    def test_coverage_through_audit(self):
        rng = np.random.default_rng(3)
        model, p, n, covered = KnownFlips(p=0.3).fit(None), 0.3, 150, 0
        runs = 250
        for _ in range(runs):
            report = audit(
                model, known_rows(n, rng), protected="gender", max_evidence=0
            )
            low, high = report.attributes["gender"].flip_rate_interval
            covered += low <= p <= high
        # 250 audits: the binomial spread of the coverage is about 1.4 points
        assert 0.91 <= covered / runs <= 0.99


def test_several_attributes_and_their_intersection(pyplot):
    X, y = make_loan_applicants(
        n_samples=400, random_state=5, countries=["Canada", "Ireland"]
    )
    model = on_columns(
        ["gender_code", "income"],
        DecisionTreeClassifier(max_depth=3, random_state=0),
        step="tree",
    ).fit(X, y)
    twins = CounterfactualAugmenter(
        protected=["gender", "country"],
        links={"gender": {**GENDER_CODE, "first_name": "first_name"}, "country": {}},
        intersectional="both",
        random_state=0,
    )
    report = audit(model, X, y, augmenter=twins)
    assert list(report.attributes) == ["gender", "country", "gender & country"]
    gender, country, both = report.attributes.values()
    # names follow gender only: country has no placebo, the others a zero one
    assert report.placebo is True
    assert gender.placebo_rate == 0.0 and both.placebo_rate == 0.0
    assert country.placebo_rate is None and "placebo_rate" in country.undefined
    assert country.flip_rate == 0.0  # the model never sees the country
    assert both.flip_rate == pytest.approx(gender.flip_rate, abs=0.05)
    assert both.n_twins == 3 * 400  # every other combination of two binary values
    assert both.group_metrics.index.nlevels == 2
    data = json.loads(report.to_json())
    assert "Female & Canada" in {
        g["group"] for g in data["attributes"][both.name]["group_metrics"]
    }
    assert report.to_html().count(IMG) == 1 + 2 * 3


def test_one_section_per_factor_of_the_augmenter():
    X, y = make_loan_applicants(
        n_samples=200, random_state=5, countries=["Canada", "Ireland"]
    )
    model = on_columns(["gender_code", "income"], DecisionTreeClassifier()).fit(X, y)
    links = {"gender": GENDER_CODE, "country": {}}
    apart = CounterfactualAugmenter(protected=["gender", "country"], links=links)
    assert list(audit(model, X, augmenter=apart).attributes) == ["gender", "country"]
    combined = apart.set_params(intersectional=True)
    report = audit(model, X, augmenter=combined)
    assert list(report.attributes) == ["gender & country"]
    assert report.attributes["gender & country"].columns == ["gender", "country"]


def test_sample_weight():
    rng = np.random.default_rng(6)
    X = known_rows(200, rng)
    weights = rng.uniform(0.5, 2.0, 200)
    model = KnownFlips(p=0.4).fit(X)
    gender = audit(model, X, protected="gender", sample_weight=weights).attributes[
        "gender"
    ]
    flips = (X["u"] < 0.4).to_numpy()
    assert gender.flip_rate == pytest.approx(np.average(flips, weights=weights))
    assert gender.flip_rate_interval == pytest.approx(
        weighted_proportion_interval(flips, weights)[1:]
    )
    women = (X["gender"] == "Female").to_numpy()
    assert gender.group_metrics.loc["Female", "selection_rate"] == pytest.approx(
        np.average(X["u"][women] >= 0.4, weights=weights[women])
    )


def test_numpy_input():
    rng = np.random.default_rng(7)
    X = np.column_stack([rng.integers(0, 2, 100), rng.integers(0, 100, 100)])
    y = ((X[:, 0] == 1) | (X[:, 1] > 50)).astype(int)
    model = DecisionTreeClassifier(random_state=0).fit(X, y)
    found = audit(model, X, y, protected=0).attributes["0"]
    assert found.flip_rate == pytest.approx(np.mean(X[:, 1] <= 50), abs=0.03)
    assert found.evidence["changes"].tolist()[:1] == [{}]


def test_given_augmenter_is_used_as_is():
    X, _ = make_loan_applicants(n_samples=200, random_state=8)
    augmenter = CounterfactualAugmenter(
        protected="gender", links=GENDER_CODE, random_state=0
    ).fit(X)
    model = NameLength().fit(X)
    report = audit(model, X, protected="gender", augmenter=augmenter)
    assert report.placebo is False
    assert report.attributes["gender"].flip_rate == 0.0
    message = PROTECTED_MISMATCH.format(
        protected="country", augmenter_protected="gender"
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        audit(model, X, protected="country", augmenter=augmenter)


def test_a_fixed_threshold_is_audited_through_fixed_threshold_classifier(tutorial):
    from sklearn.frozen import FrozenEstimator
    from sklearn.model_selection import FixedThresholdClassifier

    model, X, y, report = tutorial
    twins = CounterfactualAugmenter(protected="gender", links=GENDER_CODE)
    # the tree's leaves are pure, so any threshold in (0, 1] decides as it does
    same = FixedThresholdClassifier(FrozenEstimator(model), threshold=0.5).fit(X, y)
    assert (
        audit(same, X, y, augmenter=twins).attributes["gender"].flip_rate
        == report.attributes["gender"].flip_rate
    )
    # above 1 nobody is approved: no decision changes, nobody is selected
    never = FixedThresholdClassifier(FrozenEstimator(model), threshold=1.5).fit(X, y)
    found = audit(never, X, y, augmenter=twins).attributes["gender"]
    assert found.flip_rate == 0.0
    assert found.group_metrics["selection_rate"].tolist() == [0.0, 0.0]


class TestErrors:
    @pytest.fixture
    def data(self):
        rng = np.random.default_rng(9)
        X = known_rows(20, rng)
        return KnownFlips().fit(X), X

    def test_missing_protected_column(self, data):
        model, X = data
        message = MISSING_COLUMN.format(
            param="protected", column="sex", available=["gender", "u"]
        )
        with pytest.raises(ValueError, match=re.escape(message)):
            audit(model, X, protected="sex")

    def test_y_of_the_wrong_length(self, data):
        model, X = data
        with pytest.raises(
            ValueError, match=re.escape(BAD_Y_SHAPE.format(n_samples=20, shape=(19,)))
        ):
            audit(model, X, np.zeros(19), protected="gender")

    def test_estimator_without_predict(self, data):
        with pytest.raises(TypeError, match="estimator must have a predict method"):
            audit(object(), data[1], protected="gender")

    @pytest.mark.parametrize(
        "kwargs, message",
        [
            (
                {"pos_label": "yes"},
                BAD_POS_LABEL.format(pos_label="yes", classes=[0, 1]),
            ),
            (
                {"response_method": "proba"},
                NOT_ONE_OF.format(
                    param="response_method",
                    allowed=("auto", "predict", "predict_proba", "decision_function"),
                    value="proba",
                ),
            ),
            (
                {"max_evidence": -1},
                NOT_NON_NEGATIVE_INT.format(param="max_evidence", value=-1),
            ),
            ({"confidence": 95}, BAD_CONFIDENCE.format(confidence=95)),
            (
                {"sample_weight": [-1.0] + [1.0] * 19},
                BAD_SAMPLE_WEIGHT_VALUES.format(n_bad=0, n_negative=1),
            ),
        ],
    )
    def test_bad_options(self, data, kwargs, message):
        with pytest.raises(ValueError, match=re.escape(message)):
            audit(data[0], data[1], protected="gender", **kwargs)

    def test_the_augmenters_own_options_are_checked_when_it_is_fitted(self, data):
        twins = CounterfactualAugmenter(protected="gender", placebo="yes")
        message = NOT_ONE_OF.format(
            param="placebo", allowed=(False, True, "auto"), value="yes"
        )
        with pytest.raises(ValueError, match=re.escape(message)):
            audit(data[0], data[1], augmenter=twins)

    @pytest.mark.parametrize(
        "removed",
        [
            {"favourable": 1},
            {"placebo": True},
            {"intersectional": True},
            {"links": GENDER_CODE},
            {"values": {"gender": ["Female", "Male"]}},
            {"missing": "skip"},
            {"threshold": 0.5},
            {"random_state": 0},
        ],
    )
    def test_removed_parameters_are_refused(self, data, removed):
        (name,) = removed
        with pytest.raises(TypeError, match=f"unexpected keyword argument '{name}'"):
            audit(data[0], data[1], protected="gender", **removed)

    def test_string_labels_without_pos_label_leave_parity_undefined(self, data):
        model, X = data
        labels = np.where(model.predict(X) == 1, "approved", "denied")
        worded = DummyClassifier(strategy="constant", constant="approved")
        worded.fit(X, labels)
        found = audit(worded, X, protected="gender")
        assert found.pos_label is None
        gender = found.attributes["gender"]
        assert gender.flip_rate == 0.0  # any change of label: none
        assert gender.demographic_parity_difference is None
        reason = NO_SELECTION_LABELS.format(classes=["approved", "denied"])
        assert gender.undefined["demographic_parity_difference"] == reason
        assert gender.undefined["direction"] == reason
        report = audit(worded, X, protected="gender", pos_label="approved")
        assert report.pos_label == "approved"
        assert report.attributes["gender"].flip_rate == 0.0  # ignores X

    def test_report_type(self, data):
        assert isinstance(audit(data[0], data[1], protected="gender"), AuditReport)


def test_audit_reports_progress_per_chunk():
    X = pd.DataFrame({"g": ["a", "b"] * 50, "v": range(100)})
    model = DummyClassifier(strategy="constant", constant=1).fit(X, [1] * 100)
    seen = []
    run_audit(
        model,
        X,
        protected="g",
        chunk_size=30,
        progress=lambda d, t: seen.append((d, t)),
    )
    assert seen == [(30, 100), (60, 100), (90, 100), (100, 100)]


def with_missing_gender(n_missing=7, n=300):
    X, y = make_loan_applicants(n_samples=n, bias=1, random_state=3)
    X["gender"] = X["gender"].astype(object)
    X.loc[X.index[:n_missing], "gender"] = None
    return X, y


@pytest.fixture(scope="module")
def missing_gender(tutorial):
    X, y = with_missing_gender()
    weights = np.random.default_rng(0).uniform(0.5, 2.0, len(X))
    return tutorial[0], X, y, weights


class TestMissingProtectedValues:
    @pytest.mark.parametrize("weighted", [False, True])
    def test_groups_from_rows_with_a_value_and_the_skipped_rows_counted(
        self, missing_gender, weighted
    ):
        model, X, y, weights = missing_gender
        weights = weights if weighted else None
        augmenter = CounterfactualAugmenter(
            protected="gender", links=GENDER_CODE, missing="skip"
        )
        report = audit(
            model, X, y, protected="gender", augmenter=augmenter, sample_weight=weights
        )
        gender = report.attributes["gender"]
        assert gender.n_missing == 7
        assert gender.n_rows == len(X) - 7
        present = X["gender"].notna().to_numpy()
        decisions = model.predict(X)[present]
        expected = MetricFrame(
            metrics=selection_rate,
            y_true=decisions,
            y_pred=decisions,
            sensitive_features=X["gender"][present],
            sample_params=None
            if weights is None
            else {"sample_weight": weights[present]},
        ).by_group
        groups = gender.group_metrics
        assert groups["count"].to_dict() == X["gender"].value_counts().to_dict()
        assert groups["selection_rate"].to_dict() == pytest.approx(expected.to_dict())
        assert gender.demographic_parity_difference == pytest.approx(
            expected.max() - expected.min()
        )
        assert gender.equalized_odds_difference is not None
        assert report.to_dict()["attributes"]["gender"]["n_missing"] == 7
        assert report.to_frame().loc["gender", "n_missing"] == 7
        assert "7 rows with a missing gender were skipped" in report.to_markdown()

    def test_the_augmenters_missing_decides(self, missing_gender):
        model, X, y, _ = missing_gender
        skipping = CounterfactualAugmenter(
            protected="gender", links=GENDER_CODE, missing="skip"
        )
        skipped = audit(model, X, y, augmenter=skipping)
        assert skipped.attributes["gender"].n_missing == 7
        message = MISSING_PROTECTED.format(attribute="gender", count=7)
        with pytest.raises(ValueError, match=re.escape(message)):
            audit(model, X, y, augmenter=skipping.set_params(missing="error"))

    def test_no_missing_value_counts_zero(self, tutorial):
        assert tutorial[3].attributes["gender"].n_missing == 0


def test_the_augmenters_strict_and_default_locale_apply(tutorial):
    model, X, _, _ = tutorial
    with pytest.raises(
        ValueError, match=re.escape("values['gender'] contains ['Other'], never seen")
    ):
        audit(
            model,
            X,
            augmenter=CounterfactualAugmenter(
                protected="gender",
                values={"gender": ["Male", "Female", "Other"]},
                strict=True,
            ),
        )
    with pytest.raises(
        ValueError, match=re.escape("default_locale='xx' is not a Mimesis locale")
    ):
        audit(
            model,
            X,
            augmenter=CounterfactualAugmenter(protected="gender", default_locale="xx"),
        )


class TestContinuousAttribute:
    def test_every_observed_value_leaves_group_metrics_undefined(self, age_audit):
        X, y, model, _ = age_audit
        every = CounterfactualAugmenter(
            protected="age", values={"age": "observed"}, n_twins=2, random_state=0
        )
        report = audit(model, X, y, augmenter=every)
        found = report.attributes["age"]
        n_values = X["age"].nunique()
        assert n_values > 20
        reason = (
            f"'age' has {n_values} distinct values (more than 20), so it looks "
            "continuous and one group per value would be meaningless. Bin it "
            "(e.g. pandas.cut into bands) and compute the group metrics on the bins."
        )
        assert found.group_metrics.empty
        assert list(found.group_metrics.columns) == [
            "count",
            "selection_rate",
            "accuracy",
            "true_positive_rate",
            "false_positive_rate",
        ]
        for key in (
            "demographic_parity_difference",
            "demographic_parity_ratio",
            "equalized_odds_difference",
        ):
            assert getattr(found, key) is None
            assert found.undefined[key] == reason
        assert found.undefined["group_metrics"] == reason
        data = json.loads(report.to_json())["attributes"]["age"]
        assert data["group_metrics"] == []
        assert data["demographic_parity_difference"] is None
        assert f"- group_metrics: {reason}" in report.to_markdown()
        # the twins themselves are audited as usual
        assert found.n_rows == len(X)
        assert found.n_twins == 2 * len(X)
        with pytest.raises(ValueError, match=re.escape(reason)):
            report.plot_selection_rates("age")

    def test_given_values_of_a_continuous_column_group_rows_by_bins(self, age_audit):
        X, _, _, report = age_audit
        found = report.attributes["age"]
        assert list(found.group_metrics.index) == ["< 35", "[35, 55)", ">= 55"]
        expected = pd.cut(X["age"], [-np.inf, 35, 55, np.inf], right=False)
        assert found.group_metrics["count"].tolist() == (
            expected.value_counts(sort=False).tolist()
        )
        assert found.demographic_parity_difference is not None
        assert set(found.direction["target"]) == {25, 45, 65}
        assert found.n_twins == 3 * len(X) - X["age"].isin([25, 45, 65]).sum()

    def test_data_holding_only_the_given_values_gets_group_metrics(self, age_audit):
        X, y, model, _ = age_audit
        X = X.assign(age=X["age"].where(X["age"] < 45, 65).where(X["age"] >= 35, 25))
        X.loc[(X["age"] >= 35) & (X["age"] < 45), "age"] = 45
        ages = CounterfactualAugmenter(protected="age", values={"age": [25, 45, 65]})
        report = audit(model, X, y, augmenter=ages)
        found = report.attributes["age"]
        assert sorted(found.group_metrics.index) == [25, 45, 65]
        assert found.group_metrics["count"].sum() == len(X)
        assert found.demographic_parity_difference is not None

    def test_many_values_all_in_the_given_domain_get_group_metrics(self, age_audit):
        X, y, model, _ = age_audit
        ages = list(range(20, 70, 2))  # 25 values
        X = X.assign(age=np.resize(ages, len(X)))
        given = CounterfactualAugmenter(protected="age", values={"age": ages})
        with pytest.warns(UserWarning, match=re.escape("has 25 values")):
            report = audit(model, X, y, augmenter=given)
        found = report.attributes["age"]
        assert len(found.group_metrics) == 25  # a bin per given value
        assert found.group_metrics["count"].sum() == len(X)
        assert "group_metrics" not in found.undefined
        # by default, five quantiles and their bins
        default = audit(model, X, y, protected="age").attributes["age"]
        assert len(default.group_metrics) == 5
        assert set(default.direction["target"]) == {24, 34, 44, 54, 64}
