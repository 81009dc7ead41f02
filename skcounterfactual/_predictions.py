"""The response engine: an estimator, rows and their twins to decisions and scores.

One place turns a fitted estimator, the rows of ``X`` and the twins a twin
maker builds for them into aligned decisions and scores, chunk by chunk. The
scores (flip rate, flip score, effect, the scorer objects) and the audit all
read :class:`CounterfactualPredictions`; none of them predicts on its own.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from ._frames import concat_frames
from ._kind import CLASSIFIER, REGRESSOR, output_kind
from ._plan import rows_per_chunk
from ._validation import (
    NOT_FITTED_ESTIMATOR,
    as_frame,
    check_positive_int,
    check_response_method,
)

DEFAULT_CHUNK_SIZE = 200_000
STACKED_ROWS = 100_000  # rows and twins up to this go to the model in one call
_NOT_LABELS = (list, tuple, dict, set, np.ndarray)
NEEDS_POS_LABEL = (
    "{what} needs the favourable class, and the estimator's classes {classes!r} "
    "do not say which one it is. Pass pos_label=<the favourable class>."
)
BAD_POS_LABEL = "pos_label={pos_label!r} is not a class of the estimator: {classes!r}."
NO_CLASSES_POS_LABEL = (
    "{what} needs the favourable class, and the estimator has no classes_ while "
    "its decisions are {decisions!r}. Pass pos_label=<the favourable decision>."
)
NO_CLASSES = (
    "{what} needs the favourable class, and the estimator has no classes_ to "
    "name it. Pass pos_label=<the favourable class>."
)
NO_TWINS = (
    "No row of X has a twin (every protected value is missing or outside the "
    "domain), so the {what} is undefined."
)


@dataclass
class CounterfactualPredictions:
    """Decisions on rows and on their twins, aligned by provenance.

    Attributes
    ----------
    provenance : DataFrame
        One row per twin (see :class:`TwinSet`), ``source_position`` indexing
        the audited rows.
    original : ndarray of shape (n_samples,)
        The decision for each audited row.
    twin : ndarray of shape (n_twins,)
        The decision for each twin.
    original_score, twin_score : ndarray or None
        The positive-class probability or decision score, when asked for.
    n_samples : int
        Number of audited rows.
    unseen_values : dict
        Values twins carried that the fit data never held, per column.
    kind : {"classifier", "regressor"}
        What the decisions are: labels, or a regressor's predictions (then
        the scores are the predictions too).
    tolerance : float or None
        For a regressor, the largest change of the prediction that is not a
        flip (None: any change is).
    """

    provenance: pd.DataFrame
    original: np.ndarray
    twin: np.ndarray
    original_score: np.ndarray | None
    twin_score: np.ndarray | None
    n_samples: int
    unseen_values: dict
    kind: str = CLASSIFIER
    tolerance: float | None = None

    def mask(self, kind="twin", attribute=None):
        """Boolean mask over the twins: those of ``kind`` (and ``attribute``)."""
        kinds = self.provenance["kind"].array
        if isinstance(kinds, pd.Categorical):  # compare the codes
            categories = list(kinds.categories)
            code = categories.index(kind) if kind in categories else -2
            mask = kinds.codes == code
        else:
            mask = np.asarray(kinds == kind, dtype=bool)
        if attribute is not None:
            mask = mask & self._of_attribute(attribute)
        return mask

    def _of_attribute(self, attribute):
        """Whether each twin is of ``attribute``: compared once per attribute."""
        memo = self.__dict__.setdefault("_attribute_masks", {})
        if attribute not in memo:
            names = self.provenance["attribute"].to_numpy(dtype=object)
            memo[attribute] = names == attribute
        return memo[attribute]

    def changed(self, mask, pos_label=None):
        """For the twins in ``mask``: whether the decision differs from the row's.

        With ``pos_label``, only a move into or out of the favourable class
        counts (for multiclass models); else any change of label. For a
        regressor, a change of the prediction larger than ``tolerance``.
        """
        pos = self.provenance["source_position"].to_numpy()[mask]
        row, twin = self.original[pos], self.twin[mask]
        if self.kind == REGRESSOR:
            return np.abs(twin - row) > (self.tolerance or 0.0)
        if pos_label is not None:
            return (row == pos_label) != (twin == pos_label)
        return row != twin

    def flips(self, mask, pos_label=None):
        """Per audited row: whether a twin in ``mask`` flips it, and has one."""
        pos = self.provenance["source_position"].to_numpy()[mask]
        changed = self.changed(mask, pos_label)
        flipped = np.bincount(pos[changed], minlength=self.n_samples) > 0
        audited = np.bincount(pos, minlength=self.n_samples) > 0
        return flipped, audited

    def score_changes(self, mask):
        """Per audited row: mean absolute score change over its twins in ``mask``."""
        pos = self.provenance["source_position"].to_numpy()[mask]
        change = np.abs(self.twin_score[mask] - self.original_score[pos])
        total = np.bincount(pos, weights=change, minlength=self.n_samples)
        count = np.bincount(pos, minlength=self.n_samples)
        audited = count > 0
        out = np.zeros(self.n_samples)
        out[audited] = total[audited] / count[audited]
        return out, audited


def check_estimator(estimator, score_method=None):
    """Refuse an estimator without ``predict`` (or ``score_method``), or unfitted."""
    if not hasattr(estimator, "predict"):
        raise TypeError(
            f"estimator must have a predict method, got {type(estimator).__name__}: "
            f"{estimator!r}."
        )
    if score_method is not None and not hasattr(estimator, score_method):
        raise ValueError(
            f"response_method={score_method!r}, but {type(estimator).__name__} "
            f"has no {score_method}."
        )
    try:
        check_is_fitted(estimator)
    except NotFittedError:
        raise NotFittedError(NOT_FITTED_ESTIMATOR.format(estimator=estimator)) from None
    except (TypeError, AttributeError):
        pass  # a duck-typed model that is not a scikit-learn estimator


def score_method(estimator, response_method):
    """Return the method that gives scores.

    ``"auto"`` picks ``predict_proba``, else ``decision_function``.
    """
    response_method = check_response_method(response_method)
    if response_method != "auto":
        return response_method
    for method in ("predict_proba", "decision_function"):
        if hasattr(estimator, method):
            return method
    raise ValueError(
        f"{type(estimator).__name__} has neither predict_proba nor "
        "decision_function, so it gives no scores to compare."
    )


def positive_class(estimator, pos_label):
    """Return the favourable class: ``pos_label``, or 1 (True) for 0/1 classes.

    Returns None when the estimator's classes do not say which class is
    favourable (string labels, multiclass); callers that need one raise.
    """
    classes = getattr(estimator, "classes_", None)
    listed = None if classes is None else [_plain(c) for c in np.asarray(classes)]
    if pos_label is not None:
        pos_label = _plain(pos_label)
        if listed is not None and pos_label not in listed:
            raise ValueError(BAD_POS_LABEL.format(pos_label=pos_label, classes=listed))
        return pos_label
    if listed is None:
        return None
    return zero_one_positive(listed)


def zero_one_positive(listed):
    """1 (True) for 0/1, -1/1 or bool labels; None for any other labels."""
    if len(listed) <= 2 and set(listed) <= {0, 1}:
        return True if all(isinstance(c, bool) for c in listed) else 1
    if len(listed) == 2 and set(listed) == {-1, 1}:
        return 1
    return None


def observed_positive_class(decisions, what):
    """Return the favourable class of a model without ``classes_``.

    Its decisions stand for its classes: 1 (True) when they are 0/1, -1/1 or
    booleans; any other decisions raise, asking for ``pos_label``.
    """
    observed = list(dict.fromkeys(_plain(v) for v in np.asarray(decisions)))
    positive = zero_one_positive(observed)
    if positive is None:
        try:
            observed = sorted(observed)
        except TypeError:
            observed = sorted(observed, key=repr)
        raise ValueError(
            NO_CLASSES_POS_LABEL.format(what=what, decisions=observed[:10])
        )
    return positive


def require_positive_class(estimator, pos_label, what):
    """:func:`positive_class`, raising when it cannot be known."""
    positive = positive_class(estimator, pos_label)
    if positive is None:
        classes = getattr(estimator, "classes_", None)
        if classes is None:
            raise ValueError(NO_CLASSES.format(what=what))
        classes = [_plain(c) for c in classes]
        raise ValueError(NEEDS_POS_LABEL.format(what=what, classes=classes))
    return positive


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def respond(estimator, X, method, pos_label, sensitive=None):
    """Return ``(decisions, scores)`` of ``estimator`` on ``X``.

    ``method`` is None (decisions only), ``"predict"`` (a regressor: its
    predictions are its scores), ``"predict_proba"`` or
    ``"decision_function"``; ``sensitive`` is passed to ``predict`` as
    ``sensitive_features`` when given.
    """
    kwargs = {} if sensitive is None else {"sensitive_features": sensitive}
    n_rows = len(X)
    name = type(estimator).__name__
    decision = _check_output(estimator.predict(X, **kwargs), n_rows, "predict")
    if decision.dtype == object:
        odd = next((v for v in decision.tolist() if isinstance(v, _NOT_LABELS)), None)
        if odd is not None:
            raise ValueError(
                f"predict of {name} returned decisions that are not labels, such "
                f"as {_plain(odd)!r}; each decision must be one class label."
            )
    missing = _count_missing(decision)
    if missing:
        raise ValueError(
            f"predict of {name} returned {missing} missing prediction(s) (NaN "
            "or None) for the rows or their twins; every row needs one to "
            "compare."
        )
    if method is None:
        return decision, None
    if method == "predict":
        return decision, _finite(estimator, method, decision)
    scores = _array(getattr(estimator, method)(X, **kwargs))
    classes = getattr(estimator, "classes_", None)
    if method == "predict_proba":
        if scores.ndim != 2 or len(scores) != n_rows:
            raise ValueError(
                f"predict_proba of {name} returned shape {scores.shape!r}; "
                f"expected ({n_rows}, n_classes)."
            )
        listed = (
            list(range(scores.shape[1]))
            if classes is None
            else [_plain(c) for c in classes]
        )
        if len(listed) != scores.shape[1]:
            raise ValueError(
                f"predict_proba of {name} returned {scores.shape[1]} columns for "
                f"{len(listed)} classes {listed!r}."
            )
        if pos_label not in listed:
            positions = "" if classes is not None else " (no classes_: positions)"
            raise ValueError(
                f"predict_proba of {name} has a column per class {listed!r}"
                f"{positions}, and pos_label={_plain(pos_label)!r} is none of "
                "them. Pass pos_label=<the favourable class>."
            )
        scores = _as_float(scores[:, listed.index(pos_label)], method, name)
        outside = int(np.count_nonzero((scores < 0) | (scores > 1)))
        if outside:
            raise ValueError(
                f"predict_proba of {name} returned {outside} probabilities "
                "outside [0, 1]; they must be probabilities."
            )
    else:
        scores = _check_output(scores, n_rows, method)
        if classes is not None and len(classes) == 2 and pos_label == classes[0]:
            scores = -scores  # decision_function scores classes_[1]
    return decision, _finite(estimator, method, scores)


def _finite(estimator, method, scores):
    scores = _as_float(scores, method, type(estimator).__name__)
    if not np.isfinite(scores).all():
        raise ValueError(
            f"{method} of {type(estimator).__name__} returned "
            f"{int((~np.isfinite(scores)).sum())} missing or infinite scores; "
            "scores must be finite numbers."
        )
    return scores


def _array(values):
    """``np.asarray(values)``; ragged lists become a 1-D object array."""
    try:
        return np.asarray(values)
    except (TypeError, ValueError):
        try:
            items = list(values)
        except TypeError:
            return np.asarray(None)  # reported as shape ()
        out = np.empty(len(items), dtype=object)
        for i, item in enumerate(items):
            out[i] = item
        return out


def _as_float(scores, method, name):
    try:
        return np.asarray(scores, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(
            f"{method} of {name} returned scores that are not numbers, such as "
            f"{_plain(np.asarray(scores).ravel()[0])!r}."
        ) from None


def _count_missing(decisions):
    if decisions.dtype.kind in "biuUS":
        return 0
    return int(np.count_nonzero(pd.isna(decisions)))


def _check_output(values, n_rows, method):
    if values is None:
        raise ValueError(
            f"{method} returned None for {n_rows} rows; expected an array of shape "
            f"({n_rows},)."
        )
    array = _array(values)
    if array.ndim != 1 or len(array) != n_rows:
        raise ValueError(
            f"{method} returned an array of shape {array.shape!r} for {n_rows} "
            f"rows; expected shape ({n_rows},)."
        )
    return array


def _stack(first, second):
    """Rows of ``first`` then ``second``: frames (categories united) or arrays."""
    if isinstance(first, pd.DataFrame | pd.Series):
        return (
            concat_frames([first, second])
            if isinstance(first, pd.DataFrame)
            else pd.concat([first, second])
        )
    return np.concatenate([first, second])


def _stacked(twin_set, rows, twin_frame, dtype):
    """Stack the rows and their twins; remember it when a twin cache allows.

    A twin cache gives its twin sets a ``stacked`` dict: it hands a twin set
    out again only for rows equal to its source, so their stack is the same.
    """
    memo = getattr(twin_set, "stacked", None)
    if memo is None:
        return _stack(rows, twin_frame)
    key = str(dtype)
    if key not in memo:
        memo[key] = _stack(rows, twin_frame)
    return memo[key]


def _sensitive(frame, protected, enabled):
    if not enabled:
        return None
    return frame[protected[0] if len(protected) == 1 else protected]


def iter_predictions(
    estimator,
    frame,
    twin_maker,
    *,
    dtype=None,
    method=None,
    pos_label=None,
    placebo=False,
    sensitive_features_at_predict=False,
    chunk_size=DEFAULT_CHUNK_SIZE,
    kind=None,
    tolerance=None,
):
    """Yield the predictions of one chunk of rows at a time.

    ``frame`` is a DataFrame; with ``dtype`` (the dtype of an array ``X``),
    the estimator receives arrays of that dtype, as it would from ``X``.
    ``kind`` is the model's kind when known (``_kind.declared_kind``), else
    each chunk's predictions tell it (``_kind.output_kind``); a regressor's
    predictions are also its scores, and ``tolerance`` sizes its flips.
    Each chunk keeps its rows' labels, so its twins do not depend on the
    chunk size. A chunk holds ``chunk_size`` rows, or fewer when their twins
    would outnumber ``_plan.MAX_TWINS``. Every yielded
    :class:`CounterfactualPredictions` has ``source_position`` relative to its
    chunk, plus ``start`` (the chunk's first row), ``rows`` (the chunk, a
    frame) and ``twins`` (its twins, a frame).
    """
    protected = list(twin_maker.protected_)
    step = rows_per_chunk(twin_maker, chunk_size)  # never more than MAX_TWINS
    for start in range(0, len(frame), step):
        whole = start == 0 and step >= len(frame)
        chunk = frame if whole else frame.iloc[start : start + step]
        twin_set = twin_maker.make_twins(chunk, placebo=placebo)
        # a chunk is a frame, so its twins are too; the model gets X's kind
        twin_frame = twin_set.X
        rows = chunk if dtype is None else chunk.to_numpy(dtype=dtype)
        if dtype is not None:
            twin_frame = twin_frame.to_numpy(dtype=dtype)
        n = len(chunk)
        if len(twin_set) and n + len(twin_set) <= STACKED_ROWS:
            # one call for the rows and their twins: the model's per-call cost
            # is paid once (predictions are row by row, so they are the same)
            sensitive = None
            if sensitive_features_at_predict:
                sensitive = _stack(
                    _sensitive(chunk, protected, True),
                    _sensitive(twin_set.X, protected, True),
                )
            both = _stacked(twin_set, rows, twin_frame, dtype)
            decisions, scores = respond(estimator, both, method, pos_label, sensitive)
        else:  # large chunks: no stacked copy of the rows and their twins
            parts = [(rows, chunk), (twin_frame, twin_set.X)][: 1 + bool(len(twin_set))]
            answers = [
                respond(
                    estimator,
                    part,
                    method,
                    pos_label,
                    _sensitive(source, protected, sensitive_features_at_predict),
                )
                for part, source in parts
            ]
            decisions = np.concatenate([a[0] for a in answers])
            scores = None
            if answers[0][1] is not None:
                scores = np.concatenate([a[1] for a in answers])
        decision, t_decision = decisions[:n], decisions[n:]
        score = t_score = None
        if scores is not None:
            score, t_score = scores[:n], scores[n:]
        chunk_kind = kind or output_kind(decision)
        if chunk_kind == REGRESSOR and method != "predict":
            score = _finite(estimator, "predict", decision)
            t_score = _finite(estimator, "predict", t_decision)
        predictions = CounterfactualPredictions(
            provenance=twin_set.provenance,
            original=decision,
            twin=t_decision,
            original_score=score,
            twin_score=t_score,
            n_samples=len(chunk),
            unseen_values=twin_set.unseen_values,
            kind=chunk_kind,
            tolerance=tolerance,
        )
        predictions.start = start
        predictions.rows = chunk
        predictions.twins = twin_set.X
        yield predictions


def counterfactual_predictions(
    estimator,
    X,
    twin_maker,
    *,
    method=None,
    pos_label=None,
    placebo=False,
    sensitive_features_at_predict=False,
    chunk_size=DEFAULT_CHUNK_SIZE,
    progress=None,
    kind=None,
    tolerance=None,
):
    """Predict on the rows of ``X`` and on their twins, all chunks together.

    Parameters
    ----------
    estimator : fitted estimator
        Called on the rows and on their twins.
    X : DataFrame or array-like of shape (n_samples, n_features)
        The rows.
    twin_maker : fitted twin maker
        Builds the twins (see ``_protocol``).
    method : {None, "predict_proba", "decision_function"}, default=None
        Where scores come from; None for decisions only.
    pos_label : label, default=None
        The class whose probability is the score.
    placebo : bool, "auto" or None, default=False
        Passed to ``make_twins`` (None: the twin maker's own setting).
    sensitive_features_at_predict : bool, default=False
        Pass the protected column(s) to ``predict`` as ``sensitive_features``.
    chunk_size : int, default=200000
        Rows twinned and predicted at a time; the result does not depend on
        it.
    progress : callable or None, default=None
        Called as ``progress(done, total)`` after each chunk.
    kind, tolerance : str or None, float or None
        See :func:`iter_predictions`.

    Returns
    -------
    predictions : CounterfactualPredictions
    """
    frame, was_frame = as_frame(X)
    chunk_size = check_positive_int(chunk_size, "chunk_size")
    chunks = []
    for chunk in iter_predictions(
        estimator,
        frame,
        twin_maker,
        dtype=None if was_frame else np.asarray(X).dtype,
        method=method,
        pos_label=pos_label,
        placebo=placebo,
        sensitive_features_at_predict=sensitive_features_at_predict,
        chunk_size=chunk_size,
        kind=kind,
        tolerance=tolerance,
    ):
        chunks.append(chunk)
        if progress is not None:
            progress(chunk.start + chunk.n_samples, len(frame))
    unseen = {}
    for chunk in chunks:
        for column, values in chunk.unseen_values.items():
            merged = unseen.setdefault(column, [])
            merged.extend(v for v in values if v not in merged)
    provenance = pd.concat(
        [
            c.provenance.assign(
                source_position=c.provenance["source_position"].to_numpy() + c.start
            )
            for c in chunks
        ]
    )
    scored = chunks[0].original_score is not None
    return CounterfactualPredictions(
        provenance=provenance,
        original=np.concatenate([c.original for c in chunks]),
        twin=np.concatenate([c.twin for c in chunks]),
        original_score=np.concatenate([c.original_score for c in chunks])
        if scored
        else None,
        twin_score=np.concatenate([c.twin_score for c in chunks]) if scored else None,
        n_samples=len(frame),
        unseen_values=unseen,
        kind=chunks[0].kind,
        tolerance=tolerance,
    )
