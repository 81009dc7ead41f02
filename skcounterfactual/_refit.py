"""A fairness-bounded ``refit``: the most accurate candidate within bounds.

:func:`most_accurate_within` makes the ``refit=`` callable of a multi-metric
search. When no candidate meets its bounds, it does not lose the search: it
refits the candidate closest to the bounds and warns, naming the best values
reached (or raises, when asked to), so that ``cv_results_`` and the
leaderboard stay available to show what was reachable.
"""

import numbers
import warnings

import numpy as np

from ._validation import shown as plain_value

FALLBACKS = ("closest", "raise")
NO_CANDIDATE_WITHIN = "No candidate meets {bounds}."
FALLBACK_ADVICE = (
    " Refitting candidate {index}, the closest to the bounds ({values}, "
    "{accuracy_key} {accuracy:.4f}). Loosen the bounds or add fairer candidates "
    "(a model without the protected column, or counterfactual augmentation); "
    "pass fallback='raise' to raise instead."
)
RAISE_ADVICE = (
    " Loosen the bounds or add fairer candidates (a model without the "
    "protected column, or counterfactual augmentation)."
)
# (parameter, key parameter, default key, shown as, sign: value = sign * score
#  + offset, offset, scale of the excess: None for the bound itself)
BOUNDS = (
    ("max_flip_rate", "flip_key", "counterfactual_flip", "flip rate", -1.0, 1.0),
    (
        "max_flip_minus_placebo",
        "placebo_key",
        "neg_counterfactual_flip_minus_placebo",
        "flip minus placebo",
        -1.0,
        0.0,
    ),
    (
        "max_parity_difference",
        "parity_key",
        "neg_demographic_parity_difference",
        "parity difference",
        -1.0,
        0.0,
    ),
    ("max_effect", "effect_key", "neg_counterfactual_effect", "effect", -1.0, 0.0),
)


class _MostAccurateWithin:
    """The ``refit=`` callable behind :func:`most_accurate_within`.

    It stands for its ``accuracy_key`` in the search's scoring dict (it is
    equal to that string and hashes like it), so that ``search.score(X, y)``
    returns the refit candidate's accuracy score instead of failing to find
    the callable among the scorers.

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
    >>> refit == "accuracy"
    True
    """

    def __init__(self, bounds, keys, accuracy_key, fallback):
        self.bounds = dict(bounds)
        self.keys = dict(keys)
        self.accuracy_key = accuracy_key
        self.fallback = fallback

    def __getattr__(self, name):
        # max_flip_rate, flip_key, ... read as attributes
        for param, key_param, *_ in BOUNDS:
            if name == param:
                return self.__dict__.get("bounds", {}).get(param)
            if name == key_param and key_param in self.__dict__.get("keys", {}):
                return self.__dict__["keys"][key_param]
        raise AttributeError(name)

    def __eq__(self, other):
        if isinstance(other, str):
            return other == self.accuracy_key
        if isinstance(other, _MostAccurateWithin):
            return repr(self) == repr(other)
        return NotImplemented

    def __hash__(self):
        return hash(self.accuracy_key)

    def __repr__(self):
        shown = [
            f"{param}={self.bounds.get(param)!r}"
            for param, *_ in BOUNDS
            if self.bounds.get(param) is not None
            or param in ("max_flip_rate", "max_parity_difference")
        ]
        if self.fallback != "closest":
            shown.append(f"fallback={self.fallback!r}")
        if self.accuracy_key != "accuracy":
            shown.append(f"accuracy_key={self.accuracy_key!r}")
        for _, key_param, default, *_ in BOUNDS:
            if self.keys[key_param] != default:
                shown.append(f"{key_param}={self.keys[key_param]!r}")
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
        reasons, measured = [], []
        for param, key_param, _, shown, sign, offset in BOUNDS:
            bound = self.bounds.get(param)
            if bound is None:
                continue
            value = sign * self._column(cv_results, self.keys[key_param]) + offset
            ok &= value <= bound + 1e-12
            scale = max(bound, 1e-12) if param == "max_effect" else 1.0
            measured.append((shown, value, bound, scale))
            lowest = np.nanmin(value)
            reasons.append(f"{shown} <= {bound} (lowest reached: {lowest:.4f})")
        if ok.any():
            candidates = np.flatnonzero(ok)
            return int(candidates[np.argmax(accuracy[candidates])])
        message = NO_CANDIDATE_WITHIN.format(bounds=" and ".join(reasons))
        if self.fallback == "raise":
            raise ValueError(message + RAISE_ADVICE)
        index = _closest(accuracy, measured)
        values = ", ".join(
            f"{shown} {value[index]:.4f}" for shown, value, *_ in measured
        )
        warnings.warn(
            message
            + FALLBACK_ADVICE.format(
                index=index,
                values=values,
                accuracy_key=self.accuracy_key,
                accuracy=accuracy[index],
            ),
            UserWarning,
            stacklevel=2,
        )
        return index


