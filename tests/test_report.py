import base64
import html
import json
import re
import sys

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import (
    MetricFrame,
    demographic_parity_difference,
    demographic_parity_ratio,
    equalized_odds_difference,
    selection_rate,
)
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.tree import DecisionTreeClassifier

from skcounterfactual import AuditReport, CounterfactualAugmenter, audit
from skcounterfactual._plotting import MATPLOTLIB_MISSING
from skcounterfactual._render import FIGURES_MISSING
from skcounterfactual._report import JSON_ATTRIBUTE_KEYS, JSON_KEYS, SUMMARY_COLUMNS
from skcounterfactual._stats import weighted_proportion_interval, wilson_interval
from skcounterfactual._twins import MISSING_PROTECTED
from skcounterfactual._validation import MISSING_COLUMN
from skcounterfactual.datasets import make_loan_applicants

GENDER_CODE = {"gender_code": {"Male": 1, "Female": 0}}
IMG = '<img src="data:image/png;base64,'


@pytest.fixture(scope="module")
def pyplot():
    """Matplotlib's pyplot on the Agg backend; skips the test without it."""
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    yield plt
    plt.close("all")


def select(*columns):
    """A ColumnTransformer that keeps ``columns``: the audit passes whole rows."""
    return ColumnTransformer(
        [("keep", "passthrough", list(columns))], verbose_feature_names_out=False
    )


@pytest.fixture(scope="module")
def tutorial():
    X, y = make_loan_applicants(n_samples=1000, bias=1, random_state=42)
    model = Pipeline(
        [
            ("select", select("gender_code", "income")),
            ("tree", DecisionTreeClassifier(max_depth=3, random_state=0)),
        ]
    ).fit(X, y)
    X_audit, y_audit = make_loan_applicants(n_samples=1000, bias=1, random_state=7)
    report = audit(model, X_audit, y_audit, protected="gender", links=GENDER_CODE)
    return model, X_audit, y_audit, report


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
    return pd.DataFrame(
        {"gender": rng.choice(["Female", "Male"], n), "u": rng.random(n)}
    )


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
        report = audit(
            model,
            profiles,
            protected="gender",
            links=GENDER_CODE,
            values={"gender": ["Female", "Male"]},
        )
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


def test_placebo_is_zero_for_a_model_that_ignores_names():
    X, y = make_loan_applicants(n_samples=300, random_state=0)
    model = Pipeline(
        [("select", select("income")), ("tree", DecisionTreeClassifier())]
    ).fit(X, y)
    report = audit(
        model,
        make_loan_applicants(n_samples=300, random_state=1)[0],
        protected="gender",
        links={**GENDER_CODE, "first_name": "first_name"},
        source="mimesis",
    )
    gender = report.attributes["gender"]
    assert report.placebo is True
    assert gender.n_placebo_twins == 300
    assert gender.placebo_rate == 0.0
    assert gender.placebo_rate_interval[0] == 0.0
    assert gender.flip_rate == 0.0
    assert gender.flip_minus_placebo == 0.0
    assert gender.evidence.empty


class NameLength(ClassifierMixin, BaseEstimator):
    """Approves names of even length: gender-blind, but sensitive to names."""

    def fit(self, X, y=None):
        self.classes_ = np.array([0, 1])
        return self

    def predict(self, X):
        return (X["first_name"].str.len() % 2 == 0).to_numpy().astype(np.int64)


def test_placebo_measures_the_noise_of_new_names():
    X, _ = make_loan_applicants(n_samples=400, random_state=3)
    X = X.drop(columns="gender_code")  # only names follow gender here
    report = audit(
        NameLength().fit(X),
        X,
        protected="gender",
        links={"first_name": "first_name"},
        source="mimesis",
    )
    gender = report.attributes["gender"]
    assert gender.placebo_rate > 0.3
    assert gender.flip_rate > 0.3
    low, high = gender.flip_minus_placebo_interval
    assert low < 0 < high  # new names, not gender, move the decisions
    changed = set().union(*(set(c) for c in gender.evidence["changes"]))
    assert changed == {"first_name"}


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


@pytest.fixture(scope="module")
def hostile():
    """Rows whose values would be markup if a page did not escape them."""
    gender = np.array(["Female", "Male"] * 20)
    X = pd.DataFrame(
        {
            "first_name": pd.array(
                np.where(gender == "Female", "<script>alert(1)</script>", "Bob & Co"),
                dtype="str",
            ),
            "gender": gender,
            "u": np.linspace(0, 1, 40),
        }
    )
    # a man's twin takes the women's first name from the fitted vocabulary
    report = audit(
        KnownFlips(p=0.5).fit(X),
        X,
        protected="gender",
        links={"first_name": "first_name"},
        source="vocabulary",
        placebo=False,
    )
    return X, report


