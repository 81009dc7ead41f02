"""Data given back in the kind it came in: pandas, other dataframes, arrays, lists.

Twin makers work on pandas. A frame of another library that narwhals knows
(polars, pyarrow, ...) is converted to pandas on the way in (``as_frame``) and
its twins are converted back here, to the input's library and schema; arrays
come back as arrays of the input's dtype; ``fit_resample`` gives lists for
lists, as imbalanced-learn's samplers do. Labels copied to twins keep the kind
of ``y``: a pandas or polars Series or DataFrame, an array (1-D or 2-D) or a
list.
"""

import narwhals.stable.v1 as nw
import numpy as np
import pandas as pd

from ._frames import concat_frames


def other_frame(X):
    """Return ``X`` as a narwhals DataFrame if it is a non-pandas eager frame."""
    if isinstance(X, pd.DataFrame | pd.Series | np.ndarray | list | tuple):
        return None
    frame = nw.from_native(X, eager_only=True, pass_through=True)
    if isinstance(frame, nw.DataFrame) and not frame.implementation.is_pandas():
        return frame
    return None


def like_input(frame, X):
    """Return ``frame`` (pandas, with the columns of ``X``) in the kind of ``X``.

    A pandas ``X`` gets the frame itself; a frame of another library gets a
    frame of that library with ``X``'s schema (the index, which such
    libraries do not have, is dropped); anything else gets an array of
    ``X``'s dtype.
    """
    if isinstance(X, pd.DataFrame):
        return frame
    native = other_frame(X)
    if native is None:
        return frame.to_numpy(dtype=np.asarray(X).dtype)
    table = nw.from_native(frame.reset_index(drop=True), eager_only=True).to_arrow()
    out = nw.from_arrow(table, native_namespace=nw.get_native_namespace(native))
    return out.with_columns(
        nw.col(name).cast(dtype) for name, dtype in native.schema.items()
    ).to_native()


def append_rows(X, twins):
    """Return the rows of ``X`` followed by ``twins`` (already of ``X``'s kind)."""
    if isinstance(X, pd.DataFrame):
        return concat_frames([X, twins])
    native = other_frame(X)
    if native is not None:
        return nw.concat([native, nw.from_native(twins, eager_only=True)]).to_native()
    out = np.concatenate([np.asarray(X), twins])
    return out.tolist() if isinstance(X, list) else out


def take_rows(y, positions, index=None):
    """Return the rows ``positions`` of ``y``, in the kind of ``y``.

    A pandas ``y`` gets ``index`` as its index when one is given (the index
    of the rows the labels go with).
    """
    if isinstance(y, pd.Series | pd.DataFrame):
        out = y.iloc[positions]
        return out if index is None else out.set_axis(index, axis=0)
    if isinstance(y, list):
        return [y[i] for i in positions.tolist()]
    native = nw.from_native(y, eager_only=True, allow_series=True, pass_through=True)
    if isinstance(native, nw.DataFrame | nw.Series):
        return native[positions].to_native()
    return np.asarray(y)[positions]
