"""Time the bincount demographic parity difference against Fairlearn's.

Both are measured in the same process on the same data, and their values are
checked to be equal. Run from the repository root::

    python benchmarks/bench_parity.py
"""

import platform
import time

import fairlearn
import fairlearn.metrics as flm
import numpy as np
import pandas as pd
import sklearn

from skcounterfactual._parity import demographic_parity_difference

SIZES = [10_000, 100_000, 1_000_000]
N_GROUPS = [2, 4]


def make_data(n_samples, n_groups, seed=0):
    """Predictions with group-dependent selection rates, groups as strings."""
    rng = np.random.default_rng(seed)
    share = rng.dirichlet(np.full(n_groups, 2.0))
    codes = rng.choice(n_groups, size=n_samples, p=share)
    selection = np.linspace(0.2, 0.6, n_groups)[codes]
    y_pred = (rng.random(n_samples) < selection).astype(np.int64)
    y_true = (rng.random(n_samples) < 0.4).astype(np.int64)
    names = np.array([f"group_{k}" for k in range(n_groups)])
    sensitive = pd.Series(names[codes], dtype="str", name="group")
    return y_true, y_pred, sensitive


def best_time(metric, data, repeat):
    """Return the smallest wall time of ``repeat`` calls, and the last value."""
    y_true, y_pred, sensitive = data
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        value = metric(y_true, y_pred, sensitive_features=sensitive)
        times.append(time.perf_counter() - start)
    return min(times), value


def main():
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, "
        f"pandas {pd.__version__}, scikit-learn {sklearn.__version__}, "
        f"fairlearn {fairlearn.__version__}"
    )
    print(f"{'rows':>9} {'groups':>6} {'fairlearn':>11} {'ours':>10} {'speed-up':>9}")
    for n_samples in SIZES:
        for n_groups in N_GROUPS:
            data = make_data(n_samples, n_groups)
            fairlearn_time, expected = best_time(
                flm.demographic_parity_difference,
                data,
                repeat=3 if n_samples <= 100_000 else 1,
            )
            our_time, value = best_time(demographic_parity_difference, data, repeat=5)
            assert np.isclose(value, expected, rtol=0, atol=1e-12), (value, expected)
            print(
                f"{n_samples:>9,} {n_groups:>6} {fairlearn_time * 1e3:>9.1f}ms "
                f"{our_time * 1e3:>8.2f}ms {fairlearn_time / our_time:>8.0f}x"
            )
    print("All values equal Fairlearn's (|difference| <= 1e-12).")


if __name__ == "__main__":
    main()
