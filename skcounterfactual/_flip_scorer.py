"""The flip scorer: :func:`make_counterfactual_flip_scorer` for ``scoring=``."""

import numpy as np

from ._augmenter import protected_of
from ._kind import BOTH_POS_LABEL_AND_TOLERANCE, check_tolerance
from ._partitions import is_dask_collection
from ._predictions import DEFAULT_CHUNK_SIZE
from ._routing import SampleWeightRequestMixin
from ._scoring import flip_and_placebo, flip_rate
from ._shared_pass import SharedPass
from ._twin_cache import TwinCache
from ._validation import as_frame, check_bool, check_positive_int


class _FlipScorer(SampleWeightRequestMixin):
    """The scorer behind :func:`make_counterfactual_flip_scorer`.

    A plain picklable class, not a subclass of scikit-learn's private scorers,
    whose prediction cache would answer the twins with the predictions on X.
    """

    def __init__(
        self,
        protected,
        augmenter,
        pos_label,
        sensitive_features_at_predict,
        chunk_size,
        tolerance=None,
        subtract_placebo=False,
    ):
        self.protected = protected
        self.augmenter = augmenter
        self.pos_label = pos_label
        self.tolerance = tolerance
        self.subtract_placebo = subtract_placebo
        self.sensitive_features_at_predict = sensitive_features_at_predict
        self.chunk_size = chunk_size
        self._request = {}
        self._cache = TwinCache()
        self._pass = None

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_cache", None)  # twins are rebuilt where the scorer goes
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._cache = TwinCache()

    def __call__(self, estimator, X, y=None, sample_weight=None):
        """Return the flip score (or minus flip minus placebo) on ``X``."""
        if self._pass is None and not self.subtract_placebo:  # the flip score alone
            return 1.0 - flip_rate(estimator, X, **self._options(X, sample_weight))
        found = None
        if self._pass is not None:  # next to other scorers of fairness_scoring
            found = self._pass.values(estimator, X, (sample_weight,))
        if found is None:
            found = self._compute(estimator, X, sample_weight)
        if self.subtract_placebo:
            return 0.0 - _value(found["minus_placebo"])
        return 1.0 - _value(found["flip"])

    def _options(self, X, sample_weight):
        """Return the options of the scores, with a twin maker cached per fold."""
        protected, augmenter = self.protected, self.augmenter
        if not is_dask_collection(X):
            # a search scores every candidate on the same folds: their twins
            # are built once per fold
            frame = as_frame(X)[0]
            cached = self._cache.maker_for(frame, protected, augmenter)
            if cached is not None:
                protected, augmenter = None, cached
        return {
            "protected": protected,
            "augmenter": augmenter,
            "pos_label": self.pos_label,
            "tolerance": self.tolerance,
            "sample_weight": sample_weight,
            "sensitive_features_at_predict": self.sensitive_features_at_predict,
            "chunk_size": self.chunk_size,
        }

    def _compute(self, estimator, X, sample_weight):
        """One pass giving the flip and flip minus placebo rates.

        A shared pass is remembered for the other scorers of the dict.
        """
        what = "The flip minus placebo score"
        if not self.subtract_placebo:
            what = "The flip rate"
        options = self._options(X, sample_weight)
        found = flip_and_placebo(estimator, X, **options, what=what)
        if self._pass is not None:
            if self.sensitive_features_at_predict:
                found["decisions"] = None  # not the decisions of predict(X)
            self._pass.remember(estimator, X, (sample_weight,), found)
        return found

    def _shared_pass(self):
        """Return the memory of this scorer's passes, for the rest of a dict."""
        if self._pass is None:
            self._pass = SharedPass()
        return self._pass

    def _share_twins(self, other):
        """Build the twins of each fold once for this scorer and ``other``.

        The two also share each pass over a fold: the flip scorer's pass
        predicts the placebo twins too, and gives both scores.
        """
        self._cache = other._cache = TwinCache()
        self._pass = other._pass = SharedPass()
        return self

    def __repr__(self):
        shown = [
            f"{name}={getattr(self, name)!r}"
            for name in ("protected", "augmenter", "pos_label", "tolerance")
            if getattr(self, name) is not None
        ]
        if self.subtract_placebo:
            shown.append("subtract_placebo=True")
        if self.sensitive_features_at_predict:
            shown.append("sensitive_features_at_predict=True")
        if self.chunk_size != DEFAULT_CHUNK_SIZE:
            shown.append(f"chunk_size={self.chunk_size!r}")
        return f"make_counterfactual_flip_scorer({', '.join(shown)})"


