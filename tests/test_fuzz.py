"""Fuzzing the public API and the command line with hostile inputs.

Hypothesis draws frames (text with unicode and control characters,
categoricals, nullable integers, floats with NaN, datetimes, booleans; missing
values; RangeIndex, text, duplicated, datetime and MultiIndex labels), models
(well-behaved, raising, returning the wrong shape, None, NaN or text, with and
without ``classes_``) and options (values, n_twins, placebo, missing,
weights, pos_label, chunk sizes). Whatever is drawn:

- a call returns, or raises a ``ValueError`` or ``TypeError`` of the package
  with a message (no ``KeyError``, ``IndexError``, ``ZeroDivisionError``, no
  error from inside NumPy or pandas, no NumPy repr), or lets the model's own
  exception through unchanged;
- a report's numbers are finite and in range, or None with a reason;
- the caller's frame, labels and weights are never modified;
- the command line exits with 0, 1 or 2, prints no traceback, writes each
  error on one line and lets no control character through.

The examples per test are few by default (the ``ci`` and ``dev`` profiles,
see ``conftest.py``); ``HYPOTHESIS_PROFILE=long`` draws twenty times as many.
"""

import contextlib
import copy
import io
import json
import math
import os
import pickle
import re
import tempfile
import traceback
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from skcounterfactual import (
    CounterfactualAugmenter,
    TransportAugmenter,
    audit,
    cli,
    compare_twins,
    counterfactual_effect,
    counterfactual_flip_rate,
    find_proxies,
    make_parity_scorer,
    suggest_links,
)

SCALE = 20 if os.environ.get("HYPOTHESIS_PROFILE") == "long" else 1
FUZZ = settings(
    max_examples=25 * SCALE,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
TEXT = ["Anna", "Bob", "Zoë", "中文", "", " ", "a\nb", "\x1b[31m", "=1+1", "<b>", "ŝ"]
NUMPY_REPR = re.compile(r"\b(np|numpy)\.\w+\(|\barray\(")
FOREIGN = ("numpy", "pandas", "scipy")  # errors raised inside them leaked out


class ModelError(Exception):
    """What a misbehaving model (or link) raises: it reaches the caller as is."""


def link_of(behaviour):
    """A callable link with a drawn misbehaviour, writing column ``u``."""

    def link(twins, new_values, rng):
        n = len(new_values)
        if behaviour == "raise":
            raise ModelError("the model is down")
        if behaviour == "None":
            return None
        if behaviour == "short":
            return np.zeros(max(n - 1, 0))
        if behaviour == "2-D":
            return np.zeros((n, 2))
        if behaviour == "lists":
            return [[1]] * n
        return rng.random(n)  # draws: placebo twins differ

    return link


# ---------------------------------------------------------------------------
# Strategies
# ---------------------------------------------------------------------------
def _column(draw, kind, n, with_missing):
    if kind == "text":
        values = draw(st.lists(st.sampled_from(TEXT), min_size=n, max_size=n))
        out = pd.array(values, dtype=draw(st.sampled_from(["str", "object"])))
    elif kind == "category":
        values = draw(st.lists(st.sampled_from(TEXT[:4]), min_size=n, max_size=n))
        out = pd.Categorical(values)
    elif kind == "Int64":
        out = pd.array(draw(st.lists(st.integers(-3, 3), min_size=n, max_size=n)))
        out = out.astype("Int64")
    elif kind == "int":
        out = np.array(draw(st.lists(st.integers(-3, 3), min_size=n, max_size=n)))
    elif kind == "float":
        finite = st.floats(-1e6, 1e6, allow_nan=False)
        odd = st.sampled_from([np.inf, -np.inf, 0.5, -0.0])
        values = draw(st.lists(finite | odd, min_size=n, max_size=n))
        out = np.array(values, dtype=float)
    elif kind == "bool":
        out = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    else:  # datetime
        days = draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))
        out = pd.to_datetime("2020-01-01") + pd.to_timedelta(days, unit="D")
    series = pd.Series(out)
    if with_missing and kind not in ("int", "bool"):
        holes = draw(st.lists(st.booleans(), min_size=n, max_size=n))
        series = series.mask(pd.Series(holes))
    return series.to_numpy() if kind in ("int", "bool", "float") else series.array


