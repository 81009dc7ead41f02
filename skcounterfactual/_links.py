"""Links: how other columns follow a protected attribute in a twin.

Three kinds (see the user guide, "Twins and links"):

* value maps, either by target value (``{"Male": 1, "Female": 0}``) or, per
  target value, a translation of the linked column's own current value
  (``{"female": {"A93": "A95"}, "male": {"A92": "A94"}}``);
* generated fields named by a string (``"first_name"``, ``"title"``,
  ``"date_of_birth"``, ...), drawn from the fitted vocabulary of the target
  group or from Mimesis pools for the target gender and locale;
* callables ``f(twins, new_values, rng) -> array``.

A link is fitted with a :class:`FitContext` and generates its column for a
:class:`Batch` of twins; both are plain data handed over by the engine, so a
link never calls back into it. ``generate`` returns the column in factorised
form ``(values, index)`` (see ``_frames``).

A link may also declare, as attributes: ``reads``, columns whose values before
its attribute's links ran it needs (``Batch.before``; such links run last);
``provenance_columns``, integer columns it adds to the provenance, in which
case ``generate`` returns ``(values, index, {column: counts})``; and
``checks_unseen = False`` when its values are new by nature (rewritten text)
and must not be flagged as unseen. Text links (``_text``) use all three.
"""

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._dates import check_dates, shift_dates
from ._frames import factorize, index_codes, is_missing
from ._keys import stable_hash, uniforms
from ._mimesis import mimesis_pool
from ._state import plain_state
from ._style import apply_style, detect_style

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
MAP_MISSING_VALUE = (
    "links[{column!r}] has no entry for {attribute}={value!r}. A value map must "
    "cover every value of the domain {domain!r}."
)
UNKNOWN_GENDER = (
    "Cannot tell which gender {column}={value!r} stands for, which Mimesis needs "
    "for gendered names and titles. Pass genders={{{column!r}: {{{value!r}: "
    "'female' or 'male', ...}}}}."
)


def infer_gender(value):
    """Return ``"female"``, ``"male"`` or None for a value such as ``"Female"``."""
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _FEMALE_WORDS:
            return "female"
        if word in _MALE_WORDS:
            return "male"
    return None


@dataclass(frozen=True)
class FitContext:
    """What a link of one protected attribute learns from.

    Attributes
    ----------
    attribute : label
        The protected attribute the link follows.
    domain : list
        Its values; target codes index this list.
    codes : ndarray
        For each fit row, the position of its attribute value in ``domain``
        (-1 when missing).
    numeric : bool
        Whether the attribute is numeric (an age).
    source : {"auto", "vocabulary", "mimesis"}
        Where generated fields come from.
    locales : list of str
        The Mimesis locale of each domain value.
    genders : list or None
        The gender (``"female"``, ``"male"`` or None when unknown) of each
        domain value, when the attribute is a gender; else None.
    gender_column : label or None
        For an attribute that is not a gender, the data's gender column whose
        value keeps gendered fields of the row's own gender.
    gender_values : list
        The values of ``gender_column`` (``[None]`` without one).
    gender_of_values : list
        Their genders.
    """

    attribute: object
    domain: list
    codes: np.ndarray
    numeric: bool
    source: str
    locales: list
    genders: list | None
    gender_column: object | None
    gender_values: list
    gender_of_values: list


@dataclass(frozen=True)
class Batch:
    """The twins of one attribute being built, as the links see them.

    Attributes
    ----------
    attribute : label
        The protected attribute.
    target : ndarray of int
        Each twin's new value, as a position in the attribute's domain.
    keys : ndarray of uint64
        Each twin's random key (from the seed, its row label and target).
    original, new : ndarray of object
        Each twin's original and new attribute value.
    seed : int
        The augmenter's seed.
    before : dict
        For the columns a link ``reads`` (its optional attribute), their values
        in each twin's row before the links of this attribute ran, as object
        arrays (a text link reads the row's names there).
    """

    attribute: object
    target: np.ndarray
    keys: np.ndarray
    original: np.ndarray
    new: np.ndarray
    seed: int
    before: dict = dataclasses.field(default_factory=dict)


def _check_covers(mapping, column, attribute, domain):
    for value in domain:
        if value not in mapping:
            raise ValueError(
                MAP_MISSING_VALUE.format(
                    column=column, attribute=attribute, value=value, domain=list(domain)
                )
            )


@plain_state
class ValueMapLink:
    """The linked column takes a fixed value per target value."""

    generated = False

    def __init__(self, column, mapping):
        self.column = column
        self.mapping = dict(mapping)

    def fit(self, frame, context):
        _check_covers(self.mapping, self.column, context.attribute, context.domain)
        self.values_ = [self.mapping[value] for value in context.domain]
        return self

    def generate(self, twins, batch):
        return self.values_, batch.target


