"""The twin engine: value domains, twin frames and their provenance.

Pure pandas/numpy; it knows nothing of models. :class:`TwinEngine` is fitted
once (domains, link vocabularies, values seen in fitting) and then builds the
twins of any frame with the same columns.
"""

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._keys import combine, label_hashes, stable_hash, uniforms
from ._links import (
    cast_values,
    check_locale,
    infer_gender,
    normalise_links,
)

SINGLE_VALUE_DOMAIN = (
    "The domain of {attribute!r} has a single value {values!r}; a twin needs "
    "another value. Pass values={{{attribute!r}: [...]}} with at least two values "
    "(in cross-validation a fold can lack a group: give the scorer its values)."
)
MISSING_PROTECTED = (
    "The protected column {attribute!r} has {count} missing value(s). Impute or "
    "drop them first, or pass missing='skip' to build no twins for those rows."
)
PROVENANCE_COLUMNS = (
    "source_position",
    "attribute",
    "original",
    "new",
    "kind",
    "unseen",
)


class UnlinkedMirrorWarning(UserWarning):
    """A column encodes a protected attribute one to one but is not linked.

    Twins would keep that column's value, so a model that reads it instead of
    the attribute shows no flip: link the column (a value map) or, if the
    match is a coincidence, silence the warning.

    Examples
    --------
    >>> import warnings
    >>> import pandas as pd
    >>> from skcounterfactual import CounterfactualAugmenter, UnlinkedMirrorWarning
    >>> X = pd.DataFrame({"gender": ["F", "M"] * 10, "code": [0, 1] * 10})
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = CounterfactualAugmenter(protected="gender").fit(X)
    >>> caught[0].category is UnlinkedMirrorWarning
    True
    """


class _Seen:
    """Values a column held in the fit data: a set, or a range for numbers."""

    def __init__(self, series):
        observed = series.dropna()
        self.dates = pd.api.types.is_datetime64_any_dtype(series.dtype)
        self.numeric = self.dates or (
            pd.api.types.is_numeric_dtype(series.dtype)
            and not pd.api.types.is_bool_dtype(series.dtype)
        )
        if self.numeric and len(observed):
            self.low, self.high = observed.min(), observed.max()
            self.values = None
        else:
            self.numeric = False
            self.values = pd.Index(pd.unique(observed.to_numpy(dtype=object)))

    def unseen(self, values):
        """Return a boolean array: which of ``values`` were never seen."""
        values = pd.Series(list(values), dtype=object)
        missing = values.isna().to_numpy()
        if self.numeric and self.dates:
            moments = pd.to_datetime(values, errors="coerce", utc=False)
            out = ((moments < self.low) | (moments > self.high)).to_numpy()
        elif self.numeric:
            numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
            out = (numbers < self.low) | (numbers > self.high) | np.isnan(numbers)
        else:
            out = ~values.isin(self.values).to_numpy()
        return out & ~missing


@dataclass
class _Batch:
    """What links may read about the twins being built."""

    attribute: object
    original: np.ndarray
    new: np.ndarray


class _CallContext:
    """What one build call shows its links: the engine plus this batch.

    Kept per call (not on the engine) so that concurrent builds never mix.
    """

    def __init__(self, engine, batch):
        self._engine = engine
        self.batch = batch

    def __getattr__(self, name):
        return getattr(self._engine, name)

    def shift_dates(self, twins, column):
        return _shift_dates(self.batch, twins, column)


def _shift_dates(batch, twins, column):
    """Move birth dates by the age difference: exact ages, same birthday."""
    delta = pd.to_numeric(pd.Series(batch.new), errors="coerce") - pd.to_numeric(
        pd.Series(batch.original), errors="coerce"
    )
    delta = delta.to_numpy(dtype=float)
    if np.any(np.isfinite(delta) & (delta != np.round(delta))):
        raise ValueError(
            f"links[{column!r}]='date_of_birth' needs whole-year age changes; "
            f"{batch.attribute!r} changes by fractions of a year."
        )
    delta = np.nan_to_num(delta).astype(np.int64)
    current = twins[column]
    as_text = not pd.api.types.is_datetime64_any_dtype(current)
    dates = pd.to_datetime(current, format="ISO8601") if as_text else current
    shifted = _shift_years(dates, -delta)
    if as_text:
        shifted = shifted.dt.strftime("%Y-%m-%d").where(current.notna())
    inverse, uniques = pd.factorize(shifted, use_na_sentinel=False)
    return list(uniques), inverse


