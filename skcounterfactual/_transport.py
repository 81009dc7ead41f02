"""TransportAugmenter: twins as optimal-transport counterparts (FlipTest).

FlipTest (Black, Yeom and Fredrikson, FAT* 2020) compares each person with
their counterpart in another group: the person an optimal-transport map
between the two groups sends them to. The plans are computed once, at fit, on
the fit data with POT; a row is then mapped through the fitted plan, so its
twin depends only on the row and the fitted state, whatever rows come with
it.
"""

import math

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.neighbors import KDTree
from sklearn.utils.validation import check_is_fitted

from ._augmenter import PLACEBO, _plain_bool
from ._domains import observed_domain
from ._frames import assign, cast_values, concat_frames, index_codes, object_take
from ._keys import label_hashes
from ._native import like_input
from ._plan import check_factor, check_twin_count
from ._protocol import TwinMakerMixin, TwinSet
from ._twins import _original_provenance, kinds
from ._validation import (
    as_column_list,
    check_bool,
    check_columns,
    check_option,
    check_positive_int,
)

METHODS = ("auto", "exact", "minibatch")
METRICS = ("sqeuclidean", "euclidean", "cityblock")
TRANSPORT_EXTRA = (
    "TransportAugmenter needs POT (Python Optimal Transport), which is not "
    'installed. Install it with pip install "skcounterfactual[transport]".'
)
NO_RESAMPLE = (
    "TransportAugmenter does not augment training data: a transport twin is "
    "another person (the row's optimal-transport counterpart in the other "
    "group), not the row with its group changed, so giving it the row's label "
    "would train the model on labels nobody observed. Use CounterfactualAugmenter "
    "or CausalAugmenter in fit_resample and CounterfactualAugmentedClassifier."
)
MISSING_COST_VALUE = (
    "Column {column!r} has {count} missing or infinite value(s); the transport "
    "cost needs complete, finite rows. Impute them, or leave the column out of "
    "columns=."
)
UNKNOWN_GROUP = (
    "The protected column {attribute!r} holds {values!r}, which the fit data "
    "never held; a transport twin needs the row's group to have been fitted. "
    "Fit on data with every group."
)
MISSING_GROUP = (
    "The protected column {attribute!r} has {count} missing value(s); a transport "
    "twin needs the row's group. Impute or drop those rows first."
)
EXTRA_FLAGS = ("counterpart", "matched", "neighbour_distance", "approximate")


def _ot():
    try:
        import ot
    except ImportError:
        raise ImportError(TRANSPORT_EXTRA) from None
    return ot


def _incomplete(series):
    """Missing values of a column, and infinite ones when it holds numbers."""
    count = int(series.isna().sum())
    if _is_numeric(series):
        values = series.to_numpy(dtype=np.float64, na_value=0.0)
        count += int(np.isinf(values).sum())
    return count


def _is_numeric(series):
    dtype = series.dtype
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(
        dtype
    )


