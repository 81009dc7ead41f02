"""Word-pair lexicons of gendered words, one per locale, for text twins.

A lexicon maps each gendered word to the word a text of the other gender uses
(``"she"`` to ``"he"``, ``"wife"`` to ``"husband"``). Words are single words,
written in lower case; :mod:`._swap` also matches their Capitalised and
UPPER-CASE forms and writes the replacement in the same form.

A few words have two counterparts, depending on their role in the sentence:
English "her" is "his" before a noun ("her team") and "him" elsewhere ("we
hired her", "for her to lead"); "his" is "her" before a noun and "hers"
elsewhere ("the idea was his"). Such *ambiguous* words map to a pair
``(before a noun, elsewhere)``; the word that follows decides. It counts as a
noun unless it is one of the locale's *followers* (determiners, pronouns,
prepositions, conjunctions, auxiliaries, common adverbs and bare verbs), an
adverb in "-ly" (not one of the listed "-ly" adjectives such as "early"), or
separated by punctuation.

A new locale is one more :class:`Lexicon` in :data:`LEXICONS`; until then,
users pass their own word pairs (``TextLink(lexicon=..., replace_default=True,
locale=...)``).
"""

import re
from dataclasses import dataclass

_WORD = re.compile(r"\w+")

LEXICON_TYPE = (
    "TextLink(lexicon=...) must be a dict from a word to its counterpart, such as "
    "{{'actor': 'actress'}}, or None; got {kind}: {value!r}."
)
LEXICON_ENTRY = (
    "TextLink(lexicon=...) entry {key!r}: {value!r} is not allowed. Keys and "
    "values must be single words (letters, digits or '_'; no spaces or "
    "punctuation), and a value may also be a pair (before a noun, elsewhere) "
    "such as ('his', 'him') for a word like 'her'."
)
UNKNOWN_LEXICON_LOCALE = (
    "TextLink(locale={locale!r}) has no default lexicon. Locales with one: "
    "{allowed!r}. For another language pass your own word pairs with "
    "TextLink(lexicon={{...}}, replace_default=True, locale={locale!r})."
)


@dataclass(frozen=True)
class Lexicon:
    """The gendered words of one locale.

    Attributes
    ----------
    locale : str
        The Mimesis-style locale code (``"en"``).
    words : dict of str to str
        Each word (lower case) and its counterpart. Listing a pair once is
        enough: :func:`resolve_lexicon` adds the reverse direction.
    ambiguous : dict of str to tuple of str
        Words with two counterparts: ``(before a noun, elsewhere)``.
    followers : frozenset of str
        Words after which an ambiguous word takes its "elsewhere" form.
    adjectives_in_ly : frozenset of str
        Words ending in "-ly" that are not adverbs.
    """

    locale: str
    words: dict
    ambiguous: dict
    followers: frozenset
    adjectives_in_ly: frozenset


def _word_set(text):
    return frozenset(text.split())


