"""Quantiles of changes, gathered chunk by chunk: a log-bucket sketch.

Exact quantiles need every value at once, which an audit never holds. A
:class:`QuantileSketch` counts values in logarithmic buckets fixed in advance
(a value ``x`` falls in bucket ``ceil(log(|x|) / log(gamma))``, signed, with
``gamma = (1 + a) / (1 - a)``), as DDSketch does, but never collapses
buckets. Two properties follow, which a sketch whose buckets adapt to the
data (t-digest, KLL) lacks:

* merges are exact additions of integer counts, so the sketch of a table is
  the same whatever its chunks or partitions, to the last bit, and audits stay
  chunk-independent;
* every quantile is within a relative error ``a`` (0.5%) of a value of the
  data at that rank, and the memory is bounded by the range of magnitudes:
  at most about 6,300 buckets per sign from 1e-12 to 1e15, whatever the
  number of rows.

Values within ``ZERO`` of 0 share one bucket worth exactly 0.
"""

import math

import numpy as np

RELATIVE_ACCURACY = 0.005
GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY)
LOG_GAMMA = math.log(GAMMA)
ZERO = 1e-12
QUANTILES = {"q05": 0.05, "q25": 0.25, "median": 0.5, "q75": 0.75, "q95": 0.95}


class QuantileSketch:
    """Counts of values in fixed logarithmic buckets (see the module docstring).

    Examples
    --------
    >>> import numpy as np
    >>> sketch = QuantileSketch().add(np.arange(1, 101, dtype=float))
    >>> round(sketch.quantile(0.5), 1), sketch.count
    (50.2, 100)
    >>> halves = QuantileSketch().add(np.arange(1, 51.0))
    >>> halves.merge(QuantileSketch().add(np.arange(51, 101.0))) == sketch
    True
    """

    def __init__(self):
        self.buckets = {}
        self.count = 0

    def __eq__(self, other):
        if not isinstance(other, QuantileSketch):
            return NotImplemented
        return self.buckets == other.buckets and self.count == other.count

    def add(self, values):
        """Count ``values`` (finite numbers); return the sketch."""
        values = np.asarray(values, dtype=float)
        if not len(values):
            return self
        magnitude = np.abs(values)
        keys = np.zeros(len(values), dtype=np.int64)
        big = magnitude > ZERO
        index = np.ceil(np.log(magnitude[big]) / LOG_GAMMA).astype(np.int64)
        # bucket 0 is zero; positive buckets above, negative below
        keys[big] = np.where(values[big] > 0, 1, -1) * (index + 2**40)
        found, counts = np.unique(keys, return_counts=True)
        for key, count in zip(found.tolist(), counts.tolist(), strict=True):
            self.buckets[key] = self.buckets.get(key, 0) + count
        self.count += len(values)
        return self

    def merge(self, other):
        """Add the counts of ``other``; return the sketch."""
        for key, count in other.buckets.items():
            self.buckets[key] = self.buckets.get(key, 0) + count
        self.count += other.count
        return self

    def quantile(self, q):
        """Return the value at quantile ``q`` (None when the sketch is empty).

        The lower quantile: the smallest bucket whose cumulative count reaches
        ``q * count``, reported as its representative value.
        """
        if not self.count:
            return None
        rank = max(1, math.ceil(q * self.count))
        seen = 0
        for key in sorted(self.buckets):
            seen += self.buckets[key]
            if seen >= rank:
                return _value(key)
        return _value(max(self.buckets))  # pragma: no cover - rounding guard

    def quantiles(self):
        """Return ``{name: value}`` for the quantiles of ``QUANTILES``."""
        return {name: self.quantile(q) for name, q in QUANTILES.items()}


def _value(key):
    if key == 0:
        return 0.0
    sign = 1.0 if key > 0 else -1.0
    index = abs(key) - 2**40
    return sign * 2 * GAMMA**index / (GAMMA + 1)
