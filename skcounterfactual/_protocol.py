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

import numpy as np
import pandas as pd
from sklearn.utils.validation import validate_data

from ._frames import concat_frames
from ._state import from_plain, to_plain
from ._validation import EMPTY_INPUT, as_frame, check_sample_weight, check_y

PROVENANCE_COLUMNS = (
    "source_position",
    "attribute",
    "original",
    "new",
    "kind",
    "unseen",
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
        frame = self.X if isinstance(self.X, pd.DataFrame) else pd.DataFrame(self.X)
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


def to_array(twins, X):
    """Return the twins of an array ``X`` as an array of ``X``'s dtype."""
    return twins.to_numpy(dtype=np.asarray(X).dtype)


class TwinMakerMixin:
    """Shared behaviour of twin makers: input checks, tags and ``fit_resample``.

    Subclasses implement ``fit`` and ``make_twins``; this mixin goes to the left
    of ``BaseEstimator``.
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        return tags

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
        if was_frame:
            validate_data(self, frame, reset=reset, skip_check_array=True)
        else:
            validate_data(
                self, np.asarray(X), reset=reset, dtype=None, ensure_all_finite=False
            )
        return frame, was_frame

    def fit_resample(self, X, y, sample_weight=None):
        """Fit, then return the data augmented with twins (labels copied).

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Labels; each twin gets its source row's label.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights; each twin gets its source row's weight.

        Returns
        -------
        X_resampled : DataFrame or ndarray
            The rows of ``X`` followed by their twins (no placebo twins).
        y_resampled : Series or ndarray
            The labels, aligned.
        sample_weight_resampled : ndarray
            Only when ``sample_weight`` is given: the weights, aligned.
        """
        frame, was_frame = as_frame(X)
        y_values = check_y(y, len(frame), required=True)
        weights = check_sample_weight(sample_weight, len(frame))
        self.fit(X)
        twins, provenance = self.make_twins(X, placebo=False)
        positions = provenance["source_position"].to_numpy()
        if was_frame:
            X_out = concat_frames([frame, twins])
        else:
            X_out = np.concatenate([np.asarray(X), twins])
        if isinstance(y, pd.Series):
            y_out = pd.concat([y, y.iloc[positions]])
            if was_frame:
                y_out.index = X_out.index
        else:
            y_out = np.concatenate([y_values, y_values[positions]])
        if weights is None:
            return X_out, y_out
        return X_out, y_out, np.concatenate([weights, weights[positions]])
