"""The computation behind :func:`audit`.

The audit predicts on the rows of ``X`` and on their twins, then, per protected
attribute, turns the paired decisions into a flip rate with an interval, a
placebo noise floor, a direction test, a score change, group metrics (from
Fairlearn's ``MetricFrame``) and a sample of flipped pairs as evidence. It
returns them as an :class:`AuditReport` of :class:`AttributeAudit` (``_report``).
"""

import itertools
import numbers
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd
from fairlearn.metrics import (
    MetricFrame,
    count,
    false_positive_rate,
    selection_rate,
    true_positive_rate,
)
from sklearn.metrics import accuracy_score

from ._links import FieldLink, normalise_links
from ._report import AttributeAudit, AuditReport
from ._scoring import (
    DEFAULT_CHUNK_SIZE,
    RESPONSE_METHODS,
    _check_estimator,
    _respond,
    counterfactual_predictions,
    resolve_augmenter,
)
from ._stats import (
    _check_confidence,
    mcnemar_exact,
    mcnemar_midp,
    mean_with_interval,
    paired_difference_interval,
    weighted_proportion_interval,
)
from ._validation import as_column_list, as_frame, check_columns, check_sample_weight

DEFAULT_MAX_EVIDENCE = 20
MAX_GROUPS = 20


def audit(
    estimator,
    X,
    y=None,
    *,
    protected,
    augmenter=None,
    values=None,
    links=None,
    locales=None,
    genders=None,
    source="auto",
    default_locale="en",
    n_twins=None,
    missing="error",
    strict=False,
    intersectional=False,
    placebo="auto",
    random_state=0,
    response_method="auto",
    sample_weight=None,
    favourable=1,
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
    protected : str, int or list
        The protected column(s) of ``X``.
    augmenter : CounterfactualAugmenter, default=None
        Use this augmenter (as is when fitted, else fitted on ``X``) instead
        of the twin options below; the audit covers exactly the twins it
        builds. Fit it on the training data so that ``unseen`` flags values
        the model never saw.
    values, links, locales, genders, source, default_locale, n_twins : optional
        Twin options, as in :class:`CounterfactualAugmenter` (fitted on ``X``).
    missing : {"error", "skip"}, default="error"
        What a missing protected value does: raise, or skip the row (no twins,
        left out of the group metrics, counted in ``n_missing``).
    strict : bool, default=False
        Raise when ``values`` holds a value never observed in ``X``.
    intersectional : bool, default=False
        With several protected columns, also audit their intersection (twins
        for every combination of values), after each attribute alone.
    placebo : bool or "auto", default="auto"
        Build placebo twins (protected value kept, linked fields regenerated)
        to measure the flips that new names alone cause. ``"auto"`` builds
        them when ``links`` has generated fields such as ``"first_name"``.
    random_state : int, default=0
        Seed of the twins.
    response_method : {"auto", "predict", "predict_proba", \
"decision_function"}, default="auto"
        Scores to compare besides decisions. ``"auto"`` uses ``predict_proba``
        when the estimator has it. Decisions always come from ``predict``.
    sample_weight : array-like of shape (n_samples,), default=None
        Sampling weights of the rows (rates, intervals and group metrics are
        weighted; direction tests count pairs).
    favourable : label, default=1
        The favourable decision (loan granted); every other label is
        unfavourable. Also the positive class of the scores.
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
    undefined, with the advice to bin the column, unless ``values`` lists a
    domain that holds every value of the data.

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
    columns = as_column_list(protected, "protected")
    check_columns(frame, columns, "protected")
    method = _response_method(estimator, response_method)
    y_values = _check_y(y, len(frame))
    weights = check_sample_weight(sample_weight, len(frame))
    confidence = _check_confidence(confidence)
    if (
        isinstance(max_evidence, bool)
        or not isinstance(max_evidence, numbers.Integral)
        or max_evidence < 0
    ):
        raise ValueError(
            f"max_evidence must be a non-negative integer, got {max_evidence!r}."
        )
    classes = list(getattr(estimator, "classes_", [favourable]))
    if favourable not in classes:
        raise ValueError(
            f"favourable={favourable!r} is not a class of the estimator. Its "
            f"classes: {classes!r}."
        )
    options = {
        "protected": protected,
        "values": values,
        "links": links,
        "locales": locales,
        "genders": genders,
        "source": source,
        "default_locale": default_locale,
        "n_twins": n_twins,
        "missing": missing,
        "strict": strict,
        "random_state": random_state,
    }
    augmenters = _augmenters(X, augmenter, columns, options, intersectional)
    use_placebo = _use_placebo(placebo, augmenters[0])
    context = _Context(
        estimator=estimator,
        X=X,
        frame=frame,
        was_frame=was_frame,
        y=y_values,
        weights=weights,
        favourable=favourable,
        confidence=confidence,
        max_evidence=max_evidence,
        method=method,
    )
    attributes = {}
    total = len(frame) * len(augmenters)
    for step, fitted in enumerate(augmenters):
        offset = step * len(frame)
        predictions = counterfactual_predictions(
            estimator,
            X,
            augmenter=fitted,
            response_method=method,
            placebo=use_placebo,
            pos_label=favourable if method == "predict_proba" else None,
            chunk_size=chunk_size,
            progress=None
            if progress is None
            else (lambda done, _, offset=offset: progress(offset + done, total)),
        )
        for factor in _factors(fitted):
            attributes[factor[0]] = _audit_factor(factor, fitted, predictions, context)
    return AuditReport(
        attributes,
        n_rows=len(frame),
        estimator=_estimator_name(estimator),
        response_method=method,
        favourable=favourable,
        confidence=confidence,
        placebo=use_placebo,
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
    favourable: object
    confidence: float
    max_evidence: int
    method: str


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


def _response_method(estimator, response_method):
    allowed = ("auto", *RESPONSE_METHODS)
    if response_method not in allowed:
        raise ValueError(
            f"response_method must be one of {allowed!r}, got {response_method!r}."
        )
    if response_method == "auto":
        has_proba = hasattr(estimator, "predict_proba")
        response_method = "predict_proba" if has_proba else "predict"
    _check_estimator(estimator, response_method)
    return response_method


def _check_y(y, n_samples):
    if y is None:
        return None
    values = np.asarray(y)
    if values.ndim != 1 or values.shape[0] != n_samples:
        raise ValueError(
            f"y must be 1-D with one label per row of X ({n_samples} rows), got "
            f"shape {values.shape!r}."
        )
    return values


def _augmenters(X, augmenter, columns, options, intersectional):
    if augmenter is not None:
        fitted = resolve_augmenter(X, augmenter)
        if list(fitted.protected_) != columns:
            raise ValueError(
                f"protected={columns!r} differs from the augmenter's protected "
                f"columns {fitted.protected_!r}; pass the same columns."
            )
        return [fitted]
    fitted = [resolve_augmenter(X, None, intersectional=False, **options)]
    if intersectional and len(columns) > 1:
        fitted.append(resolve_augmenter(X, None, intersectional=True, **options))
    return fitted


def _use_placebo(placebo, fitted):
    if placebo == "auto":
        links = normalise_links(fitted.links, fitted.protected_)
        return any(isinstance(k, FieldLink) for v in links.values() for k in v)
    if not isinstance(placebo, bool | np.bool_):
        raise ValueError(f"placebo must be True, False or 'auto', got {placebo!r}.")
    return bool(placebo)


def _factors(fitted):
    """Return ``(name, columns, domain, links)`` per audited factor."""
    protected = list(fitted.protected_)
    links = normalise_links(fitted.links, protected)
    if fitted.intersectional and len(protected) > 1:
        domain = list(itertools.product(*(fitted.domains_[a] for a in protected)))
        linked = [k for a in protected for k in links[a]]
        return [(" & ".join(map(str, protected)), protected, domain, linked)]
    return [(str(a), [a], list(fitted.domains_[a]), links[a]) for a in protected]


def _row_flags(predictions, mask):
    """Per row of X: whether a twin in ``mask`` flips it, and whether it has one."""
    pos = predictions.provenance["source_position"].to_numpy()[mask]
    changed = predictions.twin[mask] != predictions.original[pos]
    n = predictions.n_samples
    return (
        np.bincount(pos[changed], minlength=n) > 0,
        np.bincount(pos, minlength=n) > 0,
    )


def _audit_factor(factor, fitted, predictions, context):
    name, columns, domain, links = factor
    provenance = predictions.provenance
    kind = provenance["kind"].to_numpy(dtype=object)
    mine = provenance["attribute"].to_numpy(dtype=object) == name
    twin_mask, placebo_mask = mine & (kind == "twin"), mine & (kind == "placebo")
    if not any(isinstance(link, FieldLink) for link in links):
        placebo_mask[:] = False  # its placebo twins are the rows themselves
    flipped, audited = _row_flags(predictions, twin_mask)
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
    direction, comparisons = direction_tables(
        provenance, twin_mask, predictions, domain, context.favourable
    )
    p_mid, p_exact = (
        min(1.0, len(comparisons) * float(comparisons[key].min()))
        for key in ("p_value_midp", "p_value_exact")
    )
    sensitive = context.frame[columns]
    present = ~sensitive.isna().any(axis=1).to_numpy()
    too_many = _continuous(sensitive[present], fitted)
    sensitive = sensitive.rename(columns=str)  # Fairlearn wants str
    groups, parity = group_metrics(
        sensitive.iloc[:, 0] if len(columns) == 1 else sensitive,
        predictions.original,
        context,
        undefined,
        rows=present,
        reason=too_many,
    )
    own_columns = set(columns) | {link.column for link in links}
    pairs = np.flatnonzero(twin_mask)
    positions = provenance["source_position"].to_numpy()
    flips = pairs[predictions.twin[pairs] != predictions.original[positions[pairs]]]
    return AttributeAudit(
        name=name,
        columns=list(columns),
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
        unseen_twins=int(provenance["unseen"].to_numpy()[mine].sum()),
        unseen_values={
            column: list(found)
            for column, found in predictions.unseen_values.items()
            if column in own_columns
        },
        n_flipped_pairs=len(flips),
        evidence=evidence(flips, name, columns, fitted, predictions, context),
        undefined=undefined,
    )


def _placebo(flipped, audited, predictions, mask, context, undefined):
    if not mask.any():
        reason = (
            "no placebo twins: placebo=False, or no generated link field (such "
            "as 'first_name') follows this attribute"
        )
        for key in ("placebo_rate", "flip_minus_placebo"):
            undefined[key] = reason
        return None, None, None, None
    p_flipped, p_audited = _row_flags(predictions, mask)
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
    pos = predictions.provenance["source_position"].to_numpy()[mask]
    change = np.abs(predictions.twin_score[mask] - predictions.original_score[pos])
    n = predictions.n_samples
    per_row = np.bincount(pos, weights=change, minlength=n)[audited]
    per_row /= np.bincount(pos, minlength=n)[audited]
    try:
        mean, low, high = mean_with_interval(per_row, w, confidence=level)
    except ValueError as exc:
        undefined["score_change"] = str(exc)
        return None, None
    return mean, (low, high)


def _codes(values, order):
    """Position of each value in ``order``; values not in it are appended."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object))
    order = list(order)
    index = {}
    for value in order:
        index.setdefault(value, len(index))
    for value in uniques:
        if value not in index:
            index[value] = len(index)
            order.append(value)
    return np.asarray([index[u] for u in uniques], dtype=np.int64)[codes], order


def direction_tables(provenance, mask, predictions, domain, favourable):
    """Return the per-cell ``direction`` and pooled ``comparisons`` tables."""
    pos = provenance["source_position"].to_numpy()[mask]
    row_fav = predictions.original[pos] == favourable
    twin_fav = predictions.twin[mask] == favourable
    source = provenance["original"].to_numpy(dtype=object)[mask]
    target = provenance["new"].to_numpy(dtype=object)[mask]
    codes, order = _codes(np.concatenate([source, target]), domain)
    src, tgt = codes[: len(source)], codes[len(source) :]
    k = len(order)

    def count(keys, flags):
        return np.bincount(keys[flags], minlength=k * k)

    cell = src * k + tgt
    n = count(cell, np.ones(len(cell), dtype=bool))
    b, c = count(cell, row_fav & ~twin_fav), count(cell, ~row_fav & twin_fav)
    both = count(cell, row_fav & twin_fav)
    used = np.flatnonzero(n)
    direction = pd.DataFrame(
        {
            "source": pd.Series([order[i // k] for i in used], dtype=object),
            "target": pd.Series([order[i % k] for i in used], dtype=object),
            "n_pairs": n[used],
            "favourable_both": both[used],
            "favourable_to_unfavourable": b[used],
            "unfavourable_to_favourable": c[used],
            "unfavourable_both": (n - both - b - c)[used],
            "p_value_midp": np.atleast_1d(mcnemar_midp(b[used], c[used])),
            "p_value_exact": np.atleast_1d(mcnemar_exact(b[used], c[used])),
        }
    )
    # orient every pair as (decision with value a, decision with value b), a < b
    first = src < tgt
    fav_a = np.where(first, row_fav, twin_fav)
    fav_b = np.where(first, twin_fav, row_fav)
    pair = np.minimum(src, tgt) * k + np.maximum(src, tgt)
    n = count(pair, np.ones(len(pair), dtype=bool))
    only_a, only_b = count(pair, fav_a & ~fav_b), count(pair, fav_b & ~fav_a)
    used = np.flatnonzero(n)
    favoured = [
        order[i // k] if x > y else order[i % k] if y > x else None
        for i, x, y in zip(used, only_a[used], only_b[used], strict=True)
    ]
    comparisons = pd.DataFrame(
        {
            "value_a": pd.Series([order[i // k] for i in used], dtype=object),
            "value_b": pd.Series([order[i % k] for i in used], dtype=object),
            "n_pairs": n[used],
            "only_a_favourable": only_a[used],
            "only_b_favourable": only_b[used],
            "favoured": pd.Series(favoured, dtype=object),
            "p_value_midp": np.atleast_1d(mcnemar_midp(only_a[used], only_b[used])),
            "p_value_exact": np.atleast_1d(mcnemar_exact(only_a[used], only_b[used])),
        }
    )
    return direction, comparisons


def _binary_rate(function, y_true, y_pred, sample_weight=None, *, favourable):
    return function(
        (np.asarray(y_true) == favourable).astype(int),
        (np.asarray(y_pred) == favourable).astype(int),
        sample_weight=sample_weight,
        pos_label=1,
    )


def _continuous(sensitive, fitted):
    """Why group metrics over ``sensitive`` make no sense, or None if they do.

    A column with more than ``MAX_GROUPS`` distinct values is continuous
    (an exact age), unless ``values`` gave it a domain holding every value.
    """
    given = fitted.values if isinstance(fitted.values, dict) else {}
    for column in sensitive.columns:
        observed = sensitive[column]
        n_values = observed.nunique()
        if n_values <= MAX_GROUPS:
            continue
        if column in given and observed.isin(list(given[column])).all():
            continue
        return (
            f"{column!r} has {n_values} distinct values (more than {MAX_GROUPS}), "
            "so it looks continuous and one group per value would be "
            "meaningless. Bin it (e.g. pandas.cut into bands) and compute the "
            "group metrics on the bins."
        )
    return None


def _metrics(context):
    favourable = context.favourable
    metrics = {
        "count": count,
        "selection_rate": partial(selection_rate, pos_label=favourable),
    }
    if context.y is not None:
        metrics["accuracy"] = accuracy_score
        for key, function in (
            ("true_positive_rate", true_positive_rate),
            ("false_positive_rate", false_positive_rate),
        ):
            metrics[key] = partial(_binary_rate, function, favourable=favourable)
    return metrics


def group_metrics(sensitive, decisions, context, undefined, rows=None, reason=None):
    """Fairlearn ``MetricFrame`` of the original rows, and the parity summaries.

    Only the ``rows`` (a boolean mask; all when None) enter the groups; with a
    ``reason``, nothing is computed and the reason is recorded as undefined.
    """
    metrics = _metrics(context)
    if reason is not None:
        for key in (
            "group_metrics",
            "demographic_parity_difference",
            "demographic_parity_ratio",
            "equalized_odds_difference",
        ):
            undefined[key] = reason
        names = [sensitive.name] if sensitive.ndim == 1 else list(sensitive.columns)
        empty = pd.DataFrame(
            {k: pd.Series(dtype=np.int64 if k == "count" else float) for k in metrics},
            index=pd.MultiIndex.from_tuples([], names=names)
            if len(names) > 1
            else pd.Index([], dtype=object, name=names[0]),
        )
        return empty, (None, None, None)
    if rows is None:
        rows = np.ones(len(decisions), dtype=bool)
    decisions = np.asarray(decisions)[rows]
    y = None if context.y is None else context.y[rows]
    params = {}
    if context.weights is not None:
        weights = context.weights[rows]
        params = {k: {"sample_weight": weights} for k in metrics if k != "count"}
    frame = MetricFrame(
        metrics=metrics,
        y_true=decisions if y is None else y,
        y_pred=decisions,
        sensitive_features=sensitive[rows],
        sample_params=params,
    )
    difference = frame.difference(method="between_groups")
    ratio = frame.ratio(method="between_groups")
    dp_difference = _finite(difference["selection_rate"])
    if dp_difference is None:
        undefined["demographic_parity_difference"] = (
            "a group's selection rate is undefined (zero total weight)"
        )
    dp_ratio = _finite(ratio["selection_rate"])
    if dp_ratio is None:
        undefined["demographic_parity_ratio"] = (
            "every group has a selection rate of 0, so the ratio is 0/0"
        )
    odds = None
    if y is None:
        undefined["equalized_odds_difference"] = "needs the true labels y"
    else:
        odds = _finite(
            max(difference["true_positive_rate"], difference["false_positive_rate"])
        )
        if odds is None:
            undefined["equalized_odds_difference"] = (
                "a group's true or false positive rate is undefined"
            )
    by_group = frame.by_group.astype({"count": np.int64})
    return by_group, (dp_difference, dp_ratio, odds)


def _finite(value):
    value = float(value)
    return value if np.isfinite(value) else None


def evidence(flips, name, columns, fitted, predictions, context):
    """Rebuild the first flipped pairs and show what their twins changed.

    A twin depends only on its row's label and the seed, so rebuilding the
    twins of a few rows gives back the twins that were predicted; the twins
    are predicted again so that the decisions shown are those of the twins
    shown.
    """
    columns_out = ["row", "attribute", "original", "new", "changes"]
    columns_out += ["decision", "twin_decision"]
    if predictions.original_score is not None:
        columns_out += ["score", "twin_score"]
    chosen = flips[: context.max_evidence]
    if not len(chosen):
        return pd.DataFrame(columns=columns_out)
    provenance = predictions.provenance
    positions = provenance["source_position"].to_numpy()[chosen]
    rows = np.unique(positions)
    subset = context.frame.iloc[rows]
    if not context.was_frame:
        subset = subset.to_numpy(dtype=np.asarray(context.X).dtype)
    twins, rebuilt = fitted.make_twins(subset, placebo=False)
    twins = twins if context.was_frame else pd.DataFrame(twins)
    local = rebuilt["source_position"].to_numpy()
    rebuilt_new = rebuilt["new"].to_numpy(dtype=object)
    mine = rebuilt["attribute"].to_numpy(dtype=object) == name
    take, kept = [], []
    for position, new in zip(
        positions, provenance["new"].to_numpy(dtype=object)[chosen], strict=True
    ):
        here = np.flatnonzero(mine & (local == np.searchsorted(rows, position)))
        found = [j for j in here if rebuilt_new[j] == new]
        if found:  # always, unless random draws depend on chunk positions
            take.append(found[0])
            kept.append(position)
    positions = np.asarray(kept, dtype=np.int64)
    twin_rows = twins.iloc[take]
    if context.was_frame:
        shown = twin_rows
    else:
        shown = twin_rows.to_numpy(dtype=np.asarray(context.X).dtype)
    pos_label = context.favourable if context.method == "predict_proba" else None
    decision, score = _respond(
        context.estimator, shown, context.method, columns, False, pos_label
    )
    records = []
    for i, (position, j) in enumerate(zip(positions, take, strict=True)):
        before, after = context.frame.iloc[position], twin_rows.iloc[i]
        changes = {
            column: (before[column], after[column])
            for column in context.frame.columns
            if column not in columns and not _same(before[column], after[column])
        }
        record = {
            "row": context.frame.index[position],
            "attribute": name,
            "original": rebuilt["original"].iloc[j],
            "new": rebuilt_new[j],
            "changes": changes,
            "decision": predictions.original[position],
            "twin_decision": decision[i],
        }
        if score is not None:
            record["score"] = float(predictions.original_score[position])
            record["twin_score"] = float(score[i])
        if record["decision"] != record["twin_decision"]:
            records.append(record)
    return pd.DataFrame.from_records(records, columns=columns_out)


def _same(a, b):
    if pd.isna(a) is True and pd.isna(b) is True:
        return True
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False
