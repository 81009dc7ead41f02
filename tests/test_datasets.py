import datetime
import json
import re
import uuid
from importlib import resources

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mimesis import Person
from mimesis.enums import Gender, Locale

import skcounterfactual.datasets as datasets
from skcounterfactual._mimesis import exhaust as _exhaust
from skcounterfactual.datasets import load_german_credit, make_loan_applicants
from skcounterfactual.datasets._loan import _person_pools

LOAN_COLUMNS = [
    "applicant_id",
    "first_name",
    "last_name",
    "title",
    "gender",
    "gender_code",
    "date_of_birth",
    "age",
    "country",
    "income",
]

GERMAN_COLUMNS = [
    "status",
    "duration",
    "credit_history",
    "purpose",
    "credit_amount",
    "savings",
    "present_employment",
    "installment_rate",
    "status_sex",
    "sex",
    "other_debtors",
    "present_residence_since",
    "property",
    "age",
    "installment_plans",
    "housing",
    "number_of_existing_credits",
    "job",
    "number_of_people_liable_for",
    "telephone",
    "foreign_worker",
]
GERMAN_NUMERIC = [
    "duration",
    "credit_amount",
    "installment_rate",
    "present_residence_since",
    "age",
    "number_of_existing_credits",
    "number_of_people_liable_for",
]
GERMAN_CODED = [
    c for c in GERMAN_COLUMNS if c not in GERMAN_NUMERIC and c not in ("sex",)
]

UUID_PATTERN = re.compile(
    r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
)


def exact_age(born, on):
    """Whole years between the dates ``born`` (a Series) and ``on``."""
    before_birthday = (born.dt.month > on.month) | (
        (born.dt.month == on.month) & (born.dt.day > on.day)
    )
    return on.year - born.dt.year - before_birthday.astype(np.int64)


@pytest.fixture(scope="module")
def applicants():
    return make_loan_applicants(20_000, random_state=0)


def test_all_is_sorted_and_importable():
    assert datasets.__all__ == sorted(datasets.__all__)
    assert datasets.__all__ == [
        "load_german_credit",
        "make_loan_applicants",
        "make_resumes",
    ]
    for name in datasets.__all__:
        assert callable(getattr(datasets, name))


# make_loan_applicants ---------------------------------------------------------


def test_loan_columns_dtypes_and_index(applicants):
    X, y = applicants
    assert X.shape == (20_000, 10)
    assert list(X.columns) == LOAN_COLUMNS
    for column in ["applicant_id", "first_name", "last_name", "title", "gender"]:
        assert X[column].dtype == "str", column
    assert X["country"].dtype == "str"
    for column in ["gender_code", "age", "income"]:
        assert X[column].dtype == np.int64, column
    assert pd.api.types.is_datetime64_dtype(X["date_of_birth"])
    assert y.name == "approved"
    assert y.dtype == np.int64
    assert set(y.unique()) == {0, 1}
    assert isinstance(X.index, pd.RangeIndex)
    pd.testing.assert_index_equal(X.index, y.index)
    assert not X.isna().any().any()


def test_loan_return_frame():
    X, y = make_loan_applicants(50, random_state=3)
    frame = make_loan_applicants(50, random_state=3, return_X_y=False)
    assert list(frame.columns) == [*LOAN_COLUMNS, "approved"]
    pd.testing.assert_frame_equal(frame.drop(columns="approved"), X)
    pd.testing.assert_series_equal(frame["approved"], y)


def test_loan_default_size():
    X, y = make_loan_applicants(random_state=0)
    assert X.shape == (1000, 10)
    assert y.shape == (1000,)


def test_loan_single_row():
    X, y = make_loan_applicants(1, random_state=0)
    assert X.shape == (1, 10)
    assert y.shape == (1,)


def test_loan_same_seed_same_frame():
    X1, y1 = make_loan_applicants(300, random_state=42)
    X2, y2 = make_loan_applicants(300, random_state=42)
    pd.testing.assert_frame_equal(X1, X2)
    pd.testing.assert_series_equal(y1, y2)


def test_loan_random_state_instance_is_reproducible():
    X1, _ = make_loan_applicants(100, random_state=np.random.RandomState(7))
    X2, _ = make_loan_applicants(100, random_state=np.random.RandomState(7))
    pd.testing.assert_frame_equal(X1, X2)


