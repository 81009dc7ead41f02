"""Incoherent twins, proxies and suggested links, from the user's side."""

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skcounterfactual import (
    CounterfactualAugmenter,
    IncoherentTwinWarning,
    UnlinkedMirrorWarning,
    find_proxies,
    suggest_links,
)
from skcounterfactual._coherence import BAD_COHERENCE
from skcounterfactual._proxies import TOO_FEW_GROUPS, TOO_MANY_GROUPS
from skcounterfactual._validation import (
    MISSING_COLUMN,
    NOT_POSITIVE_INT,
    TOO_SMALL_INT,
)
from skcounterfactual.datasets import load_german_credit

ROLE_LINK = {"Female": {"Husband": "Wife"}, "Male": {"Wife": "Husband"}}


def census(n=2000, seed=0, female_husbands=0):
    """Sex, a household relationship tied to it for married people, income."""
    rng = np.random.default_rng(seed)
    sex = rng.choice(["Female", "Male"], n)
    married = rng.random(n) < 0.5
    single = rng.choice(["Not-in-family", "Own-child", "Unmarried"], n)
    relationship = np.where(
        married, np.where(sex == "Female", "Wife", "Husband"), single
    )
    X = pd.DataFrame(
        {
            "sex": sex,
            "relationship": relationship,
            "income": rng.normal(50_000, 15_000, n).round(),
        }
    )
    wives = np.flatnonzero(relationship == "Wife")[:female_husbands]
    X.loc[wives, "relationship"] = "Husband"  # data-entry errors, as in census data
    return X


def fit_quietly(X, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IncoherentTwinWarning)
        return CounterfactualAugmenter(**params).fit(X)


# --------------------------------------------------------------- the warning
def test_warning_names_the_column_the_counts_the_share_and_the_fix():
    X = census(female_husbands=1)
    with pytest.warns(IncoherentTwinWarning) as caught:
        augmenter = CounterfactualAugmenter(protected="sex").fit(X)
    assert len(caught) == 1  # once per column
    assert caught[0].filename == __file__  # points at the caller's fit
    message = str(caught[0].message)
    husbands = int((X["relationship"] == "Husband").sum())
    wives = int((X["relationship"] == "Wife").sum())
    female_share = (X["sex"] == "Female").mean()
    expected = husbands * female_share
    assert "Column 'relationship' is not linked to 'sex'" in message
    assert (
        f"sex='Female' with relationship='Husband' (1 row in the fit data where "
        f"{expected:,.0f} would be expected; {husbands - 1:,} twins)"
    ) in message
    assert "sex='Male' with relationship='Wife' (0 rows in the fit data" in message
    n_twins = husbands - 1 + wives
    assert f"{n_twins / len(X):.1%} of the twins ({n_twins:,} in the fit data)" in (
        message
    )
    assert repr({"relationship": ROLE_LINK})[1:-1] in message  # the translation
    assert "'resample'" in message and "coherence=(10, 0.05)" in message
    # the same numbers, as data
    found = augmenter.coherence_["sex"]["relationship"]
    assert found["n_twins"] == n_twins
    assert found["share"] == pytest.approx(n_twins / len(X))
    first = found["combinations"][0]
    assert first == {
        "group": "Female",
        "level": "value",
        "value": "Husband",
        "count": 1,
        "expected": round(expected, 1),
        "twins": husbands - 1,
    }
    assert augmenter.suggested_links_ == {"relationship": ROLE_LINK}


def test_incoherent_twins_are_flagged_in_the_provenance():
    X = census(female_husbands=1)
    augmenter = fit_quietly(X, protected="sex")
    twin_set = augmenter.make_twins(X, include_original=True)
    provenance = twin_set.provenance
    assert list(provenance.columns)[-2:] == ["unseen", "incoherent"]
    twins = provenance["kind"] == "twin"
    role = X["relationship"].to_numpy()[provenance["source_position"]]
    new = provenance["new"].to_numpy()
    expected = twins & (
        ((role == "Husband") & (new == "Female")) | ((role == "Wife") & (new == "Male"))
    )
    np.testing.assert_array_equal(provenance["incoherent"], expected)
    assert not provenance.loc[provenance["kind"] == "original", "incoherent"].any()
    assert f"incoherent={int(expected.sum())})" in repr(twin_set)