@st.composite
def indexes(draw, n):
    kind = draw(st.sampled_from(["range", "text", "duplicated", "dates", "multi"]))
    if kind == "range":
        return pd.RangeIndex(n)
    if kind == "text":
        return pd.Index([f"r{i}\n" for i in range(n)])
    if kind == "duplicated":
        return pd.Index([i % 3 for i in range(n)])
    if kind == "dates":
        return pd.date_range("2021-01-01", periods=n, freq="h")
    return pd.MultiIndex.from_arrays([[i % 2 for i in range(n)], list(range(n))])


@st.composite
def frames(draw):
    """A frame with a protected column ``g`` and a few others of any kind."""
    n = draw(st.integers(1, 25))
    kinds = ["text", "text", "category", "Int64", "int", "float", "bool", "dates"]
    g_kind = draw(st.sampled_from(kinds))
    holes = draw(st.integers(0, 3)) == 0
    data = {"g": _column(draw, g_kind, n, holes)}
    for name in draw(st.lists(st.sampled_from(["x", "t\n<b>", "c", "d"]), unique=True)):
        kind = {"x": "float", "t\n<b>": "text", "c": "category", "d": "dates"}[name]
        data[name] = _column(draw, kind, n, draw(st.booleans()))
    data["u"] = np.linspace(0, 1, n)
    return pd.DataFrame(data, index=draw(indexes(n)))


class Model:
    """A duck-typed fitted model with a drawn misbehaviour."""

    def __init__(self, behaviour, classes):
        self.behaviour = behaviour
        if classes is not None:
            self.classes_ = np.array(classes, dtype=object)

    def __sklearn_is_fitted__(self):
        return True

    def _labels(self, X):
        u = pd.DataFrame(X).iloc[:, -1].to_numpy(dtype=float)
        return (u > 0.5).astype(np.int64)

    def predict(self, X, **kwargs):
        n, labels = len(X), self._labels(X)
        behaviour = self.behaviour
        if behaviour == "raise":
            raise ModelError("the model is down")
        if behaviour == "wrong length":
            return np.zeros(n + 1)
        if behaviour == "2-D":
            return np.zeros((n, 2))
        if behaviour == "None":
            return None
        if behaviour == "NaN":
            return np.full(n, np.nan)
        if behaviour == "text":
            return np.where(labels == 1, "approved", "denied")
        if behaviour == "constant":
            return np.ones(n, dtype=np.int64)
        return labels

    def predict_proba(self, X, **kwargs):
        labels = self._labels(X).astype(float)
        if self.behaviour == "NaN scores":
            return np.full((len(X), 2), np.nan)
        if self.behaviour == "three columns":
            return np.full((len(X), 3), 1 / 3)
        return np.column_stack([1 - labels, labels])


BEHAVIOURS = ["constant", "raise", "wrong length", "2-D", "None", "NaN", "text"]
BEHAVIOURS += ["NaN scores", "three columns"]


class RegressorModel(Model):
    """A duck-typed regressor: its prediction moves with ``u`` and the group."""

    _estimator_type = "regressor"

    def predict(self, X, **kwargs):
        if self.behaviour != "good":
            return super().predict(X, **kwargs)
        frame = pd.DataFrame(X)
        u = frame.iloc[:, -1].to_numpy(dtype=float)
        group = pd.util.hash_pandas_object(frame.iloc[:, 0], index=False)
        return 100 * u + (group.to_numpy() % 3)

    def __getattribute__(self, name):
        if name == "predict_proba":
            raise AttributeError(name)
        return super().__getattribute__(name)


@st.composite
def models(draw):
    """Mostly well-behaved models (so that audits run to the end), some not."""
    if draw(st.integers(0, 9)) == 0:
        behaviour = draw(st.sampled_from(["good", "good", "NaN", "None", "raise"]))
        return RegressorModel(behaviour, None)
    if draw(st.integers(0, 9)) < 6:
        return Model("good", [0, 1])
    behaviour = draw(st.sampled_from(["good", *BEHAVIOURS]))
    classes = draw(st.sampled_from([[0, 1], None, ["approved", "denied"]]))
    return Model(behaviour, classes)


