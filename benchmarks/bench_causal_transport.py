"""Time causal and transport twins against all-else-equal twins in the same run.

Data: a loan table where gender shapes income, income shapes debt and gender
shapes the job (a categorical descendant); age and city lie outside the
graph. The audited model reads income, debt and age, never gender.

a. Causal twins at 10^5 rows: ``CausalAugmenter.make_twins`` (linear and
   automatic mechanisms) against ``CounterfactualAugmenter.make_twins`` of the
   same rows; fitting is timed separately.
b. Transport twins, exact plans (``ot.emd``) at 2,000 and 5,000 rows per group:
   fit (the plan) and ``make_twins``, against all-else-equal twins of the
   same rows.
c. Transport twins, matched minibatch plans at 10^5 rows (about 50,000 per
   group): fit and ``make_twins``; the flip rate's difference to the exact
   plan on a subsample of 4,000 rows per group (the same rows, both plans),
   and to the exact plan's flip rate on that subsample.

Every ``make_twins`` timing is the best of 3 (``time.perf_counter``); fits are
timed once. Run with

    python benchmarks/bench_causal_transport.py
"""

import os
import platform
import time

import numpy as np
import pandas as pd
import sklearn
from sklearn.compose import make_column_transformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skcounterfactual import (
    CausalAugmenter,
    CounterfactualAugmenter,
    TransportAugmenter,
    counterfactual_flip_rate,
)

GRAPH = [("gender", "income"), ("income", "debt"), ("gender", "job")]
REPEAT = 3


def loans(n, seed=0):
    rng = np.random.default_rng(seed)
    male = rng.random(n) < 0.5
    income = 40_000 + 15_000 * male + rng.normal(0, 10_000, n)
    job = np.where(rng.random(n) < np.where(male, 0.7, 0.3), "engineer", "carer")
    return pd.DataFrame(
        {
            "gender": pd.array(np.where(male, "male", "female"), dtype="str"),
            "income": income.round(2),
            "debt": (0.3 * income + rng.normal(0, 3_000, n)).round(2),
            "job": pd.Categorical(job),
            "age": rng.integers(20, 65, n),
            "city": pd.array(rng.choice(["Lyon", "Oslo", "Pune", "Lima"], n), "str"),
        }
    )


def model_for(X):
    rng = np.random.default_rng(1)
    y = (X["income"] - X["debt"] + rng.normal(0, 5_000, len(X)) > 30_000).astype(int)
    return make_pipeline(
        make_column_transformer((StandardScaler(), ["income", "debt", "age"])),
        LogisticRegression(),
    ).fit(X, y)


def tree_for(X):
    """A second model, not monotone in anything: a tree on income and age."""
    from sklearn.tree import DecisionTreeClassifier

    rng = np.random.default_rng(2)
    y = ((X["income"] > 50_000) ^ (X["age"] + rng.normal(0, 5, len(X)) > 45)).astype(
        int
    )
    return make_pipeline(
        make_column_transformer(("passthrough", ["income", "age"])),
        DecisionTreeClassifier(max_depth=4, random_state=0),
    ).fit(X, y)


def best(function, repeat=REPEAT):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def once(function):
    start = time.perf_counter()
    out = function()
    return out, time.perf_counter() - start


def per_group(X, n, seed=0):
    return X.groupby("gender").sample(n=n, random_state=seed).sort_index()


def main():
    import dowhy
    import ot

    print(
        f"Python {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} CPUs; numpy {np.__version__}, pandas {pd.__version__}, "
        f"scikit-learn {sklearn.__version__}, dowhy {dowhy.__version__}, "
        f"POT {ot.__version__}"
    )
    X = loans(100_000)
    model = model_for(X)

    print("\na. causal twins, 100,000 rows")
    plain, plain_fit = once(lambda: CounterfactualAugmenter(protected="gender").fit(X))
    baseline = best(lambda: plain.make_twins(X))
    print(f"{'maker':42s} {'fit s':>8s} {'twins s':>8s} {'ratio':>7s}")
    print(f"{'CounterfactualAugmenter':42s} {plain_fit:8.3f} {baseline:8.3f} {1:7.1f}")
    for mechanisms in ("linear", "auto"):
        causal, fit = once(
            lambda m=mechanisms: CausalAugmenter(
                protected="gender", graph=GRAPH, mechanisms=m, random_state=0
            ).fit(X)
        )
        twins = best(lambda c=causal: c.make_twins(X))
        name = f"CausalAugmenter(mechanisms={mechanisms!r})"
        print(f"{name:42s} {fit:8.3f} {twins:8.3f} {twins / baseline:7.1f}")
        rate = counterfactual_flip_rate(model, X, augmenter=causal)
        print(f"{'':42s} flip rate {rate:.4f}; {causal.mechanisms_}")
    print(
        f"{'':42s} flip rate {counterfactual_flip_rate(model, X, augmenter=plain):.4f}"
        " (all else equal)"
    )

    print("\nb. transport twins, exact plans")
    print(
        f"{'rows per group':>15s} {'fit s':>8s} {'twins s':>8s} {'aee s':>8s} "
        f"{'ratio':>7s} {'flip rate':>10s}"
    )
    for n in (2_000, 5_000):
        rows = per_group(X, n)
        maker, fit = once(
            lambda r=rows, n=n: TransportAugmenter(protected="gender", max_exact=n).fit(
                r
            )
        )
        assert maker.methods_ == {"gender": "exact"}
        twins = best(lambda m=maker, r=rows: m.make_twins(r))
        aee = best(lambda r=rows: plain.make_twins(r))
        rate = counterfactual_flip_rate(model, rows, augmenter=maker)
        print(
            f"{n:15,d} {fit:8.2f} {twins:8.3f} {aee:8.3f} {twins / aee:7.1f} "
            f"{rate:10.4f}"
        )

    print("\nc. transport twins, minibatch plans, 100,000 rows")
    approx, fit = once(lambda: TransportAugmenter(protected="gender").fit(X))
    assert approx.methods_ == {"gender": "minibatch"}
    twins = best(lambda: approx.make_twins(X))
    print(
        f"fit {fit:.2f} s, make_twins {twins:.3f} s ({twins / baseline:.1f}x the "
        f"all-else-equal twins of the same rows, {baseline:.3f} s)"
    )
    tree = tree_for(X)
    models = {"logistic (income, debt, age)": model, "tree (income, age)": tree}
    full = {
        name: counterfactual_flip_rate(m, X, augmenter=approx)
        for name, m in models.items()
    }
    for seed in (1, 2):
        sub = per_group(X, 4_000, seed=seed)
        exact = TransportAugmenter(protected="gender", max_exact=4_000).fit(sub)
        blocks = TransportAugmenter(protected="gender", max_exact=1).fit(sub)
        same = np.mean(
            exact.make_twins(sub).provenance["counterpart"].to_numpy()
            == blocks.make_twins(sub).provenance["counterpart"].to_numpy()
        )
        print(f"subsample {seed}, 4,000 rows per group ({same:.1%} of twins identical)")
        for name, m in models.items():
            exact_rate = counterfactual_flip_rate(m, sub, augmenter=exact)
            blocks_rate = counterfactual_flip_rate(m, sub, augmenter=blocks)
            print(
                f"  {name:30s} exact {exact_rate:.4f}, minibatch {blocks_rate:.4f} "
                f"(difference {blocks_rate - exact_rate:+.4f}); minibatch on all "
                f"rows {full[name]:.4f} ({full[name] - exact_rate:+.4f})"
            )


if __name__ == "__main__":
    main()
