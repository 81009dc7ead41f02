"""Evidence for an audit: the first flipped pairs, rebuilt and shown side by side."""

import numpy as np
import pandas as pd

from ._predictions import respond


def evidence(flips, name, columns, fitted, predictions, context):
    """Rebuild the first flipped pairs and show what their twins changed.

    A twin depends only on its row's label and the seed, so rebuilding the
    twins of a few rows gives back the twins that were predicted; the twins
    are predicted again so that the decisions shown are those of the twins
    shown.
    """
    columns_out = ["row", "attribute", "original", "new", "changes"]
    columns_out += ["decision", "twin_decision"]
    if predictions.original_score is not None:
        columns_out += ["score", "twin_score"]
    chosen = flips[: context.max_evidence]
    if not len(chosen):
        return pd.DataFrame(columns=columns_out)
    provenance = predictions.provenance
    positions = provenance["source_position"].to_numpy()[chosen]
    rows = np.unique(positions)
    # a frame keeps the rows' labels, which the twins are keyed on
    twins, rebuilt = fitted.make_twins(context.frame.iloc[rows], placebo=False)
    local = rebuilt["source_position"].to_numpy()
    rebuilt_new = rebuilt["new"].to_numpy(dtype=object)
    mine = rebuilt["attribute"].to_numpy(dtype=object) == name
    take, kept = [], []
    for position, new in zip(
        positions, provenance["new"].to_numpy(dtype=object)[chosen], strict=True
    ):
        here = np.flatnonzero(mine & (local == np.searchsorted(rows, position)))
        found = [j for j in here if rebuilt_new[j] == new]
        if found:  # always, unless random draws depend on chunk positions
            take.append(found[0])
            kept.append(position)
    positions = np.asarray(kept, dtype=np.int64)
    twin_rows = twins.iloc[take]
    if context.was_frame:
        shown = twin_rows
    else:
        shown = twin_rows.to_numpy(dtype=np.asarray(context.X).dtype)
    decision, score = respond(
        context.estimator, shown, context.method, context.pos_label
    )
    records = []
    for i, (position, j) in enumerate(zip(positions, take, strict=True)):
        before, after = context.frame.iloc[position], twin_rows.iloc[i]
        changes = {
            column: (before[column], after[column])
            for column in context.frame.columns
            if column not in columns and not _same(before[column], after[column])
        }
        record = {
            "row": context.frame.index[position],
            "attribute": name,
            "original": rebuilt["original"].iloc[j],
            "new": rebuilt_new[j],
            "changes": changes,
            "decision": predictions.original[position],
            "twin_decision": decision[i],
        }
        if score is not None:
            record["score"] = float(predictions.original_score[position])
            record["twin_score"] = float(score[i])
        if record["decision"] != record["twin_decision"]:
            records.append(record)
    return pd.DataFrame.from_records(records, columns=columns_out)


def _same(a, b):
    if pd.isna(a) is True and pd.isna(b) is True:
        return True
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False