@st.composite
def augmenters(draw, frame):
    params = {"protected": "g", "random_state": 0}
    if draw(st.integers(0, 3)) == 0:
        observed = [v for v in pd.unique(frame["g"].astype(object)) if not _na(v)]
        extra = draw(st.sampled_from([[], [], [np.nan], [None], ["new"], [7]]))
        params["values"] = {"g": observed[:3] + extra}
    params["n_twins"] = draw(st.sampled_from([None, None, 1, 2]))
    params["placebo"] = draw(st.sampled_from(["auto", False, True]))
    params["missing"] = draw(st.sampled_from(["skip", "skip", "error"]))
    if "c" in frame.columns and draw(st.integers(0, 3)) == 0:
        params["protected"] = ["g", "c"]
        params["intersectional"] = draw(st.sampled_from([False, True, "both"]))
    elif draw(st.booleans()):
        link = draw(
            st.sampled_from(
                ["resample", "good", "raise", "None", "short", "2-D", "lists"]
            )
        )
        params["links"] = {"u": link if link == "resample" else link_of(link)}
    return CounterfactualAugmenter(**params)


def _na(value):
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


@st.composite
def weights(draw, n):
    kind = draw(st.sampled_from([None] * 4 + ["ones", "random", "zeros", "some zero"]))
    if kind is None:
        return None
    if kind == "ones":
        return np.ones(n)
    if kind == "zeros":
        return np.zeros(n)
    values = draw(st.lists(st.floats(0, 10), min_size=n, max_size=n))
    weights = np.array(values)
    if kind == "some zero":
        weights[::2] = 0
    return weights


# ---------------------------------------------------------------------------
# Invariants
# ---------------------------------------------------------------------------
def snapshot(*values):
    """Deep copies to compare with after a call."""
    return [copy.deepcopy(v) for v in values]


def assert_unchanged(before, *values):
    for old, new in zip(before, values, strict=True):
        if isinstance(new, pd.DataFrame):
            pd.testing.assert_frame_equal(new, old, check_exact=True)
            assert new.index.equals(old.index) and new.columns.equals(old.columns)
        elif new is not None:
            np.testing.assert_array_equal(np.asarray(new), np.asarray(old))


def check_error(exc):
    """The error is the model's own, or a clear one of the package."""
    if isinstance(exc, ModelError):
        assert str(exc) == "the model is down"
        return
    assert isinstance(exc, ValueError | TypeError), _describe(exc)
    message = str(exc)
    assert message.strip(), _describe(exc)
    assert not NUMPY_REPR.search(message), message
    origin = traceback.extract_tb(exc.__traceback__)[-1].filename
    assert not any(f"{os.sep}{name}{os.sep}" in origin for name in FOREIGN), _describe(
        exc
    )


def _describe(exc):
    return "".join(traceback.format_exception(exc))


def call(function, *args, **kwargs):
    """Run ``function``; return its result, or None after checking its error."""
    name = getattr(function, "__name__", type(function).__name__)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = function(*args, **kwargs)
    except Exception as exc:  # checked, not swallowed
        event(f"{name}: {type(exc).__name__}: {str(exc)[:70]}")
        check_error(exc)
        return None
    event(f"{name}: returned")
    return result


def check_number(value, low=0.0, high=1.0):
    assert isinstance(value, float), value
    assert math.isfinite(value) and low <= value <= high, value


