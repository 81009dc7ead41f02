"""Text twins: names and gendered words inside free text follow the twin."""

import functools
import json
import multiprocessing
import pickle
import re
import warnings
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.compose import make_column_transformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline, make_pipeline

from skcounterfactual import (
    CounterfactualAugmentedClassifier,
    CounterfactualAugmenter,
    TextLink,
    audit,
    cli,
    counterfactual_flip_rate,
    fairness_scoring,
    leaderboard,
    most_accurate_within,
)
from skcounterfactual._audit import TEXT_UNCHANGED
from skcounterfactual._lexicon import (
    LEXICON_ENTRY,
    LEXICON_TYPE,
    UNKNOWN_LEXICON_LOCALE,
)
from skcounterfactual._links import UNKNOWN_FIELD
from skcounterfactual._linkspec import FIELD_NAMES
from skcounterfactual._mimesis import gendered_pools
from skcounterfactual._text import BAD_NAMES, NOT_TEXT, TEXT_NEVER_CHANGES
from skcounterfactual.datasets import make_resumes

GENDERS = {"gender": ["Female", "Male"]}


def twin_texts(texts, link="text", gender="Female", **options):
    """The text of each row's twin, for rows of one gender and no name links."""
    X = pd.DataFrame({"gender": [gender] * len(texts), "note": texts})
    augmenter = CounterfactualAugmenter(
        protected="gender", values=GENDERS, links={"note": link}, **options
    ).fit(X)
    twins, provenance = augmenter.make_twins(X)
    return twins["note"].tolist(), provenance["text_substitutions"].tolist()


# ---------------------------------------------------------------------------
# Gendered words: a table of sentences
# ---------------------------------------------------------------------------
SENTENCES = [
    # subject, possessive and object pronouns
    ("She led her team.", "He led his team.", 2),
    ("We hired her.", "We hired him.", 1),
    ("We hired her as lead engineer.", "We hired him as lead engineer.", 1),
    ("I gave her the award.", "I gave him the award.", 1),
    ("Let her go home.", "Let him go home.", 1),
    (
        "We know her well and trust her judgement.",
        "We know him well and trust his judgement.",
        2,
    ),
    ("He spoke highly of her early work.", "She spoke highly of his early work.", 2),
    ("Her own idea won.", "His own idea won.", 1),
    ("Her, not him.", "Him, not her.", 2),
    (
        "He thanked his wife; the idea was his.",
        "She thanked her husband; the idea was hers.",
        4,
    ),
    ("Is the book hers?", "Is the book his?", 1),
    ("She taught herself Python.", "He taught himself Python.", 2),
    # capitalised and upper-case forms, punctuation around the words
    (
        "HER TEAM WON; SHE AND HER HUSBAND CHEERED.",
        "HIS TEAM WON; HE AND HIS WIFE CHEERED.",
        4,
    ),
    ("(she) [her] {his}!", "(he) [him] {hers}!", 3),
    ("She's here; he'd agree.", "He's here; she'd agree.", 2),
    ("She\u2019s here \u2014 her bag too.", "He\u2019s here \u2014 his bag too.", 2),
    ("\u201cShe\u201d, said her sister.", "\u201cHe\u201d, said his brother.", 3),
    # titles: "Miss" as a title, the verb "miss" left alone
    ("Ms. Lee and Mrs. Park met Mr. Cho.", "Mr. Lee and Mr. Park met Ms. Cho.", 3),
    ("Miss Lee will never miss a deadline.", "Mr Lee will never miss a deadline.", 1),
    ("Dear Madam,", "Dear Sir,", 1),
    # kinship and role words, plurals, possessives
    (
        "Her husband and their son visited his sister.",
        "His wife and their daughter visited her brother.",
        5,
    ),
    (
        "The chairman's speech to the businesswomen.",
        "The chairwoman's speech to the businessmen.",
        2,
    ),
    (
        "Women in tech; the men's team; my girlfriend.",
        "Men in tech; the women's team; my boyfriend.",
        3,
    ),
    ("She is an actress and a waitress.", "He is an actor and a waiter.", 3),
    ("Her father-in-law, her mother.", "His mother-in-law, his father.", 4),
    # words that merely contain a gendered word stay as they are
    (
        "The shepherd met the hermit in Sherwood.",
        "The shepherd met the hermit in Sherwood.",
        0,
    ),
    (
        "Other themes: heroism, Hermes, mankind, shelter.",
        "Other themes: heroism, Hermes, mankind, shelter.",
        0,
    ),
    ("", "", 0),
    ("I led the team.", "I led the team.", 0),
]


