"""Links: how other columns follow a protected attribute in a twin.

Three kinds (see the user guide, "Twins and links"):

* value maps, either by target value (``{"Male": 1, "Female": 0}``) or, per
  target value, a translation of the linked column's own current value
  (``{"female": {"A93": "A95"}, "male": {"A92": "A94"}}``);
* generated fields named by a string (``"first_name"``, ``"title"``,
  ``"date_of_birth"``, ...), drawn from the fitted vocabulary of the target
  group or from Mimesis pools for the target gender and locale;
* callables ``f(twins, new_values, rng) -> array``.

Every link produces its column in *factorised* form, a small array of
distinct values plus one index per twin, so that casting to the column's dtype
(a categorical gaining a category, a nullable integer, pandas ``str``) costs
as much as the number of distinct values, not the number of twins.
"""

import functools

import numpy as np
import pandas as pd

from ._keys import stable_hash, uniforms

GENERATED_FIELDS = (
    "address",
    "city",
    "date_of_birth",
    "first_name",
    "full_name",
    "last_name",
    "occupation",
    "phone_number",
    "resample",
    "title",
)
GENDERED_FIELDS = frozenset({"first_name", "full_name", "last_name", "title"})
_FEMALE_WORDS = frozenset({"female", "f", "woman", "women", "w", "girl", "feminine"})
_MALE_WORDS = frozenset({"male", "m", "man", "men", "boy", "masculine"})

UNKNOWN_FIELD = (
    "links[{column!r}]={field!r} is not a generated field. Allowed fields: "
    "{allowed!r}; or pass a value map (dict) or a callable f(twins, new_values, rng)."
)
UNKNOWN_LOCALE = (
    "{param}={locale!r} is not a Mimesis locale. Supported locales: {allowed!r}."
)
MAP_MISSING_VALUE = (
    "links[{column!r}] has no entry for {attribute}={value!r}. A value map must "
    "cover every value of the domain {domain!r}."
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


def infer_gender(value):
    """Return ``"female"``, ``"male"`` or None for a value such as ``"Female"``."""
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _FEMALE_WORDS:
            return "female"
        if word in _MALE_WORDS:
            return "male"
    return None


# --------------------------------------------------------------------------
# Mimesis pools
# --------------------------------------------------------------------------
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
        ``phone_number``, ``address``, ``occupation``.
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
    from mimesis import Address, Person

    person = Person(locale, seed=0)
    address = Address(locale, seed=0)
    draw = {
        "city": address.city,
        "address": address.address,
        "phone_number": person.phone_number,
        "occupation": person.occupation,
    }[field]
    n_draws = 4_096 if field in ("address", "phone_number") else _POOL_DRAWS
    return tuple(sorted({draw() for _ in range(n_draws)}))


# --------------------------------------------------------------------------
# Casting factorised values to a column's dtype
# --------------------------------------------------------------------------
def cast_values(values, dtype, column):
    """Cast a small array of distinct values to ``dtype`` without losing any.

    A categorical column gains the categories it lacks (never a silent NaN);
    a value the dtype cannot hold (``45.5`` in an integer column) raises a
    ``ValueError`` naming the column.
    """
    values = list(values)
    if isinstance(dtype, pd.CategoricalDtype):
        known = set(dtype.categories)
        extra = []
        for value in values:
            if not _is_missing(value) and value not in known and value not in extra:
                extra.append(value)
        categories = dtype.categories
        if extra:
            try:
                categories = categories.append(pd.Index(extra, dtype=categories.dtype))
            except (TypeError, ValueError):
                categories = pd.Index(list(categories) + extra)
        return pd.Categorical(
            values, dtype=pd.CategoricalDtype(categories, dtype.ordered)
        )
    if pd.api.types.is_object_dtype(dtype):
        out = np.empty(len(values), dtype=object)
        out[:] = values
        # a NumPy-backed object array: assigning it keeps the object dtype
        return pd.array(out, dtype=object)
    try:
        cast = pd.Series(values, dtype=object).astype(dtype)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"Column {column!r} has dtype {dtype}, which cannot hold the twin "
            f"values {values[:5]!r}: {exc}. Give values or links that fit the "
            "column, or change the column's dtype."
        ) from None
    for before, after in zip(values, cast.tolist(), strict=True):
        if _is_missing(before) and _is_missing(after):
            continue
        if _is_missing(before) != _is_missing(after) or not _equal(before, after):
            raise ValueError(
                f"Column {column!r} has dtype {dtype}, which cannot hold the twin "
                f"value {before!r} exactly (it would become {after!r}). Give "
                "values or links that fit the column, or change its dtype."
            )
    return cast.array


