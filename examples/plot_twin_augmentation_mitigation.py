"""
=================================================
Mitigation: training with twins, before and after
=================================================

Counterfactual data augmentation adds the twins of the training rows to the
training set, each with its source row's label. Gender then stops predicting
the label, and the model stops using it. This example trains the loan
tutorial's model with and without augmentation, in an imbalanced-learn
pipeline and in a plain scikit-learn one, and audits both.
"""

# %%
# Biased training data
# --------------------
from skcounterfactual.datasets import make_loan_applicants

X_train, y_train = make_loan_applicants(2000, random_state=0)
X_test, y_test = make_loan_applicants(1000, random_state=1)

# %%
# What augmentation does to the data
# ----------------------------------
#
# :meth:`~skcounterfactual.CounterfactualAugmenter.fit_resample` returns the
# training rows followed by their twins, labels copied. In the original data,
# approval depends on gender; in the augmented data, every applicant appears
# as both genders with the same label, and the approval rates are equal. The
# twins are coherent: the gender code follows the gender, and the first name
# and title are drawn from those of the twin's gender (left unlinked, a man's
# twin would be a woman called "Mr.", and the augmenter would warn).
import pandas as pd

from skcounterfactual import CounterfactualAugmenter

links = {
    "gender_code": {"Male": 1, "Female": 0},
    "first_name": "first_name",
    "title": "title",
}
augmenter = CounterfactualAugmenter(protected="gender", links=links, random_state=0)
X_aug, y_aug = augmenter.fit_resample(X_train, y_train)
pd.DataFrame(
    {
        "original": y_train.groupby(X_train["gender"]).mean(),
        "augmented": y_aug.groupby(X_aug["gender"]).mean(),
    }
).rename_axis("approval rate by gender").round(3)

# %%
# Three models
# ------------
#
# The tutorial's depth-3 tree on gender code and income, trained on the
# original data; the same tree behind the augmenter in an
# ``imblearn.pipeline.Pipeline`` (which resamples only while fitting); and the
# same tree wrapped in
# :class:`~skcounterfactual.CounterfactualAugmentedClassifier`, which works in
# a plain scikit-learn ``Pipeline`` or ``GridSearchCV``.
from imblearn.pipeline import Pipeline as ImbPipeline
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.tree import DecisionTreeClassifier

from skcounterfactual import CounterfactualAugmentedClassifier


def select():
    """Keep the tutorial's two columns."""
    return ColumnTransformer([("keep", "passthrough", ["gender_code", "income"])])


def tree():
    """The tutorial's tree."""
    return DecisionTreeClassifier(max_depth=3, random_state=0)


models = {
    "original data": Pipeline([("select", select()), ("tree", tree())]),
    "imblearn pipeline": ImbPipeline(
        [("augment", augmenter), ("select", select()), ("tree", tree())]
    ),
    "augmented classifier": CounterfactualAugmentedClassifier(
        estimator=Pipeline([("select", select()), ("tree", tree())]),
        augmenter=augmenter,
    ),
}
for model in models.values():
    model.fit(X_train, y_train)

# %%
# Before and after
# ----------------
#
# Each model is audited on the same test applicants, with twins from the same
# augmenter (passed as ``augmenter=``; ``fit_resample`` fitted it on the
# training data, and a fitted augmenter is used as it is). Accuracy is
# measured against the historical, biased labels.
from skcounterfactual import audit

reports = {
    name: audit(model, X_test, y_test, augmenter=augmenter)
    for name, model in models.items()
}
results = {}
for name, report in reports.items():
    gender = report.attributes["gender"]
    results[name] = {
        "accuracy": models[name].score(X_test, y_test),
        "flip rate": gender.flip_rate,
        "flip rate (upper 95%)": gender.flip_rate_interval[1],
        "parity difference": gender.demographic_parity_difference,
    }
results = pd.DataFrame(results).T
results.round(3)

# %%
# Both augmented models have the same twins (same ``random_state``) and give the
# same tree. None of the test applicants flips, and the approval rates of men
# and women are now close. The accuracy drop is the disagreement with biased
# decisions: a model that stops discriminating must contradict them.
import matplotlib.pyplot as plt

fig, axes = plt.subplots(1, 2, figsize=(10, 3.4), layout="constrained", sharex=True)
reports["original data"].plot_selection_rates(ax=axes[0])
axes[0].set_title("Selection rate, trained on the original data")
reports["augmented classifier"].plot_selection_rates(ax=axes[1])
axes[1].set_title("Selection rate, trained with twins")
plt.show()

# %%
# The augmented tree in a search
# ------------------------------
#
# :class:`~skcounterfactual.CounterfactualAugmentedClassifier` is tuned like
# any estimator (``estimator__...`` and ``augmenter__...`` parameters), and can
# compete with unmitigated candidates in the same search.
from sklearn.model_selection import GridSearchCV

from skcounterfactual import fairness_scoring, leaderboard

search = GridSearchCV(
    Pipeline([("model", models["original data"])]),
    {"model": [models["original data"], models["augmented classifier"]]},
    scoring=fairness_scoring(augmenter=augmenter),
    refit="counterfactual_flip",
    cv=3,
    error_score="raise",
).fit(X_train, y_train)
leaderboard(search)[
    ["model", "accuracy_mean", "flip_rate_mean", "parity_difference_mean", "pareto"]
].round(3)