class TransportAugmenter(TwinMakerMixin, BaseEstimator):
    """Build FlipTest twins: each row's optimal-transport counterpart in each group.

    For every pair of groups of a protected attribute, an optimal-transport
    plan between the fit rows of the two groups is computed with POT, on a
    cost between rows (by default the squared distance between their
    standardised numbers and one-hot categories, the protected columns left
    out). A row's twin in another group is its counterpart there: the real
    fit row it sends the largest share of its mass to. A model that treats
    people differently through anything that differs between the groups
    (income, neighbourhood) flips under these twins, whatever columns it
    reads.

    Parameters
    ----------
    protected : str, int or list, default=None
        The protected column(s): names for DataFrames, integer positions for
        arrays. Required. Each is transported on its own.
    columns : list or None, default=None
        The columns the cost reads; None uses every column but the protected
        ones.
    cost : {"sqeuclidean", "euclidean", "cityblock"} or callable, \
default="sqeuclidean"
        The cost between two rows in the standardised space, or a callable
        ``cost(A, B) -> ndarray of shape (len(A), len(B))`` on encoded rows
        (numbers standardised, categories one-hot).
    method : {"auto", "exact", "minibatch"}, default="auto"
        ``"exact"``: POT's exact solver ``ot.emd`` on the two whole groups
        (memory and time grow with the product of the group sizes: about
        15 s for 5,000 rows per group). ``"minibatch"``: both groups are
        sorted along the first principal axis of their rows and cut into
        matching blocks of at most ``batch_size`` rows of the larger group,
        and each pair of blocks is solved exactly. ``"auto"``: exact when
        both groups have at most ``max_exact`` rows, else minibatch.
    max_exact : int, default=5000
        The largest group size ``"auto"`` solves exactly.
    batch_size : int, default=1000
        The block size of ``"minibatch"`` (rows of the larger group).

    Attributes
    ----------
    protected_ : list
        The protected columns.
    domains_ : dict
        Per attribute, its groups (the values observed in fit).
    factors_ : dict
        Per attribute, ``{"columns": [attribute], "linked": [...]}`` where
        ``linked`` lists every other column (a twin is another person).
    columns_ : list
        The columns the cost reads.
    methods_ : dict
        Per attribute, ``"exact"`` or ``"minibatch"``: how its plans were
        solved.
    n_features_in_ : int
        Number of columns seen in ``fit``.
    feature_names_in_ : ndarray of str
        Column names seen in ``fit`` (DataFrames with string columns only).

    See Also
    --------
    CounterfactualAugmenter : All-else-equal twins.
    CausalAugmenter : Twins from a structural causal model.

    Notes
    -----
    **Rows outside the fit data.** A row is mapped through the plan of the
    fitted row it is: the fit row with the same label and the same encoded
    values, whose twin is then its exact FlipTest counterpart (provenance
    ``matched=True``); otherwise its nearest fitted neighbour of its group in
    the standardised space (``matched=False``, with the distance in
    ``neighbour_distance``). Both depend on the row alone, so twins built in
    chunks equal twins built at once. Fit on the rows you audit for FlipTest
    proper; fit on training data to map new rows through the training plan.

    **Unequal group sizes.** The plan then splits some rows' mass between
    several counterparts; the twin is the one with the largest share (ties:
    the cheaper one, then the first fitted).

    **Provenance.** Besides the standard columns: ``counterpart`` (the fit
    position of the twin's row), ``matched``, ``neighbour_distance`` and
    ``approximate`` (the plan came from ``"minibatch"``).

    **Training augmentation.** ``fit_resample`` raises: a counterpart is
    another person, so copying the row's label to it invents labels.

    Examples
    --------
    >>> import pandas as pd
    >>> from skcounterfactual import TransportAugmenter
    >>> X = pd.DataFrame({"gender": ["F", "F", "M", "M"],
    ...                   "income": [30, 50, 45, 65]})
    >>> twins = TransportAugmenter(protected="gender").fit(X)
    >>> X_twins, provenance = twins.make_twins(X)
    >>> X_twins
      gender  income
    0      M      45
    1      M      65
    2      F      30
    3      F      50
    >>> provenance[["original", "new", "counterpart", "matched"]]
      original new  counterpart  matched
    0        F   M            2     True
    1        F   M            3     True
    2        M   F            0     True
    3        M   F            1     True
    """

    # the audit shows FlipTest's flipsets and transparency table for these twins
    _reports_flipsets = True
    # a counterpart is another person: no training augmentation (no sampler tags)
    _resamples = False

    def __init__(
        self,
        *,
        protected=None,
        columns=None,
        cost="sqeuclidean",
        method="auto",
        max_exact=5000,
        batch_size=1000,
    ):
        self.protected = protected
        self.columns = columns
        self.cost = cost
        self.method = method
        self.max_exact = max_exact
        self.batch_size = batch_size

    # ------------------------------------------------------------------ fit
    def fit(self, X, y=None):
        """Compute the transport plans between the groups of each attribute.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            The rows to transport (for FlipTest, the rows you audit).
        y : None
            Ignored.

        Returns
        -------
        self : TransportAugmenter
            The fitted augmenter.
        """
        ot = _ot()
        check_option(self.method, METHODS, "method")
        max_exact = check_positive_int(self.max_exact, "max_exact")
        batch_size = check_positive_int(self.batch_size, "batch_size")
        if not callable(self.cost) and self.cost not in METRICS:
            raise ValueError(
                f"cost must be one of {METRICS!r} or a callable cost(A, B) -> "
                f"matrix, got {self.cost!r}."
            )
        protected = as_column_list(self.protected, "protected")
        frame, _ = self._validate_frame(X, reset=True)
        check_columns(frame, protected, "protected")
        if self.columns is None:
            columns = [c for c in frame.columns if c not in protected]
        else:
            columns = as_column_list(self.columns, "columns")
            check_columns(frame, columns, "columns")
            both = [c for c in columns if c in protected]
            if both:
                raise ValueError(
                    f"columns names the protected column(s) {both!r}; the cost "
                    "compares people across groups, so it cannot read the group. "
                    "Leave them out of columns."
                )
        if not columns:
            raise ValueError(
                "The transport cost has no column to read: X holds only the "
                "protected column(s). Add the features the model reads."
            )
        self.columns_ = columns
        self._fit_encoding(frame)
        encoded = self._encode(frame)
        self.domains_, self.methods_, self.counterparts_ = {}, {}, {}
        self.trees_, self.members_, self.local_ = {}, {}, {}
        for attribute in protected:
            column = frame[attribute]
            count = int(column.isna().sum())
            if count:
                raise ValueError(MISSING_GROUP.format(attribute=attribute, count=count))
            domain = observed_domain(column)
            if len(domain) < 2:
                raise ValueError(
                    f"The protected column {attribute!r} has a single group "
                    f"{domain!r}; a transport twin needs another group."
                )
            check_factor(attribute, [len(domain)], None)  # before any plan
            codes = index_codes(column, domain)
            members = [np.flatnonzero(codes == g) for g in range(len(domain))]
            largest = max(len(m) for m in members)
            method = self.method
            if method == "auto":
                method = "exact" if largest <= max_exact else "minibatch"
            maps = [[None] * len(domain) for _ in domain]
            for g in range(len(domain)):
                for h in range(g + 1, len(domain)):
                    forward, backward = self._plan(
                        ot, encoded, members[g], members[h], method, batch_size
                    )
                    maps[g][h], maps[h][g] = forward, backward
            self.domains_[attribute] = domain
            self.methods_[attribute] = method
            self.counterparts_[attribute] = maps
            self.members_[attribute] = members
            local = np.empty(len(frame), dtype=np.int64)
            for m in members:
                local[m] = np.arange(len(m))
            self.local_[attribute] = local
            self.trees_[attribute] = self._trees(encoded, members)
        self.protected_ = protected
        self.factors_ = {
            _name(a): {
                "columns": [a],
                "linked": [c for c in frame.columns if c != a],
            }
            for a in protected
        }
        self.encoded_ = encoded
        self.fit_hashes_ = label_hashes(frame.index)
        self.fit_values_ = [frame[c].to_numpy() for c in frame.columns]
        return self

    def _tree_metric(self):
        return "manhattan" if self.cost == "cityblock" else "euclidean"

    def _trees(self, encoded, members):
        """Return the nearest-neighbour tree of each group's fit rows."""
        return [KDTree(encoded[m], metric=self._tree_metric()) for m in members]

    def __getstate__(self):
        state = super().__getstate__()
        # the trees are rebuilt from the encoded rows when loading, so a
        # saved augmenter holds plain arrays only (skops knows no KDTree)
        state.pop("trees_", None)
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        if "members_" in self.__dict__:
            self.trees_ = {
                attribute: self._trees(self.encoded_, members)
                for attribute, members in self.members_.items()
            }

    def _fit_encoding(self, frame):
        """Learn how to encode the cost columns: scales and categories."""
        self.scales_ = []
        for column in self.columns_:
            series = frame[column]
            count = _incomplete(series)
            if count:
                raise ValueError(MISSING_COST_VALUE.format(column=column, count=count))
            if _is_numeric(series):
                values = series.to_numpy(dtype=np.float64)
                scale = float(values.std())
                self.scales_.append(
                    ("number", float(values.mean()), scale if scale > 0 else 1.0)
                )
            else:
                self.scales_.append(("category", observed_domain(series), None))

    def _encode(self, frame):
        """Rows as float vectors: standardised numbers, one-hot categories."""
        blocks = []
        for column, (kind, centre, scale) in zip(
            self.columns_, self.scales_, strict=True
        ):
            series = frame[column]
            count = _incomplete(series)
            if count:
                raise ValueError(MISSING_COST_VALUE.format(column=column, count=count))
            if kind == "number":
                values = series.to_numpy(dtype=np.float64)
                blocks.append(((values - centre) / scale)[:, None])
            else:
                codes = index_codes(series, centre)
                onehot = np.zeros((len(series), len(centre)))
                known = codes >= 0
                onehot[np.flatnonzero(known), codes[known]] = 1.0
                blocks.append(onehot)
        return np.ascontiguousarray(np.hstack(blocks))

    def _cost(self, ot, A, B):
        if callable(self.cost):
            matrix = np.asarray(self.cost(A, B), dtype=np.float64)
            if matrix.shape != (len(A), len(B)):
                raise ValueError(
                    f"cost(A, B) returned shape {matrix.shape!r}; expected "
                    f"({len(A)}, {len(B)}), one cost per pair of rows."
                )
            bad = int(np.count_nonzero(~np.isfinite(matrix)))
            if bad:
                raise ValueError(
                    f"cost(A, B) returned {bad} missing or infinite cost(s); every "
                    "pair of rows needs a finite cost."
                )
            return matrix
        return ot.dist(A, B, metric=self.cost)

    def _plan(self, ot, encoded, left, right, method, batch_size):
        """Return the counterparts ``left -> right`` and ``right -> left``."""
        forward = np.empty(len(left), dtype=np.int64)
        backward = np.empty(len(right), dtype=np.int64)
        if method == "exact":
            blocks = [(np.arange(len(left)), np.arange(len(right)))]
        else:
            blocks = _blocks(encoded[left], encoded[right], batch_size)
        for a, b in blocks:
            A, B = encoded[left[a]], encoded[right[b]]
            cost = self._cost(ot, A, B)
            plan = ot.emd(
                np.full(len(a), 1.0 / len(a)),
                np.full(len(b), 1.0 / len(b)),
                cost,
                numItermax=max(100_000, 50 * len(a) * len(b)),
            )
            forward[a] = right[b[_largest_share(plan, cost)]]
            backward[b] = left[a[_largest_share(plan.T, cost.T)]]
        return forward, backward

    # ---------------------------------------------------------------- twins
    def make_twins(self, X, *, include_original=False, placebo=None):
        """Return each row's counterpart in every other group of each attribute.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Rows to twin, with the columns seen in ``fit``.
        include_original : bool, default=False
            Also return each original row, right before its twins.
        placebo : bool, "auto" or None, default=None
            Accepted for the twin-maker protocol; transport twins have no
            placebo (nothing is regenerated), so none is built.

        Returns
        -------
        twin_set : TwinSet
            ``twin_set.X`` (same kind, columns and dtypes as ``X``): the
            counterparts' rows, indexed by their source rows' labels; and
            ``twin_set.provenance``, with ``counterpart``, ``matched``,
            ``neighbour_distance`` and ``approximate``.
        """
        check_is_fitted(self)
        include_original = check_bool(include_original, "include_original")
        if placebo is not None:
            check_option(_plain_bool(placebo), PLACEBO, "placebo")
        frame, _ = self._validate_frame(X, reset=False)
        per_row = sum(len(self.domains_[a]) - 1 for a in self.protected_)
        check_twin_count(len(frame) * per_row, len(frame))
        encoded = self._encode(frame)
        hashes = label_hashes(frame.index)
        blocks = []
        for attribute in self.protected_:
            blocks.append(self._twins_of(frame, encoded, hashes, attribute))
        if include_original:
            original = _original_provenance(frame)
            for flag in EXTRA_FLAGS:
                original[flag] = _flag_default(flag, len(frame))
            blocks.insert(0, (frame, original))
        twins = concat_frames([b[0] for b in blocks])
        provenance = pd.concat([b[1] for b in blocks])
        if include_original:
            order = np.argsort(provenance["source_position"].to_numpy(), kind="stable")
            twins, provenance = twins.take(order), provenance.take(order)
        twins = like_input(twins, X)
        return TwinSet(twins, provenance, {})

    def _twins_of(self, frame, encoded, hashes, attribute):
        domain = self.domains_[attribute]
        column = frame[attribute]
        count = int(column.isna().sum())
        if count:
            raise ValueError(MISSING_GROUP.format(attribute=attribute, count=count))
        own = index_codes(column, domain)
        if (own < 0).any():
            never = sorted({repr(v) for v in column[own < 0]})[:5]
            raise ValueError(UNKNOWN_GROUP.format(attribute=attribute, values=never))
        fitted = np.empty(len(frame), dtype=np.int64)
        distance = np.zeros(len(frame))
        matched = np.zeros(len(frame), dtype=bool)
        for g in range(len(domain)):
            rows = np.flatnonzero(own == g)
            if len(rows):
                fitted[rows], distance[rows], matched[rows] = self._locate(
                    attribute, g, encoded[rows], hashes[rows]
                )
        n_groups = len(domain)
        # one twin per other group, in domain order, rows kept together
        pos = np.repeat(np.arange(len(frame)), n_groups - 1)
        offsets = np.tile(np.arange(n_groups - 1), len(frame))
        target = offsets + (offsets >= own[pos])
        local = self.local_[attribute][fitted]
        maps = self.counterparts_[attribute]
        counterpart = np.empty(len(pos), dtype=np.int64)
        for g in range(n_groups):
            for h in range(n_groups):
                if g != h:
                    hit = (own[pos] == g) & (target == h)
                    counterpart[hit] = maps[g][h][local[pos[hit]]]
        twins = frame.take(pos)
        for j, name in enumerate(frame.columns):
            values = self.fit_values_[j][counterpart]
            dtype = frame[name].dtype
            if _is_numeric(frame[name]):
                twins[name] = pd.Series(values).astype(dtype).array
            else:
                codes, uniques = pd.factorize(pd.Series(values, dtype=object))
                assign(twins, name, cast_values(list(uniques), dtype, name).take(codes))
        new = np.asarray(domain + [None], dtype=object)[:-1][target]
        provenance = pd.DataFrame(
            {
                "source_position": pos.astype(np.int64),
                "attribute": pd.Series([_name(attribute)] * len(pos), dtype=object),
                "original": pd.Series(object_take(column, pos), dtype=object),
                "new": pd.Series(new, dtype=object),
                "kind": kinds("twin", len(pos)),
                "unseen": np.zeros(len(pos), dtype=bool),
                "counterpart": counterpart,
                "matched": matched[pos],
                "neighbour_distance": distance[pos],
                "approximate": np.full(
                    len(pos), self.methods_[attribute] == "minibatch"
                ),
            }
        )
        provenance.index = twins.index
        return twins, provenance

    def _locate(self, attribute, group, encoded, hashes):
        """Return the fitted row of ``group`` each row is mapped through.

        The fit row with the same label and encoded values when there is one,
        else the nearest fitted neighbour (ties: the first fitted).
        """
        members = self.members_[attribute][group]
        member_hashes = self.fit_hashes_[members]
        order = np.argsort(member_hashes, kind="stable")
        sorted_hashes = member_hashes[order]
        at = np.searchsorted(sorted_hashes, hashes)
        found = np.zeros(len(hashes), dtype=bool)
        position = np.empty(len(hashes), dtype=np.int64)
        inside = at < len(sorted_hashes)
        candidate = np.where(inside, order[np.minimum(at, len(order) - 1)], 0)
        same_label = inside & (sorted_hashes[np.minimum(at, len(order) - 1)] == hashes)
        same_values = (self.encoded_[members[candidate]] == encoded).all(axis=1)
        found = same_label & same_values
        position[found] = members[candidate[found]]
        distance = np.zeros(len(hashes))
        rest = np.flatnonzero(~found)
        if len(rest):
            tree = self.trees_[attribute][group]
            dist, index = tree.query(encoded[rest], k=1)
            position[rest] = members[index[:, 0]]
            distance[rest] = dist[:, 0]
        return position, distance, found

    def fit_resample(self, X, y):
        """Refuse: transport twins are other people, not augmented rows.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Labels.

        Raises
        ------
        TypeError
            Always, naming the twin makers that do augment training data.
        """
        raise TypeError(NO_RESAMPLE)


