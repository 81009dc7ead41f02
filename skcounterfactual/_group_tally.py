"""Group metrics of an audit, gathered chunk by chunk: per-group counts and sums.

A :class:`GroupTally` keeps, per group of the original rows (a value, a tuple
of values for an intersection, or the bin of a numeric attribute's value), the
row count and exact sums of weights and of the flags the group metrics need:
selections and confusion counts for a classifier with a favourable class
(``_group_metrics``), predictions and errors for a regressor, correct labels
for a classifier without one (``_group_sums``). Tallies of consecutive chunks
or of Dask partitions add up, so the metrics do not depend on the split.
"""

import numpy as np
import pandas as pd

from ._exact import exact_sums_by_group
from ._group_metrics import continuous_reason, metrics_from_counts
from ._group_sums import (
    label_flags,
    label_metrics,
    regression_flags,
    regression_metrics,
)
from ._ordinal import assign_bins, bin_labels

MAX_TRACKED_VALUES = 10_000


class GroupTally:
    """Per-group counts and sums of one audited factor (see the module docstring).

    Parameters
    ----------
    columns : list
        The protected column(s).
    mode : {"binary", "labels", "regression"}
        The kind of model (see :class:`~._tally.FactorTally`).
    pos_label : label or None
        The favourable decision (``mode="binary"``).
    bins : list or None, default=None
        Edges that bin a numeric attribute's values.
    classes : list or str, default=None
        The estimator's classes, to say why a favourable class is missing.
    """

    def __init__(self, columns, mode, pos_label, *, bins=None, classes=None):
        self.columns = list(columns)
        self.mode = mode
        self.pos_label = pos_label
        self.bins = bins
        self.bin_labels = None if bins is None else bin_labels(bins)
        self.classes = classes
        self.groups = {}
        self.distinct = [set() for _ in self.columns]
        self.too_many_groups = False

    def update(self, chunk, y, weights):
        """Per-group counts (and sums) of the original rows, for group metrics.

        A binned attribute's rows are grouped by the bin of their value.
        Returns the number of rows skipped for a missing protected value.
        """
        codes, uniques = [], []
        for column in self.columns:
            values = chunk.rows[column]
            if self.bins is not None:
                values = self._binned(values)
            c, u = pd.factorize(values, use_na_sentinel=True)
            codes.append(c)
            uniques.append([_plain(v) for v in u])
        present = np.logical_and.reduce([c >= 0 for c in codes])
        n_missing = int((~present).sum())
        for seen, c, u in zip(self.distinct, codes, uniques, strict=True):
            if len(seen) <= MAX_TRACKED_VALUES:
                used = np.flatnonzero(np.bincount(c[present], minlength=len(u)))
                seen.update(u[i] for i in used)
        if self.too_many_groups:
            return n_missing
        keys, group_of = _group_codes([c[present] for c in codes], uniques)
        decision = chunk.original[present]
        flags = [np.ones(len(decision), dtype=bool)]
        truth = None if y is None else y[present]
        if self.mode == "regression":
            flags += regression_flags(decision, truth)
        elif self.mode == "labels":
            flags += label_flags(decision, truth)
        else:
            selected = decision == self.pos_label
            flags.append(selected)
            if y is not None:
                positive = truth == self.pos_label
                flags += [
                    truth == decision,
                    positive,
                    positive & selected,
                    ~positive,
                    ~positive & selected,
                ]
        counts = np.bincount(group_of, minlength=len(keys))
        w = None if weights is None else weights[present]
        sums = []
        for flag in flags:
            if flag.dtype.kind == "b" and w is None:
                # counts as float64 are exact (below 2**53), without a copy
                found = np.bincount(group_of, weights=flag, minlength=len(keys))
                sums.append(found.astype(np.int64).tolist())
            elif flag.dtype.kind == "b":
                sums.append(
                    exact_sums_by_group(np.where(flag, w, 0.0), group_of, len(keys))
                )
            else:  # a regressor's predictions and errors, summed exactly
                values = flag if w is None else flag * w
                sums.append(exact_sums_by_group(values, group_of, len(keys)))
        for g, key in enumerate(keys):
            found = self.groups.setdefault(key, [0] * (len(flags) + 1))
            found[0] += int(counts[g])
            for j in range(len(flags)):
                found[j + 1] += sums[j][g]
        if len(self.groups) > MAX_TRACKED_VALUES:
            self.too_many_groups = True
            self.groups = {}
        return n_missing

    def _binned(self, values):
        """Return the bin label of each value (None where missing)."""
        missing = values.isna().to_numpy()
        labels = np.full(len(values), None, dtype=object)
        labels[~missing] = assign_bins(
            values.to_numpy()[~missing], self.bins, self.bin_labels
        )
        return pd.Series(labels, index=values.index, dtype=object)

    def merge(self, other):
        """Add the tally of the rows that follow."""
        for seen, more in zip(self.distinct, other.distinct, strict=True):
            if len(seen) <= MAX_TRACKED_VALUES:
                seen.update(more)
        self.too_many_groups |= other.too_many_groups
        if not self.too_many_groups:
            for key, found in other.groups.items():
                mine = self.groups.setdefault(key, [0] * len(found))
                for j, value in enumerate(found):
                    mine[j] += value
            if len(self.groups) > MAX_TRACKED_VALUES:
                self.too_many_groups = True
        if self.too_many_groups:
            self.groups = {}
        return self

    def finish(self, has_y, given_domains, undefined):
        """Return the group metrics, parity summaries and a regressor's gaps."""
        reason = None
        if self.bins is None:
            for column, seen in zip(self.columns, self.distinct, strict=True):
                reason = reason or continuous_reason(
                    column, seen, (given_domains or {}).get(column)
                )
        if reason is None and self.too_many_groups:
            reason = (
                f"more than {MAX_TRACKED_VALUES:,} groups; bin the protected "
                "column(s) to compute group metrics"
            )
        names = [str(c) for c in self.columns]
        if self.mode == "binary" or reason is not None:
            groups, parity = metrics_from_counts(
                self.groups, names, has_y=has_y, undefined=undefined, reason=reason
            )
            if reason is not None and self.mode == "regression":
                for key in ("mean_prediction_difference", "error_difference"):
                    undefined[key] = reason
            return self.group_order(groups), parity, (None, None)
        keys = self._group_order()
        if self.mode == "regression":
            groups, regression = regression_metrics(
                self.groups, keys, names, has_y=has_y, undefined=undefined
            )
            return groups, (None, None, None), regression
        groups = label_metrics(
            self.groups,
            keys,
            names,
            has_y=has_y,
            classes=self.classes,
            undefined=undefined,
        )
        return groups, (None, None, None), (None, None)

    def _group_order(self):
        keys = list(self.groups)
        if self.bin_labels is not None:
            rank = {label: i for i, label in enumerate(self.bin_labels)}
            return sorted(keys, key=lambda key: rank.get(key, len(rank)))
        try:
            return sorted(keys)
        except TypeError:
            return sorted(keys, key=repr)

    def group_order(self, table):
        """Put a binned attribute's groups in the order of their bins."""
        if self.bin_labels is None or not len(table):
            return table
        return table.reindex([b for b in self.bin_labels if b in table.index])


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def _group_codes(codes, uniques):
    """Group of each row from per-column codes: ``(keys, group codes)``.

    Keys are values (one column) or tuples of values, of the groups present.
    """
    if len(codes) == 1:
        used = np.flatnonzero(np.bincount(codes[0], minlength=len(uniques[0])))
        remap = np.full(len(uniques[0]), -1, dtype=np.int64)
        remap[used] = np.arange(len(used))
        return [uniques[0][i] for i in used], remap[codes[0]]
    combined = np.zeros(len(codes[0]), dtype=np.int64)
    for c, u in zip(codes, uniques, strict=True):
        combined = combined * len(u) + c
    found, group_of = np.unique(combined, return_inverse=True)
    keys = []
    for value in found:
        parts = []
        for u in reversed(uniques):
            value, i = divmod(int(value), len(u))
            parts.append(u[i])
        keys.append(tuple(reversed(parts)))
    return keys, group_of
