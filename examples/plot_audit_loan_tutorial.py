"""
=========================================
The loan tutorial: clones, flips, audit
=========================================

A popular hands-on tutorial trains a loan-approval model on biased historical
decisions, builds three pairs of "clones" that differ only by gender, and shows
that the male clones are approved while the female clones are denied. This
example does the same with skcounterfactual, then goes further: every
applicant of a test set gets a twin, and the audit turns the flips into a rate
with a confidence interval, a direction test and evidence.
"""

# %%
# Biased historical decisions
# ---------------------------
#
# :func:`~skcounterfactual.datasets.make_loan_applicants` generates the
# tutorial's scenario: applicants with a name, a title, a gender, an encoded
# gender, an income and more. In the historical decisions every man was
# approved, and a woman only when her income exceeded 80,000.
from skcounterfactual.datasets import make_loan_applicants

X_train, y_train = make_loan_applicants(2000, random_state=0)
X_train[["first_name", "title", "gender", "gender_code", "income"]].head()

# %%
y_train.groupby(X_train["gender"]).mean().rename("approval rate")

# %%
# The tutorial's model
# --------------------
#
# A decision tree of depth 3 on the encoded gender and the income. The pipeline
# takes the whole frame and selects its two columns, so the same model can be
# given twins with all their columns.
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.tree import DecisionTreeClassifier

select = ColumnTransformer([("keep", "passthrough", ["gender_code", "income"])])
tree = DecisionTreeClassifier(max_depth=3, random_state=0)
model = Pipeline([("select", select), ("tree", tree)]).fit(X_train, y_train)

# %%
# The clone table
# ---------------
#
# Three applicants with moderate incomes (40,000 to 70,000), as in the
# tutorial. :class:`~skcounterfactual.CounterfactualAugmenter` builds their
# twins: the gender changes, ``gender_code`` follows through a value map, and
# the first name and title are drawn anew for the twin's gender (from names
# that applicants of that gender have in the training data). Everything else
# stays identical. ``include_original=True`` puts each applicant right before
# their twin, and ``placebo=False`` leaves out the placebo twins (same gender,
# new name) that the augmenter adds by default when names are drawn.
import numpy as np

from skcounterfactual import CounterfactualAugmenter

profiles, _ = make_loan_applicants(3, random_state=7)
profiles["income"] = np.random.default_rng(7).integers(40_000, 70_001, size=3)

links = {
    "gender_code": {"Male": 1, "Female": 0},
    "first_name": "first_name",
    "title": "title",
}
augmenter = CounterfactualAugmenter(protected="gender", links=links, random_state=0)
augmenter.fit(X_train)
clones = augmenter.make_twins(profiles, include_original=True, placebo=False).X

decision = np.where(model.predict(clones) == 1, "Approved", "Denied")
clones[["applicant_id", "first_name", "title", "gender", "income"]].assign(
    decision=decision
)

# %%
# The same applicant, with the same identifier and income, is approved as a man
# and denied as a woman.
#
# From three clones to a flip rate
# --------------------------------
#
# Three pairs make an anecdote. The flip rate is the share of applicants,
# over a whole test set, whose decision changes when only gender (and what is
# linked to it) changes. The same augmenter, passed as ``augmenter=``, makes
# the twins of the test applicants: it is fitted on the training data, so it
# is used as it is, and its twins draw names that the training data hold.
from skcounterfactual import counterfactual_flip_rate

X_test, y_test = make_loan_applicants(1000, random_state=1)
rate = counterfactual_flip_rate(model, X_test, augmenter=augmenter)
print(f"{rate:.1%} of the test applicants get another decision as the other gender")

# %%
# The audit
# ---------
#
# :func:`~skcounterfactual.audit` adds what a report needs: a confidence
# interval, a placebo rate (the flips that new names alone cause; zero here,
# since this model does not read names), which way the decisions move, with a
# paired test, Fairlearn's group metrics and the flipped pairs as evidence.
from skcounterfactual import audit

report = audit(model, X_test, y_test, augmenter=augmenter)
gender = report.attributes["gender"]
low, high = gender.flip_rate_interval
print(f"flip rate {gender.flip_rate:.1%} (95% CI {low:.1%} to {high:.1%})")
print(f"placebo rate {gender.placebo_rate:.1%}")
print(f"demographic parity difference {gender.demographic_parity_difference:.3f}")

# %%
# Every flip goes the same way: as a man rather than a woman, an applicant is
# favoured in 583 pairs, and never the other way round.
gender.comparisons[
    ["value_a", "value_b", "only_a_favourable", "only_b_favourable", "favoured"]
]

# %%
# The first flipped pairs, with what each twin changed:
gender.evidence[
    ["row", "original", "new", "changes", "decision", "twin_decision"]
].head()

# %%
# The decision matrix crosses each applicant's decision with their twin's, by
# group: women's rows only gain as men, men's rows only lose as women.
import matplotlib.pyplot as plt

fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), layout="constrained")
report.plot_flip_rates(ax=axes[0])
report.plot_decision_matrix(ax=axes[1])
plt.show()

# %%
# The whole report
# ----------------
#
# In a notebook the report displays itself, as below. ``report.to_frame()``
# gives the summary as a table, ``report.to_markdown()`` and
# ``report.to_json()`` as text, and ``report.to_html("report.html")`` writes a
# self-contained page with the figures.
report
