"""Mimesis pools: snapshots of Mimesis' name, title and place lists.

The only module of the twin layer that imports Mimesis (``datasets`` reads the
same snapshots). Each pool is read once per process through Mimesis' public API
with a fixed seed, so it is the same in every process for a given Mimesis
version, and twins draw from it with numpy.
"""

import functools

UNKNOWN_LOCALE = (
    "{param}={locale!r} is not a Mimesis locale. Supported locales: {allowed!r}."
)


def supported_locales():
    """Return the locale codes Mimesis supports, sorted."""
    from mimesis import Locale

    return sorted(locale.value for locale in Locale)


def check_locale(locale, param):
    """Raise a ``ValueError`` naming ``param`` for an unknown Mimesis locale."""
    allowed = supported_locales()
    if not isinstance(locale, str) or locale.lower() not in allowed:
        raise ValueError(
            UNKNOWN_LOCALE.format(param=param, locale=locale, allowed=allowed)
        )
    return locale.lower()


# Titles for children, not for the adults a model decides about.
CHILD_TITLES = frozenset({"Master"})
_POOL_DRAWS = 20_000


def exhaust(draw):
    """Call ``draw`` until a long batch of calls brings no new value.

    A batch holds at least ten times as many draws as there are values seen so
    far, so a value left unseen at the end has a negligible chance of existing.
    """
    seen = set()
    while True:
        before = len(seen)
        seen.update(draw() for _ in range(max(_POOL_DRAWS, 10 * before)))
        if len(seen) == before:
            return seen


@functools.cache
def gendered_pools(locale, field):
    """Return ``(female, male)`` sorted tuples of a gendered Mimesis pool.

    Read through Mimesis' public API with a fixed seed, so the same in every
    process for a given Mimesis version. First names and titles that Mimesis
    lists for both genders are dropped from both (unless that would empty a
    pool, as for Japanese titles): a name or title must tell the gender. Last
    names are kept whole (in ru, pl, ... a shared last name fits either
    gender). Children's titles ("Master") are left out.
    """
    from mimesis import Person
    from mimesis.enums import Gender, TitleType

    person = Person(locale, seed=0)
    method = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "title": functools.partial(person.title, title_type=TitleType.TYPICAL),
    }[field]
    female = exhaust(lambda: method(gender=Gender.FEMALE))
    male = exhaust(lambda: method(gender=Gender.MALE))
    if field == "title":
        female = (female - CHILD_TITLES) or female
        male = (male - CHILD_TITLES) or male
    if field != "last_name":
        shared = female & male
        if shared != female and shared != male:
            female, male = female - shared, male - shared
    return tuple(sorted(female)), tuple(sorted(male))


@functools.cache
def mimesis_pool(locale, field, gender=None):
    """Return a snapshot of a Mimesis pool as a sorted tuple of strings.

    Parameters
    ----------
    locale : str
        A Mimesis locale code such as ``"en"`` or ``"de"``.
    field : str
        One of ``first_name``, ``last_name``, ``title``, ``city``,
        ``phone_number``, ``address``, ``occupation``, ``university``,
        ``academic_degree``, ``language``, ``programming_language``.
    gender : {"female", "male"} or None
        The gender for gendered fields; None takes both genders.

    Returns
    -------
    tuple of str

    Examples
    --------
    >>> pool = mimesis_pool("en", "title", "female")
    >>> "Mrs." in pool, "Mr." in pool
    (True, False)
    """
    if field in ("first_name", "last_name", "title"):
        female, male = gendered_pools(locale, field)
        if gender is None:
            return tuple(sorted(set(female) | set(male)))
        return female if gender == "female" else male
    from mimesis import Address, Development, Person

    person = Person(locale, seed=0)
    address = Address(locale, seed=0)
    draw = {
        "city": address.city,
        "address": address.address,
        "phone_number": person.phone_number,
        "occupation": person.occupation,
        "university": person.university,
        "academic_degree": person.academic_degree,
        "language": person.language,
        "programming_language": Development(seed=0).programming_language,
    }[field]
    n_draws = 4_096 if field in ("address", "phone_number") else _POOL_DRAWS
    return tuple(sorted({draw() for _ in range(n_draws)}))
