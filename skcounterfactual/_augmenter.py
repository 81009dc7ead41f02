"""CounterfactualAugmenter and the augmented meta-classifier."""

import numbers

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.utils import check_random_state, get_tags
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from ._twins import TwinEngine, concat_frames
from ._validation import (
    EMPTY_INPUT,
    as_column_list,
    as_frame,
    check_columns,
    check_sample_weight,
)

_SOURCES = ("auto", "vocabulary", "mimesis")
_MISSING = ("error", "skip")


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
        the input), ``attribute``, ``original`` and ``new`` values (tuples for
        intersectional twins), ``kind`` (``"original"``, ``"twin"`` or
        ``"placebo"``) and ``unseen`` (whether the twin holds a protected or
        linked value never seen in the fit data). Its index is ``X``'s.
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
        return f"TwinSet({parts}, unseen={int(self.provenance['unseen'].sum())})"

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


class CounterfactualAugmenter(BaseEstimator):
    """Build counterfactual twins of rows, and augment training data with them.

    A twin is a copy of a row in which a protected attribute takes another value
    of its domain and the *linked* columns follow (a woman's twin gets a man's
    first name and title); every other column is unchanged.

    Parameters
    ----------
    protected : str, int or list, default=None
        The protected column(s): names for DataFrames, integer positions for
        arrays. Required.
    values : dict or None, default=None
        Per attribute, its domain, e.g. ``{"age": [25, 45, 65]}``. Attributes
        not listed use the non-missing values observed in ``fit``.
    links : dict or None, default=None
        Per linked column, how it follows the attribute: a value map
        ``{"Male": 1, "Female": 0}``, a translation
        ``{"female": {"A93": "A95"}, "male": {"A92": "A94"}}``, a generated field
        (``"first_name"``, ``"last_name"``, ``"full_name"``, ``"title"``,
        ``"date_of_birth"``, ``"city"``, ``"phone_number"``, ``"address"``,
        ``"occupation"``, ``"resample"``) or a callable
        ``f(twins, new_values, rng) -> array``. A callable's ``rng`` is a numpy
        Generator seeded from ``random_state``, the attribute and the column at
        each call, so its draws depend on the rows passed together; derive
        values from ``twins.index`` (the source labels) for twins that do not
        depend on chunking. With several protected
        attributes, nest per attribute: ``{"gender": {...}, "country": {...}}``.
    locales : dict or None, default=None
        Per attribute, a map from its values to Mimesis locales, e.g.
        ``{"country": {"Germany": "de", "Japan": "ja"}}``: generated fields of a
        twin come from the target value's locale.
    genders : dict or None, default=None
        Per column, a map from its values to ``"female"``/``"male"``, when the
        values are not self-explanatory (``{"sex_code": {0: "female", 1:
        "male"}}``). Naming a non-protected column here makes region and
        origin twins draw names of the row's own gender.
    source : {"auto", "vocabulary", "mimesis"}, default="auto"
        Where generated fields come from: the fitted vocabulary of the target
        group (values the model has seen, frequency-matched), Mimesis pools, or
        the vocabulary when the fit data has examples of the group and Mimesis
        otherwise.
    default_locale : str, default="en"
        The Mimesis locale for attributes without ``locales``.
    n_twins : int or None, default=None
        Twins per row and attribute. None builds one twin per other value of
        the domain; an integer samples that many values per row (for large
        domains), deterministically from ``random_state`` and the row's label.
    intersectional : bool, default=False
        With several protected attributes, build twins for every combination of
        their values instead of one attribute at a time.
    placebo : bool, default=False
        Whether :meth:`make_twins` adds a placebo twin per row: same protected
        value, linked fields regenerated (the noise floor of name changes).
    missing : {"error", "skip"}, default="error"
        What a missing value in a protected column does: raise, or build no
        twins for that row.
    strict : bool, default=False
        Raise when ``values`` holds a value never observed in the fit data.
    random_state : int, RandomState instance or None, default=None
        Seed of every random draw. A twin depends only on the seed, its source
        row's label, the attribute and the target value.

    Attributes
    ----------
    protected_ : list
        The protected columns.
    domains_ : dict
        Per attribute, the list of values twins take.
    seed_ : int
        The seed derived from ``random_state``.
    n_features_in_ : int
        Number of columns seen in ``fit``.
    feature_names_in_ : ndarray of str
        Column names seen in ``fit`` (DataFrames with string columns only).

    See Also
    --------
    CounterfactualAugmentedClassifier : Fit a classifier on augmented data.
    counterfactual_flip_score : Score a model on how often twins flip it.

    Notes
    -----
    This estimator has ``fit_resample`` (imbalanced-learn's sampler protocol)
    and deliberately no ``transform``: a step that adds rows only works in
    ``imblearn.pipeline.Pipeline``. In a scikit-learn ``Pipeline`` use
    :class:`CounterfactualAugmentedClassifier`.

    Examples
    --------
    >>> import pandas as pd
    >>> from skcounterfactual import CounterfactualAugmenter
    >>> X = pd.DataFrame({"gender": ["Male", "Female"], "gender_code": [1, 0],
    ...                   "income": [44815, 47436]})
    >>> aug = CounterfactualAugmenter(
    ...     protected="gender",
    ...     links={"gender_code": {"Male": 1, "Female": 0}},
    ... ).fit(X)
    >>> twins, provenance = aug.make_twins(X)
    >>> twins
       gender  gender_code  income
    0  Female            0   44815
    1    Male            1   47436
    >>> provenance[["attribute", "original", "new"]]
      attribute original     new
    0    gender     Male  Female
    1    gender   Female    Male
    """

    def __init__(
        self,
        *,
        protected=None,
        values=None,
        links=None,
        locales=None,
        genders=None,
        source="auto",
        default_locale="en",
        n_twins=None,
        intersectional=False,
        placebo=False,
        missing="error",
        strict=False,
        random_state=None,
    ):
        self.protected = protected
        self.values = values
        self.links = links
        self.locales = locales
        self.genders = genders
        self.source = source
        self.default_locale = default_locale
        self.n_twins = n_twins
        self.intersectional = intersectional
        self.placebo = placebo
        self.missing = missing
        self.strict = strict
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        return tags

    def _check_params(self):
        if self.source not in _SOURCES:
            raise ValueError(
                f"source must be one of {_SOURCES!r}, got {self.source!r}."
            )
        if self.missing not in _MISSING:
            raise ValueError(
                f"missing must be one of {_MISSING!r}, got {self.missing!r}."
            )
        if self.n_twins is not None and (
            isinstance(self.n_twins, bool)
            or not isinstance(self.n_twins, numbers.Integral)
            or self.n_twins < 1
        ):
            raise ValueError(
                f"n_twins must be None or a positive integer, got {self.n_twins!r}."
            )
        for name in ("values", "links", "locales", "genders"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, dict):
                raise TypeError(
                    f"{name} must be a dict or None, got "
                    f"{type(value).__name__}: {value!r}."
                )

    def _frame(self, X, *, reset):
        frame, was_frame = as_frame(X)
        if len(frame) == 0:
            raise ValueError(EMPTY_INPUT)
        if was_frame:
            validate_data(self, frame, reset=reset, skip_check_array=True)
        else:
            validate_data(
                self,
                np.asarray(X),
                reset=reset,
                dtype=None,
                ensure_all_finite=False,
            )
        return frame, was_frame

    def fit(self, X, y=None):
        """Learn value domains and link vocabularies from ``X``.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            The data. Arrays name columns by integer position.
        y : None
            Ignored.

        Returns
        -------
        self : CounterfactualAugmenter
            The fitted augmenter.
        """
        self._check_params()
        protected = as_column_list(self.protected, "protected")
        frame, _ = self._frame(X, reset=True)
        check_columns(frame, protected, "protected")
        if isinstance(self.random_state, numbers.Integral) and not isinstance(
            self.random_state, bool
        ):
            seed = int(self.random_state)
        else:
            seed = int(check_random_state(self.random_state).randint(2**31 - 1))
        engine = TwinEngine(
            protected=protected,
            values=self.values,
            links=self.links,
            locales=self.locales,
            genders=self.genders,
            source=self.source,
            default_locale=self.default_locale,
            n_twins=self.n_twins,
            intersectional=bool(self.intersectional),
            missing=self.missing,
            strict=bool(self.strict),
            seed=seed,
        )
        self.engine_ = engine.fit(frame)
        self.protected_ = protected
        self.domains_ = {a: list(d) for a, d in engine.domains_.items()}
        self.seed_ = seed
        return self

    def make_twins(self, X, *, include_original=False, placebo=None):
        """Return the counterfactual twins of the rows of ``X``.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Rows to twin, with the columns seen in ``fit``.
        include_original : bool, default=False
            Also return each original row, right before its twins.
        placebo : bool or None, default=None
            Add placebo twins; None uses the ``placebo`` parameter.

        Returns
        -------
        twin_set : TwinSet
            ``twin_set.X`` (same kind, columns and dtypes as ``X``) and
            ``twin_set.provenance``.
        """
        check_is_fitted(self)
        frame, was_frame = self._frame(X, reset=False)
        placebo = self.placebo if placebo is None else placebo
        twins, provenance, unseen = self.engine_.build(
            frame, include_original=include_original, placebo=bool(placebo)
        )
        if not was_frame:
            twins = _to_array(twins, X)
        return TwinSet(twins, provenance, unseen)

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
            The rows of ``X`` followed by their twins.
        y_resampled : Series or ndarray
            The labels, aligned.
        sample_weight_resampled : ndarray
            Only when ``sample_weight`` is given: the weights, aligned.
        """
        self.fit(X)
        frame, was_frame = as_frame(X)
        y_values = _check_y(y, len(frame))
        weights = check_sample_weight(sample_weight, len(frame))
        twins, provenance, _ = self.engine_.build(frame)
        positions = provenance["source_position"].to_numpy()
        if was_frame:
            X_out = concat_frames([frame, twins])
        else:
            X_out = np.concatenate([np.asarray(X), _to_array(twins, X)])
        if isinstance(y, pd.Series):
            y_out = pd.concat([y, y.iloc[positions]])
            if was_frame:
                y_out.index = X_out.index
        else:
            y_out = np.concatenate([y_values, y_values[positions]])
        if weights is None:
            return X_out, y_out
        return X_out, y_out, np.concatenate([weights, weights[positions]])


def _to_array(twins, X):
    array = np.asarray(X)
    return twins.to_numpy(dtype=array.dtype)


def _check_y(y, n_samples):
    if y is None:
        raise ValueError("fit_resample needs y: each twin copies its source's label.")
    values = np.asarray(y)
    if values.ndim != 1 or values.shape[0] != n_samples:
        raise ValueError(
            f"y must be 1-D with one label per row of X ({n_samples}), got shape "
            f"{values.shape!r}."
        )
    return values


def _weight_param(estimator, weights):
    """``sample_weight`` for ``estimator.fit``; a Pipeline's goes to its last step."""
    steps = getattr(estimator, "steps", None)
    if isinstance(steps, list) and steps and not _routing_enabled():
        return {f"{steps[-1][0]}__sample_weight": weights}
    return {"sample_weight": weights}


