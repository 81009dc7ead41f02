"""CounterfactualAugmentedClassifier: fit a classifier on data augmented with twins."""

import pandas as pd
from sklearn import get_config
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.utils import get_tags
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    process_routing,
)
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted, column_or_1d

from ._native import take_rows
from ._protocol import check_twin_maker
from ._validation import check_sample_weight

ROUTED_METHODS = (
    "fit",
    "predict",
    "predict_proba",
    "predict_log_proba",
    "decision_function",
)
PARAMS_WITHOUT_ROUTING = (
    "{owner}.{method} got {params!r}, which it passes on only with metadata "
    "routing: call sklearn.set_config(enable_metadata_routing=True) and request "
    "them on the estimator (estimator.set_{method}_request(...)). Without "
    "routing, only fit's sample_weight is passed on."
)
NO_SAMPLE_INDICES = (
    "The augmenter {augmenter!r} sets no sample_indices_ in fit_resample, so "
    "the per-row metadata {params!r} cannot be copied to the twins. Use a twin "
    "maker of this package, or leave them out."
)


def _routing_enabled():
    return bool(get_config().get("enable_metadata_routing", False))


def _weight_param(estimator, weights):
    """``sample_weight`` for ``estimator.fit``; a Pipeline's goes to its last step."""
    steps = getattr(estimator, "steps", None)
    if isinstance(steps, list) and steps:
        return {f"{steps[-1][0]}__sample_weight": weights}
    return {"sample_weight": weights}


def _per_row(value, n_samples):
    """Whether a metadata value holds one entry per row (it then follows twins)."""
    if isinstance(value, str | bytes | dict) or not hasattr(value, "__len__"):
        return False
    try:
        return len(value) == n_samples
    except TypeError:
        return False


def _estimator_has(attr):
    def check(self):
        if hasattr(self, "estimator_"):
            return hasattr(self.estimator_, attr)
        return hasattr(self.estimator, attr)

    return check