@pytest.mark.parametrize(
    "link", [ROLE_LINK, "resample"], ids=["translation", "resample"]
)
def test_linking_the_column_removes_the_warning_and_the_flags(link):
    X = census()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        augmenter = CounterfactualAugmenter(
            protected="sex", links={"relationship": link}, random_state=0
        ).fit(X)
    twins, provenance = augmenter.make_twins(X, placebo=False)
    assert not provenance["incoherent"].any()
    assert augmenter.coherence_ == {} and augmenter.suggested_links_ == {}
    role = X["relationship"].to_numpy()[provenance["source_position"]]
    new_role = twins["relationship"].to_numpy()
    assert "Husband" not in set(new_role[role == "Husband"])
    if link == ROLE_LINK:  # a translation keeps the marital status
        assert set(new_role[role == "Husband"]) == {"Wife"}
        np.testing.assert_array_equal(new_role[role == "Unmarried"], "Unmarried")


def test_suggested_links_pass_back_as_links():
    X = census()
    first = fit_quietly(X, protected="sex")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        second = CounterfactualAugmenter(
            protected="sex", links=first.suggested_links_
        ).fit(X)
    assert not second.make_twins(X).provenance["incoherent"].any()


def test_coherence_none_switches_the_check_off():
    X = census()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        augmenter = CounterfactualAugmenter(protected="sex", coherence=None).fit(X)
    provenance = augmenter.make_twins(X).provenance
    assert "incoherent" not in provenance.columns
    assert augmenter.coherence_ == {} and augmenter.suggested_links_ == {}


def test_rare_but_real_combinations_are_supported():
    # 3% of the women are mechanics against 20% of the men: rare, not absent
    rng = np.random.default_rng(1)
    n = 4000
    sex = rng.choice(["Female", "Male"], n)
    rate = np.where(sex == "Female", 0.03, 0.20)
    job = np.where(rng.random(n) < rate, "Mechanic", "Clerk")
    X = pd.DataFrame({"sex": sex, "job": job})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        augmenter = CounterfactualAugmenter(protected="sex").fit(X)
    assert augmenter.coherence_ == {}
    # a stricter share calls them incoherent
    strict = fit_quietly(X, protected="sex", coherence=(10, 0.5))
    assert strict.coherence_["sex"]["job"]["combinations"][0]["value"] == "Mechanic"


def test_thin_data_is_not_judged():
    # 12 rows: no combination is expected min_count=10 times in one group
    X = pd.DataFrame({"sex": ["F", "M"] * 6, "role": ["Wife", "Husband"] * 6})
    with warnings.catch_warnings():
        warnings.simplefilter("error", IncoherentTwinWarning)
        augmenter = CounterfactualAugmenter(protected="sex").fit(X)
    assert augmenter.coherence_ == {}
    assert fit_quietly(X, protected="sex", coherence=(3, 0.05)).coherence_ != {}


def test_a_mirror_gets_the_mirror_warning_and_a_value_map():
    X = pd.DataFrame({"sex": ["F", "M"] * 20, "code": [0, 1] * 20})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        augmenter = CounterfactualAugmenter(protected="sex").fit(X)
    assert [w.category for w in caught] == [UnlinkedMirrorWarning]
    assert augmenter.suggested_links_ == {"code": {"F": 0, "M": 1}}
    assert augmenter.make_twins(X).provenance["incoherent"].all()


