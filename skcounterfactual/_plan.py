"""How many twins a call plans, checked before anything is allocated.

Memory follows the twins built, never the size of a domain. Two limits hold:

- with ``n_twins=None`` a row gets one twin per other value (per other
  combination, for intersectional twins); more than :data:`MAX_TWINS_PER_ROW`
  is refused when the twin maker is fitted, with the fix (``n_twins=k``
  samples ``k`` values per row, ``values=...`` gives a smaller domain);
- one ``make_twins`` call builds at most :data:`MAX_TWINS` twins (rows times
  twins per row); the scores and the audit pass the rows in chunks small
  enough for that (:func:`rows_per_chunk`).
"""

import math
import numbers

MAX_TWINS_PER_ROW = 1_000
MAX_TWINS = 10_000_000
MAX_COMBINATIONS = 2**62  # combination codes are int64
TOO_MANY_PER_ROW = (
    "With n_twins=None, each row gets one twin per other {what}: {count:,} "
    "twins per row for {name!r} ({sizes}), more than the limit of {limit:,}. "
    "Pass n_twins=k to sample k of them per row, or values={{...}} with fewer "
    "values (bins of a continuous column, e.g. with pandas.cut)."
)
TOO_MANY_COMBINATIONS = (
    "The intersectional domain of {name!r} has {count:,} combinations ({sizes}), "
    "too many to index (at most 2**62). Give fewer values with values={{...}}."
)
TOO_MANY_TWINS = (
    "make_twins would build {count:,} twins for {n_rows:,} rows ({per_row:,.1f} "
    "per row), more than the limit of {limit:,} in one call. Pass fewer rows at "
    "a time, or sample fewer twins per row with n_twins=k."
)


def _sizes(sizes):
    return " x ".join(f"{size:,}" for size in sizes) + " values"


def combinations(sizes):
    """Return the number of value combinations of domains of ``sizes``."""
    return math.prod(int(size) for size in sizes)


def twins_per_row(sizes, n_twins):
    """Return how many twins a row gets for a factor with domains of ``sizes``.

    One per other combination with ``n_twins=None``, else at most ``n_twins``.
    """
    others = combinations(sizes) - 1
    return others if n_twins is None else min(int(n_twins), others)


def check_factor(name, sizes, n_twins):
    """Refuse a factor whose twins per row, or combinations, are too many."""
    count = combinations(sizes)
    if count > MAX_COMBINATIONS:
        raise ValueError(
            TOO_MANY_COMBINATIONS.format(name=name, count=count, sizes=_sizes(sizes))
        )
    if n_twins is None and count - 1 > MAX_TWINS_PER_ROW:
        raise ValueError(
            TOO_MANY_PER_ROW.format(
                what="value" if len(sizes) == 1 else "combination of values",
                count=count - 1,
                name=name,
                sizes=_sizes(sizes),
                limit=MAX_TWINS_PER_ROW,
            )
        )


def check_twin_count(count, n_rows):
    """Refuse a ``make_twins`` call that would build more than ``MAX_TWINS``."""
    if count > MAX_TWINS:
        raise ValueError(
            TOO_MANY_TWINS.format(
                count=count, n_rows=n_rows, per_row=count / n_rows, limit=MAX_TWINS
            )
        )


def planned_per_row(maker):
    """Return an upper bound of the twins per row of a fitted twin maker.

    Read from the protocol's ``factors_`` and ``domains_`` (and ``n_twins``
    when the maker has it), counting one placebo twin per factor.
    """
    n_twins = getattr(maker, "n_twins", None)
    if not isinstance(n_twins, numbers.Integral) or isinstance(n_twins, bool):
        n_twins = None
    total = 0
    for factor in getattr(maker, "factors_", {}).values():
        sizes = [len(maker.domains_.get(c, ())) for c in factor["columns"]]
        total += twins_per_row(sizes, n_twins) + 1
    return max(total, 1)


def rows_per_chunk(maker, chunk_size):
    """Return the rows to twin at a time: ``chunk_size``, or fewer.

    A chunk plans at most ``MAX_TWINS`` twins (and holds at least one row).
    """
    return max(1, min(int(chunk_size), MAX_TWINS // planned_per_row(maker)))
