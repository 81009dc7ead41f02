"""Balanced synthetic audit sets: the tutorial's "base profiles", cloned."""

import math
import uuid

import numpy as np
import pandas as pd

from ._augmenter import CounterfactualAugmenter
from ._plan import MAX_TWINS
from ._validation import check_positive_int

_SCHEMA_KEYS = ("columns", "id", "links", "locale", "protected")
_PLAIN = (str, int, float, bool)


def make_profiles(schema, *, n_profiles=100, random_state=0):
    """Build base profiles from ``schema`` and clone each across the protected values.

    Parameters
    ----------
    schema : dict
        ``{"protected": {column: [values, ...]}, "columns": {name: spec},
        "id": "applicant_id", "links": {...}, "locale": "en"}``. A column's
        spec is numeric, ``{"low": ..., "high": ..., "type": "int" or
        "float"}``, or categorical, ``{"values": [...], "weights": [...]}``
        (weights optional, any non-negative numbers: they are normalised).
        ``links`` are those of :class:`CounterfactualAugmenter`: a linked
        categorical column holds a drawn value in the base profile and
        follows the protected value in its clones (a translation such as
        ``{"Female": {"Husband": "Wife"}, "Male": {"Wife": "Husband"}}``, or
        a value map); generated fields come from Mimesis.
    n_profiles : int, default=100
        Number of base profiles.
    random_state : int, default=0
        Seed.

    Returns
    -------
    profiles : DataFrame
        ``n_profiles * len(values)`` rows: each profile once per protected
        value, identical but for the protected and linked columns.

    Examples
    --------
    >>> schema = {"protected": {"gender": ["Male", "Female"]},
    ...           "columns": {"income": {"low": 40000, "high": 70000}},
    ...           "links": {"gender_code": {"Male": 1, "Female": 0}}}
    >>> make_profiles(schema, n_profiles=2)[["gender", "gender_code"]]
       gender  gender_code
    0    Male            1
    1  Female            0
    2    Male            1
    3  Female            0

    A categorical column, drawn with weights and linked to the attribute:

    >>> schema = {"protected": {"gender": ["Male", "Female"]},
    ...           "columns": {"role": {"values": ["Husband", "Single"],
    ...                                "weights": [3, 1]}},
    ...           "links": {"role": {"Female": {"Husband": "Wife"},
    ...                              "Male": {"Wife": "Husband"}}}}
    >>> make_profiles(schema, n_profiles=2)[["gender", "role"]]
       gender     role
    0    Male  Husband
    1  Female     Wife
    2    Male  Husband
    3  Female     Wife
    """
    attribute, values, columns, links, id_column = _check_schema(schema)
    n_profiles = check_positive_int(n_profiles, "n_profiles")
    if n_profiles * len(values) > MAX_TWINS:
        raise ValueError(
            f"n_profiles={n_profiles:,} with {len(values)} protected values makes "
            f"{n_profiles * len(values):,} rows, more than {MAX_TWINS:,}. Ask for "
            "fewer profiles."
        )
    rng = np.random.default_rng(random_state)
    data = {}
    if id_column:
        data[id_column] = [
            str(uuid.UUID(bytes=bytes(b), version=4))
            for b in rng.integers(0, 256, (n_profiles, 16), dtype=np.uint8)
        ]
    for name, (kind, low, high) in columns.items():
        if kind == "category":
            data[name] = _categorical(name, low, rng, n_profiles)
        elif kind == "int":
            data[name] = rng.integers(low, high + 1, n_profiles)
        else:
            data[name] = rng.uniform(low, high, n_profiles)
    base = pd.DataFrame(data, index=pd.RangeIndex(n_profiles))
    base.insert(len(id_column and [id_column] or []), attribute, values[0])
    for column, spec in links.items():
        if column in base.columns:
            continue  # a drawn column: its links translate the drawn value
        if isinstance(spec, dict) and not isinstance(spec.get(values[0]), dict | None):
            base[column] = spec[values[0]]
        else:
            base[column] = pd.Series([None] * n_profiles, dtype=object)
    augmenter = CounterfactualAugmenter(
        protected=attribute,
        values={attribute: values},
        links=links or None,
        source="mimesis",
        default_locale=schema.get("locale", "en"),
        random_state=random_state,
    ).fit(base)
    twins = augmenter.make_twins(base, include_original=False, placebo=True)
    frame, provenance = twins
    # the placebo twin is the base profile with freshly drawn linked fields
    order = np.lexsort(
        (
            pd.Index(values).get_indexer(frame[attribute]),
            provenance["source_position"].to_numpy(),
        )
    )
    frame = frame.iloc[order].reset_index(drop=True)
    for column in frame.columns:
        if frame[column].dtype == object:
            frame[column] = frame[column].astype("str")
    return frame