@pytest.mark.parametrize("coherence", [None, (10, 0.05)])
def test_the_mirror_check_finds_the_same_with_and_without_coherence(coherence):
    rng = np.random.default_rng(0)
    sex = rng.choice(["F", "M"], 200)
    X = pd.DataFrame(
        {
            "sex": sex,
            "code": np.where(sex == "F", 0, 1),
            "label": np.where(sex == "F", "woman", "man"),
            "almost": np.where(sex == "F", 0, 1),
            "noise": rng.choice([0, 1], 200),
        }
    )
    X.loc[0, "almost"] = 1 - X.loc[0, "almost"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        CounterfactualAugmenter(protected="sex", coherence=coherence).fit(X)
    mirrors = [str(w.message) for w in caught if w.category is UnlinkedMirrorWarning]
    assert [m.split("'")[1] for m in mirrors] == ["code", "label"]


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_rows=st.integers(40, 300),
    n_groups=st.integers(2, 3),
    n_values=st.integers(1, 6),
    coupling=st.floats(0, 1),
    min_count=st.integers(1, 20),
    min_share=st.floats(0.01, 1.0),
)
def test_flags_follow_the_documented_rule(
    seed, n_rows, n_groups, n_values, coupling, min_count, min_share
):
    # a reference with pandas: unsupported when expected >= min_count and
    # count < min_share * expected, expected = value count x group share
    rng = np.random.default_rng(seed)
    group = rng.choice([f"g{i}" for i in range(n_groups)], n_rows)
    shared = rng.choice([f"v{j}" for j in range(n_values)], n_rows)
    tied = rng.random(n_rows) < coupling
    X = pd.DataFrame(
        {"a": group, "c": np.where(tied, np.char.add(group, "_own"), shared)}
    )
    if X["a"].nunique() < 2:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IncoherentTwinWarning)
        warnings.simplefilter("ignore", UnlinkedMirrorWarning)  # when tied fully
        augmenter = CounterfactualAugmenter(
            protected="a", coherence=(min_count, min_share)
        ).fit(X)
    counts = pd.crosstab(X["a"], X["c"])
    expected = np.outer(counts.sum(axis=1) / n_rows, counts.sum(axis=0))
    unsupported = (expected >= min_count) & (counts.to_numpy() < min_share * expected)
    unsupported = pd.DataFrame(unsupported, index=counts.index, columns=counts.columns)
    provenance = augmenter.make_twins(X).provenance
    values = X["c"].to_numpy()[provenance["source_position"]]
    reference = [
        bool(unsupported.loc[new, value])
        for new, value in zip(provenance["new"], values, strict=True)
    ]
    np.testing.assert_array_equal(provenance["incoherent"], reference)
    n_flagged = sum(r["n_twins"] for r in augmenter.coherence_.get("a", {}).values())
    assert n_flagged == sum(reference)


# ------------------------------------------------------- numbers and missing
def test_numeric_columns_are_judged_by_bins():
    rng = np.random.default_rng(0)
    n = 3000
    sex = rng.choice(["Female", "Male"], n)
    weeks = np.where(
        (sex == "Female") & (rng.random(n) < 0.5), rng.uniform(1, 40, n), 0.0
    )
    X = pd.DataFrame({"sex": sex, "pregnancy_weeks": weeks.round(1)})
    with pytest.warns(IncoherentTwinWarning, match="'pregnancy_weeks' in "):
        augmenter = CounterfactualAugmenter(protected="sex").fit(X)
    found = augmenter.coherence_["sex"]["pregnancy_weeks"]["combinations"]
    assert {r["level"] for r in found} == {"bin"}
    assert {r["group"] for r in found} == {"Male"}
    assert augmenter.suggested_links_ == {"pregnancy_weeks": "resample"}
    provenance = augmenter.make_twins(X).provenance
    pregnant = (weeks > 0)[provenance["source_position"]]
    np.testing.assert_array_equal(provenance["incoherent"], pregnant)


def test_a_column_one_group_never_fills_is_judged_by_presence():
    # maiden names: many distinct values, none common enough to judge alone
    rng = np.random.default_rng(0)
    n = 2000
    sex = rng.choice(["Female", "Male"], n)
    names = np.array([f"name{i}" for i in range(n)], dtype=object)
    maiden = np.where((sex == "Female") & (rng.random(n) < 0.6), names, None)
    X = pd.DataFrame({"sex": sex, "maiden_name": maiden})
    with pytest.warns(IncoherentTwinWarning, match=r"'maiden_name' present"):
        augmenter = CounterfactualAugmenter(protected="sex").fit(X)
    record = augmenter.coherence_["sex"]["maiden_name"]["combinations"][0]
    assert (record["group"], record["level"], record["count"]) == ("Male", "present", 0)
    provenance = augmenter.make_twins(X).provenance
    has_name = pd.notna(maiden)[provenance["source_position"]]
    np.testing.assert_array_equal(provenance["incoherent"], has_name)


