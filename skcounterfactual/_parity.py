"""Group-parity metrics with Fairlearn's definitions, computed with ``bincount``.

Fairlearn evaluates its parity metrics through ``MetricFrame``, which splits the
data with a pandas ``groupby`` and calls a Python function per group. The
functions here encode the groups once (``pd.factorize``) and count with
``np.bincount``, which is one or two orders of magnitude faster on large inputs.

Their values equal those of :func:`fairlearn.metrics.demographic_parity_difference`,
:func:`~fairlearn.metrics.demographic_parity_ratio`,
:func:`~fairlearn.metrics.equalized_odds_difference` and
:func:`~fairlearn.metrics.equalized_odds_ratio` with ``method="between_groups"``
and ``agg="worst_case"``. Where Fairlearn returns NaN (or silently drops a group
whose rate is NaN), these functions raise a ``ValueError`` that names the cause.
"""

import numpy as np
import pandas as pd

from ._parity_inputs import _prepare

_SELECTION_RATE = "selection_rate"
_ZERO_WEIGHT_GROUP = (
    "sample_weight sums to 0 within group(s) {groups!r}, so their {rate} is "
    "undefined. Give every group a positive total weight, or drop those rows."
)
_NOT_BINARY = (
    "{param} must hold binary labels from {{0, 1}} or {{-1, 1}} (1 is the positive "
    "label) for equalized odds; got values {values!r}."
)
_MIXED_NEGATIVES = (
    "y_true and y_pred use both 0 and -1 as the negative label; use either "
    "{0, 1} or {-1, 1} throughout."
)
_ZERO_RATE_RATIO = (
    "The {metric} ratio is undefined: every group has a {rate} of 0, so the "
    "ratio is 0/0 (Fairlearn returns NaN). {hint}"
)


def _check_group_totals(totals, index, rate):
    empty = totals == 0
    if empty.any():
        groups = index[empty].tolist()
        raise ValueError(_ZERO_WEIGHT_GROUP.format(groups=groups, rate=rate))


def _selection_rates(y_pred, codes, index, sample_weight):
    """Return each group's (weighted) share of ``y_pred == 1``."""
    n_groups = len(index)
    selected = y_pred == 1
    if sample_weight is None:
        # One pass counts [group, selected].
        counts = np.bincount(codes * 2 + selected, minlength=2 * n_groups)
        counts = counts.reshape(n_groups, 2)
        return counts[:, 1] / counts.sum(axis=1)
    totals = np.bincount(codes, weights=sample_weight, minlength=n_groups)
    _check_group_totals(totals, index, "selection rate")
    hits = np.bincount(
        codes, weights=np.where(selected, sample_weight, 0.0), minlength=n_groups
    )
    return hits / totals


def _tpr_fpr(y_true, y_pred, codes, index, sample_weight):
    """Return each group's true and false positive rates (0 if undefined)."""
    for param, y in (("y_true", y_true), ("y_pred", y_pred)):
        valid = (y == 1) | (y == 0) | (y == -1)
        if not valid.all():
            values = np.unique(y[~valid])[:5].tolist()
            raise ValueError(_NOT_BINARY.format(param=param, values=values))
    # Fairlearn also scores all rows together, so 0 and -1 may not meet anywhere.
    if ((y_true == 0) | (y_pred == 0)).any() and (
        (y_true == -1) | (y_pred == -1)
    ).any():
        raise ValueError(_MIXED_NEGATIVES)
    n_groups = len(index)
    cell = codes * 4 + (y_true == 1) * 2 + (y_pred == 1)
    counts = np.bincount(cell, weights=sample_weight, minlength=4 * n_groups)
    counts = counts.reshape(n_groups, 2, 2).astype(float)
    if sample_weight is not None:
        _check_group_totals(counts.sum(axis=(1, 2)), index, "rates")
    # [group, y_true == 1, y_pred == 1]; a group without positives (or without
    # negatives) gets a rate of 0, as in scikit-learn's confusion_matrix.
    positives = counts[:, 1, :].sum(axis=1)
    negatives = counts[:, 0, :].sum(axis=1)
    tpr = np.divide(
        counts[:, 1, 1], positives, out=np.zeros(n_groups), where=positives > 0
    )
    fpr = np.divide(
        counts[:, 0, 1], negatives, out=np.zeros(n_groups), where=negatives > 0
    )
    return tpr, fpr


