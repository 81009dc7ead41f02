import pickle
import re

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.tree import DecisionTreeClassifier

from skcounterfactual import (
    CounterfactualAugmentedClassifier,
    CounterfactualAugmenter,
    TwinSet,
)
from skcounterfactual._links import mimesis_pool
from skcounterfactual._twins import MISSING_PROTECTED, SINGLE_VALUE_DOMAIN
from skcounterfactual._validation import MISSING_COLUMN


@pytest.fixture
def tutorial_profiles():
    return pd.DataFrame(
        {
            "applicant_id": [
                "1f1721e1-19af-4bd1-8488-6abf01404ef9",
                "5c862597-7f55-43f4-9d6e-ac9cc0b9083e",
                "3479d4cf-0d9b-4f06-9c43-1c3b7e787830",
            ],
            "gender": ["Male", "Male", "Male"],
            "gender_code": [1, 1, 1],
            "income": [44815, 47436, 58194],
        }
    )


@pytest.fixture
def people():
    rng = np.random.default_rng(0)
    n = 400
    gender = rng.choice(["Female", "Male"], n)
    female = ["Anna", "Maria", "Sofia", "Emma"]
    male = ["John", "Peter", "Karl", "Omar"]
    first = np.where(gender == "Female", rng.choice(female, n), rng.choice(male, n))
    title = np.where(gender == "Female", rng.choice(["Mrs.", "Ms."], n), "Mr.")
    return pd.DataFrame(
        {
            "gender": pd.array(gender, dtype="str"),
            "gender_code": (gender == "Male").astype(np.int64),
            "first_name": pd.array(first, dtype="str"),
            "title": pd.Categorical(title),
            "income": rng.integers(30_000, 120_000, n),
            "score": pd.array(rng.integers(0, 5, n), dtype="Int64"),
        },
        index=pd.Index([f"id{i}" for i in range(n)], name="applicant"),
    )


GENDER_LINKS = {
    "gender_code": {"Male": 1, "Female": 0},
    "first_name": "first_name",
    "title": "title",
}


def test_tutorial_clone_table_is_one_call(tutorial_profiles):
    aug = CounterfactualAugmenter(
        protected="gender",
        values={"gender": ["Male", "Female"]},
        links={"gender_code": {"Male": 1, "Female": 0}},
    ).fit(tutorial_profiles)
    twin_set = aug.make_twins(tutorial_profiles, include_original=True)
    table = twin_set.X
    assert len(table) == 6
    assert table["gender"].tolist() == ["Male", "Female"] * 3
    assert table["gender_code"].tolist() == [1, 0] * 3
    assert (
        table["applicant_id"].tolist()
        == np.repeat(tutorial_profiles["applicant_id"], 2).tolist()
    )
    assert table["income"].tolist() == [44815, 44815, 47436, 47436, 58194, 58194]
    assert twin_set.provenance["kind"].tolist() == ["original", "twin"] * 3
    # 'Female' never occurs in these three rows: flagged, not hidden
    assert twin_set.provenance["unseen"].tolist() == [False, True] * 3
    assert twin_set.unseen_values == {"gender": ["Female"], "gender_code": [0]}


def test_gender_twins_get_names_and_titles_of_the_other_gender(people):
    aug = CounterfactualAugmenter(
        protected="gender", links=GENDER_LINKS, random_state=0
    ).fit(people)
    twins, provenance = aug.make_twins(people)
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
    twins = aug.make_twins(X.iloc[n:]).X  # men become women
    share = (twins["first_name"] == "Anna").mean()
    assert abs(share - 0.75) < 0.02


def test_mimesis_source_draws_gendered_names_and_flags_them_unseen(people):
    aug = CounterfactualAugmenter(
        protected="gender", links=GENDER_LINKS, source="mimesis", random_state=0
    ).fit(people)
    twin_set = aug.make_twins(people)
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
    twins = aug.make_twins(X).X
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


