"""Counter-based randomness: every random draw is a pure function of its key.

A twin's random content (a drawn first name, a sampled target value) depends
only on ``random_state``, the source row's *label*, the attribute, the target
value and the linked column. Nothing depends on row order, chunk size, the
process or the machine, so twins built in chunks, in a permuted frame or in a
Dask worker are identical to twins built in one go.

Keys are 64-bit integers mixed with the SplitMix64 finaliser; labels are hashed
with pandas' ``hash_pandas_object``, which uses a fixed hash key.
"""

import hashlib

import numpy as np
import pandas as pd

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def mix(x):
    """Apply the SplitMix64 finaliser to a uint64 array (wrapping arithmetic).

    Examples
    --------
    >>> import numpy as np
    >>> mix(np.array([0, 1], dtype=np.uint64)).dtype
    dtype('uint64')
    """
    x = np.asarray(x, dtype=np.uint64).copy()
    x ^= x >> np.uint64(30)
    x *= _M1
    x ^= x >> np.uint64(27)
    x *= _M2
    x ^= x >> np.uint64(31)
    return x


def _canonical(part):
    if isinstance(part, np.generic):
        part = part.item()
    if isinstance(part, pd.Timestamp):
        return f"Timestamp:{part.isoformat()}"
    return f"{type(part).__name__}:{part!r}"


def stable_hash(*parts):
    """Return a ``np.uint64`` digest of ``parts`` that is the same everywhere.

    Examples
    --------
    >>> int(stable_hash("gender", "Female")) == int(stable_hash("gender", "Female"))
    True
    """
    text = "\x1f".join(_canonical(part) for part in parts)
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()
    return np.uint64(int.from_bytes(digest, "little"))


def label_hashes(index):
    """Hash row labels (any Index, including a MultiIndex) to uint64.

    Datetime and timedelta labels are hashed at nanosecond resolution, so equal
    labels stored with different units draw the same twins.
    """
    if isinstance(index, pd.DatetimeIndex | pd.TimedeltaIndex):
        index = index.as_unit("ns")
    elif isinstance(index, pd.MultiIndex):
        levels = [
            level.as_unit("ns")
            if isinstance(level, pd.DatetimeIndex | pd.TimedeltaIndex)
            else level
            for level in index.levels
        ]
        index = index.set_levels(levels)
    return pd.util.hash_pandas_object(index, index=False).to_numpy(dtype=np.uint64)


def combine(row_hashes, key):
    """Mix per-row hashes with a per-row or scalar key into new keys."""
    return mix(np.asarray(row_hashes, dtype=np.uint64) ^ mix(key))


def uniforms(keys, salt):
    """Turn uint64 keys into uniforms in [0, 1) with 53 bits of precision."""
    bits = mix(np.asarray(keys, dtype=np.uint64) ^ np.uint64(salt))
    return (bits >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)
