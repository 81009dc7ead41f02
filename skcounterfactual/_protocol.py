"""The twin-maker protocol: what every kind of twin offers the rest of the package.

A *twin maker* is a scikit-learn estimator that builds counterfactual twins.
Scorers, the audit, the command line and the meta-classifier use nothing else:

Its parameters
    ``protected`` (a column or a list of columns) and whatever defines its kind
    of twin (links, a causal graph, a transport cost, ...).
``fit(X, y=None)``
    Learns what it needs from ``X`` and returns ``self``. Sets ``protected_``
    (list of columns), ``domains_`` (per protected column, the list of values
    twins take), ``factors_`` (per audited factor name, as written in the
    provenance's ``attribute`` column: ``{"columns": [...], "linked": [...]}``,
    the protected columns it changes and the other columns that follow them)
    and ``n_features_in_``.
``make_twins(X, *, include_original=False, placebo=None)``
    Returns a :class:`TwinSet`: twins with exactly the columns, dtypes and kind
    of ``X`` plus provenance. The twins of a row depend only on that row (its
    values and its label) and the fitted state, never on the other rows
    passed with it, so twins built in chunks or on Dask workers equal twins
    built at once. ``placebo=None`` uses the maker's own setting.

:class:`TwinMakerMixin` gives a maker the shared input checks, the tags and
``fit_resample`` (training-time augmentation) on top of those two methods.
"""

from dataclasses import dataclass, fields

import numpy as np
import pandas as pd
from sklearn.base import OneToOneFeatureMixin
from sklearn.utils import InputTags, Tags
from sklearn.utils.validation import validate_data

from ._native import append_rows, other_frame, take_rows
from ._state import from_plain, to_plain
from ._validation import EMPTY_INPUT, Y_REQUIRED, as_frame

PROVENANCE_COLUMNS = (
    "source_position",
    "attribute",
    "original",
    "new",
    "kind",
    "unseen",
)
COLUMNS_OF_FIT = (
    "X has columns {columns!r}, but {maker} was fitted on columns {fitted!r} "
    "(an array's columns are its positions 0, 1, ...). Pass X with the "
    "columns seen in fit: a DataFrame after a fit on a DataFrame, an array "
    "after a fit on an array."
)
BAD_TARGET_ROWS = (
    "y must hold one label (or one row of labels) per row of X ({n_samples}), "
    "got shape {shape!r}."
)
NOT_A_TWIN_MAKER = (
    "augmenter must be a twin maker (an estimator with fit and make_twins, such "
    "as CounterfactualAugmenter), got {kind}: {value!r}."
)


