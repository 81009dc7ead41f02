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
        ``{"protected": {column: [values, ...]}, "columns": {name: {"low": ...,
        "high": ..., "type": "int" or "float"}}, "id": "applicant_id",
        "links": {...}, "locale": "en"}``. ``links`` are those of
        :class:`CounterfactualAugmenter`; generated fields come from Mimesis.
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
        if not isinstance(spec, dict) or "low" not in spec or "high" not in spec:
            raise ValueError(
                f'schema["columns"][{name!r}] needs "low" and "high", got {spec!r}.'
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
        if isinstance(spec, dict) and values[0] in spec:
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