@pytest.mark.usefixtures("pyplot")
class TestHTML:
    def test_one_embedded_png_per_figure(self, hostile):
        html = hostile[1].to_html()
        assert html.startswith("<!DOCTYPE html>")
        # flip rates, then per attribute: selection rates and decision matrix
        assert html.count(IMG) == 1 + 2 * len(hostile[1].attributes)
        for match in re.finditer(re.escape(IMG) + r'([A-Za-z0-9+/=]+)"', html):
            assert base64.b64decode(match.group(1))[:8] == b"\x89PNG\r\n\x1a\n"

    def test_values_from_the_data_are_escaped(self, hostile):
        X, report = hostile
        evidence = report.attributes["gender"].evidence
        shown = [change["first_name"] for change in evidence["changes"]]
        assert ("Bob & Co", "<script>alert(1)</script>") in shown
        for text in (report.to_html(), report._repr_html_()):
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
            assert "<script" not in text
            assert "Bob &amp; Co" in text

    def test_written_file(self, hostile, tmp_path):
        path = tmp_path / "report.html"
        html = hostile[1].to_html(path)
        assert path.read_text(encoding="utf-8") == html

    def test_notebook_fragment(self, hostile):
        fragment = hostile[1]._repr_html_()
        assert fragment.startswith("<style>") and "<html" not in fragment
        assert fragment.count(IMG) == 3


def test_markdown(tutorial):
    text = tutorial[3].to_markdown()
    lines = text.splitlines()
    assert lines[0] == (
        "# Counterfactual audit of Pipeline(ColumnTransformer, DecisionTreeClassifier)"
    )
    row = next(line for line in lines if line.startswith("| gender |"))
    gender = tutorial[3].attributes["gender"]
    assert f"{gender.flip_rate:.1%}" in row
    male = gender.direction.set_index("source").loc["Male"]
    assert (
        f"| Male | Female | {male['n_pairs']:,} | "
        f"{male['favourable_to_unfavourable']:,} | 0 | < 0.001 | < 0.001 |"
    ) in lines
    assert "- placebo_rate: no placebo twins: placebo=False, or no generated" in text


class TestMachineReadable:
    def test_json_round_trip(self, tutorial, tmp_path):
        report = tutorial[3]
        path = tmp_path / "audit.json"
        text = report.to_json(path)
        assert path.read_text(encoding="utf-8") == text
        data = json.loads(text)
        assert tuple(data) == JSON_KEYS
        assert tuple(data["attributes"]["gender"]) == JSON_ATTRIBUTE_KEYS
        assert data["schema_version"] == 1
        assert data["n_rows"] == 1000
        gender = data["attributes"]["gender"]
        found = report.attributes["gender"]
        for key in (
            "flip_rate",
            "asymmetry_p_value",
            "demographic_parity_difference",
            "equalized_odds_difference",
            "unseen_twins",
            "n_rows",
        ):
            assert gender[key] == getattr(found, key)
        assert gender["flip_rate_interval"] == list(found.flip_rate_interval)
        assert gender["placebo_rate"] is None
        assert gender["placebo_rate_interval"] is None
        assert set(gender["undefined"]) == {"placebo_rate", "flip_minus_placebo"}
        assert (
            gender["direction"][0]["n_pairs"] + gender["direction"][1]["n_pairs"]
            == 1000
        )
        assert {g["group"] for g in gender["group_metrics"]} == {"Female", "Male"}
        assert isinstance(gender["group_metrics"][0]["count"], int)
        assert len(gender["evidence"]) == 20
        assert gender["evidence"][0]["changes"]["gender_code"] in ([0, 1], [1, 0])

    def test_every_null_has_a_reason(self):
        rng = np.random.default_rng(4)
        X = known_rows(60, rng)
        model = KnownFlips(p=0.0).fit(X)  # nobody flips, nobody is denied
        data = audit(model, X, protected="gender", response_method="predict").to_dict()
        gender = data["attributes"]["gender"]
        nulls = {k for k, v in gender.items() if v is None}
        assert nulls == {
            "placebo_rate",
            "placebo_rate_interval",
            "flip_minus_placebo",
            "flip_minus_placebo_interval",
            "score_change",
            "score_change_interval",
            "equalized_odds_difference",
        }
        reasons = gender["undefined"]
        assert {k.removesuffix("_interval") for k in nulls} == set(reasons)
        assert reasons["equalized_odds_difference"] == "needs the true labels y"
        assert gender["flip_rate"] == 0.0 and gender["demographic_parity_ratio"] == 1.0

    def test_zero_selection_gives_an_undefined_ratio(self):
        X = known_rows(30, np.random.default_rng(5))
        model = KnownFlips(p=-1.0).fit(X)  # everybody gets 1, nobody the 0
        data = audit(model, X, protected="gender", favourable=0).to_dict()
        gender = data["attributes"]["gender"]
        assert gender["demographic_parity_ratio"] is None
        assert "0/0" in gender["undefined"]["demographic_parity_ratio"]
        json.dumps(data, allow_nan=False)

    def test_to_frame(self, tutorial):
        frame = tutorial[3].to_frame()
        assert list(frame.columns) == list(SUMMARY_COLUMNS)
        assert frame.index.tolist() == ["gender"]
        gender = tutorial[3].attributes["gender"]
        assert frame.loc["gender", "flip_rate"] == gender.flip_rate
        assert np.isnan(frame.loc["gender", "placebo_rate"])


