r"""Vectorised word swaps and name replacement in many short texts.

:func:`swap_words` rewrites gendered words through a lexicon for a whole list
of texts at once: the texts are joined, turned into an array of code points,
cut into words with numpy, the words looked up by hash in the lexicon, and the
replacements spliced in with one gather. Python touches only the list of
texts, never a word, so 10^5 texts of a hundred words take about a second.

:func:`replace_names` replaces each text's own names (a few per text, from its
name columns) with the twin's: a short Python loop per text, since the names
differ from row to row.

Words are runs of characters for which ``str.isalnum()`` holds, or ``_``
(Python's ``\w``; characters outside the Basic Multilingual Plane, such as
emoji, separate words). A swap never reaches into a word: "the", "shepherd",
"hermit" and "Sherwood" stay as they are.
"""

import functools
from dataclasses import dataclass

import numpy as np

_BMP = 0x10000
_CHUNK_CHARS = 1 << 17  # about 200 résumés: the arrays stay in the CPU cache
_MAX_GAP = 4  # white space between an ambiguous word and the next
_MARK_OPEN, _MARK_CLOSE = "\ue000", "\ue001"
_LENGTH_SALT = np.uint64(0x9E3779B97F4A7C15)


@functools.cache
def _character_classes():
    """Boolean tables over the BMP: word characters and white space."""
    chars = [chr(c) for c in range(_BMP)]
    word = np.fromiter((c.isalnum() or c == "_" for c in chars), bool, _BMP)
    space = np.fromiter((c.isspace() for c in chars), bool, _BMP)
    return word, space


@functools.cache
def _weights(width):
    rng = np.random.default_rng(20240518)
    return rng.integers(1, 2**63, size=width, dtype=np.uint64) * 2 + 1


def _code_points(text):
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _gather(cp, starts, lengths, width):
    """Each word's code points, one row per word, zero-padded to ``width``."""
    offsets = np.arange(width)
    inside = offsets < lengths[:, None]
    index = np.minimum(starts[:, None] + offsets, len(cp) - 1)
    return np.where(inside, cp[index], 0)


def _hash(chars, lengths):
    weighted = chars.astype(np.uint64) * _weights(chars.shape[1])
    return weighted.sum(axis=1, dtype=np.uint64) ^ (
        lengths.astype(np.uint64) * _LENGTH_SALT
    )


_SIGNATURE_BITS = 20
_SIGNATURE_MULTIPLIERS = tuple(
    np.uint32(m) for m in (0x9E3779B1, 0x85EBCA77, 0xC2B2AE3D, 0x27D4EB2F)
)


def _signatures(cp, starts, lengths):
    """Return a 20-bit hash of each word's length and first and last characters.

    Cheap to compute for every word of a text; words whose signature no
    listed word has are dropped before the exact look-up.
    """
    mixed = cp[starts] * _SIGNATURE_MULTIPLIERS[0]
    mixed ^= cp[starts + lengths - 1] * _SIGNATURE_MULTIPLIERS[1]
    mixed ^= lengths.astype(np.uint32) * _SIGNATURE_MULTIPLIERS[2]
    mixed *= _SIGNATURE_MULTIPLIERS[3]
    return mixed >> np.uint32(32 - _SIGNATURE_BITS)


class _Lookup:
    """Exact look-up of words (as code points) in a fixed list, by hash."""

    def __init__(self, words, values):
        self.width = max((len(w) for w in words), default=1)
        lengths = np.array([len(w) for w in words], dtype=np.int64)
        chars = np.zeros((len(words), self.width), dtype=np.uint32)
        for i, word in enumerate(words):
            chars[i, : len(word)] = _code_points(word)
        hashes = _hash(chars, lengths)
        order = np.argsort(hashes, kind="stable")
        self.hashes, self.chars = hashes[order], chars[order]
        self.values = np.asarray(values, dtype=np.int64)[order]
        self.signatures = np.zeros(1 << _SIGNATURE_BITS, dtype=bool)
        flat = chars.ravel()
        self.signatures[
            _signatures(flat, np.arange(len(words)) * self.width, lengths)
        ] = True

    def find(self, cp, starts, lengths):
        """Return the value of each word, -1 for words not in the list."""
        out = np.full(len(starts), -1, dtype=np.int64)
        if not len(starts) or not len(self.hashes):
            return out
        maybe = lengths <= self.width
        maybe &= self.signatures[_signatures(cp, starts, lengths)]
        rows = np.flatnonzero(maybe)
        if not len(rows):
            return out
        chars = _gather(cp, starts[rows], lengths[rows], self.width)
        hashes = _hash(chars, lengths[rows])
        at = np.minimum(np.searchsorted(self.hashes, hashes), len(self.hashes) - 1)
        hit = self.hashes[at] == hashes
        hit[hit] = (chars[hit] == self.chars[at[hit]]).all(axis=1)
        out[rows[hit]] = self.values[at[hit]]
        return out


