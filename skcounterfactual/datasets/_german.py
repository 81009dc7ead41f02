"""The Statlog German Credit data, shipped with the package."""

import json
from importlib import resources

import numpy as np
import pandas as pd
from sklearn.utils import Bunch

from .._validation import check_bool

__all__ = ["load_german_credit"]

FEATURES = (
    "status",
    "duration",
    "credit_history",
    "purpose",
    "credit_amount",
    "savings",
    "present_employment",
    "installment_rate",
    "status_sex",
    "other_debtors",
    "present_residence_since",
    "property",
    "age",
    "installment_plans",
    "housing",
    "number_of_existing_credits",
    "job",
    "number_of_people_liable_for",
    "telephone",
    "foreign_worker",
)
TARGET = "credit"
NUMERIC = (
    "duration",
    "credit_amount",
    "installment_rate",
    "present_residence_since",
    "age",
    "number_of_existing_credits",
    "number_of_people_liable_for",
)
BOOLEAN = ("telephone", "foreign_worker")
DESCRIPTION = """Statlog (German Credit Data)

1,000 credit applicants of a German bank, 20 attributes, and whether each
turned out a good (700) or a bad (300) credit risk. ``status_sex`` mixes sex
and marital status; ``sex`` is derived from it. The code A95 (single women) is
documented but never occurs.

Hofmann, H. (1994). Statlog (German Credit Data). UCI Machine Learning
Repository. https://doi.org/10.24432/C5NC77. Licensed under CC BY 4.0.
"""


def _read_data_file(name):
    return resources.files(__package__).joinpath("data", name)


def _load_codes():
    """Return, per coded column, the documented codes and labels in code order."""
    text = _read_data_file("codes.json").read_text(encoding="utf-8")
    return {
        column: mapping
        for column, mapping in json.loads(text).items()
        if column != TARGET
    }


def load_german_credit(*, return_X_y=False, as_frame=True, decode=True):
    """Load the Statlog German Credit data (1,000 applicants, good or bad risk).

    Each row is a credit applicant of a German bank described by 20
    attributes; the target says whether the applicant turned out a good or a
    bad credit risk. The file ships inside the package, so no download is
    needed. The loader follows scikit-learn's convention (``return_X_y``,
    ``as_frame``, a :class:`~sklearn.utils.Bunch`).

    Source: Hofmann, H. (1994). Statlog (German Credit Data). UCI Machine
    Learning Repository. Licensed under CC BY 4.0.

    Parameters
    ----------
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    as_frame : bool, default=True
        If True, ``data`` is a DataFrame (categorical columns keep their
        categories) and ``target`` a Series; if False, ``data`` is an object
        array and ``target`` an int64 array. The default differs from
        scikit-learn's loaders (False there) because most columns are
        categorical, which an array cannot describe.

    decode : bool, default=True
        If True, the coded columns hold readable labels (``"male : single"``
        rather than ``"A93"``), and ``telephone`` and ``foreign_worker`` are
        booleans. If False, every coded column, those two included, keeps the
        documented codes (``"A91"`` ... ``"A95"``).

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        With attributes:

        data : DataFrame of shape (1000, 21)
            The 20 documented attributes, in the documented order, plus
            ``sex`` (``"male"`` or ``"female"``, ``str`` dtype) derived from
            ``status_sex`` and placed right after it. Numeric columns are
            int64; coded columns are categorical, with every documented code
            or label as a category, in code order, even those that never
            occur.
        target : Series of shape (1000,)
            The target ``credit`` (int64): 1 for a good risk (700 rows), 0 for
            a bad one (300 rows). The file codes them 1 and 2.
        frame : DataFrame of shape (1000, 22)
            ``data`` with ``credit`` as the last column (None when
            ``as_frame=False``).
        feature_names : list of str
            The column names of ``data``.
        target_names : list of str
            ``["bad", "good"]``, the meanings of targets 0 and 1.
        DESCR : str
            A description of the data.

    (data, target) : tuple if ``return_X_y`` is True
        The two arrays or frames described above.

    See Also
    --------
    make_loan_applicants : Synthetic applicants with a tunable gender bias.

    Notes
    -----
    ``status_sex`` mixes sex with marital status, so a counterfactual sex
    twin must translate the code rather than overwrite one field: the twin of
    a single man (A93, ``"male : single"``) is a single woman (A95,
    ``"female : single"``). But A95 never occurs in the data. The counts are
    A91 50, A92 310, A93 548, A94 92 and A95 0, hence 690 men and 310 women.
    A single man's twin therefore carries a code that no model trained on
    this data has ever seen, and one-hot encoders either fail or encode it as
    all zeros; an audit should report such twins rather than hide them. The
    category is present in ``status_sex`` so that writing it never produces a
    missing value.

    The dataset's documentation asks for a cost matrix: predicting a good
    risk for a bad applicant costs 5, predicting a bad risk for a good one
    costs 1.

    Labels are stripped of surrounding spaces; otherwise they are those of the
    dataset's documentation.

    Examples
    --------
    >>> from skcounterfactual.datasets import load_german_credit
    >>> credit = load_german_credit()
    >>> credit.data.shape, credit.target_names
    ((1000, 21), ['bad', 'good'])
    >>> X, y = load_german_credit(return_X_y=True)
    >>> X["status_sex"].value_counts(sort=False)
    status_sex
    male : divorced/separated               50
    female : divorced/separated/married    310
    male : single                          548
    male : married/widowed                  92
    female : single                          0
    Name: count, dtype: int64
    >>> X["sex"].value_counts()
    sex
    male      690
    female    310
    Name: count, dtype: int64
    >>> y.value_counts()
    credit
    1    700
    0    300
    Name: count, dtype: int64

    The raw codes:

    >>> X, y = load_german_credit(return_X_y=True, decode=False)
    >>> X["status_sex"].cat.categories.tolist()
    ['A91', 'A92', 'A93', 'A94', 'A95']
    """
    return_X_y = check_bool(return_X_y, "return_X_y")
    as_frame = check_bool(as_frame, "as_frame")
    decode = check_bool(decode, "decode")
    codes = _load_codes()
    with _read_data_file("german.data").open("r", encoding="ascii") as f:
        raw = pd.read_csv(f, sep=" ", header=None, names=[*FEATURES, TARGET], dtype=str)

    columns = {}
    for name in FEATURES:
        if name in NUMERIC:
            columns[name] = raw[name].astype(np.int64)
            continue
        documented = codes[name]
        coded = pd.Categorical(raw[name], categories=list(documented))
        if not decode:
            columns[name] = coded
        elif name in BOOLEAN:
            columns[name] = np.array(list(documented.values()), dtype=bool)[coded.codes]
        else:
            labels = [label.strip() for label in documented.values()]
            columns[name] = pd.Categorical.from_codes(coded.codes, categories=labels)
        if name == "status_sex":
            sex = [label.split(":")[0].strip() for label in documented.values()]
            columns["sex"] = pd.array(sex, dtype="str").take(coded.codes)

    X = pd.DataFrame(columns)
    y = pd.Series(np.where(raw[TARGET] == "1", 1, 0), name=TARGET, dtype=np.int64)
    frame = X.assign(**{TARGET: y})
    if not as_frame:
        X, y, frame = X.to_numpy(dtype=object), y.to_numpy(), None
    if return_X_y:
        return X, y
    return Bunch(
        data=X,
        target=y,
        frame=frame,
        feature_names=list(columns),
        target_names=["bad", "good"],
        DESCR=DESCRIPTION,
    )
