"""Inputs of the parity metrics: labels, sensitive groups and weights, checked.

Groups are encoded once with ``pd.factorize`` (one code per sample, groups
sorted as Fairlearn sorts them) so that ``_parity`` can count with ``bincount``.
"""

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ._validation import check_sample_weight

_DEFAULT_NAME = "sensitive_feature_{index}"
_LENGTH_MISMATCH = (
    "{param} has {length} rows but y_pred has {n_samples}; "
    "pass one value per prediction."
)
_MISSING_GROUP = (
    "sensitive_features column {name!r} contains missing values; every sample "
    "needs a group. Remove or replace them, for example with fillna('unknown')."
)


def _column_name(name, index):
    return _DEFAULT_NAME.format(index=index) if name is None else name


def _sensitive_columns(sensitive_features):
    """Split ``sensitive_features`` into a list of ``(name, 1-D values)``."""
    sf = sensitive_features
    if isinstance(sf, pd.DataFrame):
        return [(sf.columns[j], sf.iloc[:, j]) for j in range(sf.shape[1])]
    if getattr(sf, "ndim", None) == 1:  # Series, Index, Categorical, 1-D array
        return [(getattr(sf, "name", None), sf)]
    if isinstance(sf, Mapping):
        return list(sf.items())
    if isinstance(sf, list | tuple) and len(sf) > 0:
        scalar = [pd.api.types.is_scalar(value) for value in sf]
        if all(scalar):
            return [(None, pd.Series(list(sf)))]
        if not any(scalar):
            return [(None, column) for column in sf]
        raise ValueError(
            "sensitive_features must be one column of scalars or a list of "
            f"columns; got a list mixing scalars and sequences: {sf[:5]!r}."
        )
    array = np.asarray(sf)
    if array.ndim == 1:
        return [(None, array)]
    if array.ndim == 2:
        return [(None, array[:, j]) for j in range(array.shape[1])]
    raise ValueError(
        "sensitive_features must be 1-D (one column) or 2-D (n_samples, "
        f"n_columns); got an array of shape {array.shape!r}."
    )


def _encode_column(values, name):
    """Return integer codes and the sorted observed values of one column."""
    if isinstance(getattr(values, "dtype", None), pd.CategoricalDtype):
        categorical = pd.Categorical(values)
        codes = np.asarray(categorical.codes, dtype=np.intp)
        if (codes < 0).any():
            raise ValueError(_MISSING_GROUP.format(name=name))
        # Unused categories are not groups, and groups sort by value (as in
        # Fairlearn, which sees the values, not the categorical order).
        used = np.flatnonzero(np.bincount(codes, minlength=len(categorical.categories)))
        observed = categorical.categories[used]
        order = observed.argsort()
        remap = np.empty(len(categorical.categories), dtype=np.intp)
        remap[used[order]] = np.arange(len(used))
        return remap[codes], pd.Index(observed[order])
    if not hasattr(values, "dtype"):
        values = pd.Series(list(values))
    if isinstance(values, np.ndarray) and values.dtype.kind == "U":
        values = values.astype(object)  # factorize is much faster on objects
    try:
        codes, uniques = pd.factorize(values, sort=True)
    except TypeError as exc:
        raise ValueError(
            f"sensitive_features column {name!r} holds values that cannot be "
            f"sorted: {exc}. Convert the column to a single type."
        ) from exc
    if (codes < 0).any():
        raise ValueError(_MISSING_GROUP.format(name=name))
    return np.asarray(codes, dtype=np.intp), pd.Index(uniques)


def _encode_groups(sensitive_features, n_samples):
    """Encode one or several sensitive columns as intersectional group codes.

    Returns ``codes`` (one integer per sample, ``0 .. n_groups - 1``) and the
    index of the observed groups, sorted as Fairlearn sorts them; intersections
    that no sample belongs to are not groups.
    """
    columns = _sensitive_columns(sensitive_features)
    if not columns:
        raise ValueError("sensitive_features has no columns; pass at least one.")
    names, levels, codes, level_codes = [], [], None, []
    for j, (raw_name, values) in enumerate(columns):
        name = _column_name(raw_name, j)
        if np.ndim(values) != 1:
            raise ValueError(
                f"sensitive_features column {name!r} must be 1-D; got shape "
                f"{np.shape(values)!r}."
            )
        if len(values) != n_samples:
            raise ValueError(
                _LENGTH_MISMATCH.format(
                    param=f"sensitive_features column {name!r}",
                    length=len(values),
                    n_samples=n_samples,
                )
            )
        column_codes, uniques = _encode_column(values, name)
        names.append(name)
        levels.append(uniques)
        if codes is None:
            codes, level_codes = column_codes, [np.arange(len(uniques))]
            continue
        # Fold the new column into the intersection codes and keep only the
        # observed combinations, in lexicographic order.
        n_prev, n_new = len(level_codes[0]), len(uniques)
        key = codes * n_new + column_codes
        if n_prev * n_new <= max(n_samples, 1 << 20):
            present = np.flatnonzero(np.bincount(key, minlength=n_prev * n_new))
            remap = np.zeros(n_prev * n_new, dtype=np.intp)
            remap[present] = np.arange(len(present))
            codes = remap[key]
        else:
            present, codes = np.unique(key, return_inverse=True)
        level_codes = [lc[present // n_new] for lc in level_codes]
        level_codes.append(present % n_new)
    if len(columns) == 1:
        return codes, levels[0].rename(names[0])
    index = pd.MultiIndex(levels=levels, codes=level_codes, names=names)
    return codes, index


def _label_array(y, param):
    """Return ``y`` as a 1-D numeric array without missing values."""
    dtype = getattr(y, "dtype", None)
    if isinstance(dtype, pd.api.extensions.ExtensionDtype) and (
        pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)
    ):
        y = pd.array(y).to_numpy(dtype=float, na_value=np.nan)
    array = np.asarray(y)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1:
        raise ValueError(f"{param} must be 1-D; got shape {array.shape!r}.")
    if array.dtype.kind == "O" and pd.api.types.infer_dtype(array, skipna=False) in (
        "integer",
        "floating",
        "mixed-integer-float",
        "boolean",
    ):
        array = array.astype(float)
    if array.dtype.kind not in "biuf":
        raise ValueError(
            f"{param} must hold numeric or boolean labels (1 is the positive "
            f"label); got dtype {str(array.dtype)!r} with values such as "
            f"{array[:3].tolist()!r}. Encode the labels first, e.g. "
            f"{param} == 'approved'."
        )
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        raise ValueError(
            f"{param} contains missing or infinite values; every sample needs a "
            "finite label."
        )
    return array


def _prepare(y_true, y_pred, sensitive_features, sample_weight, *, use_y_true):
    """Validate the inputs; return labels, group codes, group index, weights."""
    y_pred = _label_array(y_pred, "y_pred")
    n_samples = len(y_pred)
    if n_samples == 0:
        raise ValueError("y_pred is empty; parity metrics need at least one sample.")
    if y_true is not None or use_y_true:
        if use_y_true:
            y_true = _label_array(y_true, "y_true")
        if len(y_true) != n_samples:
            raise ValueError(
                _LENGTH_MISMATCH.format(
                    param="y_true", length=len(y_true), n_samples=n_samples
                )
            )
    codes, index = _encode_groups(sensitive_features, n_samples)
    sample_weight = check_sample_weight(sample_weight, n_samples)
    return y_true, y_pred, codes, index, sample_weight
