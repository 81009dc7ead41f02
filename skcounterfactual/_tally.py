"""Sufficient statistics of an audit, gathered chunk by chunk and merged.

An audit never holds more than one chunk of twins. For each audited factor, a
:class:`FactorTally` keeps exact sums (row counts, or exact sums of weights
with :func:`~._stats.weighted_total`), the counts of paired decisions per
(source, target) value, per-group counts for the group metrics and the first
flipped pairs as evidence. Tallies of consecutive chunks, or of the partitions
of a Dask table, merge by addition in row order, so the result does not depend
on how the rows were split. ``finish`` turns a tally into the numbers of an
:class:`~._report.AttributeAudit`.
"""

from fractions import Fraction

import numpy as np
import pandas as pd

from ._audit_coherence import count_incoherent
from ._exact import exact_sum
from ._flipsets import FlipsetTally, flipsets_from_direction
from ._group_sums import NO_SELECTION_LABELS
from ._group_tally import GroupTally
from ._mean_intervals import mean_from_totals, paired_from_totals
from ._ordinal import (
    MAX_ORDINAL_VALUES,
    OrdinalTally,
    assign_bins,
    bin_labels,
    is_numeric_domain,
)
from ._paired import count_cells, tables_from_cells
from ._regression import EffectTally
from ._stats import proportion_from_totals, weighted_total
from ._text import TEXT_SUBSTITUTIONS

EVIDENCE_COLUMNS = [
    "row",
    "attribute",
    "original",
    "new",
    "changes",
    "decision",
    "twin_decision",
]
NO_PLACEBO = (
    "no placebo twins: the augmenter's placebo=False, or no generated link field "
    "(such as 'first_name') follows this attribute"
)
NO_SCORES = "the estimator gave decisions only (response_method='predict')"
NO_TOLERANCE = (
    "a regressor's flip needs a tolerance (the largest change of the prediction "
    "that is not a flip): pass tolerance=...; the effect (score_change and "
    "effect_quantiles) measures the change itself"
)
REGRESSION_DIRECTION = {
    "favourable_to_unfavourable": "twin_lower",
    "unfavourable_to_favourable": "twin_higher",
    "unfavourable_both": "unchanged",
}
REGRESSION_COMPARISONS = {
    "only_a_favourable": "only_a_higher",
    "only_b_favourable": "only_b_higher",
    "favoured": "higher",
}
MODES = ("binary", "labels", "regression")


def _totals(mask, weights):
    """Count (or exact sums of weights and squared weights) of the rows in mask."""
    if weights is None:
        n = int(np.count_nonzero(mask))
        return n, n
    w = weights[mask]
    return exact_sum(w), exact_sum(w * w)