@dataclass
class TwinEngine:
    """Fitted state of the twin builder (see :class:`CounterfactualAugmenter`)."""

    protected: list
    values: dict | None = None
    links: dict | None = None
    locales: dict | None = None
    genders: dict | None = None
    source: str = "auto"
    default_locale: str = "en"
    n_twins: int | None = None
    intersectional: bool = False
    missing: str = "error"
    strict: bool = False
    seed: int = 0
    domains_: dict = field(default_factory=dict)
    links_: dict = field(default_factory=dict)
    seen_: dict = field(default_factory=dict)
    dtypes_: dict = field(default_factory=dict)

    # ------------------------------------------------------------------ fit
    def fit(self, frame):
        """Learn value domains, link vocabularies and the values seen."""
        values = self.values or {}
        unknown = [key for key in values if key not in self.protected]
        if unknown:
            raise ValueError(
                f"values names {unknown!r}, which are not protected attributes "
                f"(protected={self.protected!r})."
            )
        self.locale_maps_ = {}
        for attribute, table in (self.locales or {}).items():
            if attribute not in self.protected:
                raise ValueError(
                    f"locales names {attribute!r}, which is not a protected "
                    f"attribute (protected={self.protected!r})."
                )
            self.locale_maps_[attribute] = {
                value: check_locale(locale, f"locales[{attribute!r}][{value!r}]")
                for value, locale in table.items()
            }
        self.default_locale_ = check_locale(self.default_locale, "default_locale")
        for column in self.genders or {}:
            if column not in frame.columns:
                raise ValueError(
                    f"genders names {column!r}, which is not a column of X. "
                    f"Available columns: {list(frame.columns)!r}."
                )
        for attribute in self.protected:
            column = frame[attribute]
            self._check_missing(column, attribute)
            self.dtypes_[attribute] = column.dtype
            if attribute in values:
                domain = _as_list(values[attribute], attribute)
                if self.strict:
                    observed = _observed_domain(column)
                    never = [v for v in domain if v not in observed]
                    if never:
                        raise ValueError(
                            f"values[{attribute!r}] contains {never!r}, never seen in "
                            f"column {attribute!r} of the fit data (strict=True). "
                            f"Observed values: {observed[:20]!r}."
                        )
            else:
                try:
                    domain = _observed_domain(column)
                except TypeError as exc:
                    raise TypeError(
                        f"The protected column {attribute!r} holds values that cannot "
                        f"be hashed ({exc}); a protected attribute must hold strings, "
                        "numbers, booleans or dates."
                    ) from None
            if len(domain) < 2 and not (
                self.intersectional and len(self.protected) > 1
            ):
                raise ValueError(
                    SINGLE_VALUE_DOMAIN.format(attribute=attribute, values=domain)
                )
            cast_values(domain, column.dtype, attribute)  # fail early on a bad value
            self.domains_[attribute] = domain
            self.seen_[attribute] = _Seen(column)
            if attribute in self.locale_maps_:
                lacking = [v for v in domain if v not in self.locale_maps_[attribute]]
                if lacking:
                    raise ValueError(
                        f"locales[{attribute!r}] has no locale for {lacking!r}; map "
                        f"every value of the domain {domain!r} to a Mimesis locale."
                    )
        if self.intersectional and len(self.protected) > 1:
            total = int(np.prod([len(self.domains_[a]) for a in self.protected]))
            if total < 2:
                raise ValueError(
                    "The intersectional domain has a single combination; a twin "
                    "needs another one. Give more values."
                )
        self.links_ = normalise_links(self.links, list(self.protected))
        for attribute, links in self.links_.items():
            for link in links:
                if link.column not in frame.columns:
                    raise ValueError(
                        f"links names {link.column!r}, which is not a column of X. "
                        f"Available columns: {list(frame.columns)!r}."
                    )
                link.fit(frame, attribute, self.domains_[attribute], self)
                self.seen_[link.column] = _Seen(frame[link.column])
        self.columns_ = list(frame.columns)
        self._warn_unlinked_mirrors(frame)
        return self

    def _warn_unlinked_mirrors(self, frame):
        """Warn about a column that encodes a protected attribute but is not linked.

        The commonest mistake in a twin audit: ``gender`` changes, its numeric
        copy ``gender_code`` does not, and a model that reads the copy shows
        no flip at all.
        """
        if len(frame) < 20:  # in a handful of rows columns co-vary by chance
            return
        linked = {link.column for links in self.links_.values() for link in links}
        for attribute in self.protected:
            source = frame[attribute]
            n_values = source.nunique()
            # a categorical attribute, each value shared by several rows; in a
            # continuous one every unique column would look like a mirror
            if n_values < 2 or n_values > min(50, len(frame) // 5):
                continue
            for column in frame.columns:
                if column in linked or column in self.protected:
                    continue
                other = frame[column]
                if other.nunique() != n_values or other.isna().any():
                    continue
                pairs = (
                    pd.DataFrame({"a": source, "b": other}).dropna().drop_duplicates()
                )
                if len(pairs) == n_values:
                    warnings.warn(
                        f"Column {column!r} mirrors the protected attribute "
                        f"{attribute!r} one to one but is not linked, so twins keep "
                        f"its value and a model reading it will not flip. Link it, "
                        f"e.g. links={{{column!r}: {{value: mirrored, ...}}}}.",
                        UnlinkedMirrorWarning,
                        stacklevel=4,
                    )

    # ------------------------------------------------- context for the links
    def is_numeric(self, attribute):
        dtype = self.dtypes_[attribute]
        return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(
            dtype
        )

    def codes(self, series, attribute):
        return index_codes(series, self.domains_[attribute])

    @staticmethod
    def index_codes(series, values):
        return index_codes(series, values)

    def domain_values(self, attribute):
        return self.domains_[attribute]

    def is_gender_attribute(self, attribute):
        if attribute in (self.genders or {}):
            return True
        domain = self.domains_.get(attribute, [])
        return bool(domain) and all(infer_gender(v) for v in domain)

    def gender_of(self, column, value):
        table = (self.genders or {}).get(column)
        gender = table.get(value) if table else infer_gender(value)
        if gender not in ("female", "male"):
            raise ValueError(
                f"Cannot tell which gender {column}={value!r} stands for, which "
                "Mimesis needs for gendered names and titles. Pass "
                f"genders={{{column!r}: {{{value!r}: 'female' or 'male', ...}}}}."
            )
        return gender

    def gender_column_for(self, attribute, field_name):
        from ._links import GENDERED_FIELDS

        if field_name not in GENDERED_FIELDS or self.is_gender_attribute(attribute):
            return None
        candidates = [c for c in (self.genders or {}) if c != attribute]
        return candidates[0] if candidates else None

    def gender_values(self, column):
        return list(self.genders[column])

    def locale_for(self, attribute, value):
        return self.locale_maps_.get(attribute, {}).get(value, self.default_locale_)

    # ---------------------------------------------------------------- build
    def factors(self):
        """Return the attribute groups twins are built for."""
        if self.intersectional and len(self.protected) > 1:
            return [tuple(self.protected)]
        return [(attribute,) for attribute in self.protected]

    def build(self, frame, *, include_original=False, placebo=False):
        """Return ``(twin_frame, provenance, unseen_values)`` for ``frame``."""
        for attribute in self.protected:
            self._check_missing(frame[attribute], attribute)
        row_hashes = label_hashes(frame.index)
        blocks = []
        unseen_values = {}
        for factor in self.factors():
            blocks.append(
                self._build_factor(frame, factor, row_hashes, False, unseen_values)
            )
            if placebo:
                blocks.append(
                    self._build_factor(frame, factor, row_hashes, True, unseen_values)
                )
        if include_original:
            original = pd.DataFrame(
                {
                    "source_position": np.arange(len(frame), dtype=np.int64),
                    "attribute": pd.Series([None] * len(frame), dtype=object),
                    "original": pd.Series([None] * len(frame), dtype=object),
                    "new": pd.Series([None] * len(frame), dtype=object),
                    "kind": _kinds("original", len(frame)),
                    "unseen": False,
                }
            )
            original.index = frame.index
            blocks.insert(0, (frame, original))
        twins = concat_frames([b[0] for b in blocks])
        provenance = pd.concat([b[1] for b in blocks])
        if include_original:
            order = np.argsort(provenance["source_position"].to_numpy(), kind="stable")
            twins = twins.take(order)
            provenance = provenance.take(order)
        return (
            twins,
            provenance,
            {k: sorted(v, key=repr) for k, v in unseen_values.items()},
        )

    def _targets(self, own, sizes, row_hashes, factor):
        """Source positions and composite target codes of every twin."""
        n_combos = int(np.prod(sizes))
        n_rows = len(own)
        combos = np.arange(n_combos)
        if self.n_twins is None or self.n_twins >= n_combos - 1:
            pos, target = [], []
            chunk = max(1, 2**22 // n_combos)
            for start in range(0, n_rows, chunk):
                block = own[start : start + chunk]
                mask = combos[None, :] != block[:, None]
                p, t = np.nonzero(mask)
                pos.append(p + start)
                target.append(t)
            return np.concatenate(pos), np.concatenate(target)
        combo_keys = np.array(
            [stable_hash(self.seed, "sample", factor, c) for c in combos],
            dtype=np.uint64,
        )
        pos, target = [], []
        chunk = max(1, 2**22 // n_combos)
        for start in range(0, n_rows, chunk):
            rows = row_hashes[start : start + chunk]
            block = own[start : start + chunk]
            scores = uniforms(combine(rows[:, None], combo_keys[None, :]), 0x5EED)
            scores[np.arange(len(block)), np.where(block >= 0, block, 0)] = np.where(
                block >= 0, np.inf, scores[np.arange(len(block)), 0]
            )
            chosen = np.sort(np.argsort(scores, axis=1)[:, : self.n_twins], axis=1)
            pos.append(np.repeat(np.arange(start, start + len(block)), self.n_twins))
            target.append(chosen.ravel())
        return np.concatenate(pos), np.concatenate(target)

    def _build_factor(self, frame, factor, row_hashes, placebo, unseen_values):
        sizes = [len(self.domains_[a]) for a in factor]
        strides = np.cumprod([1] + sizes[:0:-1])[::-1]
        own = np.zeros(len(frame), dtype=np.int64)
        valid = np.ones(len(frame), dtype=bool)
        for attribute, stride in zip(factor, strides, strict=True):
            codes = self.codes(frame[attribute], attribute)
            valid &= codes >= 0
            own += codes * stride
        own[~valid] = -1
        skip = np.zeros(len(frame), dtype=bool)
        for attribute in factor:
            skip |= frame[attribute].isna().to_numpy()
        if placebo:
            pos = np.flatnonzero(valid & ~skip)
            target = own[pos]
        else:
            pos, target = self._targets(own, sizes, row_hashes, factor)
            if skip.any():
                keep = ~skip[pos]
                pos, target = pos[keep], target[keep]
        twins = frame.take(pos)
        unseen = np.zeros(len(pos), dtype=bool)
        row_keys = row_hashes[pos]
        digits = {}
        for attribute, stride, size in zip(factor, strides, sizes, strict=True):
            digit = (target // stride) % size
            digits[attribute] = digit
            domain = self.domains_[attribute]
            column = cast_values(domain, frame[attribute].dtype, attribute)
            _assign(twins, attribute, column.take(digit))
            unseen |= self._unseen(attribute, domain, digit, unseen_values)
        originals = {}
        for attribute in factor:
            digit = digits[attribute]
            domain = self.domains_[attribute]
            target_keys = np.array(
                [stable_hash(self.seed, attribute, v) for v in domain], dtype=np.uint64
            )
            keys = combine(row_keys, target_keys[digit])
            original = originals[attribute] = _object_take(frame[attribute], pos)
            new = np.asarray(domain + [None], dtype=object)[:-1][digit]
            context = _CallContext(self, _Batch(attribute, original, new))
            for link in self.links_[attribute]:
                values, index = link.generate(twins, digit, keys, context)
                column = cast_values(values, frame[link.column].dtype, link.column)
                _assign(
                    twins, link.column, column.take(np.asarray(index, dtype=np.int64))
                )
                unseen |= self._unseen(link.column, values, index, unseen_values)
        if len(factor) == 1:
            attribute = factor[0]
            name = attribute if isinstance(attribute, str) else str(attribute)
            original = originals[attribute]
            new = np.asarray(self.domains_[attribute] + [None], dtype=object)[:-1][
                digits[attribute]
            ]
        else:
            name = " & ".join(str(a) for a in factor)
            original = _tuples([originals[a] for a in factor])
            new = _tuples(
                [
                    np.asarray(self.domains_[a] + [None], dtype=object)[:-1][digits[a]]
                    for a in factor
                ]
            )
        provenance = pd.DataFrame(
            {
                "source_position": pos.astype(np.int64),
                "attribute": pd.Series([name] * len(pos), dtype=object),
                "original": pd.Series(original, dtype=object),
                "new": pd.Series(new, dtype=object),
                "kind": _kinds("placebo" if placebo else "twin", len(pos)),
                "unseen": unseen,
            }
        )
        provenance.index = twins.index
        return twins, provenance

    def _unseen(self, column, values, index, unseen_values):
        flags = self.seen_[column].unseen(values)
        if not flags.any():
            return np.zeros(len(index), dtype=bool)
        index = np.asarray(index, dtype=np.int64)
        hit = flags[index]
        used = np.unique(index[hit])
        if len(used):
            unseen_values.setdefault(column, set()).update(values[i] for i in used)
        return hit

    def _check_missing(self, column, attribute):
        count = int(column.isna().sum())
        if count and self.missing == "error":
            raise ValueError(MISSING_PROTECTED.format(attribute=attribute, count=count))


KINDS = ("original", "twin", "placebo")


def _assign(frame, column, values):
    """Set a column, keeping an object dtype (pandas would infer ``str``)."""
    if pd.api.types.is_object_dtype(getattr(values, "dtype", None)):
        values = pd.Series(
            np.asarray(values, dtype=object), index=frame.index, dtype=object
        )
    frame[column] = values


def _kinds(kind, n):
    codes = np.full(n, KINDS.index(kind), dtype=np.int8)
    return pd.Categorical.from_codes(codes, categories=list(KINDS))


def index_codes(series, values):
    """Return each element's position in ``values`` (-1 if absent or missing).

    Factorises the column first, so only its distinct values are looked up.
    """
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    lookup = np.append(pd.Index(list(values)).get_indexer(uniques), -1)
    return lookup[codes]


def _object_take(series, positions):
    """``series`` values at ``positions`` as an object array, via its uniques."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    table = np.empty(len(uniques) + 1, dtype=object)
    table[:-1] = list(uniques)
    table[-1] = None
    return table[codes[positions]]


def _tuples(columns):
    out = np.empty(len(columns[0]), dtype=object)
    out[:] = list(zip(*columns, strict=True))
    return out


def _as_list(values, attribute):
    if isinstance(values, str) or not hasattr(values, "__iter__"):
        raise TypeError(
            f"values[{attribute!r}] must be a list of values such as "
            f"['Female', 'Male'], got {type(values).__name__}: {values!r}."
        )
    out = []
    for value in values:
        value = value.item() if isinstance(value, np.generic) else value
        if value not in out:
            out.append(value)
    return out


def _observed_domain(column):
    if isinstance(column.dtype, pd.CategoricalDtype):
        present = set(column.dropna().unique())
        return [c for c in column.cat.categories if c in present]
    uniques = pd.unique(column.dropna().to_numpy(dtype=object))
    uniques = [u.item() if isinstance(u, np.generic) else u for u in uniques]
    try:
        return sorted(uniques)
    except TypeError:
        return sorted(uniques, key=repr)


def _shift_years(dates, years):
    """Shift datetimes by whole years, Feb 29 to Feb 28 in common years."""
    dates = pd.Series(dates)
    tz = getattr(dates.dt, "tz", None)
    local = dates.dt.tz_localize(None) if tz is not None else dates
    year = local.dt.year.to_numpy(dtype=float) + years
    month = local.dt.month.to_numpy(dtype=float)
    day = local.dt.day.to_numpy(dtype=float)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    day = np.where((month == 2) & (day == 29) & ~leap, 28, day)
    clock = (local - local.dt.normalize()).to_numpy()
    shifted = (
        pd.to_datetime(
            pd.DataFrame({"year": year, "month": month, "day": day}), errors="coerce"
        ).to_numpy()
        + clock
    )
    out = pd.Series(shifted, index=dates.index).astype(local.dtype)
    if tz is not None:
        out = out.dt.tz_localize(tz)
    return out


def concat_frames(frames):
    """Concatenate frames, uniting categorical categories instead of losing them."""
    frames = list(frames)
    if len(frames) == 1:
        return frames[0]
    for column in frames[0].columns:
        dtypes = [f[column].dtype for f in frames]
        if all(isinstance(d, pd.CategoricalDtype) for d in dtypes):
            categories = dtypes[0].categories
            for d in dtypes[1:]:
                extra = d.categories.difference(categories, sort=False)
                if len(extra):
                    categories = categories.append(extra)
            union = pd.CategoricalDtype(categories, dtypes[0].ordered)
            frames = [_with_categories(f, column, union) for f in frames]
    return pd.concat(frames)


def _with_categories(frame, column, dtype):
    if frame[column].dtype == dtype:
        return frame
    frame = frame.copy(deep=False)
    frame[column] = frame[column].astype(dtype)
    return frame
