"""Property tests of the twin engine: invariants that hold for any frame.

Hypothesis generates frames with every dtype the engine has to carry through
untouched (int64, float64 with NaN, nullable Int64, categorical, pandas ``str``,
datetime64, bool), non-default and duplicated index labels and 1 to 50 rows.
The protected column ``group`` holds 2 to 4 string values (``str`` or
categorical) and three columns follow it: ``group_code`` through a value map,
``nickname`` through a ``"resample"`` field and ``tag`` through a callable.
"""

import copy
import multiprocessing
import pickle
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skcounterfactual import CounterfactualAugmenter, TwinSet
from skcounterfactual._mimesis import mimesis_pool

PROTECTED = "group"
LINKED = ("group_code", "nickname", "tag")
PROPERTY_SETTINGS = settings(max_examples=20, deadline=None)


def mark_twin(twins, new_values, rng):
    """Callable link: a tag naming the twin's target group (deterministic)."""
    return np.array([f"as {value}" for value in new_values], dtype=object)


def noisy_tag(twins, new_values, rng):
    """Callable link that draws from the generator the engine hands it."""
    return np.array([f"draw {n}" for n in rng.integers(0, 10**6, len(new_values))])


# ---------------------------------------------------------------------------
# Strategies
# ---------------------------------------------------------------------------
@dataclass
class Case:
    """A generated audit: the frame to fit on and the frame to twin."""

    fit_frame: pd.DataFrame
    X: pd.DataFrame
    domain: list
    code_of: dict

    def links(self):
        return {"group_code": self.code_of, "nickname": "resample", "tag": mark_twin}

    def augmenter(self, links=None, **params):
        links = self.links() if links is None else links
        params.setdefault("random_state", 0)
        augmenter = CounterfactualAugmenter(protected=PROTECTED, links=links, **params)
        return augmenter.fit(self.fit_frame)

    def vocabulary(self, value):
        rows = self.fit_frame[PROTECTED] == value
        return set(self.fit_frame.loc[rows.to_numpy(), "nickname"].dropna())


group_value = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)),
    min_size=1,
    max_size=6,
)


def _column(draw, kind, n):
    if kind == "count":
        values = draw(
            st.lists(st.integers(-(2**63), 2**63 - 1), min_size=n, max_size=n)
        )
        return np.array(values, dtype=np.int64)
    if kind == "amount":
        finite = st.floats(allow_nan=False, width=64)
        values = draw(st.lists(st.none() | finite, min_size=n, max_size=n))
        return np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    if kind == "score":
        values = draw(
            st.lists(st.none() | st.integers(-1000, 1000), min_size=n, max_size=n)
        )
        return pd.array(values, dtype="Int64")
    if kind == "grade":
        values = draw(
            st.lists(
                st.none() | st.sampled_from(["lo", "mid", "hi"]), min_size=n, max_size=n
            )
        )
        ordered = draw(st.booleans())
        return pd.Categorical(
            values, categories=["lo", "mid", "hi", "top"], ordered=ordered
        )
    if kind == "note":
        values = draw(st.lists(st.none() | st.text(max_size=5), min_size=n, max_size=n))
        return pd.array(values, dtype="str")
    if kind == "when":
        moments = st.datetimes(
            min_value=pd.Timestamp("1900-01-01").to_pydatetime(),
            max_value=pd.Timestamp("2200-01-01").to_pydatetime(),
        )
        values = draw(st.lists(st.none() | moments, min_size=n, max_size=n))
        unit = draw(st.sampled_from(["s", "us", "ns"]))
        dates = pd.to_datetime(pd.Series(values, dtype=object)).dt.as_unit(unit)
        if draw(st.booleans()):
            dates = dates.dt.tz_localize("UTC")
        return dates.array
    assert kind == "flag"
    return np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)


def _index(draw, n):
    kind = draw(st.sampled_from(["int", "str", "datetime", "range", "float", "multi"]))
    if kind == "multi":
        days = st.sampled_from(list(pd.date_range("2024-01-01", periods=3, freq="D")))
        ids = st.integers(0, 4)
        pairs = draw(st.lists(st.tuples(days, ids), min_size=n, max_size=n))
        return pd.MultiIndex.from_tuples(pairs, names=["day", "id"])
    if kind == "range":
        start = draw(st.integers(-100, 100))
        step = draw(st.sampled_from([-3, -1, 2, 7]))
        return pd.RangeIndex(start, start + step * n, step)
    if kind == "int":
        labels = st.integers(-5, 25)
    elif kind == "str":
        labels = st.sampled_from(["a", "b", "row", "ß", "10", "", "id-7", "x y"])
    elif kind == "float":
        labels = st.sampled_from([0.5, -1.0, 2.25, 1e9, np.nan])
    else:
        labels = st.sampled_from(list(pd.date_range("2024-01-01", periods=6, freq="D")))
    return pd.Index(draw(st.lists(labels, min_size=n, max_size=n)))


