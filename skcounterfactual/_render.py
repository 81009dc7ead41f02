"""Pages of audit reports: Markdown and HTML.

The pages hold a summary table, one finding per attribute and its sections
(direction, groups, evidence, undefined values). The HTML page embeds the
figures of ``_plotting`` as base64 PNG images when matplotlib is installed, and
escapes every value taken from the data.
"""

import collections
import difflib
import html
import math
import re

from . import _render_kinds as kinds
from ._escape import markdown, terminal
from ._plotting import (
    DIRECTION_COUNTS,
    decision_matrix,
    figure_png,
    label,
    plot_decision_matrix,
    plot_flip_rates,
    plot_selection_rates,
)

FIGURES_MISSING = (
    "This report has no figures: they need matplotlib. Install it with pip install "
    '"skcounterfactual[plot]" and write the report again.'
)
MAX_MATRIX_GROUPS = 20
DASH = "\u2014"
ARROW = "\u2192"
LONG_TEXT = 60  # longer texts show the words that changed, not both texts
_WORDS = re.compile(r"\w+")


def _number(value, digits=3):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DASH
    return f"{value:.{digits}f}"


def _p(value):
    if value is None:
        return DASH
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
        f"{column}: {_text_diff(old, new)}"
        if isinstance(old, str) and isinstance(new, str) and len(old) > LONG_TEXT
        else f"{column}: {label(old)} {ARROW} {label(new)}"
        for column, (old, new) in changes.items()
    )


def _text_diff(old, new, limit=8):
    """Return the words a twin's text changed (``her → his ×3``), not both texts."""
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    found = collections.Counter(
        (" ".join(a[i1:i2]), " ".join(b[j1:j2]))
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(
            a=a, b=b, autojunk=False
        ).get_opcodes()
        if tag != "equal"
    )
    shown = [
        f"{o} {ARROW} {n}" + (f" \u00d7{k}" if k > 1 else "")
        for (o, n), k in list(found.items())[:limit]
    ]
    more = f", {len(found) - limit} more" if len(found) > limit else ""
    return f"[{', '.join(shown) or 'unchanged'}{more}]"


def summary_table(report):
    """Return the header and rows of the summary table as text."""
    if getattr(report, "kind", "classifier") == "regressor":
        return kinds.regression_summary(
            report,
            lambda a: f"{a.unseen_twins:,}",
            lambda a: (
                DASH if a.incoherent_share is None else f"{a.incoherent_share:.1%}"
            ),
        )
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
        "incoherent twins",
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
                DASH if a.incoherent_share is None else f"{a.incoherent_share:.1%}",
            ]
        )
    return header, rows


def finding(a, report=None):
    """Return one sentence on what the audit of an attribute shows."""
    kind = getattr(report, "kind", "classifier")
    if kind == "regressor" or a.flip_rate is None:
        text = kinds.opening(a, report)
    else:
        text = (
            f"{a.n_flipped_rows:,} of {a.n_rows:,} rows ({a.flip_rate:.1%}) get a "
            f"different decision when only {a.name} changes."
        )
    if a.n_missing:
        text += (
            f" {a.n_missing:,} rows with a missing {a.name} were skipped (no "
            "twins, not in the group metrics)."
        )
    text += _text_sentence(a.text_changes)
    text += kinds.comparison_sentence(a)
    if "favoured" not in a.comparisons:
        text += kinds.labels_sentence(a) if kind != "regressor" else ""
    for row in _top_comparison(a):
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
    text += kinds.trend_sentence(a)
    caveat = a.caveat()
    if caveat:
        text += f" Caveat: {caveat} (see Twin coherence)."
    return text


def _top_comparison(a):
    if "favoured" not in a.comparisons:
        return []
    return a.comparisons.sort_values("p_value_midp").head(1).to_dict("records")