@functools.cache
def _table_twins():
    texts = [s for s, _, _ in SENTENCES]
    return twin_texts(texts)


@pytest.mark.parametrize("number", range(len(SENTENCES)))
def test_gendered_words_are_swapped_whole_keeping_case(number):
    text, expected, count = SENTENCES[number]
    twins, counts = _table_twins()
    assert twins[number] == expected
    assert counts[number] == count


def test_the_swap_is_the_same_from_male_to_female():
    texts = [s for s, _, _ in SENTENCES]
    assert twin_texts(texts, gender="Male") == _table_twins()


@given(
    st.lists(
        st.sampled_from(
            [
                "she",
                "He",
                "herself",
                "wife",
                "Husband",
                "sons",
                "Mr",
                "madam",
                "the",
                "hermit",
                "team",
                "led",
                ",",
                ".",
                "(",
                "chairwoman",
                "WOMEN",
            ]
        ),
        max_size=30,
    )
)
@settings(max_examples=60)
def test_a_twin_of_a_twin_gives_back_the_text(words):
    """Away from words with two or one-way counterparts ("her", "him", "Mrs"),
    a swap is its own inverse."""
    text = " ".join(words)
    once, _ = twin_texts([text])
    twice, _ = twin_texts(once, gender="Male")
    assert twice == [text]


# ---------------------------------------------------------------------------
# User lexicons
# ---------------------------------------------------------------------------
def test_a_user_lexicon_extends_the_default():
    link = TextLink(lexicon={"steward": "stewardess", "Sensei": "senpai"})
    texts, counts = twin_texts(
        ["She was a steward; STEWARDESS; Sensei Kim; a sensei."], link=link
    )
    assert texts == ["He was a stewardess; STEWARD; Senpai Kim; a sensei."]
    assert counts == [4]


def test_a_user_lexicon_replaces_the_default():
    link = TextLink(
        lexicon={"hij": "zij", "haar": ("zijn", "hem")},
        replace_default=True,
        locale="nl",
    )
    texts, _ = twin_texts(["Hij zag haar fiets en belde haar. She stays."], link=link)
    assert texts == ["Zij zag zijn fiets en belde hem. She stays."]


def test_a_word_mapped_to_itself_is_not_swapped():
    link = TextLink(lexicon={"female": "female", "male": "male"})
    texts, _ = twin_texts(["She chairs the female founders group."], link=link)
    assert texts == ["He chairs the female founders group."]


def test_words_lists_every_swapped_word():
    words = TextLink(lexicon={"steward": "stewardess"}).words()
    assert {
        "she",
        "he",
        "her",
        "his",
        "him",
        "hers",
        "mr",
        "miss",
        "stewardess",
    } <= set(words)
    assert words == sorted(words)
    assert "the" not in words


def test_text_link_repr_and_equality():
    assert repr(TextLink()) == "TextLink()"
    link = TextLink(lexicon={"a": "b"}, names=None)
    assert repr(link) == "TextLink(lexicon={'a': 'b'}, names=None)"
    assert link == TextLink(lexicon={"a": "b"}, names=None)
    assert link != TextLink()


