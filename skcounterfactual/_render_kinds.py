"""Page sections that depend on the model and the attribute.

Regressors (the effect, directions of predictions), classifiers without a
favourable class (flips only), and numeric attributes (the ordinal summary)
get their own summary columns, sentences and tables; ``_render`` lays them
out. Every table is cut to ``MAX_TABLE_ROWS`` rows, with a note saying where
the rest is, so that a page stays small whatever the size of a domain.
"""

import math

import pandas as pd

from ._plotting import label

DASH = "\u2014"
ARROW = "\u2192"
MAX_TABLE_ROWS = 30
REGRESSION_LEGEND = (
    "Effect: mean absolute change of the prediction between a row and its "
    "twins, in the prediction's units (t interval). Flip rate: share of rows "
    "whose prediction changes by more than the tolerance for at least one "
    "twin (undefined without a tolerance). Asymmetry p: mid-p sign test that "
    "the value does not move the prediction either way, the smallest over "
    "pairs of values, Bonferroni-adjusted. Mean prediction and error "
    "differences: between-groups differences of Fairlearn's mean_prediction "
    "and of the mean absolute error."
)


def _number(value, digits=3):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DASH
    return f"{value:.{digits}f}"


def _amount(value):
    """Format a prediction's change in its units: signed, at any scale."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DASH
    if abs(value) >= 1000:
        return f"{value:+,.0f}"
    return f"{value:+.4g}"


def _p(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DASH
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


def _interval(value, interval, fmt):
    if value is None:
        return DASH
    low, high = interval
    return f"{fmt(value)} [{fmt(low)},\u00a0{fmt(high)}]"


def regression_summary(report, unseen, incoherent):
    """Return the summary table of a regressor's audit (header, rows)."""
    header = [
        "attribute",
        "rows",
        "effect (mean |change|)",
        "median |change|",
        "95% of |change| below",
        f"flip rate (|change| > {report.tolerance:g})"
        if report.tolerance is not None
        else "flip rate",
        "asymmetry p",
        "mean prediction difference",
        "error difference",
        "unseen twins",
        "incoherent twins",
    ]
    rows = []
    for a in report.attributes.values():
        quantiles = a.effect_quantiles or {}
        rows.append(
            [
                a.name,
                f"{a.n_rows:,}",
                _interval(a.score_change, a.score_change_interval, _plain_amount),
                _plain_amount(quantiles.get("median")),
                _plain_amount(quantiles.get("q95")),
                DASH
                if a.flip_rate is None
                else _interval(a.flip_rate, a.flip_rate_interval, "{:.1%}".format),
                _p(a.asymmetry_p_value),
                _plain_amount(a.mean_prediction_difference),
                _plain_amount(a.error_difference),
                unseen(a),
                incoherent(a),
            ]
        )
    return header, rows


def _plain_amount(value):
    return _amount(value).lstrip("+")


def opening(a, report):
    """Return the first sentences of a finding without the classifier's headline.

    For a regressor: the flips beyond the tolerance (when there is one) and
    the effect; for a classifier without a favourable class: any change of
    label.
    """
    if a.flip_rate is None:
        text = f"{a.n_rows:,} rows audited for {a.name}."
    elif report.kind == "regressor":
        text = (
            f"{a.n_flipped_rows:,} of {a.n_rows:,} rows ({a.flip_rate:.1%}) see "
            f"their prediction move by more than {report.tolerance:g} when only "
            f"{a.name} changes."
        )
    else:
        text = (
            f"{a.n_flipped_rows:,} of {a.n_rows:,} rows ({a.flip_rate:.1%}) get a "
            f"different label when only {a.name} changes."
        )
    if report.kind == "regressor" and a.score_change is not None:
        quantiles = a.effect_quantiles or {}
        text += (
            f" A twin's prediction moves by {_plain_amount(a.score_change)} on "
            f"average (median {_plain_amount(quantiles.get('median'))}, 95% of "
            f"changes below {_plain_amount(quantiles.get('q95'))})."
        )
    return text


def comparison_sentence(a):
    """Return a sentence on the most significant comparison of a regressor."""
    if not len(a.comparisons) or "higher" not in a.comparisons:
        return ""
    row = a.comparisons.sort_values("p_value_midp").iloc[0]
    if row["higher"] is None:
        return ""
    first = row["higher"] == row["value_a"]
    other = row["value_b"] if first else row["value_a"]
    wins, losses = row["only_a_higher"], row["only_b_higher"]
    wins, losses = (wins, losses) if first else (losses, wins)
    return (
        f" As {label(row['higher'])} rather than {label(other)}, a person gets "
        f"the higher prediction in {wins:,} pairs against {losses:,} "
        f"(sign test mid-p {_p(row['p_value_midp'])})."
    )


