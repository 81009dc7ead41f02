"""Birth dates that follow a target age: exact ages, the same birthday."""

import numpy as np
import pandas as pd


# --------------------------------------------------------------------------
def check_dates(column_name, column, context, frame):
    """Refuse a birth-date link on a non-numeric attribute or a non-date column."""
    if not context.numeric:
        raise ValueError(
            f"links[{column_name!r}]='date_of_birth' follows a target age, "
            f"but the protected attribute {context.attribute!r} is not numeric "
            f"(dtype {frame[context.attribute].dtype}). Link date_of_birth to an "
            "age attribute."
        )
    if not (
        pd.api.types.is_datetime64_any_dtype(column)
        or pd.api.types.is_string_dtype(column)
    ):
        raise ValueError(
            f"links[{column_name!r}]='date_of_birth' needs a datetime or "
            f"ISO date string column, got dtype {column.dtype}."
        )


def shift_dates(batch, twins, column):
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
    shifted = shift_years(dates, -delta)
    if as_text:
        shifted = shifted.dt.strftime("%Y-%m-%d").where(current.notna())
    inverse, uniques = pd.factorize(shifted, use_na_sentinel=False)
    return list(uniques), inverse


def shift_years(dates, years):
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