def _closest(accuracy, measured):
    """Return the candidate that exceeds the bounds least, then the most accurate.

    Excesses add up in the bounds' units (rates and differences), an effect's
    relative to its bound; a candidate with a NaN score comes last.
    """
    total = np.zeros(len(accuracy))
    for _, value, bound, scale in measured:
        over = np.maximum(value - bound, 0.0) / scale
        total += np.where(np.isnan(value), np.inf, over)
    total = np.where(np.isnan(accuracy), np.inf, total)
    order = np.lexsort((-np.nan_to_num(accuracy, nan=-np.inf), total))
    return int(order[0])


def most_accurate_within(
    *,
    max_flip_rate=None,
    max_flip_minus_placebo=None,
    max_parity_difference=None,
    max_effect=None,
    fallback="closest",
    accuracy_key="accuracy",
    flip_key="counterfactual_flip",
    placebo_key="neg_counterfactual_flip_minus_placebo",
    parity_key="neg_demographic_parity_difference",
    effect_key="neg_counterfactual_effect",
):
    """Make a ``refit=`` callable: best accuracy among sufficiently fair models.

    Parameters
    ----------
    max_flip_rate : float or None, default=None
        Largest mean counterfactual flip rate allowed (from the flip score).
    max_flip_minus_placebo : float or None, default=None
        Largest mean flip rate minus placebo rate allowed: the flips the
        protected value causes beyond those that regenerated names cause
        alone (a names model whose flips are all name novelty has 0). Needs
        the ``placebo_key`` score (:func:`fairness_scoring` adds it when the
        augmenter builds placebo twins).
    max_parity_difference : float or None, default=None
        Largest mean demographic parity difference allowed.
    max_effect : float or None, default=None
        Largest mean counterfactual effect allowed (for regressors: the mean
        absolute change of the prediction, in its units).
    fallback : {"closest", "raise"}, default="closest"
        What to do when no candidate meets the bounds. ``"closest"`` refits
        the candidate that exceeds them least (the smallest sum of its
        excesses over the bounds, rates and differences in their own units,
        an effect relative to its bound; ties go to the more accurate) and
        warns, naming the best values reached, so the search keeps its
        ``cv_results_``. ``"raise"`` raises a ``ValueError`` naming the
        bounds (the search then fails).
    accuracy_key, flip_key, placebo_key, parity_key, effect_key : str
        The keys of ``cv_results_`` (the scoring dict's keys) holding the
        accuracy (or any greater-is-better performance score), the flip
        score, the negated flip minus placebo, the negated parity difference
        and the negated effect.

    Returns
    -------
    refit : callable
        ``refit(cv_results) -> index``. It stands for ``accuracy_key`` in the
        scoring dict, so ``search.score(X, y)`` returns the refit model's
        ``accuracy_key`` score.

    See Also
    --------
    fairness_scoring : The scoring dict whose keys are the defaults here.
    leaderboard : The candidates side by side, the refit choice marked.

    Examples
    --------
    >>> import warnings
    >>> from skcounterfactual import most_accurate_within
    >>> refit = most_accurate_within(max_flip_rate=0.05)
    >>> refit({"mean_test_accuracy": [0.9, 0.8], "mean_test_counterfactual_flip":
    ...        [0.7, 0.99]})
    1
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     refit({"mean_test_accuracy": [0.9, 0.8],
    ...            "mean_test_counterfactual_flip": [0.7, 0.9]})
    1
    >>> print(str(caught[0].message).split(". ")[0])
    No candidate meets flip rate <= 0.05 (lowest reached: 0.1000)
    """
    bounds = {
        "max_flip_rate": max_flip_rate,
        "max_flip_minus_placebo": max_flip_minus_placebo,
        "max_parity_difference": max_parity_difference,
        "max_effect": max_effect,
    }
    for name, bound in bounds.items():
        if bound is None:
            continue
        real = isinstance(bound, numbers.Real) and not isinstance(bound, bool)
        if name == "max_effect":
            if not (real and np.isfinite(bound) and bound >= 0):
                raise ValueError(
                    f"max_effect must be a non-negative number (in the units of "
                    f"the effect) or None, got {plain_value(bound)!r}."
                )
        elif not (real and 0 <= bound <= 1):
            raise ValueError(
                f"{name} must be in [0, 1] or None, got {plain_value(bound)!r}."
            )
    if fallback not in FALLBACKS:
        raise ValueError(
            f"fallback must be one of {FALLBACKS!r}, got {fallback!r}: "
            "'closest' refits the candidate closest to the bounds with a warning, "
            "'raise' raises."
        )
    keys = {
        "accuracy_key": accuracy_key,
        "flip_key": flip_key,
        "placebo_key": placebo_key,
        "parity_key": parity_key,
        "effect_key": effect_key,
    }
    for name, key in keys.items():
        if not isinstance(key, str):
            raise TypeError(
                f"{name} must be a scoring key (a string), got "
                f"{type(key).__name__}: {key!r}."
            )
    accuracy_key = keys.pop("accuracy_key")
    return _MostAccurateWithin(
        {k: v for k, v in bounds.items() if v is not None}, keys, accuracy_key, fallback
    )
