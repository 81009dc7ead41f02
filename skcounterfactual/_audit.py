"""The computation behind :func:`audit`.

The audit predicts on the rows of ``X`` and on their twins (``_predictions``),
then, per audited factor, turns the paired decisions into a flip rate with an
interval, a placebo noise floor, a direction test (``_paired``), a score change,
group metrics (``_group_metrics``) and a sample of flipped pairs as evidence
(``_evidence``). It returns them as an :class:`AuditReport` (``_report``).
"""

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._augmenter import resolve_twin_maker
from ._evidence import evidence
from ._flipsets import DEFAULT_MAX_FEATURES, flipset_tables, reports_flipsets
from ._group_metrics import continuous_reason, group_metrics
from ._mean_intervals import mean_with_interval, paired_difference_interval
from ._paired import direction_tables
from ._predictions import (
    DEFAULT_CHUNK_SIZE,
    check_estimator,
    counterfactual_predictions,
    positive_class,
    require_positive_class,
)
from ._report import AttributeAudit, AuditReport
from ._stats import weighted_proportion_interval
from ._validation import (
    as_column_list,
    as_frame,
    check_columns,
    check_confidence,
    check_option,
    check_positive_int,
    check_sample_weight,
    check_y,
)

DEFAULT_MAX_EVIDENCE = 20
RESPONSE_METHODS = ("auto", "predict", "predict_proba", "decision_function")
MAX_PRODUCT_ORDER = 10_000


def audit(
    estimator,
    X,
    y=None,
    *,
    protected=None,
    augmenter=None,
    response_method="auto",
    pos_label=None,
    sample_weight=None,
    confidence=0.95,
    max_evidence=DEFAULT_MAX_EVIDENCE,
    chunk_size=DEFAULT_CHUNK_SIZE,
    progress=None,
):
    """Audit a fitted classifier with counterfactual twins.

    Predicts on every row of ``X`` and on its twins (the same row with one
    protected attribute changed, and its linked columns following), and
    reports per attribute how often and which way decisions change, next to
    Fairlearn's group metrics.

    Parameters
    ----------
    estimator : fitted classifier
        Usually a whole ``Pipeline``: it receives the raw rows and twins.
    X : DataFrame or array-like of shape (n_samples, n_features)
        The rows to audit (preferably data the model was not fitted on).
    y : array-like of shape (n_samples,), default=None
        True labels; adds accuracy, true and false positive rates by group and
        the equalized odds difference.
    protected : str, int or list, default=None
        The protected column(s) of ``X``: a shortcut for
        ``augmenter=CounterfactualAugmenter(protected=protected)``.
    augmenter : twin maker, default=None
        How twins are built, e.g. ``CounterfactualAugmenter(protected="gender",
        links={...}, random_state=0)``: used as is when fitted, else fitted on
        ``X``; the audit covers exactly the twins it builds, placebo twins
        included (its ``placebo`` parameter), one section per attribute it
        twins (``intersectional="both"`` adds their intersection). Fit it on
        the training data so that ``unseen`` flags values the model never saw.
    response_method : {"auto", "predict", "predict_proba", \
"decision_function"}, default="auto"
        Scores to compare besides decisions. ``"auto"`` uses ``predict_proba``
        when the estimator has it, else ``decision_function``, else none
        (``"predict"``). Decisions always come from ``predict``; to audit
        another decision threshold, wrap the model in scikit-learn's
        ``FixedThresholdClassifier``.
    sample_weight : array-like of shape (n_samples,), default=None
        Sampling weights of the rows (rates, intervals and group metrics are
        weighted; direction tests count pairs).
    pos_label : label, default=None
        The favourable decision (loan granted); every other label is
        unfavourable. Also the class whose score is compared. When None, 1
        (or True) for models whose classes are 0/1, -1/1 or booleans; other
        models need it.
    confidence : float, default=0.95
        Confidence level of the intervals.
    max_evidence : int, default=20
        Flipped pairs kept as evidence, per attribute.
    chunk_size : int, default=200000
        Rows twinned and predicted at a time.
    progress : callable or None, default=None
        Called as ``progress(done, total)`` after each chunk, with rows
        processed so far over all attributes (the command line draws a bar).

    Returns
    -------
    report : AuditReport

    See Also
    --------
    counterfactual_flip_rate : The flip rate alone, for scripts and scorers.

    Notes
    -----
    The direction test compares, for each person, the decision they get with
    value ``a`` and with value ``b`` of the attribute (their own value and
    their twin's), whichever of the two they actually have. Under the null
    hypothesis that the value does not matter, those two decisions are
    exchangeable, so among the people whose decision differs the number
    favoured as ``a`` is binomial with probability 1/2: McNemar's test. The
    ``direction`` table keeps the row-to-twin view per source group (are the
    flips of men's rows all losses?), the ``comparisons`` table pools both
    directions and answers "does being ``b`` rather than ``a`` lower the
    decision?". Each person contributes one pair per comparison, so pairs
    are independent.

    Group metrics need groups: when a protected column has more than 20
    distinct values among the rows (an exact age or income), they are left
    undefined, with the advice to bin the column, unless the augmenter's
    ``values`` lists a domain that holds every value of the data.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn.compose import make_column_transformer
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import OneHotEncoder
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from skcounterfactual import audit
    >>> X = pd.DataFrame({"gender": ["F", "F", "M", "M"] * 5,
    ...                   "income": [40, 90, 40, 90] * 5})
    >>> y = [0, 1, 1, 1] * 5
    >>> model = make_pipeline(
    ...     make_column_transformer((OneHotEncoder(), ["gender"]),
    ...                             remainder="passthrough"),
    ...     DecisionTreeClassifier(random_state=0),
    ... ).fit(X, y)
    >>> report = audit(model, X, protected="gender")
    >>> report
    <AuditReport of Pipeline(ColumnTransformer, DecisionTreeClassifier) on 20 \
rows (gender: flip rate 0.500)>
    >>> gender = report.attributes["gender"]
    >>> gender.comparisons[["value_a", "value_b", "only_a_favourable",
    ...                     "only_b_favourable"]]
      value_a value_b  only_a_favourable  only_b_favourable
    0       F       M                  0                 10
    >>> print(f"{gender.asymmetry_p_value:.4f}")
    0.0010
    """
    frame, was_frame = as_frame(X)
    if protected is not None and augmenter is None:
        check_columns(frame, as_column_list(protected, "protected"), "protected")
    method = _score_method(estimator, response_method)
    check_estimator(estimator, method)
    y_values = check_y(y, len(frame))
    weights = check_sample_weight(sample_weight, len(frame))
    confidence = check_confidence(confidence)
    max_evidence = check_positive_int(max_evidence, "max_evidence", minimum=0)
    chunk_size = check_positive_int(chunk_size, "chunk_size")
    positive = positive_class(estimator, pos_label)
    if positive is None and hasattr(estimator, "classes_"):
        positive = require_positive_class(estimator, pos_label, "The audit")
    maker = resolve_twin_maker(X, protected=protected, augmenter=augmenter)
    predictions = counterfactual_predictions(
        estimator,
        X,
        maker,
        method=method,
        pos_label=positive,
        placebo=None,
        chunk_size=chunk_size,
        progress=progress,
    )
    if positive is None:  # a duck-typed model without classes_
        positive = _observed_positive(predictions.original)
    context = _Context(
        estimator=estimator,
        X=X,
        frame=frame,
        was_frame=was_frame,
        y=y_values,
        weights=weights,
        pos_label=positive,
        confidence=confidence,
        max_evidence=max_evidence,
        method=method,
    )
    attributes = {
        name: _audit_factor(name, factor, maker, predictions, context)
        for name, factor in maker.factors_.items()
    }
    return AuditReport(
        attributes,
        n_rows=len(frame),
        estimator=_estimator_name(estimator),
        response_method=method or "predict",
        pos_label=positive,
        confidence=confidence,
        placebo=bool((predictions.provenance["kind"] == "placebo").any()),
        weighted=weights is not None,
        has_y=y_values is not None,
    )