def _text_sentence(changes):
    """One sentence on how the twins' texts changed (text links only)."""
    if not changes:
        return ""
    text = (
        f" Text: rewritten for {changes['rows_changed_share']:.1%} of rows "
        f"({changes['mean_substitutions']:.1f} substitutions per twin)"
    )
    unchanged = changes["twins_unchanged"]
    if unchanged:
        text += (
            f"; {unchanged:,} of {changes['twins']:,} twins needed none, so their "
            "text is the row's own and their unchanged decisions are no evidence "
            "of fairness"
        )
    return text + "."


MAX_PROXIES = 5
MAX_SHOWN_VALUES = 3


def _values(values):
    shown = ", ".join(label(v) for v in values[:MAX_SHOWN_VALUES])
    more = len(values) - MAX_SHOWN_VALUES
    return shown + (f" (+{more:,} more)" if more > 0 else "")


def _combination(column, record):
    if record["level"] == "missing":
        what = f"{label(column)} missing"
    elif record["level"] == "present":
        what = f"{label(column)} present"
    elif record["level"] == "bin":
        what = f"{label(column)} in {record['value']}"
    else:
        what = f"{label(column)}={label(record['value'])}"
    return (
        f"{label(record['group'])} with {what}: {record['count']:,} in the fit "
        f"data, {record['expected']:,.0f} expected"
    )


def coherence_summary(a):
    """Return the sentence that opens the twin coherence section."""
    if a.incoherent_share is None:
        return f"Not checked: {a.undefined.get('incoherent_share', 'unknown')}."
    text = (
        f"{a.incoherent_twins:,} of {a.n_twins:,} twins ({a.incoherent_share:.1%}) "
        "meet a combination the fit data (almost) never holds"
    )
    if not a.incoherent_twins:
        return text + ": every twin is coherent."
    return (
        text + ": the columns below keep a value the twin's new group does not "
        "have. Link them (suggested links below) and audit again."
    )


def coherence_sections(a):
    """Return the tables of the twin coherence section."""
    columns = (
        ["column", "twins affected (fit data)", "worst combinations"],
        [
            [
                label(column),
                f"{record['share']:.1%}",
                "; ".join(_combination(column, r) for r in record["combinations"][:3]),
            ]
            for column, record in a.incoherent_columns.items()
        ],
    )
    top = a.proxies
    if len(top):
        top = top[top["proxy"]].head(MAX_PROXIES)
    proxies = (
        ["column", "measure", "association", "baseline", "linked", "exclusive values"],
        [
            [
                label(r["column"]),
                str(r["measure"]).replace("_", " "),
                _number(r["association"]),
                _number(r["baseline"]),
                "yes" if r["linked"] else "no",
                "; ".join(
                    f"{label(g)}: {_values(v)}"
                    for g, v in r["exclusive_values"].items()
                ),
            ]
            for r in top.to_dict("records")
        ],
    )
    links = (
        ["column", "link"],
        [[label(c), repr(link)] for c, link in a.suggested_links.items()],
    )
    return [
        ("Incoherent columns", columns),
        ("Top proxies", proxies),
        ("Suggested links", links),
    ]


def _evidence_cell(column, value):
    if column == "changes":
        return _changes(value)
    if column in ("score", "twin_score"):
        return _number(value)
    if isinstance(value, float):  # a regressor's prediction
        return f"{value:,.6g}"
    return label(value)


def _sections(a, report=None):
    kind = getattr(report, "kind", "classifier")
    moves = [c for c in DIRECTION_COUNTS[1:3] if c in a.direction]
    if kind == "regressor":
        moves = [c for c in ("twin_higher", "twin_lower") if c in a.direction]
    table, cut_direction = kinds.top_rows(
        a.direction, a.direction[moves].sum(axis=1) if moves else a.direction
    )
    if kind == "regressor":
        direction = kinds.regression_direction(table)
    else:
        direction = (
            ["source", "target", "pairs", f"fav {ARROW} unfav", f"unfav {ARROW} fav"]
            + ["mid-p", "exact p"],
            [
                [label(r["source"]), label(r["target"]), f"{r['n_pairs']:,}"]
                + [f"{r[k]:,}" for k in DIRECTION_COUNTS[1:3]]
                + [_p(r["p_value_midp"]), _p(r["p_value_exact"])]
                for r in table.to_dict("records")
            ],
        )
    groups, cut_groups = kinds.top_rows(a.group_metrics, a.group_metrics["count"])
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
    ordinal = kinds.ordinal_section(a, kind)
    return [
        ("Direction" + cut_direction, direction),
        ("Groups (original rows)" + cut_groups, (group_header, group_rows)),
        *([("How the outcome moves as the value goes up", ordinal)] if ordinal else []),
        (
            f"Evidence: {len(a.evidence):,} of {a.n_flipped_pairs:,} flipped pairs",
            ([c.replace("_", " ") for c in shown], evidence_rows),
        ),
        *_flipset_sections(a),
    ]