class CounterfactualAugmentedClassifier(
    MetaEstimatorMixin, ClassifierMixin, BaseEstimator
):
    """Fit a classifier on its training data augmented with counterfactual twins.

    The mitigation of :class:`CounterfactualAugmenter` for a plain scikit-learn
    ``Pipeline`` or ``GridSearchCV`` (tune ``estimator__...`` and
    ``augmenter__...``). Twins are added only while fitting; predictions are
    the inner estimator's.

    Parameters
    ----------
    estimator : classifier
        The classifier to fit on the augmented data (usually a Pipeline with
        its preprocessing).
    augmenter : twin maker
        How to build the twins: a :class:`CounterfactualAugmenter` or another
        twin maker with ``fit_resample``.

    Attributes
    ----------
    estimator_ : classifier
        The fitted clone of ``estimator``.
    augmenter_ : twin maker
        The fitted clone of ``augmenter``.
    classes_ : ndarray
        The class labels.
    n_features_in_ : int
        Number of columns seen in ``fit``.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skcounterfactual import (CounterfactualAugmentedClassifier,
    ...                               CounterfactualAugmenter)
    >>> import pandas as pd
    >>> X = pd.DataFrame({"gender_code": [1, 0, 1, 0], "income": [1, 2, 3, 4]})
    >>> y = [1, 0, 1, 0]
    >>> clf = CounterfactualAugmentedClassifier(
    ...     estimator=LogisticRegression(),
    ...     augmenter=CounterfactualAugmenter(protected="gender_code"),
    ... ).fit(X, y)
    >>> clf.augmenter_.domains_
    {'gender_code': [0, 1]}
    """

    def __init__(self, estimator=None, augmenter=None):
        self.estimator = estimator
        self.augmenter = augmenter

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        if self.estimator is not None:
            inner = get_tags(self.estimator).input_tags
            tags.input_tags.allow_nan = inner.allow_nan
            tags.input_tags.categorical = inner.categorical
            tags.input_tags.string = inner.string
        return tags

    def fit(self, X, y, sample_weight=None, **fit_params):
        """Augment ``X`` with twins and fit a clone of ``estimator`` on it.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Training data (pandas or polars DataFrame, or array); the
            estimator receives the augmented data in the same kind.
        y : array-like of shape (n_samples,)
            Labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights, copied to each row's twins. Without metadata routing they
            go to the estimator's ``fit`` (to a Pipeline's last step); with
            routing, to whatever the estimator requests
            (``estimator.set_fit_request(sample_weight=True)``).
        **fit_params : dict
            Only with metadata routing: other metadata the estimator requests
            for ``fit``. Values with one entry per row of ``X`` are copied to
            each row's twins like the weights; others are passed unchanged.

        Returns
        -------
        self : CounterfactualAugmentedClassifier
            The fitted classifier.
        """
        if self.estimator is None or not hasattr(self.estimator, "fit"):
            raise ValueError(
                "estimator must be a scikit-learn classifier (with fit and predict), "
                f"got {self.estimator!r}."
            )
        check_twin_maker(self.augmenter)
        if not hasattr(self.augmenter, "fit_resample"):
            raise TypeError(
                "augmenter must build training twins with fit_resample (every twin "
                f"maker of this package does), got {self.augmenter!r}."
            )
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y "
                "is None."
            )
        if _routing_enabled():
            if sample_weight is not None:
                fit_params = {"sample_weight": sample_weight, **fit_params}
            params = dict(process_routing(self, "fit", **fit_params).estimator.fit)
        else:
            self._refuse_params("fit", fit_params)
            params = {} if sample_weight is None else {"sample_weight": sample_weight}
        y = y if isinstance(y, pd.Series) else column_or_1d(y, warn=True)
        if params.get("sample_weight") is not None:
            params["sample_weight"] = check_sample_weight(
                params["sample_weight"], len(y)
            )
        self.augmenter_ = clone(self.augmenter)
        X_aug, y_aug = self.augmenter_.fit_resample(X, y)
        params = self._with_twins(params, n_samples=len(y))
        if "sample_weight" in params and not _routing_enabled():
            params = _weight_param(self.estimator, params.pop("sample_weight"))
        self.estimator_ = clone(self.estimator)
        self.estimator_.fit(X_aug, y_aug, **params)
        self.classes_ = self.estimator_.classes_
        self.n_features_in_ = self.augmenter_.n_features_in_
        if hasattr(self.augmenter_, "feature_names_in_"):
            self.feature_names_in_ = self.augmenter_.feature_names_in_
        return self

    def _with_twins(self, params, *, n_samples):
        """Copy each per-row metadata value to its row's twins."""
        rows = [name for name, value in params.items() if _per_row(value, n_samples)]
        if not rows:
            return params
        indices = getattr(self.augmenter_, "sample_indices_", None)
        if indices is None:
            raise ValueError(
                NO_SAMPLE_INDICES.format(augmenter=self.augmenter, params=rows)
            )
        return {
            name: take_rows(value, indices) if name in rows else value
            for name, value in params.items()
        }

    def _refuse_params(self, method, params):
        if params:
            raise ValueError(
                PARAMS_WITHOUT_ROUTING.format(
                    owner=type(self).__name__, method=method, params=sorted(params)
                )
            )

    def _inner_params(self, method, params):
        """Return the metadata that ``method`` of the fitted estimator receives."""
        if not _routing_enabled():
            self._refuse_params(method, params)
            return {}
        return dict(getattr(process_routing(self, method, **params).estimator, method))

    def get_metadata_routing(self):
        """Return how metadata reach the estimator (metadata routing).

        ``fit``, ``predict``, ``predict_proba``, ``predict_log_proba`` and
        ``decision_function`` pass on to the same method of ``estimator``
        what it requests; per-row metadata of ``fit`` are first copied to
        the twins.

        Returns
        -------
        routing : MetadataRouter
            The routing information.
        """
        mapping = MethodMapping()
        for method in ROUTED_METHODS:
            mapping.add(caller=method, callee=method)
        router = MetadataRouter(owner=type(self).__name__)
        router.add(estimator=self.estimator, method_mapping=mapping)
        return router

    def _check_input(self, X):
        check_is_fitted(self)
        return X

    def predict(self, X, **params):
        """Predict with the fitted estimator.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            The rows.
        **params : dict
            Only with metadata routing: metadata the estimator requests for
            ``predict``.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            The estimator's predictions.
        """
        X = self._check_input(X)
        return self.estimator_.predict(X, **self._inner_params("predict", params))

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X, **params):
        """Class probabilities of the fitted estimator.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            The rows.
        **params : dict
            Only with metadata routing: metadata the estimator requests.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            The estimator's probabilities.
        """
        X = self._check_input(X)
        params = self._inner_params("predict_proba", params)
        return self.estimator_.predict_proba(X, **params)

    @available_if(_estimator_has("predict_log_proba"))
    def predict_log_proba(self, X, **params):
        """Log class probabilities of the fitted estimator.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            The rows.
        **params : dict
            Only with metadata routing: metadata the estimator requests.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            The estimator's log probabilities.
        """
        X = self._check_input(X)
        params = self._inner_params("predict_log_proba", params)
        return self.estimator_.predict_log_proba(X, **params)

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X, **params):
        """Decision function of the fitted estimator.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            The rows.
        **params : dict
            Only with metadata routing: metadata the estimator requests.

        Returns
        -------
        scores : ndarray
            The estimator's decision function.
        """
        X = self._check_input(X)
        params = self._inner_params("decision_function", params)
        return self.estimator_.decision_function(X, **params)
