"""
==========================================
Résumé screening: identical résumés, twins
==========================================

The experiment the Mimesis bias articles start from: send a screening model the
same résumés twice, once with male names and pronouns and once with female
ones, and compare how many of each it invites to an interview. Here the model
reads the résumé *text* (TF-IDF and a logistic regression), so a twin must
rewrite the text, not just a ``gender`` column. This example builds such twins
with a text link, measures flips against a placebo, and lets a grid search
prefer the model that cannot read gender.
"""

# %%
# Biased screening decisions
# --------------------------
#
# :func:`~skcounterfactual.datasets.make_resumes` writes synthetic résumés from
# Mimesis names, occupations, universities and skills. Past interview
# decisions followed a qualification score, but women needed a higher score
# than men.
from skcounterfactual.datasets import make_resumes

X_train, y_train = make_resumes(3000, random_state=0)
X_test, y_test = make_resumes(1000, random_state=1)
print(X_test.loc[0, "resume"])
y_train.groupby(X_train["gender"]).mean().round(3)

# %%
# A model that reads the résumé
# -----------------------------
#
# The model sees only the ``resume`` column, never ``gender``.
from sklearn.compose import make_column_transformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline


def screening_model(stop_words=None, C=3.0):
    return Pipeline(
        [
            (
                "text",
                make_column_transformer(
                    (TfidfVectorizer(stop_words=stop_words), "resume")
                ),
            ),
            ("model", LogisticRegression(C=C, max_iter=1000)),
        ]
    )


model = screening_model().fit(X_train, y_train)
print(f"test accuracy {model.score(X_test, y_test):.3f}")

# %%
# Text twins
# ----------
#
# A twin changes ``gender``, draws a first name of the other gender (from the
# names in the training data) and rewrites the résumé with the ``"text"``
# link: the candidate's name becomes the twin's, and every gendered word is
# swapped, keeping its case ("She", "her team", "praised her", "Ms.").
from skcounterfactual import CounterfactualAugmenter

augmenter = CounterfactualAugmenter(
    protected="gender",
    links={"first_name": "first_name", "resume": "text"},
    random_state=0,
).fit(X_train)
pair = augmenter.make_twins(X_test.head(1), include_original=True, placebo=False)
for kind, text in zip(pair.provenance["kind"], pair.X["resume"], strict=True):
    print(f"{kind}: {text}\n")

# %%
# The experiment: the same résumés as men and as women
# ----------------------------------------------------
#
# Every test résumé exists in a male and a female version: the original, and
# its twin. The model's interview rate on each set of 1,000 identical résumés:
import numpy as np


def interview_rates(model, X, augmenter):
    twins, provenance = augmenter.make_twins(X, placebo=False)
    own, twin = model.predict(X), model.predict(twins)
    rows = provenance["source_position"].to_numpy()
    is_male = (X["gender"] == "Male").to_numpy()[rows]
    as_man = np.where(is_male, own[rows], twin)
    as_woman = np.where(is_male, twin, own[rows])
    return as_man.mean(), as_woman.mean()


as_man, as_woman = interview_rates(model, X_test, augmenter)
print(f"invited as men: {as_man:.1%}, as women: {as_woman:.1%}")

# %%
# The same résumés, differing only in the candidate's name and pronouns, are
# invited far more often as men: the model learnt the bias of its training
# decisions, through words such as "she", "her", "Ms." and female first names.
#
# Flip rate and placebo
# ---------------------
#
# :func:`~skcounterfactual.audit` reports the share of candidates whose
# decision changes with the twin (the flip rate) next to the placebo rate:
# placebo twins keep the gender and draw another name of the same gender, in
# the columns and in the text. Their rate is the noise that a new name alone
# causes. ``text_changes`` says how the texts changed.
from skcounterfactual import audit

report = audit(model, X_test, y_test, augmenter=augmenter)
gender = report.attributes["gender"]
print(
    f"flip rate {gender.flip_rate:.1%}, placebo rate {gender.placebo_rate:.1%}, "
    f"difference {gender.flip_minus_placebo:+.1%}"
)
gender.text_changes

# %%
# A twin that leaves the text alone hides the bias: with only the
# ``first_name`` column linked, the résumé still names the woman and says
# "she". The model reads nothing but the text, so it sees the same résumé
# twice, and no decision changes.
names_only = CounterfactualAugmenter(
    protected="gender", links={"first_name": "first_name"}, random_state=0
).fit(X_train)
hidden = audit(model, X_test, y_test, augmenter=names_only).attributes["gender"]
print(f"flip rate without the text link: {hidden.flip_rate:.1%}")

# %%
# A search that prefers the model that cannot read gender
# -------------------------------------------------------
#
# A second candidate cannot read gender: its vectorizer drops every word the
# text link swaps (:meth:`~skcounterfactual.TextLink.words`) and the first
# names of the training data. :func:`~skcounterfactual.fairness_scoring`
# scores each candidate on accuracy, counterfactual flips (with the same text
# twins) and demographic parity in the same folds, and
# :func:`~skcounterfactual.most_accurate_within` refits the most accurate
# candidate that flips at most 1% of the decisions.
from sklearn.model_selection import GridSearchCV

from skcounterfactual import (
    TextLink,
    fairness_scoring,
    leaderboard,
    most_accurate_within,
)

blind_words = sorted(set(TextLink().words()) | set(X_train["first_name"].str.lower()))
search = GridSearchCV(
    screening_model(),
    {
        "text__tfidfvectorizer__stop_words": [None, blind_words],
        "model__C": [0.3, 3.0],
    },
    scoring=fairness_scoring(augmenter=augmenter),
    refit=most_accurate_within(max_flip_rate=0.01),
    cv=3,
).fit(X_train, y_train)
board = leaderboard(search)
stop_words = "text__tfidfvectorizer__stop_words"
board.insert(0, "reads gender", board.pop(stop_words).isna())
board.round(3)

# %%
# The candidates that read gender are the most accurate on the biased
# decisions, and flip many of them; those that cannot never flip, and the
# search refits the more accurate of them.
chosen = search.best_estimator_
blind_man, blind_woman = interview_rates(chosen, X_test, augmenter)
blind_report = audit(chosen, X_test, y_test, augmenter=augmenter)
print(
    f"chosen model: test accuracy {chosen.score(X_test, y_test):.3f}, flip rate "
    f"{blind_report.attributes['gender'].flip_rate:.1%}; invited as men: "
    f"{blind_man:.1%}, as women: {blind_woman:.1%}"
)

# %%
# Interview rates of the identical résumés
# ----------------------------------------
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(6, 3))
labels = ["reads the résumé as written", "cannot read gender"]
positions = np.arange(len(labels))
ax.bar(positions - 0.2, [as_man, blind_man], width=0.4, label="as men")
ax.bar(positions + 0.2, [as_woman, blind_woman], width=0.4, label="as women")
ax.set_xticks(positions, labels)
ax.set_ylabel("invited to interview")
ax.set_ylim(0, 1)
ax.legend()
fig.tight_layout()
plt.show()

# %%
# The model that cannot read gender invites the men's and the women's versions
# of each résumé alike. It is not fair by every measure: its training labels
# still favour men, and qualifications that differ between the groups in the
# data can carry that difference, which demographic parity in the leaderboard
# shows. Counterfactual twins answer one question: does the decision change
# when only the candidate's gender does?
