"""Command-line options for every kind of model: thresholds, tolerances, effects.

``--threshold`` wraps the loaded classifier exactly as the documentation
does, ``FixedThresholdClassifier(FrozenEstimator(model), threshold=...)``;
``--tolerance`` is the audit's ``tolerance`` (a regressor's flip);
``--max-effect`` bounds the mean absolute change of a score or prediction.
A bound that the audit cannot evaluate (a parity difference without a
favourable class, a regressor's flip rate without a tolerance) is an error,
never a silent pass: the command line names it with ``UNCHECKABLE_BOUND``
and its ``ADVICE``.
"""

import argparse

from ._cli_io import CLIError
from ._group_sums import NO_SELECTION_LABELS
from ._tally import NO_SCORES, NO_TOLERANCE

UNCHECKABLE_BOUND = (
    "{option} cannot be checked for {name!r}: {key} is undefined ({reason}). {advice}"
)
ADVICE = {
    "flip_rate": "Pass --tolerance (the largest change that is not a flip) or "
    "bound the change itself with --max-effect.",
    "demographic_parity_difference": "Pass --pos-label (the favourable class); "
    "for a regressor bound --max-effect instead.",
    "score_change": "The model gives no scores: audit a model with "
    "predict_proba or decision_function, or drop --max-effect.",
}
# the reasons a command-line option fixes; other reasons say their own fix
FIXED_BY_AN_OPTION = {
    "flip_rate": NO_TOLERANCE,
    "demographic_parity_difference": NO_SELECTION_LABELS.split("{")[0],
    "score_change": NO_SCORES,
}
NO_FAVOURABLE_CLASS = (
    "NOTE: {name}: no favourable class (--pos-label), so a flip is any change of "
    "label and directions and parity are undefined."
)


def non_negative(text):
    """Read an option value: a non-negative number."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a non-negative number, got {text!r}"
        ) from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(
            f"expected a non-negative finite number, got {text}"
        )
    return value


def add_options(audit):
    """Add ``--threshold``, ``--tolerance`` and ``--max-effect`` to ``audit``."""
    audit.add_argument(
        "--threshold",
        type=non_negative,
        metavar="T",
        help=(
            "audit a binary classifier at this decision threshold: the model is "
            "wrapped as FixedThresholdClassifier(FrozenEstimator(model), "
            "threshold=T, pos_label=--pos-label)"
        ),
    )
    audit.add_argument(
        "--tolerance",
        type=non_negative,
        metavar="T",
        help=(
            "for a regressor: the largest change of the prediction that is not "
            "a flip (without it, a regressor's flip rate is undefined)"
        ),
    )
    audit.add_argument(
        "--max-effect",
        type=non_negative,
        metavar="E",
        help=(
            "fail above this effect: the mean absolute change of the prediction "
            "(regressors, in its units) or of the favourable-class score"
        ),
    )


def with_threshold(model, threshold, pos_label, data):
    """Return ``model`` wrapped to decide at ``threshold`` (or as it is)."""
    if threshold is None:
        return model
    from sklearn.frozen import FrozenEstimator
    from sklearn.model_selection import FixedThresholdClassifier

    classes = getattr(model, "classes_", None)
    scores = hasattr(model, "predict_proba") or hasattr(model, "decision_function")
    if classes is None or len(classes) != 2 or not scores:
        raise CLIError(
            f"--threshold {threshold:g} needs a binary classifier with "
            "predict_proba or decision_function; the model "
            f"({type(model).__name__}) has classes {_listed(classes)} and "
            f"{'scores' if scores else 'no scores'}. Drop --threshold."
        )
    wrapped = FixedThresholdClassifier(
        FrozenEstimator(model), threshold=threshold, pos_label=pos_label
    )
    try:
        # fitting a frozen model only records its classes
        return wrapped.fit(data.iloc[: len(classes)], list(classes))
    except (ValueError, TypeError) as exc:
        raise CLIError(f"--threshold {threshold:g}: {exc}") from None


def _listed(classes):
    if classes is None:
        return None
    return [c.item() if hasattr(c, "item") else c for c in classes]


def uncheckable(option, name, key, reason):
    """Return the sentence naming a bound that cannot be checked, and the fix."""
    reason = reason.rstrip(".")
    fixed = FIXED_BY_AN_OPTION.get(key)
    advice = ADVICE[key] if fixed and reason.startswith(fixed) else ""
    return UNCHECKABLE_BOUND.format(
        option=option, name=name, key=key, reason=reason, advice=advice
    ).rstrip()


def notes(report):
    """Return the lines that say what the audit could not measure."""
    if report.kind != "classifier" or report.pos_label is not None:
        return []
    return [NO_FAVOURABLE_CLASS.format(name=name) for name in report.attributes]
