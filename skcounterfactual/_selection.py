"""Group-parity scorers and a ready ``scoring=`` dict for model selection."""

import numpy as np

from . import _parity
from ._augmenter import protected_of
from ._effect_scorer import make_counterfactual_effect_scorer
from ._flip_scorer import make_counterfactual_flip_scorer
from ._kind import (
    CLASSIFIER,
    REGRESSOR,
    check_tolerance,
    declared_kind,
    output_kind,
)
from ._linkspec import normalise_links
from ._predictions import (
    DEFAULT_CHUNK_SIZE,
    check_estimator,
    observed_positive_class,
    positive_class,
    require_positive_class,
)
from ._regression import mean_absolute_error_difference, mean_prediction_difference
from ._routing import request_score_metadata, score_metadata_request
from ._shared_pass import PREDICT_SCORERS, SharedPredictScorer, predict_shared
from ._validation import (
    as_column_list,
    as_frame,
    check_columns,
    check_sample_weight,
)

PARITY_METRICS = {
    "demographic_parity_difference": (_parity.demographic_parity_difference, -1.0),
    "demographic_parity_ratio": (_parity.demographic_parity_ratio, 1.0),
    "equalized_odds_difference": (_parity.equalized_odds_difference, -1.0),
    "equalized_odds_ratio": (_parity.equalized_odds_ratio, 1.0),
    "mean_prediction_difference": (mean_prediction_difference, -1.0),
    "mean_absolute_error_difference": (mean_absolute_error_difference, -1.0),
}
REGRESSION_PARITY = ("mean_prediction_difference", "mean_absolute_error_difference")
PARITY_SCORER_NAMES = {
    "demographic_parity_difference": "neg_demographic_parity_difference",
    "demographic_parity_ratio": "demographic_parity_ratio",
    "equalized_odds_difference": "neg_equalized_odds_difference",
    "equalized_odds_ratio": "equalized_odds_ratio",
    "mean_prediction_difference": "neg_mean_prediction_difference",
    "mean_absolute_error_difference": "neg_mean_absolute_error_difference",
}
PARITY_FOR_REGRESSOR = (
    "The {metric} scorer compares the selection rates of a classifier's "
    "decisions, but {name} is a regressor: it selects nobody. Use "
    "make_parity_scorer('mean_prediction_difference') (or "
    "'mean_absolute_error_difference'), or fairness_scoring(tolerance=...), "
    "which picks it."
)
PARITY_FOR_CLASSIFIER = (
    "The {metric} scorer compares a regressor's predictions, but {name} is a "
    "classifier. Use a selection-rate metric such as "
    "'demographic_parity_difference'."
)