@pytest.mark.parametrize(
    ("link", "error", "message"),
    [
        (
            TextLink(locale="de"),
            ValueError,
            UNKNOWN_LEXICON_LOCALE.format(locale="de", allowed=["en"]),
        ),
        (
            TextLink(lexicon=["he", "she"]),
            TypeError,
            LEXICON_TYPE.format(kind="list", value=["he", "she"]),
        ),
        (
            TextLink(lexicon={"chair person": "chair"}),
            ValueError,
            LEXICON_ENTRY.format(key="chair person", value="chair"),
        ),
        (
            TextLink(lexicon={"her": ("his", "him", "hers")}),
            ValueError,
            LEXICON_ENTRY.format(key="her", value=("his", "him", "hers")),
        ),
        (
            TextLink(replace_default="yes"),
            ValueError,
            "TextLink(replace_default=...) must be True or False, got 'yes'.",
        ),
    ],
)
def test_bad_text_links_name_the_parameter(link, error, message):
    with pytest.raises(error, match=re.escape(message)):
        twin_texts(["She left."], link=link)


# ---------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def resumes():
    X, y = make_resumes(1200, random_state=0)
    return X, y


RESUME_LINKS = {"first_name": "first_name", "resume": "text"}


def _whole_word(name, text):
    return re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text) is not None


def test_a_twin_text_names_match_its_name_columns(resumes):
    X, _ = resumes
    augmenter = CounterfactualAugmenter(
        protected="gender",
        links={"first_name": "first_name", "last_name": "last_name", "resume": "text"},
        random_state=0,
    ).fit(X)
    rows = X.head(200)
    twin_set = augmenter.make_twins(rows, placebo=True)
    source = rows.iloc[twin_set.provenance["source_position"].to_numpy()]
    checked = 0
    for old, new, text in zip(
        source[["first_name", "last_name"]].itertuples(index=False),
        twin_set.X[["first_name", "last_name"]].itertuples(index=False),
        twin_set.X["resume"],
        strict=True,
    ):
        for before, after in zip(old, new, strict=True):
            assert _whole_word(after, text)
            if before != after and before not in after.split():
                assert not _whole_word(before, text), (before, after, text)
                checked += 1
    assert checked > 300


def test_full_names_and_their_parts_are_replaced():
    X = pd.DataFrame(
        {
            "gender": ["Female", "Male"],
            "full_name": ["Anna Smith", "Tom Baker"],
            "note": ["Anna Smith (ANNA SMITH) met Ms Smith; Annabel stayed.", "Tom."],
        }
    )
    twins = (
        CounterfactualAugmenter(
            protected="gender",
            links={"full_name": "full_name", "note": "text"},
            placebo=False,
            random_state=0,
        )
        .fit(X)
        .make_twins(X)
        .X
    )
    first, last = twins.loc[0, "full_name"].split()
    assert twins.loc[0, "note"] == (
        f"{first} {last} ({first.upper()} {last.upper()}) met Mr {last}; "
        "Annabel stayed."
    )


def test_a_name_that_is_a_lexicon_word_is_replaced_as_a_name():
    X = pd.DataFrame(
        {
            "gender": ["Female", "Male"],
            "first_name": ["Lady", "Tom"],
            "note": ["Lady Brown is a lady; Lady's team.", "Tom is a gentleman."],
        }
    )
    twins = (
        CounterfactualAugmenter(
            protected="gender",
            links={"first_name": "first_name", "note": "text"},
            placebo=False,
            random_state=0,
        )
        .fit(X)
        .make_twins(X)
        .X
    )
    assert twins.loc[0, "first_name"] == "Tom"
    assert twins.loc[0, "note"] == "Tom Brown is a gentleman; Tom's team."
    assert twins.loc[1, "note"] == "Lady is a lady."


