"""Datasets: the tutorial's loan scenario as a generator, and German Credit."""

from ._german import load_german_credit
from ._loan import make_loan_applicants

__all__ = ["load_german_credit", "make_loan_applicants"]
