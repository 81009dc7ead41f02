"""Audit results as plain JSON-ready Python values.

Missing values (NaN, NaT, ``pd.NA``) become None (JSON null); infinite
numbers become the strings ``"inf"`` and ``"-inf"``, so that they stay
distinguishable from missing values and the text stays strict JSON.
"""

import datetime

import numpy as np
import pandas as pd

from ._plotting import label


def plain(value):
    """Return ``value`` as JSON-ready Python (see the module docstring)."""
    if isinstance(value, dict):
        return {label(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if np.isinf(value):
            return "inf" if value > 0 else "-inf"
        return None if np.isnan(value) else value
    if value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, datetime.date | pd.Timestamp):
        return value.isoformat()
    return str(value)


def records(frame, index=None):
    """Rows of ``frame`` as dicts, each value kept in its column's type."""
    columns = {c: frame[c].tolist() for c in frame.columns}
    out = [{c: plain(v[i]) for c, v in columns.items()} for i in range(len(frame))]
    if index is not None:
        out = [
            {index: label(g), **row} for g, row in zip(frame.index, out, strict=True)
        ]
    return out


def attribute_dict(found, keys):
    """Return an AttributeAudit's ``keys`` as plain values, tables as records."""
    out = {}
    for key in keys:
        value = getattr(found, key)
        if isinstance(value, pd.DataFrame):
            value = records(value, index="group" if key == "group_metrics" else None)
        out[key] = plain(value)
    return out