def _name(attribute):
    return attribute if isinstance(attribute, str) else str(attribute)


def _flag_default(flag, n):
    if flag == "counterpart":
        return np.full(n, -1, dtype=np.int64)
    if flag == "neighbour_distance":
        return np.zeros(n)
    return np.zeros(n, dtype=bool)


def _largest_share(plan, cost):
    """Per row of ``plan``, the column with the largest share of its mass.

    Ties go to the cheaper column, then to the first.
    """
    best = plan.max(axis=1, keepdims=True)
    tied = plan >= best * (1 - 1e-9)
    masked = np.where(tied, cost, np.inf)
    return np.argmin(masked, axis=1)


def _blocks(left, right, batch_size):
    """Cut two groups into matching blocks along their first principal axis."""
    pooled = np.vstack([left, right])
    centred = pooled - pooled.mean(axis=0)
    _, _, vt = np.linalg.svd(centred[:: max(1, len(centred) // 20_000)], False)
    axis = vt[0] * (1 if vt[0][np.argmax(np.abs(vt[0]))] >= 0 else -1)
    n_blocks = math.ceil(max(len(left), len(right)) / batch_size)
    n_blocks = max(1, min(n_blocks, len(left), len(right)))
    out = []
    order_l = np.argsort(left @ axis, kind="stable")
    order_r = np.argsort(right @ axis, kind="stable")
    cuts_l = np.linspace(0, len(left), n_blocks + 1).astype(int)
    cuts_r = np.linspace(0, len(right), n_blocks + 1).astype(int)
    for k in range(n_blocks):
        a = order_l[cuts_l[k] : cuts_l[k + 1]]
        b = order_r[cuts_r[k] : cuts_r[k + 1]]
        if len(a) and len(b):
            out.append((a, b))
    return out
