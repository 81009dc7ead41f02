"""Text links: a free-text column rewritten for the twin's new group.

``links={"cover_letter": "text"}`` (or a :class:`TextLink` for options) makes
a twin's text agree with the twin: the row's own names, wherever they occur,
become the twin's names (taken from the name columns linked to the same
attribute), and for a twin of the other gender every gendered word of the
lexicon is swapped ("she" and "he", "her" and "his" or "him", "Ms" and "Mr",
"wife" and "husband", ...), keeping its case and the punctuation around it.

The engine runs a text link after the other links of its attribute and hands
it, in ``Batch.before``, the name columns as they were before those links ran,
so it sees both the row's names and the twin's. It reports the number of
substitutions of each twin, which the engine writes to the provenance column
``text_substitutions``.
"""

import re

import numpy as np
import pandas as pd

from ._frames import index_codes
from ._lexicon import resolve_lexicon
from ._state import plain_state
from ._swap import replace_names, swap_words, word_table
from ._validation import check_bool

TEXT_SUBSTITUTIONS = "text_substitutions"
NAME_FIELDS = ("first_name", "last_name", "full_name")
_GENDERS = ("female", "male")
_WORDS = re.compile(r"\w+")

NOT_TEXT = (
    "links[{column!r}] is a text link, but column {column!r} holds {kind} values "
    "such as {value!r}. A text link needs a column of strings (missing values "
    "are left alone)."
)
TEXT_NEVER_CHANGES = (
    "links[{column!r}] is a text link that could never change the text: "
    "{attribute!r} is not a gender (so no gendered word is swapped) and no "
    "first_name, last_name or full_name link follows it (so no name is "
    "replaced). Link the name columns to {attribute!r}, pass "
    "TextLink(names=[...]), or pass genders={{{attribute!r}: {{value: "
    "'female' or 'male'}}}} if it is a gender."
)
BAD_NAMES = (
    "links[{column!r}]: TextLink(names={names!r}) must be 'auto', None or a list "
    "of columns linked to {attribute!r}. Columns linked to {attribute!r}: "
    "{linked!r}."
)