def test_several_attributes_and_their_intersection(pyplot):
    X, y = make_loan_applicants(
        n_samples=400, random_state=5, countries=["Canada", "Ireland"]
    )
    model = Pipeline(
        [
            ("select", select("gender_code", "income")),
            ("tree", DecisionTreeClassifier(max_depth=3, random_state=0)),
        ]
    ).fit(X, y)
    report = audit(
        model,
        X,
        y,
        protected=["gender", "country"],
        links={"gender": {**GENDER_CODE, "first_name": "first_name"}, "country": {}},
        intersectional=True,
    )
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
    with pytest.raises(ValueError, match=re.escape("differs from the augmenter's")):
        audit(model, X, protected="country", augmenter=augmenter)


class TestPlots:
    def test_axes(self, tutorial, pyplot):
        report = tutorial[3]
        ax = report.plot_flip_rates()
        assert [t.get_text() for t in ax.get_yticklabels()] == ["gender"]
        ax = report.plot_selection_rates()
        widths = [patch.get_width() for patch in ax.patches]
        assert widths == pytest.approx(
            report.attributes["gender"].group_metrics["selection_rate"].tolist()
        )
        ax = report.plot_decision_matrix("gender")
        texts = [int(t.get_text().replace(",", "")) for t in ax.texts]
        direction = report.attributes["gender"].direction.set_index("source")
        assert texts[:2] == [
            direction.loc["Female", "favourable_both"],
            direction.loc["Female", "favourable_to_unfavourable"],
        ]
        assert sum(texts) == 1000
        pyplot.close("all")

    def test_unknown_attribute(self, tutorial):
        with pytest.raises(ValueError, match=re.escape("attribute='age' is not in")):
            tutorial[3].plot_selection_rates("age")

    def test_without_matplotlib(self, tutorial, monkeypatch):
        monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
        with pytest.raises(ImportError, match=re.escape(MATPLOTLIB_MISSING)):
            tutorial[3].plot_flip_rates()
        assert 'pip install "skcounterfactual[plot]"' in MATPLOTLIB_MISSING


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
            ValueError,
            match=re.escape(
                "y must be 1-D with one label per row of X (20 rows), got shape (19,)."
            ),
        ):
            audit(model, X, np.zeros(19), protected="gender")

    def test_estimator_without_predict(self, data):
        with pytest.raises(TypeError, match="estimator must have a predict method"):
            audit(object(), data[1], protected="gender")

    @pytest.mark.parametrize(
        "kwargs, message",
        [
            ({"favourable": "yes"}, "favourable='yes' is not a class of the estimator"),
            ({"response_method": "proba"}, "response_method must be one of"),
            ({"max_evidence": -1}, "max_evidence must be a non-negative integer"),
            ({"placebo": "yes"}, "placebo must be True, False or 'auto'"),
            ({"confidence": 95}, "confidence must be a number strictly between 0"),
        ],
    )
    def test_bad_options(self, data, kwargs, message):
        with pytest.raises(ValueError, match=re.escape(message)):
            audit(data[0], data[1], protected="gender", **kwargs)

    def test_report_type(self, data):
        assert isinstance(audit(data[0], data[1], protected="gender"), AuditReport)


def test_audit_reports_progress_per_chunk():
    from sklearn.dummy import DummyClassifier

    from skcounterfactual import audit

    X = pd.DataFrame({"g": ["a", "b"] * 50, "v": range(100)})
    model = DummyClassifier(strategy="constant", constant=1).fit(X, [1] * 100)
    seen = []
    audit(
        model,
        X,
        protected="g",
        chunk_size=30,
        progress=lambda d, t: seen.append((d, t)),
    )
    assert seen == [(30, 100), (60, 100), (90, 100), (100, 100)]