def _forms(word):
    """Return the forms a lexicon key matches: lower, Capitalised, UPPER."""
    capital = word[:1].upper() + word[1:]
    if word != word.lower():  # a Capitalised key: never its lower-case form
        return [("capital", capital), ("upper", word.upper())]
    forms = [("lower", word), ("capital", capital), ("upper", word.upper())]
    return list({text: (form, text) for form, text in forms}.values())


def _written(word, form):
    if form == "upper":
        return word.upper()
    return word[:1].upper() + word[1:] if form == "capital" else word


@dataclass
class WordTable:
    """A lexicon compiled for :func:`swap_words` (build with :func:`word_table`)."""

    words: _Lookup
    ambiguous: np.ndarray
    replacements: np.ndarray
    buffer: np.ndarray
    offsets: np.ndarray
    lengths: np.ndarray
    next_words: _Lookup
    forms: frozenset


FOLLOWER, ADJECTIVE_IN_LY = 1, 2


@functools.lru_cache(maxsize=32)
def word_table(words, ambiguous, followers, adjectives):
    """Compile a lexicon (tuples of items, see ``resolve_lexicon``) once."""
    keys, flags, pairs, texts = [], [], [], {}
    entries = [(k, (v, v), False) for k, v in words]
    entries += [(k, tuple(v), True) for k, v in ambiguous]
    for key, counterparts, is_ambiguous in entries:
        for form, written in _forms(key):
            keys.append(written)
            flags.append(is_ambiguous)
            pairs.append(
                [texts.setdefault(_written(c, form), len(texts)) for c in counterparts]
            )
    replacements = list(texts)
    lengths = np.array([len(t) for t in replacements], dtype=np.int64)
    buffer = _code_points("".join(replacements))
    next_words, kinds = [], []
    for group, kind in ((followers, FOLLOWER), (adjectives, ADJECTIVE_IN_LY)):
        for word in group:
            for _, written in _forms(word):
                next_words.append(written)
                kinds.append(kind)
    return WordTable(
        words=_Lookup(keys, np.arange(len(keys))),
        ambiguous=np.array(flags, dtype=bool),
        replacements=np.array(pairs, dtype=np.int64).reshape(-1, 2),
        buffer=buffer,
        offsets=np.cumsum(lengths) - lengths,
        lengths=lengths,
        next_words=_Lookup(next_words, kinds),
        forms=frozenset(keys),
    )


def swap_words(texts, table, protect=None):
    """Swap the lexicon's words in every text; return ``(texts, counts)``.

    Parameters
    ----------
    texts : list of str
        The texts.
    table : WordTable
        The compiled lexicon.
    protect : list of (set or None) or None
        Per text, words (as written) to leave alone: the row's own names
        when one of them is also a lexicon word ("Guy", "Miss").

    Returns
    -------
    texts : list of str
        The rewritten texts.
    counts : ndarray of int64
        Words swapped in each text.
    """
    out, counts = [], []
    start = 0
    while start < len(texts):
        stop, size = start, 0
        while stop < len(texts) and (stop == start or size < _CHUNK_CHARS):
            size += len(texts[stop])
            stop += 1
        chunk_protect = None if protect is None else protect[start:stop]
        new, count = _swap_chunk(texts[start:stop], table, chunk_protect)
        out.extend(new)
        counts.append(count)
        start = stop
    return out, np.concatenate(counts) if counts else np.zeros(0, dtype=np.int64)


def _swap_chunk(texts, table, protect):
    n = len(texts)
    lens = np.fromiter(map(len, texts), dtype=np.int64, count=n)
    joined = "".join(texts)
    cp = _code_points(joined)
    if not len(cp):
        return list(texts), np.zeros(n, dtype=np.int64)
    word_class, space_class = _character_classes()
    # U+FFFF, which stands for every code point above the BMP, is no letter
    small = np.minimum(cp, _BMP - 1)
    word = word_class[small]
    ends = np.cumsum(lens)
    edges = np.flatnonzero(np.diff(word, prepend=False, append=False))
    starts, stops = edges[0::2], edges[1::2]
    # a word must not run from the end of one text into the next
    begins = (ends - lens)[(lens > 0) & (ends - lens > 0)]
    joints = begins[word[begins] & word[begins - 1]]
    if len(joints):
        starts = np.sort(np.concatenate([starts, joints]))
        stops = np.sort(np.concatenate([stops, joints]))
    key = table.words.find(cp, starts, stops - starts)
    tokens = np.flatnonzero(key >= 0)
    key = key[tokens]
    owner = np.searchsorted(ends, starts[tokens], side="right")
    if protect is not None:
        keep = np.ones(len(tokens), dtype=bool)
        for i, (t, o) in enumerate(zip(tokens.tolist(), owner.tolist(), strict=True)):
            if protect[o] and joined[starts[t] : stops[t]] in protect[o]:
                keep[i] = False
        tokens, key, owner = tokens[keep], key[keep], owner[keep]
    if not len(tokens):
        return list(texts), np.zeros(n, dtype=np.int64)
    choice = table.replacements[key, 1]
    ambiguous = table.ambiguous[key]
    if ambiguous.any():
        space = space_class[small]
        noun = _before_noun(
            tokens[ambiguous], owner[ambiguous], starts, stops, ends, cp, space, table
        )
        choice[ambiguous] = table.replacements[key[ambiguous], np.where(noun, 0, 1)]
    return _splice(texts, cp, lens, starts[tokens], stops[tokens], owner, choice, table)


