"""Input checks shared by the estimators, scorers and reports.

Messages used in more than one place are module constants so that tests can
assert them with ``re.escape``.
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


def is_sparse(X):
    """Return True when ``X`` is a scipy sparse matrix or array."""
    try:
        import scipy.sparse as sp
    except ImportError:  # pragma: no cover - scipy ships with scikit-learn
        return False
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
        return [value]
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


def check_sample_weight(sample_weight, n_samples):
    """Validate ``sample_weight``: 1-D, finite, non-negative, right length."""
    if sample_weight is None:
        return None
    weights = np.asarray(sample_weight, dtype=float)
    if weights.ndim != 1 or weights.shape[0] != n_samples:
        raise ValueError(
            f"sample_weight must be 1-D with one weight per row of X "
            f"({n_samples}), got shape {weights.shape!r}."
        )
    if not np.all(np.isfinite(weights)) or np.any(weights < 0):
        raise ValueError(
            "sample_weight must be finite and non-negative; got "
            f"{int(np.sum(~np.isfinite(weights)))} non-finite and "
            f"{int(np.sum(weights < 0))} negative weights."
        )
    if weights.sum() <= 0:
        raise ValueError("sample_weight sums to zero; at least one row must count.")
    return weights