def _value(value):
    """Return a score from a pass, or raise the error that left it undefined."""
    if isinstance(value, Exception):
        raise value
    return value


def make_counterfactual_flip_scorer(
    *,
    protected=None,
    augmenter=None,
    pos_label=None,
    tolerance=None,
    subtract_placebo=False,
    sensitive_features_at_predict=False,
    chunk_size=DEFAULT_CHUNK_SIZE,
):
    """Make a scorer for ``GridSearchCV``/``cross_validate``: the flip score.

    Parameters
    ----------
    protected : str, int or list, default=None
        The protected column(s), a shortcut for a default augmenter.
    augmenter : twin maker, default=None
        How twins are built. Fitted: used as is on every fold (fit it on the
        whole data so that every fold's groups are in its domain). Not
        fitted: fitted on each scored fold.
    pos_label : label, default=None
        The favourable class (see :func:`counterfactual_flip_rate`).
    tolerance : float or None, default=None
        For a regressor, the largest change of the prediction that is not a
        flip (see :func:`counterfactual_flip_rate`); required for regressors.
    subtract_placebo : bool, default=False
        Score the flip rate minus the placebo rate instead (the flips that
        the protected value causes beyond those that regenerated names cause
        alone), negated so that greater is better: the scorer returns
        ``placebo rate - flip rate`` over the rows with both kinds of twins.
        Needs an augmenter that builds placebo twins (a generated link such
        as ``first_name``).
    sensitive_features_at_predict : bool, default=False
        Pass the protected value(s) to ``predict`` as ``sensitive_features``.
    chunk_size : int, default=200000
        Rows twinned and predicted at a time.

    Returns
    -------
    scorer : callable
        A picklable ``scorer(estimator, X, y=None, sample_weight=None)``
        returning ``1 - flip rate`` (greater is better; with
        ``subtract_placebo``, ``-(flip rate - placebo rate)``), with
        ``set_score_request`` for metadata routing.

    See Also
    --------
    fairness_scoring : A ready ``scoring=`` dict with accuracy and parity.
    counterfactual_flip_rate : The rate itself.

    Notes
    -----
    ``GridSearchCV`` turns an exception inside a scorer into a NaN score with a
    warning unless ``error_score="raise"``. The arguments are checked here,
    the twin options when the augmenter is first fitted; use
    ``error_score="raise"`` while setting up a search.

    Examples
    --------
    >>> from skcounterfactual import make_counterfactual_flip_scorer
    >>> make_counterfactual_flip_scorer(protected="gender")
    make_counterfactual_flip_scorer(protected='gender')
    >>> make_counterfactual_flip_scorer(protected="gender", tolerance=100)
    make_counterfactual_flip_scorer(protected='gender', tolerance=100.0)
    """
    protected_of(protected, augmenter)
    check_bool(sensitive_features_at_predict, "sensitive_features_at_predict")
    check_bool(subtract_placebo, "subtract_placebo")
    tolerance = check_tolerance(tolerance)
    chunk_size = check_positive_int(chunk_size, "chunk_size")
    if pos_label is not None and isinstance(pos_label, float) and np.isnan(pos_label):
        raise ValueError(f"pos_label must be a class label, got {pos_label!r}.")
    if pos_label is not None and tolerance is not None:
        raise ValueError(
            BOTH_POS_LABEL_AND_TOLERANCE.format(
                pos_label=pos_label, tolerance=tolerance, name="the models you score"
            )
        )
    return _FlipScorer(
        protected,
        augmenter,
        pos_label,
        sensitive_features_at_predict,
        chunk_size,
        tolerance=tolerance,
        subtract_placebo=bool(subtract_placebo),
    )
