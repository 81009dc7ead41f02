"""Synthetic loan applicants with a tunable gender bias in the labels."""

import datetime
import functools
import numbers
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd
from mimesis.enums import Locale
from sklearn.utils import check_random_state

from .._mimesis import gendered_pools
from .._validation import shown

MAX_SAMPLES = 100_000_000  # rows a generated data set may have

__all__ = ["make_loan_applicants"]

DEFAULT_COUNTRIES = (
    "United States",
    "United Kingdom",
    "Canada",
    "Australia",
    "Ireland",
)
MIN_AGE, MAX_AGE = 18, 75
MIN_INCOME, MAX_INCOME = 30_000, 120_000  # high end excluded, as in ``randint``
BASE_THRESHOLD = 55_000
FEMALE_PENALTY = 25_000
LOCALES = tuple(loc.value for loc in Locale)

# Independent random streams, one per drawn quantity, spawned in this order from
# a single SeedSequence. Appending a stream keeps all existing ones unchanged.
_STREAMS = (
    "gender",
    "first_name",
    "last_name",
    "title",
    "age",
    "day_of_birth",
    "country",
    "income",
    "applicant_id",
    "noise",
    "married",
    "household_role",
    "neighbourhood",
)
UNMARRIED_ROLES = ("Not in family", "Own child", "Unmarried")
MARRIED_SHARE = 0.5
# Neighbourhoods and how women and men are spread over them: a statistical
# proxy of gender (Northgate is three-quarters women, Harbour and Hillcrest
# about seven in ten men), not an exclusive one.
NEIGHBOURHOODS = (
    "Northgate",
    "Riverside",
    "Old Town",
    "Station Road",
    "Harbour",
    "Hillcrest",
)
NEIGHBOURHOOD_WEIGHTS = {
    "female": (0.30, 0.25, 0.15, 0.10, 0.10, 0.10),
    "male": (0.10, 0.10, 0.15, 0.15, 0.25, 0.25),
}


class _GenderedPool(NamedTuple):
    female: tuple[str, ...]
    male: tuple[str, ...]


class _PersonPools(NamedTuple):
    first_name: _GenderedPool
    last_name: _GenderedPool
    title: _GenderedPool


@functools.cache
def _person_pools(locale):
    """Return the gendered name and title pools of a Mimesis locale.

    The same snapshots the twins draw from (see ``gendered_pools``): a fixed
    Mimesis seed, sorted, first names and titles that Mimesis lists for both
    genders dropped, children's titles left out.
    """
    return _PersonPools(
        *(
            _GenderedPool(*gendered_pools(locale, field))
            for field in ("first_name", "last_name", "title")
        )
    )


@functools.cache
def _pool_array(locale, field):
    """Return a pool as one ``str`` array, women first, and the number of women."""
    pool = getattr(_person_pools(locale), field)
    return pd.array(pool.female + pool.male, dtype="str"), len(pool.female)


def _draw_gendered(locale, field, is_male, rng):
    """Draw one value of ``field`` per row from the pool of the row's gender."""
    values, n_female = _pool_array(locale, field)
    low = np.where(is_male, n_female, 0)
    high = np.where(is_male, len(values), n_female)
    return values.take(rng.integers(low, high))


