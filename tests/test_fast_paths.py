"""Fast paths that must give exactly what the plain computation gives."""

import numpy as np
import pandas as pd
import pytest

from skcounterfactual._links import searchsorted_right
from skcounterfactual._paired import count_cells
from skcounterfactual._unchanged import Unchanged, rows_key, same_rows


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


def recognised(a, b):
    """Whether the twin cache takes ``a`` for the rows ``b`` it has seen."""
    return rows_key(a) == rows_key(b) and same_rows(a, b.copy())


def test_equal_frames_are_recognised():
    a = frame()
    assert recognised(a, frame())
    assert recognised(a, a.copy())
    # the same rows taken again, as a search takes its folds
    assert recognised(a.iloc[[0, 2]], a.iloc[[0, 2]])
    assert recognised(a.iloc[1:3], a.iloc[[1, 2]])


EDITS = [
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
    lambda f: f.assign(anything=[True, "x", 2.5, None]),  # True == 1
    lambda f: f.set_axis([10, 11, 12, 14]),
    lambda f: f.set_axis([10.0, 11.0, 12.0, 13.0]),  # equal labels, other dtype
    lambda f: f.rename(columns={"code": "kode"}),
    lambda f: f.iloc[::-1],
    lambda f: f.iloc[:3],
]


@pytest.mark.parametrize("edit", EDITS)
def test_any_change_is_seen(edit):
    assert not recognised(edit(frame()), frame())


@pytest.mark.parametrize("edit", EDITS[:11])
def test_an_edit_in_place_is_seen(edit):
    rows = frame()
    seen = Unchanged(rows)
    assert seen.holds(rows)
    changed = edit(rows)
    for column in rows.columns:  # the same object, edited in place
        rows[column] = changed[column]
    assert not seen.holds(rows)
    assert not seen.holds(rows.copy())  # another object never holds


def test_a_mutable_cell_edited_in_place_is_seen():
    cells = pd.DataFrame({"bag": pd.Series([("a",), ("b",)], dtype=object)})
    seen = Unchanged(cells)
    assert seen.holds(cells)
    listed = pd.DataFrame({"bag": pd.Series([["a"], ["b"]], dtype=object)})
    assert rows_key(listed) is None  # unhashable: never recognised
    assert not Unchanged(listed).holds(listed)


def test_labels_and_weights_are_compared_with_their_copy():
    weights = np.ones(4)
    seen = Unchanged(weights)
    assert seen.holds(weights)
    weights[0] = 0.0
    assert not seen.holds(weights)
    labels = ["yes", "no"]
    seen = Unchanged(labels)
    assert seen.holds(labels)
    labels[1] = "yes"
    assert not seen.holds(labels)
    assert Unchanged(None).holds(None)


@pytest.mark.parametrize("n_values", [2, 5, 400])
def test_paired_cells_count_what_a_loop_counts(n_values):
    rng = np.random.default_rng(n_values)
    n = 3000
    values = np.array([f"v{i}" for i in range(n_values)], dtype=object)
    source, target = values[rng.integers(0, n_values, (2, n))]
    row, twin = rng.random((2, n)) < 0.5
    expected = {}
    for s, t, a, b in zip(source, target, row, twin, strict=True):
        cell = expected.setdefault((s, t), [0, 0, 0, 0])
        cell[0] += 1
        cell[1] += int(a and not b)
        cell[2] += int(b and not a)
        cell[3] += int(a and b)
    # 400 values: more value pairs than rows, counted through np.unique
    assert count_cells({}, source, target, row, twin) == expected
    twice = count_cells(
        count_cells({}, source, target, row, twin), source, target, row, twin
    )
    assert twice == {k: [2 * x for x in v] for k, v in expected.items()}


@pytest.mark.parametrize(
    "links",
    [
        {"first_name": "first_name", "title": "title", "gender_code": "values"},
        {"first_name": "first_name", "title": "resample", "gender_code": "values"},
    ],
)
def test_twins_and_placebo_twins_built_together_equal_those_built_apart(
    loans, monkeypatch, links
):
    from skcounterfactual import CounterfactualAugmenter, _links

    X, _ = loans
    if links.get("gender_code") == "values":
        links = {**links, "gender_code": {"Male": 1, "Female": 0}}
    augmenter = CounterfactualAugmenter(
        protected="gender", links=links, placebo=True, coherence=None, random_state=4
    ).fit(X)
    together = augmenter.make_twins(X)
    # every link drawing for a whole block: twins and placebo twins apart
    for name in ("FieldLink", "ValueMapLink", "TranslationLink"):
        monkeypatch.setattr(getattr(_links, name), "elementwise", False, raising=False)
    apart = augmenter.make_twins(X)
    pd.testing.assert_frame_equal(together.X, apart.X)
    pd.testing.assert_frame_equal(together.provenance, apart.provenance)
    assert together.provenance["kind"].value_counts().to_dict() == {
        "twin": len(X),
        "placebo": len(X),
        "original": 0,
    }


@pytest.mark.parametrize("n_groups", [2, 3, 5])
def test_shuffled_discrimination_equals_one_roc_curve_per_shuffle(n_groups):
    from skcounterfactual._proxies import _discrimination, _shuffled_discrimination

    rng = np.random.default_rng(n_groups)
    groups = rng.integers(0, n_groups, 2500)
    groups[:3] = np.arange(3) % n_groups
    shuffles = [rng.permutation(groups) for _ in range(20)]
    order = np.arange(len(groups))  # the null reads the scores' order only
    expected = [_discrimination(s, order, n_groups)[0] for s in shuffles]
    got = _shuffled_discrimination(shuffles, n_groups)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)
    assert _shuffled_discrimination([], n_groups) == []