def selection_rate_by_group(y_pred, sensitive_features, sample_weight=None):
    """Compute the selection rate, the share of ``y_pred == 1``, of each group.

    Parameters
    ----------
    y_pred : array-like of shape (n_samples,)
        Predicted labels, numeric or boolean. A sample is selected when its
        prediction equals 1 (Fairlearn's ``selection_rate`` with ``pos_label=1``),
        so any other label counts as not selected.
    sensitive_features : array-like of shape (n_samples,) or (n_samples, n_columns)
        Group of each sample: a 1-D array, Series or list of scalars; or, for
        intersectional groups, a DataFrame, a dict of columns, a 2-D array or
        a list of 1-D columns.
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative sample weights.

    Returns
    -------
    pandas.Series
        Named ``"selection_rate"``, indexed by the observed groups (a
        ``MultiIndex`` for several columns) in sorted order, as Fairlearn's
        ``MetricFrame.by_group``.

    Raises
    ------
    ValueError
        If a group's weights sum to 0 (its rate would be NaN), if a sensitive
        value is missing, or if the inputs are malformed.

    See Also
    --------
    demographic_parity_difference : Largest gap between these rates.

    Notes
    -----
    Unused categories of a categorical column, and intersections that no
    sample belongs to, are not groups. Fairlearn lists empty intersections
    with a NaN rate; this function leaves them out.

    Examples
    --------
    >>> import pandas as pd
    >>> sex = pd.Series(["m", "m", "f", "f"], name="sex")
    >>> selection_rate_by_group([1, 0, 1, 1], sex)
    sex
    f    1.0
    m    0.5
    Name: selection_rate, dtype: float64
    """
    _, y_pred, codes, index, sample_weight = _prepare(
        None, y_pred, sensitive_features, sample_weight, use_y_true=False
    )
    rates = _selection_rates(y_pred, codes, index, sample_weight)
    return pd.Series(rates, index=index, name=_SELECTION_RATE)


def demographic_parity_difference(
    y_true, y_pred, *, sensitive_features, sample_weight=None
):
    """Compute the largest gap between the groups' selection rates.

    Equals :func:`fairlearn.metrics.demographic_parity_difference` with
    ``method="between_groups"``: the highest minus the lowest share of
    ``y_pred == 1`` across groups. 0 means every group is selected at the same
    rate.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or None
        Ignored apart from its length; accepted so that all parity metrics
        share one signature.
    y_pred : array-like of shape (n_samples,)
        Predicted labels, numeric or boolean; 1 means selected.
    sensitive_features : array-like of shape (n_samples,) or (n_samples, n_columns)
        Group of each sample; several columns define intersectional groups.
        See :func:`selection_rate_by_group`.
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative sample weights.

    Returns
    -------
    float
        The demographic parity difference, in ``[0, 1]``.

    Raises
    ------
    ValueError
        If a group's weights sum to 0. Fairlearn computes a NaN rate for such
        a group (with a ``RuntimeWarning``) and silently leaves it out.

    See Also
    --------
    demographic_parity_ratio : The same rates compared as a ratio.

    Examples
    --------
    >>> demographic_parity_difference(
    ...     None, [1, 0, 1, 1], sensitive_features=["b", "b", "a", "a"]
    ... )
    0.5
    """
    _, y_pred, codes, index, sample_weight = _prepare(
        y_true, y_pred, sensitive_features, sample_weight, use_y_true=False
    )
    rates = _selection_rates(y_pred, codes, index, sample_weight)
    return float(rates.max() - rates.min())


def demographic_parity_ratio(y_true, y_pred, *, sensitive_features, sample_weight=None):
    """Compute the lowest selection rate divided by the highest.

    Equals :func:`fairlearn.metrics.demographic_parity_ratio` with
    ``method="between_groups"``. 1 means every group is selected at the same
    rate.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or None
        Ignored apart from its length.
    y_pred : array-like of shape (n_samples,)
        Predicted labels, numeric or boolean; 1 means selected.
    sensitive_features : array-like of shape (n_samples,) or (n_samples, n_columns)
        Group of each sample; several columns define intersectional groups.
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative sample weights.

    Returns
    -------
    float
        The demographic parity ratio, in ``[0, 1]``.

    Raises
    ------
    ValueError
        If no sample is selected (every rate is 0, and Fairlearn returns NaN
        for 0/0), or if a group's weights sum to 0.

    See Also
    --------
    demographic_parity_difference : The same rates compared as a difference.

    Examples
    --------
    >>> demographic_parity_ratio(
    ...     None, [1, 0, 1, 1], sensitive_features=["b", "b", "a", "a"]
    ... )
    0.5
    """
    _, y_pred, codes, index, sample_weight = _prepare(
        y_true, y_pred, sensitive_features, sample_weight, use_y_true=False
    )
    rates = _selection_rates(y_pred, codes, index, sample_weight)
    if rates.max() == 0:
        raise ValueError(
            _ZERO_RATE_RATIO.format(
                metric="demographic parity",
                rate="selection rate",
                hint="No sample has y_pred == 1.",
            )
        )
    return float(rates.min() / rates.max())