def test_loan_global_seed_reaches_none():
    np.random.seed(5)
    X1, _ = make_loan_applicants(100)
    np.random.seed(5)
    X2, _ = make_loan_applicants(100)
    pd.testing.assert_frame_equal(X1, X2)


def test_loan_different_seeds_differ():
    X1, _ = make_loan_applicants(300, random_state=1)
    X2, _ = make_loan_applicants(300, random_state=2)
    for column in ["applicant_id", "date_of_birth", "income"]:
        assert (X1[column] != X2[column]).mean() > 0.9, column
    assert not X1.equals(X2)


def test_loan_bias_and_noise_change_only_labels():
    X0, y0 = make_loan_applicants(500, bias=1.0, random_state=9)
    X1, y1 = make_loan_applicants(500, bias=0.3, noise=0.2, random_state=9)
    pd.testing.assert_frame_equal(X0, X1)
    assert (y0 != y1).any()


def test_loan_locale_changes_only_name_columns():
    X_en, y_en = make_loan_applicants(200, locale="en", random_state=4)
    X_de, y_de = make_loan_applicants(200, locale="de", random_state=4)
    names = ["first_name", "last_name", "title"]
    pd.testing.assert_frame_equal(X_en.drop(columns=names), X_de.drop(columns=names))
    pd.testing.assert_series_equal(y_en, y_de)
    assert set(X_de["title"]) == {"Frau", "Herr"}


def test_loan_gender_columns_agree(applicants):
    X, _ = applicants
    assert set(X["gender"]) == {"Male", "Female"}
    np.testing.assert_array_equal(
        X["gender_code"].to_numpy(), (X["gender"] == "Male").to_numpy(dtype=np.int64)
    )
    # gender is drawn with equal probability: 20,000 rows put the share of men
    # within 0.5 +/- 0.014 (four standard deviations)
    assert abs(X["gender_code"].mean() - 0.5) < 0.014


