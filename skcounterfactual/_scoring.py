"""Counterfactual flip rate and score, and the scorer objects for model selection.

A row *flips* when the model's decision for at least one of its twins differs
from its decision for the row itself. The flip rate is the (weighted) share of
rows that flip; the flip score is ``1 - flip rate`` so that greater is better,
as scikit-learn's model selection expects.
"""

import inspect
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn import get_config
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.metadata_routing import MetadataRequest
from sklearn.utils.validation import check_is_fitted

from ._augmenter import CounterfactualAugmenter
from ._links import check_locale, normalise_links
from ._validation import (
    NOT_FITTED_ESTIMATOR,
    as_column_list,
    as_frame,
    check_columns,
    check_sample_weight,
)

RESPONSE_METHODS = ("predict", "predict_proba", "decision_function")
ROUTING_DISABLED = (
    "{method} is only available when metadata routing is enabled. Call "
    "sklearn.set_config(enable_metadata_routing=True) first, or leave "
    "{param} out: by default the sensitive column is read from X."
)
DEFAULT_CHUNK_SIZE = 200_000


@dataclass
class CounterfactualPredictions:
    """Decisions on rows and on their twins, aligned by provenance.

    Attributes
    ----------
    provenance : DataFrame
        One row per twin (see :class:`TwinSet`), ``source_position`` indexing
        the audited rows.
    original : ndarray of shape (n_samples,)
        The decision for each audited row.
    twin : ndarray of shape (n_twins,)
        The decision for each twin.
    original_score, twin_score : ndarray or None
        The positive-class probability or decision score, when asked for.
    n_samples : int
        Number of audited rows.
    unseen_values : dict
        Values twins carried that the fit data never held, per column.
    """

    provenance: pd.DataFrame
    original: np.ndarray
    twin: np.ndarray
    original_score: np.ndarray | None
    twin_score: np.ndarray | None
    n_samples: int
    unseen_values: dict

    def flips(self, kind="twin"):
        """Return per audited row: whether any twin of ``kind`` flips it."""
        mask = (self.provenance["kind"] == kind).to_numpy()
        pos = self.provenance["source_position"].to_numpy()[mask]
        changed = self.twin[mask] != self.original[pos]
        flipped = np.bincount(pos[changed], minlength=self.n_samples) > 0
        audited = np.bincount(pos, minlength=self.n_samples) > 0
        return flipped, audited

    def score_changes(self, kind="twin"):
        """Per audited row: mean absolute change of the score over its twins."""
        if self.original_score is None:
            raise ValueError(
                "Score changes need response_method='predict_proba' or "
                "'decision_function'."
            )
        mask = (self.provenance["kind"] == kind).to_numpy()
        pos = self.provenance["source_position"].to_numpy()[mask]
        change = np.abs(self.twin_score[mask] - self.original_score[pos])
        total = np.bincount(pos, weights=change, minlength=self.n_samples)
        count = np.bincount(pos, minlength=self.n_samples)
        audited = count > 0
        out = np.zeros(self.n_samples)
        out[audited] = total[audited] / count[audited]
        return out, audited


def resolve_augmenter(X, augmenter=None, **twin_options):
    """Return a fitted augmenter: ``augmenter`` if fitted, else one fitted on X."""
    if augmenter is not None:
        if not isinstance(augmenter, CounterfactualAugmenter):
            raise TypeError(
                "augmenter must be a CounterfactualAugmenter, got "
                f"{type(augmenter).__name__}: {augmenter!r}."
            )
        if hasattr(augmenter, "engine_"):
            return augmenter
        return clone(augmenter).fit(X)
    return CounterfactualAugmenter(**twin_options).fit(X)