@plain_state
class TextLink:
    """How a free-text column follows a protected attribute in twins.

    Use it as the link of a text column, ``links={"resume": TextLink()}``; the
    string ``"text"`` is the same as ``TextLink()``. In each twin, the text is
    rewritten for the twin's group:

    - the row's own names (the values of its name columns: ``first_name``,
      ``last_name`` and ``full_name`` links of the same attribute) are replaced
      by the twin's wherever they occur as whole words, as written or in
      upper case; a full name's first and last words are replaced on their
      own too ("Ms Smith"). Placebo twins get other names of the same group;
    - for a twin of the other gender (the attribute is a gender: its values
      read as female/male, or ``genders=`` maps them), every word of the
      lexicon is swapped, keeping its case (``she``, ``She``, ``SHE``) and the
      punctuation around it; words that merely contain one ("the",
      "shepherd", "hermit", "Sherwood") stay. The English default swaps
      pronouns, titles, kinship and role words, and chooses "his" or "him"
      for "her" (and "her" or "hers" for "his") from the word that follows.

    Parameters
    ----------
    lexicon : dict or None, default=None
        Extra word pairs, ``{"steward": "stewardess"}``: each swaps both ways
        unless the counterpart has an entry of its own. Words are single words
        in lower case (all of their case forms are swapped) or Capitalised
        (only the Capitalised and upper-case forms: ``{"Miss": "mr"}`` leaves
        the verb "miss"). A value may be a pair ``(before a noun,
        elsewhere)`` for a word like "her"; a word mapped to itself is not
        swapped.
    replace_default : bool, default=False
        Use only ``lexicon``, not the locale's default word pairs.
    locale : str, default="en"
        The language of the default lexicon. Only ``"en"`` has one; for other
        languages give ``lexicon`` and ``replace_default=True``.
    names : "auto", list or None, default="auto"
        The columns holding the row's names. ``"auto"`` takes the columns
        linked to the same attribute as ``"first_name"``, ``"last_name"`` or
        ``"full_name"``; a list names them (they must be linked to the same
        attribute, with any kind of link); None replaces no name.

    See Also
    --------
    CounterfactualAugmenter : Builds the twins (``links=``).

    Notes
    -----
    The gendered words of a text are swapped *both ways*, as in counterfactual
    data augmentation: "She thanked her husband" becomes "He thanked his
    wife". Which of "his" and "him" stands for "her" is a guess from the next
    word: "him" before a determiner, pronoun, preposition, conjunction,
    auxiliary, common adverb or bare verb ("we hired her as lead", "gave her
    the award", "let her go"), before punctuation or at the end, "his"
    otherwise ("her team"). A sentence such as "they gave her flowers" gets
    "his flowers".

    A name is replaced wherever it stands as a word with the same spelling,
    so a name that is also a capitalised common word ("May", "Will") is
    replaced at the start of a sentence too; lower-case words never are.

    Examples
    --------
    >>> import pandas as pd
    >>> from skcounterfactual import CounterfactualAugmenter, TextLink
    >>> X = pd.DataFrame({
    ...     "gender": ["Female", "Male"],
    ...     "first_name": ["Anna", "Tom"],
    ...     "note": ["Anna led her team; we hired her.", "Tom is a waiter."],
    ... })
    >>> twins = CounterfactualAugmenter(
    ...     protected="gender",
    ...     links={"first_name": "first_name", "note": TextLink()},
    ...     placebo=False,
    ...     random_state=0,
    ... ).fit(X).make_twins(X)
    >>> twins.X
       gender first_name                             note
    0    Male        Tom  Tom led his team; we hired him.
    1  Female       Anna              Anna is a waitress.
    >>> twins.provenance["text_substitutions"].tolist()
    [3, 2]
    >>> TextLink(lexicon={"steward": "stewardess"}).words()[:4]
    ['actor', 'actors', 'actress', 'actresses']
    """

    def __init__(
        self, *, lexicon=None, replace_default=False, locale="en", names="auto"
    ):
        self.lexicon = lexicon
        self.replace_default = replace_default
        self.locale = locale
        self.names = names

    def __repr__(self):
        defaults = {
            "lexicon": None,
            "replace_default": False,
            "locale": "en",
            "names": "auto",
        }
        shown = [
            f"{key}={getattr(self, key)!r}"
            for key, default in defaults.items()
            if getattr(self, key) != default
        ]
        return f"TextLink({', '.join(shown)})"

    def __eq__(self, other):
        return isinstance(other, TextLink) and self._params() == other._params()

    __hash__ = None

    def _params(self):
        return (self.lexicon, self.replace_default, self.locale, self.names)

    def resolve(self):
        """Return the lexicon as plain data (see ``_lexicon.resolve_lexicon``)."""
        check_bool(self.replace_default, "TextLink(replace_default=...)")
        if not isinstance(self.locale, str):
            raise TypeError(
                f"TextLink(locale=...) must be a locale code such as 'en', got "
                f"{type(self.locale).__name__}: {self.locale!r}."
            )
        return resolve_lexicon(self.locale, self.lexicon, self.replace_default)

    def words(self):
        """Return every word the lexicon swaps, in lower case and sorted.

        A ready stop-word list for a model that must not read gender, e.g.
        ``TfidfVectorizer(stop_words=TextLink().words())``.

        Returns
        -------
        words : list of str
        """
        words, ambiguous, _, _ = self.resolve()
        found = {w.lower() for w in words} | set(words.values())
        for word, pair in ambiguous.items():
            found |= {word.lower(), *pair}
        return sorted(found)


