"""CounterfactualAugmentedClassifier: fit a classifier on data augmented with twins."""

import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.utils import get_tags
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted, column_or_1d

from ._protocol import check_twin_maker


def _weight_param(estimator, weights):
    """``sample_weight`` for ``estimator.fit``; a Pipeline's goes to its last step."""
    steps = getattr(estimator, "steps", None)
    if isinstance(steps, list) and steps and not _routing_enabled():
        return {f"{steps[-1][0]}__sample_weight": weights}
    return {"sample_weight": weights}


def _routing_enabled():
    from sklearn import get_config

    return bool(get_config().get("enable_metadata_routing", False))


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

    def fit(self, X, y, sample_weight=None):
        """Augment ``X`` with twins and fit a clone of ``estimator`` on it.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights, copied to each row's twins and passed to the estimator
            (to a Pipeline's last step, unless metadata routing is enabled).

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
        y = y if isinstance(y, pd.Series) else column_or_1d(y, warn=True)
        self.augmenter_ = clone(self.augmenter)
        resampled = self.augmenter_.fit_resample(X, y, sample_weight=sample_weight)
        self.estimator_ = clone(self.estimator)
        if sample_weight is None:
            X_aug, y_aug = resampled
            self.estimator_.fit(X_aug, y_aug)
        else:
            X_aug, y_aug, w_aug = resampled
            self.estimator_.fit(X_aug, y_aug, **_weight_param(self.estimator_, w_aug))
        self.classes_ = self.estimator_.classes_
        self.n_features_in_ = self.augmenter_.n_features_in_
        if hasattr(self.augmenter_, "feature_names_in_"):
            self.feature_names_in_ = self.augmenter_.feature_names_in_
        return self

    def _check_input(self, X):
        check_is_fitted(self)
        return X

    def predict(self, X):
        """Predict with the fitted estimator."""
        X = self._check_input(X)
        return self.estimator_.predict(X)

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities of the fitted estimator."""
        X = self._check_input(X)
        return self.estimator_.predict_proba(X)

    @available_if(_estimator_has("predict_log_proba"))
    def predict_log_proba(self, X):
        """Log class probabilities of the fitted estimator."""
        X = self._check_input(X)
        return self.estimator_.predict_log_proba(X)

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X):
        """Decision function of the fitted estimator."""
        X = self._check_input(X)
        return self.estimator_.decision_function(X)
