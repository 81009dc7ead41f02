"""
=========================================
Age as a continuous protected attribute
=========================================

Age is protected, and data hold it as an exact number. Twinning a row on every
observed age builds dozens of twins per row and asks the model about jumps
that say little; grouping rows by exact age makes one group per year. This
example audits a model that refuses older applicants: twins at five quantiles
of age, groups by bins between them, and an ordinal summary of how the
decision moves as age goes up.
"""

# %%
# A model that prefers the young
# ------------------------------
#
# The historical decisions approved applicants under 45 with enough income.
# The model reads age and income.
from sklearn.compose import make_column_transformer
from sklearn.pipeline import make_pipeline
from sklearn.tree import DecisionTreeClassifier

from skcounterfactual import CounterfactualAugmenter, audit
from skcounterfactual.datasets import make_loan_applicants

X, _ = make_loan_applicants(2000, bias=0, random_state=3)
y = ((X["age"] < 45) & (X["income"] > 50_000)).astype(int)
model = make_pipeline(
    make_column_transformer(("passthrough", ["age", "income"])),
    DecisionTreeClassifier(max_depth=4, random_state=0),
).fit(X, y)

# %%
# Five ages, not every age
# ------------------------
#
# A numeric protected column with more than 20 distinct values gets five
# quantiles of the fit data as its domain (ages the data holds), and the
# audit bins the rows' own ages between them.
ages = CounterfactualAugmenter(protected="age").fit(X)
print("twin ages:", ages.domains_["age"])
print("bin edges:", ages.bins_["age"])

# %%
# The audit
# ---------
report = audit(model, X, y, augmenter=ages)
found = report.attributes["age"]
print(report)
found.group_metrics[["count", "selection_rate"]].round(3)

# %%
# How the decision moves as age goes up
# -------------------------------------
#
# Each person is evaluated at each of the five ages. Between consecutive ages:
# how many gain the approval (``n_up``) and how many lose it (``n_down``),
# with a sign test; the trend pools the steps.
print(found.trend)
found.ordinal[["value", "selection_rate", "n_up", "n_down", "p_value_midp"]]

# %%
# The page stays small
# --------------------
#
# Direction tables hold a line per bin and target age, groups a line per bin;
# pages show at most 30 lines of any table.
print(f"Markdown: {len(report.to_markdown()):,} characters")
print(f"{len(found.direction)} direction lines, {len(found.group_metrics)} groups")

# %%
# Given ages, or more quantiles, are one parameter away:
# ``values={"age": [25, 45, 65]}`` or ``values={"age": 9}``.
nine = CounterfactualAugmenter(protected="age", values={"age": 9}).fit(X)
nine_report = audit(model, X, y, augmenter=nine)
nine_report.attributes["age"].trend