# Pairs (feminine, masculine), each swapped both ways. King, queen, prince
# and princess are left out on purpose: they are common surnames.
_EN_PAIRS = (
    ("she", "he"),
    ("herself", "himself"),
    ("woman", "man"),
    ("women", "men"),
    ("girl", "boy"),
    ("girls", "boys"),
    ("female", "male"),
    ("females", "males"),
    ("feminine", "masculine"),
    ("lady", "gentleman"),
    ("ladies", "gentlemen"),
    ("madam", "sir"),
    ("Ms", "Mr"),
    ("wife", "husband"),
    ("wives", "husbands"),
    ("daughter", "son"),
    ("daughters", "sons"),
    ("sister", "brother"),
    ("sisters", "brothers"),
    ("sisterhood", "brotherhood"),
    ("sorority", "fraternity"),
    ("mother", "father"),
    ("mothers", "fathers"),
    ("motherhood", "fatherhood"),
    ("maternity", "paternity"),
    ("maternal", "paternal"),
    ("mom", "dad"),
    ("moms", "dads"),
    ("grandmother", "grandfather"),
    ("grandmothers", "grandfathers"),
    ("granddaughter", "grandson"),
    ("granddaughters", "grandsons"),
    ("stepmother", "stepfather"),
    ("stepdaughter", "stepson"),
    ("aunt", "uncle"),
    ("aunts", "uncles"),
    ("niece", "nephew"),
    ("nieces", "nephews"),
    ("girlfriend", "boyfriend"),
    ("girlfriends", "boyfriends"),
    ("fiancee", "fiance"),
    ("fiancée", "fiancé"),
    ("bride", "groom"),
    ("brides", "grooms"),
    ("widow", "widower"),
    ("widows", "widowers"),
    ("schoolgirl", "schoolboy"),
    ("schoolgirls", "schoolboys"),
    ("chairwoman", "chairman"),
    ("chairwomen", "chairmen"),
    ("spokeswoman", "spokesman"),
    ("spokeswomen", "spokesmen"),
    ("businesswoman", "businessman"),
    ("businesswomen", "businessmen"),
    ("saleswoman", "salesman"),
    ("saleswomen", "salesmen"),
    ("sportswoman", "sportsman"),
    ("sportswomen", "sportsmen"),
    ("craftswoman", "craftsman"),
    ("craftswomen", "craftsmen"),
    ("forewoman", "foreman"),
    ("congresswoman", "congressman"),
    ("councilwoman", "councilman"),
    ("policewoman", "policeman"),
    ("policewomen", "policemen"),
    ("firewoman", "fireman"),
    ("camerawoman", "cameraman"),
    ("anchorwoman", "anchorman"),
    ("headmistress", "headmaster"),
    ("actress", "actor"),
    ("actresses", "actors"),
    ("waitress", "waiter"),
    ("waitresses", "waiters"),
    ("stewardess", "steward"),
    ("stewardesses", "stewards"),
    ("heiress", "heir"),
    ("heroine", "hero"),
    ("heroines", "heroes"),
    ("masseuse", "masseur"),
    ("nun", "monk"),
    ("nuns", "monks"),
)
# Words with one counterpart that does not map back to them.
_EN_ONE_WAY = {
    "him": "her",
    "hers": "his",
    "Mrs": "mr",
    "Miss": "mr",
    "Dame": "sir",
    "mum": "dad",
    "mums": "dads",
}
_EN_FOLLOWERS = _word_set(
    # determiners and quantifiers
    "a an the this that these those some any every each all both no another "
    "my your his her its our their several many much more such what which whose "
    # pronouns
    "i you he she it we they me him us them myself yourself himself herself "
    "itself ourselves themselves something anything everything nothing someone "
    "anyone everyone nobody somebody anybody everybody who whom whoever "
    # prepositions and particles
    "to for with at in on by from of about as into onto over under after before "
    "during through since until till like than up down out off back away around "
    "across along among against between behind beyond toward towards upon within "
    "without via per despite except "
    # conjunctions
    "and or but nor so yet because if when whenever while whereas although though "
    "unless once where wherever how why whether "
    # auxiliaries and modals
    "is was are were be been being am has had have having do does did will would "
    "shall should can could may might must "
    # common adverbs
    "not never always often sometimes usually again also too very well now then "
    "there here already still just even ever yesterday today tomorrow soon "
    "later ago instead either neither anyway further least "
    # bare verbs after "let her", "help her", "see her"
    "go get feel know see become grow succeed stay think try achieve understand "
    "reach join learn win"
)
_EN_ADJECTIVES_IN_LY = _word_set(
    "early only family daily weekly monthly quarterly yearly friendly lovely "
    "elderly likely unlikely lonely lively costly timely orderly scholarly silly "
    "ugly holy jolly bodily deadly kindly manly womanly fatherly motherly "
    "sisterly brotherly italy july rally supply ally assembly anomaly"
)
ENGLISH = Lexicon(
    locale="en",
    words={
        **{f: m.lower() for f, m in _EN_PAIRS},
        **{m: f.lower() for f, m in _EN_PAIRS},
        **_EN_ONE_WAY,
    },
    ambiguous={"her": ("his", "him"), "his": ("her", "hers")},
    followers=_EN_FOLLOWERS,
    adjectives_in_ly=_EN_ADJECTIVES_IN_LY,
)
LEXICONS = {"en": ENGLISH}


