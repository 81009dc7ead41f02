"""One model, several notions of a twin: flip rates side by side.

All-else-equal twins change only the protected attribute and its links, causal
twins let its descendants follow, transport twins are counterparts in the other
group. Their flip rates side by side say where a model's dependence on a
protected attribute runs: through the attribute itself, through what it
causes, or through anything that differs between the groups.
"""

import pandas as pd

from ._augmenter import resolve_twin_maker
from ._kind import REGRESSOR, declared_kind, needs_tolerance
from ._predictions import (
    DEFAULT_CHUNK_SIZE,
    check_estimator,
    counterfactual_predictions,
    positive_class,
)
from ._protocol import check_twin_maker
from ._stats import weighted_proportion_interval
from ._validation import as_frame, check_confidence, check_positive_int
from ._validation import check_sample_weight as _check_sample_weight

COMPARE_COLUMNS = (
    "n_rows",
    "n_twins",
    "flip_rate",
    "flip_rate_low",
    "flip_rate_high",
    "n_flipped_rows",
)
NOT_A_DICT_OF_MAKERS = (
    "augmenters must be a non-empty dict of name to twin maker, e.g. "
    "{{'all else equal': CounterfactualAugmenter(protected='gender'), 'causal': "
    "CausalAugmenter(protected='gender', graph=[...])}}; got {kind}: {value!r}."
)


def compare_twins(
    estimator,
    X,
    y=None,
    *,
    augmenters,
    pos_label=None,
    tolerance=None,
    sample_weight=None,
    confidence=0.95,
    chunk_size=DEFAULT_CHUNK_SIZE,
):
    """Flip rates of one model under several kinds of twins, side by side.

    Parameters
    ----------
    estimator : fitted estimator
        Called on the rows and on each kind of twins (usually a Pipeline).
    X : DataFrame or array-like of shape (n_samples, n_features)
        The rows to audit.
    y : None
        Ignored.
    augmenters : dict of str to twin maker
        Each kind of twins under a name, e.g. ``{"all else equal":
        CounterfactualAugmenter(protected="gender"), "causal":
        CausalAugmenter(protected="gender", graph=[...]), "transport":
        TransportAugmenter(protected="gender")}``. Fitted makers are used as
        they are; others are fitted on ``X``.
    pos_label : label, default=None
        The favourable class: only moves into or out of it count as flips
        (for multiclass models); None counts any change of label.
    tolerance : float or None, default=None
        For a regressor, the largest change of the prediction that is not a
        flip (required for regressors, see :func:`counterfactual_flip_rate`).
    sample_weight : array-like of shape (n_samples,), default=None
        Row weights.
    confidence : float, default=0.95
        Confidence level of the Wilson intervals.
    chunk_size : int, default=200000
        Rows twinned and predicted at a time.

    Returns
    -------
    comparison : DataFrame
        One row per kind of twins and attribute (index levels ``twins`` and
        ``attribute``), in the order given, with ``n_rows`` (rows with a
        twin), ``n_twins``, ``flip_rate`` with its interval
        (``flip_rate_low``, ``flip_rate_high``) and ``n_flipped_rows``.

    See Also
    --------
    counterfactual_flip_rate : The flip rate under one kind of twins.
    audit : The full report under one kind of twins.

    Notes
    -----
    A model that never reads the protected attribute has a flip rate of 0
    under all-else-equal twins, whatever its bias; causal and transport twins
    show a bias that runs through the attribute's descendants (causal) or
    through anything that differs between the groups (transport). Each
    interval counts the sampling of the audited rows only, not the fitting
    of the twin maker (fit causal and transport twins on plenty of rows).

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn.compose import make_column_transformer
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from skcounterfactual import (CounterfactualAugmenter, TransportAugmenter,
    ...                               compare_twins)
    >>> X = pd.DataFrame({"gender": ["F", "F", "M", "M"] * 5,
    ...                   "income": [30, 50, 45, 65] * 5})
    >>> y = [0, 1, 1, 1] * 5
    >>> model = make_pipeline(  # reads income only
    ...     make_column_transformer(("passthrough", ["income"])),
    ...     DecisionTreeClassifier(random_state=0),
    ... ).fit(X, y)
    >>> table = compare_twins(model, X, augmenters={
    ...     "all else equal": CounterfactualAugmenter(protected="gender"),
    ...     "transport": TransportAugmenter(protected="gender"),
    ... })
    >>> table[["n_rows", "flip_rate", "n_flipped_rows"]]  # doctest: +ELLIPSIS
                              n_rows  flip_rate  n_flipped_rows
    twins          attribute...
    all else equal gender         20        0.0               0
    transport      gender         20        0.5              10
    """
    check_estimator(estimator)
    if not isinstance(augmenters, dict) or not augmenters:
        raise TypeError(
            NOT_A_DICT_OF_MAKERS.format(
                kind=type(augmenters).__name__, value=augmenters
            )
        )
    for maker in augmenters.values():
        check_twin_maker(maker)
    frame, _ = as_frame(X)
    weights = _check_sample_weight(sample_weight, len(frame))
    confidence = check_confidence(confidence)
    chunk_size = check_positive_int(chunk_size, "chunk_size")
    kind = declared_kind(estimator, pos_label=pos_label, tolerance=tolerance)
    if kind == REGRESSOR and tolerance is None:
        raise needs_tolerance("The flip rate", estimator)
    positive = None if pos_label is None else positive_class(estimator, pos_label)
    rows, index = [], []
    for twins_name, augmenter in augmenters.items():
        maker = resolve_twin_maker(X, augmenter=augmenter)
        predictions = counterfactual_predictions(
            estimator, X, maker, chunk_size=chunk_size, kind=kind, tolerance=tolerance
        )
        if predictions.kind == REGRESSOR and tolerance is None:
            raise needs_tolerance("The flip rate", estimator)
        for attribute in maker.factors_:
            mask = predictions.mask("twin", attribute)
            flipped, audited = predictions.flips(mask, positive)
            w = None if weights is None else weights[audited]
            if not audited.any():
                raise ValueError(
                    f"augmenters[{twins_name!r}] builds no twin for {attribute!r} "
                    "(every value is missing or outside its domain), so its flip "
                    "rate is undefined. Check the augmenter's values and missing."
                )
            if w is not None and not w.sum() > 0:
                raise ValueError(
                    f"The rows that augmenters[{twins_name!r}] twins for "
                    f"{attribute!r} all have zero sample_weight, so its flip rate "
                    "is undefined."
                )
            rate, low, high = weighted_proportion_interval(
                flipped[audited], w, confidence=confidence
            )
            index.append((twins_name, attribute))
            rows.append(
                {
                    "n_rows": int(audited.sum()),
                    "n_twins": int(mask.sum()),
                    "flip_rate": rate,
                    "flip_rate_low": low,
                    "flip_rate_high": high,
                    "n_flipped_rows": int(flipped.sum()),
                }
            )
    return pd.DataFrame(
        rows,
        index=pd.MultiIndex.from_tuples(index, names=["twins", "attribute"]),
        columns=list(COMPARE_COLUMNS),
    )
