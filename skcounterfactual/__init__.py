"""Counterfactual fairness audits for scikit-learn.

skcounterfactual builds *counterfactual twins* of rows (the same applicant with
only a protected attribute changed, and whatever must change with it), scores
models on how often their decision flips between a row and its twins, and turns
the result into audits, leaderboards and reports.
"""

from ._augmenter import (
    CounterfactualAugmentedClassifier,
    CounterfactualAugmenter,
    TwinSet,
)

__version__ = "0.1.0.dev0"

__all__ = [
    "CounterfactualAugmentedClassifier",
    "CounterfactualAugmenter",
    "TwinSet",
]