def _key(key, value, word):
    """Check one word of the lexicon; return it as a key (lower or Capitalised)."""
    if not isinstance(word, str) or not _WORD.fullmatch(word):
        raise ValueError(LEXICON_ENTRY.format(key=key, value=value))
    if word[:1].isupper() and word[1:] == word[1:].lower():
        return word
    return word.lower()


def _capital(word):
    return word[:1].upper() + word[1:]


def resolve_lexicon(locale, lexicon=None, replace_default=False):
    """Return the swaps of a locale's lexicon and the user's, as plain data.

    Parameters
    ----------
    locale : str
        The locale of the default lexicon (``"en"``).
    lexicon : dict or None, default=None
        The user's entries ``{word: counterpart}``; a counterpart may be a
        pair ``(before a noun, elsewhere)``.
    replace_default : bool, default=False
        Use only the user's entries.

    Returns
    -------
    words : dict of str to str
        Each word and its counterpart (lower case). A key written in lower case
        matches its lower-case, Capitalised and UPPER-CASE forms; a
        Capitalised key (``"Miss"``) only the last two, so the verb "miss"
        stays.
    ambiguous : dict of str to list of str
        Words with two counterparts, ``[before a noun, elsewhere]``.
    followers, adjectives_in_ly : list of str
        The locale's word lists that choose between the two.

    Notes
    -----
    The user's entries are added to (or, with ``replace_default``, replace)
    the locale's default and win over it. A plain entry also maps back
    (``{"actor": "actress"}`` swaps both ways) unless the counterpart already
    has an entry. A word mapped to itself is not swapped at all.

    Examples
    --------
    >>> words, ambiguous, _, _ = resolve_lexicon("en", {"Steward": "stewardess"})
    >>> words["Steward"], words["she"], words["Miss"], ambiguous["her"]
    ('stewardess', 'he', 'mr', ['his', 'him'])
    """
    if lexicon is not None and not isinstance(lexicon, dict):
        raise TypeError(LEXICON_TYPE.format(kind=type(lexicon).__name__, value=lexicon))
    default = LEXICONS.get(locale)
    if default is None and not replace_default:
        raise ValueError(
            UNKNOWN_LEXICON_LOCALE.format(locale=locale, allowed=sorted(LEXICONS))
        )
    entries = {}  # lower-case word -> (key, counterpart or [two counterparts])
    followers, adjectives = frozenset(), frozenset()
    if default is not None:
        followers, adjectives = default.followers, default.adjectives_in_ly
        if not replace_default:
            entries.update((k.lower(), (k, v)) for k, v in default.words.items())
            entries.update(
                (k.lower(), (k, list(v))) for k, v in default.ambiguous.items()
            )
    plain = []
    for raw, value in (lexicon or {}).items():
        key = _key(raw, value, raw)
        if isinstance(value, tuple | list) and len(value) == 2:
            entries[key.lower()] = (key, [_key(raw, value, v).lower() for v in value])
        else:
            entries[key.lower()] = (key, _key(raw, value, value).lower())
            plain.append(key)
    for key in plain:
        other = entries[key.lower()][1]
        if other not in entries:
            back = _capital(other) if key != key.lower() else other
            entries[other] = (back, key.lower())
    words, ambiguous = {}, {}
    for word, (key, value) in sorted(entries.items()):
        if isinstance(value, list):
            ambiguous[key] = value
        elif value != word:
            words[key] = value
    return words, ambiguous, sorted(followers), sorted(adjectives)