@plain_state
class TextRewriter:
    """The link object behind a :class:`TextLink` (see ``_links`` for the API)."""

    generated = True
    checks_unseen = False  # every rewritten text is new; names are checked instead
    provenance_columns = (TEXT_SUBSTITUTIONS,)

    def __init__(self, column, spec):
        self.column = column
        self.spec = spec
        self.names = []
        self.reads = ()

    def attach(self, attribute, siblings):
        """Find the name columns among the other links of ``attribute``."""
        names = self.spec.names
        linked = [link.column for link in siblings if link is not self]
        if isinstance(names, str) and names == "auto":
            names = [
                link.column
                for link in siblings
                if getattr(link, "field", None) in NAME_FIELDS
            ]
        elif names is None:
            names = []
        elif not isinstance(names, list | tuple) or any(c not in linked for c in names):
            raise ValueError(
                BAD_NAMES.format(
                    column=self.column, names=names, attribute=attribute, linked=linked
                )
            )
        self.names = list(names)
        self.reads = tuple(self.names)
        # without names, a placebo twin's text (same group) never differs
        self.generated = bool(self.names)

    def fit(self, frame, context):
        """Check the column and resolve the lexicon."""
        _check_text(frame[self.column], self.column)
        words, ambiguous, followers, adjectives = self.spec.resolve()
        self.words_, self.ambiguous_ = words, ambiguous
        self.followers_, self.adjectives_ = followers, adjectives
        genders = context.genders
        self.swap_ = genders is not None and all(g in genders for g in _GENDERS)
        self.genders_ = list(genders) if self.swap_ else None
        self.domain_ = list(context.domain)
        if not self.swap_ and not self.names:
            raise ValueError(
                TEXT_NEVER_CHANGES.format(
                    column=self.column, attribute=context.attribute
                )
            )
        return self

    def _table(self):
        return word_table(
            tuple(self.words_.items()),
            tuple((k, tuple(v)) for k, v in self.ambiguous_.items()),
            tuple(self.followers_),
            tuple(self.adjectives_),
        )

    def generate(self, twins, batch):
        """Return the twins' texts and the substitutions each received."""
        out = twins[self.column].to_numpy(dtype=object).copy()
        n = len(out)
        counts = np.zeros(n, dtype=np.int64)
        is_text = np.fromiter((isinstance(t, str) for t in out), bool, n)
        olds = [np.asarray(batch.before[c], dtype=object) for c in self.names]
        news = [twins[c].to_numpy(dtype=object) for c in self.names]
        if self.swap_:
            rows = np.flatnonzero(is_text & self._crosses(batch))
            self._swap(out, counts, rows, [old[rows] for old in olds], twins.index)
        if self.names:
            changed = np.zeros(n, dtype=bool)
            for old, new in zip(olds, news, strict=True):
                changed |= old != new
            rows = np.flatnonzero(is_text & changed)
            pairs = [
                _name_pairs([old[i] for old in olds], [new[i] for new in news])
                for i in rows.tolist()
            ]
            texts, found = replace_names(out[rows].tolist(), pairs)
            out[rows] = _objects(texts)
            counts[rows] += found
        return list(out), np.arange(n), {TEXT_SUBSTITUTIONS: counts}

    def _crosses(self, batch):
        """Whether each twin's gender differs from its row's (both known)."""
        genders = np.asarray([*self.genders_, None], dtype=object)
        codes = index_codes(pd.Series(batch.original, dtype=object), self.domain_)
        source, target = genders[codes], genders[batch.target]
        known = np.isin(source, _GENDERS) & np.isin(target, _GENDERS)
        return known & (source != target)

    def _swap(self, out, counts, rows, olds, labels):
        """Swap lexicon words in ``out[rows]``, sparing names that are words."""
        table = self._table()
        protect = _protected_names(olds, table.forms)
        plain = rows if protect is None else rows[[p is None for p in protect]]
        if labels[plain].has_duplicates:  # several twins per row: swap texts once
            inverse, texts = pd.factorize(pd.Series(out[plain], dtype=object))
            swapped, found = swap_words(list(texts), table)
            out[plain] = _objects(swapped)[inverse]
            counts[plain] += found[inverse]
        else:
            swapped, found = swap_words(out[plain].tolist(), table)
            out[plain] = _objects(swapped)
            counts[plain] += found
        if protect is not None:
            spared = [i for i, p in enumerate(protect) if p is not None]
            swapped, found = swap_words(
                out[rows[spared]].tolist(), table, [protect[i] for i in spared]
            )
            out[rows[spared]] = _objects(swapped)
            counts[rows[spared]] += found


def _objects(values):
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _check_text(series, column):
    if pd.api.types.is_string_dtype(series.dtype) and not pd.api.types.is_object_dtype(
        series.dtype
    ):
        return
    for value in pd.unique(series.dropna().to_numpy(dtype=object)):
        if not isinstance(value, str):
            raise ValueError(
                NOT_TEXT.format(column=column, kind=type(value).__name__, value=value)
            )


def _protected_names(olds, forms):
    """Per row, its name words that are also lexicon words ("Guy"), or None."""
    if not olds:
        return None
    protect = [None] * len(olds[0])
    found = False
    for old in olds:
        codes, uniques = pd.factorize(pd.Series(old, dtype=object))
        hits = {}
        for j, name in enumerate(uniques):
            if isinstance(name, str):
                words = {w for w in _WORDS.findall(name) if w in forms}
                words |= {w.upper() for w in words}
                if words:
                    hits[j] = words
        for i in np.flatnonzero(np.isin(codes, list(hits))).tolist():
            protect[i] = (protect[i] or set()) | hits[codes[i]]
            found = True
    return protect if found else None


def _name_pairs(olds, news):
    """``(old, new)`` names of one twin, longest first, changed ones only."""
    if len(olds) == 1:  # the common case: one name column, one word
        old, new = olds[0], news[0]
        if isinstance(old, str) and isinstance(new, str) and " " not in old + new:
            return [(old, new)] if old and old != new else []
    pairs = {}
    for old, new in zip(olds, news, strict=True):
        if not isinstance(old, str) or not isinstance(new, str):
            continue
        old, new = old.strip(), new.strip()
        if not old or old == new:
            continue
        pairs.setdefault(old, new)
        old_words, new_words = old.split(), new.split()
        if len(old_words) > 1 and len(new_words) > 1:
            for o, n in ((old_words[0], new_words[0]), (old_words[-1], new_words[-1])):
                if o != n:
                    pairs.setdefault(o, n)
    return sorted(pairs.items(), key=lambda pair: -len(pair[0]))