class _ParityScorer:
    """The scorer behind :func:`make_parity_scorer`: one Fairlearn parity metric.

    Differences are negated so that greater is better; ratios are reported as
    they are (1.0 is parity).

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn.compose import make_column_transformer
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from skcounterfactual import make_parity_scorer
    >>> X = pd.DataFrame({"gender": ["F", "F", "M", "M"], "code": [0, 0, 1, 1]})
    >>> model = make_pipeline(
    ...     make_column_transformer(("passthrough", ["code"])),
    ...     DecisionTreeClassifier(),
    ... ).fit(X, [0, 0, 1, 1])
    >>> scorer = make_parity_scorer("demographic_parity_ratio", protected="gender")
    >>> scorer(model, X)  # women are never selected
    0.0
    """

    def __init__(self, metric, protected, pos_label=None):
        self.metric = metric
        self.protected = protected
        self.pos_label = pos_label
        self._request = {}
        self._pass = None  # the flip scorers' pass, in fairness_scoring

    def __call__(
        self, estimator, X, y=None, sample_weight=None, sensitive_features=None
    ):
        """Score ``estimator`` on ``X`` (``y`` is needed for equalized odds)."""
        function, sign = PARITY_METRICS[self.metric]
        check_estimator(estimator)
        if sensitive_features is None:
            frame, _ = as_frame(X)
            columns = as_column_list(self.protected, "protected")
            check_columns(frame, columns, "protected")
            sensitive_features = frame[columns[0] if len(columns) == 1 else columns]
        needs_y = self.metric.startswith(("equalized_odds", "mean_absolute_error"))
        if needs_y and y is None:
            raise ValueError(f"The {self.metric} scorer needs y (true labels).")
        kind = declared_kind(estimator, pos_label=self.pos_label)
        if self.metric in REGRESSION_PARITY:
            return self._regression(
                estimator, X, y, kind, (sample_weight, sensitive_features), function
            )
        name = type(estimator).__name__
        if kind == REGRESSOR:
            raise ValueError(PARITY_FOR_REGRESSOR.format(metric=self.metric, name=name))
        what = f"The {self.metric} scorer"
        positive = positive_class(estimator, self.pos_label)
        if positive is None and hasattr(estimator, "classes_"):
            positive = require_positive_class(estimator, self.pos_label, what)
        decisions = predict_shared(self._pass, estimator, X)
        if kind is None and output_kind(decisions) == REGRESSOR:
            raise ValueError(PARITY_FOR_REGRESSOR.format(metric=self.metric, name=name))
        if positive is None:  # a duck-typed model without classes_
            positive = observed_positive_class(decisions, what)
        # Fairlearn counts y == 1 as selected: name the positive class instead,
        # so string labels ("approved") are not silently never selected
        y_pred = (decisions == positive).astype(int)
        if y is not None:
            y = (np.asarray(y) == positive).astype(int)
        weights = check_sample_weight(sample_weight, len(y_pred))
        value = function(
            y, y_pred, sensitive_features=sensitive_features, sample_weight=weights
        )
        return float(sign * value) + 0.0 if sign < 0 else float(value)

    def _regression(self, estimator, X, y, kind, metadata, function):
        """Return the group gap of a regressor's predictions, negated."""
        sample_weight, sensitive_features = metadata
        name = type(estimator).__name__
        if kind == CLASSIFIER:
            raise ValueError(
                PARITY_FOR_CLASSIFIER.format(metric=self.metric, name=name)
            )
        predictions = predict_shared(self._pass, estimator, X)
        if kind is None and output_kind(predictions) != REGRESSOR:
            raise ValueError(
                PARITY_FOR_CLASSIFIER.format(metric=self.metric, name=name)
            )
        weights = check_sample_weight(sample_weight, len(predictions))
        value = function(
            None if y is None else np.asarray(y, dtype=float),
            predictions.astype(float),
            sensitive_features=sensitive_features,
            sample_weight=weights,
        )
        return 0.0 - float(value)

    def __repr__(self):
        extra = "" if self.pos_label is None else f", pos_label={self.pos_label!r}"
        return (
            f"make_parity_scorer({self.metric!r}, protected={self.protected!r}{extra})"
        )

    def set_score_request(self, *, sample_weight=None, sensitive_features=None):
        """Request ``sample_weight`` / ``sensitive_features`` under metadata routing.

        Parameters
        ----------
        sample_weight, sensitive_features : bool, str or None, default=None
            True to request, False not to, a string for an alias.

        Returns
        -------
        self : object
            The scorer.
        """
        return request_score_metadata(
            self, sample_weight=sample_weight, sensitive_features=sensitive_features
        )

    def get_metadata_routing(self):
        """Return the metadata this scorer requests."""
        return score_metadata_request(self)


def make_parity_scorer(
    metric="demographic_parity_difference", *, protected=None, pos_label=None
):
    """Make a scorer reporting a Fairlearn group-parity metric, greater is better.

    Parameters
    ----------
    metric : {"demographic_parity_difference", "demographic_parity_ratio", \
"equalized_odds_difference", "equalized_odds_ratio", \
"mean_prediction_difference", "mean_absolute_error_difference"}
        Fairlearn's metric (``method="between_groups"``). Differences are
        negated: the scorer returns ``-difference``. The last two are for
        regressors: the between-groups difference of the mean prediction
        (Fairlearn's ``mean_prediction``) and of the mean absolute error
        (needs ``y``), in the prediction's units.
    protected : str, int or list
        The sensitive column(s) of ``X``. Read from ``X`` even when the model's
        pipeline drops them; under metadata routing, a routed
        ``sensitive_features`` takes precedence.
    pos_label : label, default=None
        The favourable class (a prediction of it is a selection; every other
        class is the rest, for multiclass models too). When None, 1 (or True)
        for models whose classes are 0/1, -1/1 or booleans; for any other
        model parity is undefined and the scorer raises, naming the classes.

    Returns
    -------
    scorer : callable
        A picklable ``scorer(estimator, X, y=None, sample_weight=None,
        sensitive_features=None)`` with ``set_score_request``.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn.dummy import DummyClassifier
    >>> from skcounterfactual import make_parity_scorer
    >>> X = pd.DataFrame({"gender": ["F", "F", "M", "M"], "income": [1, 2, 3, 4]})
    >>> model = DummyClassifier(strategy="constant", constant=1).fit(X, [1, 0, 1, 1])
    >>> make_parity_scorer(protected="gender")(model, X)
    0.0
    """
    if metric not in PARITY_METRICS:
        raise ValueError(
            f"metric must be one of {sorted(PARITY_METRICS)!r}, got {metric!r}."
        )
    as_column_list(protected, "protected")
    return _ParityScorer(metric, protected, pos_label=pos_label)