def test_placebo_text_keeps_the_group(resumes):
    X, _ = resumes
    augmenter = CounterfactualAugmenter(
        protected="gender", links=RESUME_LINKS, source="mimesis", random_state=0
    ).fit(X)
    rows = X.head(100)
    twin_set = augmenter.make_twins(rows, include_original=True, placebo=True)
    frame = twin_set.to_frame()
    placebo = frame[frame["kind"] == "placebo"]
    original = frame[frame["kind"] == "original"].loc[placebo.index]
    female, male = gendered_pools("en", "first_name")
    pools = {"Female": set(female), "Male": set(male)}
    pronouns = re.compile(r"\b(?:she|he|her|his|him|herself|himself|Ms|Mr)\b", re.I)
    for (_, row), (_, before) in zip(
        placebo.iterrows(), original.iterrows(), strict=True
    ):
        assert row["first_name"] in pools[row["gender"]]
        assert row["gender"] == before["gender"]
        assert pronouns.findall(row["resume"]) == pronouns.findall(before["resume"])
        assert _whole_word(row["first_name"], row["resume"])
        expected = before["resume"].replace(before["first_name"], row["first_name"])
        assert row["resume"] == expected
    assert (placebo["first_name"] != original["first_name"]).mean() > 0.9


def test_placebo_twins_without_name_links_are_not_built():
    X = pd.DataFrame({"gender": ["Female", "Male"], "note": ["She ran.", "He ran."]})
    twin_set = (
        CounterfactualAugmenter(protected="gender", links={"note": "text"})
        .fit(X)
        .make_twins(X)
    )
    assert twin_set.provenance["kind"].tolist() == ["twin", "twin"]


def test_a_text_link_replaces_names_for_any_attribute():
    X = pd.DataFrame(
        {
            "country": ["Germany", "Japan"],
            "sex": ["male", "female"],
            "first_name": ["Jonas", "Yui"],
            "note": ["Jonas, he said.", "Yui wrote it herself."],
        }
    )
    twins = (
        CounterfactualAugmenter(
            protected="country",
            links={"first_name": "first_name", "note": "text"},
            locales={"country": {"Germany": "de", "Japan": "ja"}},
            genders={"sex": {"male": "male", "female": "female"}},
            source="mimesis",
            placebo=False,
            random_state=0,
        )
        .fit(X)
        .make_twins(X)
        .X
    )
    assert twins.loc[0, "note"] == f"{twins.loc[0, 'first_name']}, he said."
    assert twins.loc[1, "note"] == f"{twins.loc[1, 'first_name']} wrote it herself."
    assert twins.loc[1, "first_name"] in gendered_pools("de", "first_name")[0]


def test_missing_texts_are_left_alone_and_dtypes_kept():
    X = pd.DataFrame(
        {
            "gender": ["Female", "Male", "Female"],
            "note": pd.array(["She ran.", None, "Her turn."], dtype="str"),
            "memo": pd.Series(["her memo", np.nan, "she"], dtype=object),
        }
    )
    twin_set = (
        CounterfactualAugmenter(
            protected="gender", links={"note": "text", "memo": "text"}
        )
        .fit(X)
        .make_twins(X)
    )
    assert twin_set.X.dtypes.equals(X.dtypes)
    assert twin_set.X["note"].tolist()[0] == "He ran."
    assert pd.isna(twin_set.X["note"].iloc[1]) and pd.isna(twin_set.X["memo"].iloc[1])
    assert twin_set.X["memo"].tolist()[2] == "he"
    assert twin_set.provenance["text_substitutions"].tolist() == [2, 0, 2]
    assert twin_set.unseen_values == {}
    assert not twin_set.provenance["unseen"].any()


def test_provenance_counts_are_missing_where_no_text_link_applies():
    X = pd.DataFrame(
        {
            "gender": ["Female", "Male"],
            "age": [30, 40],
            "note": ["She ran.", "He ran."],
        }
    )
    twin_set = (
        CounterfactualAugmenter(
            protected=["gender", "age"],
            links={"gender": {"note": "text"}, "age": {}},
        )
        .fit(X)
        .make_twins(X, include_original=True)
    )
    provenance = twin_set.provenance
    assert str(provenance["text_substitutions"].dtype) == "Int64"
    counts = provenance["text_substitutions"]
    kind, attribute = provenance["kind"], provenance["attribute"]
    assert counts[(kind == "twin") & (attribute == "gender")].tolist() == [1, 1]
    assert counts[(kind == "twin") & (attribute == "age")].isna().all()
    assert counts[kind == "original"].isna().all()