@pytest.mark.parametrize("locale", ["en", "de", "ru", "pl", "uk", "ja"])
def test_loan_names_and_titles_match_gender(locale):
    X, _ = make_loan_applicants(3000, locale=locale, random_state=0)
    pools = _person_pools(locale)
    for gender, own, other in [
        ("Female", "female", "male"),
        ("Male", "male", "female"),
    ]:
        rows = X[X["gender"] == gender]
        first = set(rows["first_name"])
        assert first <= set(getattr(pools.first_name, own))
        assert first.isdisjoint(getattr(pools.first_name, other))
        assert set(rows["title"]) <= set(getattr(pools.title, own))
        assert set(rows["last_name"]) <= set(getattr(pools.last_name, own))
        # a few thousand draws show many distinct names, not a handful
        assert len(first) > min(50, len(getattr(pools.first_name, own)) // 2)


def test_english_title_pools():
    pools = _person_pools("en")
    assert pools.title.female == ("Madam", "Miss", "Mrs.", "Ms.")
    # "Master" is a boy's title: applicants are adults
    assert pools.title.male == ("Mr.", "Sir")


@pytest.mark.parametrize("locale", ["en", "de", "fr", "ko"])
def test_first_name_pools_are_gender_exclusive_and_sorted(locale):
    pools = _person_pools(locale)
    female, male = pools.first_name
    assert female and male
    assert set(female).isdisjoint(male)
    assert list(female) == sorted(set(female))
    assert list(male) == sorted(set(male))
    assert set(pools.title.female).isdisjoint(pools.title.male)


def test_english_first_names_shared_by_both_genders_are_removed():
    # Mimesis lists some English first names for both genders; drawing with a
    # different seed, every female name missing from the female pool must be
    # one Mimesis also gives to men, so the pool lost no female-only name.
    pools = _person_pools("en")
    person = Person("en", seed=1)
    female = _exhaust(lambda: person.first_name(gender=Gender.FEMALE))
    male = _exhaust(lambda: person.first_name(gender=Gender.MALE))
    assert female - set(pools.first_name.female) == female & male
    assert male - set(pools.first_name.male) == female & male
    assert len(female & male) > 0


@pytest.mark.parametrize("locale", ["ru", "pl", "el", "is", "kk", "sk"])
def test_gendered_last_names(locale):
    X, _ = make_loan_applicants(2000, locale=locale, random_state=0)
    pools = _person_pools(locale)
    female_only = set(pools.last_name.female) - set(pools.last_name.male)
    male_only = set(pools.last_name.male) - set(pools.last_name.female)
    assert female_only and male_only
    women = X.loc[X["gender"] == "Female", "last_name"]
    men = X.loc[X["gender"] == "Male", "last_name"]
    assert women.isin(male_only).sum() == 0
    assert men.isin(female_only).sum() == 0


def test_pools_do_not_depend_on_random_state():
    from skcounterfactual._mimesis import gendered_pools

    gendered_pools.cache_clear()
    _person_pools.cache_clear()
    before = _person_pools("en")
    make_loan_applicants(10, random_state=123)
    gendered_pools.cache_clear()
    _person_pools.cache_clear()
    assert _person_pools("en") == before


def test_locale_enum_is_accepted():
    X1, _ = make_loan_applicants(100, locale=Locale.DE, random_state=0)
    X2, _ = make_loan_applicants(100, locale="de", random_state=0)
    pd.testing.assert_frame_equal(X1, X2)


@pytest.mark.parametrize(
    "reference_date",
    ["2025-01-01", "2024-02-29", "2025-02-28", "2025-03-01", "2023-12-31"],
)
def test_loan_ages_are_exact(reference_date):
    X, _ = make_loan_applicants(100_000, reference_date=reference_date, random_state=0)
    on = pd.Timestamp(reference_date)
    np.testing.assert_array_equal(
        exact_age(X["date_of_birth"], on).to_numpy(), X["age"].to_numpy()
    )
    assert X["age"].min() == 18
    assert X["age"].max() == 75
    assert X["age"].nunique() == 58
    born_29_feb = (X["date_of_birth"].dt.month == 2) & (X["date_of_birth"].dt.day == 29)
    assert born_29_feb.sum() > 0


def test_loan_birth_dates_fill_the_whole_year_window():
    X, _ = make_loan_applicants(200_000, reference_date="2025-01-01", random_state=1)
    born = X.loc[X["age"] == 30, "date_of_birth"]
    # aged 30 on 2025-01-01: born from 1994-01-02 to 1995-01-01, both included
    assert born.min() == pd.Timestamp("1994-01-02")
    assert born.max() == pd.Timestamp("1995-01-01")


@settings(max_examples=40, deadline=None)
@given(
    reference=st.dates(
        min_value=datetime.date(1950, 1, 1), max_value=datetime.date(2150, 12, 31)
    ),
    seed=st.integers(0, 2**32 - 1),
)
def test_loan_ages_are_exact_for_any_reference_date(reference, seed):
    X, _ = make_loan_applicants(300, reference_date=reference, random_state=seed)
    np.testing.assert_array_equal(
        exact_age(X["date_of_birth"], reference).to_numpy(), X["age"].to_numpy()
    )


def test_reference_date_accepts_dates_and_timestamps():
    expected, _ = make_loan_applicants(50, random_state=0)
    for reference in [
        datetime.date(2025, 1, 1),
        datetime.datetime(2025, 1, 1, 15, 30),
        pd.Timestamp("2025-01-01"),
        np.datetime64("2025-01-01"),
    ]:
        X, _ = make_loan_applicants(50, reference_date=reference, random_state=0)
        pd.testing.assert_frame_equal(X, expected)


def test_loan_income_range(applicants):
    X, _ = applicants
    assert X["income"].min() >= 30_000
    assert X["income"].max() < 120_000
    assert X["income"].min() < 31_000
    assert X["income"].max() > 119_000


def test_loan_full_bias_is_the_tutorial_rule(applicants):
    X, y = applicants
    women = X["gender"] == "Female"
    assert y[~women].eq(1).all()
    assert y[women & (X["income"] <= 80_000)].eq(0).all()
    assert y[women & (X["income"] > 80_000)].eq(1).all()
    expected = np.where(women, X["income"] > 80_000, 1)
    np.testing.assert_array_equal(y.to_numpy(), expected)


def test_loan_no_bias_is_income_alone():
    X, y = make_loan_applicants(20_000, bias=0.0, random_state=0)
    np.testing.assert_array_equal(
        y.to_numpy(), (X["income"] > 55_000).to_numpy(dtype=np.int64)
    )
    # the same rule for both genders gives nearly the same approval rates
    rates = y.groupby(X["gender"]).mean()
    assert abs(rates["Female"] - rates["Male"]) < 0.03


@pytest.mark.parametrize("bias", [0.25, 0.5, 0.8])
def test_loan_partial_bias_thresholds(bias):
    X, y = make_loan_applicants(20_000, bias=bias, random_state=0)
    male = (X["gender"] == "Male").to_numpy()
    income = X["income"].to_numpy()
    expected = np.where(
        male, income > (1 - bias) * 55_000, income > 55_000 + bias * 25_000
    )
    np.testing.assert_array_equal(y.to_numpy(), expected.astype(np.int64))


@pytest.mark.parametrize("noise", [0.05, 0.2, 0.5])
def test_loan_noise_flips_the_asked_share(noise):
    X, clean = make_loan_applicants(20_000, random_state=0)
    X_noisy, noisy = make_loan_applicants(20_000, noise=noise, random_state=0)
    pd.testing.assert_frame_equal(X, X_noisy)
    flipped = (clean != noisy).mean()
    # four standard deviations of a binomial share over 20,000 rows
    assert abs(flipped - noise) < 4 * np.sqrt(noise * (1 - noise) / 20_000)


def test_loan_full_noise_flips_every_label():
    _, clean = make_loan_applicants(1000, random_state=0)
    _, noisy = make_loan_applicants(1000, noise=1.0, random_state=0)
    np.testing.assert_array_equal(noisy.to_numpy(), 1 - clean.to_numpy())


def test_loan_uuids(applicants):
    X, _ = applicants
    ids = X["applicant_id"]
    assert ids.str.fullmatch(UUID_PATTERN).all()
    assert ids.is_unique
    for value in ids.iloc[:200]:
        parsed = uuid.UUID(value)
        assert parsed.version == 4
        assert parsed.variant == uuid.RFC_4122
        assert str(parsed) == value


def test_loan_default_countries(applicants):
    X, _ = applicants
    counts = X["country"].value_counts()
    assert set(counts.index) == {
        "United States",
        "United Kingdom",
        "Canada",
        "Australia",
        "Ireland",
    }
    # uniform: each of 5 countries holds 20% of 20,000 rows, +/- 4 sd
    assert (abs(counts / 20_000 - 0.2) < 4 * np.sqrt(0.2 * 0.8 / 20_000)).all()


@pytest.mark.parametrize(
    "countries", [["Germany"], ("Japan", "Brazil"), ["France", "Spain", "Italy"]]
)
def test_loan_custom_countries(countries):
    X, _ = make_loan_applicants(600, countries=countries, random_state=0)
    assert set(X["country"]) == set(countries)
    assert X["country"].dtype == "str"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            {"n_samples": 0},
            "n_samples must be a positive integer; got n_samples=0. "
            "Pass for example n_samples=1000.",
        ),
        (
            {"n_samples": 2.5},
            "n_samples must be a positive integer; got n_samples=2.5. "
            "Pass for example n_samples=1000.",
        ),
        (
            {"n_samples": True},
            "n_samples must be a positive integer; got n_samples=True. "
            "Pass for example n_samples=1000.",
        ),
        (
            {"bias": 1.5},
            "bias must be a number in [0, 1]; got bias=1.5. Pass for example bias=0.5.",
        ),
        (
            {"bias": -0.1},
            "bias must be a number in [0, 1]; got bias=-0.1. "
            "Pass for example bias=0.5.",
        ),
        (
            {"bias": float("nan")},
            "bias must be a number in [0, 1]; got bias=nan. Pass for example bias=0.5.",
        ),
        (
            {"noise": "0.1"},
            "noise must be a number in [0, 1]; got noise='0.1'. "
            "Pass for example noise=0.5.",
        ),
        (
            {"noise": 2},
            "noise must be a number in [0, 1]; got noise=2. "
            "Pass for example noise=0.5.",
        ),
        (
            {"countries": "Germany"},
            "countries must be None or a non-empty sequence of strings; "
            "got countries='Germany'. Pass for example "
            "countries=['Germany', 'France'] (a list, even for one country).",
        ),
        (
            {"countries": []},
            "countries must be None or a non-empty sequence of strings; "
            "got countries=[]. Pass for example "
            "countries=['Germany', 'France'] (a list, even for one country).",
        ),
        (
            {"countries": ["Germany", 3]},
            "countries must be None or a non-empty sequence of strings; "
            "got countries=['Germany', 3]. Pass for example "
            "countries=['Germany', 'France'] (a list, even for one country).",
        ),
        (
            {"reference_date": "someday"},
            "reference_date must be a date, or a string such as '2025-01-01'; "
            "got reference_date='someday'.",
        ),
        (
            {"reference_date": None},
            "reference_date must be a date, or a string such as '2025-01-01'; "
            "got reference_date=None.",
        ),
        (
            {"return_X_y": "yes"},
            "return_X_y must be True or False; got return_X_y='yes'.",
        ),
    ],
)
def test_loan_invalid_arguments(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        make_loan_applicants(**kwargs)


def test_loan_invalid_locale():
    with pytest.raises(ValueError, match=re.escape("got locale='xx'.")) as info:
        make_loan_applicants(10, locale="xx")
    message = str(info.value)
    assert message.startswith("locale must be one of Mimesis' locales [")
    for locale in ["'en'", "'de'", "'ru'", "'zh'"]:
        assert locale in message


# load_german_credit ---------------------------------------------------------


@pytest.fixture(scope="module")
def codes():
    text = (
        resources.files("skcounterfactual.datasets")
        .joinpath("data", "codes.json")
        .read_text(encoding="utf-8")
    )
    return json.loads(text)


def test_german_data_files_are_package_resources():
    data = resources.files("skcounterfactual.datasets").joinpath("data")
    for name in ["german.data", "codes.json", "README.md"]:
        assert data.joinpath(name).is_file(), name
    readme = data.joinpath("README.md").read_text(encoding="utf-8")
    assert "Hofmann, H. (1994). Statlog (German Credit Data). UCI Machine" in readme
    assert "CC BY 4.0" in readme


def test_german_shape_columns_and_dtypes():
    X, y = load_german_credit(return_X_y=True)
    assert X.shape == (1000, 21)
    assert list(X.columns) == GERMAN_COLUMNS
    for column in GERMAN_NUMERIC:
        assert X[column].dtype == np.int64, column
    for column in ["telephone", "foreign_worker"]:
        assert X[column].dtype == bool, column
    for column in set(GERMAN_CODED) - {"telephone", "foreign_worker"}:
        assert isinstance(X[column].dtype, pd.CategoricalDtype), column
    assert X["sex"].dtype == "str"
    assert y.name == "credit"
    assert y.dtype == np.int64
    assert not X.isna().any().any()


def test_german_first_row():
    X, y = load_german_credit(return_X_y=True)
    row = X.iloc[0]
    assert row["status"] == "... < 0 DM"
    assert row["duration"] == 6
    assert row["credit_amount"] == 1169
    assert row["status_sex"] == "male : single"
    assert row["sex"] == "male"
    assert row["age"] == 67
    assert row["telephone"] is np.True_
    assert row["foreign_worker"] is np.True_
    assert y.iloc[0] == 1
    assert y.iloc[1] == 0


def test_german_status_sex_categories_and_counts():
    X, _ = load_german_credit(return_X_y=True)
    assert X["status_sex"].cat.categories.tolist() == [
        "male : divorced/separated",
        "female : divorced/separated/married",
        "male : single",
        "male : married/widowed",
        "female : single",
    ]
    counts = X["status_sex"].value_counts()
    assert counts.to_dict() == {
        "male : single": 548,
        "female : divorced/separated/married": 310,
        "male : married/widowed": 92,
        "male : divorced/separated": 50,
        "female : single": 0,
    }


def test_german_sex_and_credit_counts():
    X, y = load_german_credit(return_X_y=True)
    assert X["sex"].value_counts().to_dict() == {"male": 690, "female": 310}
    assert y.value_counts().to_dict() == {1: 700, 0: 300}


def test_german_sex_follows_status_sex():
    X, _ = load_german_credit(return_X_y=True)
    prefix = X["status_sex"].astype("str").str.split(" : ").str[0].astype("str")
    pd.testing.assert_series_equal(prefix, X["sex"], check_names=False)


def test_german_all_documented_labels_are_categories(codes):
    X, _ = load_german_credit(return_X_y=True)
    for column in set(GERMAN_CODED) - {"telephone", "foreign_worker"}:
        labels = [label.strip() for label in codes[column].values()]
        assert X[column].cat.categories.tolist() == labels, column
    assert "(vacation - does not exist?)" in X["purpose"].cat.categories
    assert X["status"].cat.categories[1] == "0 <= ... < 200 DM"


def test_german_raw_codes():
    X, y = load_german_credit(return_X_y=True, decode=False)
    assert X.shape == (1000, 21)
    assert list(X.columns) == GERMAN_COLUMNS
    status_sex = X["status_sex"]
    assert status_sex.cat.categories.tolist() == ["A91", "A92", "A93", "A94", "A95"]
    assert (status_sex == "A95").sum() == 0
    assert status_sex.value_counts().to_dict() == {
        "A93": 548,
        "A92": 310,
        "A94": 92,
        "A91": 50,
        "A95": 0,
    }
    assert X["telephone"].cat.categories.tolist() == ["A191", "A192"]
    assert X["foreign_worker"].cat.categories.tolist() == ["A201", "A202"]
    assert X["sex"].value_counts().to_dict() == {"male": 690, "female": 310}
    for column in GERMAN_NUMERIC:
        assert X[column].dtype == np.int64, column
    assert y.value_counts().to_dict() == {1: 700, 0: 300}


def test_german_decoded_matches_raw(codes):
    decoded, y_decoded = load_german_credit(return_X_y=True)
    raw, y_raw = load_german_credit(return_X_y=True, decode=False)
    for column in GERMAN_CODED:
        mapping = {
            code: label.strip() if isinstance(label, str) else label
            for code, label in codes[column].items()
        }
        expected = raw[column].astype("str").map(mapping)
        assert (expected.to_numpy() == decoded[column].to_numpy()).all(), column
    pd.testing.assert_frame_equal(decoded[GERMAN_NUMERIC], raw[GERMAN_NUMERIC])
    pd.testing.assert_series_equal(y_decoded, y_raw)
    assert decoded["telephone"].sum() == (raw["telephone"] == "A192").sum()
    assert decoded["foreign_worker"].sum() == (raw["foreign_worker"] == "A201").sum()


@pytest.mark.parametrize("decode", [True, False])
def test_german_return_frame(decode):
    X, y = load_german_credit(return_X_y=True, decode=decode)
    credit = load_german_credit(decode=decode)
    pd.testing.assert_frame_equal(credit.data, X)
    pd.testing.assert_series_equal(credit.target, y)
    assert credit.feature_names == list(X.columns)
    assert credit.target_names == ["bad", "good"]
    assert "Hofmann" in credit.DESCR
    frame = credit.frame
    assert frame.shape == (1000, 22)
    assert frame.columns[-1] == "credit"
    pd.testing.assert_frame_equal(frame.drop(columns="credit"), X)
    pd.testing.assert_series_equal(frame["credit"], y)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"decode": "yes"}, "decode must be True or False, got 'yes'."),
        ({"return_X_y": 1}, "return_X_y must be True or False, got 1."),
        ({"as_frame": None}, "as_frame must be True or False, got None."),
    ],
)
def test_german_invalid_arguments(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        load_german_credit(**kwargs)


def test_german_as_arrays():
    X, y = load_german_credit(return_X_y=True, as_frame=False)
    frame_X, frame_y = load_german_credit(return_X_y=True)
    assert X.shape == (1000, 21) and X.dtype == object
    assert y.dtype == np.int64 and y.tolist() == frame_y.tolist()
    assert X[:, 0].tolist() == frame_X.iloc[:, 0].tolist()
    assert load_german_credit(as_frame=False).frame is None