def _check_estimator(estimator, response_method):
    if response_method not in RESPONSE_METHODS:
        raise ValueError(
            f"response_method must be one of {RESPONSE_METHODS!r}, got "
            f"{response_method!r}."
        )
    if not hasattr(estimator, "predict"):
        raise TypeError(
            f"estimator must have a predict method, got {type(estimator).__name__}: "
            f"{estimator!r}."
        )
    if response_method != "predict" and not hasattr(estimator, response_method):
        raise ValueError(
            f"response_method={response_method!r}, but "
            f"{type(estimator).__name__} has no {response_method}. Use "
            "response_method='predict'."
        )
    try:
        check_is_fitted(estimator)
    except NotFittedError:
        raise NotFittedError(NOT_FITTED_ESTIMATOR.format(estimator=estimator)) from None
    except TypeError:
        pass  # a duck-typed model that is not a scikit-learn estimator


def _respond(estimator, X, method, protected, sensitive_at_predict, pos_label):
    kwargs = {}
    if sensitive_at_predict:
        frame, _ = as_frame(X)
        columns = protected[0] if len(protected) == 1 else protected
        kwargs["sensitive_features"] = frame[columns]
    decision = np.asarray(estimator.predict(X, **kwargs))
    if method == "predict":
        return decision, None
    scores = np.asarray(getattr(estimator, method)(X, **kwargs))
    if method == "predict_proba":
        classes = list(getattr(estimator, "classes_", range(scores.shape[1])))
        label = classes[-1] if pos_label is None else pos_label
        if label not in classes:
            raise ValueError(
                f"pos_label={pos_label!r} is not a class of the estimator: {classes!r}."
            )
        return decision, scores[:, classes.index(label)]
    if scores.ndim != 1:
        raise ValueError(
            "response_method='decision_function' needs a binary classifier; got "
            f"scores of shape {scores.shape!r}."
        )
    return decision, scores


def counterfactual_predictions(
    estimator,
    X,
    *,
    augmenter=None,
    response_method="predict",
    placebo=False,
    sensitive_features_at_predict=False,
    pos_label=None,
    chunk_size=DEFAULT_CHUNK_SIZE,
    progress=None,
    **twin_options,
):
    """Predict on the rows of ``X`` and on their twins, in chunks.

    The twins of a row depend only on its label and the seed, so the result is
    the same for every ``chunk_size``. Parameters are those of
    :func:`counterfactual_flip_rate`; ``progress(done, total)``, when given, is
    called after each chunk.

    Returns
    -------
    predictions : CounterfactualPredictions
    """
    _check_estimator(estimator, response_method)
    frame, was_frame = as_frame(X)
    if twin_options.get("protected") is not None:
        check_columns(
            frame, as_column_list(twin_options["protected"], "protected"), "protected"
        )
    fitted = resolve_augmenter(X, augmenter, **twin_options)
    protected = fitted.protected_
    if (
        not isinstance(chunk_size, int)
        or isinstance(chunk_size, bool)
        or chunk_size < 1
    ):
        raise ValueError(f"chunk_size must be a positive integer, got {chunk_size!r}.")
    provenances, originals, twins, o_scores, t_scores = [], [], [], [], []
    unseen = {}
    for start in range(0, len(frame), chunk_size):
        # the chunk keeps its rows' labels (positions for arrays), so twins do
        # not depend on the chunk size
        chunk = frame.iloc[start : start + chunk_size]
        twin_set = fitted.make_twins(chunk, placebo=placebo)
        rows = chunk
        if not was_frame:
            dtype = np.asarray(X).dtype
            rows = chunk.to_numpy(dtype=dtype)
            twin_set.X = twin_set.X.to_numpy(dtype=dtype)
        decision, score = _respond(
            estimator,
            rows,
            response_method,
            protected,
            sensitive_features_at_predict,
            pos_label,
        )
        if len(twin_set):
            t_decision, t_score = _respond(
                estimator,
                twin_set.X,
                response_method,
                protected,
                sensitive_features_at_predict,
                pos_label,
            )
        else:
            t_decision, t_score = decision[:0], None if score is None else score[:0]
        provenance = twin_set.provenance
        provenance = provenance.assign(
            source_position=provenance["source_position"].to_numpy() + start
        )
        provenances.append(provenance)
        originals.append(decision)
        twins.append(t_decision)
        o_scores.append(score)
        t_scores.append(t_score)
        for column, values in twin_set.unseen_values.items():
            merged = unseen.setdefault(column, [])
            merged.extend(v for v in values if v not in merged)
        if progress is not None:
            progress(min(start + chunk_size, len(frame)), len(frame))
    has_score = response_method != "predict"
    return CounterfactualPredictions(
        provenance=pd.concat(provenances) if len(provenances) > 1 else provenances[0],
        original=np.concatenate(originals),
        twin=np.concatenate(twins),
        original_score=np.concatenate(o_scores) if has_score else None,
        twin_score=np.concatenate(t_scores) if has_score else None,
        n_samples=len(frame),
        unseen_values=unseen,
    )


