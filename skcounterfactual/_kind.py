"""What a model's output is: class labels, or continuous values.

Scores and audits compare *decisions* for classifiers and *predictions* for
regressors. The kind of a model comes from scikit-learn's estimator type
(:func:`~sklearn.base.is_regressor`, :func:`~sklearn.base.is_classifier`, or a
``classes_`` attribute). A model that declares neither (a duck-typed model) is
told apart by what the caller passes, ``pos_label`` naming a class or
``tolerance`` sizing a change, and otherwise by its predictions: floating-point
output is continuous. The same rule holds in every entry point.
"""

import numbers

import numpy as np
from sklearn.base import is_classifier, is_regressor

REGRESSOR = "regressor"
CLASSIFIER = "classifier"
NEEDS_TOLERANCE = (
    "{what} of a regressor needs tolerance=<the largest change of the "
    "prediction that is not a flip>: {name} predicts continuous values, "
    "which move a little for almost every twin, so without a tolerance every "
    "row would flip. Pass tolerance (e.g. tolerance=100 for a credit limit in "
    "euros), or measure the change itself with counterfactual_effect."
)
TOLERANCE_FOR_CLASSIFIER = (
    "tolerance={tolerance!r} sizes a change of a regressor's prediction, but "
    "{name} is a classifier, whose flips are changes of the predicted label. "
    "Drop tolerance (pass pos_label=<the favourable class> to count only moves "
    "into or out of one class)."
)
POS_LABEL_FOR_REGRESSOR = (
    "pos_label={pos_label!r} names a class, but {name} is a regressor (predict "
    "returns continuous values). Drop pos_label; pass tolerance=<the largest "
    "change that does not matter> to count flips."
)
BOTH_POS_LABEL_AND_TOLERANCE = (
    "pos_label={pos_label!r} and tolerance={tolerance!r} were both given: "
    "pos_label is for classifiers, tolerance for regressors. Pass the one that "
    "fits {name}."
)
PREDICT_FOR_CLASSIFIER = (
    "response_method='predict' compares a regressor's predictions, but {name} "
    "is a classifier, whose predictions are labels: compare its scores with "
    "response_method='auto', 'predict_proba' or 'decision_function', or count "
    "label changes with counterfactual_flip_rate."
)
SCORES_FOR_REGRESSOR = (
    "response_method={method!r} reads class scores, but {name} is a regressor: "
    "its effect compares predictions. Pass response_method='auto' or 'predict'."
)
BAD_TOLERANCE = (
    "tolerance must be a non-negative finite number (a change of the "
    "prediction, in its units) or None, got {tolerance!r}."
)


def check_tolerance(tolerance):
    """Return ``tolerance`` as a float (or None), refusing anything else."""
    if tolerance is None:
        return None
    if (
        isinstance(tolerance, bool)
        or not isinstance(tolerance, numbers.Real)
        or not np.isfinite(tolerance)
        or tolerance < 0
    ):
        raise ValueError(BAD_TOLERANCE.format(tolerance=tolerance))
    return float(tolerance)


def _declared_type(estimator):
    """Return the kind scikit-learn's tags (or ``classes_``) declare, else None."""
    try:
        if is_regressor(estimator):
            return REGRESSOR
        if is_classifier(estimator):
            return CLASSIFIER
    except (AttributeError, TypeError):
        pass  # a duck-typed model without scikit-learn tags
    if hasattr(estimator, "classes_"):
        return CLASSIFIER
    return None


def declared_kind(estimator, *, pos_label=None, tolerance=None):
    """Return the kind of ``estimator`` known before it predicts, or None.

    Parameters
    ----------
    estimator : object
        The model.
    pos_label : label or None
        The favourable class, when the caller gave one.
    tolerance : float or None
        The largest change of a prediction that is not a flip.

    Returns
    -------
    kind : {"classifier", "regressor"} or None
        None when only the predictions can tell (see :func:`output_kind`).

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression, Ridge
    >>> declared_kind(Ridge()), declared_kind(LogisticRegression())
    ('regressor', 'classifier')
    """
    name = type(estimator).__name__
    tolerance = check_tolerance(tolerance)
    kind = _declared_type(estimator)
    if kind == REGRESSOR and pos_label is not None:
        raise ValueError(POS_LABEL_FOR_REGRESSOR.format(pos_label=pos_label, name=name))
    if kind == CLASSIFIER and tolerance is not None:
        raise ValueError(
            TOLERANCE_FOR_CLASSIFIER.format(tolerance=tolerance, name=name)
        )
    if kind is None and pos_label is not None and tolerance is not None:
        raise ValueError(
            BOTH_POS_LABEL_AND_TOLERANCE.format(
                pos_label=pos_label, tolerance=tolerance, name=name
            )
        )
    if kind is None and pos_label is not None:
        return CLASSIFIER
    if kind is None and tolerance is not None:
        return REGRESSOR
    return kind


def output_kind(predictions):
    """Return the kind that ``predictions`` show: floats are continuous.

    Decided by the dtype alone, never by the values, so that every chunk of
    rows gives the same answer.

    Examples
    --------
    >>> import numpy as np
    >>> output_kind(np.array([0.5, 1.25])), output_kind(np.array([0, 1]))
    ('regressor', 'classifier')
    """
    return REGRESSOR if np.asarray(predictions).dtype.kind == "f" else CLASSIFIER


def needs_tolerance(what, estimator):
    """Return the error for a regressor's flip rate asked without tolerance."""
    return ValueError(NEEDS_TOLERANCE.format(what=what, name=type(estimator).__name__))
