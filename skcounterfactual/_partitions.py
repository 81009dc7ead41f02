"""The rows to audit: a pandas frame or an array here, or a Dask DataFrame's partitions.

Scores and audits are sums over rows, computed chunk by chunk. :class:`Rows`
hands the rows (with their labels and weights) to a piece of work and returns
one result per partition: a single result for pandas and numpy input; for a
``dask.dataframe.DataFrame``, one per partition, computed on the workers, in
partition order. Twins depend only on a row's label, so partitions give the
same twins as the whole table, and results merged in order equal the
one-machine run.
"""

import numpy as np
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from ._augmenter import resolve_twin_maker
from ._keys import label_hashes
from ._protocol import check_twin_maker
from ._validation import (
    as_column_list,
    as_frame,
    check_columns,
    check_sample_weight,
    check_y,
)

DASK_NEEDS_FITTED = (
    "With a Dask DataFrame, pass a fitted augmenter (fit it on the training "
    "data, or on a sample computed to pandas), or protected= for a default "
    "one; got an unfitted {kind}."
)
PARTITION_ROWS = (
    "{param} must be partitioned like X: a partition of X has {n_x} rows, the "
    "same partition of {param} has {n_other}."
)
PARTITIONS_MISMATCH = (
    "{param} must be a Dask Series (or array) partitioned like X: X has "
    "{n_x} partitions, {param} has {n_other}."
)


def is_dask_collection(value):
    """Whether ``value`` is a Dask DataFrame, Series or array."""
    module = type(value).__module__ or ""
    return module.startswith("dask") and hasattr(value, "to_delayed")