class FactorTally:
    """What one audited factor found so far (see the module docstring).

    Parameters
    ----------
    name : str
        The factor, as in the provenance's ``attribute`` column.
    columns, linked : list
        Its protected and linked columns.
    domain : list or None
        The order in which its values are listed.
    pos_label : label
        The favourable decision.
    max_evidence : int
        Flipped pairs kept as evidence.
    flipsets : bool, default=False
        Gather FlipTest's flipsets (twins that are other people).
    mode : {"binary", "labels", "regression"}, default="binary"
        A classifier with a favourable class, a classifier without one (a flip
        is any change of label; directions and parity are undefined), or a
        regressor (directions compare predictions, and the effect is
        gathered).
    tolerance : float or None, default=None
        A regressor's largest change that is not a flip.
    bins : list or None, default=None
        For a numeric attribute twinned on a few values of a continuous
        column, the edges that bin the rows' own values (``_ordinal``).
    classes : list or None, default=None
        The estimator's classes, to say why a favourable class is missing.
    """

    def __init__(
        self,
        name,
        columns,
        linked,
        domain,
        pos_label,
        max_evidence,
        flipsets=False,
        *,
        mode="binary",
        tolerance=None,
        bins=None,
        classes=None,
    ):
        self.name = name
        self.columns = list(columns)
        self.linked = list(linked)
        self.domain = domain
        self.pos_label = pos_label
        self.max_evidence = max_evidence
        self.mode = mode
        self.tolerance = tolerance
        self.classes = classes
        self.bins = None if bins is None else list(bins)
        self.bin_labels = None if bins is None else bin_labels(self.bins)
        self.effect = EffectTally() if mode == "regression" else None
        self.ordinal = None
        if (
            mode != "labels"
            and len(self.columns) == 1
            and domain is not None
            and _ordinal_domain(domain)
        ):
            self.ordinal = OrdinalTally(
                self.columns[0], domain, mode, pos_label=pos_label, tolerance=tolerance
            )
        self.counts = dict.fromkeys(
            (
                "n_rows",
                "n_flipped_rows",
                "n_twins",
                "n_placebo_twins",
                "n_flipped_pairs",
                "unseen_twins",
                "n_missing",
                "n_placebo_rows",
                "n_score_rows",
            ),
            0,
        )
        self.counts["incoherent"] = None  # twins flagged incoherent, if checked
        self.sums = dict.fromkeys(
            (
                "total",
                "total_sq",
                "flipped",
                "placebo_total",
                "placebo_total_sq",
                "placebo_flipped",
                "both_total",
                "both_total_sq",
                "both_first",
                "both_second",
                "both_both",
                "score",
                "score_sq",
            ),
            0,
        )
        self.scored = False
        self.cells = {}
        self.group_tally = GroupTally(
            self.columns, mode, pos_label, bins=self.bins, classes=classes
        )
        self.evidence = []
        self.unseen_values = {}
        self.text = None
        use_flipsets = flipsets and mode == "binary"
        self.flipsets = FlipsetTally(self.columns) if use_flipsets else None

    # ----------------------------------------------------------------- update
    def update(self, chunk, y, weights):
        """Add one chunk of predictions (``y`` and ``weights`` of its rows)."""
        twin_mask = chunk.mask("twin", self.name)
        placebo_mask = chunk.mask("placebo", self.name)
        flipped, audited = chunk.flips(twin_mask, self.pos_label)
        counts, sums = self.counts, self.sums
        counts["n_rows"] += int(audited.sum())
        counts["n_flipped_rows"] += int(flipped.sum())
        counts["n_twins"] += int(twin_mask.sum())
        counts["n_placebo_twins"] += int(placebo_mask.sum())
        total, total_sq = _totals(audited, weights)
        sums["total"] += total
        sums["total_sq"] += total_sq
        w = None if weights is None else weights[audited]
        sums["flipped"] += weighted_total(flipped[audited], w)
        if placebo_mask.any():
            self._update_placebo(chunk, placebo_mask, flipped, audited, weights)
        if chunk.original_score is not None:
            self.scored = True
            if twin_mask.any():
                change, _ = chunk.score_changes(twin_mask)
                x = change[audited]
                sums["score"] += weighted_total(x, w)
                sums["score_sq"] += weighted_total(x * x, w)
                counts["n_score_rows"] += int(
                    audited.sum() if w is None else np.count_nonzero(w)
                )
        changed = chunk.changed(twin_mask, self.pos_label)
        counts["n_flipped_pairs"] += int(changed.sum())
        unseen = chunk.provenance["unseen"].to_numpy()
        counts["unseen_twins"] += int(unseen[twin_mask | placebo_mask].sum())
        incoherent = count_incoherent(chunk.provenance, twin_mask)
        if incoherent is not None:
            counts["incoherent"] = (counts["incoherent"] or 0) + incoherent
        self._update_cells(chunk, twin_mask)
        self.counts["n_missing"] += self.group_tally.update(chunk, y, weights)
        self._update_evidence(chunk, np.flatnonzero(twin_mask)[changed])
        self._update_text(chunk, twin_mask, placebo_mask, flipped, weights)
        if self.flipsets is not None:
            self.flipsets.update(chunk, twin_mask, self.pos_label)
        if self.ordinal is not None:
            self.ordinal.update(chunk, twin_mask)
        own = set(self.columns) | set(self.linked)
        for column, values in chunk.unseen_values.items():
            if column in own:
                merged = self.unseen_values.setdefault(column, [])
                merged.extend(v for v in values if v not in merged)

    def _update_placebo(self, chunk, mask, flipped, audited, weights):
        p_flipped, p_audited = chunk.flips(mask, self.pos_label)
        counts, sums = self.counts, self.sums
        counts["n_placebo_rows"] += int(p_audited.sum())
        total, total_sq = _totals(p_audited, weights)
        sums["placebo_total"] += total
        sums["placebo_total_sq"] += total_sq
        w = None if weights is None else weights[p_audited]
        sums["placebo_flipped"] += weighted_total(p_flipped[p_audited], w)
        both = audited & p_audited
        total, total_sq = _totals(both, weights)
        sums["both_total"] += total
        sums["both_total_sq"] += total_sq
        w = None if weights is None else weights[both]
        sums["both_first"] += weighted_total(flipped[both], w)
        sums["both_second"] += weighted_total(p_flipped[both], w)
        sums["both_both"] += weighted_total(flipped[both] & p_flipped[both], w)

    def _update_cells(self, chunk, mask):
        """Count paired decisions per observed (source, target) value.

        A regressor's pair counts as "favourable" on the side whose
        prediction is higher (by more than the tolerance), and adds its
        change to the effect tally.
        """
        if self.mode == "labels":
            return
        provenance = chunk.provenance
        pos = provenance["source_position"].to_numpy()[mask]
        source = provenance["original"].to_numpy(dtype=object)[mask]
        if self.bins is not None:
            source = assign_bins(source, self.bins, self.bin_labels)
        target = provenance["new"].to_numpy(dtype=object)[mask]
        if self.mode == "regression":
            change = chunk.twin_score[mask] - chunk.original_score[pos]
            tolerance = self.tolerance or 0.0
            row_side, twin_side = change < -tolerance, change > tolerance
            self.effect.update(source, target, change)
        else:
            row_side = chunk.original[pos] == self.pos_label
            twin_side = chunk.twin[mask] == self.pos_label
        count_cells(self.cells, source, target, row_side, twin_side)

    def _update_text(self, chunk, twin_mask, placebo_mask, flipped, weights):
        """How the twins' texts changed, from the provenance of text links."""
        provenance = chunk.provenance
        if TEXT_SUBSTITUTIONS not in provenance.columns:
            return
        counts = provenance[TEXT_SUBSTITUTIONS].to_numpy(dtype=float, na_value=np.nan)
        twins = twin_mask & ~np.isnan(counts)
        placebo = placebo_mask & ~np.isnan(counts)
        if not twins.any() and not placebo.any():
            return  # no text link follows this factor
        positions = provenance["source_position"].to_numpy()
        n = chunk.n_samples
        has_text = np.bincount(positions[twins], minlength=n) > 0
        changed = np.bincount(positions[twins & (counts > 0)], minlength=n) > 0
        w_text = None if weights is None else weights[has_text]
        w_changed = None if weights is None else weights[changed]
        found = {
            "twins": int(twins.sum()),
            "twins_unchanged": int((counts[twins] == 0).sum()),
            "substitutions": int(counts[twins].sum()),
            "text_rows": _totals(has_text, weights)[0],
            "changed_rows": weighted_total(changed[has_text], w_text),
            "flipped_changed": weighted_total(flipped[changed], w_changed),
            "changed_total": _totals(changed, weights)[0],
            "placebo": int(placebo.sum()),
            "placebo_changed": int((counts[placebo] > 0).sum()),
        }
        if self.text is None:
            self.text = found
        else:
            for key, value in found.items():
                self.text[key] += value

    def _update_evidence(self, chunk, flips):
        room = self.max_evidence - len(self.evidence)
        if room <= 0 or not len(flips):
            return
        provenance = chunk.provenance
        for i in flips[:room]:
            position = int(provenance["source_position"].iat[i])
            before, after = chunk.rows.iloc[position], chunk.twins.iloc[i]
            record = {
                "row": chunk.rows.index[position],
                "attribute": self.name,
                "original": provenance["original"].iat[i],
                "new": provenance["new"].iat[i],
                "changes": {
                    column: (before[column], after[column])
                    for column in chunk.rows.columns
                    if column not in self.columns
                    and not _same(before[column], after[column])
                },
                "decision": chunk.original[position],
                "twin_decision": chunk.twin[i],
            }
            if chunk.original_score is not None and self.mode != "regression":
                record["score"] = float(chunk.original_score[position])
                record["twin_score"] = float(chunk.twin_score[i])
            self.evidence.append(record)

    # ------------------------------------------------------------------ merge
    def merge(self, other):
        """Add the tally of the rows that follow this tally's rows."""
        for key, value in other.counts.items():
            if key == "incoherent":
                if value is not None:
                    self.counts[key] = (self.counts[key] or 0) + value
                continue
            self.counts[key] += value
        for key, value in other.sums.items():
            self.sums[key] += value
        self.scored |= other.scored
        for key, found in other.cells.items():
            mine = self.cells.setdefault(key, [0, 0, 0, 0])
            for j in range(4):
                mine[j] += found[j]
        self.group_tally.merge(other.group_tally)
        room = self.max_evidence - len(self.evidence)
        self.evidence.extend(other.evidence[: max(room, 0)])
        for column, values in other.unseen_values.items():
            merged = self.unseen_values.setdefault(column, [])
            merged.extend(v for v in values if v not in merged)
        if self.flipsets is not None:
            self.flipsets.merge(other.flipsets)
        if self.effect is not None:
            self.effect.merge(other.effect)
        if self.ordinal is not None:
            self.ordinal.merge(other.ordinal)
        if other.text is not None:
            if self.text is None:
                self.text = dict(other.text)
            else:
                for key, value in other.text.items():
                    self.text[key] += value
        return self

    # ----------------------------------------------------------------- finish
    def finish(self, *, confidence, has_y, given_domains):
        """Return the fields of an :class:`AttributeAudit`."""
        counts, sums = self.counts, self.sums
        if not counts["n_rows"]:
            raise ValueError(
                f"No row of X has a twin for {self.name!r} (every value is missing "
                "or outside the domain), so nothing can be audited."
            )
        undefined = {}
        if sums["total"] == 0:
            raise ValueError(
                f"The rows that have twins for {self.name!r} all have zero "
                "sample_weight, so no rate can be computed."
            )
        rate, low, high = proportion_from_totals(
            sums["flipped"], sums["total"], sums["total_sq"], confidence=confidence
        )
        flip_interval = (low, high)
        if self.mode == "regression" and self.tolerance is None:
            rate, flip_interval = None, None
            undefined["flip_rate"] = NO_TOLERANCE
        placebo = self._placebo(confidence, undefined)
        score = self._score(confidence, undefined)
        direction, comparisons, p_mid, p_exact = self._directions(undefined)
        groups, parity, regression = self.group_tally.finish(
            has_y, given_domains, undefined
        )
        evidence_columns = list(EVIDENCE_COLUMNS)
        if self.scored and self.mode != "regression":
            evidence_columns += ["score", "twin_score"]
        ordinal, trend = None, None
        if self.ordinal is not None:
            ordinal, trend = self.ordinal.table(), self.ordinal.trend()
        return {
            "name": self.name,
            "columns": list(self.columns),
            "n_rows": counts["n_rows"],
            "n_missing": counts["n_missing"],
            "n_twins": counts["n_twins"],
            "n_placebo_twins": counts["n_placebo_twins"],
            "flip_rate": rate,
            "flip_rate_interval": flip_interval,
            "n_flipped_rows": counts["n_flipped_rows"],
            "placebo_rate": placebo[0],
            "placebo_rate_interval": placebo[1],
            "flip_minus_placebo": placebo[2],
            "flip_minus_placebo_interval": placebo[3],
            "direction": direction,
            "comparisons": comparisons,
            "asymmetry_p_value": p_mid,
            "asymmetry_p_value_exact": p_exact,
            "score_change": score[0],
            "score_change_interval": score[1],
            "group_metrics": groups,
            "demographic_parity_difference": parity[0],
            "demographic_parity_ratio": parity[1],
            "equalized_odds_difference": parity[2],
            "unseen_twins": counts["unseen_twins"],
            "unseen_values": {
                column: sorted(values, key=repr)
                for column, values in self.unseen_values.items()
            },
            "n_flipped_pairs": counts["n_flipped_pairs"],
            "evidence": pd.DataFrame.from_records(
                self.evidence, columns=evidence_columns
            ),
            "undefined": undefined,
            "text_changes": self._text_changes(),
            "flipsets": None
            if self.flipsets is None
            else flipsets_from_direction(direction),
            "transparency": None
            if self.flipsets is None
            else self.flipsets.transparency(),
            "effect_quantiles": None
            if self.effect is None
            else self.effect.quantiles(),
            "mean_prediction_difference": regression[0],
            "error_difference": regression[1],
            "ordinal": ordinal,
            "trend": trend,
        }

    def _directions(self, undefined):
        """Return the direction and comparisons tables and the asymmetry p-values."""
        if self.mode == "labels":
            reason = NO_SELECTION_LABELS.format(classes=self.classes)
            for key in ("direction", "comparisons", "asymmetry_p_value"):
                undefined[key] = reason
            return pd.DataFrame(), pd.DataFrame(), None, None
        direction, comparisons = tables_from_cells(self.cells, self._order())
        if self.bins is not None and self.ordinal is not None:
            comparisons = self.ordinal.comparisons(self.mode == "regression")
        if self.mode == "regression":
            keys = list(zip(direction["source"], direction["target"], strict=True))
            effect = self.effect.columns(keys)
            direction = direction.drop(columns="favourable_both").rename(
                columns=REGRESSION_DIRECTION
            )
            at = direction.columns.get_loc("n_pairs") + 1
            for offset, (column, values) in enumerate(effect.items()):
                direction.insert(at + offset, column, np.asarray(values, dtype=float))
            comparisons = comparisons.rename(columns=REGRESSION_COMPARISONS)
        p_mid, p_exact = (
            min(1.0, len(comparisons) * float(comparisons[key].min()))
            if len(comparisons)
            else 1.0
            for key in ("p_value_midp", "p_value_exact")
        )
        return direction, comparisons, p_mid, p_exact

    def _order(self):
        """Return the order of values in tables: bins of own values, then the domain."""
        if self.bin_labels is None:
            return self.domain
        return list(self.bin_labels) + list(self.domain or [])

    def _placebo(self, confidence, undefined):
        sums = self.sums
        if self.mode == "regression" and self.tolerance is None:
            for key in ("placebo_rate", "flip_minus_placebo"):
                undefined[key] = NO_TOLERANCE
            return None, None, None, None
        if not self.counts["n_placebo_twins"]:
            for key in ("placebo_rate", "flip_minus_placebo"):
                undefined[key] = NO_PLACEBO
            return None, None, None, None
        if sums["placebo_total"] == 0 or sums["both_total"] == 0:
            reason = "the rows with placebo twins all have zero sample_weight"
            for key in ("placebo_rate", "flip_minus_placebo"):
                undefined[key] = reason
            return None, None, None, None
        rate, low, high = proportion_from_totals(
            sums["placebo_flipped"],
            sums["placebo_total"],
            sums["placebo_total_sq"],
            confidence=confidence,
        )
        difference, d_low, d_high = paired_from_totals(
            sums["both_first"],
            sums["both_second"],
            sums["both_both"],
            sums["both_total"],
            sums["both_total_sq"],
            confidence=confidence,
        )
        return rate, (low, high), difference, (d_low, d_high)

    def _score(self, confidence, undefined):
        if not self.scored:
            undefined["score_change"] = (
                NO_SELECTION_LABELS.format(classes=self.classes)
                if self.mode == "labels"
                else NO_SCORES
            )
            return None, None
        sums = self.sums
        try:
            mean, low, high = mean_from_totals(
                sums["score"],
                sums["score_sq"],
                sums["total"],
                sums["total_sq"],
                self.counts["n_score_rows"],
                confidence=confidence,
            )
        except ValueError as exc:
            undefined["score_change"] = str(exc)
            return None, None
        return mean, (low, high)

    def _text_changes(self):
        text = self.text
        if text is None or not text["twins"]:
            return None

        def share(hits, total):
            return float(Fraction(hits) / Fraction(total)) if total else None

        return {
            "twins": text["twins"],
            "twins_unchanged": text["twins_unchanged"],
            "rows_changed_share": share(text["changed_rows"], text["text_rows"]),
            "mean_substitutions": text["substitutions"] / text["twins"],
            "flip_rate_text_changed": share(
                text["flipped_changed"], text["changed_total"]
            ),
            "placebo_changed_share": share(text["placebo_changed"], text["placebo"]),
        }


def _ordinal_domain(domain):
    """Whether a factor's domain gets an ordinal summary: 3 to 50 numbers."""
    return 3 <= len(domain) <= MAX_ORDINAL_VALUES and is_numeric_domain(domain)


def _same(a, b):
    if pd.isna(a) is True and pd.isna(b) is True:
        return True
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False