def _threshold_decisions(predictions, threshold, response_method):
    if threshold is None:
        return predictions
    if response_method == "predict":
        raise ValueError(
            "threshold needs response_method='predict_proba' or 'decision_function'; "
            "with 'predict' the estimator's own labels are compared."
        )
    predictions.original = (predictions.original_score >= threshold).astype(int)
    predictions.twin = (predictions.twin_score >= threshold).astype(int)
    return predictions


def _weighted_rate(flags, audited, sample_weight):
    if not audited.any():
        raise ValueError(
            "No row of X has a twin (every protected value is missing or outside "
            "the domain), so the flip rate is undefined."
        )
    weights = np.ones(len(flags)) if sample_weight is None else sample_weight
    weights = weights[audited]
    if weights.sum() <= 0:
        raise ValueError("The rows that have twins all have zero sample_weight.")
    return float(np.sum(weights * flags[audited]) / weights.sum())


def counterfactual_flip_rate(
    estimator,
    X,
    y=None,
    *,
    protected=None,
    augmenter=None,
    values=None,
    links=None,
    locales=None,
    genders=None,
    source="auto",
    n_twins=None,
    intersectional=False,
    default_locale="en",
    missing="error",
    strict=False,
    random_state=0,
    response_method="predict",
    threshold=None,
    pos_label=None,
    sample_weight=None,
    sensitive_features_at_predict=False,
    chunk_size=DEFAULT_CHUNK_SIZE,
):
    """Share of rows whose decision changes for at least one counterfactual twin.

    Parameters
    ----------
    estimator : fitted estimator
        Usually a whole ``Pipeline``: it is called on the raw rows and twins.
    X : DataFrame or array-like of shape (n_samples, n_features)
        The rows to audit.
    y : None
        Ignored; present for the scorer signature.
    protected : str, int or list, default=None
        The protected column(s), as in :class:`CounterfactualAugmenter`.
    augmenter : CounterfactualAugmenter, default=None
        Use this augmenter (fitted as is, or fitted on ``X``) instead of the
        twin options below.
    values, links, locales, genders, source, n_twins, intersectional, \
default_locale, missing, strict : optional
        Twin options, as in :class:`CounterfactualAugmenter`. With
        ``missing="skip"``, rows whose protected value is missing get no twins
        and do not count in the rate.
    random_state : int, default=0
        Seed of the twins (fixed by default so scores are reproducible).
    response_method : {"predict", "predict_proba", "decision_function"}, \
default="predict"
        Compare predicted labels, or positive-class scores cut at ``threshold``.
    threshold : float, default=None
        With a score ``response_method``, the cut that makes a decision
        (``0.5`` for probabilities, ``0.0`` for decision functions when None).
    pos_label : label, default=None
        The positive class for ``predict_proba`` (the last class when None).
    sample_weight : array-like of shape (n_samples,), default=None
        Row weights.
    sensitive_features_at_predict : bool, default=False
        Pass each row's (and each twin's) protected value(s) to ``predict`` as
        ``sensitive_features``, for models such as Fairlearn's
        ``ThresholdOptimizer``.
    chunk_size : int, default=200000
        Rows twinned and predicted at a time (bounds memory; the result does
        not depend on it).

    Returns
    -------
    rate : float
        In [0, 1]; 0 means no decision changes.

    See Also
    --------
    counterfactual_flip_score : ``1 - rate``, for model selection.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from skcounterfactual import counterfactual_flip_rate
    >>> X = pd.DataFrame({"gender_code": [1, 1, 0, 0], "income": [40, 90, 40, 90]})
    >>> y = [1, 1, 0, 1]
    >>> model = DecisionTreeClassifier(random_state=0).fit(X, y)
    >>> counterfactual_flip_rate(model, X, protected="gender_code")
    0.5
    """
    weights = check_sample_weight(sample_weight, len(as_frame(X)[0]))
    if threshold is None and response_method != "predict":
        threshold = 0.5 if response_method == "predict_proba" else 0.0
    predictions = counterfactual_predictions(
        estimator,
        X,
        augmenter=augmenter,
        response_method=response_method,
        sensitive_features_at_predict=sensitive_features_at_predict,
        pos_label=pos_label,
        chunk_size=chunk_size,
        **_twin_options(
            augmenter,
            protected=protected,
            values=values,
            links=links,
            locales=locales,
            genders=genders,
            source=source,
            n_twins=n_twins,
            intersectional=intersectional,
            default_locale=default_locale,
            missing=missing,
            strict=strict,
            random_state=random_state,
        ),
    )
    predictions = _threshold_decisions(predictions, threshold, response_method)
    flipped, audited = predictions.flips("twin")
    return _weighted_rate(flipped, audited, weights)


