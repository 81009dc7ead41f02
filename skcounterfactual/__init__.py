"""Counterfactual fairness audits for scikit-learn.

skcounterfactual builds *counterfactual twins* of rows (the same applicant with
only a protected attribute changed, and whatever must change with it), scores
models on how often their decision flips between a row and its twins, and turns
the result into audits, leaderboards and reports.
"""

from ._audit import audit
from ._augmenter import CounterfactualAugmenter
from ._causal import CausalAugmenter
from ._classifier import CounterfactualAugmentedClassifier
from ._coherence import IncoherentTwinWarning
from ._compare import compare_twins
from ._domains import UnlinkedMirrorWarning
from ._effect_scorer import make_counterfactual_effect_scorer
from ._flip_scorer import make_counterfactual_flip_scorer
from ._leaderboard import leaderboard
from ._plotting import plot_pareto
from ._protocol import TwinSet
from ._proxies import find_proxies, suggest_links
from ._refit import most_accurate_within
from ._report import AttributeAudit, AuditReport
from ._scoring import (
    counterfactual_effect,
    counterfactual_flip_rate,
    counterfactual_flip_score,
)
from ._selection import fairness_scoring, make_parity_scorer
from ._text import TextLink
from ._transport import TransportAugmenter

__version__ = "0.1.0.dev0"

__all__ = [
    "AttributeAudit",
    "AuditReport",
    "CausalAugmenter",
    "CounterfactualAugmentedClassifier",
    "CounterfactualAugmenter",
    "IncoherentTwinWarning",
    "TextLink",
    "TransportAugmenter",
    "TwinSet",
    "UnlinkedMirrorWarning",
    "audit",
    "compare_twins",
    "counterfactual_effect",
    "counterfactual_flip_rate",
    "counterfactual_flip_score",
    "fairness_scoring",
    "find_proxies",
    "leaderboard",
    "make_counterfactual_effect_scorer",
    "make_counterfactual_flip_scorer",
    "make_parity_scorer",
    "most_accurate_within",
    "plot_pareto",
    "suggest_links",
]