def _routing_enabled():
    from sklearn import get_config

    return bool(get_config().get("enable_metadata_routing", False))


def _estimator_has(attr):
    def check(self):
        if hasattr(self, "estimator_"):
            return hasattr(self.estimator_, attr)
        return hasattr(self.estimator, attr)

    return check


class CounterfactualAugmentedClassifier(
    MetaEstimatorMixin, ClassifierMixin, BaseEstimator
):
    """Fit a classifier on its training data augmented with counterfactual twins.

    The mitigation of :class:`CounterfactualAugmenter` for a plain scikit-learn
    ``Pipeline`` or ``GridSearchCV`` (tune ``estimator__...`` and
    ``augmenter__...``). Twins are added only while fitting; predictions are
    the inner estimator's.

    Parameters
    ----------
    estimator : classifier
        The classifier to fit on the augmented data (usually a Pipeline with
        its preprocessing).
    augmenter : CounterfactualAugmenter
        How to build the twins.

    Attributes
    ----------
    estimator_ : classifier
        The fitted clone of ``estimator``.
    augmenter_ : CounterfactualAugmenter
        The fitted clone of ``augmenter``.
    classes_ : ndarray
        The class labels.
    n_features_in_ : int
        Number of columns seen in ``fit``.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skcounterfactual import (CounterfactualAugmentedClassifier,
    ...                               CounterfactualAugmenter)
    >>> import pandas as pd
    >>> X = pd.DataFrame({"gender_code": [1, 0, 1, 0], "income": [1, 2, 3, 4]})
    >>> y = [1, 0, 1, 0]
    >>> clf = CounterfactualAugmentedClassifier(
    ...     estimator=LogisticRegression(),
    ...     augmenter=CounterfactualAugmenter(protected="gender_code"),
    ... ).fit(X, y)
    >>> clf.augmenter_.domains_
    {'gender_code': [0, 1]}
    """

    def __init__(self, estimator=None, augmenter=None):
        self.estimator = estimator
        self.augmenter = augmenter

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        if self.estimator is not None:
            inner = get_tags(self.estimator).input_tags
            tags.input_tags.allow_nan = inner.allow_nan
            tags.input_tags.categorical = inner.categorical
            tags.input_tags.string = inner.string
        return tags

    def fit(self, X, y, sample_weight=None):
        """Augment ``X`` with twins and fit a clone of ``estimator`` on it.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights, copied to each row's twins and passed to the estimator
            (to a Pipeline's last step, unless metadata routing is enabled).

        Returns
        -------
        self : CounterfactualAugmentedClassifier
            The fitted classifier.
        """
        if self.estimator is None or not hasattr(self.estimator, "fit"):
            raise ValueError(
                "estimator must be a scikit-learn classifier (with fit and predict), "
                f"got {self.estimator!r}."
            )
        if not isinstance(self.augmenter, CounterfactualAugmenter):
            raise ValueError(
                f"augmenter must be a CounterfactualAugmenter, got {self.augmenter!r}."
            )
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y "
                "is None."
            )
        y = y if isinstance(y, pd.Series) else column_or_1d(y, warn=True)
        self.augmenter_ = clone(self.augmenter)
        resampled = self.augmenter_.fit_resample(X, y, sample_weight=sample_weight)
        self.estimator_ = clone(self.estimator)
        if sample_weight is None:
            X_aug, y_aug = resampled
            self.estimator_.fit(X_aug, y_aug)
        else:
            X_aug, y_aug, w_aug = resampled
            self.estimator_.fit(X_aug, y_aug, **_weight_param(self.estimator_, w_aug))
        self.classes_ = self.estimator_.classes_
        self.n_features_in_ = self.augmenter_.n_features_in_
        if hasattr(self.augmenter_, "feature_names_in_"):
            self.feature_names_in_ = self.augmenter_.feature_names_in_
        return self

    def _check_input(self, X):
        check_is_fitted(self)
        return X

    def predict(self, X):
        """Predict with the fitted estimator."""
        X = self._check_input(X)
        return self.estimator_.predict(X)

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities of the fitted estimator."""
        X = self._check_input(X)
        return self.estimator_.predict_proba(X)

    @available_if(_estimator_has("predict_log_proba"))
    def predict_log_proba(self, X):
        """Log class probabilities of the fitted estimator."""
        X = self._check_input(X)
        return self.estimator_.predict_log_proba(X)

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X):
        """Decision function of the fitted estimator."""
        X = self._check_input(X)
        return self.estimator_.decision_function(X)