def _equal(a, b):
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def _is_missing(value):
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


# --------------------------------------------------------------------------
# Link kinds
# --------------------------------------------------------------------------
def _check_covers(mapping, column, attribute, domain):
    for value in domain:
        if value not in mapping:
            raise ValueError(
                MAP_MISSING_VALUE.format(
                    column=column, attribute=attribute, value=value, domain=list(domain)
                )
            )


class ValueMapLink:
    """The linked column takes a fixed value per target value."""

    def __init__(self, column, mapping):
        self.column = column
        self.mapping = dict(mapping)

    def fit(self, frame, attribute, domain, context):
        _check_covers(self.mapping, self.column, attribute, domain)
        self.values_ = [self.mapping[value] for value in domain]
        return self

    def generate(self, twins, target_codes, keys, context):
        return self.values_, target_codes


class TranslationLink:
    """Per target value, translate the linked column's current value."""

    def __init__(self, column, mapping):
        self.column = column
        self.mapping = {target: dict(table) for target, table in mapping.items()}

    def fit(self, frame, attribute, domain, context):
        _check_covers(self.mapping, self.column, attribute, domain)
        self.tables_ = [self.mapping[value] for value in domain]
        return self

    def generate(self, twins, target_codes, keys, context):
        current = twins[self.column]
        uniques, inverse = _factorize(current)
        n_unique = len(uniques)
        # candidates: the current values, then every translated value
        candidates = list(uniques)
        index_of = {}
        lookup = np.tile(np.arange(n_unique), (len(self.tables_), 1))
        for j, table in enumerate(self.tables_):
            for i, value in enumerate(uniques):
                if _is_missing(value) or value not in table:
                    continue
                new = table[value]
                key = (type(new), new)
                if key not in index_of:
                    index_of[key] = len(candidates)
                    candidates.append(new)
                lookup[j, i] = index_of[key]
        return candidates, lookup[target_codes, inverse]


