"""Each kind of link: value maps, translations, generated fields (from the fitted
vocabulary or from Mimesis pools, by gender and locale), birth dates that follow
an age, resampled fields and callables.
"""

import re

import numpy as np
import pandas as pd
import pytest

from skcounterfactual import CounterfactualAugmenter
from skcounterfactual._links import (
    UNKNOWN_FIELD,
    CallableLink,
    FieldLink,
    TranslationLink,
    ValueMapLink,
)
from skcounterfactual._linkspec import FIELD_NAMES, make_link
from skcounterfactual._mimesis import mimesis_pool

# These tests twin the loan data with the fewest links their assertions need
# (often the gender code alone), so titles and names stay those of the other
# gender: the incoherence the coherence check reports (tests/test_coherence.py).
pytestmark = pytest.mark.filterwarnings(
    "ignore::skcounterfactual.IncoherentTwinWarning"
)


GENDER_LINKS = {
    "gender_code": {"Male": 1, "Female": 0},
    "first_name": "first_name",
    "title": "title",
}


@pytest.mark.parametrize(
    "spec, kind, generated",
    [
        ({"Male": 1, "Female": 0}, ValueMapLink, False),
        ({"female": {"A93": "A95"}, "male": {"A92": "A94"}}, TranslationLink, False),
        ("first_name", FieldLink, True),
        ("resample", FieldLink, True),
        (lambda twins, new_values, rng: new_values, CallableLink, True),
    ],
)
def test_each_specification_makes_its_kind_of_link(spec, kind, generated):
    link = make_link("column", spec)
    assert type(link) is kind
    assert link.column == "column"
    # a placebo twin differs from its row only under a link that draws values
    assert link.generated is generated


def test_value_map_sets_the_value_of_the_target_group(people):
    aug = CounterfactualAugmenter(
        protected="gender", links={"gender_code": {"Male": 1, "Female": 0}}
    ).fit(people)
    twins = aug.make_twins(people).X
    assert (twins["gender_code"] == (twins["gender"] == "Male").astype(int)).all()
    assert (twins["gender_code"] != people["gender_code"]).all()


def test_gender_twins_get_names_and_titles_of_the_other_gender(people):
    aug = CounterfactualAugmenter(
        protected="gender", links=GENDER_LINKS, random_state=0
    ).fit(people)
    twins, provenance = aug.make_twins(people, placebo=False)
    assert len(twins) == len(people)
    assert (twins.index == people.index).all()
    female_names = set(people.loc[people.gender == "Female", "first_name"])
    male_names = set(people.loc[people.gender == "Male", "first_name"])
    is_f = twins["gender"] == "Female"
    assert set(twins.loc[is_f, "first_name"]) <= female_names
    assert set(twins.loc[~is_f, "first_name"]) <= male_names
    assert set(twins.loc[is_f, "title"]) <= {"Mrs.", "Ms."}
    assert set(twins.loc[~is_f, "title"]) == {"Mr."}
    assert (twins["gender_code"] == (~is_f).astype(int)).all()
    # everything else is the source row, and the dtypes survive
    pd.testing.assert_series_equal(twins["income"], people["income"])
    pd.testing.assert_series_equal(twins["score"], people["score"])
    pd.testing.assert_series_equal(twins.dtypes, people.dtypes)
    assert not provenance["unseen"].any()
    assert (provenance["original"] != provenance["new"]).all()


