"""The effect scorer: :func:`make_counterfactual_effect_scorer` for ``scoring=``.

The counterfactual effect (how much a score, or a regressor's prediction,
moves between rows and their twins) is a size, lower is fairer; the scorer
returns it negated, ``neg_counterfactual_effect``, so that greater is better
as scikit-learn's model selection expects (as ``neg_mean_absolute_error``).
"""

from ._augmenter import protected_of
from ._predictions import DEFAULT_CHUNK_SIZE
from ._routing import SampleWeightRequestMixin
from ._scoring import EFFECT_METHODS, counterfactual_effect
from ._validation import check_bool, check_option, check_positive_int


class _EffectScorer(SampleWeightRequestMixin):
    """The scorer behind :func:`make_counterfactual_effect_scorer`.

    A plain picklable class, not a subclass of scikit-learn's private scorers
    (whose prediction cache would answer the twins with the predictions on X).
    """

    def __init__(
        self,
        protected,
        augmenter,
        response_method,
        pos_label,
        sensitive_features_at_predict,
        chunk_size,
    ):
        self.protected = protected
        self.augmenter = augmenter
        self.response_method = response_method
        self.pos_label = pos_label
        self.sensitive_features_at_predict = sensitive_features_at_predict
        self.chunk_size = chunk_size
        self._request = {}

    def __call__(self, estimator, X, y=None, sample_weight=None):
        """Return minus the counterfactual effect of ``estimator`` on ``X``."""
        return 0.0 - counterfactual_effect(
            estimator,
            X,
            y,
            protected=self.protected,
            augmenter=self.augmenter,
            response_method=self.response_method,
            pos_label=self.pos_label,
            sample_weight=sample_weight,
            sensitive_features_at_predict=self.sensitive_features_at_predict,
            chunk_size=self.chunk_size,
        )

    def __repr__(self):
        shown = [
            f"{name}={getattr(self, name)!r}"
            for name in ("protected", "augmenter", "pos_label")
            if getattr(self, name) is not None
        ]
        if self.response_method != "auto":
            shown.append(f"response_method={self.response_method!r}")
        if self.sensitive_features_at_predict:
            shown.append("sensitive_features_at_predict=True")
        if self.chunk_size != DEFAULT_CHUNK_SIZE:
            shown.append(f"chunk_size={self.chunk_size!r}")
        return f"make_counterfactual_effect_scorer({', '.join(shown)})"


def make_counterfactual_effect_scorer(
    *,
    protected=None,
    augmenter=None,
    response_method="auto",
    pos_label=None,
    sensitive_features_at_predict=False,
    chunk_size=DEFAULT_CHUNK_SIZE,
):
    """Make a scorer for ``GridSearchCV``/``cross_validate``: minus the effect.

    The effect is the mean absolute change of a classifier's favourable-class
    score, or of a regressor's prediction, between rows and their twins
    (:func:`counterfactual_effect`). The scorer returns it negated, so that
    greater is better: 0.0 is a model whose output no twin moves. For a
    regressor this is the primary fairness score: it needs no tolerance.

    Parameters
    ----------
    protected : str, int or list, default=None
        The protected column(s), a shortcut for a default augmenter.
    augmenter : twin maker, default=None
        How twins are built (see :func:`make_counterfactual_flip_scorer`).
    response_method : {"auto", "predict", "predict_proba", \
"decision_function"}, default="auto"
        Which output to compare (see :func:`counterfactual_effect`).
    pos_label : label, default=None
        The class whose probability is compared (multiclass models).
    sensitive_features_at_predict : bool, default=False
        Pass the protected value(s) to ``predict`` as ``sensitive_features``.
    chunk_size : int, default=200000
        Rows twinned and predicted at a time.

    Returns
    -------
    scorer : callable
        A picklable ``scorer(estimator, X, y=None, sample_weight=None)``
        returning ``-effect``, with ``set_score_request`` for metadata
        routing.

    See Also
    --------
    fairness_scoring : A ready ``scoring=`` dict; with ``tolerance`` (for
        regressors) it holds this scorer as ``"neg_counterfactual_effect"``.
    counterfactual_effect : The effect itself.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn.linear_model import LinearRegression
    >>> from skcounterfactual import make_counterfactual_effect_scorer
    >>> X = pd.DataFrame({"gender_code": [1, 1, 0, 0], "income": [4, 9, 4, 9]})
    >>> limits = LinearRegression().fit(X, [5000, 9100, 4000, 9000])
    >>> scorer = make_counterfactual_effect_scorer(protected="gender_code")
    >>> scorer
    make_counterfactual_effect_scorer(protected='gender_code')
    >>> round(scorer(limits, X), 2)
    -550.0
    """
    protected_of(protected, augmenter)
    check_option(response_method, EFFECT_METHODS, "response_method")
    check_bool(sensitive_features_at_predict, "sensitive_features_at_predict")
    chunk_size = check_positive_int(chunk_size, "chunk_size")
    return _EffectScorer(
        protected,
        augmenter,
        response_method,
        pos_label,
        sensitive_features_at_predict,
        chunk_size,
    )
