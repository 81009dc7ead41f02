"""Suggested links: pair up the values a column holds for one group only.

For a column with unsupported combinations (see ``_coherence``), the link
proposed is, in this order:

1. a *value map* ``{group: value}`` when the column is a function of the
   attribute (each group holds exactly one value, no value is shared);
2. a *translation* ``{target group: {value: value}}`` when every value a twin
   cannot keep pairs up with a value of the twin's new group, by these rules,
   each applied to what the previous ones left:

   a. by name: both values name their group and are otherwise equal
      ("male : single" and "female : single"; a category the data never
      holds, such as German Credit's single women, can be named this way);
   b. by elimination: a single value of the new group is left
      ("Husband" and "Wife"; every other value of the new group is shared);
   c. by the way back: among the values left, those whose own translation
      gives back the value, the most common first (German Credit's A92, a
      divorced, separated or married woman, whose twin is the commoner of
      the two male codes that translate to A92);

3. ``"resample"`` otherwise (no unambiguous pairing, numeric bins, or
   missing values that one group never has): the twin draws the column from
   the values of its new group.

Suggestions are proposals: nothing here is applied to any twin.
"""

import re

import numpy as np

from ._coherence import RESAMPLE

_TOKEN = re.compile(r"[^\W_]+")


def _tokens(value):
    return _TOKEN.findall(str(value).lower())


def _names(items, domain):
    """Per item: the group its text names (or None) and the rest of its words."""
    group_words = [set(_tokens(g)) for g in domain]
    names, rests = [], []
    for item in items:
        words = _tokens(item)
        found = [h for h, g in enumerate(group_words) if g and g <= set(words)]
        if len(found) == 1:
            names.append(found[0])
            rests.append(tuple(w for w in words if w not in group_words[found[0]]))
        else:
            names.append(None)
            rests.append(())
    return names, rests


def suggest_link(encoded, sup, domain):
    """Return the link proposed for a column (see the module's docstring)."""
    m = len(encoded.labels)
    if encoded.kind == "bins" or sup.present_unsupported.any():
        return RESAMPLE
    values = sup.levels != m
    if sup.unsupported[:, ~values].any():  # one group (almost) never misses it
        return RESAMPLE
    labels = [encoded.labels[level] for level in sup.levels[values]]
    totals = sup.value_totals[:m]
    unused = [encoded.labels[j] for j in np.flatnonzero(totals == 0)]
    return pair_values(
        list(domain), labels, sup.counts[:, values], sup.unsupported[:, values], unused
    )


def pair_values(domain, labels, counts, unsupported, unused=()):
    """Return a value map, a translation or ``"resample"``.

    ``labels`` are the values judged, ``counts`` and ``unsupported`` have a
    row per group of ``domain`` and a column per label; ``unused`` are
    categories no row holds (candidates only when their text names a group).
    """
    k, n = counts.shape
    supported = ~unsupported & (counts > 0)
    if (supported.sum(axis=0) <= 1).all() and (supported.sum(axis=1) == 1).all():
        own = [int(np.flatnonzero(supported[h])[0]) for h in range(k)]
        return {domain[h]: labels[own[h]] for h in range(k)}
    items = list(labels) + list(unused)
    names, rests = _names(items, domain)
    size = np.concatenate([counts.sum(axis=0), np.zeros(len(unused))])

    def needs(g, h, v):  # a twin from g to h cannot keep v
        if v < n:
            return counts[g, v] > 0 and unsupported[h, v]
        return names[v] == g

    def offers(g, h, w):  # w belongs to h and not to g
        if w < n:
            return supported[h, w] and unsupported[g, w]
        return names[w] == h

    pairs = [(g, h) for g in range(k) for h in range(k) if g != h]
    need = {p: [v for v in range(len(items)) if needs(*p, v)] for p in pairs}
    offer = {p: [w for w in range(len(items)) if offers(*p, w)] for p in pairs}
    table = [{} for _ in range(k)]  # per target group: value -> value
    conflict = []

    def assign(h, v, w):
        if table[h].get(v, w) != w:
            conflict.append((h, v))
        table[h][v] = w

    by_name = {}
    for (g, h), values in need.items():
        by_name[g, h] = set()
        named = {}
        for w in offer[g, h]:
            if names[w] == h and rests[w]:
                named.setdefault(rests[w], []).append(w)
        for v in values:
            found = named.get(rests[v], []) if names[v] == g and rests[v] else []
            if len(found) == 1:
                assign(h, v, found[0])
                by_name[g, h].add(found[0])
    left = {p: [w for w in offer[p] if w not in by_name[p]] for p in pairs}
    for (g, h), values in need.items():
        if len(left[g, h]) == 1:
            for v in values:
                if v not in table[h]:
                    assign(h, v, left[g, h][0])
    for (g, h), values in need.items():
        back = {}  # value -> the values left whose translation to g gives it
        for w in left[g, h]:
            if w in table[g]:
                back.setdefault(table[g][w], []).append(w)
        for v in values:
            if v not in table[h] and v in back:
                assign(h, v, max(back[v], key=lambda w: (size[w], -w)))
    if conflict or any(v not in table[h] for (_, h), vs in need.items() for v in vs):
        return RESAMPLE
    return {domain[h]: _ordered(items, table[h]) for h in range(k)}


def _ordered(items, table):
    """``{value: value}`` sorted by the first value (by text for mixed kinds)."""
    pairs = [(items[v], items[w]) for v, w in table.items()]
    try:
        pairs.sort(key=lambda pair: pair[0])
    except TypeError:
        pairs.sort(key=lambda pair: repr(pair[0]))
    return dict(pairs)