class Rows:
    """The audited rows with their labels ``y`` and weights.

    Parameters
    ----------
    X : DataFrame, array-like or dask DataFrame
        The rows.
    y, sample_weight : array-like, Dask Series or None
        Per row; with a Dask ``X``, Dask collections partitioned like it.
    """

    def __init__(self, X, y=None, sample_weight=None):
        self.dask = is_dask_collection(X)
        if self.dask:
            self.X = X
            self.y = self._partitioned(y, "y")
            self.weights = self._partitioned(sample_weight, "sample_weight")
            return
        frame, was_frame = as_frame(X)
        self.X = X
        self.frame = frame
        self.dtype = None if was_frame else np.asarray(X).dtype
        self.y = check_y(y, len(frame))
        self.weights = check_sample_weight(sample_weight, len(frame))

    def _partitioned(self, values, param):
        if values is None:
            return None
        if not is_dask_collection(values):
            raise TypeError(
                f"{param} must be a Dask Series partitioned like X when X is a "
                f"Dask DataFrame, got {type(values).__name__}."
            )
        n_x, n_other = self.X.npartitions, values.npartitions
        if n_x != n_other:
            raise ValueError(
                PARTITIONS_MISMATCH.format(param=param, n_x=n_x, n_other=n_other)
            )
        return values

    @property
    def table(self):
        """The rows as a table with columns: the Dask or pandas frame."""
        return self.X if self.dask else self.frame

    def distinct(self, columns):
        """Return a small pandas frame: one row per distinct value of ``columns``."""
        if self.dask:
            return self.X.drop_duplicates(subset=columns).compute()
        return self.frame.drop_duplicates(subset=columns)

    def sample(self, n_rows):
        """Return about ``n_rows`` of the rows as a pandas frame.

        A row is kept by the hash of its label, so the sample is the same for
        a pandas table and for the same rows split into Dask partitions.
        """
        if not self.dask:
            return self.frame.iloc[np.flatnonzero(_kept(self.frame, n_rows, None))]
        n_total = len(self.X)
        return self.X.map_partitions(
            lambda part: part.iloc[np.flatnonzero(_kept(part, n_rows, n_total))],
            meta=self.X._meta,
        ).compute()

    def run_and_sample(self, work, n_rows):
        """Return ``(self.run(work), self.sample(n_rows))`` in one pass over the rows.

        A Dask table is read once: each partition returns its result and its
        rows of the sample.
        """
        if not self.dask:
            return self.run(work), self.sample(n_rows)
        import pandas as pd

        n_total = len(self.X)

        def with_sample(part, dtype, y, weights):
            kept = part.iloc[np.flatnonzero(_kept(part, n_rows, n_total))]
            return work(part, dtype, y, weights), kept

        results, samples = zip(*self.run(with_sample), strict=True)
        return list(results), pd.concat(samples)

    def run(self, work):
        """Return ``[work(frame, dtype, y, weights), ...]``, one per partition.

        ``work`` receives a pandas frame, the dtype to convert it to (None:
        keep the frame), and the partition's labels and weights as numpy
        arrays (or None).
        """
        if not self.dask:
            return [work(self.frame, self.dtype, self.y, self.weights)]
        import dask

        table, names = self._joined()

        def partition(part):
            y, weights = (
                None if name is None else part.pop(name).to_numpy() for name in names
            )
            y = None if y is None else check_y(y, len(part))
            weights = check_sample_weight(weights, len(part), allow_zero_sum=True)
            return work(part, None, y, weights)

        tasks = [dask.delayed(partition)(part) for part in table.to_delayed()]
        return list(dask.compute(*tasks))

    def _joined(self):
        """Return the rows with their labels and weights as columns of one table.

        One collection keeps each partition's rows, labels and weights together
        however Dask optimises the graph (reading a single column of a Parquet
        file, it may merge partitions that the whole table keeps apart). Also
        returns the names of the label and weight columns (None when absent).
        """
        import dask.dataframe as dd

        extra = [
            (param, f"__skcounterfactual_{param}__", values)
            for param, values in (("y", self.y), ("sample_weight", self.weights))
            if values is not None
        ]
        names = {param: column for param, column, _ in extra}
        names = (names.get("y"), names.get("sample_weight"))
        if not extra:
            return self.X, names

        def join(part, *values):
            for (param, column, _), value in zip(extra, values, strict=True):
                if len(value) != len(part):
                    raise ValueError(
                        PARTITION_ROWS.format(
                            param=param, n_x=len(part), n_other=len(value)
                        )
                    )
                part = part.assign(**{column: np.asarray(value)})
            return part

        collections = [values for _, _, values in extra]
        meta = join(self.X._meta, *(values._meta for values in collections))
        table = dd.map_partitions(
            join, self.X, *collections, meta=meta, align_dataframes=False
        )
        return table, names


def _kept(frame, n_rows, n_total):
    """Which rows of ``frame`` a sample of about ``n_rows`` keeps, by label."""
    n_total = len(frame) if n_total is None else n_total
    if n_total <= n_rows:
        return np.ones(len(frame), dtype=bool)
    hashes = label_hashes(frame.index)
    return hashes < np.uint64(min(int(n_rows / n_total * 2.0**64), 2**64 - 1))


def twin_maker_for(rows, *, protected=None, augmenter=None):
    """Return a fitted twin maker for ``rows`` (see ``resolve_twin_maker``).

    A Dask table is not fitted on: a fitted augmenter is used as is, and the
    ``protected=`` shortcut fits its default augmenter on one row per distinct
    protected value (which gives the same domains as the whole table).
    """
    if not rows.dask:
        return resolve_twin_maker(rows.X, protected=protected, augmenter=augmenter)
    if augmenter is None:
        columns = as_column_list(protected, "protected")
        check_columns(rows.table, columns, "protected")
        return resolve_twin_maker(rows.distinct(columns), protected=protected)
    check_twin_maker(augmenter)
    try:
        check_is_fitted(augmenter)
    except NotFittedError:
        raise ValueError(
            DASK_NEEDS_FITTED.format(kind=type(augmenter).__name__)
        ) from None
    return resolve_twin_maker(None, protected=protected, augmenter=augmenter)
