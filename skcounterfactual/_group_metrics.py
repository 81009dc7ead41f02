"""Group metrics of the audited rows through Fairlearn's ``MetricFrame``.

The audit reports, per group of the original rows, count, selection rate and,
with true labels, accuracy and true and false positive rates, with Fairlearn's
definitions, and the parity summaries derived from them.
"""

from functools import partial

import numpy as np
import pandas as pd
from fairlearn.metrics import (
    MetricFrame,
    count,
    false_positive_rate,
    selection_rate,
    true_positive_rate,
)
from sklearn.metrics import accuracy_score

MAX_GROUPS = 20
GROUP_METRIC_KEYS = (
    "group_metrics",
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "equalized_odds_difference",
)


def continuous_reason(sensitive, given_domains):
    """Why group metrics over ``sensitive`` make no sense, or None if they do.

    A column with more than ``MAX_GROUPS`` distinct values is continuous
    (an exact age), unless ``given_domains`` (the user's ``values``) gave it a
    domain holding every value.
    """
    given = given_domains if isinstance(given_domains, dict) else {}
    for column in sensitive.columns:
        observed = sensitive[column]
        n_values = observed.nunique()
        if n_values <= MAX_GROUPS:
            continue
        if column in given and observed.isin(list(given[column])).all():
            continue
        return (
            f"{column!r} has {n_values} distinct values (more than {MAX_GROUPS}), "
            "so it looks continuous and one group per value would be "
            "meaningless. Bin it (e.g. pandas.cut into bands) and compute the "
            "group metrics on the bins."
        )
    return None


def _binary_rate(function, y_true, y_pred, sample_weight=None, *, pos_label):
    return function(
        (np.asarray(y_true) == pos_label).astype(int),
        (np.asarray(y_pred) == pos_label).astype(int),
        sample_weight=sample_weight,
        pos_label=1,
    )


def _metrics(pos_label, has_y):
    metrics = {
        "count": count,
        "selection_rate": partial(selection_rate, pos_label=pos_label),
    }
    if has_y:
        metrics["accuracy"] = accuracy_score
        for key, function in (
            ("true_positive_rate", true_positive_rate),
            ("false_positive_rate", false_positive_rate),
        ):
            metrics[key] = partial(_binary_rate, function, pos_label=pos_label)
    return metrics


def _empty(sensitive, metrics):
    names = [sensitive.name] if sensitive.ndim == 1 else list(sensitive.columns)
    index = (
        pd.MultiIndex.from_tuples([], names=names)
        if len(names) > 1
        else pd.Index([], dtype=object, name=names[0])
    )
    return pd.DataFrame(
        {k: pd.Series(dtype=np.int64 if k == "count" else float) for k in metrics},
        index=index,
    )


def group_metrics(
    sensitive, decisions, *, y, weights, pos_label, undefined, rows=None, reason=None
):
    """Fairlearn ``MetricFrame`` of the original rows, and the parity summaries.

    Only the ``rows`` (a boolean mask; all when None) enter the groups; with a
    ``reason``, nothing is computed and the reason is recorded in
    ``undefined`` for every group metric.

    Returns
    -------
    by_group : DataFrame
    summaries : tuple
        Demographic parity difference and ratio, equalized odds difference
        (None where undefined, with the reason in ``undefined``).
    """
    metrics = _metrics(pos_label, y is not None)
    if reason is not None:
        for key in GROUP_METRIC_KEYS:
            undefined[key] = reason
        return _empty(sensitive, metrics), (None, None, None)
    if rows is None:
        rows = np.ones(len(decisions), dtype=bool)
    decisions = np.asarray(decisions)[rows]
    y = None if y is None else y[rows]
    params = {}
    if weights is not None:
        params = {k: {"sample_weight": weights[rows]} for k in metrics if k != "count"}
    frame = MetricFrame(
        metrics=metrics,
        y_true=decisions if y is None else y,
        y_pred=decisions,
        sensitive_features=sensitive[rows],
        sample_params=params,
    )
    difference = frame.difference(method="between_groups")
    ratio = frame.ratio(method="between_groups")
    dp_difference = _finite(difference["selection_rate"])
    if dp_difference is None:
        undefined["demographic_parity_difference"] = (
            "a group's selection rate is undefined (zero total weight)"
        )
    dp_ratio = _finite(ratio["selection_rate"])
    if dp_ratio is None:
        undefined["demographic_parity_ratio"] = (
            "every group has a selection rate of 0, so the ratio is 0/0"
        )
    odds = None
    if y is None:
        undefined["equalized_odds_difference"] = "needs the true labels y"
    else:
        odds = _finite(
            max(difference["true_positive_rate"], difference["false_positive_rate"])
        )
        if odds is None:
            undefined["equalized_odds_difference"] = (
                "a group's true or false positive rate is undefined"
            )
    by_group = frame.by_group.astype({"count": np.int64})
    return by_group, (dp_difference, dp_ratio, odds)


def _finite(value):
    value = float(value)
    return value if np.isfinite(value) else None