def test_a_text_can_follow_two_attributes():
    X = pd.DataFrame(
        {
            "gender": ["Female", "Male"],
            "country": ["Germany", "Japan"],
            "first_name": ["Anna", "Haruto"],
            "last_name": ["Schmidt", "Sato"],
            "note": ["Anna Schmidt: she leads.", "Haruto Sato: he leads."],
        }
    )
    augmenter = CounterfactualAugmenter(
        protected=["gender", "country"],
        links={
            "gender": {"first_name": "first_name", "note": "text"},
            "country": {"last_name": "last_name", "note": "text"},
        },
        locales={"country": {"Germany": "de", "Japan": "ja"}},
        source="mimesis",
        intersectional="both",
        placebo=False,
        random_state=0,
    ).fit(X)
    assert augmenter.factors_["gender & country"]["linked"] == [
        "first_name",
        "note",
        "last_name",
        "note",
    ]
    twins, provenance = augmenter.make_twins(X)
    for (_, row), attribute in zip(
        twins.iterrows(), provenance["attribute"], strict=True
    ):
        pronoun = "he" if row["gender"] == "Male" else "she"
        assert (
            row["note"] == f"{row['first_name']} {row['last_name']}: {pronoun} leads."
        )
        assert attribute in ("gender", "country", "gender & country")


@pytest.mark.parametrize(
    ("links", "kwargs", "error", "message"),
    [
        (
            {"note": "text"},
            {"protected": "age"},
            ValueError,
            TEXT_NEVER_CHANGES.format(column="note", attribute="age"),
        ),
        (
            {"age_text": "text"},
            {"protected": "gender"},
            ValueError,
            NOT_TEXT.format(column="age_text", kind="int", value=30),
        ),
        (
            {"note": TextLink(names=["first_name"])},
            {"protected": "gender"},
            ValueError,
            BAD_NAMES.format(
                column="note", names=["first_name"], attribute="gender", linked=[]
            ),
        ),
        (
            {"note": "txt"},
            {"protected": "gender"},
            ValueError,
            UNKNOWN_FIELD.format(column="note", field="txt", allowed=list(FIELD_NAMES)),
        ),
        (
            {"gender": {"note": "text"}, "age": {"note": "first_name"}},
            {"protected": ["gender", "age"]},
            ValueError,
            "links['note'] is linked to both 'gender' and 'age'; a column can "
            "follow one attribute only (except a text column, when each of its "
            "links is a text link).",
        ),
    ],
)
def test_text_link_errors(links, kwargs, error, message):
    X = pd.DataFrame(
        {
            "gender": ["Female", "Male"],
            "age": [30, 40],
            "first_name": ["Anna", "Tom"],
            "note": ["She ran.", "He ran."],
            "age_text": pd.Series([30, "forty"], dtype=object),
        }
    )
    with pytest.raises(error, match=re.escape(message)):
        CounterfactualAugmenter(links=links, **kwargs).fit(X)


# ---------------------------------------------------------------------------
# Determinism: chunks and processes
# ---------------------------------------------------------------------------
def test_text_twins_do_not_depend_on_chunks(resumes):
    X, _ = resumes
    augmenter = CounterfactualAugmenter(
        protected="gender", links=RESUME_LINKS, random_state=3
    ).fit(X)
    whole = augmenter.make_twins(X, include_original=True)
    parts = [
        augmenter.make_twins(X.iloc[start : start + 97], include_original=True)
        for start in range(0, len(X), 97)
    ]
    pd.testing.assert_frame_equal(pd.concat([p.X for p in parts]), whole.X)
    provenance = pd.concat([p.provenance for p in parts])
    pd.testing.assert_series_equal(
        provenance["text_substitutions"], whole.provenance["text_substitutions"]
    )
    shuffled = X.sample(frac=1.0, random_state=0)
    again = augmenter.make_twins(shuffled, include_original=True)
    pd.testing.assert_frame_equal(
        again.X.sort_index(kind="stable"), whole.X.sort_index(kind="stable")
    )


