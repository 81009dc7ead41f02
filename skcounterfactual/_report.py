"""The report of :func:`audit`: :class:`AttributeAudit` and :class:`AuditReport`.

:class:`AttributeAudit` holds the numbers found for one protected attribute;
:class:`AuditReport` holds them all and turns them into a summary frame, plain
JSON-ready values, figures (drawn by ``_plotting``) and pages (Markdown and
HTML, rendered by ``_render``). The computation lives in ``_audit``.
"""

import json
from dataclasses import dataclass, field, fields

import pandas as pd

from . import _plotting, _render
from ._serialise import attribute_dict, plain

SCHEMA_VERSION = 1
MATERIAL_INCOHERENT_SHARE = 0.01  # above this share of incoherent twins, a caveat
CAVEAT = (
    "the flip rate is likely under-estimated: {share} of twins are combinations "
    "the data never holds"
)
JSON_KEYS = (
    "schema_version",
    "estimator",
    "n_rows",
    "response_method",
    "kind",
    "pos_label",
    "tolerance",
    "confidence",
    "placebo",
    "weighted",
    "has_y",
    "attributes",
)
SUMMARY_COLUMNS = (
    "n_rows",
    "n_missing",
    "flip_rate",
    "flip_rate_low",
    "flip_rate_high",
    "placebo_rate",
    "placebo_rate_low",
    "placebo_rate_high",
    "flip_minus_placebo",
    "flip_minus_placebo_low",
    "flip_minus_placebo_high",
    "asymmetry_p_value",
    "score_change",
    "score_change_low",
    "score_change_high",
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "equalized_odds_difference",
    "mean_prediction_difference",
    "error_difference",
    "unseen_twins",
    "n_flipped_pairs",
    "incoherent_share",
)