@dataclass
class _Context:
    estimator: object
    X: object
    frame: pd.DataFrame
    was_frame: bool
    y: np.ndarray | None
    weights: np.ndarray | None
    pos_label: object
    confidence: float
    max_evidence: int
    method: str | None


def _estimator_name(estimator):
    name = type(estimator).__name__
    steps = getattr(estimator, "steps", None)
    if isinstance(steps, list) and steps:
        inner = [
            type(step).__name__
            for _, step in steps
            if step not in (None, "passthrough")
        ]
        return f"{name}({', '.join(inner)})"
    return name


def _score_method(estimator, response_method):
    """Where the audit's scores come from (None: decisions only)."""
    check_option(response_method, RESPONSE_METHODS, "response_method")
    if response_method == "predict":
        return None
    if response_method != "auto":
        return response_method
    for method in ("predict_proba", "decision_function"):
        if hasattr(estimator, method):
            return method
    return None


def _observed_positive(decisions):
    """Return the favourable class of a model without ``classes_``."""
    observed = sorted({v.item() if isinstance(v, np.generic) else v for v in decisions})
    if set(observed) <= {0, 1}:
        return True if all(isinstance(v, bool) for v in observed) else 1
    raise ValueError(
        "The audit needs the favourable class, and the estimator has no classes_ "
        f"while its decisions are {observed[:10]!r}. Pass pos_label=<the "
        "favourable decision>."
    )


def _factor_domain(maker, columns):
    if len(columns) == 1:
        return list(maker.domains_[columns[0]])
    sizes = [len(maker.domains_[c]) for c in columns]
    if int(np.prod(sizes)) > MAX_PRODUCT_ORDER:
        return None  # listed in the order they occur
    return list(itertools.product(*(maker.domains_[c] for c in columns)))


