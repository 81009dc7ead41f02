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

from ._partitions import Rows, twin_maker_for
from ._predictions import (
    DEFAULT_CHUNK_SIZE,
    NO_TWINS,
    check_estimator,
    iter_predictions,
    positive_class,
    require_positive_class,
    score_method,
)
from ._stats import weighted_total
from ._validation import (
    as_column_list,
    check_bool,
    check_columns,
    check_positive_int,
)


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

    def work(frame, dtype, y, weights):
        hits, total, n_audited = 0, 0, 0
        for chunk in chunks(frame, dtype):
            values, audited = per_chunk(chunk)
            w = None
            if weights is not None:
                w = weights[chunk.start : chunk.start + chunk.n_samples][audited]
            hits += weighted_total(values[audited], w)
            total += weighted_total(np.ones(int(audited.sum()), dtype=bool), w)
            n_audited += int(audited.sum())
        return hits, total, n_audited

    results = rows.run(work)
    if not sum(n for _, _, n in results):
        raise ValueError(NO_TWINS.format(what=what))
    hits = sum((Fraction(h) for h, _, _ in results), Fraction(0))
    total = sum((Fraction(t) for _, t, _ in results), Fraction(0))
    if total <= 0:
        raise ValueError(
            f"The rows that have twins all have zero sample_weight, so the {what} "
            "is undefined."
        )
    return float(hits / total)


def counterfactual_flip_rate(
    estimator,
    X,
    y=None,
    *,
    protected=None,
    augmenter=None,
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
        Decisions come from its ``predict``; to audit a decision threshold
        other than the model's own, wrap it in scikit-learn's
        ``FixedThresholdClassifier``.
    X : DataFrame or array-like of shape (n_samples, n_features)
        The rows to audit.
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
        The favourable class. When given, only a move into or out of it counts
        as a flip (for multiclass models); when None, any change of the
        predicted label does.
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
    CounterfactualAugmenter : The twin options (links, values, locales, ...).

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
    check_estimator(estimator)
    rows, maker = _prepare(
        X,
        protected,
        augmenter,
        sample_weight,
        sensitive_features_at_predict,
        chunk_size,
    )
    positive = None if pos_label is None else positive_class(estimator, pos_label)

    def chunks(frame, dtype):
        return iter_predictions(
            estimator,
            frame,
            maker,
            dtype=dtype,
            sensitive_features_at_predict=sensitive_features_at_predict,
            chunk_size=chunk_size,
        )

    return _mean_over_rows(
        rows,
        chunks,
        lambda chunk: chunk.flips(chunk.mask("twin"), positive),
        "flip rate",
    )


def counterfactual_flip_score(
    estimator,
    X,
    y=None,
    *,
    protected=None,
    augmenter=None,
    pos_label=None,
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
    """Mean absolute change of the positive-class score between rows and twins.

    Each row counts once: its change is the mean over its twins.

    Parameters
    ----------
    estimator : fitted estimator
        With ``predict_proba`` or ``decision_function``.
    X : DataFrame or array-like of shape (n_samples, n_features)
        The rows to audit.
    y : None
        Ignored.
    protected : str, int or list, default=None
        The protected column(s), a shortcut for a default augmenter.
    augmenter : twin maker, default=None
        How twins are built (see :func:`counterfactual_flip_rate`).
    response_method : {"auto", "predict_proba", "decision_function"}, \
default="auto"
        Which score to compare; ``"auto"`` takes ``predict_proba`` when the
        estimator has it, else ``decision_function``.
    pos_label : label, default=None
        The class whose probability is compared. Binary models give the same
        effect for either class; multiclass models need it.
    sample_weight : array-like of shape (n_samples,), default=None
        Row weights.
    sensitive_features_at_predict : bool, default=False
        Pass the protected value(s) to ``predict`` as ``sensitive_features``.
    chunk_size : int, default=200000
        Rows twinned and predicted at a time.

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
    method = score_method(estimator, response_method)
    check_estimator(estimator, method)
    rows, maker = _prepare(
        X,
        protected,
        augmenter,
        sample_weight,
        sensitive_features_at_predict,
        chunk_size,
    )
    positive = positive_class(estimator, pos_label)
    classes = getattr(estimator, "classes_", None)
    if positive is None and classes is not None and len(classes) == 2:
        positive = classes[-1]  # |change| is the same for either class
    if method == "predict_proba" and positive is None:
        positive = require_positive_class(estimator, pos_label, "counterfactual_effect")

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
        )

    return _mean_over_rows(
        rows,
        chunks,
        lambda chunk: chunk.score_changes(chunk.mask("twin")),
        "counterfactual effect",
    )
