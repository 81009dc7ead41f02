"""Property tests for the scorers and the audit over generated frames."""

import numpy as np
import pandas as pd
from fairlearn.metrics import demographic_parity_difference
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skcounterfactual import (
    CounterfactualAugmenter,
    audit,
    counterfactual_flip_rate,
    counterfactual_flip_score,
    make_parity_scorer,
)

SETTINGS = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


class RuleModel:
    """Approves group 'a' and anyone with a positive score: a known rule."""

    def __sklearn_is_fitted__(self):
        return True

    def predict(self, X):
        return ((X["group"] == "a") | (X["score"] > 0)).to_numpy().astype(int)


@st.composite
def frames(draw):
    n = draw(st.integers(2, 40))
    groups = draw(st.lists(st.sampled_from("abc"), min_size=n, max_size=n))
    if len(set(groups)) < 2:
        groups[0], groups[-1] = "a", "b"
    score = draw(
        st.lists(
            st.floats(-5, 5, allow_nan=False, allow_infinity=False),
            min_size=n,
            max_size=n,
        )
    )
    missing = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    index_kind = draw(st.sampled_from(["range", "strings", "duplicated"]))
    index = {
        "range": pd.RangeIndex(n),
        "strings": pd.Index([f"r{i}" for i in range(n)]),
        "duplicated": pd.Index([i // 2 for i in range(n)]),
    }[index_kind]
    frame = pd.DataFrame(
        {
            "group": pd.array(groups, dtype="str"),
            "score": score,
            "count": pd.array(
                [None if m else i for i, m in enumerate(missing)], dtype="Int64"
            ),
            "kind": pd.Categorical([g.upper() for g in groups]),
            "when": pd.date_range("2020-01-01", periods=n, freq="D"),
            "flag": [bool(i % 2) for i in range(n)],
            "noise": [None if m else float(i) for i, m in enumerate(missing)],
        },
        index=index,
    )
    return frame


@SETTINGS
@given(frames(), st.integers(0, 3))
def test_flip_score_is_a_probability_and_reproducible(X, seed):
    before = X.copy(deep=True)
    model = RuleModel()
    twins = CounterfactualAugmenter(
        protected="group",
        links={"kind": {"a": "A", "b": "B", "c": "C"}},
        values={"group": ["a", "b", "c"]},
        random_state=seed,
    )
    score = counterfactual_flip_score(model, X, augmenter=twins)
    assert 0.0 <= score <= 1.0
    again = counterfactual_flip_score(model, X, augmenter=twins)
    assert score == again
    pd.testing.assert_frame_equal(X, before)
    # the rule flips exactly the rows with a non-positive score
    expected = (X["score"] <= 0).mean()
    assert counterfactual_flip_rate(
        model, X, augmenter=twins.set_params(random_state=0)
    ) == np.float64(expected)


@SETTINGS
@given(frames())
def test_audit_counts_add_up_and_parity_equals_fairlearn(X):
    before = X.copy(deep=True)
    model = RuleModel()
    twins = CounterfactualAugmenter(
        protected="group",
        links={"kind": {"a": "A", "b": "B", "c": "C"}},
        values={"group": ["a", "b", "c"]},
        random_state=0,
    )
    report = audit(model, X, augmenter=twins)
    pd.testing.assert_frame_equal(X, before)
    result = report.attributes["group"]
    assert result.n_rows == len(X)
    assert result.n_twins == 2 * len(X)
    assert result.flip_rate == (X["score"] <= 0).mean()
    low, high = result.flip_rate_interval
    assert 0.0 <= low <= result.flip_rate <= high <= 1.0
    predictions = model.predict(X)
    expected = demographic_parity_difference(
        predictions, predictions, sensitive_features=X["group"].to_numpy()
    )
    assert np.isclose(result.demographic_parity_difference, expected, atol=1e-12)
    scorer = make_parity_scorer(protected="group")
    assert np.isclose(scorer(model, X), -expected, atol=1e-12)
