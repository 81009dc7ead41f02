"""The twin engine through CounterfactualAugmenter: domains, factors, placebo
twins, provenance, arrays, resampling, fit-time errors and warnings.

The link kinds themselves are tested in ``test_links.py``.
"""

import pickle
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from skcounterfactual import CounterfactualAugmenter, TwinSet, UnlinkedMirrorWarning
from skcounterfactual._protocol import BAD_TARGET_ROWS
from skcounterfactual._twins import MISSING_PROTECTED, SINGLE_VALUE_DOMAIN
from skcounterfactual._validation import (
    MISSING_COLUMN,
    NOT_BOOL,
    NOT_ONE_OF,
    Y_REQUIRED,
)

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


def test_fitted_attributes_describe_domains_and_factors(people):
    aug = CounterfactualAugmenter(
        protected="gender", links=GENDER_LINKS, random_state=3
    ).fit(people)
    assert aug.protected_ == ["gender"]
    assert aug.domains_ == {"gender": ["Female", "Male"]}
    assert aug.factors_ == {
        "gender": {
            "columns": ["gender"],
            "linked": ["gender_code", "first_name", "title"],
        }
    }
    assert aug.seed_ == 3
    assert aug.n_features_in_ == people.shape[1]
    assert aug.feature_names_in_.tolist() == people.columns.tolist()


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
    assert list(inter.factors_) == ["gender & country"]
    first = provenance[provenance["source_position"] == 0]
    assert set(first["new"]) == {
        ("Female", "JP"),
        ("Female", "US"),
        ("Male", "DE"),
        ("Male", "JP"),
        ("Male", "US"),
    }
    assert all(o == ("Female", "DE") for o in first["original"])


def test_intersectional_both_builds_each_attribute_then_their_combinations():
    X = pd.DataFrame(
        {
            "gender": ["Female", "Male", "Female"],
            "country": ["DE", "US", "JP"],
            "income": [1, 2, 3],
        }
    )
    aug = CounterfactualAugmenter(
        protected=["gender", "country"], intersectional="both"
    ).fit(X)
    assert list(aug.factors_) == ["gender", "country", "gender & country"]
    assert aug.factors_["gender & country"]["columns"] == ["gender", "country"]
    _, provenance = aug.make_twins(X)
    assert provenance["attribute"].value_counts().to_dict() == {
        "gender & country": 3 * 5,
        "country": 3 * 2,
        "gender": 3,
    }
    # blocks in the order of factors_
    assert provenance["attribute"].drop_duplicates().tolist() == list(aug.factors_)


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


@pytest.mark.parametrize(
    "links, placebo, expected",
    [
        # placebo="auto" (the default): only a generated or callable link makes a
        # placebo twin differ from its row
        ({"gender_code": {"Male": 1, "Female": 0}}, "auto", 0),
        ({"first_name": "first_name"}, "auto", 400),
        ({"first_name": lambda twins, new, rng: twins["first_name"]}, "auto", 400),
        ({"first_name": "first_name"}, False, 0),
        ({"gender_code": {"Male": 1, "Female": 0}}, True, 400),
    ],
)
def test_placebo_auto_adds_placebo_twins_for_generated_links_only(
    people, links, placebo, expected
):
    if "gender_code" not in links:  # an unlinked mirror would only warn
        people = people.drop(columns="gender_code")
    aug = CounterfactualAugmenter(
        protected="gender", links=links, placebo=placebo, random_state=0
    ).fit(people)
    provenance = aug.make_twins(people).provenance
    assert int((provenance["kind"] == "placebo").sum()) == expected
    assert int((provenance["kind"] == "twin").sum()) == 400
    # make_twins(placebo=...) overrides the parameter
    assert not (
        aug.make_twins(people, placebo=False).provenance["kind"] == "placebo"
    ).any()
    forced = aug.make_twins(people, placebo=True).provenance
    assert int((forced["kind"] == "placebo").sum()) == 400


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