def build_text_twins(payload):
    augmenter, X = pickle.loads(payload)
    twin_set = augmenter.make_twins(X, include_original=True, placebo=True)
    return pickle.dumps((twin_set.X, twin_set.provenance))


def test_text_twins_built_in_a_spawned_process_equal_twins_built_here(resumes):
    X, _ = resumes
    rows = X.head(300)
    augmenter = CounterfactualAugmenter(
        protected="gender", links=RESUME_LINKS, random_state=5
    ).fit(X)
    payload = pickle.dumps((augmenter, rows))
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        remote = pickle.loads(pool.submit(build_text_twins, payload).result())
    local = augmenter.make_twins(rows, include_original=True, placebo=True)
    pd.testing.assert_frame_equal(remote[0], local.X)
    pd.testing.assert_frame_equal(remote[1], local.provenance)
    assert (local.X["resume"] != rows["resume"].iloc[0]).any()


# ---------------------------------------------------------------------------
# Models: a text model that reads gender flips, one that cannot does not
# ---------------------------------------------------------------------------
def text_model(stop_words=None):
    return make_pipeline(
        make_column_transformer((TfidfVectorizer(stop_words=stop_words), "resume")),
        LogisticRegression(max_iter=1000),
    )


def blind_words(X):
    return sorted(set(TextLink().words()) | set(X["first_name"].str.lower()))


@pytest.fixture(scope="module")
def models(resumes):
    X, y = resumes
    return text_model().fit(X, y), text_model(blind_words(X)).fit(X, y)


@pytest.fixture(scope="module")
def test_rows():
    return make_resumes(400, random_state=1)


def test_a_tfidf_model_trained_on_biased_resumes_flips(models, resumes, test_rows):
    X, _ = resumes
    plain, blind = models
    X_test, _ = test_rows
    augmenter = CounterfactualAugmenter(
        protected="gender", links=RESUME_LINKS, random_state=0
    ).fit(X)
    plain_rate = counterfactual_flip_rate(plain, X_test, augmenter=augmenter)
    blind_rate = counterfactual_flip_rate(blind, X_test, augmenter=augmenter)
    assert plain_rate > 0.4
    assert blind_rate == 0.0
    # without the text link, the twins keep "she" and the model looks fairer
    names_only = CounterfactualAugmenter(
        protected="gender", links={"first_name": "first_name"}, random_state=0
    ).fit(X)
    assert (
        counterfactual_flip_rate(plain, X_test, augmenter=names_only) < plain_rate / 2
    )


def test_flip_rate_does_not_depend_on_the_chunk_size(models, resumes, test_rows):
    X, _ = resumes
    plain, _ = models
    X_test, _ = test_rows
    augmenter = CounterfactualAugmenter(
        protected="gender", links=RESUME_LINKS, random_state=0
    ).fit(X)
    rates = {
        chunk: counterfactual_flip_rate(
            plain, X_test, augmenter=augmenter, chunk_size=chunk
        )
        for chunk in (37, 400)
    }
    assert rates[37] == rates[400] > 0.4