def check_report(report):
    data = json.loads(report.to_json())  # strict JSON: no NaN, no Infinity
    for name, found in data["attributes"].items():
        if found["flip_rate"] is None:  # a regressor audited without tolerance
            assert "flip_rate" in found["undefined"], name
        else:
            check_number(found["flip_rate"])
            low, high = found["flip_rate_interval"]
            assert 0 <= low <= found["flip_rate"] <= high <= 1
        for key in (
            "placebo_rate",
            "flip_minus_placebo",
            "demographic_parity_difference",
            "demographic_parity_ratio",
            "equalized_odds_difference",
        ):
            value = found[key]
            if value is None:
                assert key in found["undefined"], (name, key)
            else:
                check_number(value, -1.0 if key == "flip_minus_placebo" else 0.0)
        change = found["score_change"]
        if change is None:
            assert "score_change" in found["undefined"], name
        else:
            assert isinstance(change, float) and math.isfinite(change) and change >= 0
        p_value = found["asymmetry_p_value"]
        assert p_value is None or 0 <= p_value <= 1
    report.to_markdown()


# ---------------------------------------------------------------------------
# The public API
# ---------------------------------------------------------------------------
@FUZZ
@given(data=st.data())
def test_audits_and_scores_are_numbers_or_clear_errors(data):
    X = data.draw(frames())
    model = data.draw(models())
    augmenter = data.draw(augmenters(X))
    y = data.draw(st.sampled_from([None, "labels", "labels", "floats", "missing"]))
    if y is not None:
        labels = np.arange(len(X)) % 2
        if y != "labels":
            labels = labels.astype(float)
        if y == "missing":
            labels[0] = np.nan
        y = labels
    w = data.draw(weights(len(X)))
    pos_label = data.draw(
        st.sampled_from([None, None, None, 1, "approved", np.int64(0)])
    )
    chunk = data.draw(st.sampled_from([200_000, 1, np.int64(3)]))
    options = {}
    if isinstance(model, RegressorModel):
        options["tolerance"] = data.draw(st.sampled_from([None, 0.5, 5, np.nan]))
        pos_label = None
    before, before_values = snapshot(X, y, w), (X, y, w)
    if data.draw(st.integers(0, 4)) == 0:  # an array, columns by position
        X = X.to_numpy()
        values = augmenter.values
        augmenter.set_params(
            protected=0,
            links=None,
            intersectional=False,
            values=None if values is None else {0: values["g"]},
        )

    report = call(
        audit,
        model,
        X,
        y,
        augmenter=augmenter,
        pos_label=pos_label,
        sample_weight=w,
        chunk_size=chunk,
        **options,
    )
    if report is not None:
        check_report(report)
    rate = call(
        counterfactual_flip_rate,
        model,
        X,
        augmenter=augmenter,
        sample_weight=w,
        chunk_size=chunk,
        **options,
    )
    if rate is not None:
        check_number(rate)
    effect = call(
        counterfactual_effect,
        model,
        X,
        augmenter=augmenter,
        pos_label=pos_label,
        sample_weight=w,
    )
    if effect is not None:  # a regressor's effect is in its prediction's units
        check_number(effect, high=math.inf if options else 1.0)
    column = "g" if isinstance(X, pd.DataFrame) else 0
    parity = call(make_parity_scorer(protected=column, pos_label=pos_label), model, X)
    if parity is not None:
        check_number(parity, -1.0, 0.0)
    assert_unchanged(before, *before_values)


@FUZZ
@given(data=st.data())
def test_twins_keep_the_frame_or_raise_clearly(data):
    X = data.draw(frames())
    augmenter = data.draw(augmenters(X))
    before = snapshot(X)
    fitted = call(augmenter.fit, X)
    if fitted is not None:
        other = data.draw(st.sampled_from(["same", "array", "rows", "columns"]))
        rows = {
            "same": X,
            "array": X.to_numpy(),
            "rows": X.iloc[::-1],
            "columns": X.iloc[:, ::-1],
        }[other]
        twins = call(fitted.make_twins, rows, include_original=data.draw(st.booleans()))
        if twins is not None:
            assert list(twins.provenance.columns)[:6] == [
                "source_position",
                "attribute",
                "original",
                "new",
                "kind",
                "unseen",
            ]
            if isinstance(rows, pd.DataFrame):
                assert list(twins.X.columns) == list(rows.columns)
                for mine, theirs in zip(twins.X.dtypes, rows.dtypes, strict=True):
                    if isinstance(theirs, pd.CategoricalDtype):
                        # a categorical gains the values twins take, never NaN
                        assert set(theirs.categories) <= set(mine.categories)
                    else:
                        assert mine == theirs
            changed = twins.provenance["kind"] == "twin"
            assert not any(_na(v) for v in twins.provenance.loc[changed, "new"])
    assert_unchanged(before, X)