def _signed(value):
    return f"{value:+,.0f}" if abs(value) >= 1000 else f"{value:+.3g}"


def _flipset_sections(a):
    """FlipTest's flipsets and transparency table, when the audit has them."""
    if a.flipsets is None:
        return []
    flipsets = (
        ["source", "target", "pairs", "advantaged", "disadvantaged"],
        [
            [label(r["source"]), label(r["target"]), f"{r['n_pairs']:,}"]
            + [
                f"{r[k]:,} ({r[f'{k}_share']:.1%})"
                for k in ("advantaged", "disadvantaged")
            ]
            for r in a.flipsets.to_dict("records")
        ],
    )
    transparency = (
        ["flipset", "feature", "pairs", "mean difference", "in SD", "changed"],
        [
            [r["flipset"], label(r["feature"]), f"{r['n_pairs']:,}"]
            + [
                _signed(r["mean_difference"]),
                f"{r['standardized_difference']:+.2f}",
                f"{r['share_changed']:.0%}",
            ]
            for r in a.transparency.to_dict("records")
        ],
    )
    return [
        ("Flipsets: rows advantaged and disadvantaged by their group", flipsets),
        ("Transparency: what differs between flipset members and twins", transparency),
    ]


def _intro(report):
    if getattr(report, "kind", "classifier") == "regressor":
        return kinds.intro(report)
    scores = ""
    if report.response_method != "predict":
        scores = f", scores from {report.response_method}"
    weighted = "; rows weighted by sample_weight" if report.weighted else ""
    return (
        f"{report.n_rows:,} rows audited. Decisions from predict{scores}; "
        + (
            f"favourable decision (pos_label) {report.pos_label!r}; "
            if report.pos_label is not None
            else "no favourable class (pos_label): a flip is any change of label; "
        )
        + f"{report.confidence:.0%} intervals{weighted}."
    )


LEGEND = (
    "Flip rate: share of rows whose decision changes for at least one twin "
    "(Wilson interval). Placebo rate: the same when only the linked fields "
    "(names) are regenerated and the protected value is kept. Asymmetry p: "
    "mid-p McNemar test that the value does not matter, the smallest over pairs "
    "of values, Bonferroni-adjusted. Score change: mean absolute change of the "
    "favourable-class score. DP and EO: Fairlearn's demographic parity and "
    "equalized odds differences between groups. Incoherent twins: share of twins "
    "meeting a combination the fit data (almost) never holds."
)


def _legend(report):
    if getattr(report, "kind", "classifier") == "regressor":
        return kinds.REGRESSION_LEGEND
    return LEGEND


def render_markdown(report):
    """Return the report as Markdown (pipe tables, no figures).

    Every heading, sentence and cell that holds text from the data goes
    through :func:`~._escape.markdown`: one line each, with no HTML, link,
    table or emphasis markup of its own.
    """
    md = markdown

    def table(header, rows):
        lines = ["| " + " | ".join(md(h) for h in header) + " |"]
        lines.append("|" + "|".join("---" for _ in header) + "|")
        lines += ["| " + " | ".join(md(v) for v in row) + " |" for row in rows]
        return "\n".join(lines)

    out = [f"# Counterfactual audit of {md(report.estimator)}", "", md(_intro(report))]
    out += ["", "## Summary", "", table(*summary_table(report)), "", _legend(report)]
    out += [""]
    for a in report.attributes.values():
        out += [f"## {md(a.name)}", "", md(finding(a, report)), ""]
        for title, (header, rows) in _sections(a, report):
            out += [f"### {md(title)}", "", table(header, rows) if rows else "None."]
            out += [""]
        out += ["### Twin coherence", "", md(coherence_summary(a)), ""]
        for title, (header, rows) in coherence_sections(a):
            out += [f"#### {md(title)}", "", table(header, rows) if rows else "None."]
            out += [""]
        if a.undefined:
            out += ["### Undefined values", ""]
            out += [f"- {md(key)}: {md(reason)}" for key, reason in a.undefined.items()]
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