def test_the_audit_reports_how_texts_changed(models, resumes, test_rows):
    X, _ = resumes
    plain, _ = models
    X_test, y_test = test_rows
    augmenter = CounterfactualAugmenter(
        protected="gender", links=RESUME_LINKS, random_state=0
    ).fit(X)
    report = audit(plain, X_test, y_test, augmenter=augmenter)
    found = report.attributes["gender"]
    changes = found.text_changes
    assert changes["twins"] == 400
    assert changes["twins_unchanged"] == 0
    assert changes["rows_changed_share"] == 1.0
    assert changes["mean_substitutions"] > 10
    assert changes["flip_rate_text_changed"] == found.flip_rate
    assert changes["placebo_changed_share"] == 1.0
    assert json.loads(report.to_json())["attributes"]["gender"]["text_changes"] == (
        changes
    )
    assert "Text: rewritten for 100.0% of rows" in report.to_markdown()
    assert "Text: rewritten for 100.0% of rows" in report.to_html()
    assert "\u2192 He" in report.to_markdown()  # the evidence shows swapped words


def test_the_audit_warns_when_most_texts_do_not_change(models, resumes, test_rows):
    X, _ = resumes
    plain, _ = models
    X_test, _ = test_rows
    first_person = X_test.assign(resume="I am an engineer. I led a team.")
    augmenter = CounterfactualAugmenter(
        protected="gender", links=RESUME_LINKS, random_state=0
    ).fit(X)
    message = TEXT_UNCHANGED.format(unchanged=400, twins=400, name="gender")
    with pytest.warns(UserWarning, match=re.escape(message)):
        report = audit(plain, first_person, augmenter=augmenter)
    changes = report.attributes["gender"].text_changes
    assert changes["twins_unchanged"] == 400
    assert changes["rows_changed_share"] == 0.0
    assert changes["flip_rate_text_changed"] is None
    assert "400 of 400 twins needed none" in report.to_markdown()


def test_audits_without_text_links_have_no_text_changes(models, test_rows):
    _, blind = models
    X_test, _ = test_rows
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = audit(blind, X_test, protected="gender")
    assert report.attributes["gender"].text_changes is None
    assert "Text:" not in report.to_markdown()


def test_a_search_prefers_the_model_that_cannot_read_gender(resumes):
    X, y = resumes
    X, y = X.head(600), y.head(600)
    augmenter = CounterfactualAugmenter(
        protected="gender", links=RESUME_LINKS, random_state=0
    ).fit(X)
    pipe = Pipeline(
        [
            ("text", make_column_transformer((TfidfVectorizer(), "resume"))),
            ("model", LogisticRegression(max_iter=1000)),
        ]
    )
    search = GridSearchCV(
        pipe,
        {"text__tfidfvectorizer__stop_words": [None, blind_words(X)]},
        scoring=fairness_scoring(augmenter=augmenter),
        refit=most_accurate_within(max_flip_rate=0.05),
        cv=3,
    ).fit(X, y)
    flips = 1 - search.cv_results_["mean_test_counterfactual_flip"]
    assert flips[0] > 0.4 and flips[1] == 0.0
    assert search.best_params_["text__tfidfvectorizer__stop_words"] is not None
    board = leaderboard(search)
    assert len(board) == 2


def test_augmented_training_data_has_rewritten_texts(resumes):
    X, y = resumes
    X, y = X.head(300), y.head(300)
    augmenter = CounterfactualAugmenter(
        protected="gender", links=RESUME_LINKS, random_state=0
    )
    X_out, y_out = augmenter.fit_resample(X, y)
    assert len(X_out) == 600
    twins = X_out.iloc[300:]
    for first, text in zip(twins["first_name"], twins["resume"], strict=True):
        assert _whole_word(first, text)
    model = CounterfactualAugmentedClassifier(text_model(), augmenter).fit(X, y)
    assert counterfactual_flip_rate(model, X, augmenter=augmenter) < 0.1