def test_vocabulary_draws_are_frequency_matched():
    n = 20_000
    X = pd.DataFrame(
        {
            "gender": ["Female"] * n + ["Male"] * n,
            "first_name": ["Anna"] * (n * 3 // 4) + ["Eva"] * (n // 4) + ["Tom"] * n,
        }
    )
    aug = CounterfactualAugmenter(
        protected="gender", links={"first_name": "first_name"}, random_state=1
    ).fit(X)
    twins = aug.make_twins(X.iloc[n:], placebo=False).X  # men become women
    share = (twins["first_name"] == "Anna").mean()
    assert abs(share - 0.75) < 0.02


def test_mimesis_source_draws_gendered_names_and_flags_them_unseen(people):
    aug = CounterfactualAugmenter(
        protected="gender", links=GENDER_LINKS, source="mimesis", random_state=0
    ).fit(people)
    twin_set = aug.make_twins(people, placebo=False)
    twins = twin_set.X
    is_f = twins["gender"] == "Female"
    female_pool = set(mimesis_pool("en", "first_name", "female"))
    male_pool = set(mimesis_pool("en", "first_name", "male"))
    assert female_pool.isdisjoint(male_pool)
    assert set(twins.loc[is_f, "first_name"]) <= female_pool
    assert set(twins.loc[~is_f, "first_name"]) <= male_pool
    assert set(twins.loc[is_f, "title"].astype(str)) <= {"Mrs.", "Ms.", "Madam", "Miss"}
    assert set(twins.loc[~is_f, "title"].astype(str)) <= {"Mr.", "Sir"}
    # the categorical title column gained categories instead of NaN
    assert twins["title"].notna().all()
    assert set(people["title"].cat.categories) < set(twins["title"].cat.categories)
    assert twin_set.provenance["unseen"].mean() > 0.9
    assert "first_name" in twin_set.unseen_values


def test_auto_source_falls_back_to_mimesis_for_a_group_without_examples():
    X = pd.DataFrame({"gender": ["Male"] * 5, "first_name": ["Tom"] * 5})
    aug = CounterfactualAugmenter(
        protected="gender",
        values={"gender": ["Male", "Female"]},
        links={"first_name": "first_name"},
        random_state=0,
    ).fit(X)
    twins = aug.make_twins(X, placebo=False).X
    assert set(twins["first_name"]) <= set(mimesis_pool("en", "first_name", "female"))


def test_translation_map_keeps_the_other_half_of_a_mixed_code():
    X = pd.DataFrame(
        {
            "sex": ["male", "male", "female", "male"],
            "status_sex": pd.Categorical(
                ["A93", "A94", "A92", "A91"], categories=["A91", "A92", "A93", "A94"]
            ),
        }
    )
    links = {
        "status_sex": {
            "female": {"A93": "A95", "A94": "A92", "A91": "A92"},
            "male": {"A92": "A94", "A95": "A93"},
        }
    }
    twin_set = (
        CounterfactualAugmenter(protected="sex", links=links).fit(X).make_twins(X)
    )
    assert twin_set.X["status_sex"].astype(str).tolist() == ["A95", "A92", "A94", "A92"]
    assert twin_set.X["status_sex"].cat.categories.tolist()[-1] == "A95"
    assert twin_set.provenance["unseen"].tolist() == [True, False, False, False]
    assert twin_set.unseen_values == {"status_sex": ["A95"]}


STATUS_SEX_TWINS = {
    "status_sex": {
        "female": {"A93": "A95", "A94": "A92", "A91": "A92"},
        "male": {"A92": "A94", "A95": "A93"},
    }
}


def test_german_credit_sex_twins_report_the_never_seen_a95_code():
    from skcounterfactual.datasets import load_german_credit

    X, _ = load_german_credit(return_X_y=True, decode=False)
    twin_set = (
        CounterfactualAugmenter(protected="sex", links=STATUS_SEX_TWINS)
        .fit(X)
        .make_twins(X)
    )
    twins, provenance = twin_set
    assert len(twins) == 1000
    assert twin_set.unseen_values == {"status_sex": ["A95"]}
    # every single man (A93, 548 rows) becomes a single woman, a code never seen
    assert int(provenance["unseen"].sum()) == 548
    assert (twins.loc[provenance["unseen"].to_numpy(), "status_sex"] == "A95").all()
    assert twins["status_sex"].notna().all()
    assert twins["sex"].value_counts().to_dict() == {"female": 690, "male": 310}


def test_age_twins_move_the_birth_date_and_keep_ages_exact():
    reference = pd.Timestamp("2025-01-01")
    dob = pd.to_datetime(["1990-02-28", "1960-07-15", "2000-02-29", "1985-12-31"])
    age = np.array(
        [
            reference.year
            - d.year
            - ((reference.month, reference.day) < (d.month, d.day))
            for d in dob
        ]
    )
    X = pd.DataFrame({"age": age, "date_of_birth": dob, "income": [1, 2, 3, 4]})
    aug = CounterfactualAugmenter(
        protected="age",
        values={"age": [25, 45, 65]},
        links={"date_of_birth": "date_of_birth"},
    ).fit(X)
    twins, provenance = aug.make_twins(X)
    assert len(twins) == 3 * len(X)  # no source age is in the domain
    new_dob = twins["date_of_birth"]
    exact = (
        reference.year
        - new_dob.dt.year
        - (
            (new_dob.dt.month > reference.month)
            | ((new_dob.dt.month == reference.month) & (new_dob.dt.day > reference.day))
        )
    )
    assert (exact.to_numpy() == twins["age"].to_numpy()).all()
    assert twins["date_of_birth"].dtype == X["date_of_birth"].dtype
    # Feb 29 moves to Feb 28 in a common year
    leap_row = twins[provenance["source_position"].to_numpy() == 2]
    assert leap_row["date_of_birth"].dt.strftime("%m-%d").tolist() == [
        "02-28",
        "02-28",
        "02-28",
    ]
    # an age beyond the fitted range (24 to 64) is flagged; one inside is not
    assert provenance.loc[provenance["new"] == 65, "unseen"].all()
    assert not provenance.loc[provenance["new"] == 45, "unseen"].any()


def test_shifted_birth_dates_inside_the_fitted_range_are_not_unseen():
    dob = pd.to_datetime(["1960-05-01", "1980-05-01", "2000-05-01"])
    X = pd.DataFrame({"age": [64, 44, 24], "date_of_birth": dob})
    twin_set = (
        CounterfactualAugmenter(
            protected="age", links={"date_of_birth": "date_of_birth"}
        )
        .fit(X)
        .make_twins(X)
    )
    assert not twin_set.provenance["unseen"].any()


def test_region_twins_take_city_and_phone_from_the_target_locale():
    X = pd.DataFrame(
        {
            "country": ["Germany", "Japan", "United States"] * 4,
            "city": ["Berlin", "Tokyo", "Boston"] * 4,
            "phone": ["+49 1", "+81 1", "+1 1"] * 4,
            "gender": ["Female", "Male"] * 6,
            "first_name": ["Anna", "Taro", "Mary", "Jim", "Eva", "Ken"] * 2,
        }
    )
    locales = {"country": {"Germany": "de", "Japan": "ja", "United States": "en"}}
    aug = CounterfactualAugmenter(
        protected="country",
        links={"city": "city", "phone": "phone_number", "first_name": "first_name"},
        locales=locales,
        genders={"gender": {"Female": "female", "Male": "male"}},
        source="mimesis",
        random_state=0,
    ).fit(X)
    twins = aug.make_twins(X, placebo=False).X
    to_japan = twins["country"] == "Japan"
    assert set(twins.loc[to_japan, "city"]) <= set(mimesis_pool("ja", "city"))
    assert set(twins.loc[twins["country"] == "Germany", "city"]) <= set(
        mimesis_pool("de", "city")
    )
    assert set(twins.loc[to_japan, "phone"]) <= set(mimesis_pool("ja", "phone_number"))
    # names come from the target locale and keep the row's own gender
    jp_women = to_japan & (twins["gender"] == "Female")
    assert set(twins.loc[jp_women, "first_name"]) <= set(
        mimesis_pool("ja", "first_name", "female")
    )


def test_ethnic_origin_twins_draw_first_and_last_names_from_locale_pools():
    X = pd.DataFrame(
        {
            "origin": ["Polish", "Russian", "Polish", "Russian"],
            "gender": ["Female", "Female", "Male", "Male"],
            "first_name": ["Anna", "Olga", "Jan", "Ivan"],
            "last_name": ["Nowak", "Ivanova", "Kowalski", "Petrov"],
        }
    )
    aug = CounterfactualAugmenter(
        protected="origin",
        links={"first_name": "first_name", "last_name": "last_name"},
        locales={"origin": {"Polish": "pl", "Russian": "ru"}},
        genders={"gender": {"Female": "female", "Male": "male"}},
        source="mimesis",
        random_state=0,
    ).fit(X)
    twins = aug.make_twins(X, placebo=False).X
    ru_f = (twins["origin"] == "Russian") & (twins["gender"] == "Female")
    assert set(twins.loc[ru_f, "last_name"]) <= set(
        mimesis_pool("ru", "last_name", "female")
    )
    pl_m = (twins["origin"] == "Polish") & (twins["gender"] == "Male")
    assert set(twins.loc[pl_m, "first_name"]) <= set(
        mimesis_pool("pl", "first_name", "male")
    )


def test_socio_economic_twins_resample_the_occupation_of_the_target_group():
    X = pd.DataFrame(
        {
            "education": ["basic"] * 3 + ["university"] * 3,
            "occupation": ["cleaner", "driver", "cook", "lawyer", "doctor", "engineer"],
        }
    )
    aug = CounterfactualAugmenter(
        protected="education", links={"occupation": "resample"}, random_state=0
    ).fit(X)
    twins = aug.make_twins(X, placebo=False).X
    assert set(twins.loc[twins.education == "basic", "occupation"]) <= {
        "cleaner",
        "driver",
        "cook",
    }
    assert set(twins.loc[twins.education == "university", "occupation"]) <= {
        "lawyer",
        "doctor",
        "engineer",
    }


def test_callable_link_receives_twins_new_values_and_a_generator():
    X = pd.DataFrame({"gender": ["Female", "Male"], "pronoun": ["she", "he"]})
    seen = {}

    def pronoun(twins, new_values, rng):
        seen["rng"] = rng
        return np.where(new_values == "Female", "she", "he")

    twins = (
        CounterfactualAugmenter(protected="gender", links={"pronoun": pronoun})
        .fit(X)
        .make_twins(X, placebo=False)
        .X
    )
    assert twins["pronoun"].tolist() == ["he", "she"]
    assert isinstance(seen["rng"], np.random.Generator)


def test_a_callable_must_return_one_value_per_twin():
    X = pd.DataFrame({"gender": ["Female", "Male"], "pronoun": ["she", "he"]})
    aug = CounterfactualAugmenter(
        protected="gender", links={"pronoun": lambda twins, new, rng: ["x"]}
    ).fit(X)
    message = (
        "links['pronoun'] returned 1 values for 2 twins; a callable link must "
        "return one value per twin."
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        aug.make_twins(X)


@pytest.mark.parametrize(
    "params, X, exc, message",
    [
        (
            {"protected": "gender", "links": {"code": {"F": 0, "M": 1}}},
            pd.DataFrame({"gender": ["F", "M"]}),
            ValueError,
            "links names 'code', which is not a column of X.",
        ),
        (
            {"protected": "gender", "links": {"code": {"F": 0}}},
            pd.DataFrame({"gender": ["F", "M"], "code": [0, 1]}),
            ValueError,
            "links['code'] has no entry for gender='M'.",
        ),
        (
            {"protected": "gender", "links": {"code": "nickname"}},
            pd.DataFrame({"gender": ["F", "M"], "code": [0, 1]}),
            ValueError,
            UNKNOWN_FIELD.format(
                column="code", field="nickname", allowed=list(FIELD_NAMES)
            ),
        ),
        (
            {"protected": "gender", "links": {"first": "first_name"}},
            pd.DataFrame({"gender": ["x", "y"], "first": [None, None]}),
            ValueError,
            "draws gendered values from Mimesis, but the gender of gender='x' is "
            "unknown",
        ),
        (
            {"protected": "gender", "links": {"dob": "date_of_birth"}},
            pd.DataFrame({"gender": ["F", "M"], "dob": ["1990-01-01"] * 2}),
            ValueError,
            "links['dob']='date_of_birth' follows a target age, but the protected "
            "attribute 'gender' is not numeric",
        ),
        (
            {"protected": "gender", "links": {"code": {"F": 0, "M": {"a": "b"}}}},
            pd.DataFrame({"gender": ["F", "M"], "code": [0, 1]}),
            ValueError,
            "links['code'] mixes plain values and translation tables",
        ),
    ],
)
def test_link_errors_name_the_cause(params, X, exc, message):
    with pytest.raises(exc, match=re.escape(message)):
        CounterfactualAugmenter(**params).fit(X)