@FUZZ
@given(data=st.data())
def test_diagnostics_are_numbers_or_clear_errors(data):
    X = data.draw(frames())
    model = data.draw(models())
    before = snapshot(X)
    proxies = call(find_proxies, X, protected="g", n_permutations=2, random_state=0)
    if proxies is not None:
        for value in proxies["association"]:
            check_number(float(value))
    call(suggest_links, X, protected="g")
    makers = {"bare": data.draw(augmenters(X))}
    if data.draw(st.booleans()):
        makers["transport"] = TransportAugmenter(protected="g")
    table = call(
        compare_twins,
        model,
        X,
        augmenters=makers,
        sample_weight=data.draw(weights(len(X))),
    )
    if table is not None:
        for value in table["flip_rate"]:
            check_number(float(value))
    assert_unchanged(before, X)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats()
    | st.sampled_from(TEXT),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["low", "high", "type", "x"]), inner, max_size=3
        )
    ),
    max_leaves=6,
)


@st.composite
def schemas(draw):
    """Schemas of ``profiles``: mostly the right shape, with hostile leaves."""
    schema = {
        "protected": {
            draw(st.sampled_from(["gender", "g\n"])): draw(
                st.lists(st.sampled_from(TEXT) | json_values, max_size=4)
            )
        }
    }
    if draw(st.booleans()):
        schema["columns"] = draw(
            st.dictionaries(
                st.sampled_from(["income", "gender", "=x"]),
                st.fixed_dictionaries(
                    {"low": json_values, "high": json_values},
                    optional={"type": st.sampled_from(["int", "float", "str"])},
                ),
                max_size=2,
            )
        )
    for key in ("id", "links", "locale", "other"):
        if draw(st.integers(0, 3)) == 0:
            schema[key] = draw(json_values)
    return schema


@FUZZ
@given(schema=st.one_of(schemas(), json_values), n=st.integers(-1, 5))
def test_profiles_are_a_table_or_a_clear_error(schema, n):
    from skcounterfactual._profiles import make_profiles

    before = copy.deepcopy(schema)
    frame = call(make_profiles, schema, n_profiles=n, random_state=0)
    if frame is not None:
        ((attribute, values),) = schema["protected"].items()
        assert len(frame) == n * len(values)
        assert frame[attribute].tolist() == [str(v) for v in values] * n or (
            frame[attribute].tolist() == values * n
        )
    assert repr(schema) == repr(before)


# ---------------------------------------------------------------------------
# The command line
# ---------------------------------------------------------------------------
class Saved:
    """A picklable model on the frame's last column (see :class:`Model`)."""


def run_cli(args):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main([str(a) for a in args])
        except SystemExit as exc:
            code = exc.code
    return code, out.getvalue(), err.getvalue()


CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