def counterfactual_flip_score(estimator, X, y=None, **kwargs):
    """Return ``1 - counterfactual_flip_rate``: 1.0 when no decision changes.

    Greater is better, like every scikit-learn score.

    Parameters
    ----------
    estimator : fitted estimator
        Called on the raw rows and their twins.
    X : DataFrame or array-like of shape (n_samples, n_features)
        The rows to audit.
    y : None
        Ignored; present for the scorer signature.
    **kwargs
        The keyword parameters of :func:`counterfactual_flip_rate`
        (``protected``, ``links``, ``values``, ``sample_weight``, ...).

    Returns
    -------
    score : float
        In [0, 1].

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from skcounterfactual import counterfactual_flip_score
    >>> X = pd.DataFrame({"gender_code": [1, 1, 0, 0], "income": [40, 90, 40, 90]})
    >>> model = DecisionTreeClassifier(random_state=0).fit(X, [1, 1, 0, 1])
    >>> counterfactual_flip_score(model, X, protected="gender_code")
    0.5
    """
    return 1.0 - counterfactual_flip_rate(estimator, X, y, **kwargs)


def counterfactual_effect(
    estimator, X, y=None, *, response_method="predict_proba", **kwargs
):
    """Mean absolute change of the positive-class score between rows and twins.

    Each row counts once: its change is the mean over its twins.

    Parameters
    ----------
    estimator : fitted estimator
        With ``predict_proba`` (or ``decision_function``).
    X : DataFrame or array-like of shape (n_samples, n_features)
        The rows to audit.
    y : None
        Ignored.
    response_method : {"predict_proba", "decision_function"}, \
default="predict_proba"
        Which score to compare.
    **kwargs
        The keyword parameters of :func:`counterfactual_flip_rate` except
        ``threshold``.

    Returns
    -------
    effect : float
        0.0 when no twin moves the score.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skcounterfactual import counterfactual_effect
    >>> X = pd.DataFrame({"gender_code": [1, 1, 0, 0], "income": [4, 9, 4, 9]})
    >>> model = LogisticRegression().fit(X, [1, 1, 0, 1])
    >>> round(counterfactual_effect(model, X, protected="gender_code"), 3)
    0.064
    """
    if response_method == "predict":
        raise ValueError(
            "counterfactual_effect compares scores: use response_method="
            "'predict_proba' or 'decision_function'."
        )
    if "threshold" in kwargs:
        raise TypeError(
            "counterfactual_effect compares scores, not decisions, and takes no "
            "threshold; use counterfactual_flip_rate(..., threshold=...)."
        )
    sample_weight = kwargs.pop("sample_weight", None)
    weights = check_sample_weight(sample_weight, len(as_frame(X)[0]))
    augmenter = kwargs.pop("augmenter", None)
    chunk_size = kwargs.pop("chunk_size", DEFAULT_CHUNK_SIZE)
    sensitive = kwargs.pop("sensitive_features_at_predict", False)
    pos_label = kwargs.pop("pos_label", None)
    kwargs.setdefault("random_state", 0)
    predictions = counterfactual_predictions(
        estimator,
        X,
        augmenter=augmenter,
        response_method=response_method,
        sensitive_features_at_predict=sensitive,
        pos_label=pos_label,
        chunk_size=chunk_size,
        **_twin_options(augmenter, **kwargs),
    )
    change, audited = predictions.score_changes("twin")
    return _weighted_rate(change, audited, weights)


