"""Regressors: the effect of twins on predictions, and group gaps of predictions.

A regressor (a credit limit, a premium, a salary) makes no yes/no decision:
what a twin changes is the prediction itself. Its primary measure is the
*effect*, the change ``twin prediction - row prediction``: its mean, signed
and absolute, and its quantiles, per direction (source value to target
value). :class:`EffectTally` gathers them chunk by chunk from exact sums and
:class:`~._sketch.QuantileSketch` counts, so they do not depend on how the
rows are split.

The group-gap functions are the regression counterparts of demographic
parity, as Fairlearn's ``MetricFrame(...).difference()`` computes them with
``mean_prediction`` and ``mean_absolute_error``.
"""

import numpy as np
import pandas as pd

from ._exact import exact_sum
from ._parity_inputs import _prepare
from ._sketch import QUANTILES, QuantileSketch

EFFECT_COLUMNS = (
    "mean_change",
    "mean_absolute_change",
    *(f"change_{name}" for name in ("q05", "median", "q95")),
)
ZERO_WEIGHT_GROUP = (
    "sample_weight sums to 0 within group(s) {groups!r}, so their mean is "
    "undefined. Give every group a positive total weight, or drop those rows."
)


def _group_means(values, codes, index, sample_weight):
    n_groups = len(index)
    totals = np.bincount(codes, weights=sample_weight, minlength=n_groups)
    if (totals == 0).any():
        raise ValueError(ZERO_WEIGHT_GROUP.format(groups=index[totals == 0].tolist()))
    weighted = values if sample_weight is None else values * sample_weight
    return np.bincount(codes, weights=weighted, minlength=n_groups) / totals


def mean_prediction_difference(
    y_true, y_pred, *, sensitive_features, sample_weight=None
):
    """Largest gap between the groups' mean predictions.

    Equals ``MetricFrame(metrics=fairlearn.metrics.mean_prediction, ...)
    .difference(method="between_groups")``: the regression counterpart of
    the demographic parity difference (0: every group gets the same mean
    prediction).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or None
        Ignored apart from its length.
    y_pred : array-like of shape (n_samples,)
        Predictions.
    sensitive_features : array-like of shape (n_samples,) or (n_samples, n_columns)
        Group of each sample.
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative sample weights.

    Returns
    -------
    float

    Examples
    --------
    >>> mean_prediction_difference(
    ...     None, [100.0, 200.0, 150.0, 250.0], sensitive_features=["a", "a", "b", "b"]
    ... )
    50.0
    """
    _, y_pred, codes, index, weights = _prepare(
        y_true, y_pred, sensitive_features, sample_weight, use_y_true=False
    )
    means = _group_means(np.asarray(y_pred, dtype=float), codes, index, weights)
    return float(means.max() - means.min())


def mean_absolute_error_difference(
    y_true, y_pred, *, sensitive_features, sample_weight=None
):
    """Largest gap between the groups' mean absolute errors.

    Equals ``MetricFrame(metrics=sklearn.metrics.mean_absolute_error, ...)
    .difference(method="between_groups")``.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True values.
    y_pred : array-like of shape (n_samples,)
        Predictions.
    sensitive_features : array-like of shape (n_samples,) or (n_samples, n_columns)
        Group of each sample.
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative sample weights.

    Returns
    -------
    float

    Examples
    --------
    >>> mean_absolute_error_difference(
    ...     [1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 4.0, 6.0],
    ...     sensitive_features=["a", "a", "b", "b"],
    ... )
    1.5
    """
    y_true, y_pred, codes, index, weights = _prepare(
        y_true, y_pred, sensitive_features, sample_weight, use_y_true=True
    )
    errors = np.abs(np.asarray(y_true, dtype=float) - np.asarray(y_pred, dtype=float))
    means = _group_means(errors, codes, index, weights)
    return float(means.max() - means.min())


class EffectTally:
    """The changes of a regressor's predictions, per direction, chunk by chunk.

    For each observed ``(source, target)`` pair of values: the number of
    pairs, exact sums of the signed and absolute changes, and a sketch of the
    signed changes; and over all pairs, a sketch of the absolute changes.
    Pairs count once each, unweighted, as the direction tables count them.
    """

    def __init__(self):
        self.cells = {}
        self.absolute = QuantileSketch()

    def update(self, source, target, change):
        """Add the pairs ``(source, target)`` and their ``change``."""
        change = np.asarray(change, dtype=float)
        if not len(change):
            return self
        self.absolute.add(np.abs(change))
        source_codes, sources = pd.factorize(np.asarray(source, dtype=object))
        target_codes, targets = pd.factorize(np.asarray(target, dtype=object))
        keys = source_codes.astype(np.int64) * len(targets) + target_codes
        found, inverse = np.unique(keys, return_inverse=True)
        for i, cell in enumerate(found):
            rows = inverse == i
            key = (sources[cell // len(targets)], targets[cell % len(targets)])
            mine = self.cells.setdefault(key, [0, 0, 0, QuantileSketch()])
            mine[0] += int(rows.sum())
            mine[1] += exact_sum(change[rows])
            mine[2] += exact_sum(np.abs(change[rows]))
            mine[3].add(change[rows])
        return self

    def merge(self, other):
        """Add the tally of the rows that follow."""
        for key, (n, total, absolute, sketch) in other.cells.items():
            mine = self.cells.setdefault(key, [0, 0, 0, QuantileSketch()])
            mine[0] += n
            mine[1] += total
            mine[2] += absolute
            mine[3].merge(sketch)
        self.absolute.merge(other.absolute)
        return self

    def columns(self, keys):
        """Return the effect columns for the direction rows ``keys``."""
        out = {column: [] for column in EFFECT_COLUMNS}
        for key in keys:
            n, total, absolute, sketch = self.cells.get(
                key, [0, 0, 0, QuantileSketch()]
            )
            out["mean_change"].append(float(total / n) if n else np.nan)
            out["mean_absolute_change"].append(float(absolute / n) if n else np.nan)
            for name in ("q05", "median", "q95"):
                value = sketch.quantile(QUANTILES[name])
                out[f"change_{name}"].append(np.nan if value is None else value)
        return out

    def quantiles(self):
        """Quantiles of the absolute change over all pairs (None without pairs)."""
        if not self.absolute.count:
            return None
        return self.absolute.quantiles()
