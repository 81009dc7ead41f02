"""FlipTest's flipsets and transparency table, for twins that are other people.

Black, Yeom and Fredrikson (FAT* 2020) call the people whose decision differs
from their counterpart's a *flipset*: the rows a model favours because of their
group (favourable decision, unfavourable counterpart) and the rows it
disfavours. Their *transparency report* lists the features that differ most
between flipset members and their counterparts. Both need only the paired
decisions and the twins, so they work for any twin maker; the audit shows them
for makers whose twins change more than the protected and linked columns
(transport and causal twins).
"""

import numpy as np
import pandas as pd

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


def reports_flipsets(maker):
    """Whether the audit should show flipsets for twins of ``maker``."""
    return bool(getattr(maker, "_reports_flipsets", False))


def flipset_tables(name, columns, maker, predictions, frame, pos_label, max_features):
    """Return ``(flipsets, transparency)`` for the twins of factor ``name``.

    ``flipsets`` has one row per source and target value: pairs, rows
    advantaged (favourable decision, unfavourable counterpart) and
    disadvantaged, and their shares of the pairs. ``transparency`` has, per
    flipset, the features that differ most between members and their
    counterparts: the mean difference (counterpart minus member; for a
    category, the difference in the share of rows holding it), the same
    divided by the feature's standard deviation over the audited rows, and
    the share of pairs in which the feature differs.
    """
    mask = predictions.mask("twin", name)
    provenance = predictions.provenance
    pos = provenance["source_position"].to_numpy()[mask]
    original = provenance["original"].to_numpy(dtype=object)[mask]
    new = provenance["new"].to_numpy(dtype=object)[mask]
    row_favourable = predictions.original[pos] == pos_label
    twin_favourable = predictions.twin[mask] == pos_label
    advantaged = row_favourable & ~twin_favourable
    disadvantaged = ~row_favourable & twin_favourable
    pairs = pd.DataFrame(
        {
            "source": pd.Series(original, dtype=object),
            "target": pd.Series(new, dtype=object),
            "advantaged": advantaged,
            "disadvantaged": disadvantaged,
        }
    )
    keys = pairs["source"].map(repr) + "\x1f" + pairs["target"].map(repr)
    grouped = pairs.groupby(keys.to_numpy(), sort=False)
    flipsets = grouped.agg(
        source=("source", "first"),
        target=("target", "first"),
        n_pairs=("advantaged", "size"),
        advantaged=("advantaged", "sum"),
        disadvantaged=("disadvantaged", "sum"),
    ).reset_index(drop=True)
    flipsets["advantaged_share"] = flipsets["advantaged"] / flipsets["n_pairs"]
    flipsets["disadvantaged_share"] = flipsets["disadvantaged"] / flipsets["n_pairs"]
    counts = ("n_pairs", "advantaged", "disadvantaged")
    flipsets = flipsets.astype(dict.fromkeys(counts, int))
    members = np.flatnonzero(advantaged | disadvantaged)
    transparency = _transparency(
        name,
        columns,
        maker,
        frame,
        pos[members],
        new[members],
        np.where(advantaged[members], "advantaged", "disadvantaged"),
        max_features,
    )
    return flipsets.loc[:, list(FLIPSET_COLUMNS)], transparency


def _rebuilt_twins(name, maker, frame, pos, new):
    """Rebuild the twins of the pairs ``(pos, new)`` (twins depend on rows only)."""
    rows = np.unique(pos)
    twins, rebuilt = maker.make_twins(frame.iloc[rows], placebo=False)
    mine = (rebuilt["attribute"].to_numpy(dtype=object) == name) & (
        rebuilt["kind"].to_numpy(dtype=object) == "twin"
    )
    rebuilt_pos = rows[rebuilt["source_position"].to_numpy()[mine]]
    rebuilt_new = rebuilt["new"].to_numpy(dtype=object)[mine]
    codes, _ = pd.factorize(
        pd.Series(np.concatenate([new, rebuilt_new]).tolist(), dtype=object).map(repr)
    )
    n_codes = int(codes.max()) + 1 if len(codes) else 1
    wanted = pos.astype(np.int64) * n_codes + codes[: len(new)]
    have = rebuilt_pos.astype(np.int64) * n_codes + codes[len(new) :]
    where = pd.Index(have).get_indexer(wanted)
    return twins.iloc[np.flatnonzero(mine)[where]]


def _transparency(name, columns, maker, frame, pos, new, flipset, max_features):
    if not len(pos):
        return pd.DataFrame(columns=list(TRANSPARENCY_COLUMNS))
    twins = _rebuilt_twins(name, maker, frame, pos, new)
    records = []
    for column in frame.columns:
        if column in columns:
            continue
        before = frame[column]
        after = twins[column]
        numeric = pd.api.types.is_numeric_dtype(
            before.dtype
        ) and not pd.api.types.is_bool_dtype(before.dtype)
        for group in ("advantaged", "disadvantaged"):
            chosen = flipset == group
            if not chosen.any():
                continue
            b = before.iloc[pos[chosen]]
            a = after.iloc[np.flatnonzero(chosen)]
            changed = _differs(b.to_numpy(dtype=object), a.to_numpy(dtype=object))
            if not changed.any():
                continue
            if numeric:
                scale = float(before.astype(float).std())
                difference = float(
                    np.mean(a.to_numpy(dtype=float) - b.to_numpy(dtype=float))
                )
                records.append(
                    _record(group, column, chosen, difference, scale, changed)
                )
                continue
            b_values, a_values = b.to_numpy(dtype=object), a.to_numpy(dtype=object)
            for level in pd.unique(np.concatenate([b_values, a_values])):
                share_after = np.mean(a_values == level)
                difference = float(share_after - np.mean(b_values == level))
                if difference:
                    label = f"{column} = {level}"
                    records.append(
                        _record(group, label, chosen, difference, 1.0, changed)
                    )
    table = pd.DataFrame.from_records(records, columns=list(TRANSPARENCY_COLUMNS))
    if table.empty:
        return table
    table["_order"] = -table["standardized_difference"].abs()
    table = table.sort_values(["flipset", "_order"], kind="stable")
    table = table.groupby("flipset", sort=False).head(max_features)
    return table.drop(columns="_order").reset_index(drop=True)


def _record(group, feature, chosen, difference, scale, changed):
    return {
        "flipset": group,
        "feature": feature,
        "n_pairs": int(chosen.sum()),
        "mean_difference": difference,
        "standardized_difference": difference / scale if scale > 0 else 0.0,
        "share_changed": float(np.mean(changed)),
    }


def _differs(before, after):
    """Elementwise: whether two object arrays differ (two missing values do not)."""
    same = np.asarray(before == after, dtype=bool)
    return ~(same | (pd.isna(before) & pd.isna(after)))