@st.composite
def cases(draw, min_values=2, max_values=4):
    """A frame to fit on, covering every group, and a 1-50 row frame to twin."""
    k = draw(st.integers(min_values, max_values))
    domain = draw(st.lists(group_value, min_size=k, max_size=k, unique=True))
    n = draw(st.integers(1, 50))
    n_total = k + n
    groups = list(domain) + draw(
        st.lists(st.sampled_from(domain), min_size=n, max_size=n)
    )
    if draw(st.booleans()):
        spare = draw(group_value.filter(lambda v: v not in domain))
        protected = pd.Categorical(
            groups, categories=[*draw(st.permutations(domain)), spare]
        )
    else:
        protected = pd.array(groups, dtype="str")

    codes = draw(
        st.lists(st.integers(-(10**6), 10**6), min_size=k, max_size=k, unique=True)
    )
    code_of = dict(zip(domain, codes, strict=True))
    code_dtype = draw(st.sampled_from(["int64", "Int64", "category", "str"]))
    code_values = [code_of[g] for g in groups]
    if code_dtype == "str":
        code_of = {g: str(c) for g, c in code_of.items()}
        code_values = [str(c) for c in code_values]
    group_code = pd.array(code_values, dtype=code_dtype)

    # every group has at least one nickname (its first row), so "resample" has
    # a vocabulary to draw from
    nickname_pool = st.sampled_from(["Ace", "Bo", "Cy", "Di", "Ed", "Flo", "Gus"])
    nicknames = draw(st.lists(nickname_pool, min_size=k, max_size=k)) + draw(
        st.lists(st.none() | nickname_pool, min_size=n, max_size=n)
    )
    tag_pool = st.sampled_from(["new", "old", "vip"])
    tags = draw(st.lists(tag_pool, min_size=n_total, max_size=n_total))
    tag_dtype = draw(st.sampled_from(["category", "str"]))

    columns = {
        PROTECTED: protected,
        "group_code": group_code,
        "nickname": pd.array(nicknames, dtype="str"),
        "tag": pd.array(tags, dtype=tag_dtype),
    }
    for kind in ("count", "amount", "score", "grade", "note", "when", "flag"):
        columns[kind] = _column(draw, kind, n_total)
    order = draw(st.permutations(list(columns)))
    frame = pd.DataFrame({name: columns[name] for name in order})
    frame.index = _index(draw, n_total)
    X = frame if draw(st.booleans()) else frame.iloc[k:]
    return Case(fit_frame=frame, X=X, domain=list(domain), code_of=code_of)


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------
def _sources(X, provenance):
    return X.iloc[provenance["source_position"].to_numpy()]


def _plain(frame):
    """Categorical columns as their values, so category order does not matter."""
    out = frame.copy()
    for column in out.columns:
        if isinstance(out[column].dtype, pd.CategoricalDtype):
            out[column] = out[column].astype(object)
    return out


def _canonical(twin_set, positions=None):
    """Twins and provenance sorted by source row, kind and new value."""
    provenance = twin_set.provenance.copy()
    if positions is not None:
        provenance["source_position"] = positions[provenance["source_position"]]
    order = np.lexsort(
        (
            provenance["new"].map(repr).to_numpy(),
            provenance["kind"].cat.codes.to_numpy(),
            provenance["source_position"].to_numpy(),
        )
    )
    return _plain(twin_set.X).iloc[order], provenance.iloc[order]


def _assert_same_twins(left, right):
    pd.testing.assert_frame_equal(left[0], right[0])
    pd.testing.assert_frame_equal(
        left[1].astype({"kind": object}), right[1].astype({"kind": object})
    )


