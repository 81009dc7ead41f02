"""Time and size the twin set against a plain pandas swap measured in the same run.

Four measurements on a 10-column applicant table (int, float, str and
categorical columns; a binary ``gender`` protected column; realistic
``first_name`` and ``title`` values drawn from Mimesis):

a. ``make_twins`` without links against the baseline
   ``pd.concat([X, X.assign(gender=swapped)])`` (target: at most 1.5x);
b. ``make_twins`` with ``first_name`` and ``title`` links drawn from the
   fitted vocabulary, against the same baseline (target: at most 3x);
c. the tutorial's style (one dict per row, one Mimesis call per twin field)
   against ``make_twins`` with the same links drawn from Mimesis pools;
d. the peak resident memory of ``make_twins`` at 10^6 rows against the
   baseline's, each the median of 3 fresh subprocesses.

Every timing is the best of 3 (``time.perf_counter``); fitting is timed
separately and excluded. When a target is missed, the script prints the top 15
cProfile entries of ``make_twins`` at 10^6 rows (without links, with links,
and with ``include_original=True``); ``--profile`` prints them always. Run
with

    python benchmarks/bench_twins.py
"""

import argparse
import cProfile
import gc
import io
import json
import os
import platform
import pstats
import resource
import subprocess
import sys
import time

import mimesis
import numpy as np
import pandas as pd
import sklearn
from mimesis import Address, Person
from mimesis.enums import Gender, TitleType

from skcounterfactual import CounterfactualAugmenter

SIZES = (10**5, 10**6)
LOOP_SIZES = (10**4, 10**5)
MEMORY_ROWS = 10**6
REPEAT = 3
TARGETS = {"no links": 1.5, "first_name + title links": 3.0}
NAME_LINKS = {"first_name": "first_name", "title": "title"}
GENDERS = {"female": Gender.FEMALE, "male": Gender.MALE}


# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------
def _mimesis_values(draw, n_draws=5_000):
    return np.array(sorted({draw() for _ in range(n_draws)}), dtype=object)


def make_applicants(n_rows, seed=0):
    """Applicants with 10 columns: names and titles follow the gender."""
    rng = np.random.default_rng(seed)
    person, address = Person("en", seed=seed), Address("en", seed=seed)
    names = {
        g: _mimesis_values(lambda g=g: person.first_name(gender=GENDERS[g]))
        for g in GENDERS
    }
    titles = {
        g: _mimesis_values(
            lambda g=g: person.title(gender=GENDERS[g], title_type=TitleType.TYPICAL),
            n_draws=500,
        )
        for g in GENDERS
    }
    cities = _mimesis_values(address.city)
    female = rng.random(n_rows) < 0.5
    gender = np.where(female, "female", "male")
    first_name = np.where(
        female,
        rng.choice(names["female"], n_rows),
        rng.choice(names["male"], n_rows),
    )
    title = np.where(
        female,
        rng.choice(titles["female"], n_rows),
        rng.choice(titles["male"], n_rows),
    )
    credit_score = rng.normal(650, 80, n_rows).round(1)
    credit_score[rng.random(n_rows) < 0.05] = np.nan
    return pd.DataFrame(
        {
            "applicant_id": np.arange(n_rows, dtype=np.int64) + 100_000,
            "gender": pd.array(gender, dtype="str"),
            "first_name": pd.array(first_name, dtype="str"),
            "title": pd.Categorical(title),
            "age": rng.integers(18, 80, n_rows),
            "income": rng.integers(20_000, 150_000, n_rows),
            "credit_score": credit_score,
            "debt_ratio": rng.random(n_rows),
            "city": pd.array(rng.choice(cities, n_rows), dtype="str"),
            "employment": pd.Categorical(
                rng.choice(["salaried", "self-employed", "unemployed"], n_rows)
            ),
        }
    )


# ---------------------------------------------------------------------------
# What is measured
# ---------------------------------------------------------------------------
def baseline(X):
    """The plain pandas twin set: the rows, then the rows with gender swapped."""
    swapped = np.where(X["gender"].to_numpy() == "female", "male", "female")
    return pd.concat([X, X.assign(gender=swapped)])


