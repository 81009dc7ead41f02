"""Memory follows the twins built, not the size of a domain.

Plans too large are refused before anything is allocated, with the fix; the
scores and the audit twin as many rows at a time as fit under the limit.
"""

import re
import tracemalloc

import numpy as np
import pandas as pd
import pytest

from skcounterfactual import (
    CounterfactualAugmenter,
    audit,
    counterfactual_flip_rate,
)


def plan():
    """The module of the limits (imported here: the behaviour comes first)."""
    from skcounterfactual import _plan

    return _plan


class ByValue:
    """Favours protected values of even length (a duck-typed, fitted model)."""

    classes_ = np.array([0, 1])

    def __init__(self, column):
        self.column = column

    def __sklearn_is_fitted__(self):
        return True

    def predict(self, X):
        return (X[self.column].astype(str).str.len() % 2 == 0).to_numpy().astype(int)


def identifiers(n):
    """``n`` distinct text values: a domain of ``n`` groups (not a number)."""
    return [f"id{i}" for i in range(n)]


def peak_megabytes(call):
    tracemalloc.start()
    try:
        result = call()
        return result, tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def test_a_large_domain_without_n_twins_is_refused_at_fit():
    X = pd.DataFrame({"v": identifiers(10_000), "w": 1})
    with pytest.raises(ValueError) as caught:
        CounterfactualAugmenter(protected="v").fit(X)
    message = plan().TOO_MANY_PER_ROW.format(
        what="value", count=9_999, name="v", sizes="10,000 values", limit=1_000
    )
    assert str(caught.value) == message
    # the fix the message names works, and costs what the twins cost
    augmenter = CounterfactualAugmenter(protected="v", n_twins=1, random_state=0)
    twins, peak = peak_megabytes(lambda: augmenter.fit(X).make_twins(X))
    assert len(twins) == len(X)
    assert (twins.provenance["new"] != twins.provenance["original"]).all()
    assert peak < 100


def test_an_audit_of_a_large_domain_is_bounded_by_its_twins():
    X = pd.DataFrame({"v": identifiers(10_000), "w": 1})
    augmenter = CounterfactualAugmenter(
        protected="v", n_twins=1, placebo=False, random_state=0
    )
    report, peak = peak_megabytes(lambda: audit(ByValue("v"), X, augmenter=augmenter))
    found = report.attributes["v"]
    assert found.n_twins == 10_000
    assert len(found.direction) == 10_000  # observed pairs, not 10,000 squared
    assert peak < 250


def test_intersections_of_large_domains_are_refused_or_drawn():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({c: rng.integers(0, 3000, 5) for c in "abc"})
    values = {c: list(range(3000)) for c in "abc"}
    with pytest.raises(ValueError) as caught:
        CounterfactualAugmenter(
            protected=list("abc"), values=values, intersectional=True
        ).fit(X)
    message = plan().TOO_MANY_PER_ROW.format(
        what="combination of values",
        count=3000**3 - 1,
        name="a & b & c",
        sizes="3,000 x 3,000 x 3,000 values",
        limit=plan().MAX_TWINS_PER_ROW,
    )
    assert str(caught.value) == message
    augmenter = CounterfactualAugmenter(
        protected=list("abc"),
        values=values,
        intersectional=True,
        n_twins=3,
        coherence=None,
        random_state=0,
    ).fit(X)
    twins, peak = peak_megabytes(lambda: augmenter.make_twins(X))
    assert peak < 50  # not 27 billion combinations
    provenance = twins.provenance
    assert provenance.groupby("source_position").size().tolist() == [3] * 5
    own = [tuple(row) for row in X[list("abc")].to_numpy().tolist()]
    for position, new in zip(
        provenance["source_position"], provenance["new"], strict=True
    ):
        assert new != own[position]
    assert provenance.groupby("source_position")["new"].nunique().tolist() == [3] * 5
    # a row's draws do not depend on the rows passed with it
    alone = pd.concat([augmenter.make_twins(X.iloc[[i]]).provenance for i in range(5)])
    assert alone["new"].tolist() == provenance["new"].tolist()


def test_drawn_targets_are_uniform():
    X = pd.DataFrame({"a": np.zeros(20_000, dtype=np.int64), "b": 0})
    values = {"a": list(range(300)), "b": list(range(300))}  # 90,000 combinations
    augmenter = CounterfactualAugmenter(
        protected=["a", "b"],
        values=values,
        intersectional=True,
        n_twins=1,
        coherence=None,
        random_state=0,
    ).fit(X)
    new = np.array(augmenter.make_twins(X).provenance["new"].tolist())
    # each value of a is drawn 20,000 / 300 = 66.7 times on average
    counts = np.bincount(new[:, 0], minlength=300)
    assert counts.min() > 30 and counts.max() < 110


def test_a_make_twins_call_beyond_the_limit_is_refused_before_building(monkeypatch):
    X = pd.DataFrame({"g": ["F", "M"] * 30, "x": range(60)})
    augmenter = CounterfactualAugmenter(protected="g", coherence=None).fit(X)
    monkeypatch.setattr(plan(), "MAX_TWINS", 50)
    message = plan().TOO_MANY_TWINS.format(count=60, n_rows=60, per_row=1.0, limit=50)
    with pytest.raises(ValueError, match=re.escape(message)):
        augmenter.make_twins(X)
    assert len(augmenter.make_twins(X.iloc[:50])) == 50


def test_scores_and_audits_chunk_under_the_limit(monkeypatch):
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"v": np.array(identifiers(10))[rng.integers(0, 10, 200)]})
    X["w"] = 1
    augmenter = CounterfactualAugmenter(protected="v", coherence=None).fit(X)
    model = ByValue("v")
    expected = counterfactual_flip_rate(model, X, augmenter=augmenter)
    report = audit(model, X, augmenter=augmenter)
    calls = []
    make_twins = CounterfactualAugmenter.make_twins

    def spy(self, X, **kwargs):
        twin_set = make_twins(self, X, **kwargs)
        calls.append(len(twin_set))
        return twin_set

    monkeypatch.setattr(CounterfactualAugmenter, "make_twins", spy)
    monkeypatch.setattr(plan(), "MAX_TWINS", 100)
    assert plan().rows_per_chunk(augmenter, 200_000) == 10  # 9 twins, 1 placebo
    assert counterfactual_flip_rate(model, X, augmenter=augmenter) == expected
    chunked = audit(model, X, augmenter=augmenter).attributes["v"]
    assert chunked.flip_rate == report.attributes["v"].flip_rate
    assert chunked.n_twins == report.attributes["v"].n_twins
    assert len(calls) == 40 and max(calls) <= 100


def test_the_documented_limits():
    assert plan().MAX_TWINS == 10_000_000
    assert plan().MAX_TWINS_PER_ROW == 1_000
