"""Figures and pages (Markdown, HTML) of audit reports and leaderboards.

matplotlib is optional (``pip install "skcounterfactual[plot]"``) and imported
inside the functions that need it. Figures embedded in HTML are drawn on a
``matplotlib.figure.Figure`` with the Agg canvas, so writing a report never
touches pyplot's global state or the interactive backend.
"""

import base64
import html
import io
import math

import numpy as np
import pandas as pd

MATPLOTLIB_MISSING = (
    'Plotting needs matplotlib; install it with pip install "skcounterfactual[plot]".'
)
FIGURES_MISSING = (
    "This report has no figures: they need matplotlib. Install it with pip install "
    '"skcounterfactual[plot]" and write the report again.'
)
MAX_MATRIX_GROUPS = 20
FLIP_COLOUR, PLACEBO_COLOUR, MAIN_COLOUR = "#c0392b", "#7f8c8d", "#1f6f9f"
DASH = "\u2014"
ARROW = "\u2192"
DIRECTION_COUNTS = [
    "favourable_both",
    "favourable_to_unfavourable",
    "unfavourable_to_favourable",
    "unfavourable_both",
]


def has_matplotlib():
    """Return True when matplotlib can be imported."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _axes(ax, figsize):
    if ax is not None:
        return ax
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError(MATPLOTLIB_MISSING) from None
    return plt.subplots(figsize=figsize, layout="constrained")[1]


def _style(ax, xlabel, title):
    from matplotlib.ticker import PercentFormatter

    ax.xaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_xlabel(xlabel)
    ax.set_title(title)


def label(value):
    """Return a group value as text: tuples of an intersection joined by ``&``."""
    if isinstance(value, tuple):
        return " & ".join(map(str, value))
    return str(value)


def _rate_bars(ax, y, rates, intervals, colour, name, height):
    low, high = np.asarray(intervals, dtype=float).T
    rates = np.asarray(rates, dtype=float)
    ax.barh(y, rates, height=height, color=colour, label=name)
    errors = np.vstack([rates - low, high - rates])
    ax.errorbar(rates, y, xerr=errors, fmt="none", ecolor="black", capsize=3)
    for where, rate, top in zip(y, rates, high, strict=True):
        ax.annotate(
            f"{rate:.1%}",
            (top, where),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=9,
        )


def plot_flip_rates(report, ax=None):
    """Draw each attribute's flip rate, and placebo rate, with intervals.

    Parameters
    ----------
    report : AuditReport
        The audit.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure when None.

    Returns
    -------
    ax : matplotlib Axes
    """
    found = list(report.attributes.values())
    ax = _axes(ax, (6.4, 1.2 + 0.6 * len(found)))
    y = np.arange(len(found), dtype=float)
    with_placebo = [i for i, a in enumerate(found) if a.placebo_rate is not None]
    height = 0.38 if with_placebo else 0.6
    _rate_bars(
        ax,
        y,
        [a.flip_rate for a in found],
        [a.flip_rate_interval for a in found],
        FLIP_COLOUR,
        "flip rate",
        height,
    )
    if with_placebo:
        _rate_bars(
            ax,
            y[with_placebo] + height,
            [found[i].placebo_rate for i in with_placebo],
            [found[i].placebo_rate_interval for i in with_placebo],
            PLACEBO_COLOUR,
            "placebo rate",
            height,
        )
        ax.legend(loc="lower right", fontsize=9)
    ax.set_yticks(y + (height / 2 if with_placebo else 0), [a.name for a in found])
    ax.invert_yaxis()
    top = max(a.flip_rate_interval[1] for a in found)
    ax.set_xlim(0, min(1.0, max(0.1, top * 1.25 + 0.05)))
    _style(
        ax,
        f"share of rows whose decision changes ({report.confidence:.0%} interval)",
        "Counterfactual flip rate",
    )
    return ax


def plot_selection_rates(found, ax=None):
    """Draw the selection rate of the original rows by group.

    Parameters
    ----------
    found : AttributeAudit
        One attribute of an audit.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure when None.

    Returns
    -------
    ax : matplotlib Axes

    Raises
    ------
    ValueError
        When the group metrics are undefined (a continuous attribute).
    """
    groups = found.group_metrics
    if not len(groups):
        reason = found.undefined.get("group_metrics", "no group has rows")
        raise ValueError(
            f"The selection rates by {found.name!r} are undefined: {reason}"
        )
    ax = _axes(ax, (6.4, 1.2 + 0.45 * len(groups)))
    rates = groups["selection_rate"].to_numpy(dtype=float)
    y = np.arange(len(groups))
    ax.barh(y, rates, color=MAIN_COLOUR, height=0.6)
    for i, (rate, n) in enumerate(zip(rates, groups["count"], strict=True)):
        ax.annotate(
            f"{rate:.1%} (n={n:,})",
            (rate, i),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=9,
        )
    ax.set_yticks(y, [label(g) for g in groups.index])
    ax.invert_yaxis()
    ax.set_xlim(0, 1.3)
    ax.set_xticks(np.linspace(0, 1, 6))
    difference = found.demographic_parity_difference
    subtitle = "" if difference is None else f" (difference {difference:.3f})"
    _style(
        ax,
        "selection rate (share of favourable decisions)",
        f"Selection rate by {found.name}{subtitle}",
    )
    return ax


def decision_matrix(found):
    """Return the row labels and the counts of the twin decision matrix.

    Two rows per source group (row favourable, row unfavourable) and two
    columns (twin favourable, twin unfavourable), summed over target values.
    """
    sums = (
        found.direction.assign(source=[label(v) for v in found.direction["source"]])
        .groupby("source", sort=False)[DIRECTION_COUNTS]
        .sum()
    )
    rows = [f"{s}: {d}" for s in sums.index for d in ("favourable", "unfavourable")]
    return rows, sums.to_numpy(dtype=np.int64).reshape(-1, 2)


def plot_decision_matrix(found, favourable=1, ax=None):
    """Draw the decision on each row against the decision on its twins.

    Two lines per source group (the row's own value): of its row-twin pairs,
    how many keep the decision (blue) and how many change it (red), shaded by
    their share of the group's pairs.

    Parameters
    ----------
    found : AttributeAudit
        One attribute of an audit.
    favourable : label, default=1
        The favourable decision, for the title.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure when None.

    Returns
    -------
    ax : matplotlib Axes
    """
    from matplotlib.colors import to_rgb

    rows, counts = decision_matrix(found)
    ax = _axes(ax, (5.6, 1.4 + 0.42 * len(rows)))
    totals = counts.reshape(-1, 4).sum(axis=1).repeat(2)[:, None]
    shares = counts / np.maximum(totals, 1)
    flipped = (np.arange(len(rows))[:, None] % 2) != np.arange(2)[None, :]
    base = np.where(flipped[..., None], to_rgb(FLIP_COLOUR), to_rgb(MAIN_COLOUR))
    ax.imshow(1 - (0.12 + 0.88 * shares[..., None]) * (1 - base), aspect="auto")
    for (i, j), n in np.ndenumerate(counts):
        colour = "white" if shares[i, j] > 0.45 else "black"
        ax.text(j, i, f"{n:,}", ha="center", va="center", color=colour, fontsize=10)
    for boundary in range(2, len(rows), 2):
        ax.axhline(boundary - 0.5, color="white", linewidth=4)
    ax.set_xticks(range(2), ["twin favourable", "twin unfavourable"])
    ax.set_yticks(range(len(rows)), rows)
    ax.tick_params(length=0)
    ax.xaxis.tick_top()
    ax.set_xlabel(
        f"favourable = {favourable!r}\nred: the twin's decision differs from the row's"
    )
    ax.set_title(f"Row decision \u00d7 twin decision by {found.name}", fontsize=11)
    return ax


def plot_pareto(board, ax=None):
    """Draw accuracy against flip score, the Pareto front highlighted.

    Parameters
    ----------
    board : DataFrame, fitted search or dict
        The output of :func:`leaderboard` (mean and std columns of accuracy
        and flip score, and ``pareto``), or what :func:`leaderboard` takes: a
        fitted ``GridSearchCV`` / ``RandomizedSearchCV`` or its
        ``cv_results_`` (its parity score joins the front when it has one).
    ax : matplotlib Axes, default=None
        Where to draw; a new figure when None.

    Returns
    -------
    ax : matplotlib Axes
        Error bars are one standard deviation over the folds; the front's
        candidates are joined by a dashed line and labelled by index, tied
        candidates (same point) once, as ``"0, 3"``. When the front also used
        parity, a front candidate can look dominated in these two dimensions:
        it is fairer on parity.

    Examples
    --------
    >>> import pandas as pd
    >>> from skcounterfactual import plot_pareto
    >>> board = pd.DataFrame({"accuracy_mean": [0.8, 0.7, 0.6],
    ...     "accuracy_std": [0.01] * 3, "flip_score_mean": [0.6, 0.9, 0.8],
    ...     "flip_score_std": [0.02] * 3, "pareto": [True, True, False]})
    >>> ax = plot_pareto(board)
    >>> [t.get_text() for t in ax.texts]
    ['0', '1']
    """
    if not isinstance(board, pd.DataFrame):
        from ._leaderboard import board_of

        board = board_of(board)
    ax = _axes(ax, (6.4, 4.8))
    front = board["pareto"].to_numpy(dtype=bool)
    x = board["flip_score_mean"].to_numpy(dtype=float)
    y = board["accuracy_mean"].to_numpy(dtype=float)
    x_err = board["flip_score_std"].to_numpy(dtype=float)
    y_err = board["accuracy_std"].to_numpy(dtype=float)
    for mask, colour, name in (
        (~front, PLACEBO_COLOUR, "dominated"),
        (front, MAIN_COLOUR, "Pareto front"),
    ):
        ax.errorbar(
            x[mask],
            y[mask],
            xerr=x_err[mask],
            yerr=y_err[mask],
            fmt="o",
            color=colour,
            alpha=0.85,
            capsize=2,
            label=name,
        )
    order = np.lexsort((y[front], x[front]))
    ax.plot(x[front][order], y[front][order], color=MAIN_COLOUR, lw=1, ls="--")
    tied = {}
    for i in np.flatnonzero(front):
        tied.setdefault((x[i], y[i]), []).append(str(board.index[i]))
    for (x_i, y_i), names in tied.items():
        ax.annotate(
            ", ".join(names),
            (x_i, y_i),
            xytext=(5, 5),
            textcoords="offset points",
            fontsize=8,
        )
    ax.set_xlabel("counterfactual flip score (1 - flip rate), greater is fairer")
    ax.set_ylabel("accuracy")
    ax.set_title("Accuracy and counterfactual fairness of the candidates")
    ax.legend(fontsize=9)
    return ax


def figure_png(draw, *args, figsize=(7.0, 3.0)):
    """Draw with ``draw(*args, ax=ax)`` on an Agg figure; return base64 PNG text."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError(MATPLOTLIB_MISSING) from None
    figure = Figure(figsize=figsize, layout="constrained", dpi=100)
    FigureCanvasAgg(figure)
    draw(*args, ax=figure.add_subplot())
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


# ------------------------------------------------------------------- pages
def _number(value, digits=3):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DASH
    return f"{value:.{digits}f}"


def _p(value):
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


def _estimate(value, interval, spec=".1%"):
    if value is None:
        return DASH
    low, high = interval
    bound = spec.lstrip("+")
    # no-break space: a narrow cell wraps before the interval, not inside it
    return f"{value:{spec}} [{low:{bound}},\u00a0{high:{bound}}]"


def _changes(changes):
    return "; ".join(
        f"{column}: {label(old)} {ARROW} {label(new)}"
        for column, (old, new) in changes.items()
    )


def summary_table(report):
    """Return the header and rows of the summary table as text."""
    header = [
        "attribute",
        "rows",
        "flip rate",
        "placebo rate",
        "flip \u2212 placebo",
        "asymmetry p",
        "score change",
        "DP difference",
        "EO difference",
        "unseen twins",
    ]
    rows = []
    for a in report.attributes.values():
        rows.append(
            [
                a.name,
                f"{a.n_rows:,}",
                _estimate(a.flip_rate, a.flip_rate_interval),
                _estimate(a.placebo_rate, a.placebo_rate_interval),
                _estimate(a.flip_minus_placebo, a.flip_minus_placebo_interval, "+.1%"),
                _p(a.asymmetry_p_value),
                _estimate(a.score_change, a.score_change_interval, ".3f"),
                _number(a.demographic_parity_difference),
                _number(a.equalized_odds_difference),
                f"{a.unseen_twins:,}",
            ]
        )
    return header, rows


def finding(a):
    """Return one sentence on what the audit of an attribute shows."""
    text = (
        f"{a.n_flipped_rows:,} of {a.n_rows:,} rows ({a.flip_rate:.1%}) get a "
        f"different decision when only {a.name} changes."
    )
    if a.n_missing:
        text += (
            f" {a.n_missing:,} rows with a missing {a.name} were skipped (no "
            "twins, not in the group metrics)."
        )
    for row in a.comparisons.sort_values("p_value_midp").head(1).to_dict("records"):
        if row["favoured"] is None:
            continue
        first = row["favoured"] == row["value_a"]
        other = row["value_b"] if first else row["value_a"]
        wins, losses = row["only_a_favourable"], row["only_b_favourable"]
        wins, losses = (wins, losses) if first else (losses, wins)
        text += (
            f" As {label(row['favoured'])} rather than {label(other)}, a person "
            f"gets the favourable decision in {wins:,} discordant pairs against "
            f"{losses:,} (mid-p {_p(row['p_value_midp'])})."
        )
    return text


def _evidence_cell(column, value):
    if column == "changes":
        return _changes(value)
    if column in ("score", "twin_score"):
        return _number(value)
    return label(value)


def _sections(a):
    direction = (
        ["source", "target", "pairs", f"fav {ARROW} unfav", f"unfav {ARROW} fav"]
        + ["mid-p", "exact p"],
        [
            [label(r["source"]), label(r["target"]), f"{r['n_pairs']:,}"]
            + [f"{r[k]:,}" for k in DIRECTION_COUNTS[1:3]]
            + [_p(r["p_value_midp"]), _p(r["p_value_exact"])]
            for r in a.direction.to_dict("records")
        ],
    )
    groups = a.group_metrics
    group_rows = [
        [label(g)]
        + [f"{v:,}" if k == "count" else _number(float(v)) for k, v in row.items()]
        for g, row in zip(groups.index, groups.to_dict("records"), strict=True)
    ]
    group_header = ["group", *(str(c).replace("_", " ") for c in groups.columns)]
    shown = [c for c in a.evidence.columns if c != "attribute"]
    evidence_rows = [
        [_evidence_cell(c, r[c]) for c in shown] for r in a.evidence.to_dict("records")
    ]
    return [
        ("Direction", direction),
        ("Groups (original rows)", (group_header, group_rows)),
        (
            f"Evidence: {len(a.evidence):,} of {a.n_flipped_pairs:,} flipped pairs",
            ([c.replace("_", " ") for c in shown], evidence_rows),
        ),
    ]


def _intro(report):
    scores = ""
    if report.response_method != "predict":
        scores = f", scores from {report.response_method}"
    weighted = "; rows weighted by sample_weight" if report.weighted else ""
    return (
        f"{report.n_rows:,} rows audited. Decisions from predict{scores}; "
        f"favourable decision {report.favourable!r}; "
        f"{report.confidence:.0%} intervals{weighted}."
    )


LEGEND = (
    "Flip rate: share of rows whose decision changes for at least one twin "
    "(Wilson interval). Placebo rate: the same when only the linked fields "
    "(names) are regenerated and the protected value is kept. Asymmetry p: "
    "mid-p McNemar test that the value does not matter, the smallest over pairs "
    "of values, Bonferroni-adjusted. Score change: mean absolute change of the "
    "favourable-class score. DP and EO: Fairlearn's demographic parity and "
    "equalized odds differences between groups."
)


def render_markdown(report):
    """Return the report as Markdown (pipe tables, no figures)."""

    def cell(value):
        return str(value).replace("|", "\\|").replace("\n", " ")

    def table(header, rows):
        lines = ["| " + " | ".join(cell(h) for h in header) + " |"]
        lines.append("|" + "|".join("---" for _ in header) + "|")
        lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
        return "\n".join(lines)

    out = [f"# Counterfactual audit of {report.estimator}", "", _intro(report)]
    out += ["", "## Summary", "", table(*summary_table(report)), "", LEGEND, ""]
    for a in report.attributes.values():
        out += [f"## {a.name}", "", finding(a), ""]
        for title, (header, rows) in _sections(a):
            out += [f"### {title}", "", table(header, rows) if rows else "None.", ""]
        if a.undefined:
            out += ["### Undefined values", ""]
            out += [f"- {key}: {reason}" for key, reason in a.undefined.items()]
            out += [""]
    return "\n".join(out)


STYLE = """
.skcf{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#222;
line-height:1.45}
.skcf h1{font-size:1.6em;margin-bottom:.2em}
.skcf h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:1.8em}
.skcf h3{font-size:1.05em;margin-top:1.3em}
.skcf table{border-collapse:collapse;margin:.5em 0 1em;font-size:.9em}
.skcf th,.skcf td{border:1px solid #ddd;padding:.3em .6em;text-align:left;
vertical-align:top}
.skcf th{background:#f4f6f8}
.skcf tr:nth-child(even) td{background:#fafbfc}
.skcf td.num{text-align:right;font-variant-numeric:tabular-nums}
.skcf .scroll{overflow-x:auto}
.skcf .finding{background:#fdf2f0;border-left:4px solid #c0392b;padding:.5em .8em}
.skcf figure{margin:1em 0}
.skcf figure img{max-width:100%;height:auto}
.skcf .note{color:#555;font-size:.88em}
"""
PAGE_STYLE = "body{max-width:1100px;margin:2em auto;padding:0 1em}"


def _html_table(header, rows):
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = []
    for row in rows:
        cells = []
        for value in row:
            text = str(value)
            numeric = text[:1].isdigit() or text[:2] in ("< ", "+0", "-0")
            attribute = ' class="num"' if numeric and len(text) < 24 else ""
            cells.append(f"<td{attribute}>{html.escape(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<div class="scroll"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _figure(draw, args, alt, figsize):
    data = figure_png(draw, *args, figsize=figsize)
    return (
        f'<figure><img src="data:image/png;base64,{data}" '
        f'alt="{html.escape(alt)}"></figure>'
    )


def _matrix(found, favourable):
    def draw(found, ax):
        return plot_decision_matrix(found, favourable, ax=ax)

    rows, _ = decision_matrix(found)
    width = min(9.0, 4.4 + 0.075 * max(len(row) for row in rows))
    size = (width, 1.8 + 0.42 * len(rows))
    return _figure(draw, (found,), f"Twin decision matrix for {found.name}", size)


def render_html(report, *, figures=True, page=True):
    """Return the report as HTML: a whole page, or a fragment for notebooks.

    Every value that comes from the data (column names, group values, names
    in the evidence) goes through :func:`html.escape`.
    """
    esc = html.escape
    found = list(report.attributes.values())
    parts = [
        f"<h1>Counterfactual audit of {esc(report.estimator)}</h1>",
        f"<p>{esc(_intro(report))}</p>",
        "<h2>Summary</h2>" + _html_table(*summary_table(report)),
        f'<p class="note">{esc(LEGEND)}</p>',
    ]
    if figures:
        size = (7.0, 1.4 + 0.7 * len(found))
        parts.append(_figure(plot_flip_rates, (report,), "Flip rates", size))
    else:
        parts.append(f'<p class="note">{esc(FIGURES_MISSING)}</p>')
    for a in found:
        parts.append(f"<h2>{esc(a.name)}</h2>")
        parts.append(f'<p class="finding">{esc(finding(a))}</p>')
        if figures and len(a.group_metrics):
            size = (7.0, 1.4 + 0.45 * len(a.group_metrics))
            alt = f"Selection rate by {a.name}"
            parts.append(_figure(plot_selection_rates, (a,), alt, size))
        n_sources = a.direction["source"].nunique()
        if figures and n_sources <= MAX_MATRIX_GROUPS:
            parts.append(_matrix(a, report.favourable))
        elif figures:
            parts.append(
                f'<p class="note">No decision matrix figure: {n_sources:,} values '
                f"of {esc(a.name)} are too many to draw; see the Direction "
                "table.</p>"
            )
        for title, (header, rows) in _sections(a):
            parts.append(f"<h3>{esc(title)}</h3>")
            parts.append(_html_table(header, rows) if rows else "<p>None.</p>")
        if a.undefined:
            items = "".join(
                f"<li><code>{esc(k)}</code>: {esc(v)}</li>"
                for k, v in a.undefined.items()
            )
            parts.append(f"<h3>Undefined values</h3><ul>{items}</ul>")
    body = '<div class="skcf">\n' + "\n".join(parts) + "\n</div>"
    if not page:
        return f"<style>{STYLE}</style>{body}"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Counterfactual audit of {esc(report.estimator)}</title>"
        f"<style>{PAGE_STYLE}{STYLE}</style></head><body>\n{body}\n</body></html>\n"
    )
