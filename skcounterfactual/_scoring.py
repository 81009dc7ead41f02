"""Counterfactual flip rate, flip score and effect, and the flip scorer.

A row *flips* when the model's decision for at least one of its twins differs
from its decision for the row itself. The flip rate is the (weighted) share of
rows that flip; the flip score is ``1 - flip rate`` so that greater is better,
as scikit-learn's model selection expects. Twins come from a twin maker
(``augmenter=``), or from a default :class:`CounterfactualAugmenter` when only
``protected=`` is given; predictions come from ``_predictions``.
"""

from fractions import Fraction

import numpy as np

from ._kind import (
    PREDICT_FOR_CLASSIFIER,
    REGRESSOR,
    SCORES_FOR_REGRESSOR,
    declared_kind,
    needs_tolerance,
)
from ._partitions import Rows, twin_maker_for
from ._predictions import (
    DEFAULT_CHUNK_SIZE,
    NO_TWINS,
    check_estimator,
    iter_predictions,
    positive_class,
    require_positive_class,
)
from ._stats import weighted_total
from ._validation import (
    as_column_list,
    check_bool,
    check_columns,
    check_option,
    check_positive_int,
)

EFFECT_METHODS = ("auto", "predict", "predict_proba", "decision_function")


def _prepare(X, protected, augmenter, sample_weight, sensitive, chunk):
    """Validate the shared inputs; return the rows and the fitted twin maker."""
    rows = Rows(X, sample_weight=sample_weight)
    check_bool(sensitive, "sensitive_features_at_predict")
    check_positive_int(chunk, "chunk_size")
    if protected is not None and augmenter is None:
        check_columns(rows.table, as_column_list(protected, "protected"), "protected")
    return rows, twin_maker_for(rows, protected=protected, augmenter=augmenter)


def _mean_over_rows(rows, chunks, per_chunk, what):
    """Weighted mean over the audited rows of per-row values, from every chunk.

    ``chunks(frame, dtype)`` yields the predictions of a partition chunk by
    chunk; ``per_chunk(chunk)`` returns ``(values, audited)`` for its rows.
    Sums are exact, so the mean does not depend on chunks or partitions.
    """
    (mean,) = _means_over_rows(rows, chunks, lambda c: [per_chunk(c)], [what])
    if isinstance(mean, Exception):
        raise mean
    return mean


def _means_over_rows(rows, chunks, per_chunk, whats):
    """Several weighted means from one pass: a value, or the error, per mean.

    ``per_chunk(chunk)`` returns one ``(values, audited)`` pair per name in
    ``whats``. A mean that is undefined (no audited row, or only zero
    weights) is a ``ValueError`` in the returned list, not raised.
    """

    def work(frame, dtype, y, weights):
        sums = [[0, 0, 0] for _ in whats]  # hits, total weight, audited rows
        for chunk in chunks(frame, dtype):
            for held, (values, audited) in zip(sums, per_chunk(chunk), strict=True):
                w = None
                if weights is not None:
                    w = weights[chunk.start : chunk.start + chunk.n_samples][audited]
                held[0] += weighted_total(values[audited], w)
                held[1] += weighted_total(np.ones(int(audited.sum()), dtype=bool), w)
                held[2] += int(audited.sum())
        return sums

    results = rows.run(work)
    means = []
    for i, what in enumerate(whats):
        parts = [result[i] for result in results]
        if not sum(n for _, _, n in parts):
            means.append(ValueError(NO_TWINS.format(what=what)))
            continue
        hits = sum((Fraction(h) for h, _, _ in parts), Fraction(0))
        total = sum((Fraction(t) for _, t, _ in parts), Fraction(0))
        if total <= 0:
            means.append(
                ValueError(
                    f"The rows that have twins all have zero sample_weight, so the "
                    f"{what} is undefined."
                )
            )
            continue
        means.append(float(hits / total))
    return means