def test_rows_with_a_missing_protected_value_are_left_out():
    X = census()
    X.loc[:99, "sex"] = None
    augmenter = fit_quietly(X, protected="sex", missing="skip")
    found = augmenter.coherence_["sex"]["relationship"]
    assert found["n_twins"] == int(
        X["relationship"].isin(["Husband", "Wife"])[X["sex"].notna()].sum()
    )


# ------------------------------------------------------------ German Credit
DOCUMENTED = {
    "female": {"A91": "A92", "A93": "A95", "A94": "A92"},
    "male": {"A92": "A94", "A95": "A93"},
}


def test_german_credit_suggestion_is_the_documented_translation():
    X, _ = load_german_credit(return_X_y=True)
    labels = load_german_credit(return_X_y=True, decode=False)[0][
        "status_sex"
    ].cat.categories
    code = dict(zip(X["status_sex"].cat.categories, labels, strict=True))
    links = suggest_links(X, protected="sex")
    assert list(links) == ["status_sex"]
    as_codes = {
        target: {code[old]: code[new] for old, new in table.items()}
        for target, table in links["status_sex"].items()
    }
    assert as_codes == DOCUMENTED


def test_german_credit_codes_alone_cannot_name_single_women():
    # with the raw codes nothing says A95 is a single woman: the single men's
    # twins become A92, and A92's twin the commonest male code (documented)
    X, _ = load_german_credit(return_X_y=True, decode=False)
    assert suggest_links(X, protected="sex") == {
        "status_sex": {
            "female": {"A91": "A92", "A93": "A92", "A94": "A92"},
            "male": {"A92": "A93"},
        }
    }


def test_german_credit_bare_twins_are_all_incoherent_and_the_fix_removes_them():
    X, _ = load_german_credit(return_X_y=True, decode=False)
    with pytest.warns(IncoherentTwinWarning, match="'status_sex'") as caught:
        bare = CounterfactualAugmenter(protected="sex").fit(X)
    assert len(caught) == 1
    assert bare.make_twins(X).provenance["incoherent"].mean() == 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fixed = CounterfactualAugmenter(
            protected="sex", links={"status_sex": DOCUMENTED}
        ).fit(X)
    twin_set = fixed.make_twins(X)
    assert not twin_set.provenance["incoherent"].any()
    assert repr(twin_set) == "TwinSet(twin=1000, unseen=548)"


# --------------------------------------------------------------- suggestions
def test_values_without_a_unique_partner_are_resampled():
    rng = np.random.default_rng(0)
    n = 3000
    sex = rng.choice(["Female", "Male"], n)
    female_jobs = rng.choice(["Midwife", "Nun"], n)
    male_jobs = rng.choice(["Monk", "Priest"], n)
    job = np.where(
        rng.random(n) < 0.4, np.where(sex == "Female", female_jobs, male_jobs), "Clerk"
    )
    X = pd.DataFrame({"sex": sex, "job": job})
    assert suggest_links(X, protected="sex") == {"job": "resample"}


def test_suggestions_per_attribute_when_several_are_protected():
    X = census()
    X["age_group"] = np.random.default_rng(99).choice(["young", "old"], len(X))
    links = suggest_links(X, protected=["sex", "age_group"])
    assert links == {"sex": {"relationship": ROLE_LINK}, "age_group": {}}
    augmenter = fit_quietly(X, protected=["sex", "age_group"])
    assert augmenter.suggested_links_ == {"sex": {"relationship": ROLE_LINK}}


