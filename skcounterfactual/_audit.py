"""The computation behind :func:`audit`.

The audit predicts on the rows of ``X`` and on their twins one chunk at a time
(``_predictions``; the partitions of a Dask table on its workers,
``_partitions``) and gathers, per audited factor, exact sufficient statistics
(``_tally``): flip and placebo rates with intervals, paired decisions per pair
of values, score changes, per-group counts for Fairlearn's group metrics and
the first flipped pairs as evidence. Memory is bounded by the chunk, and the
numbers do not depend on how the rows are split. It returns them as an
:class:`AuditReport` (``_report``).
"""

import itertools
import warnings

import numpy as np
import pandas as pd

from ._audit_coherence import PROXY_ROWS, coherence_findings, proxies_of
from ._flipsets import reports_flipsets
from ._kind import CLASSIFIER, REGRESSOR, SCORES_FOR_REGRESSOR, declared_kind
from ._partitions import Rows, twin_maker_for
from ._predictions import (
    DEFAULT_CHUNK_SIZE,
    check_estimator,
    iter_predictions,
    positive_class,
    zero_one_positive,
)
from ._report import AttributeAudit, AuditReport
from ._tally import FactorTally
from ._validation import (
    EMPTY_INPUT,
    as_column_list,
    check_columns,
    check_confidence,
    check_option,
    check_positive_int,
    shown,
)