@dataclass
class AttributeAudit:
    """What the audit found for one protected attribute (or an intersection).

    Rates are (weighted) shares of the audited rows; intervals are
    ``(low, high)`` tuples at the report's confidence. A value that cannot be
    computed is None, and ``undefined`` says why.

    Attributes
    ----------
    name : str
        The attribute, or ``"a & b"`` for the intersection of ``a`` and ``b``.
    columns : list
        The protected column(s) it covers.
    n_rows : int
        Rows with at least one twin for this attribute.
    n_missing : int
        Rows skipped because a protected value is missing (the augmenter's
        ``missing="skip"``): they have no twins and are left out of the group
        metrics.
    n_twins, n_placebo_twins : int
        Counterfactual and placebo twins built.
    flip_rate : float
        Share of audited rows whose decision changes for at least one twin.
    flip_rate_interval : tuple of float
        Wilson interval (on Kish's effective size when weighted).
    n_flipped_rows : int
        Audited rows that flip (unweighted count). For a classifier a flip is
        a change of the predicted label (with a favourable class, a move into
        or out of it); for a regressor, a change of the prediction larger
        than the audit's ``tolerance``: without one, ``flip_rate`` is None
        (see ``undefined``) and the effect is the measure.
    placebo_rate, placebo_rate_interval : float, tuple or None
        The same for placebo twins (protected value kept, linked fields
        regenerated): the flip rate that regenerating names alone causes.
    flip_minus_placebo, flip_minus_placebo_interval : float, tuple or None
        ``flip_rate - placebo_rate`` with Newcombe's paired interval.
    direction : DataFrame
        One row per observed source value and target value: pairs, and
        decisions (favourable/unfavourable) on the row and on its twin, with
        mid-p and exact McNemar p-values of asymmetry within that cell. For a
        regressor: pairs, the mean signed and absolute change of the
        prediction (twin minus row), quantiles of the signed change
        (``change_q05``, ``change_median``, ``change_q95``), and the pairs
        whose twin predicts higher (``twin_higher``), lower (``twin_lower``)
        or within the tolerance (``unchanged``). For a numeric attribute
        twinned on a few values of a continuous column (``bins_`` of the
        augmenter), the source is the bin of the row's own value. Empty when
        the favourable class is unknown (see ``undefined``).
    comparisons : DataFrame
        One row per pair of values ``a``, ``b``: each person's decision as
        ``a`` against their decision as ``b``, pooled over both directions,
        with the p-values of "the value does not matter" (for a regressor,
        ``only_a_higher``, ``only_b_higher`` and ``higher``: which value gets
        the higher prediction). For a binned numeric attribute, consecutive
        values of its domain.
    asymmetry_p_value, asymmetry_p_value_exact : float or None
        Smallest ``comparisons`` p-value, Bonferroni-adjusted for the number
        of value pairs (mid-p and exact).
    score_change, score_change_interval : float, tuple or None
        Mean absolute change of the positive-class score between a row and its
        twins, with a t interval (scores only). For a regressor, the *effect*:
        the mean absolute change of the prediction, in its units.
    group_metrics : DataFrame
        By group of the original rows: count, selection rate and, with ``y``,
        accuracy and true and false positive rates (Fairlearn definitions:
        a group without positive, or negative, labels gets a rate of 0).
        A numeric attribute twinned on a few values of a continuous column
        (the augmenter's ``bins_``) is grouped by the bins between those
        values (``"< 30.5"``, ``"[30.5, 43.5)"``, ...). Empty, with its
        reason under ``undefined``, when another protected column has more
        than 20 distinct values. For a regressor: ``count``,
        ``mean_prediction`` and, with ``y``, ``mean_absolute_error`` and
        ``mean_squared_error``; without a favourable class: ``count`` and,
        with ``y``, ``accuracy``.
    demographic_parity_difference, demographic_parity_ratio : float or None
        Between-groups difference and ratio of the selection rates.
    equalized_odds_difference : float or None
        The larger between-groups difference of the two rates (needs ``y``).
    unseen_twins : int
        Twins (placebo twins included) holding a value never seen in fitting.
    unseen_values : dict
        Per column of this attribute, the unseen values twins carried.
    n_flipped_pairs : int
        Row-twin pairs with different decisions.
    evidence : DataFrame
        The first flipped pairs: row label, values, the columns the twin
        changed (``{column: (old, new)}``) and both decisions.
    undefined : dict
        Names of the values that are None, and why.
    text_changes : dict or None
        With a text link (:class:`TextLink`), how the twins' texts changed:
        ``twins`` (twins with a text link), ``twins_unchanged`` (twins whose
        text needed no substitution: it mentions neither the row's names nor a
        gendered word, so the model saw the same text and their decision
        cannot flip through it), ``rows_changed_share`` (share of audited rows
        with at least one rewritten twin text), ``mean_substitutions`` (per
        twin), ``flip_rate_text_changed`` (the flip rate among the rows whose
        text changed) and ``placebo_changed_share`` (share of placebo twins
        whose text changed; None without placebo twins). None without a text
        link.
    incoherent_twins, incoherent_share : int, float or None
        Twins (placebo twins excluded) that meet a combination the fit data
        (almost) never holds, such as a woman whose household role is
        "Husband", and their share of the twins; None when the twin maker
        does not check coherence (see :class:`IncoherentTwinWarning`). Above
        1%, the finding carries a caveat: a model that reads such a column
        still sees the original group, so the flip rate is likely
        under-estimated.
    incoherent_columns : dict
        Per column responsible, what the twin maker found in its fit data:
        the ``attribute``, the ``share`` and number (``n_twins``) of twins
        affected, and the worst ``combinations`` with their counts.
    proxies : DataFrame
        The other columns of the audited rows ranked by how much they reveal
        the attribute (:func:`find_proxies`), with ``linked`` telling whether
        the twins change the column.
    suggested_links : dict
        ``{column: link}``: the links that would make the twins coherent
        (:func:`suggest_links`), to pass to the augmenter's ``links``.
    flipsets : DataFrame or None
        For twins that are other people or follow a causal model
        (:class:`TransportAugmenter`, :class:`CausalAugmenter`), FlipTest's
        flipsets: per source and target value, the pairs, the rows
        advantaged by their group (favourable decision, unfavourable twin)
        and those disadvantaged, with their shares. None for all-else-equal
        twins, whose direction table says the same.
    transparency : DataFrame or None
        With ``flipsets``, FlipTest's transparency table: per flipset, the
        features that differ most between its members and their twins (mean
        difference twin minus member; for a category, the difference in the
        share holding it; the same in standard deviations; the share of
        pairs in which the feature differs).
    effect_quantiles : dict or None
        For a regressor, quantiles (``q05``, ``q25``, ``median``, ``q75``,
        ``q95``) of the absolute change of the prediction over all twin
        pairs, within 0.5% (a log-bucket sketch that merges exactly across
        chunks). None for classifiers.
    mean_prediction_difference, error_difference : float or None
        For a regressor, the between-groups differences of the mean
        prediction and (with ``y``) of the mean absolute error, as Fairlearn's
        ``MetricFrame(...).difference()`` computes them; its group metrics
        are ``count``, ``mean_prediction``, ``mean_absolute_error`` and
        ``mean_squared_error``. None for classifiers.
    ordinal : DataFrame or None
        For a numeric attribute with 3 to 50 twin values (an age, an income):
        per value, the people evaluated at it (``n_rows``), their selection
        rate (or mean prediction, and ``mean_score`` with scores), and from
        the previous value, the pairs, how many moved up (``n_up``) and down
        (``n_down``), the mean change of the score and the sign test's
        p-values. None for other attributes.
    trend : dict or None
        With ``ordinal``, the moves pooled over all steps: ``direction``
        (``"increasing"``, ``"decreasing"`` or ``"none"``), ``monotone`` (no
        step goes the other way), ``n_steps``, ``n_up``, ``n_down`` and the
        exact and mid-p sign test p-values.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn.dummy import DummyClassifier
    >>> from skcounterfactual import audit
    >>> X = pd.DataFrame({"gender": ["F", "M"] * 5, "income": range(10)})
    >>> model = DummyClassifier(strategy="constant", constant=1).fit(X, [1] * 10)
    >>> found = audit(model, X, protected="gender").attributes["gender"]
    >>> found.flip_rate, found.n_rows, found.demographic_parity_difference
    (0.0, 10, 0.0)
    """

    name: str
    columns: list
    n_rows: int
    n_missing: int
    n_twins: int
    n_placebo_twins: int
    flip_rate: float | None
    flip_rate_interval: tuple | None
    n_flipped_rows: int
    placebo_rate: float | None
    placebo_rate_interval: tuple | None
    flip_minus_placebo: float | None
    flip_minus_placebo_interval: tuple | None
    direction: pd.DataFrame
    comparisons: pd.DataFrame
    asymmetry_p_value: float | None
    asymmetry_p_value_exact: float | None
    score_change: float | None
    score_change_interval: tuple | None
    group_metrics: pd.DataFrame
    demographic_parity_difference: float | None
    demographic_parity_ratio: float | None
    equalized_odds_difference: float | None
    unseen_twins: int
    unseen_values: dict
    n_flipped_pairs: int
    evidence: pd.DataFrame
    undefined: dict
    text_changes: dict | None = None
    incoherent_twins: int | None = None
    incoherent_share: float | None = None
    incoherent_columns: dict = field(default_factory=dict)
    proxies: pd.DataFrame = field(default_factory=pd.DataFrame)
    suggested_links: dict = field(default_factory=dict)
    flipsets: pd.DataFrame | None = None
    transparency: pd.DataFrame | None = None
    effect_quantiles: dict | None = None
    mean_prediction_difference: float | None = None
    error_difference: float | None = None
    ordinal: pd.DataFrame | None = None
    trend: dict | None = None

    def caveat(self):
        """Return the caveat on the flip rate, or None when there is none.

        Returns
        -------
        caveat : str or None
            A sentence when more than 1% of the twins are incoherent.
        """
        share = self.incoherent_share
        if share is None or share <= MATERIAL_INCOHERENT_SHARE:
            return None
        shown = f"{share:.0%}" if share >= 0.1 else f"{share:.1%}"
        return CAVEAT.format(share=shown)

    def summary(self):
        """Return the headline numbers as a dict (the row of ``to_frame``)."""
        row = {}
        for key in SUMMARY_COLUMNS:
            base, _, end = key.rpartition("_")
            if end in ("low", "high"):
                interval = getattr(self, f"{base}_interval")
                row[key] = None if interval is None else interval[end == "high"]
            else:
                row[key] = getattr(self, key)
        return row