class TwinSet:
    """Counterfactual twins and where each one came from.

    Unpacks as ``X_twins, provenance = twin_set``.

    Attributes
    ----------
    X : DataFrame or ndarray
        The twins, with exactly the columns (and, for DataFrames, the dtypes) of
        the input, so ``model.predict(twin_set.X)`` works. Its index holds the
        label of each twin's source row.
    provenance : DataFrame
        One row per twin, aligned with ``X``: ``source_position`` (row number in
        the input), ``attribute`` (the protected column, or ``"a & b"`` for
        intersectional twins), ``original`` and ``new`` values (tuples for
        intersectional twins), ``kind`` (``"original"``, ``"twin"`` or
        ``"placebo"``) and ``unseen`` (whether the twin holds a protected or
        linked value never seen in the fit data). Twin makers may add flag
        columns after these: :class:`CounterfactualAugmenter` adds
        ``incoherent`` (whether the twin meets a combination the fit data
        (almost) never holds, see :class:`IncoherentTwinWarning`) and, with a
        text link, ``text_substitutions`` (words and names a text link
        rewrote in each twin; missing where no text link applies). Its index
        is ``X``'s.
    unseen_values : dict
        For each column, the values twins carry that the fit data never held.

    Examples
    --------
    >>> import pandas as pd
    >>> from skcounterfactual import CounterfactualAugmenter
    >>> X = pd.DataFrame({"gender": ["Male", "Female"], "income": [44815, 47436]})
    >>> twin_set = CounterfactualAugmenter(protected="gender").fit(X).make_twins(
    ...     X, include_original=True
    ... )
    >>> twin_set
    TwinSet(original=2, twin=2, unseen=0)
    >>> twin_set.to_frame()[["gender", "income", "kind"]]
       gender  income      kind
    0    Male   44815  original
    0  Female   44815      twin
    1  Female   47436  original
    1    Male   47436      twin
    """

    def __init__(self, X, provenance, unseen_values):
        self.X = X
        self.provenance = provenance
        self.unseen_values = unseen_values

    def __iter__(self):
        return iter((self.X, self.provenance))

    def __len__(self):
        return len(self.provenance)

    def __repr__(self):
        counts = self.provenance["kind"].value_counts()
        parts = ", ".join(f"{k}={int(v)}" for k, v in counts.items() if v)
        parts += f", unseen={int(self.provenance['unseen'].sum())}"
        if "incoherent" in self.provenance.columns:
            incoherent = int(self.provenance["incoherent"].sum())
            parts += f", incoherent={incoherent}" if incoherent else ""
        return f"TwinSet({parts})"

    def to_frame(self):
        """Return the twins and their provenance side by side in one frame.

        Provenance columns whose names clash with a column of ``X`` get a
        ``twin_`` prefix.

        Returns
        -------
        frame : DataFrame
            The columns of ``X`` followed by the provenance columns.
        """
        frame, _ = as_frame(self.X)
        frame = frame.set_axis(self.provenance.index, axis=0)
        extra = self.provenance.rename(
            columns=lambda c: f"twin_{c}" if c in frame.columns else c
        )
        return pd.concat([frame, extra], axis=1)


def is_twin_maker(augmenter):
    """Whether ``augmenter`` follows the twin-maker protocol (duck-typed)."""
    return callable(getattr(augmenter, "fit", None)) and callable(
        getattr(augmenter, "make_twins", None)
    )


def check_twin_maker(augmenter):
    """Raise a ``TypeError`` unless ``augmenter`` is a twin maker."""
    if not is_twin_maker(augmenter) or isinstance(augmenter, type):
        raise TypeError(
            NOT_A_TWIN_MAKER.format(kind=type(augmenter).__name__, value=augmenter)
        )
    return augmenter


@dataclass(slots=True)
class SamplerTags:
    """imbalanced-learn's sampler tags (its checks and helpers read them).

    Attributes
    ----------
    sample_indices : bool
        Whether ``fit_resample`` sets ``sample_indices_``.
    """

    sample_indices: bool = False


@dataclass(slots=True)
class _InputTags(InputTags):
    # imbalanced-learn's tag: whether the input may be a DataFrame
    dataframe: bool = False


@dataclass(slots=True)
class _Tags(Tags):
    # imbalanced-learn's sampler tags; None for a maker that does not resample
    sampler_tags: SamplerTags | None = None