def test_intersectional_twins_are_flagged_when_the_attribute_changes():
    X = census()
    X["age_group"] = np.random.default_rng(99).choice(["young", "old"], len(X))
    augmenter = fit_quietly(X, protected=["sex", "age_group"], intersectional="both")
    provenance = augmenter.make_twins(X).provenance
    role = X["relationship"].to_numpy()[provenance["source_position"]]
    married = np.isin(role, ["Husband", "Wife"])
    by_age = provenance["attribute"] == "age_group"
    assert not provenance.loc[by_age, "incoherent"].any()
    both = (provenance["attribute"] == "sex & age_group").to_numpy()
    sex_changes = np.array(
        [
            o[0] != n[0]
            for o, n in zip(provenance["original"], provenance["new"], strict=True)
        ]
    )
    np.testing.assert_array_equal(
        provenance["incoherent"].to_numpy()[both], (married & sex_changes)[both]
    )


def test_flags_do_not_depend_on_the_chunk():
    X = census(female_husbands=2)
    augmenter = fit_quietly(X, protected="sex", random_state=0)
    whole = augmenter.make_twins(X).provenance["incoherent"].to_numpy()
    chunks = [
        augmenter.make_twins(X.iloc[start : start + 333]).provenance["incoherent"]
        for start in range(0, len(X), 333)
    ]
    np.testing.assert_array_equal(np.concatenate(chunks), whole)


def test_fitted_state_is_plain_data():
    X = census()
    X["pregnancy_weeks"] = np.where(
        (X["sex"] == "Female") & (X.index % 2 == 0), X.index % 40 + 1.0, 0.0
    )
    augmenter = fit_quietly(X, protected="sex")
    checks = augmenter.engine_.coherence_["sex"].columns_
    assert [c.column for c in checks] == ["relationship", "pregnancy_weeks"]

    def plain(value):
        if isinstance(value, dict):
            return all(isinstance(k, str) for k in value) and all(
                plain(v) for v in value.values()
            )
        if isinstance(value, list):
            return all(plain(v) for v in value)
        return value is None or isinstance(value, bool | int | float | str)

    for check in checks:
        assert all(plain(v) for v in vars(check).values()), vars(check)
    assert plain(augmenter.coherence_) and plain(augmenter.suggested_links_)


def test_fitted_augmenter_round_trips_through_skops():
    import skops.io as sio

    X = census()
    augmenter = fit_quietly(X, protected="sex")
    data = sio.dumps(augmenter)
    loaded = sio.loads(data, trusted=sio.get_untrusted_types(data=data))
    np.testing.assert_array_equal(
        loaded.make_twins(X).provenance["incoherent"],
        augmenter.make_twins(X).provenance["incoherent"],
    )


# ------------------------------------------------------------------- proxies
def test_find_proxies_ranks_a_planted_proxy_first_and_keeps_noise_below_baseline():
    for seed in range(5):
        rng = np.random.default_rng(seed)
        n = 3000
        sex = rng.choice(["Female", "Male"], n)
        X = pd.DataFrame(
            {
                "noise_category": rng.choice(list("abcdefgh"), n),
                "noise_number": rng.normal(size=n),
                "sex": sex,
                # a neighbourhood 70% of one sex, 30% of the other
                "neighbourhood": np.where(
                    rng.random(n) < np.where(sex == "Female", 0.7, 0.3),
                    "North",
                    "South",
                ),
                "identifier": np.arange(n).astype(str),
            }
        )
        proxies = find_proxies(X, protected="sex", random_state=seed)
        assert proxies.loc[0, "column"] == "neighbourhood", seed
        assert proxies.loc[0, "proxy"] and proxies.loc[0, "association"] > 0.3
        rest = proxies.set_index("column").drop(index="neighbourhood")
        assert not rest["proxy"].any(), (seed, rest)
        noise = rest.loc[["noise_category", "noise_number"]]
        assert (noise["association"] < noise["baseline"]).all(), seed
        # an identifier "reveals" anything (V = 1), and so does its shuffle
        assert rest.loc["identifier", "association"] == pytest.approx(1.0)