def labels_sentence(a):
    """Return why directions and parity are missing (no favourable class)."""
    reason = a.undefined.get("direction")
    return f" Directions and parity are undefined: {reason}." if reason else ""


def trend_sentence(a):
    """Return a sentence on how the outcome moves as the attribute goes up."""
    trend = a.trend
    if not trend or a.ordinal is None or not len(a.ordinal):
        return ""
    values = a.ordinal["value"].tolist()
    if trend["direction"] == "none":
        shape = "no trend"
    else:
        shape = trend["direction"] + (
            ", monotone" if trend["monotone"] else ", not monotone"
        )
    return (
        f" As {a.name} goes up from {label(values[0])} to {label(values[-1])}, "
        f"{trend['n_up']:,} moves go up and {trend['n_down']:,} down between "
        f"consecutive values ({shape}; sign test mid-p "
        f"{_p(trend['p_value_midp'])})."
    )


def regression_direction(direction):
    """Return the direction table of a regressor (header, rows)."""
    header = [
        "source",
        "target",
        "pairs",
        "mean change",
        "mean |change|",
        "5%",
        "median",
        "95%",
        "twin higher",
        "twin lower",
        "mid-p",
    ]
    rows = [
        [
            label(r["source"]),
            label(r["target"]),
            f"{r['n_pairs']:,}",
            _amount(r["mean_change"]),
            _plain_amount(r["mean_absolute_change"]),
            _amount(r["change_q05"]),
            _amount(r["change_median"]),
            _amount(r["change_q95"]),
            f"{r['twin_higher']:,}",
            f"{r['twin_lower']:,}",
            _p(r["p_value_midp"]),
        ]
        for r in direction.to_dict("records")
    ]
    return header, rows


def intro(report):
    """Return how a regressor's audit reads its predictions (a sentence)."""
    if report.tolerance is None:
        flips = (
            "no tolerance was given, so flip rates are undefined and the effect "
            "is the measure"
        )
    else:
        flips = f"a flip is a change larger than {report.tolerance:g}"
    return (
        f"{report.n_rows:,} rows audited. Predictions of a regressor, from "
        f"predict; {flips}; {report.confidence:.0%} intervals"
        + ("; rows weighted by sample_weight." if report.weighted else ".")
    )


def ordinal_section(a, kind):
    """Return the ordinal summary of a numeric attribute (header, rows), or None."""
    table = a.ordinal
    if table is None:
        return None
    level = "mean_prediction" if kind == "regressor" else "selection_rate"
    header = ["value", "rows", level.replace("_", " ")]
    scored = "mean_score" in table
    if scored:
        header.append("mean score")
    header += ["pairs from previous", "up", "down"]
    if "mean_change" in table:
        header.append("mean change")
    header.append("mid-p")
    rows = []
    for r in table.to_dict("records"):
        row = [label(r["value"]), f"{r['n_rows']:,}"]
        row.append(
            _plain_amount(r[level]) if kind == "regressor" else _number(r.get(level))
        )
        if scored:
            row.append(_number(r["mean_score"]))
        if pd.isna(r["n_pairs"]):
            row += [DASH, DASH, DASH]
            if "mean_change" in table:
                row.append(DASH)
            row.append(DASH)
        else:
            row += [f"{r['n_pairs']:,}", f"{r['n_up']:,}", f"{r['n_down']:,}"]
            if "mean_change" in table:
                row.append(
                    _amount(r["mean_change"])
                    if kind == "regressor"
                    else f"{r['mean_change']:+.3f}"
                )
            row.append(_p(r["p_value_midp"]))
        rows.append(row)
    return header, rows


def top_rows(frame, weight):
    """Return ``frame`` cut to ``MAX_TABLE_ROWS`` rows, and a title suffix.

    The rows kept are those with the largest ``weight`` (a Series aligned
    with ``frame``: flips, or group counts), in their original order.
    """
    if len(frame) <= MAX_TABLE_ROWS:
        return frame, ""
    keep = weight.reset_index(drop=True).sort_values(ascending=False, kind="stable")
    keep = sorted(keep.index[:MAX_TABLE_ROWS])
    suffix = (
        f" ({MAX_TABLE_ROWS:,} of {len(frame):,} rows shown, the largest first "
        "by count; every row is in to_dict() and to_json())"
    )
    return frame.iloc[keep], suffix
