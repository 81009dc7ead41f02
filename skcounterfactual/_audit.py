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

from ._audit_coherence import PROXY_ROWS, coherence_findings, proxies_of
from ._flipsets import reports_flipsets
from ._partitions import Rows, twin_maker_for
from ._predictions import (
    DEFAULT_CHUNK_SIZE,
    check_estimator,
    iter_predictions,
    observed_positive_class,
    positive_class,
    require_positive_class,
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
    rows = Rows(X, y, sample_weight)
    if protected is not None and augmenter is None:
        check_columns(rows.table, as_column_list(protected, "protected"), "protected")
    method = _score_method(estimator, response_method)
    check_estimator(estimator, method)
    confidence = check_confidence(confidence)
    max_evidence = check_positive_int(max_evidence, "max_evidence", minimum=0)
    chunk_size = check_positive_int(chunk_size, "chunk_size")
    positive = positive_class(estimator, pos_label)
    if positive is None and hasattr(estimator, "classes_"):
        positive = require_positive_class(estimator, pos_label, "The audit")
    maker = twin_maker_for(rows, protected=protected, augmenter=augmenter)
    partition = _AuditPartition(
        estimator,
        maker,
        method=method,
        pos_label=positive,
        max_evidence=max_evidence,
        chunk_size=chunk_size,
        progress=None if rows.dask else progress,
    )
    results, sample = rows.run_and_sample(partition, PROXY_ROWS)
    tallies, positive, placebo, n_rows = _merge(results)
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
        response_method=method or "predict",
        pos_label=positive,
        confidence=confidence,
        placebo=placebo,
        weighted=rows.weights is not None,
        has_y=rows.y is not None,
    )


class _AuditPartition:
    """Tally the factors of one partition's rows, chunk by chunk.

    Called with a pandas frame, the dtype an array ``X`` had, and the rows'
    labels and weights; returns ``(tallies, pos_label, placebo, n_rows)``.
    A plain picklable object, so Dask can send it to its workers.
    """

    def __init__(
        self, estimator, maker, *, method, pos_label, max_evidence, chunk_size, progress
    ):
        self.estimator = estimator
        self.maker = maker
        self.method = method
        self.pos_label = pos_label
        self.max_evidence = max_evidence
        self.chunk_size = chunk_size
        self.progress = progress

    def _tallies(self, label):
        return {
            name: FactorTally(
                name,
                factor["columns"],
                factor["linked"],
                _factor_domain(self.maker, factor["columns"]),
                label,
                self.max_evidence,
                flipsets=reports_flipsets(self.maker),
            )
            for name, factor in self.maker.factors_.items()
        }

    def __call__(self, frame, dtype, y, weights):
        tallies, label, placebo = None, self.pos_label, False
        chunks = iter_predictions(
            self.estimator,
            frame,
            self.maker,
            dtype=dtype,
            method=self.method,
            pos_label=self.pos_label,
            placebo=None,
            chunk_size=self.chunk_size,
        )
        for chunk in chunks:
            if self.pos_label is None:  # a duck-typed model without classes_
                label = _chunk_positive(chunk, label)
            tallies = tallies or self._tallies(label)
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
        return tallies, label, placebo, len(frame)


def _merge(results):
    """Merge the partitions' tallies in row order."""
    results = [r for r in results if r[0] is not None]
    if not results:
        raise ValueError(EMPTY_INPUT)
    labels = {repr(label) for _, label, _, _ in results}
    if len(labels) > 1:
        raise ValueError(
            "The estimator has no classes_ and its decisions differ between "
            f"partitions ({sorted(labels)!r}); pass pos_label=<the favourable "
            "decision>."
        )
    tallies, positive = results[0][0], results[0][1]
    for more, *_ in results[1:]:
        for name, tally in tallies.items():
            tally.merge(more[name])
    placebo = any(p for _, _, p, _ in results)
    return tallies, positive, placebo, sum(n for *_, n in results)


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


def _chunk_positive(chunk, label):
    """Return the favourable class of a model without ``classes_``, from a chunk.

    Every chunk's decisions must point to the same class as the first's.
    """
    decisions = np.concatenate([chunk.original, chunk.twin])
    found = observed_positive_class(decisions, "The audit")
    if label is not None and found != label:
        raise ValueError(
            "The estimator has no classes_ and its decisions point to different "
            f"favourable classes ({label!r} and {found!r}); pass pos_label=<the "
            "favourable decision>."
        )
    return found


def _factor_domain(maker, columns):
    if len(columns) == 1:
        return list(maker.domains_[columns[0]])
    sizes = [len(maker.domains_[c]) for c in columns]
    if int(np.prod(sizes)) > MAX_PRODUCT_ORDER:
        return None  # the values are listed sorted
    return list(itertools.product(*(maker.domains_[c] for c in columns)))