def equalized_odds_difference(
    y_true, y_pred, *, sensitive_features, sample_weight=None
):
    """Compute the larger of the TPR gap and the FPR gap between groups.

    Equals :func:`fairlearn.metrics.equalized_odds_difference` with
    ``method="between_groups"`` and ``agg="worst_case"``. 0 means every group
    has the same true positive and false positive rates.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True binary labels, from ``{0, 1}`` or ``{-1, 1}``; 1 is positive.
    y_pred : array-like of shape (n_samples,)
        Predicted binary labels, coded as ``y_true``.
    sensitive_features : array-like of shape (n_samples,) or (n_samples, n_columns)
        Group of each sample; several columns define intersectional groups.
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative sample weights.

    Returns
    -------
    float
        The equalized odds difference, in ``[0, 1]``.

    Raises
    ------
    ValueError
        If the labels are not binary as above (0 and -1 may not both occur),
        or if a group's weights sum to 0; Fairlearn raises in these cases too.

    See Also
    --------
    equalized_odds_ratio : The same rates compared as ratios.

    Notes
    -----
    A group with no positive samples (or positives of zero total weight) has
    a true positive rate of 0, and a group without negatives a false positive
    rate of 0: this is what Fairlearn computes (through scikit-learn's
    ``confusion_matrix``), without a warning. Such a group can make the
    difference large; check the group counts when it does.

    Examples
    --------
    >>> equalized_odds_difference(
    ...     [1, 0, 1, 0], [1, 0, 1, 1], sensitive_features=["b", "b", "a", "a"]
    ... )
    1.0
    """
    y_true, y_pred, codes, index, sample_weight = _prepare(
        y_true, y_pred, sensitive_features, sample_weight, use_y_true=True
    )
    tpr, fpr = _tpr_fpr(y_true, y_pred, codes, index, sample_weight)
    return float(max(tpr.max() - tpr.min(), fpr.max() - fpr.min()))


def equalized_odds_ratio(y_true, y_pred, *, sensitive_features, sample_weight=None):
    """Compute the smaller of the TPR ratio and the FPR ratio between groups.

    Equals :func:`fairlearn.metrics.equalized_odds_ratio` with
    ``method="between_groups"`` and ``agg="worst_case"``: each ratio is the
    lowest group rate divided by the highest. 1 means every group has the
    same true positive and false positive rates.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True binary labels, from ``{0, 1}`` or ``{-1, 1}``; 1 is positive.
    y_pred : array-like of shape (n_samples,)
        Predicted binary labels, coded as ``y_true``.
    sensitive_features : array-like of shape (n_samples,) or (n_samples, n_columns)
        Group of each sample; several columns define intersectional groups.
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative sample weights.

    Returns
    -------
    float
        The equalized odds ratio, in ``[0, 1]``.

    Raises
    ------
    ValueError
        If every group has a true positive rate of 0 (the TPR ratio is 0/0 and
        Fairlearn returns NaN), and in the cases listed under
        :func:`equalized_odds_difference`.

    See Also
    --------
    equalized_odds_difference : The same rates compared as differences.

    Notes
    -----
    If every group has a false positive rate of 0, the FPR ratio is 0/0. As
    Fairlearn (which takes ``min`` of ``[tpr_ratio, nan]``), this function
    then returns the TPR ratio: equal, all-zero false positive rates are not
    counted as a disparity. Rates of groups without positives or negatives
    are 0, see :func:`equalized_odds_difference`.

    Examples
    --------
    >>> equalized_odds_ratio(
    ...     [1, 0, 1, 0], [1, 0, 1, 1], sensitive_features=["b", "b", "a", "a"]
    ... )
    0.0
    >>> equalized_odds_ratio(
    ...     [1, 1, 1, 0], [1, 0, 1, 0], sensitive_features=["b", "b", "a", "a"]
    ... )
    0.5
    """
    y_true, y_pred, codes, index, sample_weight = _prepare(
        y_true, y_pred, sensitive_features, sample_weight, use_y_true=True
    )
    tpr, fpr = _tpr_fpr(y_true, y_pred, codes, index, sample_weight)
    if tpr.max() == 0:
        raise ValueError(
            _ZERO_RATE_RATIO.format(
                metric="equalized odds",
                rate="true positive rate",
                hint="No sample with y_true == 1 has y_pred == 1.",
            )
        )
    tpr_ratio = tpr.min() / tpr.max()
    if fpr.max() == 0:
        return float(tpr_ratio)
    return float(min(tpr_ratio, fpr.min() / fpr.max()))
