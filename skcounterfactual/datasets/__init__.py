"""Datasets: the tutorials' loan and résumé scenarios as generators, German Credit."""

from ._german import load_german_credit
from ._loan import make_loan_applicants
from ._resumes import make_resumes

__all__ = ["load_german_credit", "make_loan_applicants", "make_resumes"]