JSON_ATTRIBUTE_KEYS = tuple(f.name for f in fields(AttributeAudit) if f.name != "name")
# Sections that only some twins have (None without them, not undefined)
OPTIONAL_SECTIONS = (
    "text_changes",
    "flipsets",
    "transparency",
    "effect_quantiles",
    "mean_prediction_difference",
    "error_difference",
    "ordinal",
    "trend",
)


class AuditReport:
    """The result of :func:`audit`: numbers, tables, figures and pages.

    Attributes
    ----------
    attributes : dict of str to AttributeAudit
        Per protected attribute (and intersection), what the audit found,
        e.g. ``report.attributes["gender"].flip_rate``.
    n_rows : int
        Rows of ``X``.
    estimator : str
        The audited estimator's class name (with a pipeline's steps).
    response_method : str
        How the scores were read (``"predict"`` when there are none, and for
        regressors, whose predictions are their scores).
    kind : {"classifier", "regressor"}
        What the model predicts: labels, or continuous values.
    pos_label : label or None
        The favourable decision; None for regressors, and for classifiers
        whose favourable class is unknown (then flips are any change of
        label, and directions and parity are undefined).
    tolerance : float or None
        For a regressor, the largest change of a prediction that is not a
        flip.
    confidence : float
        Confidence level of every interval.
    placebo : bool
        Whether placebo twins were built.
    weighted : bool
        Whether ``sample_weight`` was given.
    has_y : bool
        Whether true labels were given.

    Examples
    --------
    >>> import json
    >>> import pandas as pd
    >>> from sklearn.compose import make_column_transformer
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from skcounterfactual import CounterfactualAugmenter, audit
    >>> X = pd.DataFrame({"gender": ["F", "M"] * 10, "code": [0, 1] * 10,
    ...                   "income": range(20)})
    >>> y = [0, 1] * 10  # the historical decisions followed gender
    >>> model = make_pipeline(
    ...     make_column_transformer(("passthrough", ["code", "income"])),
    ...     DecisionTreeClassifier(random_state=0),
    ... ).fit(X, y)
    >>> twins = CounterfactualAugmenter(protected="gender",
    ...                                 links={"code": {"F": 0, "M": 1}})
    >>> report = audit(model, X, y, augmenter=twins)
    >>> report.attributes["gender"].flip_rate
    1.0
    >>> json.loads(report.to_json())["attributes"]["gender"]["n_flipped_rows"]
    20
    >>> html = report.to_html()  # one self-contained page
    """

    def __init__(
        self,
        attributes,
        *,
        n_rows,
        estimator,
        response_method,
        pos_label,
        confidence,
        placebo,
        weighted,
        has_y,
        kind="classifier",
        tolerance=None,
    ):
        self.attributes = attributes
        self.n_rows = n_rows
        self.estimator = estimator
        self.response_method = response_method
        self.kind = kind
        self.pos_label = pos_label
        self.tolerance = tolerance
        self.confidence = confidence
        self.placebo = placebo
        self.weighted = weighted
        self.has_y = has_y

    def __repr__(self):
        parts = ", ".join(
            f"{name}: flip rate {a.flip_rate:.3f}"
            if a.flip_rate is not None
            else f"{name}: effect {a.score_change:.4g}"
            if a.score_change is not None
            else f"{name}: flip rate undefined"
            for name, a in self.attributes.items()
        )
        return f"<AuditReport of {self.estimator} on {self.n_rows} rows ({parts})>"

    def to_frame(self):
        """Return one summary row per attribute (undefined values are NaN).

        Returns
        -------
        summary : DataFrame
            Indexed by attribute, with the columns of ``SUMMARY_COLUMNS``.
        """
        rows = [a.summary() for a in self.attributes.values()]
        frame = pd.DataFrame(
            rows, index=pd.Index(list(self.attributes), name="attribute")
        )
        return frame.astype({c: float for c in frame.columns if frame[c].isna().any()})

    def to_dict(self):
        """Return the report as plain JSON-ready Python objects.

        Returns
        -------
        report : dict
            The keys of ``JSON_KEYS``: ``schema_version`` (1), the report's
            attributes, and ``attributes``, mapping each attribute name to a
            dict with the keys of ``JSON_ATTRIBUTE_KEYS``: the fields of
            :class:`AttributeAudit`, intervals as ``[low, high]`` lists, tables
            (``direction``, ``comparisons``, ``groups``, ``evidence``,
            ``proxies``) as lists of records and group values as text. The
            twin coherence keys are ``incoherent_twins``,
            ``incoherent_share``, ``incoherent_columns``, ``proxies`` and
            ``suggested_links``.

        Notes
        -----
        A value that cannot be computed is None (JSON null) and its reason is
        under the attribute's ``undefined``; NaN never appears. A value from
        the data that is infinite (a protected value, a value in the
        evidence) is the string ``"inf"`` or ``"-inf"``, so it is not taken
        for a missing one. A CI gate can read, e.g.,
        ``report["attributes"]["gender"]["flip_rate_interval"][1]``.
        """
        out = {"schema_version": SCHEMA_VERSION}
        for key in JSON_KEYS[1:-1]:
            out[key] = plain(getattr(self, key))
        out["attributes"] = {
            name: attribute_dict(a, JSON_ATTRIBUTE_KEYS)
            for name, a in self.attributes.items()
        }
        return out

    def to_json(self, path=None, *, indent=2):
        """Return the report as a JSON string, and write it to ``path`` if given.

        Parameters
        ----------
        path : str or path-like, default=None
            File to write (UTF-8).
        indent : int or None, default=2
            Indentation of the JSON text.

        Returns
        -------
        text : str
            Strict JSON (no NaN): undefined values are null with a reason under
            each attribute's ``"undefined"``.
        """
        text = json.dumps(self.to_dict(), indent=indent, allow_nan=False)
        if path is not None:
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)
        return text

    def to_markdown(self):
        """Return the report as Markdown text (plain pipe tables, no figures)."""
        return _render.render_markdown(self)

    def to_html(self, path=None):
        """Return the report as one self-contained HTML page.

        Figures are embedded as base64 PNG images and every value taken from
        the data is HTML-escaped. Without matplotlib the page has the tables
        and a note on how to add the figures
        (``pip install "skcounterfactual[plot]"``).

        Parameters
        ----------
        path : str or path-like, default=None
            File to write (UTF-8).

        Returns
        -------
        html : str
        """
        text = _render.render_html(self, figures=_plotting.has_matplotlib(), page=True)
        if path is not None:
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)
        return text

    def _repr_html_(self):
        return _render.render_html(self, figures=_plotting.has_matplotlib(), page=False)

    def _attribute(self, attribute):
        if attribute is None:
            return next(iter(self.attributes.values()))
        if attribute not in self.attributes:
            raise ValueError(
                f"attribute={attribute!r} is not in this report. Audited "
                f"attributes: {list(self.attributes)!r}."
            )
        return self.attributes[attribute]

    def plot_flip_rates(self, ax=None):
        """Plot the flip rate (and placebo rate) per attribute with intervals.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure when None.

        Returns
        -------
        ax : matplotlib Axes

        Raises
        ------
        ValueError
            When a flip rate is undefined (a regressor audited without a
            tolerance).
        """
        for a in self.attributes.values():
            if a.flip_rate is None:
                raise ValueError(
                    f"The flip rate of {a.name!r} is undefined, so there is none "
                    f"to plot: {a.undefined.get('flip_rate')}."
                )
        return _plotting.plot_flip_rates(self, ax=ax)

    def plot_selection_rates(self, attribute=None, ax=None):
        """Plot the selection rate of the original rows by group.

        Parameters
        ----------
        attribute : str, default=None
            The attribute; the first one when None.
        ax : matplotlib Axes, default=None
            Where to draw; a new figure when None.

        Returns
        -------
        ax : matplotlib Axes

        Raises
        ------
        ValueError
            When the attribute has no selection rates: a continuous column
            without bins, a regressor, or no favourable class.
        """
        found = self._attribute(attribute)
        if len(found.group_metrics) and "selection_rate" not in found.group_metrics:
            reason = found.undefined.get("demographic_parity_difference")
            raise ValueError(
                f"The selection rates by {found.name!r} are undefined: {reason}."
            )
        return _plotting.plot_selection_rates(found, ax=ax)

    def plot_decision_matrix(self, attribute=None, ax=None):
        """Plot the twin decision matrix: row decision by twin decision per group.

        Parameters
        ----------
        attribute : str, default=None
            The attribute; the first one when None.
        ax : matplotlib Axes, default=None
            Where to draw; a new figure when None.

        Returns
        -------
        ax : matplotlib Axes

        Raises
        ------
        ValueError
            When the audit has no favourable decisions to draw (a regressor,
            or a classifier without a favourable class).
        """
        found = self._attribute(attribute)
        if "favourable_to_unfavourable" not in found.direction:
            reason = found.undefined.get(
                "direction", "a regressor's directions compare predictions"
            )
            raise ValueError(
                f"The decision matrix of {found.name!r} needs favourable "
                f"decisions: {reason}. See the direction table instead."
            )
        return _plotting.plot_decision_matrix(found, self.pos_label, ax=ax)
