"""Figures of audit reports and leaderboards.

matplotlib is optional (``pip install "skcounterfactual[plot]"``) and imported
inside the functions that need it. Figures embedded in HTML are drawn on a
``matplotlib.figure.Figure`` with the Agg canvas, so writing a report never
touches pyplot's global state or the interactive backend.
"""

import base64
import io

import numpy as np
import pandas as pd

from ._escape import terminal

MATPLOTLIB_MISSING = (
    'Plotting needs matplotlib; install it with pip install "skcounterfactual[plot]".'
)
FLIP_COLOUR, PLACEBO_COLOUR, MAIN_COLOUR = "#c0392b", "#7f8c8d", "#1f6f9f"
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


def shown(value):
    """Return a value from the data as figure text, drawn exactly as it reads.

    Control characters become visible escapes (no glyph is missing) and
    ``$`` is escaped, so that matplotlib does not read mathtext from the data.
    """
    return terminal(label(value)).replace("$", r"\$")


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
    ax.set_yticks(
        y + (height / 2 if with_placebo else 0), [shown(a.name) for a in found]
    )
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
    ax.set_yticks(y, [shown(g) for g in groups.index])
    ax.invert_yaxis()
    ax.set_xlim(0, 1.3)
    ax.set_xticks(np.linspace(0, 1, 6))
    difference = found.demographic_parity_difference
    subtitle = "" if difference is None else f" (difference {difference:.3f})"
    _style(
        ax,
        "selection rate (share of favourable decisions)",
        f"Selection rate by {shown(found.name)}{subtitle}",
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


def plot_decision_matrix(found, pos_label=1, ax=None):
    """Draw the decision on each row against the decision on its twins.

    Two lines per source group (the row's own value): of its row-twin pairs,
    how many keep the decision (blue) and how many change it (red), shaded by
    their share of the group's pairs.

    Parameters
    ----------
    found : AttributeAudit
        One attribute of an audit.
    pos_label : label, default=1
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
    ax.set_yticks(range(len(rows)), [shown(row) for row in rows])
    ax.tick_params(length=0)
    ax.xaxis.tick_top()
    ax.set_xlabel(
        f"favourable = {shown(repr(pos_label))}\nred: the twin's decision differs "
        "from the row's"
    )
    ax.set_title(
        f"Row decision \u00d7 twin decision by {shown(found.name)}", fontsize=11
    )
    return ax


def plot_pareto(board, ax=None):
    """Draw accuracy against flip rate, the Pareto front highlighted.

    Parameters
    ----------
    board : DataFrame, fitted search or dict
        The output of :func:`leaderboard` (mean and std columns of accuracy
        and flip rate, and ``pareto``), or what :func:`leaderboard` takes: a
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
    ...     "accuracy_std": [0.01] * 3, "flip_rate_mean": [0.4, 0.1, 0.2],
    ...     "flip_rate_std": [0.02] * 3, "pareto": [True, True, False]})
    >>> ax = plot_pareto(board)
    >>> [t.get_text() for t in ax.texts]
    ['0', '1']
    """
    if not isinstance(board, pd.DataFrame):
        from ._leaderboard import board_of

        board = board_of(board)
    ax = _axes(ax, (6.4, 4.8))
    front = board["pareto"].to_numpy(dtype=bool)
    x = board["flip_rate_mean"].to_numpy(dtype=float)
    y = board["accuracy_mean"].to_numpy(dtype=float)
    x_err = board["flip_rate_std"].to_numpy(dtype=float)
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
    order = np.lexsort((y[front], -x[front]))
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
    ax.set_xlabel("counterfactual flip rate, lower is fairer")
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
