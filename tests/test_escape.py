"""Text from the data leaving the package: terminal lines, Markdown, HTML, JSON.

A hostile table (column names and values that are markup, control characters
or CI workflow commands) goes through a whole audit; every page and line it
produces must show the values as text, never act on them.
"""

import html
import json
import re

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin

from skcounterfactual import CounterfactualAugmenter, audit


def terminal(text):
    from skcounterfactual._escape import terminal

    return terminal(text)


def markdown(text):
    from skcounterfactual._escape import markdown

    return markdown(text)


def csv_cell(value):
    from skcounterfactual._escape import csv_cell

    return csv_cell(value)


SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
LINK = "[click](javascript:alert(1))"
HEADING = "gender\n## injected heading"
FORGED = "M\n::error file=a.py::forged\nPASS: every bound holds.\x1b[31m"
MATHTEXT = r"costs $\notacommand{5}$"  # matplotlib would parse it as mathtext


@pytest.mark.parametrize(
    "text, expected",
    [
        ("plain text, ünïcödé, 中文", "plain text, ünïcödé, 中文"),
        ("a\nb", "a\\nb"),
        ("a\r\nb", "a\\r\\nb"),
        ("tab\there", "tab\\there"),
        ("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"),
        ("bell\x07 nul\x00 del\x7f", "bell\\x07 nul\\x00 del\\x7f"),
        ("next line\x85", "next line\\x85"),
        ("line\u2028separator\u2029", "line\\u2028separator\\u2029"),
        ("right-to-left \u202eevil\u202c", "right-to-left \\u202eevil\\u202c"),
    ],
)
def test_terminal_writes_control_characters_as_visible_escapes(text, expected):
    assert terminal(text) == expected
    assert len(terminal(text).splitlines()) <= 1


def test_terminal_line_cannot_forge_a_workflow_command():
    line = terminal(FORGED)
    assert line.splitlines() == [line]
    assert line.startswith("M\\n::error")
    assert "\x1b" not in line


@pytest.mark.parametrize(
    "text, expected",
    [
        (SCRIPT, "&lt;script&gt;alert(1)&lt;/script&gt;"),
        (IMG, "&lt;img src=x onerror=alert(1)&gt;"),
        (LINK, "[click\\](javascript:alert(1))"),
        ("![img](javascript:x)", "![img\\](javascript:x)"),
        ("[a][ref]", "[a\\][ref]"),
        ("<javascript:alert(1)>", "&lt;javascript:alert(1)&gt;"),
        ("<!-- hidden -->", "&lt;!-- hidden --&gt;"),
        ("a | b", "a \\| b"),
        ("`code`", "\\`code\\`"),
        ("*bold* _it_ ~~del~~", "\\*bold\\* \\_it\\_ \\~\\~del\\~\\~"),
        ("back\\slash", "back\\\\slash"),
        ("&lt;b&gt; & co", "&amp;lt;b&amp;gt; & co"),
        (HEADING, "gender\\n## injected heading"),
        # text that needs no escaping is left alone
        ("gender_code first_name", "gender_code first_name"),
        ("< 0.001", "< 0.001"),
        ("55.7% [52.3%,\u00a059.0%]", "55.7% [52.3%,\u00a059.0%]"),
        ("Female \u2192 Male", "Female \u2192 Male"),
    ],
)
def test_markdown_shows_markup_as_text(text, expected):
    assert markdown(text) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=1+2", "'=1+2"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Anna", "Anna"),
        ("a=b", "a=b"),
        (-1, -1),
        (2.5, 2.5),
        (None, None),
    ],
)
def test_csv_cells_that_a_spreadsheet_would_compute_become_text(value, expected):
    assert csv_cell(value) == expected


class FirstGroupOrHighU(ClassifierMixin, BaseEstimator):
    """Favours the first group, and everyone with u above 0.5."""

    def __init__(self, column=None, favoured=None):
        self.column = column
        self.favoured = favoured

    def fit(self, X, y=None):
        self.classes_ = np.array([0, 1])
        return self

    def predict(self, X):
        chosen = (X[self.column] == self.favoured) | (X["u"] > 0.5)
        return chosen.to_numpy().astype(np.int64)


@pytest.fixture(scope="module")
def hostile_report():
    """An audit whose column names and values are markup and control codes."""
    values = [IMG, LINK, FORGED, SCRIPT, MATHTEXT]
    X = pd.DataFrame(
        {
            HEADING: np.array(values * 8, dtype=object),
            "name": np.array([SCRIPT, "`x`", "a|b", "<b>", "$x$"] * 8, dtype=object),
            "u": np.linspace(0, 1, 40),
        }
    )
    model = FirstGroupOrHighU(column=HEADING, favoured=IMG).fit(X)
    twins = CounterfactualAugmenter(
        protected=HEADING, links={"name": "resample"}, placebo=False, random_state=0
    )
    return audit(model, X, augmenter=twins)


def test_markdown_of_a_hostile_audit_adds_no_structure(hostile_report):
    text = hostile_report.to_markdown()
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert not any(
        "injected heading" in h and not h.startswith("## gender") for h in headings
    )
    assert "## gender\\n## injected heading" in headings
    for raw in ("<script", "<img", "<b>", "\x1b"):
        assert raw not in text
    assert not re.search(r"(?<!\\)\]\(", text)  # no link
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    # no line of the page starts with a value from the data
    for line in text.splitlines():
        assert not line.startswith(("::", "PASS", "M\\n"))
    # every table row has as many cells as its header
    for block in text.split("\n\n"):
        rows = [line for line in block.splitlines() if line.startswith("|")]
        widths = {len(re.findall(r"(?<!\\)\|", row)) for row in rows}
        assert len(widths) <= 1, block


@pytest.mark.usefixtures("pyplot")
def test_html_of_a_hostile_audit_escapes_every_value(hostile_report):
    for page in (hostile_report.to_html(), hostile_report._repr_html_()):
        for raw in ("<script>alert", "<img src=x", "<b>", "\x1b"):
            assert raw not in page
        assert html.escape(IMG) in page
        assert html.escape("gender\\n## injected heading") in page
        assert "javascript:" not in re.sub(r"[^<]*", "", page)  # never in a tag


def test_json_of_a_hostile_audit_round_trips(hostile_report):
    data = json.loads(hostile_report.to_json())
    found = data["attributes"][HEADING]
    sources = {row["source"] for row in found["direction"]}
    assert sources == {IMG, LINK, FORGED, SCRIPT, MATHTEXT}


def test_json_tells_infinite_values_from_missing_ones():
    X = pd.DataFrame({"g": [1.0, np.inf, -np.inf] * 7, "u": np.linspace(0, 1, 21)})
    model = FirstGroupOrHighU(column="g", favoured=np.inf).fit(X)
    report = audit(model, X, augmenter=CounterfactualAugmenter(protected="g"))
    text = report.to_json()
    data = json.loads(text)  # strict JSON: no bare Infinity or NaN
    assert "Infinity" not in text and "NaN" not in text
    sources = {row["source"] for row in data["attributes"]["g"]["direction"]}
    assert sources == {1.0, "inf", "-inf"}
    groups = {row["group"] for row in data["attributes"]["g"]["group_metrics"]}
    assert groups == {"1.0", "inf", "-inf"}