@plain_state
class TranslationLink:
    """Per target value, translate the linked column's current value."""

    generated = False

    def __init__(self, column, mapping):
        self.column = column
        self.mapping = {target: dict(table) for target, table in mapping.items()}

    def fit(self, frame, context):
        _check_covers(self.mapping, self.column, context.attribute, context.domain)
        self.tables_ = [self.mapping[value] for value in context.domain]
        return self

    def generate(self, twins, batch):
        uniques, inverse = factorize(twins[self.column])
        # candidates: the current values, then every translated value
        candidates = list(uniques)
        index_of = {}
        lookup = np.tile(np.arange(len(uniques)), (len(self.tables_), 1))
        for j, table in enumerate(self.tables_):
            for i, value in enumerate(uniques):
                if is_missing(value) or value not in table:
                    continue
                new = table[value]
                key = (type(new), new)
                if key not in index_of:
                    index_of[key] = len(candidates)
                    candidates.append(new)
                lookup[j, i] = index_of[key]
        return candidates, lookup[batch.target, inverse]


@plain_state
class FieldLink:
    """The linked column is drawn anew for the twin's target group.

    Its fitted state is a list of *strata*, one per target value and (for
    region or origin twins) per gender of the row: each a pool of values with
    cumulative weights, from the fitted vocabulary or from Mimesis.
    """

    def __init__(self, column, field):
        self.column = column
        self.field = field

    @property
    def generated(self):
        """Whether values are drawn: a shifted birth date is not."""
        return self.field != "date_of_birth"

    def fit(self, frame, context):
        column = frame[self.column]
        if self.field == "date_of_birth":
            check_dates(self.column, column, context, frame)
            return self
        # values drawn from Mimesis are written as the column writes its own
        self.style_ = detect_style(column.dropna().unique().tolist())
        # region and origin twins keep the row's gender in gendered fields
        gendered = self.field in GENDERED_FIELDS
        self.gender_column_ = context.gender_column if gendered else None
        self.gender_values_ = list(context.gender_values) if gendered else [None]
        gender_codes = None
        if self.gender_column_ is not None:
            gender_codes = index_codes(frame[self.gender_column_], self.gender_values_)
        self.strata_ = []
        for j in range(len(context.domain)):
            for g in range(len(self.gender_values_)):
                rows = context.codes == j
                if gender_codes is not None:
                    rows &= gender_codes == g
                self.strata_.append(self._pool(column[rows], context, j, g))
        return self

    def _pool(self, observed, context, j, g):
        if self.field != "resample" and context.source == "mimesis":
            return self._mimesis_pool(context, j, g)
        counts = observed.dropna().value_counts(sort=False)
        if len(counts):
            counts = _sorted_counts(counts)
            weights = counts.to_numpy(dtype=float)
            return list(counts.index), (np.cumsum(weights) / weights.sum()).tolist()
        if context.source == "vocabulary" or self.field == "resample":
            where = f"{context.attribute}={context.domain[j]!r}"
            if self.gender_column_ is not None:
                where += f" and {self.gender_column_}={self.gender_values_[g]!r}"
            raise ValueError(
                f"links[{self.column!r}]={self.field!r}: the data has no "
                f"{self.column!r} values for rows with {where}, so there is no "
                "vocabulary to draw from. Fit on data with examples of that "
                "group, or use source='auto' / 'mimesis' to draw from Mimesis pools."
            )
        return self._mimesis_pool(context, j, g)

    def _gender(self, context, j, g):
        if self.field not in GENDERED_FIELDS:
            return None
        if context.genders is not None:
            column, value, gender = (
                context.attribute,
                context.domain[j],
                context.genders[j],
            )
        elif self.gender_column_ is not None:
            column, value, gender = (
                self.gender_column_,
                context.gender_values[g],
                context.gender_of_values[g],
            )
        elif self.field == "last_name":
            return None
        else:
            raise ValueError(
                f"links[{self.column!r}]={self.field!r} draws gendered values "
                f"from Mimesis, but the gender of {context.attribute}="
                f"{context.domain[j]!r} is unknown. Pass genders={{column: {{value: "
                "'female' or 'male'}} for the protected attribute or for the "
                "data's gender column."
            )
        if gender not in ("female", "male"):
            raise ValueError(UNKNOWN_GENDER.format(column=column, value=value))
        return gender

    def _mimesis_pool(self, context, j, g):
        locale = context.locales[j]
        gender = self._gender(context, j, g)
        style = getattr(self, "style_", None)
        if self.field == "full_name":
            first = [
                apply_style(v, style)
                for v in mimesis_pool(locale, "first_name", gender)
            ]
            last = [
                apply_style(v, style) for v in mimesis_pool(locale, "last_name", gender)
            ]
            return [first, last], None
        pool = [apply_style(v, style) for v in mimesis_pool(locale, self.field, gender)]
        cumulative = (np.arange(1, len(pool) + 1, dtype=float) / len(pool)).tolist()
        return pool, cumulative

    def generate(self, twins, batch):
        if self.field == "date_of_birth":
            return shift_dates(batch, twins, self.column)
        u = uniforms(batch.keys, stable_hash("field", self.column))
        n_genders = len(self.gender_values_)
        strata = np.zeros(len(batch.target), dtype=np.int64)
        if self.gender_column_ is not None:
            strata = index_codes(twins[self.gender_column_], self.gender_values_)
            strata = np.where(strata < 0, 0, strata)
        stratum = batch.target.astype(np.int64) * n_genders + strata
        values = []
        indices = np.empty(len(batch.target), dtype=np.int64)
        for s in np.flatnonzero(np.bincount(stratum)):
            rows = stratum == s
            pool, cumulative = self.strata_[s]
            if cumulative is None:  # a full name from first and last name pools
                names = _full_names(pool, u[rows])
                uniq, inv = np.unique(names, return_inverse=True)
                indices[rows] = len(values) + inv
                values.extend(uniq.tolist())
                continue
            picked = searchsorted_right(np.asarray(cumulative), u[rows])
            picked = np.minimum(picked, len(pool) - 1)
            indices[rows] = len(values) + picked
            values.extend(pool)
        return values, indices


