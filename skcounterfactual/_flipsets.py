"""FlipTest's flipsets and transparency table, for twins that are other people.

Black, Yeom and Fredrikson (FAT* 2020) call the people whose decision differs
from their counterpart's a *flipset*: the rows a model favours because of their
group (favourable decision, unfavourable counterpart) and the rows it
disfavours. Their *transparency report* lists the features that differ most
between flipset members and their counterparts. Both need only the paired
decisions and the twins, so they work for any twin maker; the audit shows them
for makers whose twins change more than the protected and linked columns
(transport and causal twins, which set ``_reports_flipsets``).

:class:`FlipsetTally` gathers them chunk by chunk, like the rest of the audit:
per flipset and feature, the pairs, the pairs whose feature differs and exact
sums of the differences (per level for categories), and per numeric feature
the sums that give its standard deviation over the audited rows.
"""

from fractions import Fraction

import numpy as np
import pandas as pd

from ._exact import exact_sum

FLIPSET_COLUMNS = (
    "source",
    "target",
    "n_pairs",
    "advantaged",
    "disadvantaged",
    "advantaged_share",
    "disadvantaged_share",
)
TRANSPARENCY_COLUMNS = (
    "flipset",
    "feature",
    "n_pairs",
    "mean_difference",
    "standardized_difference",
    "share_changed",
)
DEFAULT_MAX_FEATURES = 10
GROUPS = ("advantaged", "disadvantaged")


def reports_flipsets(maker):
    """Whether the audit should show flipsets for twins of ``maker``."""
    return bool(getattr(maker, "_reports_flipsets", False))