def _twin_options(augmenter, **options):
    if augmenter is None:
        return options
    protected = options.get("protected")
    if protected is not None:
        asked = as_column_list(protected, "protected")
        have = as_column_list(augmenter.protected, "augmenter.protected")
        if asked != have:
            raise ValueError(
                f"protected={protected!r} disagrees with the augmenter's "
                f"protected={augmenter.protected!r}; pass one or the other."
            )
    return {}


class CounterfactualFlipScorer:
    """Scorer object for ``scoring=`` dictionaries: the counterfactual flip score.

    Build it with :func:`make_counterfactual_flip_scorer`. A plain picklable
    class (not a subclass of scikit-learn's private scorers, whose prediction
    cache would answer the twins with the predictions on ``X``).

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from skcounterfactual import make_counterfactual_flip_scorer
    >>> X = pd.DataFrame({"gender_code": [1, 1, 0, 0], "income": [40, 90, 40, 90]})
    >>> model = DecisionTreeClassifier(random_state=0).fit(X, [1, 1, 0, 1])
    >>> scorer = make_counterfactual_flip_scorer(protected="gender_code")
    >>> scorer(model, X)
    0.5
    """

    def __init__(self, options, greater_is_better=True):
        self.options = dict(options)
        self.greater_is_better = greater_is_better
        self._request = {}

    def __call__(self, estimator, X, y=None, sample_weight=None, **kwargs):
        """Score ``estimator`` on ``X``: the flip score (or minus the rate)."""
        rate = counterfactual_flip_rate(
            estimator, X, y, sample_weight=sample_weight, **self.options
        )
        return 1.0 - rate if self.greater_is_better else rate

    def __repr__(self):
        shown = ", ".join(f"{k}={v!r}" for k, v in self.options.items())
        name = "make_counterfactual_flip_scorer"
        if not self.greater_is_better:
            shown += ", greater_is_better=False"
        return f"{name}({shown})"

    def set_score_request(self, *, sample_weight=None):
        """Request ``sample_weight`` under metadata routing.

        Parameters
        ----------
        sample_weight : bool, str or None, default=None
            True to request it, False not to, a string to use an alias.

        Returns
        -------
        self : CounterfactualFlipScorer
        """
        return request_score_metadata(self, sample_weight=sample_weight)

    def get_metadata_routing(self):
        """Return the metadata this scorer requests (``sample_weight``)."""
        return score_metadata_request(self)


def request_score_metadata(scorer, **requests):
    """Record ``requests`` on ``scorer``; refuse while routing is disabled."""
    if not get_config().get("enable_metadata_routing", False):
        raise RuntimeError(
            ROUTING_DISABLED.format(
                method="set_score_request", param=" / ".join(requests)
            )
        )
    for param, alias in requests.items():
        if alias is not None:
            scorer._request[param] = alias
    return scorer


