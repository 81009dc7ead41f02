"""Group-parity scorers, a ready ``scoring=`` dict, and a fairness-bounded refit."""

import numbers

import numpy as np

from . import _parity
from ._augmenter import protected_of
from ._flip_scorer import make_counterfactual_flip_scorer
from ._predictions import (
    DEFAULT_CHUNK_SIZE,
    check_estimator,
    observed_positive_class,
    positive_class,
    require_positive_class,
)
from ._routing import request_score_metadata, score_metadata_request
from ._validation import (
    as_column_list,
    as_frame,
    check_columns,
    check_sample_weight,
    shown,
)

PARITY_METRICS = {
    "demographic_parity_difference": (_parity.demographic_parity_difference, -1.0),
    "demographic_parity_ratio": (_parity.demographic_parity_ratio, 1.0),
    "equalized_odds_difference": (_parity.equalized_odds_difference, -1.0),
    "equalized_odds_ratio": (_parity.equalized_odds_ratio, 1.0),
}
PARITY_SCORER_NAMES = {
    "demographic_parity_difference": "neg_demographic_parity_difference",
    "demographic_parity_ratio": "demographic_parity_ratio",
    "equalized_odds_difference": "neg_equalized_odds_difference",
    "equalized_odds_ratio": "equalized_odds_ratio",
}


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
        if self.metric.startswith("equalized_odds") and y is None:
            raise ValueError(f"The {self.metric} scorer needs y (true labels).")
        what = f"The {self.metric} scorer"
        positive = positive_class(estimator, self.pos_label)
        if positive is None and hasattr(estimator, "classes_"):
            positive = require_positive_class(estimator, self.pos_label, what)
        decisions = np.asarray(estimator.predict(X))
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
"equalized_odds_difference", "equalized_odds_ratio"}
        Fairlearn's metric (``method="between_groups"``). Differences are
        negated: the scorer returns ``-difference``.
    protected : str, int or list
        The sensitive column(s) of ``X``. Read from ``X`` even when the model's
        pipeline drops them; under metadata routing, a routed
        ``sensitive_features`` takes precedence.
    pos_label : label, default=None
        The favourable class (a prediction of it is a selection). When None,
        1 (or True) for models whose classes are 0/1, -1/1 or booleans; any
        other model needs it (the scorer raises, naming the classes).

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
    accuracy="accuracy",
    parity="demographic_parity_difference",
    pos_label=None,
    sensitive_features_at_predict=False,
    chunk_size=DEFAULT_CHUNK_SIZE,
):
    """Return a ``scoring=`` dict: accuracy, counterfactual flip and parity.

    Parameters
    ----------
    protected : str, int or list, default=None
        The protected column(s) of ``X``: a shortcut for a default augmenter,
        and the sensitive column(s) of the parity scorer.
    augmenter : twin maker, default=None
        How twins are built (see :func:`make_counterfactual_flip_scorer`); the
        parity scorer uses its protected column(s).
    accuracy : str or callable, default="accuracy"
        The performance scorer, under the key ``"accuracy"``.
    parity : str or None, default="demographic_parity_difference"
        Fairlearn parity metric (see :func:`make_parity_scorer`), under the key
        ``"neg_demographic_parity_difference"`` (or the metric's scorer name);
        None leaves it out.
    pos_label : label, default=None
        The favourable class, for the flip and parity scorers.
    sensitive_features_at_predict : bool, default=False
        Pass the protected value(s) to ``predict`` as ``sensitive_features``
        (flip scorer).
    chunk_size : int, default=200000
        Rows twinned and predicted at a time (flip scorer).

    Returns
    -------
    scoring : dict
        Keys ``"accuracy"``, ``"counterfactual_flip"`` and the parity key.

    Examples
    --------
    >>> from skcounterfactual import fairness_scoring
    >>> sorted(fairness_scoring(protected="gender"))
    ['accuracy', 'counterfactual_flip', 'neg_demographic_parity_difference']
    """
    columns = as_column_list(protected_of(protected, augmenter), "protected")
    scoring = {
        "accuracy": accuracy,
        "counterfactual_flip": make_counterfactual_flip_scorer(
            protected=protected,
            augmenter=augmenter,
            pos_label=pos_label,
            sensitive_features_at_predict=sensitive_features_at_predict,
            chunk_size=chunk_size,
        ),
    }
    if parity is not None:
        scoring[PARITY_SCORER_NAMES.get(parity, parity)] = make_parity_scorer(
            parity,
            protected=columns[0] if len(columns) == 1 else columns,
            pos_label=pos_label,
        )
    return scoring


