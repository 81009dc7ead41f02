"""Domains of continuous attributes: a few quantiles, not every observed value.

An exact age or income holds dozens or thousands of distinct values. Twinning
a row on every one of them builds that many twins per row, direction tables
with one line per pair of values, and flip rates inflated by implausible
jumps (24 to 75). A numeric protected column with more than
``MIN_CONTINUOUS_VALUES`` distinct values is *continuous*: its default domain
is ``DEFAULT_QUANTILES`` quantiles of the fit data (values the data holds),
and the audit bins the rows' own values between them. ``values`` chooses
otherwise, per attribute: a list of values, a number of quantiles, or
``"observed"`` for every observed value.
"""

import numbers
import warnings

import numpy as np
import pandas as pd

MIN_CONTINUOUS_VALUES = 20
DEFAULT_QUANTILES = 5
LARGE_DOMAIN = 20
LARGE_DOMAIN_WARNING = (
    "The domain of {attribute!r} has {n:,} values, so every row gets up to "
    "{twins:,} twins and an audit one line per observed pair of values. Pass "
    "values={{{attribute!r}: [...]}} with a few values (a number of quantiles, "
    "e.g. values={{{attribute!r}: 5}}, for a numeric column), or n_twins=<a "
    "few> to sample twins per row."
)
BAD_VALUES = (
    "values[{attribute!r}] must be a list of values such as ['Female', 'Male'], "
    "a number of quantiles of a numeric column (an integer from 2, e.g. 5), or "
    "'observed' (every value of the fit data); got {kind}: {value!r}."
)
NOT_NUMERIC = (
    "values[{attribute!r}]={value!r} asks for quantiles, but the column "
    "{attribute!r} is not numeric (dtype {dtype}). Pass a list of values or "
    "'observed'."
)


def is_numeric(column):
    """Whether ``column`` holds numbers (not booleans, not dates)."""
    dtype = column.dtype
    return bool(
        pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
    )


def is_continuous(column):
    """Whether ``column`` is numeric with more than ``MIN_CONTINUOUS_VALUES`` values."""
    return is_numeric(column) and column.nunique() > MIN_CONTINUOUS_VALUES


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def quantile_domain(column, n_quantiles):
    """Return ``n_quantiles`` quantiles of ``column``: values it holds, sorted.

    The levels are the midpoints ``(i + 0.5) / n`` (10%, 30%, ..., 90% for
    five), read with the inverted empirical distribution, so every value is
    one the data holds and keeps the column's type. Ties collapse.

    Examples
    --------
    >>> import pandas as pd
    >>> quantile_domain(pd.Series(range(18, 81)), 5)
    [24, 36, 49, 62, 74]
    """
    observed = column.dropna().to_numpy()
    levels = (np.arange(n_quantiles) + 0.5) / n_quantiles
    found = np.quantile(observed, levels, method="inverted_cdf")
    return list(dict.fromkeys(_plain(v) for v in found))


def resolve_domain(column, spec, attribute, observed_domain, as_value_list):
    """Return ``(domain, continuous)`` for one protected column.

    ``spec`` is the user's ``values[attribute]`` (None when not given);
    ``continuous`` says whether the rows' own values are binned between the
    domain's values (a numeric column with many values).
    """
    continuous = is_continuous(column)
    if spec is None:
        if continuous:
            return quantile_domain(column, DEFAULT_QUANTILES), True
        return observed_domain(column), False
    if isinstance(spec, str):
        if spec != "observed":
            raise TypeError(
                BAD_VALUES.format(attribute=attribute, kind="str", value=spec)
            )
        return observed_domain(column), False  # one group per value, as asked
    if isinstance(spec, numbers.Integral) and not isinstance(spec, bool):
        if spec < 2:
            raise ValueError(
                BAD_VALUES.format(attribute=attribute, kind="int", value=spec)
            )
        if not is_numeric(column):
            raise ValueError(
                NOT_NUMERIC.format(attribute=attribute, value=spec, dtype=column.dtype)
            )
        return quantile_domain(column, int(spec)), True
    if not hasattr(spec, "__iter__"):
        raise TypeError(
            BAD_VALUES.format(attribute=attribute, kind=type(spec).__name__, value=spec)
        )
    domain = as_value_list(spec, attribute)
    numeric = all(
        isinstance(v, numbers.Real) and not isinstance(v, bool) for v in domain
    )
    return domain, continuous and numeric


def bin_edges(domain):
    """Return the edges that bin a numeric domain: midpoints of its sorted values.

    Examples
    --------
    >>> bin_edges([25, 45, 65])
    [35.0, 55.0]
    """
    grid = np.asarray(sorted(domain), dtype=float)
    return ((grid[:-1] + grid[1:]) / 2).tolist()


def warn_large_domain(attribute, domain, n_twins):
    """Warn when twinning on every value of ``domain`` would be costly."""
    if n_twins is None and len(domain) > LARGE_DOMAIN:
        warnings.warn(
            LARGE_DOMAIN_WARNING.format(
                attribute=attribute, n=len(domain), twins=len(domain) - 1
            ),
            UserWarning,
            stacklevel=4,
        )