# ---------------------------------------------------------------------------
# Only protected and linked columns change
# ---------------------------------------------------------------------------
@PROPERTY_SETTINGS
@given(case=cases(), placebo=st.booleans())
def test_only_protected_and_linked_columns_change(case, placebo):
    twin_set = case.augmenter().make_twins(case.X, placebo=placebo)
    twins, provenance = twin_set
    sources = _sources(case.X, provenance)
    for column in case.X.columns:
        if column in (PROTECTED, *LINKED):
            continue
        pd.testing.assert_series_equal(twins[column], sources[column])

    new = provenance["new"].to_numpy()
    assert list(twins[PROTECTED].astype(object)) == list(new)
    is_twin = (provenance["kind"] == "twin").to_numpy()
    original = sources[PROTECTED].astype(object).to_numpy()
    assert (original[is_twin] != new[is_twin]).all()
    assert (original[~is_twin] == new[~is_twin]).all()
    assert list(provenance["original"]) == list(original)

    assert list(twins["group_code"].astype(object)) == [case.code_of[v] for v in new]
    assert list(twins["tag"].astype(object)) == [f"as {v}" for v in new]
    vocabulary = {value: case.vocabulary(value) for value in case.domain}
    for value, nickname in zip(new, twins["nickname"], strict=True):
        assert nickname in vocabulary[value]


# ---------------------------------------------------------------------------
# The input is never mutated
# ---------------------------------------------------------------------------
@PROPERTY_SETTINGS
@given(case=cases(), include_original=st.booleans(), placebo=st.booleans())
def test_input_frames_are_never_mutated(case, include_original, placebo):
    fit_before = copy.deepcopy(case.fit_frame)
    X_before = copy.deepcopy(case.X)
    augmenter = case.augmenter(n_twins=1)
    augmenter.make_twins(case.X, include_original=include_original, placebo=placebo)
    y = np.arange(len(case.fit_frame)) % 2
    case.augmenter().fit_resample(case.fit_frame, y)
    pd.testing.assert_frame_equal(case.fit_frame, fit_before)
    pd.testing.assert_frame_equal(case.X, X_before)
    pd.testing.assert_index_equal(case.X.index, X_before.index, exact=True)


# ---------------------------------------------------------------------------
# Same columns, same dtypes; categoricals may only gain categories
# ---------------------------------------------------------------------------
@PROPERTY_SETTINGS
@given(case=cases(), include_original=st.booleans(), placebo=st.booleans())
def test_twins_have_the_columns_and_dtypes_of_X(case, include_original, placebo):
    twins = (
        case.augmenter()
        .make_twins(case.X, include_original=include_original, placebo=placebo)
        .X
    )
    assert list(twins.columns) == list(case.X.columns)
    for column in case.X.columns:
        before, after = case.X[column].dtype, twins[column].dtype
        if not isinstance(before, pd.CategoricalDtype):
            assert after == before, column
            continue
        assert isinstance(after, pd.CategoricalDtype), column
        assert after.ordered == before.ordered, column
        old = list(before.categories)
        assert list(after.categories[: len(old)]) == old, column
        assert after.categories.dtype == before.categories.dtype, column
    # the protected and value-linked columns are never missing in the input, so
    # a missing value in the twins would be a value lost in a cast
    assert twins[[PROTECTED, "group_code", "tag"]].notna().all().all()


def test_categorical_link_gains_categories_in_order():
    X = pd.DataFrame(
        {
            PROTECTED: pd.Categorical(["p", "q", "p"], categories=["q", "p", "r"]),
            "tag": pd.Categorical(["new", "old", "new"], categories=["old", "new"]),
        }
    )
    augmenter = CounterfactualAugmenter(
        protected=PROTECTED, links={"tag": mark_twin}, random_state=0
    ).fit(X)
    twins = augmenter.make_twins(X, include_original=True, placebo=False).X
    assert list(twins[PROTECTED].cat.categories) == ["q", "p", "r"]
    assert list(twins["tag"].cat.categories) == ["old", "new", "as q", "as p"]
    assert list(twins["tag"].astype(object)) == [
        "new",
        "as q",
        "old",
        "as p",
        "new",
        "as q",
    ]


# ---------------------------------------------------------------------------
# Row counts add up
# ---------------------------------------------------------------------------
@PROPERTY_SETTINGS
@given(
    case=cases(),
    n_twins=st.sampled_from([None, 1]),
    include_original=st.booleans(),
    placebo=st.booleans(),
)
def test_row_counts_add_up(case, n_twins, include_original, placebo):
    augmenter = case.augmenter(n_twins=n_twins)
    twin_set = augmenter.make_twins(
        case.X, include_original=include_original, placebo=placebo
    )
    twins, provenance = twin_set
    n, k = len(case.X), len(case.domain)
    assert sorted(augmenter.domains_[PROTECTED]) == sorted(case.domain)
    per_row = {"twin": k - 1 if n_twins is None else 1}
    per_row["placebo"] = int(placebo)
    per_row["original"] = int(include_original)
    assert len(twins) == len(provenance) == len(twin_set) == n * sum(per_row.values())
    pd.testing.assert_index_equal(twins.index, provenance.index)

    counts = provenance.groupby(["source_position", "kind"], observed=False).size()
    for kind, expected in per_row.items():
        assert (counts.xs(kind, level="kind") == expected).all(), kind

    if include_original:
        positions = provenance["source_position"].to_numpy()
        assert (np.diff(positions) >= 0).all()
        first = np.r_[True, positions[1:] != positions[:-1]]
        assert (provenance["kind"].to_numpy()[first] == "original").all()
        originals = twins[(provenance["kind"] == "original").to_numpy()]
        pd.testing.assert_frame_equal(_plain(originals), _plain(case.X))