class FieldLink:
    """The linked column is drawn anew for the twin's target group."""

    def __init__(self, column, field):
        self.column = column
        self.field = field

    def fit(self, frame, attribute, domain, context):
        column = frame[self.column]
        if self.field == "date_of_birth":
            if not context.is_numeric(attribute):
                raise ValueError(
                    f"links[{self.column!r}]='date_of_birth' follows a target age, "
                    f"but the protected attribute {attribute!r} is not numeric "
                    f"(dtype {frame[attribute].dtype}). Link date_of_birth to an "
                    "age attribute."
                )
            if not (
                pd.api.types.is_datetime64_any_dtype(column)
                or pd.api.types.is_string_dtype(column)
            ):
                raise ValueError(
                    f"links[{self.column!r}]='date_of_birth' needs a datetime or "
                    f"ISO date string column, got dtype {column.dtype}."
                )
            return self
        gender_column = context.gender_column_for(attribute, self.field)
        self.gender_column_ = gender_column
        self.strata_ = {}
        genders = [None]
        if gender_column is not None:
            genders = context.gender_values(gender_column)
        attr_codes = context.codes(frame[attribute], attribute)
        gender_codes = None
        if gender_column is not None:
            gender_codes = context.index_codes(frame[gender_column], genders)
        for j, value in enumerate(domain):
            for g, gender_value in enumerate(genders):
                rows = attr_codes == j
                if gender_codes is not None:
                    rows &= gender_codes == g
                self.strata_[(j, g)] = self._pool(
                    column[rows], attribute, value, gender_column, gender_value, context
                )
        return self

    def _pool(self, observed, attribute, value, gender_column, gender_value, context):
        source = context.source
        if self.field != "resample" and source == "mimesis":
            return self._mimesis_pool(
                attribute, value, gender_column, gender_value, context
            )
        counts = observed.dropna().value_counts(sort=False)
        if len(counts):
            counts = _sorted_counts(counts)
            weights = counts.to_numpy(dtype=float)
            return list(counts.index), np.cumsum(weights) / weights.sum(), "vocabulary"
        if source == "vocabulary" or self.field == "resample":
            where = f"{attribute}={value!r}"
            if gender_column is not None:
                where += f" and {gender_column}={gender_value!r}"
            raise ValueError(
                f"links[{self.column!r}]={self.field!r}: the data has no "
                f"{self.column!r} values for rows with {where}, so there is no "
                "vocabulary to draw from. Fit on data with examples of that "
                "group, or use source='auto' / 'mimesis' to draw from Mimesis pools."
            )
        return self._mimesis_pool(
            attribute, value, gender_column, gender_value, context
        )

    def _mimesis_pool(self, attribute, value, gender_column, gender_value, context):
        locale = context.locale_for(attribute, value)
        gender = None
        if self.field in GENDERED_FIELDS:
            if context.is_gender_attribute(attribute):
                gender = context.gender_of(attribute, value)
            elif gender_column is not None:
                gender = context.gender_of(gender_column, gender_value)
            elif self.field != "last_name":
                raise ValueError(
                    f"links[{self.column!r}]={self.field!r} draws gendered values "
                    f"from Mimesis, but the gender of {attribute}={value!r} is "
                    "unknown. Pass genders={column: {value: 'female' or 'male'}} "
                    "for the protected attribute or for the data's gender column."
                )
        if self.field == "full_name":
            first = mimesis_pool(locale, "first_name", gender)
            last = mimesis_pool(locale, "last_name", gender)
            return (first, last), None, "mimesis"
        pool = list(mimesis_pool(locale, self.field, gender))
        cumulative = np.arange(1, len(pool) + 1, dtype=float) / len(pool)
        return pool, cumulative, "mimesis"

    def generate(self, twins, target_codes, keys, context):
        if self.field == "date_of_birth":
            return context.shift_dates(twins, self.column)
        u = uniforms(keys, stable_hash("field", self.column))
        strata = target_codes.astype(np.int64) * 0
        genders = [None]
        if self.gender_column_ is not None:
            genders = context.gender_values(self.gender_column_)
            strata = context.index_codes(twins[self.gender_column_], genders)
            strata = np.where(strata < 0, 0, strata)
        stratum = target_codes.astype(np.int64) * len(genders) + strata
        values = []
        indices = np.empty(len(target_codes), dtype=np.int64)
        for s in np.flatnonzero(np.bincount(stratum)):
            rows = stratum == s
            pool, cumulative, _ = self.strata_[
                (int(s) // len(genders), int(s) % len(genders))
            ]
            if cumulative is None:  # a full name from first and last name pools
                first, last = pool
                scaled = u[rows] * len(first)
                i = np.minimum(scaled.astype(np.int64), len(first) - 1)
                k = np.minimum(
                    ((scaled - i) * len(last)).astype(np.int64), len(last) - 1
                )
                names = np.char.add(
                    np.char.add(np.asarray(first)[i], " "), np.asarray(last)[k]
                )
                uniq, inv = np.unique(names, return_inverse=True)
                indices[rows] = len(values) + inv
                values.extend(uniq.tolist())
                continue
            picked = np.searchsorted(cumulative, u[rows], side="right")
            picked = np.minimum(picked, len(pool) - 1)
            indices[rows] = len(values) + picked
            values.extend(pool)
        return values, indices


class CallableLink:
    """The linked column is computed by ``func(twins, new_values, rng)``."""

    def __init__(self, column, func):
        self.column = column
        self.func = func

    def fit(self, frame, attribute, domain, context):
        self.attribute_ = attribute
        return self

    def generate(self, twins, target_codes, keys, context):
        new_values = np.asarray(context.domain_values(self.attribute_), dtype=object)
        rng = np.random.default_rng(
            [context.seed, int(stable_hash("callable", self.attribute_, self.column))]
        )
        out = self.func(twins, new_values[target_codes], rng)
        out = np.asarray(out, dtype=object) if not hasattr(out, "dtype") else out
        if len(out) != len(twins):
            raise ValueError(
                f"links[{self.column!r}] returned {len(out)} values for "
                f"{len(twins)} twins; a callable link must return one value per twin."
            )
        uniques, inverse = _factorize(pd.Series(np.asarray(out, dtype=object)))
        return list(uniques), inverse


def _factorize(series):
    codes, uniques = pd.factorize(series, use_na_sentinel=False)
    return list(uniques), codes


def _sorted_counts(counts):
    try:
        return counts.sort_index()
    except TypeError:
        order = sorted(range(len(counts)), key=lambda i: repr(counts.index[i]))
        return counts.iloc[order]


def make_link(column, spec):
    """Turn one user link specification into a link object."""
    if isinstance(spec, str):
        if spec not in GENERATED_FIELDS:
            raise ValueError(
                UNKNOWN_FIELD.format(
                    column=column, field=spec, allowed=list(GENERATED_FIELDS)
                )
            )
        return FieldLink(column, spec)
    if callable(spec):
        return CallableLink(column, spec)
    if isinstance(spec, dict):
        if not spec:
            raise ValueError(f"links[{column!r}] is an empty value map.")
        nested = [isinstance(v, dict) for v in spec.values()]
        if all(nested):
            return TranslationLink(column, spec)
        if any(nested):
            raise ValueError(
                f"links[{column!r}] mixes plain values and translation tables; "
                "give either {target: value} or {target: {old: new}} for every target."
            )
        return ValueMapLink(column, spec)
    raise TypeError(
        f"links[{column!r}] must be a generated field name, a value map (dict) "
        f"or a callable, got {type(spec).__name__}: {spec!r}."
    )


def normalise_links(links, protected):
    """Return ``{attribute: [link, ...]}`` from the user's ``links`` parameter.

    ``links`` is either flat, ``{column: spec}`` (one protected attribute), or
    nested per attribute, ``{attribute: {column: spec}}``.
    """
    out = {attribute: [] for attribute in protected}
    if links is None:
        return out
    if not isinstance(links, dict):
        raise TypeError(
            f"links must be a dict such as {{'first_name': 'first_name'}}, got "
            f"{type(links).__name__}: {links!r}."
        )
    nested = bool(links) and all(
        key in protected and isinstance(value, dict) for key, value in links.items()
    )
    # a flat value map on a protected column name would be ambiguous; a
    # protected column is never itself a linked column, so nesting wins.
    if nested:
        items = [(a, c, s) for a, table in links.items() for c, s in table.items()]
    else:
        if len(protected) > 1:
            raise ValueError(
                "links must be given per protected attribute when several are "
                f"protected, e.g. links={{{protected[0]!r}: {{...}}, "
                f"{protected[1]!r}: {{...}}}}; got {links!r}."
            )
        items = [(protected[0], c, s) for c, s in links.items()]
    seen = {}
    for attribute, column, spec in items:
        if column in protected:
            raise ValueError(
                f"links[{column!r}]: {column!r} is a protected attribute and cannot "
                "also be a linked column."
            )
        if column in seen:
            raise ValueError(
                f"links[{column!r}] is linked to both {seen[column]!r} and "
                f"{attribute!r}; a column can follow one attribute only."
            )
        seen[column] = attribute
        out[attribute].append(make_link(column, spec))
    return out
