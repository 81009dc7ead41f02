"""Time the coherence check of CounterfactualAugmenter.fit, and find_proxies.

a. ``fit`` with the coherence check (the default ``coherence=(10, 0.05)``)
   against ``fit`` with ``coherence=None``, measured in the same run at 10^6
   rows x 10 columns, on two tables:

   - "applicants": the table of ``bench_twins.py`` (int, float, str and
     categorical columns; the first name and the title follow gender, so the
     check finds, flags and warns). Target: at most 1.10x.
   - "households": three text columns instead of two (a household role tied
     to gender among them), a datetime, fewer numbers: text columns are the
     dearest to count, so this is the harder case, reported for information.

   Runs alternate between the two settings; each is the best of ``REPEAT``.
   The gross cost of the coherence pass (every column counted against the
   attribute) and of the mirror check it replaces are timed too: with the
   check on, the mirror check reads the coherence counts instead of counting
   every column again.
b. ``make_twins`` on the "applicants" rows with and without the check (the
   flag column costs one lookup per incoherent column), for information.
c. ``find_proxies`` on 10^6 rows x 20 columns plus the protected one, with
   the default row sample (``max_rows=100_000``) and on every row.

Run with

    python benchmarks/bench_coherence.py
"""

import gc
import os
import platform
import sys
import time
import warnings

import numpy as np
import pandas as pd
import scipy
import sklearn

from skcounterfactual import (
    CounterfactualAugmenter,
    IncoherentTwinWarning,
    find_proxies,
)
from skcounterfactual._coherence import CoherenceCheck
from skcounterfactual._domains import warn_unlinked_mirrors
from skcounterfactual._pairing import suggest_link

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_twins import make_applicants  # noqa: E402

ROWS = 10**6
REPEAT = 5
TARGET = 1.10
FEMALE_NAMES = [f"female_name_{i}" for i in range(400)]
MALE_NAMES = [f"male_name_{i}" for i in range(400)]
CITIES = [f"city_{i}" for i in range(300)]


def households(n_rows, seed=0):
    """10 columns: a gender, three columns tied to it, six that are not."""
    rng = np.random.default_rng(seed)
    female = rng.random(n_rows) < 0.5
    married = rng.random(n_rows) < 0.5
    title = np.where(
        female, rng.choice(["Ms.", "Mrs.", "Miss"], n_rows), rng.choice(["Mr."], n_rows)
    )
    role = np.where(
        married,
        np.where(female, "Wife", "Husband"),
        rng.choice(["Not in family", "Own child"], n_rows),
    )
    score = rng.normal(650, 80, n_rows).round(1)
    score[rng.random(n_rows) < 0.05] = np.nan
    return pd.DataFrame(
        {
            "applicant_id": np.arange(n_rows, dtype=np.int64) + 100_000,
            "gender": pd.array(np.where(female, "female", "male"), dtype="str"),
            "first_name": pd.array(
                np.where(
                    female,
                    rng.choice(FEMALE_NAMES, n_rows),
                    rng.choice(MALE_NAMES, n_rows),
                ),
                dtype="str",
            ),
            "title": pd.Categorical(title),
            "household_role": pd.array(role, dtype="str"),
            "age": rng.integers(18, 80, n_rows),
            "income": rng.integers(20_000, 150_000, n_rows),
            "credit_score": score,
            "city": pd.array(rng.choice(CITIES, n_rows), dtype="str"),
            "opened": pd.Timestamp("2015-01-01")
            + pd.to_timedelta(rng.integers(0, 3650, n_rows), unit="D"),
        }
    )


def wide(n_rows, seed=1):
    """20 columns plus ``gender``: text, categories, numbers, a flag."""
    rng = np.random.default_rng(seed)
    female = rng.random(n_rows) < 0.5
    columns = {"gender": np.where(female, "female", "male")}
    for i in range(6):
        columns[f"text_{i}"] = pd.array(
            rng.choice([f"v{j}" for j in range(20 * (i + 1))], n_rows), dtype="str"
        )
    for i in range(4):
        columns[f"category_{i}"] = pd.Categorical(rng.choice(list("abcdefgh"), n_rows))
    for i in range(6):
        shift = 0.3 * female if i == 0 else 0.0
        columns[f"float_{i}"] = rng.normal(size=n_rows) + shift
    for i in range(3):
        columns[f"int_{i}"] = rng.integers(0, 10**6, n_rows)
    columns["flag"] = rng.random(n_rows) < np.where(female, 0.6, 0.4)
    return pd.DataFrame(columns)


def best(function, repeat):
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def fit(X, coherence):
    return CounterfactualAugmenter(protected="gender", coherence=coherence).fit(X)


def time_fit(name, X):
    """Print fit with and without the check, and the passes; return the ratio."""
    fit(X, None), fit(X, (10, 0.05))  # warm up
    times = {None: [], (10, 0.05): []}
    for _ in range(REPEAT):
        for coherence in times:
            times[coherence].append(best(lambda c=coherence: fit(X, c), 1))
    without, with_check = min(times[None]), min(times[(10, 0.05)])
    ratio = with_check / without
    fitted = fit(X, (10, 0.05))
    target = f"(target <= {TARGET}x)" if name == "applicants" else "(information)"
    print(f"\na. fit, {name}, {ROWS:,} rows x {X.shape[1]} columns (best of {REPEAT})")
    print(f"   coherence=None            {without:8.3f} s")
    print(f"   coherence=(10, 0.05)      {with_check:8.3f} s")
    print(f"   ratio                     {ratio:8.2f}x {target}")
    print(f"   incoherent columns found: {sorted(fitted.coherence_['gender'])}")
    domain = fitted.domains_["gender"]

    def coherence_pass():
        CoherenceCheck("gender", domain, 10, 0.05).fit(X, {"gender"}, suggest_link)

    gross = best(coherence_pass, REPEAT)
    mirror = best(lambda: warn_unlinked_mirrors(X, ["gender"], set()), REPEAT)
    print(f"   the coherence pass alone  {gross:8.3f} s")
    print(f"   the mirror check it spares{mirror:8.3f} s")
    return ratio


def main():
    warnings.simplefilter("ignore", IncoherentTwinWarning)
    print(
        f"Python {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} CPUs; numpy {np.__version__}, pandas {pd.__version__}, "
        f"scikit-learn {sklearn.__version__}, scipy {scipy.__version__}"
    )
    X = make_applicants(ROWS)
    ratio = time_fit("applicants", X)
    time_fit("households", households(ROWS))
    checked, unchecked = fit(X, (10, 0.05)), fit(X, None)
    t_without = best(lambda: unchecked.make_twins(X), 3)
    t_with = best(lambda: checked.make_twins(X), 3)
    print(f"\nb. make_twins, applicants, {ROWS:,} rows (best of 3)")
    print(f"   coherence=None            {t_without:8.3f} s")
    print(f"   coherence=(10, 0.05)      {t_with:8.3f} s  ({t_with / t_without:.2f}x)")

    W = wide(ROWS)
    print(f"\nc. find_proxies, {ROWS:,} rows x {W.shape[1] - 1} columns")
    for max_rows in (100_000, None):
        start = time.perf_counter()
        proxies = find_proxies(W, protected="gender", max_rows=max_rows, random_state=0)
        seconds = time.perf_counter() - start
        found = ", ".join(proxies.loc[proxies["proxy"], "column"])
        print(f"   max_rows={max_rows!s:<8} {seconds:8.2f} s  proxies: {found}")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