# ---------------------------------------------------------------------------
# Same seed, same twins
# ---------------------------------------------------------------------------
@PROPERTY_SETTINGS
@given(
    case=cases(),
    cuts=st.lists(st.integers(1, 49), max_size=3, unique=True),
    n_twins=st.sampled_from([None, 1]),
    placebo=st.booleans(),
)
def test_twins_built_in_chunks_equal_twins_built_at_once(case, cuts, n_twins, placebo):
    augmenter = case.augmenter(n_twins=n_twins)
    n = len(case.X)
    bounds = [0, *sorted(c for c in cuts if c < n), n]
    whole = augmenter.make_twins(case.X, placebo=placebo)
    pieces = []
    for start, stop in zip(bounds[:-1], bounds[1:], strict=True):
        piece = augmenter.make_twins(case.X.iloc[start:stop], placebo=placebo)
        piece.provenance["source_position"] += start
        pieces.append(piece)
    chunked = TwinSet(
        pd.concat([_plain(p.X) for p in pieces]),
        pd.concat([p.provenance for p in pieces]),
        {},
    )
    _assert_same_twins(_canonical(chunked), _canonical(whole))
    if not placebo:
        # one factor, no placebo block: the order itself is the same
        pd.testing.assert_frame_equal(chunked.X, _plain(whole.X))


@PROPERTY_SETTINGS
@given(case=cases(), seed=st.integers(0, 2**32 - 1), n_twins=st.sampled_from([None, 1]))
def test_permuted_frame_gives_the_same_twins(case, seed, n_twins):
    augmenter = case.augmenter(n_twins=n_twins)
    shuffled = case.X.sample(frac=1, random_state=seed)
    # the position in X of each shuffled row (labels may repeat)
    positions = (
        case.X.reset_index(drop=True).sample(frac=1, random_state=seed).index.to_numpy()
    )
    pd.testing.assert_frame_equal(shuffled, case.X.iloc[positions])
    whole = augmenter.make_twins(case.X, placebo=True)
    permuted = augmenter.make_twins(shuffled, placebo=True)
    _assert_same_twins(_canonical(permuted, positions), _canonical(whole))


def _people(n, seed=0):
    rng = np.random.default_rng(seed)
    gender = rng.choice(["female", "male"], n)
    nickname = rng.choice(["Ace", "Bo", "Cy", "Di", "Ed", "Flo", "Gus", "Hal"], n)
    return pd.DataFrame(
        {
            "gender": pd.array(gender, dtype="str"),
            "first_name": pd.array(rng.choice(["Ann", "Bob"], n), dtype="str"),
            "nickname": pd.array(nickname, dtype="str"),
            "income": rng.integers(20_000, 90_000, n),
        },
        index=pd.Index([f"p{i}" for i in range(n)], name="person"),
    )


PEOPLE_LINKS = {"first_name": "first_name", "nickname": "resample"}


def test_different_random_state_draws_different_values():
    X = _people(2_000)

    def twins(random_state):
        return (
            CounterfactualAugmenter(
                protected="gender",
                links=PEOPLE_LINKS,
                source="mimesis",
                random_state=random_state,
            )
            .fit(X)
            .make_twins(X)
            .X
        )

    first, again, other = twins(0), twins(0), twins(1)
    pd.testing.assert_frame_equal(first, again)
    for column in PEOPLE_LINKS:
        changed = (first[column] != other[column]).mean()
        # 2,000 draws: the Mimesis pools hold hundreds of names, the nickname
        # vocabulary 8 values, so at least half the draws must change
        assert changed > 0.5, (column, changed)
    pd.testing.assert_series_equal(first["income"], other["income"])
    for gender in ("female", "male"):
        names = set(first.loc[(first["gender"] == gender).to_numpy(), "first_name"])
        assert names <= set(mimesis_pool("en", "first_name", gender))


