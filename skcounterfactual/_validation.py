"""One validator per input, shared by the twin makers, scorers, audit and reports.

Messages used in more than one place are module constants so that tests can
assert them with ``re.escape``. Every message names the parameter, says what is
allowed and shows what was received.
"""

import numbers

import numpy as np
import pandas as pd

MISSING_COLUMN = (
    "{param}={column!r} is not a column of X. Available columns: {available!r}."
)
SPARSE_INPUT = (
    "X is a sparse matrix ({kind}); counterfactual twins need a dense table. "
    "Pass a pandas DataFrame or a dense array (X.toarray())."
)
NOT_TABULAR = (
    "X must be a pandas DataFrame or a 2-D array, got {kind} with shape {shape!r}."
)
EMPTY_INPUT = "X has no rows; counterfactual twins need at least one row."
NOT_FITTED_ESTIMATOR = (
    "The estimator {estimator!r} is not fitted. Fit it before computing "
    "counterfactual scores."
)
NOT_BOOL = "{param} must be True or False, got {value!r}."
NOT_POSITIVE_INT = "{param} must be a positive integer, got {value!r}."
NOT_NON_NEGATIVE_INT = "{param} must be a non-negative integer, got {value!r}."
TOO_SMALL_INT = "{param} must be an integer of at least {minimum}, got {value!r}."
NOT_ONE_OF = "{param} must be one of {allowed!r}, got {value!r}."
BAD_SAMPLE_WEIGHT_SHAPE = (
    "sample_weight must be 1-D with one weight per row of X ({n_samples}), got "
    "shape {shape!r}."
)
BAD_SAMPLE_WEIGHT_VALUES = (
    "sample_weight must be finite and non-negative; got {n_bad} non-finite and "
    "{n_negative} negative weights."
)
ZERO_SAMPLE_WEIGHT = "sample_weight sums to zero; at least one row must count."
MIN_WEIGHT, MAX_WEIGHT = 1e-150, 1e150  # squares of weights stay normal floats
BAD_Y_SHAPE = (
    "y must be 1-D with one label per row of X ({n_samples}), got shape {shape!r}."
)
Y_REQUIRED = "{what} needs y: {why}."
BAD_CONFIDENCE = (
    "confidence must be a number strictly between 0 and 1, such as 0.95; "
    "got {confidence!r}."
)
RESPONSE_METHODS = ("predict_proba", "decision_function")