def test_age_twins_move_the_birth_date_and_keep_ages_exact():
    reference = pd.Timestamp("2025-01-01")
    dob = pd.to_datetime(["1990-02-28", "1960-07-15", "2000-02-29", "1985-12-31"])
    age = np.array([(reference - d).days // 365 for d in dob])  # rough first
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


def test_n_twins_samples_large_domains_deterministically():
    rng = np.random.default_rng(3)
    X = pd.DataFrame(
        {"age": rng.integers(18, 80, 300), "income": rng.integers(0, 100, 300)}
    )
    aug = CounterfactualAugmenter(protected="age", n_twins=3, random_state=7).fit(X)
    twins, provenance = aug.make_twins(X)
    assert len(twins) == 3 * len(X)
    counts = provenance.groupby("source_position").size()
    assert (counts == 3).all()
    assert (provenance["original"] != provenance["new"]).all()
    # no duplicated target per row
    assert not provenance.duplicated(["source_position", "new"]).any()
    again = clone(aug).fit(X).make_twins(X).X
    pd.testing.assert_frame_equal(twins, again)
    other = CounterfactualAugmenter(protected="age", n_twins=3, random_state=8)
    assert not other.fit(X).make_twins(X).X["age"].equals(twins["age"])


def test_several_attributes_one_at_a_time_and_intersectional():
    X = pd.DataFrame(
        {
            "gender": ["Female", "Male", "Female"],
            "country": ["DE", "US", "JP"],
            "income": [1, 2, 3],
        }
    )
    aug = CounterfactualAugmenter(protected=["gender", "country"]).fit(X)
    twins, provenance = aug.make_twins(X)
    assert len(twins) == 3 * 1 + 3 * 2
    assert provenance["attribute"].value_counts().to_dict() == {
        "gender": 3,
        "country": 6,
    }
    inter = CounterfactualAugmenter(
        protected=["gender", "country"], intersectional=True
    ).fit(X)
    twins, provenance = inter.make_twins(X)
    assert len(twins) == 3 * (2 * 3 - 1)
    assert set(provenance["attribute"]) == {"gender & country"}
    first = provenance[provenance["source_position"] == 0]
    assert set(first["new"]) == {
        ("Female", "JP"),
        ("Female", "US"),
        ("Male", "DE"),
        ("Male", "JP"),
        ("Male", "US"),
    }
    assert all(o == ("Female", "DE") for o in first["original"])


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
    twins = aug.make_twins(X).X
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
    twins = aug.make_twins(X).X
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
    twins = aug.make_twins(X).X
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


def test_placebo_twins_keep_the_protected_value_and_redraw_links(people):
    aug = CounterfactualAugmenter(
        protected="gender", links=GENDER_LINKS, placebo=True, random_state=0
    ).fit(people)
    twins, provenance = aug.make_twins(people)
    placebo = (provenance["kind"] == "placebo").to_numpy()
    assert placebo.sum() == len(people)
    source = people.iloc[provenance["source_position"].to_numpy()[placebo]]
    assert (
        twins.loc[placebo, "gender"].to_numpy() == source["gender"].to_numpy()
    ).all()
    changed = (
        twins.loc[placebo, "first_name"].to_numpy() != source["first_name"].to_numpy()
    )
    assert 0.5 < changed.mean() < 1.0


def test_callable_link_receives_twins_new_values_and_a_generator():
    X = pd.DataFrame({"gender": ["Female", "Male"], "pronoun": ["she", "he"]})
    seen = {}

    def pronoun(twins, new_values, rng):
        seen["rng"] = rng
        return np.where(new_values == "Female", "she", "he")

    twins = (
        CounterfactualAugmenter(protected="gender", links={"pronoun": pronoun})
        .fit(X)
        .make_twins(X)
        .X
    )
    assert twins["pronoun"].tolist() == ["he", "she"]
    assert isinstance(seen["rng"], np.random.Generator)


def test_numpy_arrays_use_integer_positions():
    X = np.array([[0.0, 1.0, 5.0], [1.0, 0.0, 6.0], [0.0, 1.0, 7.0]])
    aug = CounterfactualAugmenter(protected=0, links={1: {0.0: 1.0, 1.0: 0.0}}).fit(X)
    twins = aug.make_twins(X).X
    assert isinstance(twins, np.ndarray)
    np.testing.assert_array_equal(
        twins, [[1.0, 0.0, 5.0], [0.0, 1.0, 6.0], [1.0, 0.0, 7.0]]
    )
    assert aug.n_features_in_ == 3


def test_input_is_not_mutated_and_index_is_kept(people):
    before = people.copy(deep=True)
    aug = CounterfactualAugmenter(protected="gender", links=GENDER_LINKS).fit(people)
    twins, provenance = aug.make_twins(people, placebo=True, include_original=True)
    pd.testing.assert_frame_equal(people, before)
    assert set(provenance.index) == set(people.index)
    assert provenance.index.name == "applicant"


def test_fit_resample_appends_twins_with_aligned_labels_and_weights(people):
    y = pd.Series((people["gender"] == "Male").astype(int), index=people.index)
    w = np.arange(len(people), dtype=float)
    aug = CounterfactualAugmenter(protected="gender", links=GENDER_LINKS)
    X_res, y_res, w_res = aug.fit_resample(people, y, sample_weight=w)
    assert len(X_res) == len(y_res) == len(w_res) == 2 * len(people)
    pd.testing.assert_frame_equal(X_res.iloc[: len(people)], people, check_dtype=False)
    np.testing.assert_array_equal(y_res.to_numpy()[len(people) :], y.to_numpy())
    np.testing.assert_array_equal(w_res[len(people) :], w)
    assert (y_res.index == X_res.index).all()
    assert X_res["title"].dtype.categories.tolist() == ["Mr.", "Mrs.", "Ms."]
    X_res2, y_res2 = aug.fit_resample(people, y.to_numpy())
    assert isinstance(y_res2, np.ndarray) and len(y_res2) == 2 * len(people)
    assert not hasattr(aug, "transform")


def test_meta_estimator_exposes_predict_proba_only_when_its_estimator_does(people):
    from sklearn.svm import LinearSVC

    X = people[["gender_code", "income"]]
    y = people["gender_code"]
    aug = CounterfactualAugmenter(protected="gender_code")
    clf = CounterfactualAugmentedClassifier(
        estimator=DecisionTreeClassifier(max_depth=2, random_state=0), augmenter=aug
    ).fit(X, y)
    assert hasattr(clf, "predict_proba")
    assert clf.predict_proba(X).shape == (len(X), 2)
    # trained on twins with copied labels, the tree cannot use gender any more
    assert clf.estimator_.feature_importances_[0] == 0.0
    svc = CounterfactualAugmentedClassifier(estimator=LinearSVC(), augmenter=aug)
    assert not hasattr(svc, "predict_proba")
    assert hasattr(svc, "decision_function")


def test_estimator_citizenship(people):
    aug = CounterfactualAugmenter(
        protected="gender", links=GENDER_LINKS, random_state=0
    )
    assert "protected='gender'" in repr(aug)
    assert clone(aug).get_params() == aug.get_params()
    aug.set_params(n_twins=1)
    assert aug.n_twins == 1
    fitted = aug.fit(people)
    restored = pickle.loads(pickle.dumps(fitted))
    pd.testing.assert_frame_equal(
        restored.make_twins(people).X, fitted.make_twins(people).X
    )


def test_random_state_none_is_fixed_at_fit():
    X = pd.DataFrame({"g": ["a", "b"] * 50, "n": [f"x{i}" for i in range(100)]})
    aug = CounterfactualAugmenter(protected="g", links={"n": "resample"}).fit(X)
    pd.testing.assert_frame_equal(aug.make_twins(X).X, aug.make_twins(X).X)


def test_twin_set_to_frame_and_repr(people):
    twin_set = (
        CounterfactualAugmenter(
            protected="gender",
            links={"gender_code": {"Male": 1, "Female": 0}},
            placebo=True,
        )
        .fit(people)
        .make_twins(people)
    )
    assert isinstance(twin_set, TwinSet)
    assert repr(twin_set) == "TwinSet(twin=400, placebo=400, unseen=0)"
    frame = twin_set.to_frame()
    assert list(frame.columns[-6:]) == [
        "source_position",
        "attribute",
        "original",
        "new",
        "kind",
        "unseen",
    ]


# ---------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "params, X, exc, message",
    [
        (
            {"protected": "sex"},
            pd.DataFrame({"gender": ["F", "M"]}),
            ValueError,
            MISSING_COLUMN.format(
                param="protected", column="sex", available=["gender"]
            ),
        ),
        (
            {"protected": "gender"},
            pd.DataFrame({"gender": ["F", "F"]}),
            ValueError,
            SINGLE_VALUE_DOMAIN.format(attribute="gender", values=["F"]),
        ),
        (
            {"protected": "gender", "values": {"gender": ["F", "X"]}, "strict": True},
            pd.DataFrame({"gender": ["F", "M"]}),
            ValueError,
            "values['gender'] contains ['X'], never seen in column 'gender'",
        ),
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
            "links['code']='nickname' is not a generated field.",
        ),
        (
            {"protected": "c", "locales": {"c": {"a": "xx", "b": "en"}}},
            pd.DataFrame({"c": ["a", "b"]}),
            ValueError,
            "locales['c']['a']='xx' is not a Mimesis locale.",
        ),
        (
            {"protected": "gender"},
            pd.DataFrame({"gender": ["F", None, "M"]}),
            ValueError,
            MISSING_PROTECTED.format(attribute="gender", count=1),
        ),
        (
            {"protected": "gender", "source": "web"},
            pd.DataFrame({"gender": ["F", "M"]}),
            ValueError,
            "source must be one of ('auto', 'vocabulary', 'mimesis'), got 'web'.",
        ),
        (
            {"protected": "gender", "n_twins": 0},
            pd.DataFrame({"gender": ["F", "M"]}),
            ValueError,
            "n_twins must be None or a positive integer, got 0.",
        ),
        (
            {"protected": None},
            pd.DataFrame({"gender": ["F", "M"]}),
            ValueError,
            "protected is required",
        ),
        (
            {"protected": "gender"},
            pd.DataFrame({"gender": pd.Series([], dtype=str)}),
            ValueError,
            "X has no rows",
        ),
        (
            {"protected": "age", "values": {"age": [25, 45.5]}},
            pd.DataFrame({"age": [30, 40]}),
            ValueError,
            "Column 'age' has dtype int64, which cannot hold the twin value 45.5",
        ),
        (
            {"protected": "gender", "links": {"first": "first_name"}},
            pd.DataFrame({"gender": ["x", "y"], "first": [None, None]}),
            ValueError,
            "draws gendered values from Mimesis, but the gender of gender='x' is "
            "unknown",
        ),
    ],
)
def test_fit_errors_name_the_cause(params, X, exc, message):
    with pytest.raises(exc, match=re.escape(message)):
        CounterfactualAugmenter(**params).fit(X)