def test_the_command_line_links_a_text_column(
    models, resumes, test_rows, tmp_path, capsys
):
    import skops.io as skops_io

    X, _ = resumes
    plain, _ = models
    X_test, _ = test_rows
    model_path = tmp_path / "plain.skops"
    skops_io.dump(plain, model_path)
    X_test.to_csv(tmp_path / "resumes.csv", index=False)
    trusted = [
        arg
        for t in skops_io.get_untrusted_types(file=model_path)
        for arg in ("--trust", t)
    ]
    code = cli.main(
        [
            "audit",
            "--model",
            str(model_path),
            "--data",
            str(tmp_path / "resumes.csv"),
            "--protected",
            "gender",
            "--link",
            "first_name=first_name",
            "--link",
            "resume=text",
            *trusted,
            "--max-flip-rate",
            "0.05",
            "--json",
            str(tmp_path / "result.json"),
        ]
    )
    out, _ = capsys.readouterr()
    assert code == 1, out
    result = json.loads((tmp_path / "result.json").read_text())
    gender = result["attributes"]["gender"]
    assert gender["flip_rate"] > 0.4
    assert gender["text_changes"]["rows_changed_share"] == 1.0
    assert "Text: rewritten for 100.0% of rows" in out


# ---------------------------------------------------------------------------
# The vectorised swap against a plain re.sub with a callback
# ---------------------------------------------------------------------------
def _forms(word):
    capital = word[:1].upper() + word[1:]
    if word != word.lower():
        return {"capital": capital, "upper": word.upper()}
    return {"lower": word, "capital": capital, "upper": word.upper()}


def _written(word, form):
    if form == "upper":
        return word.upper()
    return word[:1].upper() + word[1:] if form == "capital" else word


@functools.cache
def _reference():
    words, ambiguous, followers, adjectives = TextLink().resolve()
    table = {}
    entries = [(k, (v, v)) for k, v in words.items()] + list(ambiguous.items())
    for key, (noun, other) in entries:
        for form, written in _forms(key).items():
            table[written] = (_written(noun, form), _written(other, form))
    follower_forms = {f for w in followers for f in _forms(w).values()}
    adjective_forms = {f for w in adjectives for f in _forms(w).values()}
    alternation = "|".join(sorted(map(re.escape, table), key=len, reverse=True))
    pattern = re.compile(rf"(?<!\w)(?:{alternation})(?!\w)")
    following = re.compile(r"(\s{1,4})(\w+)")

    def replace(match):
        noun, other = table[match.group()]
        after = following.match(match.string, match.end())
        if noun == other or after is None:
            return other
        word = after.group(2)
        adverb = len(word) > 4 and word[-2:].lower() == "ly"
        adverb &= word not in adjective_forms
        return other if word in follower_forms or adverb else noun

    return pattern, replace


PIECES = [
    "she",
    "She",
    "SHE",
    "her",
    "Her",
    "HER",
    "his",
    "His",
    "him",
    "hers",
    "Mr",
    "Ms",
    "Mrs",
    "miss",
    "Miss",
    "wife",
    "the",
    "team",
    "early",
    "quickly",
    "as",
    "The",
    "well",
    "hermit",
    "x",
    "Zoë",
    "\u00e9t\u00e9",
    "42",
    "_",
    " ",
    "  ",
    "     ",
    "\n",
    "\t",
    ".",
    ",",
    "'",
    "\u2019",
    "\u2014",
    "-",
    "(",
    "\U0001f600",
    "\u00a0",
]


@given(
    st.lists(st.lists(st.sampled_from(PIECES), max_size=12).map("".join), max_size=6)
)
@settings(max_examples=150)
def test_the_vectorised_swap_equals_a_plain_regex(texts):
    from skcounterfactual._swap import swap_words, word_table

    words, ambiguous, followers, adjectives = TextLink().resolve()
    table = word_table(
        tuple(words.items()),
        tuple((k, tuple(v)) for k, v in ambiguous.items()),
        tuple(followers),
        tuple(adjectives),
    )
    pattern, replace = _reference()
    swapped, counts = swap_words(texts, table)
    assert swapped == [pattern.sub(replace, t) for t in texts]
    assert counts.tolist() == [len(pattern.findall(t)) for t in texts]