def _audit_factor(name, factor, maker, predictions, context):
    columns, linked = list(factor["columns"]), list(factor["linked"])
    provenance = predictions.provenance
    twin_mask = predictions.mask("twin", name)
    placebo_mask = predictions.mask("placebo", name)
    flipped, audited = predictions.flips(twin_mask, context.pos_label)
    if not audited.any():
        raise ValueError(
            f"No row of X has a twin for {name!r} (every value is missing or "
            "outside the domain), so nothing can be audited."
        )
    weights, level = context.weights, context.confidence
    w = None if weights is None else weights[audited]
    undefined = {}
    rate, low, high = weighted_proportion_interval(
        flipped[audited], w, confidence=level
    )
    placebo = _placebo(flipped, audited, predictions, placebo_mask, context, undefined)
    score = _score_change(predictions, twin_mask, audited, w, level, undefined)
    pos = provenance["source_position"].to_numpy()[twin_mask]
    direction, comparisons = direction_tables(
        provenance["original"].to_numpy(dtype=object)[twin_mask],
        provenance["new"].to_numpy(dtype=object)[twin_mask],
        predictions.original[pos] == context.pos_label,
        predictions.twin[twin_mask] == context.pos_label,
        _factor_domain(maker, columns),
    )
    p_mid, p_exact = (
        min(1.0, len(comparisons) * float(comparisons[key].min()))
        for key in ("p_value_midp", "p_value_exact")
    )
    sensitive = context.frame[columns]
    present = ~sensitive.isna().any(axis=1).to_numpy()
    reason = continuous_reason(sensitive[present], getattr(maker, "values", None))
    sensitive = sensitive.rename(columns=str)  # Fairlearn wants str
    groups, parity = group_metrics(
        sensitive.iloc[:, 0] if len(columns) == 1 else sensitive,
        predictions.original,
        y=context.y,
        weights=context.weights,
        pos_label=context.pos_label,
        undefined=undefined,
        rows=present,
        reason=reason,
    )
    own_columns = set(columns) | set(linked)
    flipsets = transparency = None
    if reports_flipsets(maker):
        flipsets, transparency = flipset_tables(
            name,
            columns,
            maker,
            predictions,
            context.frame,
            context.pos_label,
            DEFAULT_MAX_FEATURES,
        )
    pairs = np.flatnonzero(twin_mask)
    flips = pairs[predictions.changed(twin_mask, context.pos_label)]
    return AttributeAudit(
        name=name,
        columns=columns,
        n_rows=int(audited.sum()),
        n_missing=int((~present).sum()),
        n_twins=int(twin_mask.sum()),
        n_placebo_twins=int(placebo_mask.sum()),
        flip_rate=rate,
        flip_rate_interval=(low, high),
        n_flipped_rows=int(flipped.sum()),
        placebo_rate=placebo[0],
        placebo_rate_interval=placebo[1],
        flip_minus_placebo=placebo[2],
        flip_minus_placebo_interval=placebo[3],
        direction=direction,
        comparisons=comparisons,
        asymmetry_p_value=p_mid,
        asymmetry_p_value_exact=p_exact,
        score_change=score[0],
        score_change_interval=score[1],
        group_metrics=groups,
        demographic_parity_difference=parity[0],
        demographic_parity_ratio=parity[1],
        equalized_odds_difference=parity[2],
        unseen_twins=int(
            provenance["unseen"].to_numpy()[twin_mask | placebo_mask].sum()
        ),
        unseen_values={
            column: list(found)
            for column, found in predictions.unseen_values.items()
            if column in own_columns
        },
        n_flipped_pairs=len(flips),
        evidence=evidence(flips, name, columns, maker, predictions, context),
        undefined=undefined,
        flipsets=flipsets,
        transparency=transparency,
    )


def _placebo(flipped, audited, predictions, mask, context, undefined):
    if not mask.any():
        reason = (
            "no placebo twins: the augmenter's placebo=False, or no generated "
            "link field (such as 'first_name') follows this attribute"
        )
        for key in ("placebo_rate", "flip_minus_placebo"):
            undefined[key] = reason
        return None, None, None, None
    p_flipped, p_audited = predictions.flips(mask, context.pos_label)
    weights, level = context.weights, context.confidence
    both = audited & p_audited
    rate, low, high = weighted_proportion_interval(
        p_flipped[p_audited],
        None if weights is None else weights[p_audited],
        confidence=level,
    )
    difference, d_low, d_high = paired_difference_interval(
        flipped[both],
        p_flipped[both],
        None if weights is None else weights[both],
        confidence=level,
    )
    return rate, (low, high), difference, (d_low, d_high)


def _score_change(predictions, mask, audited, w, level, undefined):
    if predictions.original_score is None:
        undefined["score_change"] = (
            "the estimator gave decisions only (response_method='predict')"
        )
        return None, None
    per_row, _ = predictions.score_changes(mask)
    try:
        mean, low, high = mean_with_interval(per_row[audited], w, confidence=level)
    except ValueError as exc:
        undefined["score_change"] = str(exc)
        return None, None
    return mean, (low, high)