class _MostAccurateWithin:
    """The ``refit=`` callable behind :func:`most_accurate_within`.

    Examples
    --------
    >>> from skcounterfactual import most_accurate_within
    >>> refit = most_accurate_within(max_flip_rate=0.1, max_parity_difference=0.2)
    >>> refit
    most_accurate_within(max_flip_rate=0.1, max_parity_difference=0.2)
    >>> refit({
    ...     "mean_test_accuracy": [0.95, 0.90, 0.85],
    ...     "mean_test_counterfactual_flip": [0.60, 0.95, 1.00],
    ...     "mean_test_neg_demographic_parity_difference": [-0.5, -0.3, -0.1],
    ... })
    2
    """

    def __init__(
        self,
        max_flip_rate,
        max_parity_difference,
        accuracy_key,
        flip_key,
        parity_key,
    ):
        self.max_flip_rate = max_flip_rate
        self.max_parity_difference = max_parity_difference
        self.accuracy_key = accuracy_key
        self.flip_key = flip_key
        self.parity_key = parity_key

    def __repr__(self):
        shown = [
            f"max_flip_rate={self.max_flip_rate!r}",
            f"max_parity_difference={self.max_parity_difference!r}",
        ]
        for name, default in (
            ("accuracy_key", "accuracy"),
            ("flip_key", "counterfactual_flip"),
            ("parity_key", "neg_demographic_parity_difference"),
        ):
            value = getattr(self, name)
            if value != default:
                shown.append(f"{name}={value!r}")
        return f"most_accurate_within({', '.join(shown)})"

    def _column(self, cv_results, key):
        name = f"mean_test_{key}"
        if name not in cv_results:
            available = sorted(k[10:] for k in cv_results if k.startswith("mean_test_"))
            raise ValueError(
                f"cv_results_ has no {name!r}: score the search with a scoring dict "
                f"that has the key {key!r} (fairness_scoring() does). Keys scored: "
                f"{available!r}."
            )
        values = np.asarray(cv_results[name], dtype=float)
        if np.isnan(values).all():
            raise ValueError(
                f"Every candidate's {name!r} is NaN: the {key!r} scorer failed in "
                "every fold, and GridSearchCV turned its errors into NaN. Run the "
                "search with error_score='raise' to see the cause."
            )
        return values

    def __call__(self, cv_results):
        """Return the index of the chosen candidate in ``cv_results``."""
        accuracy = self._column(cv_results, self.accuracy_key)
        ok = ~np.isnan(accuracy)
        reasons = []
        if self.max_flip_rate is not None:
            flip_rate = 1.0 - self._column(cv_results, self.flip_key)
            ok &= flip_rate <= self.max_flip_rate + 1e-12
            lowest = np.nanmin(flip_rate)
            reasons.append(f"flip rate <= {self.max_flip_rate} (lowest: {lowest:.4f})")
        if self.max_parity_difference is not None:
            difference = -self._column(cv_results, self.parity_key)
            ok &= difference <= self.max_parity_difference + 1e-12
            reasons.append(
                f"parity difference <= {self.max_parity_difference} "
                f"(lowest: {np.nanmin(difference):.4f})"
            )
        if not ok.any():
            raise ValueError(
                "No candidate meets " + " and ".join(reasons) + ". Loosen the "
                "bounds or add fairer candidates (a model without the protected "
                "column, or counterfactual augmentation)."
            )
        candidates = np.flatnonzero(ok)
        return int(candidates[np.argmax(accuracy[candidates])])


def most_accurate_within(
    *,
    max_flip_rate=None,
    max_parity_difference=None,
    accuracy_key="accuracy",
    flip_key="counterfactual_flip",
    parity_key="neg_demographic_parity_difference",
):
    """Make a ``refit=`` callable: best accuracy among sufficiently fair models.

    Parameters
    ----------
    max_flip_rate : float or None, default=None
        Largest mean counterfactual flip rate allowed (from the flip score).
    max_parity_difference : float or None, default=None
        Largest mean demographic parity difference allowed.
    accuracy_key, flip_key, parity_key : str
        The keys of ``cv_results_`` (the scoring dict's keys) holding
        accuracy, the flip score and the negated parity difference.

    Returns
    -------
    refit : callable
        ``refit(cv_results) -> index``; raises a ``ValueError`` naming the
        bounds when no candidate meets them.

    See Also
    --------
    fairness_scoring : The scoring dict whose keys are the defaults here.
    leaderboard : The candidates side by side.

    Examples
    --------
    >>> from skcounterfactual import most_accurate_within
    >>> refit = most_accurate_within(max_flip_rate=0.05)
    >>> refit({"mean_test_accuracy": [0.9, 0.8], "mean_test_counterfactual_flip":
    ...        [0.7, 0.99]})
    1
    """
    for name, bound in (
        ("max_flip_rate", max_flip_rate),
        ("max_parity_difference", max_parity_difference),
    ):
        if bound is not None and not (
            isinstance(bound, numbers.Real)
            and not isinstance(bound, bool)
            and 0 <= bound <= 1
        ):
            raise ValueError(f"{name} must be in [0, 1] or None, got {shown(bound)!r}.")
    for name, key in (
        ("accuracy_key", accuracy_key),
        ("flip_key", flip_key),
        ("parity_key", parity_key),
    ):
        if not isinstance(key, str):
            raise TypeError(
                f"{name} must be a scoring key (a string), got "
                f"{type(key).__name__}: {key!r}."
            )
    return _MostAccurateWithin(
        max_flip_rate, max_parity_difference, accuracy_key, flip_key, parity_key
    )