def test_sparse_input_is_refused_with_advice():
    import scipy.sparse as sp

    with pytest.raises(TypeError, match=re.escape("X is a sparse matrix (csr_matrix)")):
        CounterfactualAugmenter(protected=0).fit(sp.csr_matrix(np.eye(3)))


def test_missing_skip_builds_no_twins_for_those_rows():
    X = pd.DataFrame({"gender": ["F", None, "M"], "v": [1, 2, 3]})
    twins, provenance = (
        CounterfactualAugmenter(protected="gender", missing="skip").fit(X).make_twins(X)
    )
    assert provenance["source_position"].tolist() == [0, 2]
    assert twins["gender"].tolist() == ["M", "F"]


STATUS_SEX_TWINS = {
    "status_sex": {
        "female": {"A93": "A95", "A94": "A92", "A91": "A92"},
        "male": {"A92": "A94", "A95": "A93"},
    }
}


def test_german_credit_sex_twins_report_the_never_seen_a95_code():
    from skcounterfactual.datasets import load_german_credit

    X, _ = load_german_credit(decode=False)
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


def test_imblearn_pipeline_under_grid_search_compares_augmentation():
    from imblearn.pipeline import Pipeline as ImbPipeline
    from sklearn.model_selection import GridSearchCV

    from skcounterfactual import fairness_scoring
    from skcounterfactual.datasets import make_loan_applicants

    X, y = make_loan_applicants(600, bias=1.0, random_state=0)
    X = X[["gender", "gender_code", "income"]]
    links = {"gender_code": {"Male": 1, "Female": 0}}
    from sklearn.compose import ColumnTransformer

    pipe = ImbPipeline(
        [
            ("augment", CounterfactualAugmenter(protected="gender", links=links)),
            (
                "select",
                ColumnTransformer([("keep", "passthrough", ["gender_code", "income"])]),
            ),
            ("tree", DecisionTreeClassifier(max_depth=3, random_state=0)),
        ]
    )
    search = GridSearchCV(
        pipe,
        {
            "augment": [
                CounterfactualAugmenter(protected="gender", links=links),
                "passthrough",
            ]
        },
        scoring=fairness_scoring(protected="gender", links=links),
        refit="accuracy",
        cv=3,
        error_score="raise",
    ).fit(X, y)
    flip = search.cv_results_["mean_test_counterfactual_flip"]
    accuracy = search.cv_results_["mean_test_accuracy"]
    assert flip[0] == 1.0  # augmented: gender no longer changes a decision
    assert flip[1] < 0.8  # not augmented: the tutorial's bias
    assert accuracy[1] > accuracy[0]  # the biased labels reward the biased model