@FUZZ
@given(data=st.data())
def test_the_command_line_keeps_its_contract(data):
    X = data.draw(frames())
    model = data.draw(models())
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        if data.draw(st.booleans()):
            X = X.assign(label=np.arange(len(X)) % 2)
            args_y = ["--target", "label"]
        else:
            args_y = []
        X.to_csv(folder / "data.csv", index=False)
        with open(folder / "model.pkl", "wb") as handle:
            pickle.dump(model, handle)
        args = ["audit", "--model", folder / "model.pkl", "--allow-pickle"]
        args += ["--data", folder / "data.csv", "--protected"]
        args.append(data.draw(st.sampled_from(["g", "g", "u", "missing"])))
        for option in ("--max-flip-rate", "--max-parity-difference"):
            if data.draw(st.booleans()):
                args += [option, data.draw(st.sampled_from(["0", "0.5", "1"]))]
        if data.draw(st.booleans()):
            args += ["--values", data.draw(st.sampled_from(["g=a,b", "g=", "g=1"]))]
        if data.draw(st.booleans()):
            args += ["--json", folder / data.draw(st.sampled_from(["r.json", "."]))]
        if data.draw(st.booleans()):
            args += ["--pos-label", data.draw(st.sampled_from(["0", "1", "approved"]))]
        args += args_y
        code, out, err = run_cli(args)
    event(f"exit code {code}")
    assert code in (0, 1, 2), (code, err)
    assert "Traceback" not in err
    assert not CONTROL.search(out + err.replace("\n", "")), (out, err)
    lines = [line for line in err.splitlines() if line.strip()]
    errors = [line for line in lines if ": error: " in line]
    others = [line for line in lines if line not in errors]
    assert all(
        line.startswith(("skcounterfactual audit: warning: ", "warning: loading"))
        for line in others
    ), err
    if code == 2:
        assert len(errors) == 1, err
    else:
        assert not errors, err
        last = out.rstrip().splitlines()[-1]
        if code == 0:
            assert last == "PASS: every bound holds." or last == cli.NO_BOUND
        else:
            assert last.startswith("FAIL: ")
    assert not any(line.startswith("::") for line in out.splitlines())


@pytest.mark.parametrize("profile", ["ci", "dev", "long"])
def test_the_profiles_are_registered(profile):
    assert settings.get_profile(profile).deadline is None


# ---------------------------------------------------------------------------
# What the fuzzing found, kept as plain tests
# ---------------------------------------------------------------------------
class ByU:
    classes_ = np.array([0, 1])

    def __sklearn_is_fitted__(self):
        return True

    def predict(self, X):
        return (X["u"].to_numpy() > 0.5).astype(np.int64)


def test_a_boolean_group_without_weight_is_undefined_not_a_crash():
    # the group False was read as a boolean mask when its rates were blanked
    X = pd.DataFrame({"g": [False, True, False, True], "u": [0.0, 1.0, 0.2, 0.9]})
    report = audit(
        ByU(),
        X,
        augmenter=CounterfactualAugmenter(protected="g"),
        sample_weight=np.array([0.0, 1.0, 0.0, 1.0]),
    )
    found = report.attributes["g"]
    assert found.demographic_parity_difference is None
    assert (
        "group(s) [False] have zero total sample_weight"
        in found.undefined["demographic_parity_difference"]
    )
    assert np.isnan(found.group_metrics.loc[False, "selection_rate"])
    assert found.group_metrics.loc[True, "selection_rate"] == 1.0


def test_weights_whose_squares_underflow_are_refused():
    # 1e-200 squared is 0: the effective sample size divided by zero
    X = pd.DataFrame({"g": ["a", "b", "a", "b"], "u": [0.0, 1.0, 0.2, 0.9]})
    with pytest.raises(ValueError, match=re.escape("outside [1e-150, 1e+150]")):
        compare_twins(
            ByU(),
            X,
            augmenters={"bare": CounterfactualAugmenter(protected="g")},
            sample_weight=[1e-200, 1, 1, 1],
        )


def test_a_perfect_association_is_at_most_one():
    # Cramér's V of a column with one value per row came out 1.0000000000000002
    X = pd.DataFrame({"g": ["Anna", "Anna", "Bob", "Anna", "Zoë"]})
    X["u"] = np.linspace(0, 1, 5)
    proxies = find_proxies(X, protected="g", n_permutations=2, random_state=0)
    assert proxies["association"].tolist() == [1.0]


@pytest.mark.parametrize(
    "returned, message",
    [
        (None, "links['u'] returned None for 2 twins"),
        (np.zeros((2, 2)), "links['u'] returned an array of shape (2, 2) for 2 twins"),
        ([[1], [1, 2]], "links['u'] returned values that are not column values"),
    ],
)
def test_a_callable_link_returning_no_column_is_named(returned, message):
    X = pd.DataFrame({"g": ["a", "b"], "u": [0.0, 1.0]})
    augmenter = CounterfactualAugmenter(
        protected="g", links={"u": lambda twins, new, rng: returned}
    ).fit(X)
    with pytest.raises(ValueError, match=re.escape(message)):
        augmenter.make_twins(X)
