"""Group metrics of regressors, and of classifiers without a favourable class.

Like ``_group_metrics`` (classifiers with a favourable class), from per-group
sums gathered chunk by chunk, so that any split of the rows gives the same
numbers. The definitions are those of Fairlearn's ``MetricFrame`` with
``count``, ``mean_prediction``, scikit-learn's ``mean_absolute_error`` and
``mean_squared_error`` (regressors), and ``accuracy_score`` (any classifier);
the tests hold them equal.

A regressor selects nobody, so demographic parity and equalized odds are
undefined for it; its between-groups summaries are the differences of the
mean prediction and of the mean absolute error. A classifier whose favourable
class is unknown (a multiclass model without ``pos_label``) has no selection
rate either: only counts and, with labels, accuracy.
"""

from fractions import Fraction

import numpy as np
import pandas as pd

REGRESSION_METRICS = (
    "count",
    "mean_prediction",
    "mean_absolute_error",
    "mean_squared_error",
)
LABEL_METRICS = ("count", "accuracy")
REGRESSION_SUMMARIES = ("mean_prediction_difference", "error_difference")
PARITY_KEYS = (
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "equalized_odds_difference",
)
NO_SELECTION_REGRESSOR = (
    "a regressor selects nobody, so selection rates and their parity are "
    "undefined; see mean_prediction_difference and error_difference"
)
NO_SELECTION_LABELS = (
    "the favourable class is unknown (the model's classes are {classes}), so "
    "selection rates, directions and their tests are undefined; pass "
    "pos_label=<the favourable class> to compare it with the rest"
)


def regression_flags(decision, truth):
    """Per-row values whose group sums the regression metrics need."""
    prediction = np.asarray(decision, dtype=float)
    flags = [prediction]
    if truth is not None:
        error = np.asarray(truth, dtype=float) - prediction
        flags += [np.abs(error), error * error]
    return flags


def label_flags(decision, truth):
    """Per-row values whose group sums the metrics of labels need."""
    return [] if truth is None else [np.asarray(truth) == np.asarray(decision)]


def _mean(total, weight):
    weight = Fraction(weight)
    return float(Fraction(total) / weight) if weight else np.nan


def _index(keys, names):
    if len(names) > 1:
        return pd.MultiIndex.from_tuples(keys, names=names)
    return pd.Index(keys, dtype=object, name=names[0])


def _table(rows, keys, names, columns):
    table = pd.DataFrame(rows, index=_index(keys, names), columns=list(columns))
    return table.astype({"count": np.int64})


def regression_metrics(groups, keys, names, *, has_y, undefined):
    """Return the regressor's group table and its two between-groups summaries.

    ``groups[key]`` is ``[count, weight, sum of predictions]`` and, with
    ``y``, ``[sum of absolute errors, sum of squared errors]`` (weighted
    sums when rows are weighted).
    """
    columns = REGRESSION_METRICS if has_y else REGRESSION_METRICS[:2]
    rows = []
    for key in keys:
        found = groups[key]
        row = {"count": found[0], "mean_prediction": _mean(found[2], found[1])}
        if has_y:
            row["mean_absolute_error"] = _mean(found[3], found[1])
            row["mean_squared_error"] = _mean(found[4], found[1])
        rows.append(row)
    table = _table(rows, keys, names, columns)
    for key in PARITY_KEYS:
        undefined[key] = NO_SELECTION_REGRESSOR
    zero = [key for key in keys if Fraction(groups[key][1]) == 0]
    if zero:
        reason = (
            f"group(s) {zero!r} have zero total sample_weight, so their means "
            "are undefined"
        )
        for key in REGRESSION_SUMMARIES:
            undefined[key] = reason
        return table, (None, None)
    means = table["mean_prediction"]
    difference = float(means.max() - means.min()) if len(table) else None
    errors = None
    if has_y and len(table):
        errors = float(
            table["mean_absolute_error"].max() - table["mean_absolute_error"].min()
        )
    elif not has_y:
        undefined["error_difference"] = "needs the true values y"
    return table, (difference, errors)


def label_metrics(groups, keys, names, *, has_y, classes, undefined):
    """Return the group table of a classifier without a favourable class."""
    rows = []
    for key in keys:
        found = groups[key]
        row = {"count": found[0]}
        if has_y:
            row["accuracy"] = _mean(found[2], found[1])
        rows.append(row)
    table = _table(rows, keys, names, LABEL_METRICS if has_y else LABEL_METRICS[:1])
    for key in PARITY_KEYS:
        undefined[key] = NO_SELECTION_LABELS.format(classes=classes)
    return table