def test_fit_resample_appends_twins_with_aligned_labels(people):
    y = pd.Series((people["gender"] == "Male").astype(int), index=people.index)
    w = np.arange(len(people), dtype=float)
    aug = CounterfactualAugmenter(protected="gender", links=GENDER_LINKS)
    resampled = aug.fit_resample(people, y)
    assert len(resampled) == 2  # exactly (X, y), as imbalanced-learn unpacks
    X_res, y_res = resampled
    assert len(X_res) == len(y_res) == 2 * len(people)
    pd.testing.assert_frame_equal(X_res.iloc[: len(people)], people, check_dtype=False)
    np.testing.assert_array_equal(y_res.to_numpy()[len(people) :], y.to_numpy())
    # sample_indices_: the input row of each output row, to align any array
    np.testing.assert_array_equal(w[aug.sample_indices_][len(people) :], w)
    np.testing.assert_array_equal(
        X_res["income"].to_numpy(), people["income"].to_numpy()[aug.sample_indices_]
    )
    assert (y_res.index == X_res.index).all()
    assert X_res["title"].dtype.categories.tolist() == ["Mr.", "Mrs.", "Ms."]
    X_res2, y_res2 = aug.fit_resample(people, y.to_numpy())
    assert isinstance(y_res2, np.ndarray) and len(y_res2) == 2 * len(people)
    assert not hasattr(aug, "transform")


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
    assert repr(twin_set) == "TwinSet(twin=400, placebo=400, unseen=0, incoherent=400)"
    frame = twin_set.to_frame()
    assert list(frame.columns[-7:]) == [
        "source_position",
        "attribute",
        "original",
        "new",
        "kind",
        "unseen",
        "incoherent",
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
            {"protected": "gender", "placebo": "yes"},
            pd.DataFrame({"gender": ["F", "M"]}),
            ValueError,
            NOT_ONE_OF.format(
                param="placebo", allowed=(False, True, "auto"), value="yes"
            ),
        ),
        (
            {"protected": ["gender", "c"], "intersectional": "all"},
            pd.DataFrame({"gender": ["F", "M"], "c": ["a", "b"]}),
            ValueError,
            NOT_ONE_OF.format(
                param="intersectional", allowed=(False, True, "both"), value="all"
            ),
        ),
        (
            {"protected": "gender", "strict": 1},
            pd.DataFrame({"gender": ["F", "M"]}),
            ValueError,
            NOT_BOOL.format(param="strict", value=1),
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
    ],
)
def test_fit_errors_name_the_cause(params, X, exc, message):
    with pytest.raises(exc, match=re.escape(message)):
        CounterfactualAugmenter(**params).fit(X)


def test_fit_resample_checks_y_with_the_shared_wording():
    X = pd.DataFrame({"gender": ["F", "M", "F"]})
    aug = CounterfactualAugmenter(protected="gender")
    with pytest.raises(
        ValueError,
        match=re.escape(
            Y_REQUIRED.format(
                what="fit_resample", why="each twin copies its source's label"
            )
        ),
    ):
        aug.fit_resample(X, None)
    with pytest.raises(
        ValueError, match=re.escape(BAD_TARGET_ROWS.format(n_samples=3, shape=(2,)))
    ):
        aug.fit_resample(X, [0, 1])
    with pytest.raises(
        ValueError,
        match=re.escape(BAD_TARGET_ROWS.format(n_samples=3, shape=(3, 1, 1))),
    ):
        aug.fit_resample(X, np.zeros((3, 1, 1)))
    # weights never leave fit_resample: they are aligned with sample_indices_
    with pytest.raises(TypeError, match="unexpected keyword argument 'sample_weight'"):
        aug.fit_resample(X, [0, 1, 0], sample_weight=[1.0, 1.0, 1.0])


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


def test_an_unlinked_mirror_column_is_warned_about():
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
