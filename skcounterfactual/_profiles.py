"""Balanced synthetic audit sets: the tutorial's "base profiles", cloned."""

import uuid

import numpy as np
import pandas as pd

from ._augmenter import CounterfactualAugmenter

_SCHEMA_KEYS = ("columns", "id", "links", "locale", "protected")


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
    if not isinstance(schema, dict):
        raise TypeError(f"schema must be a JSON object, got {type(schema).__name__}.")
    unknown = sorted(set(schema) - set(_SCHEMA_KEYS))
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
    if not isinstance(values, list) or len(values) < 2:
        raise ValueError(
            f'schema["protected"][{attribute!r}] must list at least two values, '
            f"got {values!r}."
        )
    if not isinstance(n_profiles, int) or n_profiles < 1:
        raise ValueError(f"n_profiles must be a positive integer, got {n_profiles!r}.")
    rng = np.random.default_rng(random_state)
    data = {}
    id_column = schema.get("id")
    if id_column:
        data[id_column] = [
            str(uuid.UUID(bytes=bytes(b), version=4))
            for b in rng.integers(0, 256, (n_profiles, 16), dtype=np.uint8)
        ]
    for name, spec in (schema.get("columns") or {}).items():
        if isinstance(spec, dict) and "values" in spec:
            data[name] = _categorical(name, spec, rng, n_profiles)
            continue
        if not isinstance(spec, dict) or "low" not in spec or "high" not in spec:
            raise ValueError(
                f'schema["columns"][{name!r}] needs "low" and "high" (a number) '
                f'or "values" (a category, with optional "weights"), got {spec!r}.'
            )
        if spec.get("type", "int") == "int":
            data[name] = rng.integers(
                int(spec["low"]), int(spec["high"]) + 1, n_profiles
            )
        elif spec["type"] == "float":
            data[name] = rng.uniform(
                float(spec["low"]), float(spec["high"]), n_profiles
            )
        else:
            raise ValueError(
                f'schema["columns"][{name!r}]["type"] must be "int" or "float", '
                f"got {spec['type']!r}."
            )
    base = pd.DataFrame(data)
    base.insert(len(id_column and [id_column] or []), attribute, values[0])
    links = schema.get("links") or {}
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
                isinstance(w, int | float) and not isinstance(w, bool) and w >= 0
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
