"""CounterfactualAugmenter: all-else-equal twins, and the augmented meta-classifier."""

import numbers

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.exceptions import NotFittedError
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ._coherence import DEFAULT_COHERENCE, check_coherence
from ._native import like_input
from ._protocol import TwinMakerMixin, TwinSet, check_twin_maker
from ._twins import TwinEngine
from ._validation import (
    as_column_list,
    check_bool,
    check_columns,
    check_option,
    check_positive_int,
)

SOURCES = ("auto", "vocabulary", "mimesis")
MISSING = ("error", "skip")
INTERSECTIONAL = (False, True, "both")
PLACEBO = (False, True, "auto")
NO_TWIN_SPECIFICATION = (
    "Pass protected= (the protected column(s) of X) or augmenter= (a twin maker "
    "such as CounterfactualAugmenter(protected=..., links=...))."
)
PROTECTED_MISMATCH = (
    "protected={protected!r} disagrees with the augmenter's "
    "protected={augmenter_protected!r}; pass one or the other."
)


class CounterfactualAugmenter(TwinMakerMixin, BaseEstimator):
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
        Per attribute, its domain: a list of values, e.g. ``{"age": [25, 45,
        65]}``; a number of quantiles of a numeric column, e.g. ``{"age":
        7}``; or ``"observed"`` for every non-missing value of the fit data.
        Attributes not listed use the values observed in ``fit``, except
        *continuous* ones (numeric columns with more than 20 distinct values,
        an exact age or income): five quantiles of the fit data (10%, 30%,
        50%, 70% and 90%, values the data holds), so that a row gets a few
        plausible twins rather than one per observed value. ``fit`` warns
        when a domain has more than 20 values and ``n_twins`` is None.
    links : dict or None, default=None
        Per linked column, how it follows the attribute: a value map
        ``{"Male": 1, "Female": 0}``, a translation
        ``{"female": {"A93": "A95"}, "male": {"A92": "A94"}}``, a generated field
        (``"first_name"``, ``"last_name"``, ``"full_name"``, ``"title"``,
        ``"date_of_birth"``, ``"city"``, ``"phone_number"``, ``"address"``,
        ``"occupation"``, ``"resample"``), ``"text"`` or a :class:`TextLink`
        for a free-text column (the row's names and gendered words in it follow
        the twin) or a callable ``f(twins, new_values, rng) -> array``. A
        callable's ``rng`` is a numpy Generator seeded from ``random_state``,
        the attribute and the column at each call, so its draws depend on the
        rows passed together; derive values from ``twins.index`` (the source
        labels) for twins that do not depend on chunking. With several
        protected attributes, nest per attribute: ``{"gender": {...},
        "country": {...}}``.
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
    intersectional : bool or "both", default=False
        With several protected attributes: False builds twins one attribute at
        a time; True builds twins for every combination of their values
        instead; ``"both"`` builds both (each attribute alone, then every
        combination), so an audit reports each attribute and their
        intersection.
    placebo : bool or "auto", default="auto"
        Whether :meth:`make_twins` adds a placebo twin per row: same protected
        value, linked fields regenerated (the noise floor of name changes).
        ``"auto"`` adds them for attributes with a generated or callable link
        (the only ones where a placebo twin differs from its row); the scores
        never use them, the audit reports their flip rate.
    missing : {"error", "skip"}, default="error"
        What a missing value in a protected column does: raise, or build no
        twins for that row.
    strict : bool, default=False
        Raise when ``values`` holds a value never observed in the fit data.
    coherence : (int, float) or None, default=(10, 0.05)
        ``(min_count, min_share)``: when a twin's new protected value meets a
        value of another, unlinked column that the fit data (almost) never
        holds for that group (a woman whose household role is "Husband"), the
        twin is *incoherent*: flagged in the provenance's ``incoherent``
        column, and ``fit`` warns once per column with an
        :class:`IncoherentTwinWarning`. A combination is unsupported when,
        were the column unrelated to the attribute, the data would hold it at
        least ``min_count`` times, and it holds it fewer than ``min_share``
        times that. Numeric columns are judged by deciles, missing values as a
        value of their own; attributes with more than 50 values, or fewer than
        five rows per value, are not checked (see :ref:`coherence`). None
        switches the check off (no flag column, no warning, a faster ``fit``).
    random_state : int, RandomState instance or None, default=None
        Seed of every random draw. A twin depends only on the seed, its source
        row's label, the attribute and the target value. Without links that
        draw values (names, ``n_twins`` sampling) twins involve no randomness;
        with them, pass an integer for twins that are the same on every run.

    Attributes
    ----------
    protected_ : list
        The protected columns.
    domains_ : dict
        Per attribute, the list of values twins take.
    factors_ : dict
        Per audited factor (an attribute, or ``"a & b"`` for intersectional
        twins), ``{"columns": [...], "linked": [...]}``: the protected columns
        it changes and the linked columns that follow them.
    seed_ : int
        The seed derived from ``random_state``.
    bins_ : dict
        Per continuous attribute (see ``values``), the edges between its
        domain's values (midpoints): an audit groups rows by the bin of their
        own value and summarises how decisions move along the domain. Rows
        whose value is not in the domain get a twin for every value of it.
    coherence_ : dict
        Per protected attribute, per column with unsupported combinations:
        ``{"share": share of the fit rows' twins flagged (one twin per other
        value), "n_twins": their number, "combinations": [...]}``, each
        combination a dict with the ``group``, the ``level`` (``"value"``,
        ``"bin"``, ``"missing"`` or ``"present"``), the ``value``, its
        ``count`` in the fit data, the ``expected`` count and the ``twins``
        it affects, worst first. Empty when ``coherence=None`` or every twin
        is coherent.
    suggested_links_ : dict
        The links :func:`suggest_links` proposes for those columns, in the
        shape ``links`` takes (per attribute when several are protected):
        read, edit and pass them back; they are never applied on their own.
    n_features_in_ : int
        Number of columns seen in ``fit``.
    feature_names_in_ : ndarray of str
        Column names seen in ``fit`` (DataFrames with string columns only).
    sample_indices_ : ndarray of int
        Set by ``fit_resample``: the input row of each row it returned (the
        rows, then their twins), as imbalanced-learn's samplers record it, so
        that ``sample_weight[sample_indices_]`` lines up with the result.

    See Also
    --------
    CounterfactualAugmentedClassifier : Fit a classifier on augmented data.
    counterfactual_flip_score : Score a model on how often twins flip it.

    Notes
    -----
    This estimator has ``fit_resample`` (imbalanced-learn's sampler protocol)
    and deliberately no ``transform``: a step that adds rows only works in
    ``imblearn.pipeline.Pipeline``. In a scikit-learn ``Pipeline``, and to
    train with sample weights, use :class:`CounterfactualAugmentedClassifier`.

    Twins and resampled rows come back in the kind of ``X``: pandas or polars
    DataFrame, array, or (``fit_resample``) list. A fitted augmenter saves with
    skops trusting only this class (see "Saving models" in the user guide).

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

    A continuous attribute is twinned on a few quantiles of the fit data:

    >>> ages = pd.DataFrame({"age": range(18, 81), "income": range(63)})
    >>> aug = CounterfactualAugmenter(protected="age").fit(ages)
    >>> aug.domains_["age"], aug.bins_["age"]
    ([24, 36, 49, 62, 74], [30.0, 42.5, 55.5, 68.0])
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
        placebo="auto",
        missing="error",
        strict=False,
        coherence=DEFAULT_COHERENCE,
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
        self.coherence = coherence
        self.random_state = random_state

    def _check_params(self):
        check_option(self.source, SOURCES, "source")
        check_option(self.missing, MISSING, "missing")
        check_option(_plain_bool(self.intersectional), INTERSECTIONAL, "intersectional")
        check_option(_plain_bool(self.placebo), PLACEBO, "placebo")
        check_bool(self.strict, "strict")
        check_positive_int(self.n_twins, "n_twins", allow_none=True)
        check_coherence(self.coherence)
        for name in ("values", "links", "locales", "genders"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, dict):
                raise TypeError(
                    f"{name} must be a dict or None, got "
                    f"{type(value).__name__}: {value!r}."
                )

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
        frame, _ = self._validate_frame(X, reset=True)
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
            intersectional=_plain_bool(self.intersectional),
            missing=self.missing,
            strict=bool(self.strict),
            seed=seed,
            coherence=check_coherence(self.coherence),
        )
        self.engine_ = engine.fit(frame)
        self.protected_ = protected
        self.domains_ = {a: list(d) for a, d in engine.domains_.items()}
        self.factors_ = {
            engine.factor_name(factor): {
                "columns": list(factor),
                "linked": [link.column for a in factor for link in engine.links_[a]],
            }
            for factor in engine.factors()
        }
        self.seed_ = seed
        self.bins_ = {a: list(edges) for a, edges in engine.bins_.items()}
        self.coherence_ = {
            attribute: check.report() for attribute, check in engine.coherence_.items()
        }
        self.coherence_ = {a: r for a, r in self.coherence_.items() if r}
        self.suggested_links_ = engine.suggested_links()
        return self

    def make_twins(self, X, *, include_original=False, placebo=None):
        """Return the counterfactual twins of the rows of ``X``.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Rows to twin, with the columns seen in ``fit``.
        include_original : bool, default=False
            Also return each original row, right before its twins.
        placebo : bool, "auto" or None, default=None
            Add placebo twins; None uses the ``placebo`` parameter.

        Returns
        -------
        twin_set : TwinSet
            ``twin_set.X`` (same kind, columns and dtypes as ``X``) and
            ``twin_set.provenance``.
        """
        check_is_fitted(self)
        include_original = check_bool(include_original, "include_original")
        placebo = self.placebo if placebo is None else placebo
        placebo = check_option(_plain_bool(placebo), PLACEBO, "placebo")
        frame, _ = self._validate_frame(X, reset=False)
        twins, provenance, unseen = self.engine_.build(
            frame, include_original=include_original, placebo=placebo
        )
        twins = like_input(twins, X)
        return TwinSet(twins, provenance, unseen)


