"""Proxies of protected attributes, and links suggested for incoherent columns.

:func:`find_proxies` ranks the other columns of a table by how much they
reveal a protected attribute; :func:`suggest_links` proposes the ``links=``
that keep twins coherent. Both read the data only: nothing is applied to
any twin.
"""

import numpy as np
import pandas as pd
from scipy.stats.contingency import association
from sklearn.metrics import roc_auc_score
from sklearn.utils import check_random_state

from ._coherence import DEFAULT_COHERENCE, MAX_GROUPS, check_coherence
from ._encoding import encode
from ._pairing import suggest_link
from ._support import Groups, support
from ._validation import (
    EMPTY_INPUT,
    as_column_list,
    as_frame,
    check_columns,
    check_positive_int,
)

NOISE_SPREAD = 5.0  # baseline: mean + 5 standard deviations of the shuffles
PROXY_COLUMNS = (
    "attribute",
    "column",
    "kind",
    "measure",
    "association",
    "baseline",
    "proxy",
    "roc_auc",
    "exclusive_values",
    "suggested_link",
)
TOO_FEW_GROUPS = (
    "protected={attribute!r} has {n} distinct non-missing value(s); finding "
    "proxies compares groups, so it needs at least two."
)
TOO_MANY_GROUPS = (
    "protected={attribute!r} has {n} distinct values; finding proxies compares "
    "groups and takes at most {most}. Bin the column first, e.g. with pd.cut or "
    "pd.qcut."
)