DEFAULT_MAX_EVIDENCE = 20
TEXT_UNCHANGED = (
    "{unchanged:,} of {twins:,} twins for {name!r} kept their text unchanged: "
    "it mentions neither the row's names nor a gendered word of the lexicon. "
    "Their decisions cannot flip through the text, so the flip rate says little "
    "about how the model reads it. Check the text column and the TextLink "
    "lexicon, or audit texts that mention the person."
)
RESPONSE_METHODS = ("auto", "predict", "predict_proba", "decision_function")
MISSING_LABELS = (
    "y has {count:,} missing label(s); the audit compares true labels with "
    "decisions, so each row needs one. Drop those rows or pass y=None."
)
FOREIGN_LABELS = (
    "y holds the labels {labels!r}, none of which is a class of the estimator "
    "{classes!r}. Pass the true labels in the model's own terms."
)
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
    tolerance=None,
    sample_weight=None,
    confidence=0.95,
    max_evidence=DEFAULT_MAX_EVIDENCE,
    chunk_size=DEFAULT_CHUNK_SIZE,
):
    """Audit a fitted classifier or regressor with counterfactual twins.

    Predicts on every row of ``X`` and on its twins (the same row with one
    protected attribute changed, and its linked columns following), and
    reports per attribute how often and which way decisions change, next to
    Fairlearn's group metrics. For a regressor, how much and which way its
    predictions move (the effect), next to the groups' mean predictions.

    Parameters
    ----------
    estimator : fitted classifier or regressor
        Usually a whole ``Pipeline``: it receives the raw rows and twins. A
        regressor is recognised by scikit-learn's estimator type, or, for a
        model that declares none, by ``tolerance`` or by floating-point
        predictions (``pos_label`` marks a classifier).
    X : DataFrame, Dask DataFrame or array-like of shape (n_samples, n_features)
        The rows to audit (preferably data the model was not fitted on). A
        Dask DataFrame is twinned, predicted and counted partition by
        partition where it lives, with the same report as in pandas.
    y : array-like or Dask Series of shape (n_samples,), default=None
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
        ``FixedThresholdClassifier(FrozenEstimator(model), threshold=...)``.
        A regressor's scores are its predictions.
    pos_label : label, default=None
        The favourable decision (loan granted); every other label is
        unfavourable, in every measure. Also the class whose score is
        compared. When None, 1 (or True) for models whose classes are 0/1,
        -1/1 or booleans; for other classifiers (a multiclass model) the
        favourable class is unknown: a flip is then any change of label, and
        directions, selection rates, parity and score changes are undefined,
        with the reason under ``undefined``.
    tolerance : float or None, default=None
        For a regressor, the largest change of the prediction that is not a
        flip (a credit limit moving by 5 euros is no decision). Without it a
        regressor's ``flip_rate`` is undefined and the effect is the measure;
        directions then count any change. Refused for classifiers.
    sample_weight : array-like of shape (n_samples,), default=None
        Sampling weights of the rows (rates, intervals and group metrics are
        weighted; direction tests count pairs).
    confidence : float, default=0.95
        Confidence level of the intervals.
    max_evidence : int, default=20
        Flipped pairs kept as evidence, per attribute.
    chunk_size : int, default=200000
        Rows twinned and predicted at a time.

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
    return run_audit(
        estimator,
        X,
        y,
        protected=protected,
        augmenter=augmenter,
        response_method=response_method,
        pos_label=pos_label,
        tolerance=tolerance,
        sample_weight=sample_weight,
        confidence=confidence,
        max_evidence=max_evidence,
        chunk_size=chunk_size,
    )


def run_audit(
    estimator,
    X,
    y=None,
    *,
    protected=None,
    augmenter=None,
    response_method="auto",
    pos_label=None,
    tolerance=None,
    sample_weight=None,
    confidence=0.95,
    max_evidence=DEFAULT_MAX_EVIDENCE,
    chunk_size=DEFAULT_CHUNK_SIZE,
    progress=None,
):
    """:func:`audit`, with ``progress(done, total)`` called after each chunk.

    The command line draws its progress bar from ``progress``.
    """
    rows = Rows(X, y, sample_weight)
    if protected is not None and augmenter is None:
        check_columns(rows.table, as_column_list(protected, "protected"), "protected")
    kind = declared_kind(estimator, pos_label=pos_label, tolerance=tolerance)
    method = _score_method(estimator, response_method, kind)
    check_estimator(estimator, None if method == "predict" else method)
    confidence = check_confidence(confidence)
    max_evidence = check_positive_int(max_evidence, "max_evidence", minimum=0)
    chunk_size = check_positive_int(chunk_size, "chunk_size")
    if progress is not None and not callable(progress):
        raise TypeError(
            "progress must be None or a callable progress(done, total), got "
            f"{type(progress).__name__}: {progress!r}."
        )
    positive = None if kind == REGRESSOR else positive_class(estimator, pos_label)
    if positive is None and kind == CLASSIFIER and method != "decision_function":
        method = None  # which class's probability? none is favourable
    if rows.y is not None and not rows.dask:
        _check_labels(rows.y, getattr(estimator, "classes_", None))
    maker = twin_maker_for(rows, protected=protected, augmenter=augmenter)
    partition = _AuditPartition(
        estimator,
        maker,
        method=method,
        pos_label=positive,
        max_evidence=max_evidence,
        chunk_size=chunk_size,
        progress=None if rows.dask else progress,
        kind=kind,
        tolerance=tolerance,
    )
    results, sample = rows.run_and_sample(partition, PROXY_ROWS)
    tallies, positive, placebo, n_rows, kind = _merge(results)
    given = getattr(maker, "values", None)
    proxies = {}
    attributes = {}
    for name, tally in tallies.items():
        fields = tally.finish(
            confidence=confidence,
            has_y=rows.y is not None,
            given_domains=given if isinstance(given, dict) else None,
        )
        for column in tally.columns:
            if column not in proxies:
                proxies[column] = proxies_of(sample, column, maker)
        coherence, reasons = coherence_findings(
            tally.columns,
            tally.linked,
            maker,
            fields["n_twins"],
            tally.counts["incoherent"],
            [proxies[column] for column in tally.columns],
        )
        fields["undefined"].update(reasons)
        attributes[name] = AttributeAudit(**fields, **coherence)
    _warn_unchanged_texts(attributes)
    return AuditReport(
        attributes,
        n_rows=n_rows,
        estimator=_estimator_name(estimator),
        response_method="predict" if kind == REGRESSOR else method or "predict",
        pos_label=positive,
        confidence=confidence,
        placebo=placebo,
        weighted=rows.weights is not None,
        has_y=rows.y is not None,
        kind=kind,
        tolerance=None if tolerance is None else float(tolerance),
    )


class _AuditPartition:
    """Tally the factors of one partition's rows, chunk by chunk.

    Called with a pandas frame, the dtype an array ``X`` had, and the rows'
    labels and weights; returns ``(tallies, pos_label, placebo, n_rows,
    kind)``. A plain picklable object, so Dask can send it to its workers.
    """

    def __init__(
        self,
        estimator,
        maker,
        *,
        method,
        pos_label,
        max_evidence,
        chunk_size,
        progress,
        kind=None,
        tolerance=None,
    ):
        self.estimator = estimator
        self.maker = maker
        self.method = method
        self.pos_label = pos_label
        self.max_evidence = max_evidence
        self.chunk_size = chunk_size
        self.progress = progress
        self.kind = kind
        self.tolerance = tolerance

    def _tallies(self, label, kind):
        if kind == REGRESSOR:
            mode = "regression"
        else:
            mode = "binary" if label is not None else "labels"
        classes = getattr(self.estimator, "classes_", None)
        bins = getattr(self.maker, "bins_", None) or {}
        return {
            name: FactorTally(
                name,
                factor["columns"],
                factor["linked"],
                _factor_domain(self.maker, factor["columns"]),
                label,
                self.max_evidence,
                flipsets=reports_flipsets(self.maker),
                mode=mode,
                tolerance=self.tolerance,
                bins=bins.get(factor["columns"][0])
                if len(factor["columns"]) == 1
                else None,
                classes="undeclared (no classes_)"
                if classes is None
                else [_plain(c) for c in classes],
            )
            for name, factor in self.maker.factors_.items()
        }

    def __call__(self, frame, dtype, y, weights):
        tallies, label, placebo, kind = None, self.pos_label, False, self.kind
        chunks = iter_predictions(
            self.estimator,
            frame,
            self.maker,
            dtype=dtype,
            method=self.method,
            pos_label=self.pos_label,
            placebo=None,
            chunk_size=self.chunk_size,
            kind=self.kind,
            tolerance=self.tolerance,
        )
        for chunk in chunks:
            if kind is not None and chunk.kind != kind:
                raise ValueError(KIND_CHANGED.format(first=kind, then=chunk.kind))
            kind = chunk.kind
            if self.pos_label is None and kind == CLASSIFIER:
                found = _chunk_positive(chunk, self.estimator)
                if tallies is not None and found != label:
                    raise ValueError(
                        "The estimator has no classes_ and its decisions point "
                        f"to different favourable classes ({label!r} and "
                        f"{found!r}); pass pos_label=<the favourable decision>."
                    )
                label = found
            tallies = tallies or self._tallies(label, kind)
            rows = slice(chunk.start, chunk.start + chunk.n_samples)
            for tally in tallies.values():
                tally.update(
                    chunk,
                    None if y is None else y[rows],
                    None if weights is None else weights[rows],
                )
            placebo |= bool((chunk.provenance["kind"] == "placebo").any())
            if self.progress is not None:
                self.progress(rows.stop, len(frame))
        return tallies, label, placebo, len(frame), kind


KIND_CHANGED = (
    "The estimator declares no estimator type, and its predictions were "
    "{first}-like in one chunk and {then}-like in another. Pass pos_label "
    "(a classifier) or tolerance (a regressor) to say which it is."
)


def _merge(results):
    """Merge the partitions' tallies in row order."""
    results = [r for r in results if r[0] is not None]
    if not results:
        raise ValueError(EMPTY_INPUT)
    labels = {repr(label) for _, label, *_ in results}
    kinds = {kind for *_, kind in results}
    if len(labels) > 1 or len(kinds) > 1:
        raise ValueError(
            "The estimator has no classes_ and its decisions differ between "
            f"partitions ({sorted(labels)!r}, {sorted(kinds)!r}); pass "
            "pos_label=<the favourable decision> (or tolerance for a regressor)."
        )
    tallies, positive = results[0][0], results[0][1]
    for more, *_ in results[1:]:
        for name, tally in tallies.items():
            tally.merge(more[name])
    placebo = any(r[2] for r in results)
    return tallies, positive, placebo, sum(r[3] for r in results), results[0][4]


