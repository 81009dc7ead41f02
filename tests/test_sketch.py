"""The quantile sketch of changes: within 0.5% of the exact quantiles, and the
same counts whatever the split of the values."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skcounterfactual._sketch import RELATIVE_ACCURACY, QuantileSketch


@settings(max_examples=50)
@given(
    st.lists(
        st.floats(min_value=-1e9, max_value=1e9, allow_nan=False),
        min_size=1,
        max_size=200,
    ),
    st.integers(1, 6),
    st.sampled_from([0.05, 0.25, 0.5, 0.75, 0.95]),
)
def test_quantiles_are_within_the_accuracy_and_merge_exactly(values, n_parts, q):
    values = np.asarray(values)
    whole = QuantileSketch().add(values)
    parts = [QuantileSketch().add(p) for p in np.array_split(values, n_parts)]
    merged = parts[0]
    for part in parts[1:]:
        merged.merge(part)
    assert merged == whole
    exact = np.quantile(values, q, method="inverted_cdf")
    got = whole.quantile(q)
    if abs(exact) <= 1e-12:
        assert got == 0.0
    else:
        assert got == pytest.approx(exact, rel=RELATIVE_ACCURACY * 1.0001)


def test_an_empty_sketch_has_no_quantile():
    assert QuantileSketch().quantile(0.5) is None
    assert QuantileSketch().add([]).count == 0
