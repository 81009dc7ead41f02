"""The twin engine of :class:`CounterfactualAugmenter`: twin frames, provenance.

Pure pandas/numpy; it knows nothing of models. :class:`TwinEngine` is fitted
once (domains, link vocabularies, values seen in fitting) and then builds the
twins of any frame with the same columns. It hands each link a
:class:`~._links.FitContext` when fitting and a :class:`~._links.Batch` when
building, so links never reach back into it.
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._coherence import CoherenceCheck, warn_incoherent
from ._continuous import bin_edges, resolve_domain, warn_large_domain
from ._domains import (
    SeenValues,
    as_value_list,
    observed_domain,
    warn_unlinked_mirrors,
)
from ._frames import (
    assign,
    cast_values,
    concat_frames,
    index_codes,
    object_take,
    tuples,
)
from ._keys import combine, label_hashes, mix, stable_hash, uniforms
from ._links import Batch, FitContext, infer_gender
from ._linkspec import normalise_links
from ._mimesis import check_locale
from ._pairing import suggest_link
from ._plan import check_factor, check_twin_count, combinations, twins_per_row
from ._state import plain_state

SINGLE_VALUE_DOMAIN = (
    "The domain of {attribute!r} has a single value {values!r}; a twin needs "
    "another value. Pass values={{{attribute!r}: [...]}} with at least two values "
    "(in cross-validation a fold can lack a group: fit the augmenter on the "
    "whole data first)."
)
ONE_SAMPLE = "X has 1 sample, so each protected attribute holds one value. "
MISSING_PROTECTED = (
    "The protected column {attribute!r} has {count} missing value(s). Impute or "
    "drop them first, or pass missing='skip' to build no twins for those rows."
)
KINDS = ("original", "twin", "placebo")


@plain_state
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
    intersectional: object = False
    missing: str = "error"
    strict: bool = False
    seed: int = 0
    coherence: tuple | None = None
    domains_: dict = field(default_factory=dict)
    links_: dict = field(default_factory=dict)
    seen_: dict = field(default_factory=dict)
    extra_columns_: list = field(default_factory=list)
    coherence_: dict = field(default_factory=dict)
    bins_: dict = field(default_factory=dict)

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
        locale_maps = self._locale_maps()
        for column in self.genders or {}:
            if column not in frame.columns:
                raise ValueError(
                    f"genders names {column!r}, which is not a column of X. "
                    f"Available columns: {list(frame.columns)!r}."
                )
        combined_only = self.intersectional is True and len(self.protected) > 1
        self.bins_ = {}
        for attribute in self.protected:
            column = frame[attribute]
            self.check_missing(column, attribute)
            domain = self._domain(column, attribute, values)
            if not combined_only:  # refused before a warning could be given
                check_factor(
                    self.factor_name((attribute,)), [len(domain)], self.n_twins
                )
                warn_large_domain(attribute, domain, self.n_twins)
            if len(domain) < 2 and not combined_only:
                message = SINGLE_VALUE_DOMAIN.format(attribute=attribute, values=domain)
                if len(frame) == 1 and attribute not in values:
                    message = ONE_SAMPLE + message
                raise ValueError(message)
            cast_values(domain, column.dtype, attribute)  # fail early on a bad value
            lacking = [v for v in domain if v not in locale_maps.get(attribute, domain)]
            if lacking:
                raise ValueError(
                    f"locales[{attribute!r}] has no locale for {lacking!r}; map "
                    f"every value of the domain {domain!r} to a Mimesis locale."
                )
            self.domains_[attribute] = domain
            self.seen_[attribute] = SeenValues(column)
        if combined_only:
            total = combinations(len(self.domains_[a]) for a in self.protected)
            if total < 2:
                raise ValueError(
                    "The intersectional domain has a single combination; a twin "
                    "needs another one. Give more values."
                )
        for factor in self.factors():  # before anything is built
            sizes = [len(self.domains_[a]) for a in factor]
            check_factor(self.factor_name(factor), sizes, self.n_twins)
        self.links_ = normalise_links(self.links, list(self.protected))
        for attribute, links in self.links_.items():
            context = self._fit_context(frame, attribute, locale_maps)
            for link in links:
                if link.column not in frame.columns:
                    raise ValueError(
                        f"links names {link.column!r}, which is not a column of X. "
                        f"Available columns: {list(frame.columns)!r}."
                    )
                link.fit(frame, context)
                if getattr(link, "checks_unseen", True):
                    self.seen_[link.column] = SeenValues(frame[link.column])
        self.extra_columns_ = list(
            dict.fromkeys(
                column
                for links in self.links_.values()
                for link in links
                for column in getattr(link, "provenance_columns", ())
            )
        )
        linked = {link.column for links in self.links_.values() for link in links}
        self._fit_coherence(frame, linked)
        return self

    def _fit_coherence(self, frame, linked):
        """Learn the supported combinations and warn about mirrors, then the rest.

        The coherence check counts every column against each attribute; the
        mirror check reads its counts instead of counting again.
        """
        self.coherence_ = {}
        profiles = {}
        for attribute in self.protected if self.coherence is not None else []:
            if attribute in self.bins_:
                continue  # a continuous attribute has no groups to judge
            own_links = {link.column for link in self.links_[attribute]}
            check = CoherenceCheck(attribute, self.domains_[attribute], *self.coherence)
            check.fit(frame, set(self.protected) | own_links, suggest_link)
            if check._profiles is not None and attribute not in (self.values or {}):
                profiles[attribute] = (len(self.domains_[attribute]), check._profiles)
            check._profiles = None  # only needed here
            self.coherence_[attribute] = check
        mirrors = warn_unlinked_mirrors(frame, self.protected, linked, profiles)
        for attribute, check in self.coherence_.items():
            for column in check.columns_:
                if (attribute, column.column) not in mirrors:
                    warn_incoherent(
                        attribute, column, coherence=self.coherence, stacklevel=5
                    )

    def suggested_links(self):
        """Return the links proposed for incoherent columns, in ``links=`` shape."""
        out = {
            attribute: {c.column: c.suggestion for c in check.columns_}
            for attribute, check in self.coherence_.items()
        }
        if len(self.protected) == 1:
            return out.get(self.protected[0], {})
        return {attribute: links for attribute, links in out.items() if links}

    def _locale_maps(self):
        maps = {}
        for attribute, table in (self.locales or {}).items():
            if attribute not in self.protected:
                raise ValueError(
                    f"locales names {attribute!r}, which is not a protected "
                    f"attribute (protected={self.protected!r})."
                )
            maps[attribute] = {
                value: check_locale(locale, f"locales[{attribute!r}][{value!r}]")
                for value, locale in table.items()
            }
        self.default_locale_ = check_locale(self.default_locale, "default_locale")
        return maps

    def _domain(self, column, attribute, values):
        """Return the attribute's domain; note the bins of a continuous one."""
        spec = values.get(attribute)
        try:
            domain, continuous = resolve_domain(
                column, spec, attribute, observed_domain, as_value_list
            )
        except TypeError as exc:
            if spec is not None:
                raise
            raise TypeError(
                f"The protected column {attribute!r} holds values that cannot "
                f"be hashed ({exc}): as a protected value, the argument must be "
                "a string, a number, a boolean or a date. Convert the column "
                "first (e.g. to strings)."
            ) from None
        if continuous and len(domain) >= 2:
            self.bins_[attribute] = bin_edges(domain)
        if spec is None or isinstance(spec, str | int):
            return domain  # observed values, or quantiles of them
        if self.strict:
            observed = observed_domain(column)
            never = [v for v in domain if v not in observed]
            if never:
                raise ValueError(
                    f"values[{attribute!r}] contains {never!r}, never seen in "
                    f"column {attribute!r} of the fit data (strict=True). "
                    f"Observed values: {observed[:20]!r}."
                )
        return domain

    def _fit_context(self, frame, attribute, locale_maps):
        """Return what the links of ``attribute`` may know, computed once."""
        domain = self.domains_[attribute]
        dtype = frame[attribute].dtype
        genders = None
        if self._is_gender_attribute(attribute):
            genders = [self._gender_of(attribute, value) for value in domain]
        gender_column, gender_values = None, [None]
        if genders is None:
            others = [c for c in (self.genders or {}) if c != attribute]
            if others:
                gender_column = others[0]
                gender_values = list(self.genders[gender_column])
        locales = locale_maps.get(attribute, {})
        return FitContext(
            attribute=attribute,
            domain=domain,
            codes=index_codes(frame[attribute], domain),
            numeric=bool(
                pd.api.types.is_numeric_dtype(dtype)
                and not pd.api.types.is_bool_dtype(dtype)
            ),
            source=self.source,
            locales=[locales.get(value, self.default_locale_) for value in domain],
            genders=genders,
            gender_column=gender_column,
            gender_values=gender_values,
            gender_of_values=[
                self._gender_of(gender_column, value) for value in gender_values
            ],
        )

    def _is_gender_attribute(self, attribute):
        if attribute in (self.genders or {}):
            return True
        domain = self.domains_.get(attribute, [])
        return bool(domain) and all(infer_gender(v) for v in domain)

    def _gender_of(self, column, value):
        if column is None:
            return None
        table = (self.genders or {}).get(column)
        return table.get(value) if table else infer_gender(value)

    # ---------------------------------------------------------------- build
    def factors(self):
        """Return the attribute groups twins are built for, in order."""
        singles = [(attribute,) for attribute in self.protected]
        if len(self.protected) < 2 or self.intersectional is False:
            return singles
        combined = [tuple(self.protected)]
        return combined if self.intersectional is True else singles + combined

    def factor_name(self, factor):
        """Return a factor's name in the provenance: the column, or ``"a & b"``."""
        if len(factor) == 1:
            return factor[0] if isinstance(factor[0], str) else str(factor[0])
        return " & ".join(str(a) for a in factor)

    def has_generated_link(self, factor):
        """Whether a link of ``factor`` draws values (so placebo twins differ)."""
        return any(link.generated for a in factor for link in self.links_[a])

    def build(self, frame, *, include_original=False, placebo=False):
        """Return ``(twin_frame, provenance, unseen_values)`` for ``frame``.

        ``placebo`` is True, False or ``"auto"`` (placebo twins for the
        factors that have a generated link).
        """
        for attribute in self.protected:
            self.check_missing(frame[attribute], attribute)
        own_codes = {}  # per factor, shared by the plan, twins and placebo twins
        for factor in self.factors():
            sizes = [len(self.domains_[a]) for a in factor]
            strides = np.cumprod([1] + sizes[:0:-1])[::-1]
            own_codes[factor] = self._own_codes(frame, factor, strides)
        check_twin_count(self.planned(frame, placebo, own_codes), len(frame))
        row_hashes = label_hashes(frame.index)
        blocks = []
        unseen_values = {}
        for factor in self.factors():
            codes = own_codes[factor]
            auto = placebo == "auto" and self.has_generated_link(factor)
            kinds_built = [False]
            if placebo is True or auto:
                # twins and placebo twins in one block when every link draws
                # twin by twin (a callable draws from one generator per block)
                together = all(
                    getattr(link, "elementwise", True)
                    for a in factor
                    for link in self.links_[a]
                )
                kinds_built = ["both"] if together else [False, True]
            for kind in kinds_built:
                blocks.append(
                    self._build_factor(
                        frame, factor, row_hashes, kind, unseen_values, codes
                    )
                )
        if include_original:
            original = _original_provenance(frame)
            if self.coherence is not None:
                original["incoherent"] = False
            for column in self.extra_columns_:
                original[column] = pd.array([pd.NA] * len(frame), dtype="Int64")
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

    def planned(self, frame, placebo, own_codes=None):
        """Return how many twins :meth:`build` makes of ``frame``, exactly.

        Counted from the rows' codes, before any twin is allocated: a row in
        the domain gets one twin per other combination (or ``n_twins``), a row
        outside it one per combination, a row with a missing value none.
        ``own_codes`` maps each factor to its rows' codes when known.
        """
        total = 0
        for factor in self.factors():
            sizes = [len(self.domains_[a]) for a in factor]
            strides = np.cumprod([1] + sizes[:0:-1])[::-1]
            if own_codes is None:
                _, valid, skip, _ = self._own_codes(frame, factor, strides)
            else:
                _, valid, skip, _ = own_codes[factor]
            n_combos = combinations(sizes)
            every = self.n_twins is None or self.n_twins >= n_combos - 1
            inside = int(np.count_nonzero(valid & ~skip))
            outside = int(np.count_nonzero(~valid & ~skip))
            total += inside * twins_per_row(sizes, self.n_twins)
            total += outside * (n_combos if every else self.n_twins)
            auto = placebo == "auto" and self.has_generated_link(factor)
            total += inside if placebo is True or auto else 0
        return total

    def _targets(self, own, sizes, row_hashes, factor):
        """Source positions and composite target codes of every twin."""
        n_combos = combinations(sizes)
        n_rows = len(own)
        pos, target = [], []
        if n_combos == 2 and (own >= 0).all():  # two values: the other one
            return np.arange(n_rows), 1 - own
        if self.n_twins is None or self.n_twins >= n_combos - 1:
            combos = np.arange(n_combos)
            chunk = max(1, 2**22 // n_combos)
            for start in range(0, n_rows, chunk):
                block = own[start : start + chunk]
                p, t = np.nonzero(combos[None, :] != block[:, None])
                pos.append(p + start)
                target.append(t)
            return np.concatenate(pos), np.concatenate(target)
        if n_combos > 4 * self.n_twins:  # sparse: draw, never score every value
            return self._drawn_targets(own, n_combos, row_hashes, factor)
        combos = np.arange(n_combos)
        chunk = max(1, 2**22 // n_combos)
        combo_keys = np.array(
            [stable_hash(self.seed, "sample", factor, c) for c in combos],
            dtype=np.uint64,
        )
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

    def _drawn_targets(self, own, n_combos, row_hashes, factor):
        """``n_twins`` distinct other combinations per row, drawn one by one.

        For domains much larger than ``n_twins``, where scoring every
        combination of every row would cost the domain, not the twins: the
        ``j``-th draw of a row is a hash of the seed, the factor, the row's
        label and ``j``, and a row keeps its first ``n_twins`` draws that are
        new and not its own combination. Memory follows the twins built.
        """
        k = self.n_twins
        key = stable_hash(self.seed, "draw", factor)
        n_draws = 2 * k + 8
        out = np.empty((len(own), k), dtype=np.int64)
        todo = np.arange(len(own))
        while len(todo):
            salts = mix(key ^ np.arange(n_draws, dtype=np.uint64))
            chunk = max(1, 2**22 // n_draws)
            short = []
            for start in range(0, len(todo), chunk):
                rows = todo[start : start + chunk]
                draws = mix(combine(row_hashes[rows][:, None], salts[None, :]))
                draws = (draws % np.uint64(n_combos)).astype(np.int64)
                ok = draws != own[rows][:, None]
                order = np.argsort(draws, axis=1, kind="stable")
                ranked = np.take_along_axis(draws, order, axis=1)
                repeat = np.zeros_like(ok)
                repeat[:, 1:] = ranked[:, 1:] == ranked[:, :-1]
                first = np.ones_like(ok)
                np.put_along_axis(first, order, ~repeat, axis=1)
                ok &= first
                kept = ok & (np.cumsum(ok, axis=1) <= k)
                done = kept.sum(axis=1) == k
                short.append(rows[~done])
                out[rows[done]] = draws[done][kept[done]].reshape(-1, k)
            todo = np.concatenate(short)
            n_draws *= 2  # rare: a row drew too many repeats
        pos = np.repeat(np.arange(len(own)), k)
        return pos, np.sort(out, axis=1).ravel()

    def _own_codes(self, frame, factor, strides):
        own = np.zeros(len(frame), dtype=np.int64)
        valid = np.ones(len(frame), dtype=bool)
        skip = np.zeros(len(frame), dtype=bool)
        factorized = {}  # each attribute's pd.factorize, for object_take
        for attribute, stride in zip(factor, strides, strict=True):
            found = pd.factorize(frame[attribute], use_na_sentinel=True)
            factorized[attribute] = found
            codes = index_codes(None, self.domains_[attribute], found)
            valid &= codes >= 0
            own += codes * stride
            skip |= found[0] < 0  # missing
        own[~valid] = -1
        return own, valid, skip, factorized

    def _build_factor(self, frame, factor, row_hashes, placebo, unseen_values, codes):
        """Build a factor's twins, placebo twins, or both in one block.

        ``placebo`` is False (twins), True (placebo twins) or ``"both"`` (the
        twins, then the placebo twins, from one copy of the rows).
        """
        sizes = [len(self.domains_[a]) for a in factor]
        strides = np.cumprod([1] + sizes[:0:-1])[::-1]
        own, valid, skip, factorized = codes
        if placebo is True:
            pos = np.flatnonzero(valid & ~skip)
            target = own[pos]
        else:
            pos, target = self._targets(own, sizes, row_hashes, factor)
            if skip.any():
                keep = ~skip[pos]
                pos, target = pos[keep], target[keep]
        is_placebo = np.full(len(pos), placebo is True)
        if placebo == "both":
            same = np.flatnonzero(valid & ~skip)
            is_placebo = np.arange(len(pos) + len(same)) >= len(pos)
            pos = np.concatenate([pos, same])
            target = np.concatenate([target, own[same]])
        if placebo == "both":  # two takes: a take of every row is a slice
            twins = pd.concat(
                [frame.take(pos[~is_placebo]), frame.take(pos[is_placebo])]
            )
        else:
            twins = frame.take(pos)
        unseen = np.zeros(len(pos), dtype=bool)
        extra = {}
        row_keys = row_hashes[pos]
        originals, news, digits = {}, {}, {}
        for attribute, stride, size in zip(factor, strides, sizes, strict=True):
            digit = (target // stride) % size
            digits[attribute] = digit
            domain = self.domains_[attribute]
            column = cast_values(domain, frame[attribute].dtype, attribute)
            assign(twins, attribute, column.take(digit))
            unseen |= self._unseen(attribute, domain, digit, unseen_values)
            target_keys = np.array(
                [stable_hash(self.seed, attribute, v) for v in domain], dtype=np.uint64
            )
            originals[attribute] = object_take(
                frame[attribute], pos, factorized[attribute]
            )
            news[attribute] = np.asarray(domain + [None], dtype=object)[:-1][digit]
            links = self.links_[attribute]
            reads = dict.fromkeys(
                c for link in links for c in getattr(link, "reads", ())
            )
            batch = Batch(
                attribute=attribute,
                target=digit,
                keys=combine(row_keys, target_keys[digit]),
                original=originals[attribute],
                new=news[attribute],
                seed=self.seed,
                before={c: object_take(frame[c], pos) for c in reads},
            )
            for link in links:
                values, index, *counts = link.generate(twins, batch)
                column = cast_values(values, frame[link.column].dtype, link.column)
                index = np.asarray(index, dtype=np.int64)
                assign(twins, link.column, column.take(index))
                for name, found in (counts[0] if counts else {}).items():
                    extra[name] = extra.get(name, 0) + np.asarray(found, dtype=np.int64)
                if getattr(link, "checks_unseen", True):
                    unseen |= self._unseen(link.column, values, index, unseen_values)
        if len(factor) == 1:
            original, new = originals[factor[0]], news[factor[0]]
        else:
            original = tuples([originals[a] for a in factor])
            new = tuples([news[a] for a in factor])
        provenance = pd.DataFrame(
            {
                "source_position": pos.astype(np.int64),
                "attribute": pd.Series(
                    _repeated(self.factor_name(factor), len(pos)), dtype=object
                ),
                "original": pd.Series(original, dtype=object),
                "new": pd.Series(new, dtype=object),
                "kind": _twin_kinds(is_placebo),
                "unseen": unseen,
            },
            copy=False,  # every array here is new
        )
        if self.coherence is not None:
            provenance["incoherent"] = self._incoherent(
                frame, factor, pos, digits, own, strides, sizes
            )
        for name in self.extra_columns_:
            # NA: no link of this factor counts into the column
            provenance[name] = (
                pd.array(extra[name], dtype="Int64")
                if name in extra
                else pd.array([pd.NA] * len(pos), dtype="Int64")
            )
        provenance.index = twins.index
        return twins, provenance

    def _incoherent(self, frame, factor, pos, digits, own, strides, sizes):
        """Flag the twins meeting a combination the fit data (almost) never holds.

        Columns linked to any attribute of the factor change with it and are
        not checked; a twin is flagged for an attribute only when that
        attribute's value changes (placebo twins never are).
        """
        out = np.zeros(len(pos), dtype=bool)
        skip = {link.column for a in factor for link in self.links_[a]}
        own = own[pos]
        for attribute, stride, size in zip(factor, strides, sizes, strict=True):
            check = self.coherence_.get(attribute)
            if check is None or not check.columns_:
                continue
            mine = np.where(own >= 0, (own // stride) % size, -1)
            out |= check.flags(frame, pos, mine, digits[attribute], skip)
        return out

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

    def check_missing(self, column, attribute):
        """Raise for missing protected values unless ``missing="skip"``."""
        count = int(column.isna().sum())
        if count and self.missing == "error":
            raise ValueError(MISSING_PROTECTED.format(attribute=attribute, count=count))


def _repeated(value, n):
    """Return an object array of ``n`` times ``value`` (faster than np.full)."""
    out = np.empty(n, dtype=object)
    out[:] = value
    return out


def _twin_kinds(is_placebo):
    """Return the categorical ``kind`` column of twins and placebo twins."""
    codes = np.where(is_placebo, KINDS.index("placebo"), KINDS.index("twin"))
    return pd.Categorical.from_codes(codes.astype(np.int8), categories=list(KINDS))


def kinds(kind, n):
    """Return a categorical ``kind`` column of length ``n``."""
    codes = np.full(n, KINDS.index(kind), dtype=np.int8)
    return pd.Categorical.from_codes(codes, categories=list(KINDS))


def _original_provenance(frame):
    n = len(frame)
    original = pd.DataFrame(
        {
            "source_position": np.arange(n, dtype=np.int64),
            "attribute": pd.Series([None] * n, dtype=object),
            "original": pd.Series([None] * n, dtype=object),
            "new": pd.Series([None] * n, dtype=object),
            "kind": kinds("original", n),
            "unseen": False,
        }
    )
    original.index = frame.index
    return original