def fit_augmenter(X, links=None, source="vocabulary"):
    # twins only: placebo twins (added by default for drawn links) would double
    # the rows returned and are not what is compared here
    return CounterfactualAugmenter(
        protected="gender", links=links, source=source, placebo=False, random_state=0
    ).fit(X)


def tutorial_loop(X, seed=0):
    """The tutorial's style: one dict per row, one Mimesis call per twin field."""
    person = Person("en", seed=seed)
    rows = []
    for profile in X.to_dict("records"):
        target = "male" if profile["gender"] == "female" else "female"
        twin = dict(profile)
        twin["gender"] = target
        twin["first_name"] = person.first_name(gender=GENDERS[target])
        twin["title"] = person.title(
            gender=GENDERS[target], title_type=TitleType.TYPICAL
        )
        rows.append(twin)
    return pd.DataFrame(rows)


def best_of(func, repeat=REPEAT):
    """Best wall-clock time of ``repeat`` calls, in seconds."""
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def timed(func):
    start = time.perf_counter()
    result = func()
    return result, time.perf_counter() - start


# ---------------------------------------------------------------------------
# Memory, in a fresh subprocess per measurement
# ---------------------------------------------------------------------------
MEMORY_CASES = {
    "baseline pd.concat + swap": lambda X, aug: baseline(X),
    "make_twins, no links": lambda X, aug: aug["plain"].make_twins(X),
    "make_twins, no links, include_original": lambda X, aug: aug["plain"].make_twins(
        X, include_original=True
    ),
    "make_twins, first_name + title": lambda X, aug: aug["names"].make_twins(X),
}