class TestWithoutMatplotlib:
    """The README's first command works on an install without the plot extra."""

    @pytest.fixture(params=["has_matplotlib", "import"])
    def no_matplotlib(self, request, monkeypatch):
        if request.param == "has_matplotlib":
            monkeypatch.setattr(
                "skcounterfactual._plotting.has_matplotlib", lambda: False
            )
        else:  # importing matplotlib (or any of its modules) fails
            for name in list(sys.modules):
                if name == "matplotlib" or name.startswith("matplotlib."):
                    monkeypatch.delitem(sys.modules, name)
            monkeypatch.setitem(sys.modules, "matplotlib", None)

    def test_page_has_the_tables_and_a_note_instead_of_figures(
        self, tutorial, no_matplotlib, tmp_path
    ):
        report = tutorial[3]
        page = report.to_html(tmp_path / "report.html")
        assert page.startswith("<!DOCTYPE html>")
        assert IMG not in page
        assert f'<p class="note">{html.escape(FIGURES_MISSING)}</p>' in page
        assert "pip install &quot;skcounterfactual[plot]&quot;" in page
        assert "<h3>Groups (original rows)</h3>" in page
        assert (tmp_path / "report.html").read_text(encoding="utf-8") == page
        assert IMG not in report._repr_html_()


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

    def test_audit_passes_missing_to_the_augmenter_it_builds(self, missing_gender):
        model, X, y, _ = missing_gender
        skipped = audit(
            model, X, y, protected="gender", links=GENDER_CODE, missing="skip"
        )
        assert skipped.attributes["gender"].n_missing == 7
        message = MISSING_PROTECTED.format(attribute="gender", count=7)
        with pytest.raises(ValueError, match=re.escape(message)):
            audit(model, X, y, protected="gender", links=GENDER_CODE)

    def test_no_missing_value_counts_zero(self, tutorial):
        assert tutorial[3].attributes["gender"].n_missing == 0


def test_audit_passes_strict_and_default_locale_to_the_augmenter(tutorial):
    model, X, _, _ = tutorial
    with pytest.raises(
        ValueError, match=re.escape("values['gender'] contains ['Other'], never seen")
    ):
        audit(
            model,
            X,
            protected="gender",
            values={"gender": ["Male", "Female", "Other"]},
            strict=True,
        )
    with pytest.raises(
        ValueError, match=re.escape("default_locale='xx' is not a Mimesis locale")
    ):
        audit(model, X, protected="gender", default_locale="xx")


@pytest.fixture(scope="module")
def age():
    X, y = make_loan_applicants(n_samples=400, bias=1, random_state=5)
    model = Pipeline(
        [
            ("select", select("age", "income")),
            ("tree", DecisionTreeClassifier(max_depth=3, random_state=0)),
        ]
    ).fit(X, y)
    report = audit(model, X, y, protected="age", values={"age": [25, 45, 65]})
    return X, y, model, report


class TestContinuousAttribute:
    def test_group_metrics_are_undefined_with_advice_to_bin(self, age):
        X, _, _, report = age
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
        assert set(found.direction["target"]) == {25, 45, 65}
        with pytest.raises(ValueError, match=re.escape(reason)):
            report.plot_selection_rates("age")

    def test_page_draws_no_figure_per_value(self, age, pyplot):
        page = age[3].to_html()
        assert page.count(IMG) == 1  # the flip rates; no per-age figures
        assert "values of age are too many to draw" in page

    def test_data_holding_only_the_given_values_gets_group_metrics(self, age):
        X, y, model, _ = age
        X = X.assign(age=X["age"].where(X["age"] < 45, 65).where(X["age"] >= 35, 25))
        X.loc[(X["age"] >= 35) & (X["age"] < 45), "age"] = 45
        report = audit(model, X, y, protected="age", values={"age": [25, 45, 65]})
        found = report.attributes["age"]
        assert sorted(found.group_metrics.index) == [25, 45, 65]
        assert found.group_metrics["count"].sum() == len(X)
        assert found.demographic_parity_difference is not None

    def test_many_values_all_in_the_given_domain_get_group_metrics(self, age):
        X, y, model, _ = age
        ages = list(range(20, 70, 2))  # 25 values
        X = X.assign(age=np.resize(ages, len(X)))
        report = audit(model, X, y, protected="age", values={"age": ages})
        found = report.attributes["age"]
        assert len(found.group_metrics) == 25
        assert "group_metrics" not in found.undefined
        undefined = audit(model, X, y, protected="age").attributes["age"]
        assert undefined.group_metrics.empty
        assert "'age' has 25 distinct values" in undefined.undefined["group_metrics"]