def counterfactual_flip_rate(
    estimator,
    X,
    y=None,
    *,
    protected=None,
    augmenter=None,
    pos_label=None,
    tolerance=None,
    sample_weight=None,
    sensitive_features_at_predict=False,
    chunk_size=DEFAULT_CHUNK_SIZE,
):
    """Share of rows whose decision changes for at least one counterfactual twin.

    Parameters
    ----------
    estimator : fitted estimator
        Usually a whole ``Pipeline``: it is called on the raw rows and twins.
        Decisions come from its ``predict``; to audit a decision threshold
        other than the model's own, wrap it in scikit-learn's
        ``FixedThresholdClassifier``.
    X : DataFrame, Dask DataFrame or array-like of shape (n_samples, n_features)
        The rows to audit. A Dask DataFrame is twinned and predicted partition
        by partition where it lives, with the same result as in pandas.
    y : None
        Ignored; present for the scorer signature.
    protected : str, int or list, default=None
        The protected column(s): a shortcut for
        ``augmenter=CounterfactualAugmenter(protected=protected)``.
    augmenter : twin maker, default=None
        How twins are built, e.g. ``CounterfactualAugmenter(protected="gender",
        links={...})``: used as is when fitted (fit it on the training data so
        its vocabularies are the model's), else fitted on ``X``.
    pos_label : label, default=None
        The favourable class of a classifier. When given, only a move into or
        out of it counts as a flip (for multiclass models); when None, any
        change of the predicted label does.
    tolerance : float or None, default=None
        For a regressor (a credit limit, a premium), the largest change of the
        prediction that is not a flip: a row flips when a twin's prediction
        differs from its own by more than ``tolerance``. Required for
        regressors (their predictions move a little for almost every twin),
        refused for classifiers. It also marks a model that declares no
        estimator type as a regressor, as ``pos_label`` marks a classifier.
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
    counterfactual_effect : How much scores (or a regressor's predictions) move.
    CounterfactualAugmenter : The twin options (links, values, locales, ...).

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn.linear_model import LinearRegression
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from skcounterfactual import counterfactual_flip_rate
    >>> X = pd.DataFrame({"gender_code": [1, 1, 0, 0], "income": [40, 90, 40, 90]})
    >>> y = [1, 1, 0, 1]
    >>> model = DecisionTreeClassifier(random_state=0).fit(X, y)
    >>> counterfactual_flip_rate(model, X, protected="gender_code")
    0.5

    A regressor flips when its prediction moves by more than ``tolerance``:

    >>> limits = LinearRegression().fit(X, [5000, 9100, 4000, 9000])
    >>> counterfactual_flip_rate(limits, X, protected="gender_code", tolerance=500)
    1.0
    >>> counterfactual_flip_rate(limits, X, protected="gender_code", tolerance=1000)
    0.0
    """
    return flip_rate(
        estimator,
        X,
        protected=protected,
        augmenter=augmenter,
        pos_label=pos_label,
        tolerance=tolerance,
        sample_weight=sample_weight,
        sensitive_features_at_predict=sensitive_features_at_predict,
        chunk_size=chunk_size,
    )


def flip_rate(
    estimator,
    X,
    *,
    protected=None,
    augmenter=None,
    pos_label=None,
    tolerance=None,
    sample_weight=None,
    sensitive_features_at_predict=False,
    chunk_size=DEFAULT_CHUNK_SIZE,
):
    """:func:`counterfactual_flip_rate` without its signature checks.

    One pass of :func:`flip_and_placebo` without placebo twins.
    """
    found = flip_and_placebo(
        estimator,
        X,
        protected=protected,
        augmenter=augmenter,
        pos_label=pos_label,
        tolerance=tolerance,
        sample_weight=sample_weight,
        sensitive_features_at_predict=sensitive_features_at_predict,
        chunk_size=chunk_size,
        placebo=False,
        what="The flip rate",
    )["flip"]
    if isinstance(found, Exception):
        raise found
    return found


def counterfactual_flip_score(
    estimator,
    X,
    y=None,
    *,
    protected=None,
    augmenter=None,
    pos_label=None,
    tolerance=None,
    sample_weight=None,
    sensitive_features_at_predict=False,
    chunk_size=DEFAULT_CHUNK_SIZE,
):
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
    protected : str, int or list, default=None
        The protected column(s), a shortcut for a default augmenter.
    augmenter : twin maker, default=None
        How twins are built (see :func:`counterfactual_flip_rate`).
    pos_label : label, default=None
        The favourable class (see :func:`counterfactual_flip_rate`).
    tolerance : float or None, default=None
        For a regressor, the largest change that is not a flip (see
        :func:`counterfactual_flip_rate`).
    sample_weight : array-like of shape (n_samples,), default=None
        Row weights.
    sensitive_features_at_predict : bool, default=False
        Pass the protected value(s) to ``predict`` as ``sensitive_features``.
    chunk_size : int, default=200000
        Rows twinned and predicted at a time.

    Returns
    -------
    score : float
        In [0, 1].

    See Also
    --------
    make_counterfactual_flip_scorer : The same score as a scorer object.

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
    return 1.0 - counterfactual_flip_rate(
        estimator,
        X,
        y,
        protected=protected,
        augmenter=augmenter,
        pos_label=pos_label,
        tolerance=tolerance,
        sample_weight=sample_weight,
        sensitive_features_at_predict=sensitive_features_at_predict,
        chunk_size=chunk_size,
    )