def shown(value):
    """Return ``value`` as it should read in a message: numpy scalars as Python.

    ``np.int64(3)`` reads ``3``, and containers show their items the same way,
    so a message never shows a NumPy repr such as ``[np.int64(0)]``.
    """
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, list):
        return [shown(v) for v in value]
    if isinstance(value, tuple):
        return tuple(shown(v) for v in value)
    if isinstance(value, dict):
        return {shown(k): shown(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return [shown(v) for v in value.tolist()]
    return value


def is_sparse(X):
    """Return True when ``X`` is a scipy sparse matrix or array."""
    import scipy.sparse as sp

    return sp.issparse(X)


def as_frame(X):
    """Return ``(frame, was_frame)`` for a DataFrame or a 2-D array.

    Arrays become DataFrames with integer column labels ``0 .. p-1`` so that
    protected attributes can be named by position. The caller's data is never
    modified.

    Parameters
    ----------
    X : DataFrame or array-like of shape (n_samples, n_features)
        The table.

    Returns
    -------
    frame : DataFrame
        ``X`` itself when it is a DataFrame, else a new frame.
    was_frame : bool
        Whether ``X`` was a DataFrame.

    Examples
    --------
    >>> import numpy as np
    >>> frame, was_frame = as_frame(np.zeros((2, 3)))
    >>> list(frame.columns), was_frame
    ([0, 1, 2], False)
    """
    if isinstance(X, pd.DataFrame):
        duplicated = []
        if not X.columns.is_unique:
            duplicated = X.columns[X.columns.duplicated()].unique().tolist()
        if duplicated:
            raise ValueError(
                f"X has duplicated column names {duplicated!r}; twins need one "
                "column per name. Rename or drop the duplicates."
            )
        return X, True
    if is_sparse(X):
        raise TypeError(SPARSE_INPUT.format(kind=type(X).__name__))
    if isinstance(X, pd.Series):
        raise ValueError(
            NOT_TABULAR.format(kind="a pandas Series", shape=X.shape)
            + " Use X.to_frame() for a single column."
        )
    if hasattr(X, "to_pandas") and not isinstance(X, np.ndarray):
        # polars, pyarrow tables and other dataframe libraries
        return X.to_pandas(), True
    array = np.asarray(X)
    if array.ndim != 2:
        raise ValueError(
            NOT_TABULAR.format(kind=type(X).__name__, shape=array.shape)
            + " Reshape a single feature with X.reshape(-1, 1)."
        )
    return pd.DataFrame(array), False


def check_columns(frame, columns, param):
    """Raise a ``ValueError`` naming ``param`` if a column is missing."""
    available = list(frame.columns)
    for column in columns:
        if column not in frame.columns:
            raise ValueError(
                MISSING_COLUMN.format(param=param, column=column, available=available)
            )


def as_column_list(value, param):
    """Normalise a column name or a list of names into a list."""
    if value is None:
        raise ValueError(
            f"{param} is required: name the protected column(s) of X, e.g. "
            f"{param}='gender' or {param}=['gender', 'age'] (integer positions "
            "for arrays)."
        )
    if isinstance(value, str | numbers.Integral) or np.isscalar(value):
        return [value.item() if isinstance(value, np.generic) else value]
    if isinstance(value, tuple | list | pd.Index | np.ndarray):
        values = list(value)
        if not values:
            raise ValueError(f"{param} must name at least one column, got {value!r}.")
        if len(set(map(repr, values))) != len(values):
            raise ValueError(f"{param} names a column twice: {value!r}.")
        return values
    raise TypeError(
        f"{param} must be a column name, an integer position or a list of them, "
        f"got {type(value).__name__}: {value!r}."
    )


def check_bool(value, param):
    """Return ``value`` as a bool; refuse anything but True and False."""
    if isinstance(value, bool | np.bool_):
        return bool(value)
    raise ValueError(NOT_BOOL.format(param=param, value=shown(value)))


def check_positive_int(value, param, *, allow_none=False, minimum=1):
    """Return ``value`` as an int >= ``minimum``; numpy integers are accepted."""
    if value is None and allow_none:
        return None
    if (
        isinstance(value, numbers.Integral)
        and not isinstance(value, bool | np.bool_)
        and int(value) >= minimum
    ):
        return int(value)
    message = NOT_POSITIVE_INT if minimum >= 1 else NOT_NON_NEGATIVE_INT
    if minimum > 1:
        message = TOO_SMALL_INT.replace("{minimum}", f"{minimum}")
    if allow_none:
        message = message.replace("must be", "must be None or")
    raise ValueError(message.format(param=param, value=shown(value)))


def check_option(value, allowed, param):
    """Return ``value`` if it is one of ``allowed``."""
    if isinstance(value, str | bool | type(None)) and value in allowed:
        return value
    raise ValueError(
        NOT_ONE_OF.format(param=param, allowed=allowed, value=shown(value))
    )


def check_sample_weight(sample_weight, n_samples, *, allow_zero_sum=False):
    """Validate ``sample_weight``: 1-D, finite, non-negative, right length.

    A total of zero is refused unless ``allow_zero_sum`` (one partition of a
    larger table may weigh nothing).
    """
    if sample_weight is None:
        return None
    try:
        raw = np.asarray(sample_weight)
        numbers_only = raw.dtype.kind in "biuf" or (
            raw.dtype.kind == "O"
            and not any(isinstance(v, str | bytes) for v in raw.ravel().tolist())
        )
        if not numbers_only:
            raise TypeError
        weights = np.asarray(sample_weight, dtype=float)
    except (TypeError, ValueError):
        raw = np.asarray(sample_weight, dtype=object)
        first = raw.ravel()[0] if raw.size else raw
        raise ValueError(
            "sample_weight must hold numbers, one weight per row of X; got "
            f"values such as {shown(first)!r}."
        ) from None
    if weights.ndim != 1 or weights.shape[0] != n_samples:
        raise ValueError(
            BAD_SAMPLE_WEIGHT_SHAPE.format(n_samples=n_samples, shape=weights.shape)
        )
    if not np.all(np.isfinite(weights)) or np.any(weights < 0):
        raise ValueError(
            BAD_SAMPLE_WEIGHT_VALUES.format(
                n_bad=int(np.sum(~np.isfinite(weights))),
                n_negative=int(np.sum(weights < 0)),
            )
        )
    positive = weights[weights > 0]
    extreme = int(np.count_nonzero((positive < MIN_WEIGHT) | (positive > MAX_WEIGHT)))
    if extreme:
        raise ValueError(
            f"sample_weight holds {extreme} positive weight(s) outside "
            f"[{MIN_WEIGHT:g}, {MAX_WEIGHT:g}], whose squares (in the intervals' "
            "effective sample size) underflow or overflow; rescale the weights "
            "(only their ratios matter)."
        )
    with np.errstate(over="ignore"):
        total = weights.sum()
    if not np.isfinite(total):
        raise ValueError(
            f"sample_weight sums to {shown(total)!r}; rescale the weights (only their "
            "ratios matter)."
        )
    if total <= 0 and not allow_zero_sum:
        raise ValueError(ZERO_SAMPLE_WEIGHT)
    return weights


def check_y(y, n_samples, *, required=False, what="fit_resample"):
    """Validate ``y``: None (unless required) or 1-D with one label per row."""
    if y is None:
        if required:
            raise ValueError(
                Y_REQUIRED.format(what=what, why="each twin copies its source's label")
            )
        return None
    values = np.asarray(y)
    if values.ndim != 1 or values.shape[0] != n_samples:
        raise ValueError(BAD_Y_SHAPE.format(n_samples=n_samples, shape=values.shape))
    return values


def check_confidence(confidence):
    """Return ``confidence`` as a float strictly between 0 and 1."""
    if (
        isinstance(confidence, bool | np.bool_)
        or not isinstance(confidence, numbers.Real)
        or not 0 < confidence < 1
    ):
        raise ValueError(BAD_CONFIDENCE.format(confidence=shown(confidence)))
    return float(confidence)


def check_response_method(value, *, allowed=("auto", *RESPONSE_METHODS)):
    """Validate a ``response_method`` parameter."""
    return check_option(value, allowed, "response_method")