def score_metadata_request(scorer):
    """Build the ``MetadataRequest`` of a scorer from its recorded requests."""
    request = MetadataRequest(owner=type(scorer).__name__)
    for param, alias in scorer._request.items():
        request.score.add_request(param=param, alias=alias)
    return request


def make_counterfactual_flip_scorer(
    *,
    protected=None,
    augmenter=None,
    values=None,
    links=None,
    locales=None,
    genders=None,
    source="auto",
    n_twins=None,
    intersectional=False,
    default_locale="en",
    missing="error",
    strict=False,
    random_state=0,
    response_method="predict",
    threshold=None,
    pos_label=None,
    sensitive_features_at_predict=False,
    chunk_size=DEFAULT_CHUNK_SIZE,
    greater_is_better=True,
):
    """Make a scorer for ``GridSearchCV``/``cross_validate``: the flip score.

    Parameters
    ----------
    protected, augmenter, values, links, locales, genders, source, n_twins, \
intersectional, default_locale, missing, strict, random_state, \
response_method, threshold, pos_label, sensitive_features_at_predict, \
chunk_size :
        As in :func:`counterfactual_flip_rate`.
    greater_is_better : bool, default=True
        True scores ``1 - flip rate``; False returns the rate itself (for
        reporting; model selection ranks higher values first).

    Returns
    -------
    scorer : CounterfactualFlipScorer
        A picklable callable ``scorer(estimator, X, y=None, sample_weight=None)``.

    Notes
    -----
    ``GridSearchCV`` turns an exception inside a scorer into a NaN score with a
    warning unless ``error_score="raise"``. The options are checked here, and
    the protected columns when the scorer first sees ``X``; use
    ``error_score="raise"`` while setting up a search.

    Examples
    --------
    >>> from skcounterfactual import make_counterfactual_flip_scorer
    >>> make_counterfactual_flip_scorer(protected="gender")
    make_counterfactual_flip_scorer(protected='gender', random_state=0)
    """
    if response_method not in RESPONSE_METHODS:
        raise ValueError(
            f"response_method must be one of {RESPONSE_METHODS!r}, got "
            f"{response_method!r}."
        )
    if threshold is not None and response_method == "predict":
        raise ValueError(
            "threshold needs response_method='predict_proba' or 'decision_function'; "
            "with 'predict' the estimator's own labels are compared."
        )
    if augmenter is None:
        columns = as_column_list(protected, "protected")
        # check the twin options now, not inside a search where errors become NaN
        CounterfactualAugmenter(
            protected=protected,
            values=values,
            links=links,
            locales=locales,
            genders=genders,
            source=source,
            n_twins=n_twins,
            intersectional=intersectional,
            default_locale=default_locale,
            missing=missing,
            strict=strict,
            random_state=random_state,
        )._check_params()
        normalise_links(links, columns)
        check_locale(default_locale, "default_locale")
    elif not isinstance(augmenter, CounterfactualAugmenter):
        raise TypeError(
            "augmenter must be a CounterfactualAugmenter, got "
            f"{type(augmenter).__name__}: {augmenter!r}."
        )
    given = dict(locals())  # the parameters, as passed
    signature = inspect.signature(make_counterfactual_flip_scorer)
    options = {}
    for key in signature.parameters:
        if key == "greater_is_better":
            continue
        value = given[key]
        always = key in ("protected", "random_state") and augmenter is None
        if always or not _is_default(value, signature.parameters[key].default):
            options[key] = value
    return CounterfactualFlipScorer(options, greater_is_better=greater_is_better)


def _is_default(value, default):
    if value is default:
        return True
    try:
        return type(value) is type(default) and bool(value == default)
    except (TypeError, ValueError):
        return False