def searchsorted_right(cumulative, u):
    """``np.searchsorted(cumulative, u, side="right")``, exactly, for many ``u``.

    ``u`` in [0, 1). A guide table over ``K`` (a power of two) equal buckets
    of [0, 1) holds the answer for each bucket's edges: ``b = floor(u * K)``
    is exact, and the answer for ``u`` lies between those of ``b / K`` and
    ``(b + 1) / K``. Where they agree (most buckets, when ``K`` is several
    times the pool), that is the answer; the rest are searched as usual.

    Examples
    --------
    >>> import numpy as np
    >>> c = np.array([0.25, 0.5, 0.5, 1.0])
    >>> u = np.array([0.0, 0.25, 0.3, 0.5, 0.99])
    >>> searchsorted_right(c, u).tolist() == np.searchsorted(c, u, "right").tolist()
    True
    """
    if len(u) < max(1024, 4 * len(cumulative)) or not (
        u.min() >= 0.0 and u.max() < 1.0
    ):
        return np.searchsorted(cumulative, u, side="right")
    k = 1 << int(min(20, max(10, np.ceil(np.log2(4 * len(cumulative))))))
    edges = np.searchsorted(cumulative, np.arange(k + 1, dtype=float) / k, side="right")
    bucket = (u * k).astype(np.int64)  # exact: k is a power of two
    low, high = edges[bucket], edges[bucket + 1]
    open_ = np.flatnonzero(low != high)
    if len(open_):
        low[open_] = np.searchsorted(cumulative, u[open_], side="right")
    return low


def _full_names(pools, u):
    """``first last`` names from two pools, both indices taken from ``u``."""
    first, last = pools
    scaled = u * len(first)
    i = np.minimum(scaled.astype(np.int64), len(first) - 1)
    k = np.minimum(((scaled - i) * len(last)).astype(np.int64), len(last) - 1)
    return np.char.add(np.char.add(np.asarray(first)[i], " "), np.asarray(last)[k])


@plain_state
class CallableLink:
    """The linked column is computed by ``func(twins, new_values, rng)``."""

    elementwise = False  # one generator draws for a whole block of twins

    generated = True

    def __init__(self, column, func):
        self.column = column
        self.func = func

    def fit(self, frame, context):
        return self

    def generate(self, twins, batch):
        rng = np.random.default_rng(
            [batch.seed, int(stable_hash("callable", batch.attribute, self.column))]
        )
        out = self.func(twins, batch.new, rng)
        try:
            array = None if out is None else np.asarray(out, dtype=object)
        except ValueError:  # nested sequences of uneven depth
            array = np.asarray(None)
        if array is None or array.ndim != 1 or len(array) != len(twins):
            if array is None:
                got = "None"
            elif array.ndim != 1:
                got = f"an array of shape {array.shape!r}"
            else:
                got = f"{len(array)} values"
            raise ValueError(
                f"links[{self.column!r}] returned {got} for {len(twins)} twins; a "
                "callable link must return one value per twin."
            )
        values = pd.Series(array)
        try:
            return factorize(values)
        except TypeError:
            raise ValueError(
                f"links[{self.column!r}] returned values that are not column "
                f"values, such as {values.iloc[0]!r}; return one value per twin."
            ) from None


def _sorted_counts(counts):
    try:
        return counts.sort_index()
    except TypeError:
        order = sorted(range(len(counts)), key=lambda i: repr(counts.index[i]))
        return counts.iloc[order]
