"""Time make_loan_applicants against a per-row Mimesis loop measured in the same run.

The baseline builds the same ten columns the way the Mimesis bias tutorial does:
a Python loop calling Mimesis once per field and per row. Run with

    python benchmarks/bench_datasets.py
"""

import datetime
import os
import platform
import time

import mimesis
import numpy as np
import pandas as pd
from mimesis import Generic
from mimesis.enums import Gender, TitleType

from skcounterfactual.datasets import make_loan_applicants
from skcounterfactual.datasets._loan import DEFAULT_COUNTRIES, _person_pools

REFERENCE = datetime.date(2025, 1, 1)


def per_row_loop(n_samples, seed=0):
    """The tutorial's style: one Mimesis call per field, one dict per row."""
    generic = Generic("en", seed=seed)
    person, rand = generic.person, generic.random
    earliest = datetime.date(REFERENCE.year - 76, REFERENCE.month, REFERENCE.day)
    latest = datetime.date(REFERENCE.year - 18, REFERENCE.month, REFERENCE.day)
    rows = []
    for _ in range(n_samples):
        gender_name = rand.choice(["Male", "Female"])
        gender = Gender.MALE if gender_name == "Male" else Gender.FEMALE
        born = generic.datetime.date(start=earliest.year, end=latest.year)
        income = rand.randint(30_000, 119_999)
        age = (
            REFERENCE.year
            - born.year
            - ((REFERENCE.month, REFERENCE.day) < (born.month, born.day))
        )
        rows.append(
            {
                "applicant_id": generic.cryptographic.uuid(),
                "first_name": person.first_name(gender=gender),
                "last_name": person.last_name(gender=gender),
                "title": person.title(gender=gender, title_type=TitleType.TYPICAL),
                "gender": gender_name,
                "gender_code": int(gender_name == "Male"),
                "date_of_birth": born,
                "age": age,
                "country": rand.choice(DEFAULT_COUNTRIES),
                "income": income,
                "approved": int(gender_name == "Male" or income > 80_000),
            }
        )
    frame = pd.DataFrame(rows)
    frame["date_of_birth"] = pd.to_datetime(frame["date_of_birth"])
    return frame


def best_time(func, n_samples, repeat):
    """Best wall-clock time of ``repeat`` calls, in seconds."""
    times = []
    for i in range(repeat):
        start = time.perf_counter()
        func(n_samples, i)
        times.append(time.perf_counter() - start)
    return min(times)


def vectorised(n_samples, seed):
    return make_loan_applicants(n_samples, random_state=seed)


def main():
    print(
        f"Python {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} CPUs; numpy {np.__version__}, pandas {pd.__version__}, "
        f"mimesis {mimesis.__version__}"
    )
    start = time.perf_counter()
    _person_pools("en")
    print(f"one-off pool snapshot for locale 'en': {time.perf_counter() - start:.2f} s")
    print()
    print(f"{'method':<22}{'rows':>10}{'best of':>9}{'seconds':>10}{'rows/s':>13}")
    rates = {}
    for label, func, sizes in [
        ("per-row Mimesis loop", per_row_loop, [(1_000, 3), (10_000, 3)]),
        (
            "make_loan_applicants",
            vectorised,
            [(10_000, 5), (100_000, 3), (1_000_000, 3)],
        ),
    ]:
        for n_samples, repeat in sizes:
            seconds = best_time(func, n_samples, repeat)
            rates[label, n_samples] = n_samples / seconds
            print(
                f"{label:<22}{n_samples:>10,}{repeat:>9}{seconds:>10.3f}"
                f"{n_samples / seconds:>13,.0f}"
            )
    baseline = rates["per-row Mimesis loop", 10_000]
    print()
    print(
        "speed-up at 10,000 rows: "
        f"{rates['make_loan_applicants', 10_000] / baseline:,.0f}x"
    )
    print(
        "speed-up, 1,000,000 rows vs the loop's 10,000-row rate: "
        f"{rates['make_loan_applicants', 1_000_000] / baseline:,.0f}x"
    )


if __name__ == "__main__":
    main()
