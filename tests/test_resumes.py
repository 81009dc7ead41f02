"""make_resumes: synthetic résumés with a planted gender bias."""

import re

import numpy as np
import pandas as pd
import pytest

from skcounterfactual import TextLink
from skcounterfactual._mimesis import UNKNOWN_LOCALE, gendered_pools, supported_locales
from skcounterfactual.datasets import make_resumes

COLUMNS = [
    "first_name",
    "last_name",
    "gender",
    "occupation",
    "university",
    "degree",
    "years_experience",
    "skills",
    "resume",
]


@pytest.fixture(scope="module")
def resumes():
    return make_resumes(2000, random_state=0)


def score(X):
    skills = X["skills"].str.count(",") + 2  # "a, b and c"
    degree = X["degree"].map({"Bachelor": 0.0, "Master": 1.0, "PhD": 2.0})
    return 0.25 * X["years_experience"] + 0.6 * skills + degree


def test_columns_dtypes_and_values(resumes):
    X, y = resumes
    assert X.columns.tolist() == COLUMNS
    assert X.shape == (2000, 9)
    assert X["years_experience"].dtype == np.int64 and y.dtype == np.int64
    assert all(str(X[c].dtype) == "str" for c in COLUMNS if c != "years_experience")
    assert y.name == "interview" and set(y) == {0, 1}
    assert set(X["gender"]) == {"Female", "Male"}
    assert set(X["degree"]) == {"Bachelor", "Master", "PhD"}
    assert X["years_experience"].between(1, 25).all()
    assert (X["skills"].str.count(",") + 2).between(3, 7).all()
    words = X["resume"].str.split().str.len()
    assert 85 <= words.mean() <= 120


def test_names_agree_with_gender_and_appear_in_the_text(resumes):
    X, _ = resumes
    female, male = gendered_pools("en", "first_name")
    pools = {"Female": set(female), "Male": set(male)}
    for first, last, gender, text in X[
        ["first_name", "last_name", "gender", "resume"]
    ].itertuples(index=False):
        assert first in pools[gender]
        assert text.startswith(f"{first} {last} ")


def test_pronouns_agree_with_gender(resumes):
    X, _ = resumes
    male_words = re.compile(r"\b(?:he|He|his|His|him|himself|Mr)\b")
    female_words = re.compile(r"\b(?:she|She|her|Her|herself|Ms)\b")
    is_male = X["gender"] == "Male"
    has_male = X["resume"].str.contains(male_words)
    has_female = X["resume"].str.contains(female_words)
    assert (has_male == is_male).all() and (has_female == ~is_male).all()


def test_occupations_hold_no_gendered_word(resumes):
    X, _ = resumes
    words = set(TextLink().words())
    assert not any(
        words & set(o.lower().replace("-", " ").split()) for o in X["occupation"]
    )


def test_the_bias_shifts_the_threshold_by_gender(resumes):
    X, y = resumes
    points = score(X)
    male = X["gender"] == "Male"
    expected = np.where(male, points > 5.8, points > 7.8)
    np.testing.assert_array_equal(y.to_numpy(), expected.astype(np.int64))
    rates = y.groupby(X["gender"]).mean()
    assert rates["Male"] - rates["Female"] > 0.25


def test_without_bias_the_score_alone_decides_on_the_same_candidates(resumes):
    X, _ = resumes
    X0, y0 = make_resumes(2000, bias=0.0, random_state=0)
    pd.testing.assert_frame_equal(X0, X)
    np.testing.assert_array_equal(y0.to_numpy(), (score(X) > 6.8).astype(np.int64))


def test_noise_flips_that_share_of_decisions(resumes):
    X, y = resumes
    _, noisy = make_resumes(2000, noise=0.2, random_state=0)
    assert 0.17 < (noisy != y).mean() < 0.23


def test_same_seed_same_frame_and_return_frame():
    X, y = make_resumes(50, random_state=3)
    frame = make_resumes(50, random_state=3, return_X_y=False)
    pd.testing.assert_frame_equal(frame, X.assign(interview=y))
    other, _ = make_resumes(50, random_state=4)
    assert (other["resume"] != X["resume"]).all()


def test_other_locales_give_local_names():
    X, _ = make_resumes(20, locale="de", random_state=0)
    female, male = gendered_pools("de", "first_name")
    assert set(X["first_name"]) <= set(female) | set(male)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"n_samples": 0},
            "n_samples must be a positive integer; got n_samples=0. Pass for "
            "example n_samples=1000.",
        ),
        (
            {"bias": 1.5},
            "bias must be a number in [0, 1]; got bias=1.5. Pass for example bias=0.5.",
        ),
        (
            {"noise": True},
            "noise must be a number in [0, 1]; got noise=True. Pass for example "
            "noise=0.5.",
        ),
        (
            {"locale": "xx"},
            UNKNOWN_LOCALE.format(
                param="locale", locale="xx", allowed=supported_locales()
            ),
        ),
        (
            {"return_X_y": "yes"},
            "return_X_y must be True or False; got return_X_y='yes'.",
        ),
    ],
)
def test_bad_parameters_are_named(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        make_resumes(**kwargs)