def test_find_proxies_measures_fit_the_column_type():
    rng = np.random.default_rng(0)
    n = 2000
    sex = rng.choice(["Female", "Male"], n)
    X = pd.DataFrame(
        {
            "sex": sex,
            "height": rng.normal(np.where(sex == "Female", 165, 178), 7),
            "role": np.where(sex == "Female", "Wife", "Husband"),
        }
    )
    X.loc[:9, "height"] = np.nan
    proxies = find_proxies(X, protected="sex", random_state=0).set_index("column")
    height = proxies.loc["height"]
    assert (height["kind"], height["measure"]) == ("numeric", "somers_d")
    assert height["association"] == pytest.approx(abs(2 * height["roc_auc"] - 1))
    assert height["association"] > 0.7 and height["proxy"]
    role = proxies.loc["role"]
    assert (role["kind"], role["measure"], role["association"]) == (
        "categorical",
        "cramers_v",
        pytest.approx(1.0),
    )
    assert role["exclusive_values"] == {"Female": ["Wife"], "Male": ["Husband"]}
    assert role["suggested_link"] == {"Female": "Wife", "Male": "Husband"}


def test_find_proxies_is_seeded():
    X = census()
    first = find_proxies(X, protected="sex", random_state=3, max_rows=500)
    second = find_proxies(X, protected="sex", random_state=3, max_rows=500)
    pd.testing.assert_frame_equal(first, second)


# -------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "coherence", [(0, 0.05), (10, 0.0), (10, 1.5), (10,), "strict", (True, 0.05)]
)
def test_bad_coherence_is_refused_by_fit(coherence):
    X = census(n=50)
    augmenter = CounterfactualAugmenter(protected="sex", coherence=coherence)
    message = re.escape(BAD_COHERENCE.format(value=coherence))
    with pytest.raises(ValueError, match=message):
        augmenter.fit(X)
    with pytest.raises(ValueError, match=message):
        find_proxies(X, protected="sex", coherence=coherence)