def flipsets_from_direction(direction):
    """Return the flipsets table from the audit's direction table.

    A row is advantaged by its group when its decision is favourable and its
    twin's is not (``favourable_to_unfavourable``), disadvantaged in the
    opposite case.
    """
    n = direction["n_pairs"].to_numpy()
    advantaged = direction["favourable_to_unfavourable"].to_numpy()
    disadvantaged = direction["unfavourable_to_favourable"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        return pd.DataFrame(
            {
                "source": direction["source"],
                "target": direction["target"],
                "n_pairs": n.astype(int),
                "advantaged": advantaged.astype(int),
                "disadvantaged": disadvantaged.astype(int),
                "advantaged_share": np.where(n > 0, advantaged / n, 0.0),
                "disadvantaged_share": np.where(n > 0, disadvantaged / n, 0.0),
            },
            columns=list(FLIPSET_COLUMNS),
        )


def _is_numeric(dtype):
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(
        dtype
    )


def _differs(before, after):
    """Elementwise: whether two object arrays differ (two missing values do not)."""
    same = np.asarray(before == after, dtype=bool)
    return ~(same | (pd.isna(before) & pd.isna(after)))


class FlipsetTally:
    """Sums behind the transparency table of one audited factor."""

    def __init__(self, columns):
        self.columns = list(columns)
        self.pairs = dict.fromkeys(GROUPS, 0)
        self.features = {}  # (group, feature) -> [n_changed, sum or {level: d}]
        self.scales = {}  # numeric column -> [n, sum, sum of squares]
        self.frame_columns = None

    def update(self, chunk, mask, pos_label):
        """Add the pairs of one chunk (``mask`` selects the factor's twins)."""
        rows = chunk.rows
        if self.frame_columns is None:
            self.frame_columns = list(rows.columns)
        for column in rows.columns:
            if column in self.columns or not _is_numeric(rows[column].dtype):
                continue
            values = rows[column].to_numpy(dtype=float, na_value=np.nan)
            values = values[np.isfinite(values)]
            found = self.scales.setdefault(column, [0, Fraction(0), Fraction(0)])
            found[0] += len(values)
            found[1] += exact_sum(values)
            found[2] += exact_sum(values * values)
        positions = chunk.provenance["source_position"].to_numpy()
        twin_index = np.flatnonzero(mask)
        row_fav = chunk.original[positions[twin_index]] == pos_label
        twin_fav = chunk.twin[twin_index] == pos_label
        for group, chosen in zip(
            GROUPS, (row_fav & ~twin_fav, ~row_fav & twin_fav), strict=True
        ):
            if chosen.any():
                self._update_group(chunk, group, twin_index[chosen], positions)

    def _update_group(self, chunk, group, twins, positions):
        self.pairs[group] += len(twins)
        members = chunk.rows.iloc[positions[twins]]
        counterparts = chunk.twins.iloc[twins]
        for column in chunk.rows.columns:
            if column in self.columns:
                continue
            before = members[column].to_numpy(dtype=object)
            after = counterparts[column].to_numpy(dtype=object)
            changed = _differs(before, after)
            if not changed.any():
                continue
            key = (group, column)
            if key not in self.features:
                numeric = _is_numeric(chunk.rows[column].dtype)
                self.features[key] = [0, Fraction(0) if numeric else {}]
            found = self.features[key]
            found[0] += int(changed.sum())
            if isinstance(found[1], Fraction):
                difference = pd.to_numeric(pd.Series(after), errors="coerce").to_numpy(
                    dtype=float
                ) - pd.to_numeric(pd.Series(before), errors="coerce").to_numpy(
                    dtype=float
                )
                found[1] += exact_sum(difference[np.isfinite(difference)])
                continue
            for level in pd.unique(np.concatenate([before, after])):
                delta = int((after == level).sum()) - int((before == level).sum())
                if delta:
                    found[1][level] = found[1].get(level, 0) + delta

    def merge(self, other):
        """Add the sums of the rows that follow these rows."""
        for group in GROUPS:
            self.pairs[group] += other.pairs[group]
        for column, (n, total, squares) in other.scales.items():
            found = self.scales.setdefault(column, [0, Fraction(0), Fraction(0)])
            found[0] += n
            found[1] += total
            found[2] += squares
        if self.frame_columns is None:
            self.frame_columns = other.frame_columns
        for key, (n_changed, sums) in other.features.items():
            if key not in self.features:
                empty = Fraction(0) if isinstance(sums, Fraction) else {}
                self.features[key] = [0, empty]
            found = self.features[key]
            found[0] += n_changed
            if isinstance(sums, Fraction):
                found[1] += sums
            else:
                for level, delta in sums.items():
                    found[1][level] = found[1].get(level, 0) + delta
        return self

    def _scale(self, column):
        n, total, squares = self.scales.get(column, (0, 0, 0))
        if n < 2:
            return 0.0
        variance = (Fraction(squares) - Fraction(total) ** 2 / n) / (n - 1)
        return float(max(variance, Fraction(0))) ** 0.5

    def _records(self):
        """Per flipset and feature, in column order (levels by their repr)."""
        columns = self.frame_columns or []
        for group in GROUPS:
            for column in columns:
                if (group, column) not in self.features:
                    continue
                n_pairs = self.pairs[group]
                n_changed, sums = self.features[(group, column)]
                share = n_changed / n_pairs
                if isinstance(sums, Fraction):
                    difference = float(sums / n_pairs)
                    yield group, column, n_pairs, difference, self._scale(column), share
                    continue
                for level in sorted(sums, key=repr):
                    if sums[level]:
                        feature = f"{column} = {level}"
                        yield group, feature, n_pairs, sums[level] / n_pairs, 1.0, share

    def transparency(self, max_features=DEFAULT_MAX_FEATURES):
        """Return the transparency table: per flipset, the most different features."""
        table = pd.DataFrame.from_records(
            [
                {
                    "flipset": group,
                    "feature": feature,
                    "n_pairs": int(n),
                    "mean_difference": difference,
                    "standardized_difference": (
                        difference / scale if scale > 0 else 0.0
                    ),
                    "share_changed": float(share),
                }
                for group, feature, n, difference, scale, share in self._records()
            ],
            columns=list(TRANSPARENCY_COLUMNS),
        )
        if table.empty:
            return table
        table["_order"] = -table["standardized_difference"].abs()
        table = table.sort_values(["_order"], kind="stable")
        table["_group"] = table["flipset"].map(GROUPS.index)
        table = table.sort_values(["_group"], kind="stable")
        table = table.groupby("flipset", sort=False).head(max_features)
        return table.drop(columns=["_order", "_group"]).reset_index(drop=True)
