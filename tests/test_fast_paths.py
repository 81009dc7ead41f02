"""Fast paths that must give exactly what the plain computation gives."""

import numpy as np
import pandas as pd
import pytest

from skcounterfactual._keys import frame_fingerprint
from skcounterfactual._links import searchsorted_right


@pytest.mark.parametrize("seed", range(40))
def test_the_guide_table_draws_what_searchsorted_draws(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 3000))
    weights = rng.random(n) ** 3
    weights[rng.random(n) < 0.2] = 0.0  # repeated cumulative values
    weights[0] += 1e-3
    cumulative = np.cumsum(weights) / weights.sum()
    if seed % 4 == 0:  # a pool drawn uniformly, edges on the buckets
        cumulative = np.arange(1, n + 1) / n
    u = rng.random(int(rng.integers(1, 100_000)))
    # values on the cumulative weights and on the guide table's edges
    edges = np.concatenate([cumulative, np.arange(1024) / 1024])
    k = min(len(u), 500)
    u[:k] = rng.choice(edges[edges < 1.0], k)
    np.testing.assert_array_equal(
        searchsorted_right(cumulative, u),
        np.searchsorted(cumulative, u, side="right"),
    )


def test_the_guide_table_leaves_other_inputs_to_searchsorted():
    cumulative = np.array([0.5, 1.0])
    u = np.array([-0.5, 0.2, 0.7, 1.0] * 400)
    np.testing.assert_array_equal(
        searchsorted_right(cumulative, u), np.searchsorted(cumulative, u, "right")
    )


def frame():
    return pd.DataFrame(
        {
            "gender": pd.Series(["Female", "Male", None, "Male"], dtype="str"),
            "income": [1.0, 2.0, np.nan, 4.0],
            "code": [0, 1, 1, 0],
            "when": pd.to_datetime(["2020-01-01", None, "2021-05-02", "2022-01-01"]),
            "label": pd.Categorical(["a", "b", "a", "b"]),
            "count": pd.array([1, None, 3, 4], dtype="Int64"),
            "anything": pd.Series([1, "x", 2.5, None], dtype=object),
        },
        index=[10, 11, 12, 13],
    )


def test_equal_frames_share_a_fingerprint():
    a = frame()
    assert frame_fingerprint(a) == frame_fingerprint(frame())
    assert frame_fingerprint(a) == frame_fingerprint(a.copy())
    # the same rows taken again, as a search takes its folds
    assert frame_fingerprint(a.iloc[[0, 2]]) == frame_fingerprint(a.iloc[[0, 2]])


@pytest.mark.parametrize(
    "edit",
    [
        lambda f: f.assign(gender=["Female", "Male", None, "Female"]),
        lambda f: f.assign(gender=["Female", "Male", "", "Male"]),
        lambda f: f.assign(income=[1.0, 2.0, 0.0, 4.0]),
        lambda f: f.assign(code=[0, 1, 1, 2]),
        lambda f: f.assign(code=np.array([0, 1, 1, 0], dtype=np.int32)),
        lambda f: f.assign(when=f["when"].shift(1)),
        lambda f: f.assign(label=pd.Categorical(["a", "b", "b", "b"])),
        lambda f: f.assign(label=pd.Categorical(["a", "b", "a", "b"], ["b", "a"])),
        lambda f: f.assign(count=pd.array([1, 2, 3, 4], dtype="Int64")),
        lambda f: f.assign(anything=[1, "y", 2.5, None]),
        lambda f: f.set_axis([10, 11, 12, 14]),
        lambda f: f.rename(columns={"code": "kode"}),
        lambda f: f.iloc[::-1],
        lambda f: f.iloc[:3],
    ],
)
def test_any_change_changes_the_fingerprint(edit):
    assert frame_fingerprint(edit(frame())) != frame_fingerprint(frame())


def test_a_slice_of_a_large_arrow_column_is_digested_by_value():
    names = pd.Series([f"n{i}" for i in range(10_000)], dtype="str")
    big = pd.DataFrame({"name": names})
    part = big.iloc[5000:5003]
    same = pd.DataFrame(
        {"name": pd.Series(["n5000", "n5001", "n5002"], dtype="str")},
        index=range(5000, 5003),
    )
    # a slice's memory is its parent's; equal rows may still miss, never collide
    other = same.assign(name=["n5000", "n5001", "n9999"])
    assert frame_fingerprint(part) != frame_fingerprint(other)
    assert frame_fingerprint(part.copy()) == frame_fingerprint(part.copy())


def test_unhashable_cells_have_no_fingerprint():
    assert frame_fingerprint(pd.DataFrame({"a": [[1], [2]]})) is None
