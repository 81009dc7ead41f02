"""An audit of 10 million rows on a Dask cluster, against 1 million rows in pandas.

Run: python benchmarks/bench_dask_audit.py [--rows 10000000] [--workers 2]

Writes the loan scenario as Parquet files (one million rows each, each file
with its own row labels), starts a ``LocalCluster`` with one thread per
worker, and audits the Dask DataFrame read from the files with a fitted
augmenter (first names, titles and the gender code linked, placebo twins
included). Reports the wall time, the CPU time and the peak resident memory
of each worker against the same audit of one million rows in pandas (in this
process), and checks that the Dask audit of the first million rows equals the
pandas audit of the same rows exactly. On a machine shared with other jobs
the wall times depend on the load (reported); the CPU times much less.
"""

import argparse
import json
import os
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.tree import DecisionTreeClassifier

from skcounterfactual import CounterfactualAugmenter, audit
from skcounterfactual.datasets import make_loan_applicants

PART = 1_000_000
KEEP = ["gender_code", "income"]
LINKS = {
    "gender_code": {"Male": 1, "Female": 0},
    "first_name": "first_name",
    "title": "title",
}


def _peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    X, y = make_loan_applicants(PART, bias=1.0, random_state=0)
    X = X.assign(approved=y)
    features = X.drop(columns="approved")
    model = Pipeline(
        [
            ("select", ColumnTransformer([("keep", "passthrough", KEEP)])),
            ("tree", DecisionTreeClassifier(max_depth=3, random_state=0)),
        ]
    ).fit(features.iloc[:20_000], y[:20_000])
    augmenter = CounterfactualAugmenter(
        protected="gender", links=LINKS, random_state=0
    ).fit(features.iloc[:20_000])

    with tempfile.TemporaryDirectory() as folder:
        n_files = max(1, args.rows // PART)
        for i in range(n_files):
            part = X.set_axis(np.arange(i * PART, (i + 1) * PART), axis=0)
            part.to_parquet(Path(folder) / f"part-{i:03d}.parquet")
        del X

        start, cpu = time.perf_counter(), _cpu_seconds()
        pandas_report = audit(model, features, y, augmenter=augmenter)
        pandas_seconds = time.perf_counter() - start
        pandas_cpu = _cpu_seconds() - cpu
        pandas_peak = _peak_mb()
        input_mb = features.memory_usage(deep=True).sum() / 2**20

        with (
            LocalCluster(
                n_workers=args.workers, threads_per_worker=1, processes=True
            ) as cluster,
            Client(cluster) as client,
        ):
            table = dd.read_parquet(folder)
            rows = table.drop(columns="approved")
            labels = table["approved"]
            cpu = client.run(_cpu_seconds)
            start = time.perf_counter()
            report = audit(model, rows, labels, augmenter=augmenter)
            dask_seconds = time.perf_counter() - start
            worker_cpu = client.run(_cpu_seconds)
            worker_peaks = client.run(_peak_mb)

            first = dd.read_parquet(Path(folder) / "part-000.parquet")
            first_report = audit(
                model,
                first.drop(columns="approved"),
                first["approved"],
                augmenter=augmenter,
            )
    same = first_report.to_json() == pandas_report.to_json()
    result = {
        "rows_dask": int(report.n_rows),
        "rows_pandas": int(pandas_report.n_rows),
        "dask_seconds": round(dask_seconds, 1),
        "pandas_seconds": round(pandas_seconds, 1),
        "dask_rows_per_second": round(report.n_rows / dask_seconds),
        "pandas_rows_per_second": round(pandas_report.n_rows / pandas_seconds),
        "pandas_cpu_seconds": round(pandas_cpu, 1),
        "worker_cpu_seconds": {k: round(v - cpu[k], 1) for k, v in worker_cpu.items()},
        "worker_peak_mb": {k: round(v) for k, v in worker_peaks.items()},
        "pandas_process_peak_mb": round(pandas_peak),
        "pandas_input_mb": round(input_mb),
        "flip_rate_dask": report.attributes["gender"].flip_rate,
        "first_million_equal_to_pandas": same,
    }
    result["load_average"] = [round(x, 1) for x in os.getloadavg()]
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
