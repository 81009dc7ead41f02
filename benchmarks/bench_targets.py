"""The performance targets: each ratio against its baseline, measured in one run.

Run: python benchmarks/bench_targets.py [--rows 1000000] [--repeat 3]

1. A 20-candidate GridSearchCV (cv=3, 5,000 applicants, decision trees) scored
   with ``fairness_scoring``, against the same search scored on accuracy alone
   (target <= 1.5x).
2. The flip scorer on a census-like table (40,000 rows, eight categorical
   columns of realistic cardinality in pandas' ``str`` dtype, a
   HistGradientBoosting pipeline), against the pipeline's own ``predict`` on
   the rows and on their prebuilt twins (target <= 1.2x).
3. A full ``audit`` at ``--rows`` rows (first names and titles linked, placebo
   twins included), against ``counterfactual_flip_rate`` on the same rows and
   links (target <= 3x).
4. The audit's peak memory above the loaded input, against the input frame's
   deep size (target <= 3x), in a fresh process: the kernel's peak resident
   size is reset just before the audit (``/proc/self/clear_refs``, Linux), and
   the peak (``VmHWM``) is read after it, minus the resident size before.
5. ``counterfactual_flip_rate`` with first-name and title links at ``--rows``
   rows, against ``pd.concat`` of the rows and their gender-swapped copy, the
   swap included (target <= 3x).

Each timing is the median of ``--repeat`` runs, the two sides of a ratio
alternating; ratios are of medians.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import textwrap
import time
import warnings

import numpy as np
import pandas as pd
import sklearn
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OrdinalEncoder
from sklearn.tree import DecisionTreeClassifier

from skcounterfactual import (
    CounterfactualAugmenter,
    audit,
    counterfactual_flip_rate,
    counterfactual_flip_score,
    fairness_scoring,
)
from skcounterfactual.datasets import make_loan_applicants

LINKS = {
    "gender_code": {"Male": 1, "Female": 0},
    "first_name": "first_name",
    "title": "title",
}
TARGETS = {"search": 1.5, "scorer": 1.2, "audit": 3.0, "memory": 3.0, "names": 3.0}


def paired(first, second, repeat):
    """Median wall times of two callables, run alternately ``repeat`` times."""
    times = ([], [])
    for _ in range(repeat):
        for i, function in enumerate((first, second)):
            start = time.perf_counter()
            function()
            times[i].append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


def report(name, label, baseline, measured, target):
    ratio = measured / baseline
    verdict = "met" if ratio <= target else "NOT met"
    print(
        f"{name}: {label}\n    baseline {baseline:8.3f} s   measured {measured:8.3f} s"
        f"   ratio {ratio:5.2f}x (target <= {target}x: {verdict})"
    )
    return ratio


# ------------------------------------------------------------------- 1 search
def bench_search(repeat):
    X, y = make_loan_applicants(5_000, random_state=3)
    with_gender = ColumnTransformer(
        [("keep", "passthrough", ["gender_code", "income", "age"])]
    )
    without = ColumnTransformer([("keep", "passthrough", ["income", "age"])])
    pipeline = Pipeline(
        [("select", with_gender), ("tree", DecisionTreeClassifier(random_state=0))]
    )
    grid = {"select": [with_gender, without], "tree__max_depth": range(1, 11)}
    augmenter = CounterfactualAugmenter(
        protected="gender",
        links={"gender_code": {"Male": 1, "Female": 0}, "title": "title"},
        random_state=0,
    )

    def search(scoring, refit):
        return GridSearchCV(pipeline, grid, scoring=scoring, refit=refit, cv=3).fit(
            X, y
        )

    base, fair = paired(
        lambda: search("accuracy", True),
        lambda: search(fairness_scoring(augmenter=augmenter), "accuracy"),
        repeat,
    )
    return report(
        "1. search", "fairness_scoring vs accuracy alone", base, fair, TARGETS["search"]
    )


# ------------------------------------------------------------------- 2 scorer
def census_like(n, seed):
    """Rows like a census extract: eight categorical columns, two numbers."""
    rng = np.random.default_rng(seed)
    sex = rng.choice(["Female", "Male"], n, p=[0.33, 0.67])
    columns = {
        "sex": sex,
        "workclass": rng.choice([f"work{i}" for i in range(9)], n),
        "education": rng.choice([f"edu{i}" for i in range(16)], n),
        "marital_status": rng.choice([f"marital{i}" for i in range(7)], n),
        "occupation": rng.choice([f"occ{i}" for i in range(15)], n),
        "race": rng.choice([f"race{i}" for i in range(5)], n),
        "native_country": rng.choice([f"country{i}" for i in range(42)], n),
        "relationship": np.where(
            sex == "Female",
            rng.choice(["Wife", "Own-child", "Unmarried", "Not-in-family"], n),
            rng.choice(["Husband", "Own-child", "Unmarried", "Not-in-family"], n),
        ),
        "age": rng.integers(17, 90, n),
        "hours_per_week": rng.integers(1, 99, n),
    }
    frame = pd.DataFrame(columns)
    for column in frame.columns[:8]:
        frame[column] = frame[column].astype("str")
    score = (
        (frame["sex"] == "Male") * 0.8
        + (frame["relationship"] == "Husband") * 0.7
        + frame["hours_per_week"] / 50
        + rng.normal(0, 1, n)
    )
    return frame, (score > 1.4).astype(int).to_numpy()


def bench_scorer(repeat):
    X, y = census_like(80_000, 0)
    X_fit, y_fit, X_score = X.iloc[:40_000], y[:40_000], X.iloc[40_000:]
    categorical = list(X.columns[:8])
    model = Pipeline(
        [
            (
                "encode",
                ColumnTransformer(
                    [("cat", OrdinalEncoder(), categorical)], remainder="passthrough"
                ),
            ),
            (
                "boost",
                HistGradientBoostingClassifier(
                    categorical_features=list(range(8)), random_state=0
                ),
            ),
        ]
    ).fit(X_fit, y_fit)
    augmenter = CounterfactualAugmenter(
        protected="sex",
        links={
            "relationship": {"Female": {"Husband": "Wife"}, "Male": {"Wife": "Husband"}}
        },
        random_state=0,
    ).fit(X_fit)
    twins = augmenter.make_twins(X_score, placebo=False).X

    def predict():
        model.predict(X_score)
        model.predict(twins)

    base, scorer = paired(
        predict,
        lambda: counterfactual_flip_score(model, X_score, augmenter=augmenter),
        repeat,
    )
    return report(
        "2. flip scorer",
        "40,000 census-like rows, HistGradientBoosting, vs predict on rows + twins",
        base,
        scorer,
        TARGETS["scorer"],
    )


# ---------------------------------------------------------- 3, 5 large tables
def big_loans(n_rows):
    X, y = make_loan_applicants(min(n_rows, 1_000_000), bias=1.0, random_state=0)
    while len(X) < n_rows:
        X = pd.concat([X, X], ignore_index=True)
        y = np.concatenate([y, y])
    X, y = X.iloc[:n_rows], y[:n_rows]
    model = Pipeline(
        [
            (
                "select",
                ColumnTransformer([("keep", "passthrough", ["gender_code", "income"])]),
            ),
            ("tree", DecisionTreeClassifier(max_depth=3, random_state=0)),
        ]
    ).fit(X.iloc[:20_000], y[:20_000])
    augmenter = CounterfactualAugmenter(
        protected="gender", links=LINKS, random_state=0
    ).fit(X.iloc[:20_000])
    return X, y, model, augmenter


def bench_audit(X, y, model, augmenter, repeat):
    flip, full = paired(
        lambda: counterfactual_flip_rate(model, X, augmenter=augmenter),
        lambda: audit(model, X, y, augmenter=augmenter),
        repeat,
    )
    return report(
        "3. audit",
        f"{len(X):,} rows, names and titles linked, vs the flip rate",
        flip,
        full,
        TARGETS["audit"],
    )


def bench_names(X, model, augmenter, repeat):
    def concat():  # the swap included, as in bench_twins.py
        swapped = np.where(X["gender"] == "Male", "Female", "Male")
        pd.concat([X, X.assign(gender=swapped)])

    base, flip = paired(
        concat,
        lambda: counterfactual_flip_rate(model, X, augmenter=augmenter),
        repeat,
    )
    return report(
        "5. names",
        f"flip rate with first-name and title links, {len(X):,} rows, "
        "vs pd.concat of the rows and a swapped copy",
        base,
        flip,
        TARGETS["names"],
    )


# ------------------------------------------------------------------- 4 memory
MEMORY_JOB = textwrap.dedent(
    """
    import gc, json, sys, warnings
    warnings.simplefilter("ignore")
    sys.path.insert(0, {here!r})
    from bench_targets import big_loans
    from skcounterfactual import audit

    def status(key):
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) / 1024

    X, y, model, augmenter = big_loans({rows})
    input_mb = X.memory_usage(deep=True).sum() / 2**20
    gc.collect()
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")  # the peak resident size starts again from now
    before = status("VmRSS")
    audit(model, X, y, augmenter=augmenter)
    print(json.dumps({{"input_mb": input_mb, "above_mb": status("VmHWM") - before}}))
    """
)


def bench_memory(rows):
    here = os.path.dirname(os.path.abspath(__file__))
    out = subprocess.run(
        [sys.executable, "-c", MEMORY_JOB.format(here=here, rows=rows)],
        capture_output=True,
        text=True,
        check=True,
    )
    found = json.loads(out.stdout.strip().splitlines()[-1])
    ratio = found["above_mb"] / found["input_mb"]
    verdict = "met" if ratio <= TARGETS["memory"] else "NOT met"
    print(
        f"4. memory: audit of {rows:,} rows, peak above the loaded input\n"
        f"    input {found['input_mb']:8.1f} MB   above {found['above_mb']:8.1f} MB"
        f"   ratio {ratio:5.2f}x (target <= {TARGETS['memory']}x: {verdict})"
    )
    return ratio


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    print(
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, scikit-learn "
        f"{sklearn.__version__}, pandas {pd.__version__}; load {os.getloadavg()}"
    )
    bench_search(args.repeat)
    bench_scorer(args.repeat)
    X, y, model, augmenter = big_loans(args.rows)
    bench_audit(X, y, model, augmenter, args.repeat)
    del X
    bench_memory(args.rows)
    X, y, model, augmenter = big_loans(args.rows)
    bench_names(X, model, augmenter, args.repeat)
    print(f"load at end {os.getloadavg()}")


if __name__ == "__main__":
    main()