def _esc(value):
    """HTML-escape text from the data, control characters shown as escapes."""
    return html.escape(terminal(value))


def _html_table(header, rows):
    head = "".join(f"<th>{_esc(h)}</th>" for h in header)
    body = []
    for row in rows:
        cells = []
        for value in row:
            text = str(value)
            numeric = text[:1].isdigit() or text[:2] in ("< ", "+0", "-0")
            attribute = ' class="num"' if numeric and len(text) < 24 else ""
            cells.append(f"<td{attribute}>{_esc(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<div class="scroll"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _figure(draw, args, alt, figsize):
    data = figure_png(draw, *args, figsize=figsize)
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{_esc(alt)}"></figure>'
    )


def _matrix(found, pos_label):
    def draw(found, ax):
        return plot_decision_matrix(found, pos_label, ax=ax)

    rows, _ = decision_matrix(found)
    width = min(9.0, 4.4 + 0.075 * max(len(row) for row in rows))
    size = (width, 1.8 + 0.42 * len(rows))
    return _figure(draw, (found,), f"Twin decision matrix for {found.name}", size)


def render_html(report, *, figures=True, page=True):
    """Return the report as HTML: a whole page, or a fragment for notebooks.

    Every value that comes from the data (column names, group values, names
    in the evidence) goes through :func:`html.escape`, its control
    characters written as visible escapes (``_escape.terminal``).
    """
    esc = _esc
    found = list(report.attributes.values())
    parts = [
        f"<h1>Counterfactual audit of {esc(report.estimator)}</h1>",
        f"<p>{esc(_intro(report))}</p>",
        "<h2>Summary</h2>" + _html_table(*summary_table(report)),
        f'<p class="note">{esc(_legend(report))}</p>',
    ]
    if figures and all(a.flip_rate is not None for a in found):
        size = (7.0, 1.4 + 0.7 * len(found))
        parts.append(_figure(plot_flip_rates, (report,), "Flip rates", size))
    elif not figures:
        parts.append(f'<p class="note">{esc(FIGURES_MISSING)}</p>')
    for a in found:
        parts.append(f"<h2>{esc(a.name)}</h2>")
        parts.append(f'<p class="finding">{esc(finding(a, report))}</p>')
        rates = len(a.group_metrics) and "selection_rate" in a.group_metrics
        if figures and rates:
            size = (7.0, 1.4 + 0.45 * min(len(a.group_metrics), MAX_MATRIX_GROUPS))
            alt = f"Selection rate by {a.name}"
            parts.append(_figure(plot_selection_rates, (a,), alt, size))
        decisions = "favourable_to_unfavourable" in a.direction
        n_sources = a.direction["source"].nunique() if decisions else 0
        if figures and decisions and n_sources <= MAX_MATRIX_GROUPS:
            parts.append(_matrix(a, report.pos_label))
        elif figures and decisions:
            parts.append(
                f'<p class="note">No decision matrix figure: {n_sources:,} values '
                f"of {esc(a.name)} are too many to draw; see the Direction "
                "table.</p>"
            )
        for title, (header, rows) in _sections(a, report):
            parts.append(f"<h3>{esc(title)}</h3>")
            parts.append(_html_table(header, rows) if rows else "<p>None.</p>")
        parts.append("<h3>Twin coherence</h3>")
        parts.append(f"<p>{esc(coherence_summary(a))}</p>")
        for title, (header, rows) in coherence_sections(a):
            parts.append(f"<h4>{esc(title)}</h4>")
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