def _status_kib(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def _reset_peak():
    """Reset the resident-set high-water mark (Linux); False if unsupported."""
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
    except OSError:
        return False
    return True


def measure_memory(case, n_rows):
    """Child process: peak resident memory that one call adds, in MiB."""
    X = make_applicants(n_rows)
    augmenters = {"plain": fit_augmenter(X), "names": fit_augmenter(X, NAME_LINKS)}
    func = MEMORY_CASES[case]
    func(X.head(1000), augmenters)  # warm up imports and caches
    gc.collect()
    reset = _reset_peak()
    if reset:
        before = _status_kib("VmRSS")
    else:
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = func(X, augmenters)
    peak = (
        _status_kib("VmHWM")
        if reset
        else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    )
    twins = result.X if hasattr(result, "X") else result
    out = {
        "peak_mib": (peak - before) / 1024,
        "result_mib": twins.memory_usage(deep=True).sum() / 2**20,
        "input_mib": X.memory_usage(deep=True).sum() / 2**20,
        "rows_out": len(twins),
        "method": "VmHWM - VmRSS" if reset else "ru_maxrss delta",
    }
    print(json.dumps(out))


def memory_in_subprocess(case, n_rows, repeat=REPEAT):
    """The run with the median peak among ``repeat`` fresh subprocesses."""
    command = [sys.executable, __file__, "--memory", case, "--rows", str(n_rows)]
    runs = []
    for _ in range(repeat):
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    runs.sort(key=lambda run: run["peak_mib"])
    median = runs[len(runs) // 2]
    median["range_mib"] = (runs[0]["peak_mib"], runs[-1]["peak_mib"])
    return median


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------
def profile(augmenter, X, title, **options):
    profiler = cProfile.Profile()
    profiler.enable()
    augmenter.make_twins(X, **options)
    profiler.disable()
    stream = io.StringIO()
    pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats(15)
    lines = [line for line in stream.getvalue().splitlines() if line.strip()]
    print(f"\n-- cProfile, {title}: top 15 by cumulative time")
    start = next(i for i, line in enumerate(lines) if "ncalls" in line)
    print("\n".join(lines[start - 1 :]))


def _load():
    return ", ".join(f"{v:.2f}" for v in os.getloadavg())


def main():
    print(
        f"Python {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} CPUs; numpy {np.__version__}, pandas {pd.__version__}, "
        f"scikit-learn {sklearn.__version__}, mimesis {mimesis.__version__}"
    )
    print(f"best of {REPEAT} for every timing; at start: load average {_load()}")

    missed = []
    frames, augmenters = {}, {}
    print("\n== a/b. make_twins vs pd.concat([X, X.assign(gender=swapped)])")
    print(
        f"{'rows':>10}  {'case':<30}{'rows out':>11}{'fit s':>7}{'twins s':>9}"
        f"{'base s':>8}{'ratio':>7}{'target':>8}"
    )
    for n_rows in SIZES:
        X = make_applicants(n_rows)
        frames[n_rows] = X
        base = best_of(lambda X=X: baseline(X))
        print(f"{n_rows:>10,}  {'baseline: concat + swap':<30}{2 * n_rows:>11,}")
        cases = [
            ("no links", None, {}),
            ("no links, include_original", None, {"include_original": True}),
            ("first_name + title links", NAME_LINKS, {}),
        ]
        for name, links, options in cases:
            augmenter, fit_seconds = timed(
                lambda X=X, links=links: fit_augmenter(X, links)
            )
            augmenters[n_rows, name] = augmenter
            seconds = best_of(lambda a=augmenter, X=X, o=options: a.make_twins(X, **o))
            ratio = seconds / base
            target = TARGETS.get(name)
            verdict = ""
            if target is not None:
                met = ratio <= target
                verdict = f"<={target:g} {'met' if met else 'MISSED'}"
                if not met:
                    missed.append((n_rows, name, ratio, target))
            rows_out = n_rows * (2 if options else 1)
            print(
                f"{n_rows:>10,}  {name:<30}{rows_out:>11,}{fit_seconds:>7.3f}"
                f"{seconds:>9.3f}{base:>8.3f}{ratio:>7.2f}  {verdict}"
            )

    print("\n== c. tutorial loop (dict per row, Mimesis per field) vs make_twins")
    print(f"{'rows':>10}  {'loop s':>8}{'make_twins s':>14}{'speed-up':>10}")
    for n_rows in LOOP_SIZES:
        X = frames[10**5].iloc[:n_rows]
        augmenter = fit_augmenter(X, NAME_LINKS, source="mimesis")
        loop = best_of(lambda X=X: tutorial_loop(X))
        ours = best_of(lambda a=augmenter, X=X: a.make_twins(X))
        print(f"{n_rows:>10,}  {loop:>8.3f}{ours:>14.4f}{loop / ours:>9.0f}x")

    print(
        f"\n== d. peak resident memory at {MEMORY_ROWS:,} rows "
        f"(median of {REPEAT} fresh subprocesses)"
    )
    print(
        f"{'case':<40}{'rows out':>11}{'peak MiB':>10}{'min-max':>11}"
        f"{'output MiB':>12}{'vs base':>9}"
    )
    base_peak = None
    for case in MEMORY_CASES:
        result = memory_in_subprocess(case, MEMORY_ROWS)
        base_peak = result["peak_mib"] if base_peak is None else base_peak
        low, high = result["range_mib"]
        print(
            f"{case:<40}{result['rows_out']:>11,}{result['peak_mib']:>10.0f}"
            f"{low:>6.0f}-{high:<4.0f}{result['result_mib']:>12.0f}"
            f"{result['peak_mib'] / base_peak:>8.2f}x"
        )
    print(
        f"input X: {result['input_mib']:.0f} MiB (deep); peak measured as "
        f"{result['method']} around the call"
    )

    if missed:
        print(
            "\nMISSED targets: "
            + "; ".join(
                f"{name} at {n:,} rows: {r:.2f}x > {t:g}x" for n, name, r, t in missed
            )
        )
    if missed or "--profile" in sys.argv:
        X = frames[10**6]
        profile(augmenters[10**6, "no links"], X, "make_twins at 10^6 rows, no links")
        profile(
            augmenters[10**6, "first_name + title links"],
            X,
            "make_twins at 10^6 rows, first_name + title links",
        )
        profile(
            augmenters[10**6, "no links, include_original"],
            X,
            "make_twins at 10^6 rows, no links, include_original=True",
            include_original=True,
        )
    print(f"\nat end: load average {_load()}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memory", choices=list(MEMORY_CASES), help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, default=MEMORY_ROWS, help=argparse.SUPPRESS)
    parser.add_argument("--profile", action="store_true", help="always print profiles")
    args = parser.parse_args()
    if args.memory:
        measure_memory(args.memory, args.rows)
    else:
        main()
