"""The written style of a column's values: case and a closing full stop.

Names and titles drawn from Mimesis are written ``"Anna"``, ``"Mrs."``. A data
set that writes ``"anna"`` or ``"MRS"`` would see every drawn value flagged as
unseen, and a model keyed on the case would flip on the case alone. A
generated field therefore takes the style of the column's fitted vocabulary.
"""

STYLES = ("lower", "upper", "title")
MIN_SHARE = 0.9  # of the column's written values, to call it a style


def _words(values):
    return [v for v in values if isinstance(v, str) and any(c.isalpha() for c in v)]


def detect_style(values):
    """Return how ``values`` are written: ``{"case": ..., "full_stop": ...}``.

    ``case`` is ``"lower"``, ``"upper"``, ``"title"`` or None (mixed, or no
    text); ``full_stop`` is False when no value ends with ``"."`` (titles
    written ``"Mr"``), True when some do, None without text.

    Examples
    --------
    >>> detect_style(["anna", "li wei", "bob"])
    {'case': 'lower', 'full_stop': False}
    >>> detect_style(["MR", "MRS", "MS"])
    {'case': 'upper', 'full_stop': False}
    """
    words = _words(values)
    if not words:
        return {"case": None, "full_stop": None}
    case = None
    for name, test in (
        ("lower", str.islower),
        ("upper", str.isupper),
        ("title", str.istitle),
    ):
        if sum(map(test, words)) >= MIN_SHARE * len(words):
            case = name
            break
    full_stop = any(w.rstrip().endswith(".") for w in words)
    return {"case": case, "full_stop": full_stop}


def apply_style(value, style):
    """Write ``value`` in ``style`` (see :func:`detect_style`).

    Examples
    --------
    >>> apply_style("Mrs.", {"case": "upper", "full_stop": False})
    'MRS'
    >>> apply_style("Anna", {"case": "lower", "full_stop": False})
    'anna'
    """
    if not isinstance(value, str) or not style:
        return value
    case = style.get("case")
    if case == "lower":
        value = value.lower()
    elif case == "upper":
        value = value.upper()
    elif case == "title" and (value.islower() or value.isupper()):
        value = value.title()
    if style.get("full_stop") is False and value.endswith("."):
        value = value[:-1]
    return value