def fairness_scoring(
    *,
    protected=None,
    augmenter=None,
    accuracy=None,
    parity="auto",
    pos_label=None,
    tolerance=None,
    sensitive_features_at_predict=False,
    chunk_size=DEFAULT_CHUNK_SIZE,
):
    """Return a ``scoring=`` dict: accuracy, counterfactual flip and parity.

    Every score is greater-is-better, as a search ranks them: the flip score is
    ``1 - flip rate``, differences are negated. The leaderboard shows them
    back as rates and differences (lower is fairer), as the audit does.

    Parameters
    ----------
    protected : str, int or list, default=None
        The protected column(s) of ``X``: a shortcut for a default augmenter,
        and the sensitive column(s) of the parity scorer.
    augmenter : twin maker, default=None
        How twins are built (see :func:`make_counterfactual_flip_scorer`); the
        parity scorer uses its protected column(s). When it builds placebo
        twins (a generated link such as ``first_name``, and ``placebo="auto"``
        or True), the dict also holds
        ``"neg_counterfactual_flip_minus_placebo"``: the flip rate minus the
        placebo rate, negated, for :func:`most_accurate_within`'s
        ``max_flip_minus_placebo``.
    accuracy : str, callable or None, default=None
        The performance scorer, under the key ``"accuracy"``. None means
        ``"accuracy"``, or ``"r2"`` for regressors (``tolerance`` given).
        ``"accuracy"``, ``"balanced_accuracy"``, ``"r2"``,
        ``"neg_mean_absolute_error"`` and ``"neg_mean_squared_error"`` become
        scorers equal to scikit-learn's that read the decisions the flip
        scorer's pass computed (see Notes); other names and callables are
        kept as given.
    parity : str or None, default="auto"
        Fairlearn parity metric (see :func:`make_parity_scorer`), under the key
        ``"neg_demographic_parity_difference"`` (or the metric's scorer name);
        None leaves it out. ``"auto"`` means
        ``"demographic_parity_difference"``, or
        ``"mean_prediction_difference"`` for regressors.
    pos_label : label, default=None
        The favourable class, for the flip and parity scorers (classifiers).
    tolerance : float or None, default=None
        For regressors, the largest change of the prediction that is not a
        flip (see :func:`counterfactual_flip_rate`). Giving it makes the dict
        a regressor's: the accuracy and parity defaults above, and the key
        ``"neg_counterfactual_effect"``, the negated mean absolute change of
        the prediction (:func:`make_counterfactual_effect_scorer`).
    sensitive_features_at_predict : bool, default=False
        Pass the protected value(s) to ``predict`` as ``sensitive_features``
        (flip scorers).
    chunk_size : int, default=200000
        Rows twinned and predicted at a time (flip scorers).

    Returns
    -------
    scoring : dict
        Keys ``"counterfactual_flip"``, ``"accuracy"`` and the parity key;
        ``"neg_counterfactual_flip_minus_placebo"`` with placebo twins (after
        the flip key); ``"neg_counterfactual_effect"`` with ``tolerance``.

    Notes
    -----
    A search calls the scorers of the dict in order on each candidate and
    fold. The flip scorer comes first: it predicts the rows together with
    their twins (and placebo twins) in one call, and the flip minus placebo,
    accuracy and parity scorers after it reuse that pass instead of
    predicting again, so the search costs about one prediction per candidate
    and fold, as a search scored on accuracy alone does. They reuse it only
    when called with the very same candidate, unchanged (its fitted
    attributes), on the very same rows, labels and weights, unchanged (their
    digests); otherwise each predicts for itself. The scores are those of
    the scorers called one by one, to the last digit.

    To score a classifier at a decision threshold of its own, make the
    threshold part of the candidate (scikit-learn's
    ``FixedThresholdClassifier``): every score of the dict reads the same
    ``predict``, so they all honour it.

    Examples
    --------
    >>> from skcounterfactual import CounterfactualAugmenter, fairness_scoring
    >>> sorted(fairness_scoring(protected="gender"))
    ['accuracy', 'counterfactual_flip', 'neg_demographic_parity_difference']
    >>> names = CounterfactualAugmenter(protected="gender",
    ...                                 links={"first_name": "first_name"})
    >>> sorted(fairness_scoring(augmenter=names))  # doctest: +NORMALIZE_WHITESPACE
    ['accuracy', 'counterfactual_flip', 'neg_counterfactual_flip_minus_placebo',
     'neg_demographic_parity_difference']
    >>> scoring = fairness_scoring(protected="gender", tolerance=100)
    >>> sorted(scoring)  # doctest: +NORMALIZE_WHITESPACE
    ['accuracy', 'counterfactual_flip', 'neg_counterfactual_effect',
     'neg_mean_prediction_difference']
    >>> scoring["accuracy"]  # scikit-learn's r2 scorer, reading the shared pass
    make_scorer(r2_score, response_method='predict')
    """
    columns = as_column_list(protected_of(protected, augmenter), "protected")
    tolerance = check_tolerance(tolerance)
    regression = tolerance is not None
    if accuracy is None:
        accuracy = "r2" if regression else "accuracy"
    if parity == "auto":
        parity = (
            "mean_prediction_difference"
            if regression
            else "demographic_parity_difference"
        )
    options = {
        "protected": protected,
        "augmenter": augmenter,
        "pos_label": pos_label,
        "tolerance": tolerance,
        "sensitive_features_at_predict": sensitive_features_at_predict,
        "chunk_size": chunk_size,
    }
    # The flip scorers come first: their pass over a fold predicts the rows
    # with their twins, and the scorers after them read those decisions.
    flip = make_counterfactual_flip_scorer(**options)
    scoring = {"counterfactual_flip": flip}
    if builds_placebo(augmenter):
        minus_placebo = make_counterfactual_flip_scorer(
            **options, subtract_placebo=True
        )
        flip._share_twins(minus_placebo)
        scoring["neg_counterfactual_flip_minus_placebo"] = minus_placebo
    if isinstance(accuracy, str) and accuracy in PREDICT_SCORERS:
        accuracy = SharedPredictScorer(accuracy, flip._shared_pass())
    scoring["accuracy"] = accuracy
    if regression:
        scoring["neg_counterfactual_effect"] = make_counterfactual_effect_scorer(
            protected=protected,
            augmenter=augmenter,
            sensitive_features_at_predict=sensitive_features_at_predict,
            chunk_size=chunk_size,
        )
    if parity is not None:
        parity_scorer = make_parity_scorer(
            parity,
            protected=columns[0] if len(columns) == 1 else columns,
            pos_label=pos_label,
        )
        parity_scorer._pass = flip._shared_pass()
        scoring[PARITY_SCORER_NAMES.get(parity, parity)] = parity_scorer
    return scoring


def builds_placebo(augmenter):
    """Whether ``augmenter`` builds placebo twins (read from its parameters).

    ``placebo=True``, or ``placebo="auto"`` with a generated or callable link
    (a placebo twin differs from its row only when a link draws values).
    """
    placebo = getattr(augmenter, "placebo", False)
    if isinstance(placebo, np.bool_):
        placebo = bool(placebo)
    if placebo is True:
        return True
    if placebo != "auto":
        return False
    protected = as_column_list(getattr(augmenter, "protected", None), "protected")
    links = normalise_links(getattr(augmenter, "links", None), protected)
    return any(link.generated for found in links.values() for link in found)
