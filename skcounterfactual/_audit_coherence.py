"""The twin-coherence part of an audit: incoherent twins, proxies, suggested links.

For each audited factor: the share of its twins that the twin maker flagged as
incoherent (the provenance's ``incoherent`` column), the columns responsible
(the maker's ``coherence_``), the columns of the audited rows ranked by how
much they reveal the attribute (:func:`find_proxies`) and the links that would
make the twins coherent (the maker's ``suggested_links_``, else those
:func:`find_proxies` proposes). Twin makers without the check leave the share
undefined, with the reason.
"""

import pandas as pd

from ._proxies import PROXY_COLUMNS, find_proxies

PROXY_ROWS = 10_000  # rows the audit measures proxies on
NOT_CHECKED = (
    "the twin maker does not check twin coherence (CounterfactualAugmenter "
    "with coherence=None, or another kind of twin maker)"
)


def proxies_of(frame, attribute, maker):
    """Return :func:`find_proxies` of the audited rows for one attribute.

    ``frame`` is a pandas frame of the audited rows (a sample of them is
    enough: at most ``PROXY_ROWS`` are measured). Returns ``(frame, None)``,
    or ``(empty frame, reason)`` when the attribute cannot be compared by
    groups (a single value, a continuous attribute).
    """
    try:
        found = find_proxies(
            frame,
            protected=attribute,
            max_rows=PROXY_ROWS,
            random_state=getattr(maker, "seed_", 0),
        )
    except ValueError as exc:
        return pd.DataFrame(columns=list(PROXY_COLUMNS)), str(exc)
    return found, None


def _links_for(maker, columns, proxies, linked, checked):
    """Return the suggested links of the factor's attributes, ``{column: link}``."""
    suggested = getattr(maker, "suggested_links_", None) if checked else None
    if suggested is None:  # the maker did not check: what the audited rows say
        rows = proxies[proxies["suggested_link"].notna()]
        return {
            column: link
            for column, link in zip(rows["column"], rows["suggested_link"], strict=True)
            if column not in linked
        }
    if len(getattr(maker, "protected_", columns)) == 1:
        return dict(suggested)
    out = {}
    for attribute in columns:
        out.update(suggested.get(attribute, {}))
    return out


def count_incoherent(provenance, twin_mask):
    """Return the flagged twins among ``twin_mask``, or None when not checked.

    Chunked audits add up the counts of their chunks.
    """
    if "incoherent" not in provenance.columns:
        return None
    return int(provenance["incoherent"].to_numpy()[twin_mask].sum())


def coherence_findings(columns, linked, maker, n_twins, n_incoherent, proxies):
    """Return the coherence fields of an :class:`AttributeAudit` and reasons.

    ``n_incoherent`` counts the factor's flagged twins among its ``n_twins``
    (None: the twin maker does not check); ``proxies`` holds ``(frame,
    reason)`` from :func:`proxies_of` for each of ``columns``.
    """
    undefined = {}
    count, share = n_incoherent, None
    if count is None:
        undefined["incoherent_share"] = undefined["incoherent_twins"] = NOT_CHECKED
    else:
        share = count / n_twins if n_twins else 0.0
    found = getattr(maker, "coherence_", None) or {}
    columns_found = {}
    for attribute in columns:
        for column, record in found.get(attribute, {}).items():
            columns_found.setdefault(column, {"attribute": attribute, **record})
    reasons = [reason for _, reason in proxies if reason is not None]
    if reasons:
        undefined["proxies"] = "; ".join(reasons)
    table = pd.concat([frame for frame, _ in proxies], ignore_index=True)
    table = table[~table["column"].isin(columns)].reset_index(drop=True)
    position = table.columns.get_loc("proxy") + 1
    table.insert(position, "linked", table["column"].isin(linked))
    return {
        "incoherent_twins": count,
        "incoherent_share": share,
        "incoherent_columns": columns_found,
        "proxies": table,
        "suggested_links": _links_for(maker, columns, table, linked, count is not None),
    }, undefined
