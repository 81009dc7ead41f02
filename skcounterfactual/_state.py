"""Fitted state as plain data, so that skops can save twin makers.

skops saves numpy arrays, lists, tuples, dicts and builtins without asking, and
refuses to load any other type until the user trusts it by name. A twin maker
keeps its fitted state in small objects (the engine, its links, the values
seen, the coherence check), dicts whose keys are column values, and pandas
scalars. :func:`to_plain` turns such a state into plain data, and
:func:`from_plain` turns it back; a twin maker's ``__getstate__`` and
``__setstate__`` call them, so a saved file holds only the maker's own public
class and plain data, and pickling goes through the same path.

Only the classes registered here with :func:`plain_state` are rebuilt on
loading, by setting their attributes (no code of theirs runs): a crafted file
cannot make :func:`from_plain` create any other type. Anything the codec does
not know (a user's callable link, a custom cost function) is left as it is:
pickle saves it as usual, and skops lists it among the types to trust.
"""

import datetime

import numpy as np
import pandas as pd

TAG = "__skcounterfactual__"
_CLASSES = {}


def plain_state(cls):
    """Register ``cls`` as a class whose instances :func:`to_plain` may encode.

    Its instances are saved as their attribute dict and rebuilt without
    calling ``__init__``.
    """
    name = cls.__qualname__
    if _CLASSES.get(name, cls) is not cls:
        raise RuntimeError(f"Two classes registered for plain state as {name!r}.")
    _CLASSES[name] = cls
    return cls


def to_plain(value):
    """Return ``value`` as plain data (see the module docstring)."""
    if value is None or isinstance(value, bool | int | float | str | np.generic):
        return value
    if isinstance(value, np.ndarray):
        if value.dtype != object:
            return value
        return _tagged(
            "object_array",
            values=[to_plain(v) for v in value.ravel().tolist()],
            shape=list(value.shape),
        )
    if isinstance(value, list):
        return [to_plain(v) for v in value]
    if isinstance(value, tuple):
        return tuple(to_plain(v) for v in value)
    if isinstance(value, dict):
        if all(isinstance(k, str) and k != TAG for k in value):
            return {k: to_plain(v) for k, v in value.items()}
        return _tagged(
            "dict",
            keys=[to_plain(k) for k in value],
            values=[to_plain(v) for v in value.values()],
        )
    if isinstance(value, set | frozenset):
        kind = "set" if isinstance(value, set) else "frozenset"
        return _tagged(kind, values=[to_plain(v) for v in value])
    if value is pd.NaT:
        return _tagged("NaT")
    if value is pd.NA:
        return _tagged("NA")
    if isinstance(value, pd.Timestamp):
        return _tagged(
            "Timestamp",
            text=value.isoformat(),
            unit=value.unit,
            tz=None if value.tz is None else str(value.tz),
        )
    if isinstance(value, pd.Timedelta):
        return _tagged("Timedelta", text=value.isoformat(), unit=value.unit)
    if isinstance(value, datetime.datetime | datetime.date):
        kind = "datetime" if isinstance(value, datetime.datetime) else "date"
        if kind == "datetime" and value.tzinfo is not None:
            return value  # a zone is not plain data: left to the serialiser
        return _tagged(kind, text=value.isoformat())
    cls = _CLASSES.get(type(value).__qualname__)
    if cls is type(value):
        return _tagged(
            "object", cls=cls.__qualname__, state=to_plain(dict(vars(value)))
        )
    return value


def from_plain(value):
    """Return the objects that :func:`to_plain` encoded in ``value``."""
    if isinstance(value, list):
        return [from_plain(v) for v in value]
    if isinstance(value, tuple):
        return tuple(from_plain(v) for v in value)
    if not isinstance(value, dict):
        return value
    kind = value.get(TAG)
    if kind is None:
        return {k: from_plain(v) for k, v in value.items()}
    if kind == "object_array":
        out = np.empty(len(value["values"]), dtype=object)
        out[:] = [from_plain(v) for v in value["values"]]
        return out.reshape(value["shape"])
    if kind == "dict":
        keys = [from_plain(k) for k in value["keys"]]
        return dict(zip(keys, (from_plain(v) for v in value["values"]), strict=True))
    if kind in ("set", "frozenset"):
        values = [from_plain(v) for v in value["values"]]
        return set(values) if kind == "set" else frozenset(values)
    if kind == "NaT":
        return pd.NaT
    if kind == "NA":
        return pd.NA
    if kind == "Timestamp":
        moment = pd.Timestamp(value["text"])
        if value["tz"] is not None:
            moment = moment.tz_convert(value["tz"])
        return moment.as_unit(value["unit"])
    if kind == "Timedelta":
        return pd.Timedelta(value["text"]).as_unit(value["unit"])
    if kind == "datetime":
        return datetime.datetime.fromisoformat(value["text"])
    if kind == "date":
        return datetime.date.fromisoformat(value["text"])
    if kind == "object":
        cls = _CLASSES.get(value["cls"])
        if cls is None:
            raise ValueError(
                f"The saved state names the class {value['cls']!r}, which this "
                "version of skcounterfactual does not know; load the model with "
                "the version that saved it."
            )
        instance = cls.__new__(cls)
        instance.__dict__.update(from_plain(value["state"]))
        return instance
    raise ValueError(f"The saved state holds an unknown entry kind {kind!r}.")


def _tagged(kind, **fields):
    return {TAG: kind, **fields}
