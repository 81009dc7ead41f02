"""A model-selection leaderboard: accuracy and fairness side by side."""

from collections.abc import Mapping

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

DEFAULT_PARITY = "neg_demographic_parity_difference"
# scores shown when the search has them (fairness_scoring's keys): the column
# prefix, and whether the score is a negated size to show back as the size
OPTIONAL_SCORES = {
    "neg_counterfactual_flip_minus_placebo": "flip_minus_placebo",
    "neg_counterfactual_effect": "effect",
}
COMPACT_WIDTH = 60
NO_CV_RESULTS = (
    "search must be a fitted GridSearchCV / RandomizedSearchCV (or its "
    "cv_results_ dict); got {kind} without cv_results_. Fit it first."
)
MISSING_KEY = (
    "{param}={key!r} is not a scoring key of the search: cv_results_ has no "
    "'mean_test_{key}'. Scoring keys available: {available!r}. Score the search "
    "with fairness_scoring(...) or pass {param}=<one of those keys>."
)


def leaderboard(
    search,
    *,
    accuracy_key="accuracy",
    flip_key="counterfactual_flip",
    parity_key=DEFAULT_PARITY,
):
    """Rank the candidates of a search on accuracy and fairness side by side.

    The search ranks greater-is-better scores; the board shows what they
    measure, as the audit does: the flip rate (``1 - flip score``) and
    differences (negated back), lower is fairer.

    Parameters
    ----------
    search : fitted search or dict
        A fitted ``GridSearchCV`` / ``RandomizedSearchCV`` (anything with
        ``cv_results_``), or a ``cv_results_`` dict, scored with several
        metrics, e.g. ``scoring=fairness_scoring(protected="sex")``.
    accuracy_key : str, default="accuracy"
        The scoring key of the performance metric (``"score"`` for a
        single-metric search).
    flip_key : str, default="counterfactual_flip"
        The scoring key of the counterfactual flip score (1 - flip rate),
        shown back as the flip rate.
    parity_key : str or None, default="neg_demographic_parity_difference"
        The scoring key of a group-parity score, or None to leave it out. A
        ``neg_`` key is shown negated back, as ``parity_difference`` (lower is
        fairer); any other key is shown as scored.

    Returns
    -------
    board : DataFrame
        One row per candidate, indexed by its position in ``cv_results_``
        (``candidate``) and sorted by accuracy rank: its parameters (estimators
        shown by class name, or by as much of their one-line repr as tells
        the candidates apart), ``accuracy_mean``, ``accuracy_std``,
        ``flip_rate_mean``, ``flip_rate_std``, the parity mean and std,
        ``flip_minus_placebo_mean`` and ``effect_mean`` (with their std) when
        the search scored ``"neg_counterfactual_flip_minus_placebo"`` or
        ``"neg_counterfactual_effect"``, ``rank`` (by mean accuracy, 1 is
        best, ties share the lower rank), ``pareto``: True for candidates no
        other candidate beats on accuracy, flip rate, parity and effect at
        once, and ``refit``: True for the candidate the search refit
        (``best_index_``; False everywhere for a ``cv_results_`` dict).
        ``board.attrs["pareto_metrics"]`` lists the columns the front used.

    See Also
    --------
    plot_pareto : Draw accuracy against flip score with the front marked.
    most_accurate_within : A ``refit`` that picks within fairness bounds.

    Notes
    -----
    A score that is NaN for every candidate (every fold of a scorer failed,
    with ``error_score=np.nan``) says nothing about any candidate, so the
    front leaves it out and ``board.attrs["pareto_metrics"]`` does not list
    it; its mean column stays NaN. A candidate with NaN in a score the front
    uses is not on the front and dominates nobody.

    Examples
    --------
    >>> from skcounterfactual import leaderboard
    >>> cv_results = {
    ...     "params": [{"C": 0.1}, {"C": 1.0}, {"C": 10.0}],
    ...     "param_C": [0.1, 1.0, 10.0],
    ...     "mean_test_accuracy": [0.70, 0.75, 0.74],
    ...     "std_test_accuracy": [0.02, 0.01, 0.03],
    ...     "mean_test_counterfactual_flip": [0.95, 0.90, 0.85],
    ...     "std_test_counterfactual_flip": [0.01, 0.02, 0.02],
    ... }
    >>> board = leaderboard(cv_results, parity_key=None)
    >>> board[["C", "accuracy_mean", "flip_rate_mean", "rank", "pareto"]]
    ... # doctest: +NORMALIZE_WHITESPACE
                  C  accuracy_mean  flip_rate_mean  rank  pareto
    candidate
    1           1.0           0.75            0.10     1    True
    2          10.0           0.74            0.15     2   False
    0           0.1           0.70            0.05     3    True
    """
    results = _cv_results(search)
    available = sorted(
        k[len("mean_test_") :] for k in results if k.startswith("mean_test_")
    )
    metrics = [
        ("accuracy_key", accuracy_key, "accuracy"),
        ("flip_key", flip_key, "flip_rate"),
    ]
    if parity_key is not None:
        shown = "parity_difference" if parity_key.startswith("neg_") else parity_key
        metrics.append(("parity_key", parity_key, shown))
    metrics += [
        ("optional", key, shown)
        for key, shown in OPTIONAL_SCORES.items()
        if f"mean_test_{key}" in results
    ]
    board = _parameters(results)
    scores, used = [], []
    for param, key, shown in metrics:
        if f"mean_test_{key}" not in results:
            raise ValueError(
                MISSING_KEY.format(param=param, key=key, available=available)
            )
        mean = np.asarray(results[f"mean_test_{key}"], dtype=float)
        std = np.asarray(results.get(f"std_test_{key}", np.full(len(mean), np.nan)))
        if not np.isnan(mean).all() and shown != "flip_minus_placebo":
            scores.append(mean)
            used.append(f"{shown}_mean")
        negate = param in ("parity_key", "optional") and key.startswith("neg_")
        shown_mean = -mean if negate else mean
        if param == "flip_key":
            shown_mean = 1.0 - mean  # the flip rate, as the audit shows it
        board[f"{shown}_mean"] = shown_mean + 0.0
        board[f"{shown}_std"] = std.astype(float)
    accuracy_mean = -board["accuracy_mean"].to_numpy()
    board["rank"] = (
        pd.Series(accuracy_mean).rank(method="min", na_option="bottom").astype(int)
    )
    if scores:
        board["pareto"] = pareto_front(np.column_stack(scores))
    else:  # no score was measured: nobody is known to be on the front
        board["pareto"] = False
    board["refit"] = False
    chosen = _refit_index(search)
    if chosen is not None:
        board.loc[chosen, "refit"] = True
    board.index.name = "candidate"
    board = board.sort_values(["rank"], kind="stable")
    board.attrs["pareto_metrics"] = used
    return board