def _before_noun(tokens, owner, starts, stops, ends, cp, space, table):
    """Whether the word after each token is read as a noun (see ``_lexicon``)."""
    following = np.minimum(tokens + 1, len(starts) - 1)
    has_next = (tokens + 1 < len(starts)) & (starts[following] < ends[owner])
    gaps = starts[following] - stops[tokens]
    between = _gather(space, stops[tokens], np.minimum(gaps, _MAX_GAP), _MAX_GAP)
    close = (gaps <= _MAX_GAP) & (between.sum(axis=1) == gaps)
    f_starts = starts[following]
    f_lengths = stops[following] - f_starts
    kind = table.next_words.find(cp, f_starts, f_lengths)
    last = cp[np.maximum(stops[following] - 2, 0)], cp[stops[following] - 1]
    in_ly = (
        (f_lengths > 4)
        & np.isin(last[0], (ord("l"), ord("L")))
        & np.isin(last[1], (ord("y"), ord("Y")))
    )
    adverb = in_ly & (kind != ADJECTIVE_IN_LY)
    return has_next & close & (kind != FOLLOWER) & ~adverb


def _splice(texts, cp, lens, m_starts, m_stops, owner, choice, table):
    """Write each replacement over its word, with one gather."""
    n_cp = len(cp)
    r_offsets, r_lengths = table.offsets[choice], table.lengths[choice]
    keep_starts = np.concatenate([[0], m_stops])
    keep_lengths = np.concatenate([m_starts, [n_cp]]) - keep_starts
    m = len(m_starts)
    sources = np.empty(2 * m + 1, dtype=np.int64)
    lengths = np.empty(2 * m + 1, dtype=np.int64)
    sources[0::2], lengths[0::2] = keep_starts, keep_lengths
    sources[1::2], lengths[1::2] = n_cp + r_offsets, r_lengths
    out_starts = np.cumsum(lengths) - lengths
    total = int(lengths.sum())
    gather = np.repeat(sources - out_starts, lengths) + np.arange(total)
    joined = np.concatenate([cp, table.buffer])[gather]
    text = joined.tobytes().decode("utf-32-le", "surrogatepass")
    growth = np.bincount(
        owner, weights=r_lengths - (m_stops - m_starts), minlength=len(texts)
    )
    new_ends = np.cumsum(lens + growth.astype(np.int64))
    new_begins = np.concatenate([[0], new_ends[:-1]])
    out = [
        text[a:b] for a, b in zip(new_begins.tolist(), new_ends.tolist(), strict=True)
    ]
    return out, np.bincount(owner, minlength=len(texts)).astype(np.int64)


def _is_word_character(char):
    return char.isalnum() or char == "_"


def _replace_word(text, old, new):
    """Replace ``old`` where it stands as a whole word; return ``(text, count)``."""
    pieces, count, done, size = [], 0, 0, len(old)
    at = text.find(old)
    while at >= 0:
        end = at + size
        if (at == 0 or not _is_word_character(text[at - 1])) and (
            end == len(text) or not _is_word_character(text[end])
        ):
            pieces += (text[done:at], new)
            done, count = end, count + 1
            at = text.find(old, end)
        else:
            at = text.find(old, at + 1)
    if not count:
        return text, 0
    pieces.append(text[done:])
    return "".join(pieces), count


def replace_names(texts, pairs):
    """Replace whole-word names in each text; return ``(texts, counts)``.

    ``pairs[i]`` lists ``(old, new)`` names for ``texts[i]``, longest first.
    A name is replaced as written and in upper case ("ANNA" becomes
    "ROBERT"), never inside a longer word ("Annabel" stays). All names of a
    text are replaced at once, so a new name is never replaced again.
    """
    out = list(texts)
    counts = np.zeros(len(texts), dtype=np.int64)
    for i, row in enumerate(pairs):
        text = out[i]
        if not row or not isinstance(text, str):
            continue
        if len(row) == 1:  # one name: nothing inserted can be replaced again
            (old, new), found = row[0], 0
            if old in text:
                text, found = _replace_word(text, old, new)
            upper = old.upper()
            if upper != old and upper in text:
                text, k = _replace_word(text, upper, new.upper())
                found += k
            out[i], counts[i] = text, found
            continue
        marked = _MARK_OPEN not in text
        inserted = []
        for old, new in row:
            variants = [(old, new)]
            if old.upper() != old:
                variants.append((old.upper(), new.upper()))
            for before, after in variants:
                if before not in text:
                    continue
                if marked:
                    mark = f"{_MARK_OPEN}{len(inserted)}{_MARK_CLOSE}"
                    text, k = _replace_word(text, before, mark)
                    inserted.append(after)
                else:
                    text, k = _replace_word(text, before, after)
                counts[i] += k
        for j, after in enumerate(inserted):
            text = text.replace(f"{_MARK_OPEN}{j}{_MARK_CLOSE}", after)
        out[i] = text
    return out, counts
