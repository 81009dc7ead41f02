r"""Text that leaves the package: terminal lines, Markdown and spreadsheet cells.

Values from the data (column names, group values, names in the evidence) end
up in a terminal, in Markdown posted to a pull request, in CSV files opened in
a spreadsheet. Each destination has its own markup, so each has its own
escaping, applied where the text is written:

- :func:`terminal`: control characters (newlines, carriage returns, ANSI
  escapes), Unicode line separators and bidirectional overrides become
  visible escapes such as ``\n`` or ``\x1b``, so a value can neither start a
  line of its own (a forged ``PASS:`` or a CI workflow command such as
  ``::error``) nor recolour or hide what follows.
- :func:`markdown`: the same, plus the characters that would make HTML
  (``<script>``, ``<img onerror=...>``), links (``[x](javascript:...)``),
  table cells, code spans or emphasis out of the text. Text that needs none
  of them (``< 0.001``, ``[0.1%, 2.0%]``, ``gender_code``) is left as it is.
- :func:`csv_cell`: a text cell starting with ``=``, ``+``, ``-``, ``@``, a
  tab or a carriage return gets a leading ``'``, which spreadsheet programs
  read as "this is text, not a formula" (formula injection).

HTML is escaped by :func:`html.escape` in ``_render``.
"""

import re

# Unicode line and paragraph separators, and the bidirectional controls that
# reorder what a terminal shows (category Cf); control characters are Cc
_INVISIBLE = frozenset(
    "\u061c\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d\u202e"
    "\u2066\u2067\u2068\u2069\ufeff"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f" + "".join(sorted(_INVISIBLE)) + "]", flags=re.UNICODE
)
# Markdown: a backslash, then what CommonMark reads as markup inside a line
_MARKDOWN = re.compile(
    r"""
    (?P<backslash>\\)
    | (?P<char>[`*~|])
    | (?P<underscore>(?<![^\W_])_|_(?![^\W_]))   # not between two word characters
    | (?P<link>\](?=[(\[]))                       # ](...) and ][...] make links
    | (?P<tag><(?=[A-Za-z/!?]))                   # tags, comments, autolinks
    | (?P<gt>>)
    | (?P<entity>&(?=[A-Za-z#]))                  # &lt; must stay text
    """,
    flags=re.VERBOSE,
)
_ENTITIES = {"tag": "&lt;", "gt": "&gt;", "entity": "&amp;"}
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _visible(match):
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def terminal(text):
    r"""Return ``text`` as one line safe to print to a terminal or a CI log.

    Parameters
    ----------
    text : object
        Any value; it is converted with ``str``.

    Returns
    -------
    line : str
        The text with every control character, line separator and
        bidirectional override written as a visible escape.

    Examples
    --------
    >>> print(terminal("Male\n::error::forged\x1b[31m"))
    Male\n::error::forged\x1b[31m
    """
    return _UNSAFE.sub(_visible, str(text))


def _markup(match):
    kind = match.lastgroup
    if kind in _ENTITIES:
        return _ENTITIES[kind]
    return "\\" + match.group()


def markdown(text):
    r"""Return ``text`` as inline Markdown that shows exactly that text.

    Parameters
    ----------
    text : object
        Any value; it is converted with ``str``.

    Returns
    -------
    inline : str
        One line (see :func:`terminal`) in which HTML tags, links, table
        cell separators, code spans and emphasis are escaped.

    Examples
    --------
    >>> markdown("<img src=x onerror=alert(1)> [a](javascript:b) | *c*")
    '&lt;img src=x onerror=alert(1)&gt; [a\\](javascript:b) \\| \\*c\\*'
    >>> markdown("gender_code < 0.001 [0.1%, 2.0%]")
    'gender_code < 0.001 [0.1%, 2.0%]'
    """
    return terminal(_MARKDOWN.sub(_markup, str(text)))


def csv_cell(value):
    r"""Return a text cell that a spreadsheet will not read as a formula.

    Parameters
    ----------
    value : object
        A cell; only strings are changed.

    Returns
    -------
    cell : object
        ``value``, with a leading ``'`` when it is a string starting with
        ``=``, ``+``, ``-``, ``@``, a tab or a carriage return.

    Examples
    --------
    >>> csv_cell('=HYPERLINK("http://x")'), csv_cell("-5"), csv_cell(-5)
    ('\'=HYPERLINK("http://x")', "'-5", -5)
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