class TwinMakerMixin(OneToOneFeatureMixin):
    """Shared behaviour of twin makers: input checks, tags and ``fit_resample``.

    Subclasses implement ``fit`` and ``make_twins``; this mixin goes to the left
    of ``BaseEstimator``. Its tags are scikit-learn's with imbalanced-learn's
    additions (``input_tags.dataframe`` and ``sampler_tags``), so that
    imbalanced-learn's checks and pipeline recognise a sampler without this
    package importing imbalanced-learn.
    """

    # whether ``fit_resample`` augments training data (False: it refuses)
    _resamples = True

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        input_tags = _InputTags(
            **{f.name: getattr(tags.input_tags, f.name) for f in fields(InputTags)},
            dataframe=True,
        )
        input_tags.allow_nan = True
        input_tags.categorical = True
        input_tags.string = True
        out = _Tags(
            **{f.name: getattr(tags, f.name) for f in fields(Tags)},
            sampler_tags=SamplerTags(sample_indices=True) if self._resamples else None,
        )
        out.input_tags = input_tags
        return out

    def __getstate__(self):
        # plain data only (see ``_state``): skops then saves a fitted maker
        # with no type to trust but the maker's own class; pickle goes the
        # same way
        return to_plain(super().__getstate__())

    def __setstate__(self, state):
        super().__setstate__(from_plain(state))

    def _validate_frame(self, X, *, reset):
        """Return ``(frame, was_frame)``; record or check the fitted columns."""
        frame, was_frame = as_frame(X)
        if len(frame) == 0:
            raise ValueError(EMPTY_INPUT)
        if reset:
            self._columns_seen = list(frame.columns)
        else:
            self._check_columns_of_fit(frame)
        if was_frame:
            validate_data(self, frame, reset=reset, skip_check_array=True)
        else:
            validate_data(
                self, np.asarray(X), reset=reset, dtype=None, ensure_all_finite=False
            )
        return frame, was_frame

    def _check_columns_of_fit(self, frame):
        """Refuse a table that lacks a column seen in ``fit``.

        An array's columns are its positions, so an array after a fit on a
        DataFrame (or the reverse) is named here rather than failing later
        on a missing column.
        """
        seen = getattr(self, "_columns_seen", None)
        if seen is None:
            return
        missing = [c for c in seen if c not in frame.columns]
        if missing:
            raise ValueError(
                COLUMNS_OF_FIT.format(
                    columns=list(frame.columns),
                    maker=type(self).__name__,
                    fitted=list(seen),
                )
            )

    def fit_resample(self, X, y):
        """Fit, then return the data augmented with twins (labels copied).

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Training data: a pandas or polars DataFrame, an array or a list
            of rows.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Labels (classes, regression targets, one-hot rows, ...); each twin
            gets its source row's label.

        Returns
        -------
        X_resampled : DataFrame, ndarray or list
            The rows of ``X`` followed by their twins (no placebo twins), of
            the kind of ``X``.
        y_resampled : Series, DataFrame, ndarray or list
            The labels, aligned, of the kind of ``y``. For a pandas ``X`` and
            ``y``, the index of ``y_resampled`` is that of ``X_resampled``
            (a twin carries its source row's label).

        Notes
        -----
        Sets ``sample_indices_``, the input row of each returned row, so any
        per-row array lines up with the result: ``sample_weight[
        augmenter.sample_indices_]`` gives each twin its row's weight.
        :class:`CounterfactualAugmentedClassifier` does that with the weights
        it is given (see "Sample weights" in the user guide's mitigation
        page).
        """
        n_samples = _num_rows(X)
        check_target(y, n_samples)
        self.fit(X)
        twins, provenance = self.make_twins(X, placebo=False)
        positions = provenance["source_position"].to_numpy()
        indices = np.concatenate([np.arange(n_samples), positions])
        X_out = append_rows(X, twins)
        index = X_out.index if isinstance(X_out, pd.DataFrame) else None
        y_out = take_rows(y, indices, index=index)
        self.sample_indices_ = indices
        return X_out, y_out


def _num_rows(X):
    if isinstance(X, pd.DataFrame | np.ndarray | list) or other_frame(X) is not None:
        return len(X)
    return len(as_frame(X)[0])  # sparse matrices and the like: refused here


def check_target(y, n_samples):
    """Refuse a missing ``y`` or one without one label (row) per row of X."""
    if y is None:
        raise ValueError(
            Y_REQUIRED.format(
                what="fit_resample", why="each twin copies its source's label"
            )
        )
    shape = np.shape(y)
    if len(shape) not in (1, 2) or shape[0] != n_samples:
        raise ValueError(BAD_TARGET_ROWS.format(n_samples=n_samples, shape=shape))