def _groups(series, attribute):
    """Return the sorted domain of a protected column and each row's position."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    try:
        order = np.argsort(np.asarray(uniques, dtype=object), kind="stable")
        domain = [uniques[i] for i in order]
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
    except TypeError:
        domain, rank = list(uniques), np.arange(len(uniques))
    domain = [v.item() if isinstance(v, np.generic) else v for v in domain]
    if len(domain) < 2:
        raise ValueError(TOO_FEW_GROUPS.format(attribute=attribute, n=len(domain)))
    if len(domain) > MAX_GROUPS:
        raise ValueError(
            TOO_MANY_GROUPS.format(attribute=attribute, n=len(domain), most=MAX_GROUPS)
        )
    return domain, np.where(codes < 0, -1, np.append(rank, -1)[codes])


def _cramers_v(groups, codes, n_groups, width):
    table = np.bincount(groups * width + codes, minlength=n_groups * width)
    table = table.reshape(n_groups, width)
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    if min(table.shape) < 2:
        return 0.0
    # rounding can put a perfect association a hair above 1
    return min(1.0, float(association(table, method="cramer")))


def _discrimination(groups, scores, n_groups):
    """Best ``|2 AUC - 1|`` of the column for telling one group from the rest.

    Returns ``(value, auc)``; two groups need one curve.
    """
    best, best_auc = 0.0, 0.5
    for g in range(1 if n_groups == 2 else n_groups):
        truth = groups == g
        if truth.all() or not truth.any():
            continue
        auc = float(roc_auc_score(truth, scores))
        if abs(2 * auc - 1) > best:
            best, best_auc = abs(2 * auc - 1), auc
    return best, best_auc


def _shuffled_discrimination(shuffles, n_groups):
    """``_discrimination`` of each shuffled grouping against the scores' order.

    A shuffle's AUC against strictly increasing scores (``0 .. n - 1``) is
    the Mann-Whitney statistic of its group's positions, ``U / (n1 * n0)``:
    exact integer rank sums, for every shuffle at once (a permutation keeps
    the group sizes), instead of one ROC curve per shuffle.
    """
    if not len(shuffles):
        return []
    shuffles = np.asarray(shuffles)
    n = shuffles.shape[1]
    ranks = np.arange(1, n + 1, dtype=np.int64)
    best = np.zeros(len(shuffles))
    for g in range(1 if n_groups == 2 else n_groups):
        truth = shuffles == g
        n1 = int(truth[0].sum())
        if n1 in (0, n):
            continue
        rank_sum = (truth * ranks).sum(axis=1)
        auc = (rank_sum - n1 * (n1 + 1) // 2) / (n1 * (n - n1))
        best = np.maximum(best, np.abs(2 * auc - 1))
    return best.tolist()


def _exclusive(encoded, sup, domain):
    """Per group, the values (or bins) only that group holds, most rows first."""
    m = len(encoded.labels)
    out = {}
    held = ~sup.unsupported & (sup.counts > 0)
    for h in range(len(domain)):
        others = np.delete(np.arange(len(domain)), h)
        alone = held[h] & sup.unsupported[others].all(axis=0)
        alone &= sup.levels != m
        found = np.flatnonzero(alone)
        found = found[np.argsort(-sup.counts[h, found], kind="stable")]
        if len(found):
            out[domain[h]] = [encoded.labels[sup.levels[j]] for j in found]
    return out


def _baseline(null):
    null = np.asarray(null, dtype=float)
    return float(null.mean() + NOISE_SPREAD * null.std(ddof=1))


def _attribute_proxies(frame, attribute, protected, coherence, n_permutations, rows):
    domain, group = _groups(frame[attribute], attribute)
    k = len(domain)
    valid = np.flatnonzero(group >= 0)
    sample = valid
    if rows["max_rows"] is not None and len(valid) > rows["max_rows"]:
        sample = np.sort(rows["rng"].choice(valid, rows["max_rows"], replace=False))
    g = group[sample]
    shuffles = [rows["rng"].permutation(g) for _ in range(n_permutations)]
    shared_null = None
    groups = Groups(group, k)
    out = []
    for column in frame.columns:
        if column in protected:
            continue
        encoded = encode(frame[column])
        if encoded is None:  # unhashable values: nothing to measure
            continue
        if encoded.kind == "values":
            width = len(encoded.labels) + 1
            codes = encoded.codes[sample]
            codes = np.where(codes < 0, width - 1, codes)
            value = _cramers_v(g, codes, k, width)
            null = [_cramers_v(s, codes, k, width) for s in shuffles]
            kind, measure, auc = "categorical", "cramers_v", np.nan
        else:
            numbers = encoded.numbers[sample]
            present = ~np.isnan(numbers)
            value, auc = _discrimination(g[present], numbers[present], k)
            # the shuffled AUC does not depend on the scores, only on their
            # order: one null serves every column without missing values
            if present.all() and shared_null is not None:
                null = shared_null
            else:
                null = _shuffled_discrimination([s[present] for s in shuffles], k)
                if present.all():
                    shared_null = null
            kind, measure = "numeric", "somers_d"
        baseline = _baseline(null)
        exclusive, link = {}, None
        if coherence is not None:
            sup = support(groups, encoded, *coherence)
            exclusive = _exclusive(encoded, sup, domain)
            link = suggest_link(encoded, sup, domain) if sup.any else None
        out.append(
            {
                "attribute": attribute,
                "column": column,
                "kind": kind,
                "measure": measure,
                "association": value,
                "baseline": baseline,
                "proxy": bool(value > baseline),
                "roc_auc": auc,
                "exclusive_values": exclusive,
                "suggested_link": link,
            }
        )
    # ties (several columns that give the attribute away) keep the column order
    out.sort(key=lambda r: (not r["proxy"], -round(r["association"], 9)))
    return out


def find_proxies(
    X,
    *,
    protected,
    coherence=DEFAULT_COHERENCE,
    n_permutations=20,
    max_rows=100_000,
    random_state=None,
):
    """Rank the columns of ``X`` by how much they reveal a protected attribute.

    A column that reveals the attribute (a neighbourhood, a title, a household
    role) lets a model discriminate without reading the attribute, and a twin
    that keeps its value may be a combination the data never holds. For each
    protected attribute and every other column, this measures the association,
    compares it with what the same column reaches when the attribute is
    shuffled (so that a column of noise is not reported), lists the values
    (nearly) exclusive to one group and proposes a link.

    Parameters
    ----------
    X : DataFrame or array-like of shape (n_samples, n_features)
        The data. Arrays name columns by integer position.
    protected : str, int or list
        The protected column(s); each must have 2 to 50 distinct values.
    coherence : (int, float) or None, default=(10, 0.05)
        ``(min_count, min_share)``: the support threshold of
        :class:`CounterfactualAugmenter`, which decides the exclusive values
        and the suggested links (see :ref:`coherence`). None lists neither.
    n_permutations : int, default=20
        Shuffles of the attribute behind each baseline (at least 2).
    max_rows : int or None, default=100000
        Rows, drawn at random, on which associations and baselines are
        measured (None: all). Exclusive values and links use every row.
    random_state : int, RandomState instance or None, default=None
        Seed of the row sample and the shuffles.

    Returns
    -------
    proxies : DataFrame
        One row per protected attribute and other column, proxies first, then
        by association, strongest first. Columns:

        - ``attribute``, ``column``;
        - ``kind``: ``"categorical"`` (text, categories, booleans, numbers
          with at most 20 distinct values; missing is a category of its own)
          or ``"numeric"`` (more distinct values, datetimes; rows with a
          missing value are left out of the measure);
        - ``measure``: ``"cramers_v"`` (Cramér's V, from
          :func:`scipy.stats.contingency.association`) or ``"somers_d"``
          (``|2 AUC - 1|``, with :func:`sklearn.metrics.roc_auc_score`:
          how well the column alone tells a group from the others, the best
          group for attributes with more than two values);
        - ``association``: its value, 0 (none) to 1 (the column gives the
          attribute away);
        - ``baseline``: what the column reaches by chance: the mean plus five
          standard deviations of the measure over ``n_permutations`` shuffles
          of the attribute;
        - ``proxy``: whether ``association`` exceeds ``baseline``;
        - ``roc_auc``: the AUC behind ``somers_d`` (NaN for categories);
        - ``exclusive_values``: ``{group: [values only that group holds]}``
          (bins for numbers), by the support threshold;
        - ``suggested_link``: the link :func:`suggest_links` proposes for the
          column, or None when its twins are coherent.

    See Also
    --------
    suggest_links : The links alone, ready to pass to ``links=``.
    CounterfactualAugmenter : Its ``coherence`` parameter flags incoherent twins.

    Notes
    -----
    A high-cardinality column (an identifier, a free-text field) reaches a
    high Cramér's V on any attribute; its baseline is just as high, so it is
    not reported as a proxy. The shuffled AUC depends only on the group sizes
    and the ordering of the scores, so numeric columns without missing values
    share one baseline; ties make a column's own chance spread narrower, so
    the shared baseline errs on the side of not reporting.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from skcounterfactual import find_proxies
    >>> rng = np.random.default_rng(0)
    >>> sex = rng.choice(["Female", "Male"], 400)
    >>> X = pd.DataFrame({
    ...     "sex": sex,
    ...     "role": np.where(rng.random(400) < 0.5,
    ...                      np.where(sex == "Female", "Wife", "Husband"),
    ...                      "Unmarried"),
    ...     "income": rng.normal(50_000, 10_000, 400).round(),
    ... })
    >>> proxies = find_proxies(X, protected="sex", random_state=0)
    >>> proxies[["column", "measure", "association", "baseline", "proxy"]].round(2)
       column    measure  association  baseline  proxy
    0    role  cramers_v         0.69      0.21   True
    1  income   somers_d         0.08      0.18  False
    >>> proxies.loc[0, "exclusive_values"]
    {'Female': ['Wife'], 'Male': ['Husband']}
    >>> proxies.loc[0, "suggested_link"]
    {'Female': {'Husband': 'Wife'}, 'Male': {'Wife': 'Husband'}}
    """
    frame, _ = as_frame(X)
    if len(frame) == 0:
        raise ValueError(EMPTY_INPUT)
    protected = as_column_list(protected, "protected")
    check_columns(frame, protected, "protected")
    coherence = check_coherence(coherence)
    n_permutations = check_positive_int(n_permutations, "n_permutations", minimum=2)
    max_rows = check_positive_int(max_rows, "max_rows", allow_none=True)
    rows = {"max_rows": max_rows, "rng": check_random_state(random_state)}
    out = []
    for attribute in protected:
        out += _attribute_proxies(
            frame, attribute, protected, coherence, n_permutations, rows
        )
    result = pd.DataFrame(out, columns=list(PROXY_COLUMNS))
    return result.astype({"association": float, "baseline": float, "roc_auc": float})


def suggest_links(X, *, protected, coherence=DEFAULT_COHERENCE):
    """Propose the links that keep twins coherent, as a ``links=`` dict.

    For every column with combinations the data (almost) never holds (see
    :ref:`coherence`), the proposal is a value map when the column is a
    function of the attribute, a translation when the values exclusive to
    each group pair up unambiguously (one "Husband" for one "Wife"; German
    Credit's ``status_sex`` codes), and ``"resample"`` otherwise. Read it, edit
    it, and pass it back to :class:`CounterfactualAugmenter`; nothing is
    applied on its own.

    Parameters
    ----------
    X : DataFrame or array-like of shape (n_samples, n_features)
        The data (usually the data the augmenter is fitted on).
    protected : str, int or list
        The protected column(s).
    coherence : (int, float), default=(10, 0.05)
        ``(min_count, min_share)``, the support threshold of
        :class:`CounterfactualAugmenter`.

    Returns
    -------
    links : dict
        ``{column: link}`` for one protected attribute, ``{attribute: {column:
        link}}`` for several: the shapes ``links=`` accepts. Empty when every
        twin is coherent.

    See Also
    --------
    find_proxies : The columns ranked by how much they reveal the attribute.

    Notes
    -----
    Values pair up, in this order, by name (both values name their group and
    are otherwise equal: ``"male : single"`` and ``"female : single"``, even
    when no row holds the second), by elimination (a single value of the new
    group is left) and by the way back (the commonest of the values that
    translate to the value). A column mixing the attribute with something
    else (sex and marital status) is a modelling choice: check the proposal.

    Examples
    --------
    German Credit's ``status_sex`` mixes sex and marital status; no single
    woman is in the data, but the category is there:

    >>> from skcounterfactual import suggest_links
    >>> from skcounterfactual.datasets import load_german_credit
    >>> X, y = load_german_credit(return_X_y=True)
    >>> links = suggest_links(X, protected="sex")
    >>> for target, table in links["status_sex"].items():
    ...     for old, new in table.items():
    ...         print(f"{target}: {old} -> {new}")
    female: male : divorced/separated -> female : divorced/separated/married
    female: male : married/widowed -> female : divorced/separated/married
    female: male : single -> female : single
    male: female : divorced/separated/married -> male : married/widowed
    male: female : single -> male : single
    """
    frame, _ = as_frame(X)
    if len(frame) == 0:
        raise ValueError(EMPTY_INPUT)
    columns = as_column_list(protected, "protected")
    check_columns(frame, columns, "protected")
    coherence = check_coherence(coherence)
    if coherence is None:
        raise ValueError(
            "coherence must be a pair (min_count, min_share) such as (10, 0.05) "
            "to suggest links; got coherence=None."
        )
    out = {}
    for attribute in columns:
        domain, group = _groups(frame[attribute], attribute)
        groups = Groups(group, len(domain))
        links = {}
        for column in frame.columns:
            if column in columns:
                continue
            encoded = encode(frame[column])
            if encoded is None:
                continue
            sup = support(groups, encoded, *coherence)
            if sup.any:
                links[column] = suggest_link(encoded, sup, domain)
        out[attribute] = links
    return out[columns[0]] if len(columns) == 1 else out