def _years_before(day, years):
    """Return ``day`` moved back by whole years; 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _birth_dates(ages, reference, rng):
    """Draw birth dates uniformly among those giving exactly ``ages`` at reference.

    Someone is ``a`` years old on ``reference`` when born after the day ``a + 1``
    years earlier and at the latest on the day ``a`` years earlier (the 28th
    when that day would be a 29 February that does not exist).
    """
    all_ages = range(MIN_AGE, MAX_AGE + 1)
    latest = [_years_before(reference, a) for a in all_ages]
    earliest = [
        _years_before(reference, a + 1) + datetime.timedelta(1) for a in all_ages
    ]
    first = np.array(earliest, dtype="datetime64[D]")
    span = np.array(latest, dtype="datetime64[D]") - first + 1
    k = ages - MIN_AGE
    offsets = rng.integers(0, span.astype(np.int64)[k])
    return (first[k] + offsets).astype("datetime64[us]")


def _uuid4_strings(n, rng):
    """Return ``n`` random version-4 UUIDs as canonical 36-character strings."""
    raw = np.frombuffer(rng.bytes(16 * n), dtype=np.uint8).reshape(n, 16).copy()
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40  # version 4
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80  # RFC 4122 variant
    hexa = np.frombuffer(raw.tobytes().hex().encode("ascii"), dtype=np.uint8)
    hexa = hexa.reshape(n, 32)
    text = np.full((n, 37), ord("-"), dtype=np.uint8)
    text[:, 36] = ord("\n")
    for start, stop, shift in ((0, 8, 0), (8, 12, 1), (12, 16, 2), (16, 20, 3)):
        text[:, start + shift : stop + shift] = hexa[:, start:stop]
    text[:, 24:36] = hexa[:, 20:32]
    return pd.array(text.tobytes().decode("ascii").split(), dtype="str")


def _check_fraction(name, value):
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not 0 <= value <= 1
    ):
        raise ValueError(
            f"{name} must be a number in [0, 1]; got {name}={value!r}. "
            f"Pass for example {name}=0.5."
        )
    return float(value)


def _check_params(n_samples, bias, noise, locale, countries, reference_date):
    if (
        isinstance(n_samples, bool)
        or not isinstance(n_samples, numbers.Integral)
        or n_samples < 1
    ):
        raise ValueError(
            "n_samples must be a positive integer; "
            f"got n_samples={shown(n_samples)!r}. Pass for example n_samples=1000."
        )
    if n_samples > MAX_SAMPLES:
        raise ValueError(
            f"n_samples must be at most {MAX_SAMPLES:,} (the data set is built in "
            f"memory); got n_samples={int(n_samples):,}."
        )
    bias = _check_fraction("bias", bias)
    noise = _check_fraction("noise", noise)
    if isinstance(locale, Locale):
        locale = locale.value
    if not isinstance(locale, str) or locale not in LOCALES:
        raise ValueError(
            f"locale must be one of Mimesis' locales {sorted(LOCALES)!r}; "
            f"got locale={locale!r}."
        )
    if countries is None:
        countries = DEFAULT_COUNTRIES
    if (
        isinstance(countries, str)
        or not isinstance(countries, Sequence)
        or len(countries) == 0
        or not all(isinstance(c, str) for c in countries)
    ):
        raise ValueError(
            "countries must be None or a non-empty sequence of strings; "
            f"got countries={countries!r}. Pass for example "
            "countries=['Germany', 'France'] (a list, even for one country)."
        )
    try:
        reference = pd.Timestamp(reference_date)
    except (TypeError, ValueError):
        reference = pd.NaT
    if reference is pd.NaT:
        raise ValueError(
            "reference_date must be a date, or a string such as '2025-01-01'; "
            f"got reference_date={reference_date!r}."
        )
    return int(n_samples), bias, noise, locale, tuple(countries), reference.date()


def _couplings(is_male, rngs):
    """Draw the household role and neighbourhood columns from their own streams."""
    n = len(is_male)
    married = rngs["married"].random(n) < MARRIED_SHARE
    roles = np.array([*UNMARRIED_ROLES, "Wife", "Husband"], dtype=object)
    role = rngs["household_role"].integers(0, len(UNMARRIED_ROLES), size=n)
    role = np.where(married, len(UNMARRIED_ROLES) + is_male, role)
    u = rngs["neighbourhood"].random(n)
    female, male = (np.cumsum(NEIGHBOURHOOD_WEIGHTS[g]) for g in ("female", "male"))
    place = np.where(
        is_male,
        np.searchsorted(male, u, side="right"),
        np.searchsorted(female, u, side="right"),
    )
    place = np.minimum(place, len(NEIGHBOURHOODS) - 1)
    return {
        "household_role": pd.array(roles[role], dtype="str"),
        "neighbourhood": pd.array(
            np.asarray(NEIGHBOURHOODS, dtype=object)[place], dtype="str"
        ),
    }


def make_loan_applicants(
    n_samples=1000,
    *,
    bias=1.0,
    noise=0.0,
    locale="en",
    countries=None,
    reference_date="2025-01-01",
    couplings=False,
    return_X_y=True,
    random_state=None,
):
    """Generate loan applicants whose approval depends on gender and income.

    The scenario of the classic Mimesis bias tutorial, scaled up: each applicant
    has an identifier, a name and a title that agree with their gender, a birth
    date, an age, a country and an income, and a historical decision that
    favours men. With ``bias=1`` every man is approved, and a woman only when
    her income exceeds 80,000; with ``bias=0`` the decision is ``income >
    55,000`` for everybody. Values in between move both thresholds linearly:

    - men are approved when ``income > (1 - bias) * 55,000``;
    - women are approved when ``income > 55,000 + bias * 25,000``.

    Names, last names and titles are drawn from Mimesis' pools for the row's
    gender and ``locale``; first names and titles that Mimesis lists for both
    genders are left out, so that the name always matches the gender.

    Parameters
    ----------
    n_samples : int, default=1000
        Number of applicants.

    bias : float, default=1.0
        Strength of the gender bias in the labels, in [0, 1]. ``1.0`` is the
        tutorial's rule, ``0.0`` a decision by income alone.

    noise : float, default=0.0
        Probability, in [0, 1], that each label is flipped, independently of
        everything else.

    locale : str, default="en"
        Mimesis locale of the names and titles, such as ``"en"``, ``"de"`` or
        ``"ru"``.

    countries : sequence of str or None, default=None
        Countries drawn uniformly for the ``country`` column. ``None`` uses
        ``("United States", "United Kingdom", "Canada", "Australia",
        "Ireland")``. The countries do not change the names' locale.

    reference_date : str or date-like, default="2025-01-01"
        Date at which ``age`` is the applicant's exact age in whole years. Only
        its calendar date is used.

    couplings : bool, default=False
        If True, append two columns coupled with gender, as real data has
        them: ``household_role`` (``"Husband"`` for married men, ``"Wife"``
        for married women, half of the applicants; otherwise ``"Not in
        family"``, ``"Own child"`` or ``"Unmarried"``) and ``neighbourhood``
        (six neighbourhoods where women and men live in different
        proportions). A twin that changes only gender is then a woman whose
        role is "Husband" unless the role is linked, and a model that never
        reads gender still learns the bias through these columns (see
        :ref:`coherence`). The other columns and the labels do not change.

    return_X_y : bool, default=True
        If True, return the features and the labels separately; otherwise
        return a single frame with the labels as its last column ``approved``.

    random_state : int, RandomState instance or None, default=None
        Seed of every draw. The same seed gives the same frame, and the same
        applicants whatever ``bias`` and ``noise``; each column has its own
        random stream, so changing ``locale`` or ``countries`` changes only
        the columns drawn from them.

    Returns
    -------
    X : pandas.DataFrame of shape (n_samples, 10) or (n_samples, 12)
        Columns, in order: ``applicant_id`` (random UUID4 string),
        ``first_name``, ``last_name``, ``title``, ``gender`` (``"Male"`` or
        ``"Female"``, drawn with equal probability), ``gender_code`` (int64, 1
        for men, 0 for women), ``date_of_birth`` (datetime64), ``age`` (int64,
        18 to 75), ``country`` and ``income`` (int64, uniform integer with
        30,000 <= income < 120,000), then, with ``couplings=True``,
        ``household_role`` and ``neighbourhood``. Text columns have the
        ``str`` dtype. Returned only when ``return_X_y=True``.

    y : pandas.Series of shape (n_samples,)
        The decisions, named ``approved`` (int64, 1 for approved). Returned
        only when ``return_X_y=True``.

    frame : pandas.DataFrame of shape (n_samples, 11) or (n_samples, 13)
        ``X`` with ``approved`` as the last column. Returned only when
        ``return_X_y=False``.

    See Also
    --------
    load_german_credit : A real credit data set with a sex-and-status column.
    sklearn.datasets.make_classification : Generic synthetic classification.

    Notes
    -----
    The pools of names are read once per locale and per process from Mimesis'
    public API with a fixed seed (about a second for the largest locales);
    rows are then drawn with numpy, so a million rows take a few seconds. The
    pools depend on the installed Mimesis version.

    Birth dates are drawn uniformly among the days that give exactly ``age``
    at ``reference_date``; someone born on 29 February turns a year older on
    1 March in common years.

    Examples
    --------
    >>> from skcounterfactual.datasets import make_loan_applicants
    >>> X, y = make_loan_applicants(n_samples=500, random_state=0)
    >>> X.shape
    (500, 10)
    >>> X.dtypes
    applicant_id                str
    first_name                  str
    last_name                   str
    title                       str
    gender                      str
    gender_code               int64
    date_of_birth    datetime64[us]
    age                       int64
    country                     str
    income                    int64
    dtype: object
    >>> X[["title", "gender", "gender_code", "age", "income"]].head(3)
      title  gender  gender_code  age  income
    0   Sir    Male            1   34   69488
    1   Ms.  Female            0   67   53121
    2   Sir    Male            1   39  116123
    >>> y.groupby(X["gender"]).mean().round(2)
    gender
    Female    0.46
    Male      1.00
    Name: approved, dtype: float64

    Without bias, income alone decides:

    >>> X, y = make_loan_applicants(n_samples=500, bias=0.0, random_state=0)
    >>> bool((y == (X["income"] > 55_000)).all())
    True

    With the couplings, the same applicants gain a household role and a
    neighbourhood:

    >>> X, y = make_loan_applicants(n_samples=500, couplings=True, random_state=0)
    >>> X.shape
    (500, 12)
    >>> married = X["household_role"].isin(["Husband", "Wife"])
    >>> X.loc[married, ["gender", "household_role"]].value_counts()
    gender  household_role
    Female  Wife              128
    Male    Husband           119
    Name: count, dtype: int64
    """
    n, bias, noise, locale, countries, reference = _check_params(
        n_samples, bias, noise, locale, countries, reference_date
    )
    if not isinstance(return_X_y, bool):
        raise ValueError(
            f"return_X_y must be True or False; got return_X_y={return_X_y!r}."
        )
    if not isinstance(couplings, bool):
        raise ValueError(
            f"couplings must be True or False; got couplings={couplings!r}."
        )
    entropy = check_random_state(random_state).randint(
        np.iinfo(np.uint32).max, size=4, dtype=np.uint32
    )
    rngs = dict(
        zip(
            _STREAMS,
            map(
                np.random.default_rng,
                np.random.SeedSequence(entropy).spawn(len(_STREAMS)),
            ),
            strict=True,
        )
    )

    is_male = rngs["gender"].integers(0, 2, size=n).astype(bool)
    ages = rngs["age"].integers(MIN_AGE, MAX_AGE + 1, size=n)
    income = rngs["income"].integers(MIN_INCOME, MAX_INCOME, size=n)
    country_pool = pd.array(countries, dtype="str")
    X = pd.DataFrame(
        {
            "applicant_id": _uuid4_strings(n, rngs["applicant_id"]),
            "first_name": _draw_gendered(
                locale, "first_name", is_male, rngs["first_name"]
            ),
            "last_name": _draw_gendered(
                locale, "last_name", is_male, rngs["last_name"]
            ),
            "title": _draw_gendered(locale, "title", is_male, rngs["title"]),
            "gender": pd.array(["Female", "Male"], dtype="str").take(
                is_male.astype(np.intp)
            ),
            "gender_code": is_male.astype(np.int64),
            "date_of_birth": _birth_dates(ages, reference, rngs["day_of_birth"]),
            "age": ages.astype(np.int64),
            "country": country_pool.take(
                rngs["country"].integers(0, len(country_pool), size=n)
            ),
            "income": income.astype(np.int64),
        }
    )

    if couplings:
        X = X.assign(**_couplings(is_male, rngs))

    threshold = np.where(
        is_male, (1.0 - bias) * BASE_THRESHOLD, BASE_THRESHOLD + bias * FEMALE_PENALTY
    )
    approved = income > threshold
    approved ^= rngs["noise"].random(n) < noise
    y = pd.Series(approved.astype(np.int64), name="approved")
    if return_X_y:
        return X, y
    return X.assign(approved=y)
