"""From the user's ``links`` parameter to link objects (see ``_links``)."""

from ._links import (
    GENERATED_FIELDS,
    UNKNOWN_FIELD,
    CallableLink,
    FieldLink,
    TranslationLink,
    ValueMapLink,
)
from ._text import TextLink, TextRewriter

FIELD_NAMES = tuple(sorted((*GENERATED_FIELDS, "text")))


# --------------------------------------------------------------------------
def make_link(column, spec):
    """Turn one user link specification into a link object."""
    if isinstance(spec, TextLink):
        return TextRewriter(column, spec)
    if isinstance(spec, str):
        if spec == "text":
            return TextRewriter(column, TextLink())
        if spec not in GENERATED_FIELDS:
            raise ValueError(
                UNKNOWN_FIELD.format(
                    column=column, field=spec, allowed=list(FIELD_NAMES)
                )
            )
        return FieldLink(column, spec)
    if callable(spec):
        return CallableLink(column, spec)
    if isinstance(spec, dict):
        if not spec:
            raise ValueError(f"links[{column!r}] is an empty value map.")
        nested = [isinstance(v, dict) for v in spec.values()]
        if all(nested):
            return TranslationLink(column, spec)
        if any(nested):
            raise ValueError(
                f"links[{column!r}] mixes plain values and translation tables; "
                "give either {target: value} or {target: {old: new}} for every target."
            )
        return ValueMapLink(column, spec)
    raise TypeError(
        f"links[{column!r}] must be a generated field name, a value map (dict), "
        f"a callable or a TextLink, got {type(spec).__name__}: {spec!r}."
    )


def normalise_links(links, protected):
    """Return ``{attribute: [link, ...]}`` from the user's ``links`` parameter.

    ``links`` is either flat, ``{column: spec}`` (one protected attribute), or
    nested per attribute, ``{attribute: {column: spec}}``.
    """
    out = {attribute: [] for attribute in protected}
    if links is None:
        return out
    if not isinstance(links, dict):
        raise TypeError(
            f"links must be a dict such as {{'first_name': 'first_name'}}, got "
            f"{type(links).__name__}: {links!r}."
        )
    nested = bool(links) and all(
        key in protected and isinstance(value, dict) for key, value in links.items()
    )
    # a flat value map on a protected column name would be ambiguous; a
    # protected column is never itself a linked column, so nesting wins.
    if nested:
        items = [(a, c, s) for a, table in links.items() for c, s in table.items()]
    else:
        if len(protected) > 1:
            raise ValueError(
                "links must be given per protected attribute when several are "
                f"protected, e.g. links={{{protected[0]!r}: {{...}}, "
                f"{protected[1]!r}: {{...}}}}; got {links!r}."
            )
        items = [(protected[0], c, s) for c, s in links.items()]
    seen = {}
    for attribute, column, spec in items:
        if column in protected:
            raise ValueError(
                f"links[{column!r}]: {column!r} is a protected attribute and cannot "
                "also be a linked column."
            )
        link = make_link(column, spec)
        # a text may follow several attributes (gender and origin both rename)
        text = isinstance(link, TextRewriter)
        if column in seen and not (text and seen[column][1]):
            raise ValueError(
                f"links[{column!r}] is linked to both {seen[column][0]!r} and "
                f"{attribute!r}; a column can follow one attribute only (except a "
                "text column, when each of its links is a text link)."
            )
        seen[column] = (attribute, text)
        out[attribute].append(link)
    for attribute, links in out.items():
        for link in links:
            if isinstance(link, TextRewriter):
                link.attach(attribute, links)
        # links that read other columns run after the links that write them
        links.sort(key=lambda link: bool(getattr(link, "reads", ())))
    return out
