"""Time and peak memory of a large audit, and its independence of the chunk size.

Run: python benchmarks/bench_audit.py

Each measurement runs in a fresh subprocess so that its peak resident memory
(``ru_maxrss``) is its own. The baseline is the same process loading the data
and predicting once on the rows (what any audit must at least do). On Linux,
the job's own peak is also measured: the peak resident set size is reset
(``/proc/self/clear_refs``) right before the job, and the memory the job adds
(``VmHWM`` at the end minus ``VmRSS`` at the start) is divided by the deep
size of the audited frame (``X.memory_usage(deep=True).sum()``).
"""

import json
import subprocess
import sys
import textwrap

SETUP = textwrap.dedent(
    """
    import gc, json, re, resource, time
    import numpy as np
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline
    from sklearn.tree import DecisionTreeClassifier
    from skcounterfactual import (
        CounterfactualAugmenter, audit, counterfactual_flip_rate
    )
    from skcounterfactual.datasets import make_loan_applicants

    X, y = make_loan_applicants({n}, bias=1.0, random_state=0)
    keep = ColumnTransformer([("keep", "passthrough", ["gender_code", "income"])])
    model = Pipeline([
        ("select", keep),
        ("tree", DecisionTreeClassifier(max_depth=3, random_state=0)),
    ]).fit(X.iloc[:20000], y.iloc[:20000])
    links = {{"gender_code": {{"Male": 1, "Female": 0}}, "first_name": "first_name",
             "title": "title"}}
    twins = CounterfactualAugmenter(protected="gender", links=links, random_state=0)
    deep = int(X.memory_usage(deep=True).sum())

    def status(key):
        try:
            with open("/proc/self/status") as handle:
                text = handle.read()
        except OSError:
            return None
        return int(re.search(key + r":\\s+(\\d+) kB", text).group(1)) * 1024

    gc.collect()
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")  # reset the peak resident set size
        resident = status("VmRSS")
    except OSError:
        resident = None
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    """
)
JOBS = {
    "baseline": "model.predict(X); result = None",
    "flip_rate": (
        "result = counterfactual_flip_rate(model, X, augmenter=twins, "
        "chunk_size={chunk})"
    ),
    "audit": (
        "result = audit(model, X, y, augmenter=twins, chunk_size={chunk})"
        ".attributes['gender'].flip_rate"
    ),
}
REPORT = textwrap.dedent(
    """
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    own = None if resident is None else (status("VmHWM") - resident) / deep
    print(json.dumps({{"seconds": seconds, "peak_mb": peak / 1024,
                      "data_mb": before / 1024, "result": result,
                      "added_vs_X": own}}))
    """
)


def measure(n, job, chunk):
    code = SETUP.format(n=n) + JOBS[job].format(chunk=chunk) + REPORT.format()
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _ratio(measured):
    ratio = measured.get("added_vs_X")
    return "-" if ratio is None else f"{ratio:.2f}"


def main():
    print(
        f"{'rows':>9} {'job':>10} {'chunk':>9} {'seconds':>8} {'peak MB':>8} "
        f"{'vs base':>8} {'added/X':>8} {'result':>8}"
    )
    for n in (100_000, 1_000_000):
        base = measure(n, "baseline", 0)
        print(
            f"{n:>9,} {'baseline':>10} {'-':>9} {base['seconds']:>8.2f} "
            f"{base['peak_mb']:>8.0f} {1.0:>8.2f} {_ratio(base):>8} {'-':>8}"
        )
        results = set()
        for job in ("flip_rate", "audit"):
            for chunk in (50_000, 200_000, n):
                r = measure(n, job, chunk)
                results.add((job, round(r["result"], 12)))
                print(
                    f"{n:>9,} {job:>10} {chunk:>9,} {r['seconds']:>8.2f} "
                    f"{r['peak_mb']:>8.0f} {r['peak_mb'] / base['peak_mb']:>8.2f} "
                    f"{_ratio(r):>8} {r['result']:>8.4f}"
                )
        same = len({value for _, value in results}) == 1
        print(f"  same flip rate for every job and chunk size: {same}")


if __name__ == "__main__":
    main()