def _warn_unchanged_texts(attributes):
    """Warn when at least half of an attribute's twins kept their text."""
    for name, found in attributes.items():
        changes = found.text_changes
        if changes and 2 * changes["twins_unchanged"] >= changes["twins"]:
            warnings.warn(
                TEXT_UNCHANGED.format(
                    unchanged=changes["twins_unchanged"],
                    twins=changes["twins"],
                    name=name,
                ),
                UserWarning,
                stacklevel=3,
            )


def _check_labels(y, classes):
    """Refuse missing labels, and labels that share nothing with the classes."""
    missing = int(np.count_nonzero(pd.isna(y)))
    if missing:
        raise ValueError(MISSING_LABELS.format(count=missing))
    if classes is None or np.ndim(y) != 1:  # a regressor, or rows of labels
        return
    listed = [shown(c) for c in np.asarray(classes).tolist()]
    try:
        labels = [shown(v) for v in pd.unique(np.asarray(y, dtype=object))]
        shared = set(labels) & set(listed)
    except TypeError:
        raise TypeError(
            "y must hold labels (text, numbers or booleans), got values such as "
            f"{shown(np.asarray(y, dtype=object)[0])!r}."
        ) from None
    if not shared:
        try:
            labels = sorted(labels)
        except TypeError:
            labels = sorted(labels, key=repr)
        raise ValueError(FOREIGN_LABELS.format(labels=labels[:10], classes=listed))


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


def _score_method(estimator, response_method, kind=None):
    """Where the audit's scores come from (None: decisions only)."""
    check_option(response_method, RESPONSE_METHODS, "response_method")
    if kind == REGRESSOR:
        if response_method not in ("auto", "predict"):
            raise ValueError(
                SCORES_FOR_REGRESSOR.format(
                    method=response_method, name=type(estimator).__name__
                )
            )
        return "predict"
    if response_method == "predict":
        return None
    if response_method != "auto":
        return response_method
    for method in ("predict_proba", "decision_function"):
        if hasattr(estimator, method):
            return method
    return None


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def _chunk_positive(chunk, estimator):
    """Return the favourable class of a model without ``classes_``, or None.

    1 (True) when they are 0/1, -1/1 or booleans; else None: the favourable
    class is unknown, and the audit leaves what needs it undefined.
    """
    if hasattr(estimator, "classes_"):
        return None
    decisions = np.concatenate([chunk.original, chunk.twin])
    observed = list(dict.fromkeys(_plain(v) for v in decisions))
    return zero_one_positive(observed)


def _factor_domain(maker, columns):
    if len(columns) == 1:
        return list(maker.domains_[columns[0]])
    sizes = [len(maker.domains_[c]) for c in columns]
    if int(np.prod(sizes)) > MAX_PRODUCT_ORDER:
        return None  # the values are listed sorted
    return list(itertools.product(*(maker.domains_[c] for c in columns)))
