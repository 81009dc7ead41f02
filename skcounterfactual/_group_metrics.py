"""Group metrics of the audited rows from per-group counts, as Fairlearn defines them.

Per group of the original rows: count, selection rate and, with true labels,
accuracy and true and false positive rates, as Fairlearn's ``MetricFrame``
reports them with ``count``, ``selection_rate``, ``accuracy_score``,
``true_positive_rate`` and ``false_positive_rate`` (a group without positive,
or negative, labels gets a rate of 0), and the between-groups parity
summaries. They are computed from counts (or exact sums of weights) gathered
chunk by chunk, so that audits of any size, or of a Dask table, never group
the whole table at once; the tests hold them equal to ``MetricFrame``.
"""

from fractions import Fraction

import numpy as np
import pandas as pd

MAX_GROUPS = 20
GROUP_METRIC_KEYS = (
    "group_metrics",
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "equalized_odds_difference",
)
METRICS = (
    "count",
    "selection_rate",
    "accuracy",
    "true_positive_rate",
    "false_positive_rate",
)


def continuous_reason(column, seen, given):
    """Why group metrics over ``column`` make no sense, or None if they do.

    A column with more than ``MAX_GROUPS`` distinct values (``seen``) is
    continuous (an exact age), unless ``given`` (the user's ``values`` for it)
    is a domain holding every value.
    """
    n_values = len(seen)
    if n_values <= MAX_GROUPS:
        return None
    if given is not None and all(value in list(given) for value in seen):
        return None
    shown = f"{n_values:,}" if n_values <= 10_000 else "more than 10,000"
    return (
        f"{column!r} has {shown} distinct values (more than {MAX_GROUPS}), "
        "so it looks continuous and one group per value would be "
        "meaningless. Bin it (e.g. pandas.cut into bands) and compute the "
        "group metrics on the bins."
    )


def _empty(names, has_y):
    index = (
        pd.MultiIndex.from_tuples([], names=names)
        if len(names) > 1
        else pd.Index([], dtype=object, name=names[0])
    )
    columns = METRICS if has_y else METRICS[:2]
    return pd.DataFrame(
        {k: pd.Series(dtype=np.int64 if k == "count" else float) for k in columns},
        index=index,
    )


def _sorted_keys(keys):
    try:
        return sorted(keys)
    except TypeError:
        return sorted(keys, key=repr)


def _rate(hits, total):
    total = Fraction(total)
    return float(Fraction(hits) / total) if total else 0.0


def metrics_from_counts(groups, names, *, has_y, undefined, reason=None):
    """Return the group-metric table and the parity summaries.

    Parameters
    ----------
    groups : dict
        Per group value (a tuple for several columns): ``[count, weight,
        selected]`` and, with ``y``, ``[correct, positives, true positives,
        negatives, false positives]`` (counts, or exact sums of weights).
    names : list of str
        The protected column names (the index names).
    has_y : bool
        Whether true labels were given.
    undefined : dict
        Receives the reason of every value left undefined.
    reason : str or None
        Why no group metric is computed (e.g. a continuous column).

    Returns
    -------
    by_group : DataFrame
    summaries : tuple
        Demographic parity difference and ratio, equalized odds difference
        (None where undefined).
    """
    if reason is not None:
        for key in GROUP_METRIC_KEYS:
            undefined[key] = reason
        return _empty(names, has_y), (None, None, None)
    keys = _sorted_keys(groups)
    zero = [key for key in keys if Fraction(groups[key][1]) == 0]
    rows = []
    for key in keys:
        found = groups[key]
        row = {"count": found[0], "selection_rate": _rate(found[2], found[1])}
        if has_y:
            row["accuracy"] = _rate(found[3], found[1])
            row["true_positive_rate"] = _rate(found[5], found[4])
            row["false_positive_rate"] = _rate(found[7], found[6])
        rows.append(row)
    index = (
        pd.MultiIndex.from_tuples(keys, names=names)
        if len(names) > 1
        else pd.Index(keys, dtype=object, name=names[0])
    )
    by_group = pd.DataFrame(rows, index=index, columns=METRICS if has_y else None)
    if not has_y:
        by_group = by_group[list(METRICS[:2])]
    by_group = by_group.astype({"count": np.int64})
    if zero:
        reason = (
            f"group(s) {zero!r} have zero total sample_weight, so their rates "
            "are undefined"
        )
        for key in GROUP_METRIC_KEYS[1:]:
            undefined[key] = reason
        rates = [c for c in by_group.columns if c != "count"]
        by_group[rates] = by_group[rates].astype(float)
        # by position: a label such as False would be read as a boolean mask
        rows = [keys.index(key) for key in zero]
        by_group.iloc[rows, [by_group.columns.get_loc(c) for c in rates]] = np.nan
        return by_group, (None, None, None)
    rates = by_group["selection_rate"]
    dp_difference = float(rates.max() - rates.min())
    dp_ratio = None
    if rates.max() > 0:
        dp_ratio = float(rates.min() / rates.max())
    else:
        undefined["demographic_parity_ratio"] = (
            "every group has a selection rate of 0, so the ratio is 0/0"
        )
    odds = None
    if has_y:
        odds = float(
            max(
                by_group["true_positive_rate"].max()
                - by_group["true_positive_rate"].min(),
                by_group["false_positive_rate"].max()
                - by_group["false_positive_rate"].min(),
            )
        )
    else:
        undefined["equalized_odds_difference"] = "needs the true labels y"
    return by_group, (dp_difference, dp_ratio, odds)