def test_object_and_categorical_dtypes_survive_twins_and_resampling():
    X = pd.DataFrame(
        {
            "gender": pd.Series(["F", "M", "F"], dtype=object),
            "first": pd.Series(["Ann", "Bob", "Eve"], dtype=object),
            "kind": pd.Series(["x", "y", "x"], dtype=object).astype("category"),
        }
    )
    aug = CounterfactualAugmenter(protected="gender", links={"first": "resample"})
    twins = aug.fit(X).make_twins(X).X
    assert twins.dtypes.to_dict() == X.dtypes.to_dict()
    resampled, _ = aug.fit_resample(
        X.assign(gender=X.gender.astype("category")), [0, 1, 0]
    )
    assert isinstance(resampled["gender"].dtype, pd.CategoricalDtype)
    assert isinstance(resampled["kind"].dtype, pd.CategoricalDtype)


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


def test_meta_estimator_passes_weights_to_a_pipelines_last_step():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X = pd.DataFrame({"g": [0, 1] * 20, "v": np.arange(40.0)})
    y = (X["v"] > 20).astype(int)
    w = np.where(X["v"] > 30, 5.0, 1.0)
    clf = CounterfactualAugmentedClassifier(
        estimator=make_pipeline(StandardScaler(), LogisticRegression()),
        augmenter=CounterfactualAugmenter(protected="g"),
    )
    weighted = clf.fit(X, y, sample_weight=w).predict_proba(X)
    plain = clone(clf).fit(X, y).predict_proba(X)
    assert not np.allclose(weighted, plain)


def test_an_unlinked_mirror_column_is_warned_about():
    import warnings

    from skcounterfactual import UnlinkedMirrorWarning

    X = pd.DataFrame(
        {
            "gender": ["F", "M"] * 20,
            "code": [0, 1] * 20,
            "income": np.arange(40),
        }
    )
    with pytest.warns(UnlinkedMirrorWarning, match=re.escape("Column 'code' mirrors")):
        CounterfactualAugmenter(protected="gender").fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        CounterfactualAugmenter(
            protected="gender", links={"code": {"F": 0, "M": 1}}
        ).fit(X)
        # a continuous attribute: unique columns are not mirrors
        CounterfactualAugmenter(protected="income", n_twins=1).fit(X)
        # a few rows co-vary by chance
        CounterfactualAugmenter(protected="gender").fit(X.iloc[:6])
