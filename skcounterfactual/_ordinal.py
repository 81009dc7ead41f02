"""Numeric attributes: bins of their values, and how decisions move along them.

An age or an income is not a set of groups: twins take a few values of its
domain (by default five quantiles of the fit data, see
:class:`CounterfactualAugmenter`) and the audit bins the rows' own values
between them (:func:`bin_labels`, :func:`assign_bins`), so that its tables
stay small whatever the number of distinct values.

:class:`OrdinalTally` gathers, chunk by chunk, each person's decision (or
score, or a regressor's prediction) at every value of the domain, from the row
itself and its twins, and counts, between consecutive values, the people whose
decision goes up and down: the *ordinal summary*. Pooled over the steps,
those counts give the trend and its test, an exact sign test (McNemar's) on
the signed changes: under "the attribute does not matter", a move up and a
move down are equally likely.
"""

import numpy as np
import pandas as pd

from ._exact import exact_sum
from ._paired import mcnemar_exact, mcnemar_midp

MAX_ORDINAL_VALUES = 50
STEP_COLUMNS = ("n_pairs", "n_up", "n_down", "p_value_midp", "p_value_exact")


def _number(value):
    value = float(value)
    if value.is_integer():
        return f"{int(value):,}" if abs(value) >= 10_000 else str(int(value))
    if abs(value) >= 100:
        return f"{value:,.1f}"
    return f"{value:.4g}"


def bin_labels(edges):
    """Return one label per bin: ``"< 29"``, ``"[29, 37)"``, ..., ``">= 56"``.

    Examples
    --------
    >>> bin_labels([29.0, 37.0])
    ['< 29', '[29, 37)', '>= 37']
    """
    if not edges:
        return ["all"]
    shown = [_number(e) for e in edges]
    middle = [f"[{a}, {b})" for a, b in zip(shown[:-1], shown[1:], strict=True)]
    return [f"< {shown[0]}", *middle, f">= {shown[-1]}"]


def assign_bins(values, edges, labels):
    """Return the bin label of each of ``values`` (numbers, no missing value)."""
    numbers = np.asarray(values, dtype=float)
    position = np.searchsorted(np.asarray(edges, dtype=float), numbers, side="right")
    return np.asarray(labels, dtype=object)[position]


def is_numeric_domain(domain):
    """Whether a domain's values are real numbers (booleans are not)."""
    return len(domain) >= 2 and all(
        isinstance(v, int | float | np.integer | np.floating)
        and not isinstance(v, bool | np.bool_)
        for v in domain
    )


