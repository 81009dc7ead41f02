"""The report objects: summary frame, JSON, Markdown and HTML pages, figures,
and pages without matplotlib.

The numbers themselves are tested in ``test_audit.py``.
"""

import base64
import html
import json
import re
import sys

import numpy as np
import pandas as pd
import pytest
from _models import KnownFlips, known_rows

from skcounterfactual import CounterfactualAugmenter, audit
from skcounterfactual._plotting import MATPLOTLIB_MISSING
from skcounterfactual._render import FIGURES_MISSING
from skcounterfactual._report import (
    JSON_ATTRIBUTE_KEYS,
    JSON_KEYS,
    OPTIONAL_SECTIONS,
    SUMMARY_COLUMNS,
)

# These tests twin the loan data with the fewest links their assertions need
# (often the gender code alone), so titles and names stay those of the other
# gender: the incoherence the coherence check reports (tests/test_coherence.py).
pytestmark = pytest.mark.filterwarnings(
    "ignore::skcounterfactual.IncoherentTwinWarning"
)


IMG = '<img src="data:image/png;base64,'


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
    twins = CounterfactualAugmenter(
        protected="gender",
        links={"first_name": "first_name"},
        source="vocabulary",
        placebo=False,
        random_state=0,
    )
    report = audit(KnownFlips(p=0.5).fit(X), X, augmenter=twins)
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
    assert (
        "- placebo_rate: no placebo twins: the augmenter's placebo=False, or no "
        "generated"
    ) in text


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
        nulls = {
            k for k, v in gender.items() if v is None and k not in OPTIONAL_SECTIONS
        }
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
        data = audit(model, X, protected="gender", pos_label=0).to_dict()
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


def test_page_draws_no_figure_per_value(age_audit, pyplot):
    page = age_audit[3].to_html()
    # flip rates, selection rates and decision matrix by bin of age: one
    # figure of each kind, none per observed age
    assert page.count(IMG) == 3
    found = age_audit[3].attributes["age"]
    assert list(found.group_metrics.index) == ["< 35", "[35, 55)", ">= 55"]
    assert set(found.direction["source"]) == {"< 35", "[35, 55)", ">= 55"}


def test_report_names_its_favourable_decision(tutorial):
    report = tutorial[3]
    assert report.pos_label == 1
    data = report.to_dict()
    assert data["pos_label"] == 1
    assert "favourable" not in data
    assert "favourable decision (pos_label) 1" in report.to_markdown()
    assert repr(report) == (
        "<AuditReport of Pipeline(ColumnTransformer, DecisionTreeClassifier) on "
        f"1000 rows (gender: flip rate {report.attributes['gender'].flip_rate:.3f})>"
    )


def test_string_pos_label_reaches_the_json_and_the_pages(pyplot):
    X = known_rows(40, np.random.default_rng(11))
    model = KnownFlips(p=0.5).fit(X)
    worded = audit(model, X, protected="gender", pos_label=1)
    assert json.loads(worded.to_json())["pos_label"] == 1
    zero = audit(model, X, protected="gender", pos_label=0)
    assert json.loads(zero.to_json())["pos_label"] == 0
    gender, flipped = worded.attributes["gender"], zero.attributes["gender"]
    # the flips are the same rows; favourable and unfavourable swap
    assert flipped.flip_rate == gender.flip_rate
    assert flipped.group_metrics["selection_rate"].tolist() == pytest.approx(
        [1 - r for r in gender.group_metrics["selection_rate"]]
    )
    assert "favourable = 0" in zero.plot_decision_matrix("gender").get_xlabel()
    pyplot.close("all")