def _check_schema(schema):
    """Return ``(attribute, values, columns, links, id)`` of a valid schema.

    ``columns`` maps each name to ``(kind, low, high)``. Every mistake raises
    a ``ValueError`` (a ``TypeError`` for a schema that is not a dict) that
    names the key, says what is allowed and shows what was received.
    """
    if not isinstance(schema, dict):
        raise TypeError(f"schema must be a JSON object, got {type(schema).__name__}.")
    unknown = sorted(map(str, set(schema) - set(_SCHEMA_KEYS)))
    if unknown:
        raise ValueError(
            f"unknown schema keys {unknown}; allowed: {list(_SCHEMA_KEYS)}."
        )
    protected = schema.get("protected")
    if not isinstance(protected, dict) or len(protected) != 1:
        raise ValueError(
            'schema["protected"] must name one column and its values, e.g. '
            f'{{"gender": ["Male", "Female"]}}; got {protected!r}.'
        )
    ((attribute, values),) = protected.items()
    where = f'schema["protected"][{attribute!r}]'
    if not isinstance(values, list) or len(values) < 2:
        raise ValueError(f"{where} must list at least two values, got {values!r}.")
    for value in values:
        if (
            not isinstance(value, _PLAIN)
            or value != value
            or value
            in (
                float("inf"),
                float("-inf"),
            )
        ):
            raise ValueError(
                f"{where} must hold text, whole or finite numbers or booleans, "
                f"got {value!r}."
            )
    if len(set(values)) < len(values):  # 1 and true are one value here
        raise ValueError(f"{where} lists a value twice: {values!r}.")
    id_column = schema.get("id")
    if id_column is not None and (not isinstance(id_column, str) or not id_column):
        raise ValueError(
            f'schema["id"] must be a column name (text), got {id_column!r}.'
        )
    specs = schema.get("columns") or {}
    if not isinstance(specs, dict):
        raise ValueError(
            'schema["columns"] must map column names to {"low": ..., "high": ...}, '
            f"got {specs!r}."
        )
    columns = {name: _column(name, spec) for name, spec in specs.items()}
    links = schema.get("links") or {}
    if not isinstance(links, dict):
        raise ValueError(
            'schema["links"] must map column names to links, e.g. '
            f'{{"gender_code": {{"Male": 1, "Female": 0}}}}; got {links!r}.'
        )
    reserved = {attribute: 'schema["protected"]'}
    if id_column:
        reserved.setdefault(id_column, 'schema["id"]')
    named = [("id", [id_column] if id_column else [])]
    named += [("columns", columns), ("links", links)]
    for key, names in named:
        for name in names:
            owner = reserved.get(name)
            if owner is not None and owner != f'schema["{key}"]':
                raise ValueError(
                    f'schema["{key}"] names {name!r}, which {owner} already '
                    "names; give each column once."
                )
    # a drawn column may also be linked: its link translates the drawn value
    locale = schema.get("locale", "en")
    if not isinstance(locale, str):
        raise ValueError(f'schema["locale"] must be text such as "en", got {locale!r}.')
    return attribute, values, columns, links, id_column


def _column(name, spec):
    """Return ``(kind, low, high)`` of a column's spec, checked.

    A categorical column (``"values"``, optional ``"weights"``) is
    ``("category", spec, None)``; its draw checks it.
    """
    where = f'schema["columns"][{name!r}]'
    if isinstance(spec, dict) and "values" in spec:
        return "category", spec, None
    if not isinstance(spec, dict) or "low" not in spec or "high" not in spec:
        raise ValueError(
            f'{where} needs "low" and "high" (a number) or "values" (a category, '
            f'with optional "weights"), got {spec!r}.'
        )
    extra = sorted(map(str, set(spec) - {"low", "high", "type"}))
    if extra:
        raise ValueError(f"{where} has unknown keys {extra}; allowed: low, high, type.")
    kind = spec.get("type", "int")
    if kind not in ("int", "float"):
        raise ValueError(f'{where}["type"] must be "int" or "float", got {kind!r}.')
    bounds = []
    for key in ("low", "high"):
        value = spec[key]
        finite = (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            and math.isfinite(value)
        )
        if not finite or (kind == "int" and value != int(value)):
            allowed = "a whole number" if kind == "int" else "a finite number"
            raise ValueError(f'{where}["{key}"] must be {allowed}, got {value!r}.')
        bounds.append(int(value) if kind == "int" else float(value))
    low, high = bounds
    if low > high:
        raise ValueError(f'{where} has "low" {low!r} above "high" {high!r}; swap them.')
    if kind == "int" and not -(2**63) <= low <= high < 2**63 - 1:
        raise ValueError(
            f"{where} must stay within 64-bit integers, got low={low!r}, high={high!r}."
        )
    return kind, low, high


def _categorical(name, spec, rng, n_profiles):
    """Draw ``n_profiles`` values of a categorical column from its spec."""
    unknown = sorted(set(spec) - {"values", "weights"})
    choices = spec["values"]
    if unknown or not isinstance(choices, list) or not choices:
        raise ValueError(
            f'schema["columns"][{name!r}] must be {{"values": [...], "weights": '
            f"[...]}} with a non-empty list of values (weights optional); got "
            f"{spec!r}."
        )
    weights = spec.get("weights")
    if weights is not None:
        ok = (
            isinstance(weights, list)
            and len(weights) == len(choices)
            and all(
                isinstance(w, int | float)
                and not isinstance(w, bool)
                and math.isfinite(w)
                and w >= 0
                for w in weights
            )
            and sum(weights) > 0
        )
        if not ok:
            raise ValueError(
                f'schema["columns"][{name!r}]["weights"] must be a list of '
                f"{len(choices)} non-negative numbers, one per value, not all "
                f"zero; got {weights!r}."
            )
        weights = np.asarray(weights, dtype=float) / float(sum(weights))
    picked = rng.choice(len(choices), size=n_profiles, p=weights)
    return pd.Series([choices[i] for i in picked], dtype=object)