def counterfactual_effect(
    estimator,
    X,
    y=None,
    *,
    protected=None,
    augmenter=None,
    response_method="auto",
    pos_label=None,
    sample_weight=None,
    sensitive_features_at_predict=False,
    chunk_size=DEFAULT_CHUNK_SIZE,
):
    """Mean absolute change of the score, or prediction, between rows and twins.

    For a classifier, the score is the favourable class's probability (or
    decision function); for a regressor, the prediction itself, in its units
    (the effect is then the primary measure: see :func:`audit` for its
    quantiles and direction). Each row counts once: its change is the mean
    over its twins.

    Parameters
    ----------
    estimator : fitted estimator
        A classifier with ``predict_proba`` or ``decision_function``, or a
        regressor.
    X : DataFrame, Dask DataFrame or array-like of shape (n_samples, n_features)
        The rows to audit. A Dask DataFrame is twinned and predicted partition
        by partition where it lives, with the same result as in pandas.
    y : None
        Ignored.
    protected : str, int or list, default=None
        The protected column(s), a shortcut for a default augmenter.
    augmenter : twin maker, default=None
        How twins are built (see :func:`counterfactual_flip_rate`).
    response_method : {"auto", "predict", "predict_proba", \
"decision_function"}, default="auto"
        Which output to compare. ``"auto"`` takes a regressor's ``predict``,
        else ``predict_proba`` when the estimator has it, else
        ``decision_function``. ``"predict"`` is for regressors (and models
        without estimator type whose ``predict`` returns continuous values).
    pos_label : label, default=None
        The class whose probability is compared. Binary models give the same
        effect for either class; multiclass models need it; regressors take
        none.
    sample_weight : array-like of shape (n_samples,), default=None
        Row weights.
    sensitive_features_at_predict : bool, default=False
        Pass the protected value(s) to ``predict`` as ``sensitive_features``.
    chunk_size : int, default=200000
        Rows twinned and predicted at a time.

    Returns
    -------
    effect : float
        0.0 when no twin moves the score (in probability units, or in the
        regressor's units).

    See Also
    --------
    make_counterfactual_effect_scorer : The negated effect as a scorer.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn.linear_model import LinearRegression, LogisticRegression
    >>> from skcounterfactual import counterfactual_effect
    >>> X = pd.DataFrame({"gender_code": [1, 1, 0, 0], "income": [4, 9, 4, 9]})
    >>> model = LogisticRegression().fit(X, [1, 1, 0, 1])
    >>> round(counterfactual_effect(model, X, protected="gender_code"), 3)
    0.064
    >>> limits = LinearRegression().fit(X, [5000, 9100, 4000, 9000])
    >>> round(counterfactual_effect(limits, X, protected="gender_code"), 2)
    550.0
    """
    check_option(response_method, EFFECT_METHODS, "response_method")
    check_estimator(estimator)
    kind = declared_kind(estimator, pos_label=pos_label)
    method = _effect_method(estimator, response_method, kind)
    check_estimator(estimator, None if method == "predict" else method)
    rows, maker = _prepare(
        X,
        protected,
        augmenter,
        sample_weight,
        sensitive_features_at_predict,
        chunk_size,
    )
    positive = None
    if method != "predict":
        positive = positive_class(estimator, pos_label)
        classes = getattr(estimator, "classes_", None)
        if positive is None and classes is not None and len(classes) == 2:
            # a binary model's |change| is the same for either class: take the
            # class its decision_function scores, stated here, not guessed
            positive = _plain(classes[1])
        if method == "predict_proba" and positive is None:
            positive = require_positive_class(
                estimator, pos_label, "counterfactual_effect"
            )

    def chunks(frame, dtype):
        return iter_predictions(
            estimator,
            frame,
            maker,
            dtype=dtype,
            method=method,
            pos_label=positive,
            sensitive_features_at_predict=sensitive_features_at_predict,
            chunk_size=chunk_size,
            kind=REGRESSOR if method == "predict" else kind,
        )

    return _mean_over_rows(
        rows,
        chunks,
        lambda chunk: chunk.score_changes(chunk.mask("twin")),
        "counterfactual effect",
    )


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def _effect_method(estimator, response_method, kind):
    """Return the method whose output the effect compares."""
    name = type(estimator).__name__
    if kind == REGRESSOR:
        if response_method not in ("auto", "predict"):
            raise ValueError(
                SCORES_FOR_REGRESSOR.format(method=response_method, name=name)
            )
        return "predict"
    if response_method == "predict":
        if kind is not None:
            raise ValueError(PREDICT_FOR_CLASSIFIER.format(name=name))
        return "predict"
    if response_method != "auto":
        return response_method
    for method in ("predict_proba", "decision_function"):
        if hasattr(estimator, method):
            return method
    if kind is None:
        return "predict"  # a duck-typed model without scores: its predictions
    raise ValueError(
        f"{name} has neither predict_proba nor decision_function, so it gives "
        "no scores to compare; for a regressor pass response_method='predict'."
    )