def test_find_proxies_errors_name_the_parameter():
    X = census(n=100)
    message = MISSING_COLUMN.format(
        param="protected", column="gender", available=list(X.columns)
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        find_proxies(X, protected="gender")
    with pytest.raises(ValueError, match=re.escape(message)):
        suggest_links(X, protected="gender")
    message = TOO_SMALL_INT.format(param="n_permutations", minimum=2, value=1)
    with pytest.raises(ValueError, match=re.escape(message)):
        find_proxies(X, protected="sex", n_permutations=1)
    message = NOT_POSITIVE_INT.replace("must be", "must be None or").format(
        param="max_rows", value=0
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        find_proxies(X, protected="sex", max_rows=0)
    one = X.assign(sex="Female")
    with pytest.raises(
        ValueError, match=re.escape(TOO_FEW_GROUPS.format(attribute="sex", n=1))
    ):
        find_proxies(one, protected="sex")
    with pytest.raises(
        ValueError,
        match=re.escape(TOO_MANY_GROUPS.format(attribute="income", n=100, most=50)),
    ):
        find_proxies(X, protected="income")


# --------------------------------------------------------------------- audit
def married_model(n=4000):
    """A sex-blind model that reads the household relationship, on biased labels."""
    from sklearn.compose import make_column_transformer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder
    from sklearn.tree import DecisionTreeClassifier

    X = census(n)
    y = ((X["sex"] == "Male") | (X["income"] > 60_000)).astype(int)
    model = make_pipeline(
        make_column_transformer(
            (OneHotEncoder(handle_unknown="ignore"), ["relationship"]),
            ("passthrough", ["income"]),
        ),
        DecisionTreeClassifier(max_depth=4, random_state=0),
    ).fit(X, y)
    return model, X, y


def test_audit_shows_twin_coherence_and_the_caveat_in_every_format():
    import html
    import json

    from skcounterfactual import audit

    model, X, y = married_model()
    with pytest.warns(IncoherentTwinWarning, match="'relationship'"):
        report = audit(model, X, y, protected="sex")
    found = report.attributes["sex"]
    married = int(X["relationship"].isin(["Husband", "Wife"]).sum())
    assert found.incoherent_twins == married
    assert found.incoherent_share == pytest.approx(married / len(X))
    assert found.flip_rate == 0.0  # the model reads the relationship, unchanged
    assert found.suggested_links == {"relationship": ROLE_LINK}
    assert list(found.incoherent_columns) == ["relationship"]
    assert found.proxies.loc[0, "column"] == "relationship"
    assert not found.proxies.loc[0, "linked"]
    caveat = (
        f"the flip rate is likely under-estimated: {married / len(X):.0%} of twins "
        "are combinations the data never holds"
    )
    assert found.caveat() == caveat
    assert report.to_frame().loc["sex", "incoherent_share"] == found.incoherent_share

    markdown = report.to_markdown()
    assert f"Caveat: {caveat} (see Twin coherence)." in markdown
    assert "### Twin coherence" in markdown
    assert (
        f"{married:,} of {len(X):,} twins ({married / len(X):.1%}) meet a "
        "combination the fit data (almost) never holds"
    ) in markdown
    assert f"| relationship | {ROLE_LINK!r} |" in markdown
    assert "| relationship | cramers v |" in markdown
    assert "Female: Wife; Male: Husband" in markdown

    page = report.to_html()
    assert html.escape(f"Caveat: {caveat} (see Twin coherence).") in page
    assert "<h3>Twin coherence</h3>" in page
    assert html.escape(repr(ROLE_LINK)) in page

    data = json.loads(report.to_json())["attributes"]["sex"]
    assert data["incoherent_twins"] == married
    assert data["incoherent_share"] == pytest.approx(married / len(X))
    assert data["suggested_links"] == {"relationship": ROLE_LINK}
    assert data["incoherent_columns"]["relationship"]["n_twins"] == married
    first = data["proxies"][0]
    assert (first["column"], first["proxy"], first["linked"]) == (
        "relationship",
        True,
        False,
    )
    assert first["exclusive_values"] == {"Female": ["Wife"], "Male": ["Husband"]}


def test_audit_with_the_suggested_links_has_no_caveat_and_flips():
    from skcounterfactual import audit

    model, X, y = married_model()
    augmenter = CounterfactualAugmenter(
        protected="sex", links=suggest_links(X, protected="sex")
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = audit(model, X, y, augmenter=augmenter)
    found = report.attributes["sex"]
    assert (found.incoherent_twins, found.caveat()) == (0, None)
    assert found.suggested_links == {} and found.incoherent_columns == {}
    assert found.proxies.set_index("column").loc["relationship", "linked"]
    assert found.flip_rate > 0.3  # the bias through the relationship shows
    assert "Caveat" not in report.to_markdown()
    assert "every twin is coherent" in report.to_markdown()


def test_audit_without_the_check_says_why():
    from skcounterfactual import audit
    from skcounterfactual._audit_coherence import NOT_CHECKED

    model, X, y = married_model(n=500)
    augmenter = CounterfactualAugmenter(protected="sex", coherence=None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        found = audit(model, X, y, augmenter=augmenter).attributes["sex"]
    assert found.incoherent_share is None and found.incoherent_twins is None
    assert found.undefined["incoherent_share"] == NOT_CHECKED
    assert found.caveat() is None
    # proxies and suggested links come from the audited rows
    assert found.suggested_links == {"relationship": ROLE_LINK}


def test_command_line_prints_the_caveat_and_reads_suggested_links_back(
    tmp_path, capsys
):
    import json
    import pickle

    from skcounterfactual.cli import main

    model, X, y = married_model(n=1000)
    model_path, data_path = tmp_path / "model.pkl", tmp_path / "data.csv"
    model_path.write_bytes(pickle.dumps(model))
    X.assign(label=y).to_csv(data_path, index=False)
    common = ["audit", "--model", str(model_path), "--data", str(data_path)]
    common += ["--protected", "sex", "--target", "label", "--allow-pickle"]
    with pytest.warns(IncoherentTwinWarning, match="'relationship'"):
        assert main([*common, "--json", str(tmp_path / "bare.json")]) == 0
    out = capsys.readouterr()
    assert "CAVEAT: sex: the flip rate is likely under-estimated: " in out.out
    result = json.loads((tmp_path / "bare.json").read_text())
    assert result["caveats"][0].startswith("sex: the flip rate is likely")
    links = result["attributes"]["sex"]["suggested_links"]
    assert links == {"relationship": ROLE_LINK}
    (tmp_path / "links.json").write_text(json.dumps(links))
    fixed = [*common, "--links", str(tmp_path / "links.json")]
    with warnings.catch_warnings(record=True) as caught:
        assert main([*fixed, "--json", str(tmp_path / "fixed.json")]) == 0
    assert not [w for w in caught if w.category is IncoherentTwinWarning]
    assert "CAVEAT" not in capsys.readouterr().out
    message = (
        f"--links {tmp_path / 'links.json'}: 'relation' is not a column of the data."
    )
    (tmp_path / "links.json").write_text(json.dumps({"relation": "resample"}))
    assert main([*fixed, "--json", str(tmp_path / "other.json")]) == 2
    assert message in capsys.readouterr().err
    fixed_result = json.loads((tmp_path / "fixed.json").read_text())
    assert fixed_result["caveats"] == []
    flip = fixed_result["attributes"]["sex"]["flip_rate"]
    assert flip > result["attributes"]["sex"]["flip_rate"] + 0.3


# ------------------------------------------------------------ loan scenario
def test_loan_couplings_keep_the_tutorial_columns_and_labels():
    from skcounterfactual.datasets import make_loan_applicants

    X, y = make_loan_applicants(3000, random_state=7)
    coupled, coupled_y = make_loan_applicants(3000, couplings=True, random_state=7)
    assert list(coupled.columns[10:]) == ["household_role", "neighbourhood"]
    pd.testing.assert_frame_equal(coupled.iloc[:, :10], X)
    pd.testing.assert_series_equal(coupled_y, y)
    married = coupled["household_role"].isin(["Husband", "Wife"])
    assert married.mean() == pytest.approx(0.5, abs=0.03)
    expected = np.where(coupled["gender"] == "Male", "Husband", "Wife")
    np.testing.assert_array_equal(
        coupled.loc[married, "household_role"], expected[married]
    )
    women = (coupled["gender"] == "Female").groupby(coupled["neighbourhood"]).mean()
    assert women["Northgate"] > 0.7 and women["Harbour"] < 0.35
    message = "couplings must be True or False; got couplings='yes'."
    with pytest.raises(ValueError, match=re.escape(message)):
        make_loan_applicants(10, couplings="yes")


def test_loan_couplings_are_found_and_fixed():
    from skcounterfactual.datasets import make_loan_applicants

    X, _ = make_loan_applicants(3000, couplings=True, random_state=0)
    links = {"gender_code": {"Male": 1, "Female": 0}, "first_name": "first_name"}
    links["title"] = "title"
    with pytest.warns(IncoherentTwinWarning, match="'household_role'") as caught:
        augmenter = CounterfactualAugmenter(
            protected="gender", links=links, random_state=0
        ).fit(X)
    assert len(caught) == 1
    assert augmenter.suggested_links_ == {
        "household_role": {"Female": {"Husband": "Wife"}, "Male": {"Wife": "Husband"}}
    }
    proxies = find_proxies(X, protected="gender", random_state=0).set_index("column")
    assert proxies.loc["neighbourhood", "proxy"]
    assert proxies.loc["neighbourhood", "exclusive_values"] == {}  # not exclusive
    assert not proxies.loc[["country", "income", "age"], "proxy"].any()


def test_a_continuous_attribute_is_not_checked():
    rng = np.random.default_rng(0)
    height = rng.normal(170, 10, 300).round(1)  # about 200 distinct values
    X = pd.DataFrame({"height": height, "size": np.where(height > 170, "L", "S")})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        augmenter = CounterfactualAugmenter(protected="height", n_twins=1).fit(X)
    assert augmenter.coherence_ == {}
    assert not augmenter.make_twins(X).provenance["incoherent"].any()