def test_callable_links_that_read_the_twins_do_not_depend_on_chunking():
    # A callable's rng is seeded per call (documented): its draws depend on the
    # rows passed together. A callable that derives its values from the twins
    # and their labels (twins.index) is chunk independent.
    def tag(twins, new_values, rng):
        return [
            f"{label}-{value}"
            for label, value in zip(twins.index, new_values, strict=True)
        ]

    X = _people(40)
    augmenter = CounterfactualAugmenter(
        protected="gender", links={"nickname": tag}, random_state=0
    ).fit(X)
    whole = augmenter.make_twins(X, placebo=False).X
    chunked = pd.concat(
        [
            augmenter.make_twins(X.iloc[:20], placebo=False).X,
            augmenter.make_twins(X.iloc[20:], placebo=False).X,
        ]
    )
    pd.testing.assert_frame_equal(chunked, whole)


def _hourly(n, unit):
    return pd.date_range("2024-01-01", periods=n, freq="h", unit=unit)


def _hourly_panel(n, unit):
    return pd.MultiIndex.from_arrays(
        [_hourly(n, unit), [f"p{i}" for i in range(n)]], names=["when", "person"]
    )


@pytest.mark.parametrize(
    "make_index",
    [
        pytest.param(_hourly, id="DatetimeIndex"),
        pytest.param(_hourly_panel, id="MultiIndex-datetime-level"),
    ],
)
def test_equal_datetime_labels_draw_the_same_twins_whatever_their_unit(make_index):
    X = _people(200)
    X.index = make_index(len(X), "us")
    augmenter = CounterfactualAugmenter(
        protected="gender", links=PEOPLE_LINKS, source="mimesis", random_state=0
    ).fit(X)
    in_us = augmenter.make_twins(X).X
    in_ns = augmenter.make_twins(X.set_axis(make_index(len(X), "ns"))).X
    assert (in_us.index == in_ns.index).all()
    pd.testing.assert_frame_equal(in_ns, in_us, check_index_type=False)


# ---------------------------------------------------------------------------
# A twin of a twin
# ---------------------------------------------------------------------------
@PROPERTY_SETTINGS
@given(case=cases(max_values=2))
def test_twin_of_a_twin_is_the_original(case):
    augmenter = case.augmenter(links={"group_code": case.code_of})
    twins = augmenter.make_twins(case.X).X
    back = augmenter.make_twins(twins).X
    pd.testing.assert_frame_equal(back, case.X)


@PROPERTY_SETTINGS
@given(case=cases(min_values=3))
def test_twins_of_twins_include_the_original(case):
    augmenter = case.augmenter(links={"group_code": case.code_of})
    first = augmenter.make_twins(case.X)
    second = augmenter.make_twins(first.X)
    roots = first.provenance["source_position"].to_numpy()[
        second.provenance["source_position"].to_numpy()
    ]
    original = case.X[PROTECTED].astype(object).to_numpy()[roots]
    home = (second.provenance["new"].to_numpy() == original).nonzero()[0]
    # each row comes back once through each of its k - 1 twins
    k = len(case.domain)
    assert np.array_equal(
        np.bincount(roots[home], minlength=len(case.X)), [k - 1] * len(case.X)
    )
    back = second.X.iloc[home]
    expected = case.X.iloc[roots[home]]
    pd.testing.assert_frame_equal(back, expected)


# ---------------------------------------------------------------------------
# Twins built in another process
# ---------------------------------------------------------------------------
def build_twins_in_worker(payload):
    """Unpickle a fitted augmenter and a frame, return the pickled twin set."""
    augmenter, X = pickle.loads(payload)
    twin_set = augmenter.make_twins(X, include_original=True, placebo=True)
    return pickle.dumps((twin_set.X, twin_set.provenance, twin_set.unseen_values))


def test_twins_built_in_a_spawned_worker_equal_twins_built_here():
    X = _people(300, seed=1)
    X["tag"] = pd.Categorical(np.where(X["income"] > 50_000, "high", "low"))
    X["gender_code"] = (X["gender"] == "male").astype(np.int64)
    augmenter = CounterfactualAugmenter(
        protected="gender",
        links={
            "gender_code": {"female": 0, "male": 1},
            "first_name": "first_name",
            "nickname": "resample",
            "tag": mark_twin,
        },
        source="mimesis",
        random_state=7,
    ).fit(X)
    payload = pickle.dumps((augmenter, X))
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        remote = pickle.loads(pool.submit(build_twins_in_worker, payload).result())
    local = augmenter.make_twins(X, include_original=True, placebo=True)
    pd.testing.assert_frame_equal(remote[0], local.X)
    pd.testing.assert_frame_equal(remote[1], local.provenance)
    assert remote[2] == local.unseen_values
    assert (local.X["first_name"] != X["first_name"].iloc[0]).any()