NO_PLACEBO_TWINS = (
    "The flip minus placebo score needs placebo twins, and the augmenter "
    "{kind} built none: placebo twins keep the protected value and regenerate "
    "the generated links (names). Link a generated field (e.g. "
    "links={{'first_name': 'first_name'}}) and keep placebo='auto' (or True), "
    "or score the flip rate alone."
)


def flip_and_placebo(
    estimator,
    X,
    *,
    protected=None,
    augmenter=None,
    pos_label=None,
    tolerance=None,
    sample_weight=None,
    sensitive_features_at_predict=False,
    chunk_size=DEFAULT_CHUNK_SIZE,
    placebo=None,
    what="The flip minus placebo score",
):
    """Compute the flip rate and the flip minus placebo rate in one pass.

    The placebo rate is the share of rows whose decision changes for a placebo
    twin (same protected value, linked names regenerated): the flips that new
    names cause alone. The difference is what the protected value itself
    adds; as the audit's ``flip_minus_placebo``, it is taken over the rows
    with both kinds of twins, each row counting once.

    Returns a dict: ``"flip"`` and ``"minus_placebo"``, each a number or the
    ``ValueError`` that makes it undefined, and ``"decisions"``, the model's
    decisions on the rows of ``X`` when one chunk held them all (else None).
    ``placebo`` is passed to the twin maker (None: its own placebo twins;
    False: none, and the flip minus placebo rate is undefined). ``what``
    names the score in the errors that stop the pass.
    """
    check_estimator(estimator)
    kind = declared_kind(estimator, pos_label=pos_label, tolerance=tolerance)
    if kind == REGRESSOR and tolerance is None:
        raise needs_tolerance(what, estimator)
    rows, maker = _prepare(
        X,
        protected,
        augmenter,
        sample_weight,
        sensitive_features_at_predict,
        chunk_size,
    )
    positive = None if pos_label is None else positive_class(estimator, pos_label)
    decisions = []

    def chunks(frame, dtype):
        for chunk in iter_predictions(
            estimator,
            frame,
            maker,
            dtype=dtype,
            placebo=placebo,
            sensitive_features_at_predict=sensitive_features_at_predict,
            chunk_size=chunk_size,
            kind=kind,
            tolerance=tolerance,
        ):
            decisions.append(chunk.original)
            yield chunk

    def both(chunk):
        if chunk.kind == REGRESSOR and tolerance is None:
            raise needs_tolerance(what, estimator)
        flipped, audited = chunk.flips(chunk.mask("twin"), positive)
        p_flipped, p_audited = chunk.flips(chunk.mask("placebo"), positive)
        with_both = audited & p_audited
        difference = flipped.astype(float) - p_flipped.astype(float)
        return [(flipped, audited), (difference, with_both)]

    flip, minus = _means_over_rows(
        rows, chunks, both, ["flip rate", "flip minus placebo rate"]
    )
    if isinstance(minus, ValueError) and str(minus).startswith("No row of X has"):
        minus = ValueError(NO_PLACEBO_TWINS.format(kind=type(maker).__name__))
    whole = len(decisions) == 1 and not rows.dask
    return {
        "flip": flip,
        "minus_placebo": minus,
        "decisions": decisions[0] if whole else None,
    }