def _plain_bool(value):
    return bool(value) if isinstance(value, np.bool_) else value


def resolve_twin_maker(X, *, protected=None, augmenter=None):
    """Return a fitted twin maker for the rows ``X``.

    ``augmenter`` as is when fitted, else a clone fitted on ``X``; with only
    ``protected``, a default :class:`CounterfactualAugmenter` fitted on ``X``.
    """
    if augmenter is None:
        if protected is None:
            raise ValueError(NO_TWIN_SPECIFICATION)
        return CounterfactualAugmenter(protected=protected).fit(X)
    check_twin_maker(augmenter)
    check_protected_agrees(protected, augmenter)
    try:
        check_is_fitted(augmenter)
    except NotFittedError:
        return clone(augmenter).fit(X)
    return augmenter


def check_protected_agrees(protected, augmenter):
    """Refuse ``protected`` that names other columns than the augmenter's."""
    if protected is None or augmenter is None:
        return
    asked = as_column_list(protected, "protected")
    have = as_column_list(augmenter.protected, "augmenter.protected")
    if asked != have:
        raise ValueError(
            PROTECTED_MISMATCH.format(
                protected=protected, augmenter_protected=augmenter.protected
            )
        )


def protected_of(protected=None, augmenter=None):
    """Return the protected column(s) named by ``protected`` or the augmenter."""
    if augmenter is not None:
        check_twin_maker(augmenter)
        check_protected_agrees(protected, augmenter)
        return augmenter.protected
    if protected is None:
        raise ValueError(NO_TWIN_SPECIFICATION)
    return protected
