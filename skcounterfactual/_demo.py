"""The demo behind ``skcounterfactual demo``: the hands-on tutorial, end to end."""

import warnings

import numpy as np
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder
from sklearn.tree import DecisionTreeClassifier

from ._augmenter import CounterfactualAugmenter
from ._classifier import CounterfactualAugmentedClassifier
from ._coherence import IncoherentTwinWarning
from ._refit import most_accurate_within
from ._selection import fairness_scoring

LEADERBOARD_COLUMNS = ("accuracy", "flip_rate", "parity_difference")
PERCENT_COLUMNS = ("flip_rate_mean", "flip_rate_std")
LINKS = {
    "gender_code": {"Male": 1, "Female": 0},
    "first_name": "first_name",
    "title": "title",
}
HOUSEHOLD_LINK = {"Female": {"Husband": "Wife"}, "Male": {"Wife": "Husband"}}
COUPLED_LINKS = {**LINKS, "household_role": HOUSEHOLD_LINK}


def _columns(columns):
    return ColumnTransformer([("keep", "passthrough", columns)])


def candidates(depths=(2, 3, 5), links=None):
    """Return ``{name: estimator}``: gender-aware, gender-blind and augmented trees.

    ``links`` are the augmenter's (by default the gender code's value map).
    """
    links = {"gender_code": {"Male": 1, "Female": 0}} if links is None else links
    out = {}
    for depth in depths:
        tree = DecisionTreeClassifier(max_depth=depth, random_state=0)
        out[f"tree(depth={depth}) on gender_code+income"] = Pipeline(
            [("select", _columns(["gender_code", "income"])), ("tree", tree)]
        )
        out[f"tree(depth={depth}) on income only"] = Pipeline(
            [("select", _columns(["income"])), ("tree", tree)]
        )
        out[f"tree(depth={depth}) on gender_code+income, augmented"] = (
            CounterfactualAugmentedClassifier(
                estimator=Pipeline(
                    [("select", _columns(["gender_code", "income"])), ("tree", tree)]
                ),
                augmenter=CounterfactualAugmenter(
                    protected="gender", links=links, random_state=0
                ),
            )
        )
    return out


def clone_table(model, random_state):
    """Return the tutorial's table: three moderate-income profiles, both genders."""
    from ._profiles import make_profiles

    schema = {
        "id": "applicant_id",
        "protected": {"gender": ["Male", "Female"]},
        "columns": {"income": {"low": 40_000, "high": 70_000}},
        "links": LINKS,
    }
    clones = make_profiles(schema, n_profiles=3, random_state=random_state)
    decision = np.where(model.predict(clones) == 1, "Approved", "Denied")
    return clones[["applicant_id", "first_name", "title", "gender", "income"]].assign(
        predicted_approval=decision
    )


