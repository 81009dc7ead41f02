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


def frame_fingerprint(frame):
    """Return a digest of a frame's labels, columns, dtypes and values.

    Two frames with the same fingerprint hold the same rows, so the same
    twins. Unhashable cells (lists, dicts) give None: no fingerprint.

    Numeric columns and Arrow-backed columns (pandas' default ``str``) are
    digested from their memory as it is, which is fast; other columns through
    ``hash_pandas_object``. Equal memory means equal values, so two frames
    with different values never share a fingerprint; two equal frames stored
    differently (an Arrow slice, another chunking) may differ, which only
    costs a cache miss.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"g": ["F", "M"], "x": [1.0, 2.0]})
    >>> frame_fingerprint(a) == frame_fingerprint(a.copy())
    True
    >>> frame_fingerprint(a) == frame_fingerprint(a.assign(x=[1.0, 3.0]))
    False
    """
    # SHA-256: hardware-accelerated on most CPUs, so the fastest in hashlib
    digest = hashlib.sha256()
    header = (list(frame.columns), [repr(d) for d in frame.dtypes], frame.shape)
    digest.update(repr(header).encode())
    try:
        _digest_values(digest, frame.index)
        for _, column in frame.items():
            _digest_values(digest, column)
    except TypeError:
        return None
    return digest.hexdigest()[:32]


def _digest_values(digest, values):
    """Add one column's (or an index's) values to ``digest``."""
    if isinstance(values, pd.RangeIndex):
        digest.update(repr((values.start, values.stop, values.step)).encode())
        return
    dtype = values.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "biufcmM":
        data = np.ascontiguousarray(values.to_numpy())
        digest.update(b"numpy")
        digest.update(data.view(np.uint8).data)
        return
    array = values.array
    if hasattr(array, "__arrow_array__") and _digest_arrow(digest, array):
        return
    digest.update(b"hashed")
    hashed = pd.util.hash_pandas_object(values, index=False).to_numpy()
    digest.update(hashed.tobytes())


def _digest_arrow(digest, array):
    """Digest an Arrow-backed array from its buffers; False when not compact."""
    chunked = array.__arrow_array__()
    chunks = getattr(chunked, "chunks", [chunked])
    for chunk in chunks:
        # a slice of a larger array would digest all of its parent's memory
        if chunk.offset or chunk.get_total_buffer_size() > 2 * chunk.nbytes + 4096:
            return False
    digest.update(b"arrow")
    for chunk in chunks:
        digest.update(repr((str(chunk.type), len(chunk), chunk.null_count)).encode())
        for buffer in chunk.buffers():
            digest.update(b"-" if buffer is None else memoryview(buffer))
    return True