class OrdinalTally:
    """Decisions along the sorted values of one numeric attribute (see above).

    Parameters
    ----------
    column : label
        The protected column.
    domain : list
        Its twin values (numbers).
    mode : {"binary", "regression"}
        Compare favourable decisions, or a regressor's predictions.
    pos_label : label or None
        The favourable decision (``mode="binary"``).
    tolerance : float or None
        A regressor's change that does not count as a move.
    """

    def __init__(self, column, domain, mode, pos_label=None, tolerance=None):
        self.column = column
        self.grid = sorted(domain)
        self.mode = mode
        self.pos_label = pos_label
        self.tolerance = tolerance or 0.0
        k = len(self.grid)
        self.at = {"n": [0] * k, "favourable": [0] * k, "score": [0] * k}
        self.steps = {key: [0] * (k - 1) for key in ("n", "up", "down", "change")}
        self.scored = False

    def _codes(self, values):
        index = {value: j for j, value in enumerate(self.grid)}
        return np.array([index.get(v, -1) for v in values], dtype=np.int64)

    def update(self, chunk, mask):
        """Add one chunk: its rows and their twins in ``mask``."""
        n, k = chunk.n_samples, len(self.grid)
        provenance = chunk.provenance
        own = self._codes(chunk.rows[self.column].to_numpy(dtype=object))
        pos = provenance["source_position"].to_numpy()[mask]
        target = self._codes(provenance["new"].to_numpy(dtype=object)[mask])
        keep = target >= 0
        pos, target = pos[keep], target[keep]
        rows = np.flatnonzero(own >= 0)
        known = np.zeros((n, k), dtype=bool)
        known[rows, own[rows]] = True
        known[pos, target] = True
        favourable = np.zeros((n, k), dtype=bool)
        if self.mode == "binary":
            favourable[rows, own[rows]] = chunk.original[rows] == self.pos_label
            favourable[pos, target] = chunk.twin[mask][keep] == self.pos_label
        score = None
        if chunk.original_score is not None:
            self.scored = True
            score = np.zeros((n, k))
            score[rows, own[rows]] = chunk.original_score[rows]
            score[pos, target] = chunk.twin_score[mask][keep]
        for j in range(k):
            self.at["n"][j] += int(known[:, j].sum())
            self.at["favourable"][j] += int((favourable[:, j] & known[:, j]).sum())
            if score is not None:
                self.at["score"][j] += exact_sum(score[known[:, j], j])
        for j in range(k - 1):
            both = known[:, j] & known[:, j + 1]
            if self.mode == "binary":
                up = ~favourable[:, j] & favourable[:, j + 1]
                down = favourable[:, j] & ~favourable[:, j + 1]
            else:
                change = score[:, j + 1] - score[:, j]
                up, down = change > self.tolerance, change < -self.tolerance
            self.steps["n"][j] += int(both.sum())
            self.steps["up"][j] += int((up & both).sum())
            self.steps["down"][j] += int((down & both).sum())
            if score is not None:
                self.steps["change"][j] += exact_sum(
                    score[both, j + 1] - score[both, j]
                )
        return self

    def merge(self, other):
        """Add the tally of the rows that follow."""
        for table, more in ((self.at, other.at), (self.steps, other.steps)):
            for key, values in more.items():
                table[key] = [a + b for a, b in zip(table[key], values, strict=True)]
        self.scored |= other.scored
        return self

    def table(self):
        """Return the ordinal table: one row per value, steps from the previous."""
        n = np.asarray(self.at["n"], dtype=np.int64)
        data = {"value": pd.Series(list(self.grid), dtype=object), "n_rows": n}
        level = "mean_prediction" if self.mode == "regression" else "selection_rate"
        if self.mode == "binary":
            data[level] = _ratios(self.at["favourable"], n)
        if self.scored:
            data[level if self.mode == "regression" else "mean_score"] = _ratios(
                self.at["score"], n
            )
        steps = {key: np.asarray(v, dtype=object) for key, v in self.steps.items()}
        up = np.asarray(self.steps["up"], dtype=np.int64)
        down = np.asarray(self.steps["down"], dtype=np.int64)
        data["n_pairs"] = [None, *np.asarray(self.steps["n"], dtype=np.int64).tolist()]
        data["n_up"] = [None, *up.tolist()]
        data["n_down"] = [None, *down.tolist()]
        if self.scored:
            data["mean_change"] = [
                None,
                *_ratios(steps["change"], np.asarray(self.steps["n"])).tolist(),
            ]
        data["p_value_midp"] = [None, *np.atleast_1d(mcnemar_midp(up, down)).tolist()]
        data["p_value_exact"] = [None, *np.atleast_1d(mcnemar_exact(up, down)).tolist()]
        table = pd.DataFrame(data)
        for column in ("n_pairs", "n_up", "n_down"):
            table[column] = table[column].astype("Int64")
        for column in ("mean_change", "p_value_midp", "p_value_exact"):
            if column in table:
                table[column] = table[column].astype(float)
        return table

    def trend(self):
        """Return the trend over all steps and its sign test."""
        up, down = sum(self.steps["up"]), sum(self.steps["down"])
        per_step = list(zip(self.steps["up"], self.steps["down"], strict=True))
        direction = "increasing" if up > down else "decreasing" if down > up else "none"
        rising = all(u >= d for u, d in per_step)
        falling = all(d >= u for u, d in per_step)
        return {
            "direction": direction,
            "monotone": bool(direction != "none" and (rising or falling)),
            "n_steps": len(per_step),
            "n_up": int(up),
            "n_down": int(down),
            "p_value_midp": float(mcnemar_midp(up, down)),
            "p_value_exact": float(mcnemar_exact(up, down)),
        }

    def comparisons(self, regression):
        """Return the steps as a ``comparisons`` table (value a, then value b).

        Each person's decision as ``a`` against their decision as ``b``, for
        consecutive values: the comparisons of a numeric attribute.
        """
        up = np.asarray(self.steps["up"], dtype=np.int64)
        down = np.asarray(self.steps["down"], dtype=np.int64)
        a, b = self.grid[:-1], self.grid[1:]
        favoured = [
            x if d > u else y if u > d else None
            for x, y, u, d in zip(a, b, up, down, strict=True)
        ]
        names = ("higher", "only_a_higher", "only_b_higher")
        if not regression:
            names = ("favoured", "only_a_favourable", "only_b_favourable")
        return pd.DataFrame(
            {
                "value_a": pd.Series(a, dtype=object),
                "value_b": pd.Series(b, dtype=object),
                "n_pairs": np.asarray(self.steps["n"], dtype=np.int64),
                names[1]: down,
                names[2]: up,
                names[0]: pd.Series(favoured, dtype=object),
                "p_value_midp": np.atleast_1d(mcnemar_midp(down, up)),
                "p_value_exact": np.atleast_1d(mcnemar_exact(down, up)),
            }
        )


def _ratios(totals, counts):
    counts = np.asarray(counts)
    return np.array(
        [float(t / c) if c else np.nan for t, c in zip(totals, counts, strict=True)]
    )