def coherent_twins(X, y, X_audit, y_audit):
    """Print how unlinked household roles hide the bias of a gender-blind model."""
    from ._audit import audit
    from ._proxies import find_proxies

    select = ColumnTransformer(
        [
            ("role", OneHotEncoder(handle_unknown="ignore"), ["household_role"]),
            ("keep", "passthrough", ["income"]),
        ]
    )
    tree = DecisionTreeClassifier(max_depth=3, random_state=0)
    blind = Pipeline([("select", select), ("tree", tree)]).fit(X, y)
    print(
        "\nTwins that make sense. The applicants also have a household role "
        "(Husband, Wife) and a neighbourhood. A tree that never reads gender, on "
        "household_role and income, audited with twins that change gender, "
        "gender_code, first_name and title only:"
    )
    bare = CounterfactualAugmenter(protected="gender", links=LINKS, random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", IncoherentTwinWarning)
        bare = bare.fit(X)
    for warning in caught:
        if warning.category is IncoherentTwinWarning:
            print(f"  IncoherentTwinWarning: {str(warning.message).split('. ')[0]}.")
    bare_audit = audit(blind, X_audit, y_audit, augmenter=bare).attributes["gender"]
    suggested = bare.suggested_links_
    fixed = CounterfactualAugmenter(
        protected="gender", links={**LINKS, **suggested}, random_state=0
    ).fit(X)
    fixed_audit = audit(blind, X_audit, y_audit, augmenter=fixed).attributes["gender"]
    print(
        f"  bare twins: flip rate {bare_audit.flip_rate:.1%}, "
        f"{bare_audit.incoherent_share:.0%} of the twins incoherent "
        f"(a woman who is a 'Husband', a man who is a 'Wife'): "
        f"{bare_audit.caveat()}."
    )
    print(f"  suggested links (augmenter.suggested_links_): {suggested!r}")
    print(
        f"  with them: flip rate {fixed_audit.flip_rate:.1%}, "
        f"{fixed_audit.incoherent_share:.0%} incoherent."
    )
    proxies = find_proxies(X, protected="gender", random_state=0)
    shown = proxies[proxies["proxy"]]
    print(
        "  Columns that reveal gender (find_proxies): "
        + ", ".join(
            f"{c} ({v:.2f})"
            for c, v in zip(shown["column"], shown["association"], strict=True)
        )
        + ". The neighbourhood is a proxy, not an impossible combination: "
        "all-else-equal twins keep it, so a model reading it is judged on what "
        "it does with gender alone."
    )


def n_steps(report_path=None):
    """Return how many times :func:`demo` calls ``progress``."""
    return 4 if report_path is None else 5


def demo(n_samples=2000, random_state=42, report_path=None, progress=print, write=None):
    """Run the demo: print the story, return ``(search, board, report)``.

    ``progress(message)`` is called before each of the :func:`n_steps` steps;
    ``write(path, text)``, when given, writes the HTML report instead of
    :meth:`AuditReport.to_html`.
    """
    from ._audit import audit
    from ._leaderboard import leaderboard
    from ._plotting import has_matplotlib
    from ._render import FIGURES_MISSING
    from .datasets import make_loan_applicants

    progress(f"generating {n_samples:,} biased historical loan decisions")
    X, y = make_loan_applicants(
        n_samples, bias=1.0, couplings=True, random_state=random_state
    )
    X_audit, y_audit = make_loan_applicants(
        1000, bias=1.0, couplings=True, random_state=random_state + 1
    )
    print(
        "Historical decisions: men approved, women only when income > 80,000. "
        f"{n_samples:,} applicants, approval rate {y.mean():.0%} "
        f"(men {y[X.gender == 'Male'].mean():.0%}, "
        f"women {y[X.gender == 'Female'].mean():.0%}).\n"
    )

    progress("training the tutorial's model: a depth-3 tree on gender and income")
    named = candidates(links=COUPLED_LINKS)
    tutorial = named["tree(depth=3) on gender_code+income"]
    tutorial = tutorial.fit(X, y)
    print("The tutorial's clones: identical applicants but for gender")
    print(clone_table(tutorial, random_state).to_string(index=False))
    print()

    progress(f"ranking {len(named)} candidates with GridSearchCV (3-fold)")
    pipeline = Pipeline([("model", tutorial)])
    grid = {"model": list(named.values())}
    twins = CounterfactualAugmenter(
        protected="gender", links=COUPLED_LINKS, random_state=0
    )
    search = GridSearchCV(
        pipeline,
        grid,
        scoring=fairness_scoring(augmenter=twins),
        refit=most_accurate_within(max_flip_rate=0.01),
        cv=3,
        error_score="raise",
    ).fit(X, y)
    names = list(named)
    board = leaderboard(search)
    board.insert(0, "candidate", [names[i] for i in board.index])
    print(
        "Leaderboard (accuracy, counterfactual flip rate, demographic parity "
        "difference; mean and std over the folds; flip rates in percent, as the "
        "audits below show them; refit: the candidate chosen):"
    )
    shown = [
        c
        for c in board.columns
        if c in ("candidate", "pareto", "refit") or c.startswith(LEADERBOARD_COLUMNS)
    ]
    table = board[shown].round(3)
    for column in PERCENT_COLUMNS:
        table[column] = [f"{v:.1%}" for v in board[column]]
    print(table.to_string(index=False))
    chosen = names[search.best_index_]
    rate = board.loc[search.best_index_, "flip_rate_mean"]
    print(
        f"\nChosen (most accurate with flip rate <= 1%): {chosen}, flip rate "
        f"{rate:.1%} over the folds\n"
    )

    progress("auditing the tutorial's model and the chosen one on fresh applicants")
    fitted = clone(twins).fit(X)  # the vocabulary of the training data
    before = audit(tutorial, X_audit, y_audit, augmenter=fitted)
    chosen_model = search.best_estimator_.named_steps["model"]
    after = audit(chosen_model, X_audit, y_audit, augmenter=fitted)
    print("Audit of the tutorial's model:")
    print(before.to_markdown())
    print("\nAudit of the chosen model:")
    print(after.to_markdown())
    coherent_twins(X, y, X_audit, y_audit)

    if report_path is not None:
        progress(f"writing the HTML report to {report_path}")
        if write is None:
            before.to_html(report_path)
        else:
            write(report_path, before.to_html())
        print(f"\nHTML report of the tutorial model's audit: {report_path}")
        if not has_matplotlib():
            print(FIGURES_MISSING)
    return search, board, before