def _refit_index(search):
    """Return the candidate a fitted search refit, or None."""
    if isinstance(search, Mapping) or not getattr(search, "refit", False):
        return None
    index = getattr(search, "best_index_", None)
    return None if index is None else int(index)


def board_of(search):
    """Return the leaderboard of ``search``, with parity when it was scored."""
    results = _cv_results(search)
    has_parity = f"mean_test_{DEFAULT_PARITY}" in results
    return leaderboard(search, parity_key=DEFAULT_PARITY if has_parity else None)


def _cv_results(search):
    if isinstance(search, Mapping):
        results = search
    elif hasattr(search, "cv_results_"):
        results = search.cv_results_
    else:
        raise ValueError(NO_CV_RESULTS.format(kind=type(search).__name__))
    if "params" not in results:
        raise ValueError(
            "cv_results_ has no 'params' entry; pass the cv_results_ of a "
            f"scikit-learn search. Keys: {sorted(results)!r}."
        )
    return results


def _parameters(results):
    """One readable column per searched parameter (``param_`` prefix dropped).

    Each column uses the shortest spelling that keeps distinct values
    distinct: class names, then one-line reprs cut to ``COMPACT_WIDTH``
    characters, then whole one-line reprs.
    """
    params = list(results["params"])
    names = list(dict.fromkeys(name for p in params for name in p))
    board = pd.DataFrame(index=pd.RangeIndex(len(params)))
    for name in names:
        raw = [p.get(name) for p in params]
        full = [_one_line(value) for value in raw]
        for spell in (_readable, _compact, _one_line):
            shown = [spell(value) for value in raw]
            if _distinct(full, shown):
                break
        board[name] = pd.Series(shown, dtype=object)
    return board


def _distinct(full, shown):
    """Whether values with different reprs ``full`` are ``shown`` differently."""
    meaning = {}
    for key, text in zip(full, shown, strict=True):
        meaning.setdefault(repr(text), set()).add(key)
    return all(len(keys) == 1 for keys in meaning.values())


def _readable(value):
    if isinstance(value, BaseEstimator):
        return type(value).__name__
    if callable(value):
        return getattr(value, "__name__", type(value).__name__)
    return value


def _one_line(value):
    return " ".join(repr(value).split())


def _compact(value, width=COMPACT_WIDTH):
    text = _one_line(value)
    return text if len(text) <= width else text[: width - 3] + "..."


def pareto_front(points):
    """Mark the rows of ``points`` that no other row dominates.

    Parameters
    ----------
    points : ndarray of shape (n_candidates, n_metrics)
        Scores, greater is better. A row with a NaN is never on the front and
        dominates nothing.

    Returns
    -------
    front : ndarray of bool
        True where no other row is at least as good on every metric and
        better on one.

    Examples
    --------
    >>> import numpy as np
    >>> pareto_front(np.array([[0.8, 0.6], [0.7, 0.9], [0.6, 0.8], [0.8, 0.6]]))
    array([ True,  True, False,  True])
    """
    points = np.asarray(points, dtype=float)
    valid = ~np.isnan(points).any(axis=1)
    at_least = (points[:, None, :] >= points[None, :, :]).all(axis=2)
    better = (points[:, None, :] > points[None, :, :]).any(axis=2)
    dominates = at_least & better & valid[:, None] & valid[None, :]
    return valid & ~dominates.any(axis=0)
