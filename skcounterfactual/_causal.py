"""CausalAugmenter: twins whose descendants follow through a structural causal model.

A twin sets a protected attribute to another value (an intervention) and every
column that descends from it in a declared causal graph is recomputed with the
row's own noise, abducted from its observed values (Pearl's three steps:
abduction, action, prediction), by DoWhy's ``gcm`` module. Columns outside the
attribute's descendants are copied byte for byte; linked columns (a first name
following the new gender) are built by the all-else-equal engine of
:class:`CounterfactualAugmenter`, which this class composes.
"""

import contextlib
import copyreg
import numbers
import random
import sys
import warnings

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from ._augmenter import PLACEBO, CounterfactualAugmenter, _plain_bool
from ._domains import UnlinkedMirrorWarning
from ._frames import assign, cast_values
from ._keys import combine, label_hashes, stable_hash, uniforms
from ._native import like_input
from ._protocol import TwinMakerMixin, TwinSet
from ._validation import as_column_list, check_bool, check_columns, check_option

MECHANISM_CHOICES = ("auto", "linear")
MAX_SELECTION_ROWS = 5_000
CAUSAL_EXTRA = (
    "CausalAugmenter needs DoWhy, which is not installed. Install it with "
    'pip install "skcounterfactual[causal]".'
)
NOT_A_GRAPH = (
    "graph must be a list of (cause, effect) column pairs or a networkx DiGraph, "
    "got {kind}: {value!r}."
)
GRAPH_NODE_MISSING = (
    "graph names {node!r}, which is not a column of X. Available columns: "
    "{available!r}. Every node of the causal graph must be a column."
)
GRAPH_CYCLE = (
    "graph has a cycle {cycle!r}; a structural causal model needs an acyclic "
    "graph. Remove one of these edges."
)
PROTECTED_NOT_IN_GRAPH = (
    "protected={attribute!r} is not a node of graph, so no column follows it. "
    "Add its edges, e.g. graph=[({attribute!r}, 'income'), ...], or use "
    "CounterfactualAugmenter for all-else-equal twins."
)
LINKED_IN_GRAPH = (
    "links names {column!r}, which is also a node of graph. A column follows the "
    "protected attribute either through a link or through the graph, not both: "
    "drop it from links or from graph."
)
MISSING_IN_GRAPH_COLUMN = (
    "Column {column!r} of the causal graph has {count} missing or infinite "
    "value(s); the structural causal model needs complete, finite rows. Impute "
    "or drop them first."
)
UNKNOWN_CATEGORY = (
    "Column {column!r} holds {values!r}, never seen in fit; the causal model "
    "cannot abduct the noise of a category it does not know. Fit on data that "
    "holds every category."
)
BAD_MECHANISM = (
    "mechanisms[{column!r}] must be 'auto', 'linear' or a DoWhy causal mechanism "
    "(such as gcm.AdditiveNoiseModel(...)), got {kind}: {value!r}."
)
NOT_SAVEABLE = (
    "A fitted CausalAugmenter cannot be saved with skops: its structural causal "
    "model is a DoWhy object (a networkx graph and fitted causal mechanisms) that "
    "skops cannot store as data it trusts. Save the unfitted augmenter (its "
    "parameters save) and fit it again after loading, or, for files you never "
    "share, use pickle or joblib."
)
NOT_INVERTIBLE = (
    "The mechanism of {column!r} ({mechanism}) is neither invertible nor a "
    "classifier, so the noise of a row cannot be abducted. Use an additive noise "
    "model (gcm.AdditiveNoiseModel) or a classifier (gcm.ClassifierFCM)."
)


def _gcm():
    """Import DoWhy's ``gcm`` module, or say which extra installs it."""
    # importing dowhy calls sympy's init_printing, which replaces the
    # interpreter's display hook (strings then print without quotes)
    hook = sys.displayhook
    try:
        from dowhy import gcm
    except ImportError:
        raise ImportError(CAUSAL_EXTRA) from None
    finally:
        sys.displayhook = hook
    return gcm


@contextlib.contextmanager
def _quiet_dowhy(gcm, seed):
    """Run DoWhy silently in this process, seeded, leaving global state as found.

    DoWhy's model selection draws from NumPy's and Python's global generators,
    runs joblib workers and shows progress bars; all three are restored.
    OpenMP runs single-threaded meanwhile.
    """
    config = gcm.config
    saved = (config.show_progress_bars, config.default_n_jobs)
    numpy_state, python_state = np.random.get_state(), random.getstate()
    config.show_progress_bars, config.default_n_jobs = False, 1
    np.random.seed(seed % 2**32)
    random.seed(seed)
    try:
        # gradient boosting's OpenMP threads slow down by 10-30x when the
        # cores are shared; the models fitted here are small
        with threadpool_limits(limits=1, user_api="openmp"):
            yield
    finally:
        config.show_progress_bars, config.default_n_jobs = saved
        np.random.set_state(numpy_state)
        random.setstate(python_state)


def _edges(graph):
    """Return the user's graph as a list of ``(cause, effect)`` pairs."""
    if hasattr(graph, "edges") and hasattr(graph, "nodes") and callable(graph.edges):
        if not getattr(graph, "is_directed", lambda: False)():
            raise TypeError(NOT_A_GRAPH.format(kind="an undirected graph", value=graph))
        return [tuple(edge) for edge in graph.edges()], list(graph.nodes())
    if isinstance(graph, str) or not isinstance(graph, list | tuple):
        raise TypeError(NOT_A_GRAPH.format(kind=type(graph).__name__, value=graph))
    edges = []
    for pair in graph:
        if (
            isinstance(pair, str)
            or not isinstance(pair, list | tuple)
            or len(pair) != 2
        ):
            raise TypeError(
                f"graph must hold (cause, effect) pairs of columns, got {pair!r} "
                f"in graph={graph!r}."
            )
        edges.append((_plain(pair[0]), _plain(pair[1])))
    nodes = list(dict.fromkeys(node for edge in edges for node in edge))
    return edges, nodes


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def _kind(series):
    """How DoWhy sees a column: ``"float"``, ``"integer"`` or ``"category"``."""
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
        return "category"
    return "integer" if pd.api.types.is_integer_dtype(dtype) else "float"


class CausalAugmenter(TwinMakerMixin, BaseEstimator):
    """Build twins whose descendants follow a structural causal model (DoWhy).

    A twin sets a protected attribute to another value, and every column that
    descends from it in ``graph`` takes the value it would have had: the row's
    noise is abducted from its observed values, the attribute is intervened
    on, and the descendants are recomputed in causal order (counterfactual
    fairness, Kusner et al. 2017). A model that reads income but not gender
    flips under these twins when income depends on gender, where
    all-else-equal twins show no flip at all.

    Parameters
    ----------
    protected : str, int or list, default=None
        The protected column(s): names for DataFrames, integer positions for
        arrays. Required. Each must be a node of ``graph``.
    graph : list of (cause, effect) pairs or networkx.DiGraph, default=None
        The causal graph over columns of ``X``, e.g.
        ``[("gender", "income"), ("income", "debt")]``. Required. Columns not
        in the graph are taken to be unaffected by the protected attributes.
    values : dict or None, default=None
        Per attribute, its domain (as in :class:`CounterfactualAugmenter`).
    links : dict or None, default=None
        Columns that follow the attribute without a mechanism (a first name,
        a title, an encoded copy), as in :class:`CounterfactualAugmenter`. A
        linked column cannot also be a node of ``graph``.
    genders : dict or None, default=None
        For gendered links, which gender each value stands for (as in
        :class:`CounterfactualAugmenter`).
    mechanisms : {"auto", "linear"} or dict, default="auto"
        How the mechanism of each descendant is chosen. ``"auto"``: DoWhy's
        automatic assignment (model selection by cross-validation among
        linear models and gradient boosting, on at most 5,000 rows drawn with
        ``random_state``; the chosen mechanisms are then fitted on every
        row); ``"linear"``: an additive noise
        model with a linear regression for numbers, a logistic-regression
        classifier for categories (fast). A dict overrides per column with
        ``"auto"``, ``"linear"`` or a DoWhy mechanism such as
        ``gcm.AdditiveNoiseModel(gcm.ml.create_hist_gradient_boost_regressor())``;
        columns it does not name use ``"auto"``.
    placebo : bool or "auto", default="auto"
        Placebo twins (protected value kept, linked fields regenerated), as
        in :class:`CounterfactualAugmenter`; descendants are unchanged in them.
    random_state : int, RandomState instance or None, default=None
        Seeds the model selection and the draws of categorical descendants
        and linked fields. A twin depends only on the seed, the fitted model
        and its source row (values and label).

    Attributes
    ----------
    protected_ : list
        The protected columns.
    domains_ : dict
        Per attribute, the list of values twins take.
    factors_ : dict
        Per attribute, ``{"columns": [attribute], "linked": [...]}``: its
        linked columns followed by its descendants in the graph.
    descendants_ : dict
        Per attribute, its descendants in causal (topological) order.
    mechanisms_ : dict
        Per descendant, a description of its fitted mechanism.
    causal_model_ : dowhy.gcm.InvertibleStructuralCausalModel
        The fitted model over the attributes, their descendants and the
        descendants' parents (which it takes as given).
    seed_ : int
        The seed derived from ``random_state``.
    n_features_in_ : int
        Number of columns seen in ``fit``.
    feature_names_in_ : ndarray of str
        Column names seen in ``fit`` (DataFrames with string columns only).
    sample_indices_ : ndarray of int
        Set by ``fit_resample``: the input row of each row it returned (the
        rows, then their twins), as imbalanced-learn's samplers record it, so
        that ``sample_weight[sample_indices_]`` lines up with the result.

    See Also
    --------
    CounterfactualAugmenter : All-else-equal twins (only the attribute and its
        links change).
    TransportAugmenter : Twins as optimal-transport counterparts (FlipTest).

    Notes
    -----
    **Provenance.** Besides the standard columns, ``make_twins`` adds two
    boolean flags: ``approximate`` (a categorical descendant was drawn rather
    than recomputed, see below, and the draw mattered) and ``out_of_range``
    (a numeric descendant left the range seen in fit: the model judges a
    value it may never have seen).

    **Categorical descendants.** A classifier mechanism is not invertible: a
    category does not reveal the row's noise. DoWhy's classifier mechanism
    draws category ``j`` when a uniform noise ``u`` falls in the ``j``-th
    step of the cumulative class probabilities. The twin takes ``u`` from
    the interval that the row's observed category occupies under its
    observed parents (the posterior of the noise given the observation), at a
    position drawn from the seed and the row's label, and maps it through the
    probabilities under the twin's parents. A twin whose parents do not move
    keeps its category; one whose draw could land in more than one category
    is flagged ``approximate``.

    **Protected attributes with parents.** A twin is the intervention
    ``do(attribute = value)``, which cuts the attribute's incoming edges; its
    ancestors are not its descendants and stay as they are.

    **Integer descendants** are recomputed as whole numbers (DoWhy's
    discrete additive noise model when chosen, else rounded), so twins keep
    the column's dtype.

    **Uncertainty.** Intervals computed from these twins count the sampling
    of the audited rows, not the estimation of the mechanisms. Fit the
    augmenter on many more rows than you audit (the training data): in a
    simulation with a known flip rate, 95% intervals covered it in 95.5% of
    1,000 audits of 200 rows with mechanisms fitted on 4,000 rows, in 93.7%
    with 10,000 and 500, and in 83% when fitted on the 500 audited rows.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from skcounterfactual import CausalAugmenter
    >>> rng = np.random.default_rng(0)
    >>> gender = rng.choice(["female", "male"], 500)
    >>> income = 40_000 + 15_000 * (gender == "male") + rng.normal(0, 5_000, 500)
    >>> X = pd.DataFrame({"gender": gender, "income": income.astype(int),
    ...                   "age": rng.integers(20, 60, 500)})
    >>> twins = CausalAugmenter(protected="gender", graph=[("gender", "income")],
    ...                         mechanisms="linear").fit(X)
    >>> twins.descendants_
    {'gender': ['income']}
    >>> X.iloc[2:4]
       gender  income  age
    2    male   67762   30
    3  female   38377   52
    >>> X_twins, provenance = twins.make_twins(X.iloc[2:4])
    >>> X_twins  # income follows gender (the fitted shift is about 14,160); age stays
       gender  income  age
    2  female   53601   30
    3    male   52538   52
    """

    # the audit shows FlipTest's flipsets and transparency table for these twins
    _reports_flipsets = True

    def __reduce_ex__(self, protocol):
        # pickle and copy: the usual reconstruction from ``__getstate__``
        return copyreg.__newobj__, (type(self),), self.__getstate__()

    def __reduce__(self):
        # only skops calls ``__reduce__`` itself (pickle and copy call
        # ``__reduce_ex__`` above): refuse there, before it recurses into DoWhy
        if "causal_model_" in self.__dict__:
            raise TypeError(NOT_SAVEABLE)
        return super().__reduce__()

    def __init__(
        self,
        *,
        protected=None,
        graph=None,
        values=None,
        links=None,
        genders=None,
        mechanisms="auto",
        placebo="auto",
        random_state=None,
    ):
        self.protected = protected
        self.graph = graph
        self.values = values
        self.links = links
        self.genders = genders
        self.mechanisms = mechanisms
        self.placebo = placebo
        self.random_state = random_state

    # ------------------------------------------------------------------ fit
    def fit(self, X, y=None):
        """Check the graph against ``X`` and fit the structural causal model.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            The data (preferably the model's training data). Arrays name
            columns by integer position.
        y : None
            Ignored.

        Returns
        -------
        self : CausalAugmenter
            The fitted augmenter.
        """
        gcm = _gcm()
        import networkx as nx

        protected = as_column_list(self.protected, "protected")
        check_option(_plain_bool(self.placebo), PLACEBO, "placebo")
        frame, _ = self._validate_frame(X, reset=True)
        check_columns(frame, protected, "protected")
        if self.graph is None:
            raise ValueError(
                "graph is required: the causal graph as (cause, effect) column "
                "pairs, e.g. graph=[('gender', 'income'), ('income', 'debt')]."
            )
        edges, nodes = _edges(self.graph)
        for node in nodes:
            if node not in frame.columns:
                raise ValueError(
                    GRAPH_NODE_MISSING.format(node=node, available=list(frame.columns))
                )
        graph = nx.DiGraph(edges)
        graph.add_nodes_from(nodes)
        if not nx.is_directed_acyclic_graph(graph):
            cycle = [edge[:2] for edge in nx.find_cycle(graph)]
            raise ValueError(GRAPH_CYCLE.format(cycle=cycle))
        for attribute in protected:
            if attribute not in graph:
                raise ValueError(PROTECTED_NOT_IN_GRAPH.format(attribute=attribute))
        seed = _seed(self.random_state)
        links = CounterfactualAugmenter(
            protected=protected if len(protected) > 1 else protected[0],
            values=self.values,
            links=self.links,
            genders=self.genders,
            placebo=self.placebo,
            # the causal model recomputes the descendants, so combinations of
            # the attribute with them are not judged against the data as is
            coherence=None,
            random_state=seed,
        )
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", UnlinkedMirrorWarning)
            links.fit(frame)
        for warning in caught:
            # a column that mirrors the attribute is followed when it is a
            # descendant in the graph: the warning is only for the others
            followed = any(
                str(warning.message).startswith(f"Column {node!r} mirrors")
                for node in graph
            )
            if not followed:
                warnings.warn(warning.message, warning.category, stacklevel=2)
        for factor in links.factors_.values():
            for column in factor["linked"]:
                if column in graph:
                    raise ValueError(LINKED_IN_GRAPH.format(column=column))

        order = {node: i for i, node in enumerate(nx.topological_sort(graph))}
        descendants = {
            a: sorted(nx.descendants(graph, a), key=order.get) for a in protected
        }
        # lists in causal order, never sets: DoWhy fits (and draws random
        # numbers for) nodes in the order of its graph
        followers = sorted(set().union(*descendants.values()), key=order.get)
        edges = [
            (parent, d)
            for d in followers
            for parent in sorted(graph.predecessors(d), key=order.get)
        ]
        inputs = {p for p, _ in edges}
        model_nodes = sorted(set(protected) | set(followers) | inputs, key=order.get)
        for column in model_nodes:
            count = _incomplete(frame[column])
            if count:
                raise ValueError(
                    MISSING_IN_GRAPH_COLUMN.format(column=column, count=count)
                )
        self.kinds_ = {column: _kind(frame[column]) for column in model_nodes}
        self.categories_ = {
            column: {_text(v): _plain(v) for v in pd.unique(frame[column])}
            for column in model_nodes
            if self.kinds_[column] == "category"
        }
        data = self._encode(frame, model_nodes)
        model_graph = nx.DiGraph()
        model_graph.add_nodes_from(model_nodes)
        model_graph.add_edges_from(edges)
        scm = gcm.InvertibleStructuralCausalModel(model_graph)
        with _quiet_dowhy(gcm, seed):
            for column in model_nodes:
                if column not in followers:
                    scm.set_causal_mechanism(column, gcm.EmpiricalDistribution())
                    continue
                choice = self._mechanism_choice(column)
                if choice == "linear":
                    scm.set_causal_mechanism(column, _linear(gcm, self.kinds_[column]))
                elif choice != "auto":
                    scm.set_causal_mechanism(column, choice)
            selection = data
            if len(data) > MAX_SELECTION_ROWS:
                selection = data.sample(MAX_SELECTION_ROWS, random_state=seed % 2**32)
            gcm.auto.assign_causal_mechanisms(scm, selection)
            gcm.fit(scm, data)
        for column in followers:
            mechanism = scm.causal_mechanism(column)
            invertible = isinstance(
                mechanism, gcm.causal_mechanisms.InvertibleFunctionalCausalModel
            )
            if not invertible and not isinstance(mechanism, gcm.ClassifierFCM):
                raise ValueError(
                    NOT_INVERTIBLE.format(column=column, mechanism=mechanism)
                )
        self.links_augmenter_ = links
        self.causal_model_ = scm
        self.protected_ = protected
        self.domains_ = {a: list(d) for a, d in links.domains_.items()}
        self.descendants_ = descendants
        self.factors_ = {
            name: {
                "columns": factor["columns"],
                "linked": factor["linked"] + descendants[factor["columns"][0]],
            }
            for name, factor in links.factors_.items()
        }
        self.mechanisms_ = {
            column: str(scm.causal_mechanism(column))
            for column in model_nodes
            if column in followers
        }
        self.model_nodes_ = model_nodes
        self.ranges_ = {
            column: [float(data[column].min()), float(data[column].max())]
            for column in followers
            if self.kinds_[column] != "category"
        }
        self.seed_ = seed
        return self

    def _mechanism_choice(self, column):
        mechanisms = self.mechanisms
        if isinstance(mechanisms, dict):
            choice = mechanisms.get(column, "auto")
            name = column
        else:
            choice, name = mechanisms, None
            if not isinstance(choice, str) or choice not in MECHANISM_CHOICES:
                raise ValueError(
                    f"mechanisms must be 'auto', 'linear' or a dict of column to "
                    f"mechanism, got {type(choice).__name__}: {choice!r}."
                )
        if isinstance(choice, str):
            if choice not in MECHANISM_CHOICES:
                raise ValueError(
                    BAD_MECHANISM.format(column=name, kind="str", value=choice)
                )
            return choice
        if not (hasattr(choice, "fit") and hasattr(choice, "evaluate")):
            raise TypeError(
                BAD_MECHANISM.format(
                    column=name, kind=type(choice).__name__, value=choice
                )
            )
        return choice

    def _encode(self, frame, columns):
        """Return the columns as DoWhy reads them: numbers, or categories as text."""
        data = {}
        for column in columns:
            series = frame[column]
            kind = self.kinds_[column]
            if kind == "float":
                data[column] = series.to_numpy(dtype=np.float64)
            elif kind == "integer":
                data[column] = series.to_numpy(dtype=np.int64)
            else:
                codes, uniques = pd.factorize(series, use_na_sentinel=False)
                texts = np.empty(len(uniques), dtype=object)
                texts[:] = [_text(v) for v in uniques]
                data[column] = texts[codes]
        return pd.DataFrame(data)

    # ---------------------------------------------------------------- twins
    def make_twins(self, X, *, include_original=False, placebo=None):
        """Return the causal twins of the rows of ``X``.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Rows to twin, with the columns seen in ``fit``.
        include_original : bool, default=False
            Also return each original row, right before its twins.
        placebo : bool, "auto" or None, default=None
            Add placebo twins; None uses the ``placebo`` parameter.

        Returns
        -------
        twin_set : TwinSet
            ``twin_set.X`` (same kind, columns and dtypes as ``X``) and
            ``twin_set.provenance`` with the flags ``approximate`` and
            ``out_of_range``.
        """
        check_is_fitted(self)
        gcm = _gcm()
        include_original = check_bool(include_original, "include_original")
        placebo = self.placebo if placebo is None else placebo
        check_option(_plain_bool(placebo), PLACEBO, "placebo")
        frame, _ = self._validate_frame(X, reset=False)
        inner = self.links_augmenter_.make_twins(
            frame, include_original=include_original, placebo=placebo
        )
        twins, provenance = inner.X, inner.provenance
        approximate = np.zeros(len(provenance), dtype=bool)
        out_of_range = np.zeros(len(provenance), dtype=bool)
        kinds = provenance["kind"].to_numpy(dtype=object)
        attributes = provenance["attribute"].to_numpy(dtype=object)
        news = provenance["new"].to_numpy(dtype=object)
        sources = provenance["source_position"].to_numpy()
        followers = [a for a in self.protected_ if self.descendants_[a]]
        if followers and (kinds == "twin").any():
            for column in self.model_nodes_:
                count = _incomplete(frame[column])
                if count:
                    raise ValueError(
                        MISSING_IN_GRAPH_COLUMN.format(column=column, count=count)
                    )
            observed = self._encode(frame, self.model_nodes_)
            with _quiet_dowhy(gcm, self.seed_):
                noise, steps = self._abduct(gcm, frame, observed)
                for attribute in followers:
                    name = self._factor_name(attribute)
                    mine = np.flatnonzero((kinds == "twin") & (attributes == name))
                    for rows, value in self._batches(attribute, mine, news):
                        self._propagate(
                            gcm,
                            twins,
                            rows,
                            sources[rows],
                            attribute,
                            value,
                            noise,
                            steps,
                            approximate,
                            out_of_range,
                        )
        provenance = provenance.assign(
            approximate=approximate, out_of_range=out_of_range
        )
        twins = like_input(twins, X)
        return TwinSet(twins, provenance, inner.unseen_values)

    def _factor_name(self, attribute):
        return self.links_augmenter_.engine_.factor_name((attribute,))

    def _abduct(self, gcm, frame, observed):
        """Each row's noise per node, and the categorical nodes' noise intervals."""
        scm = self.causal_model_
        noise = {}
        steps = {}
        hashes = label_hashes(frame.index)
        for column in self.model_nodes_:
            parents = list(scm.graph.predecessors(column))
            if not parents:
                noise[column] = observed[column].to_numpy()
                continue
            mechanism = scm.causal_mechanism(column)
            parent_values = observed[_ordered_parents(scm, column)].to_numpy()
            target = observed[column].to_numpy()
            if isinstance(mechanism, gcm.ClassifierFCM):
                noise[column], steps[column] = self._posterior_noise(
                    mechanism, column, parent_values, target, hashes
                )
            else:
                noise[column] = np.asarray(
                    mechanism.estimate_noise(target, parent_values)
                ).reshape(-1)
        return noise, steps

    def _posterior_noise(self, mechanism, column, parents, target, hashes):
        """Draw the row's uniform noise within its observed category's step."""
        classes = list(mechanism.classifier_model.classes)
        lookup = {c: i for i, c in enumerate(classes)}
        codes = np.array([lookup.get(v, -1) for v in target])
        if (codes < 0).any():
            never = sorted({str(v) for v in target[codes < 0]})[:5]
            raise ValueError(UNKNOWN_CATEGORY.format(column=column, values=never))
        cumulative = np.cumsum(mechanism.estimate_probabilities(parents), axis=1)
        high = cumulative[np.arange(len(codes)), codes]
        low = np.where(
            codes > 0, cumulative[np.arange(len(codes)), np.maximum(codes - 1, 0)], 0.0
        )
        key = stable_hash(self.seed_, "causal noise", column)
        draw = uniforms(combine(hashes, key), 0xCA05A1)
        # DoWhy picks the first class whose cumulative probability reaches u,
        # so u in (low, high] gives back the observed class
        u = high - (high - low) * draw
        return u, np.column_stack([low, high])

    def _batches(self, attribute, rows, news):
        """Yield ``(rows, target)`` batches of twins to propagate together.

        For an attribute that is a root of the model, one batch whose target
        is an array of each twin's value (as DoWhy reads it); otherwise, one
        batch per value of the domain.
        """
        if not len(rows):
            return
        encode = self.kinds_[attribute] == "category"
        if not list(self.causal_model_.graph.predecessors(attribute)):
            codes, uniques = pd.factorize(pd.Series(news[rows], dtype=object))
            table = np.empty(len(uniques), dtype=object)
            table[:] = [_text(v) if encode else v for v in uniques]
            target = table[codes]
            yield rows, target if encode else target.astype(self._dtype(attribute))
            return
        for value in self.domains_[attribute]:
            chosen = rows[_equals(news[rows], value)]
            if len(chosen):
                yield chosen, _text(value) if encode else value

    def _dtype(self, column):
        return np.float64 if self.kinds_[column] == "float" else np.int64

    def _propagate(
        self,
        gcm,
        twins,
        rows,
        sources,
        attribute,
        value,
        noise,
        steps,
        approximate,
        out_of_range,
    ):
        scm = self.causal_model_
        noise_data = pd.DataFrame(
            {column: noise[column][sources] for column in self.model_nodes_}
        )
        if isinstance(value, np.ndarray):
            # a root's value is its noise: setting it is the intervention
            noise_data[attribute] = value
            interventions = {}
        else:
            interventions = {attribute: lambda _: value}
        counterfactual = gcm.counterfactual_samples(
            scm, interventions, noise_data=noise_data
        )
        for column in self.descendants_[attribute]:
            new = counterfactual[column].to_numpy()
            mechanism = scm.causal_mechanism(column)
            if column in steps:
                parents = counterfactual[_ordered_parents(scm, column)].to_numpy()
                cumulative = np.cumsum(
                    mechanism.estimate_probabilities(parents), axis=1
                )
                low, high = steps[column][sources, 0], steps[column][sources, 1]
                first = (cumulative < low[:, None]).sum(axis=1)
                last = (cumulative < high[:, None]).sum(axis=1)
                approximate[rows] |= first != last
            elif column in self.ranges_:
                lo, hi = self.ranges_[column]
                numbers_ = np.asarray(new, dtype=float)
                out_of_range[rows] |= (numbers_ < lo) | (numbers_ > hi)
            self._write(twins, column, rows, new)

    def _write(self, twins, column, rows, new):
        """Write recomputed values into rows of a twin column, keeping its dtype."""
        dtype = twins[column].dtype
        kind = self.kinds_[column]
        if kind == "category":
            values = twins[column].to_numpy(dtype=object).copy()
            back = self.categories_[column]
            values[rows] = [back[v] for v in new]
            codes, uniques = pd.factorize(pd.Series(values, dtype=object))
            assign(twins, column, cast_values(list(uniques), dtype, column).take(codes))
            return
        values = twins[column].to_numpy(dtype=np.float64).copy()
        new = np.asarray(new, dtype=np.float64)
        values[rows] = np.rint(new) if kind == "integer" else new
        if kind == "integer":
            values = values.astype(np.int64)
        twins[column] = pd.Series(values, index=twins.index).astype(dtype).array


def _incomplete(series):
    """Missing values of a column, and infinite ones when it holds numbers."""
    count = int(series.isna().sum())
    if pd.api.types.is_float_dtype(series.dtype):
        count += int(np.isinf(series.to_numpy(dtype=float, na_value=0.0)).sum())
    return count


def _text(value):
    """Return a category as DoWhy's classifiers read it: its text."""
    return str(_plain(value))


def _equals(array, value):
    codes, uniques = pd.factorize(pd.Series(array, dtype=object))
    hits = np.array([_same(u, value) for u in uniques] + [False], dtype=bool)
    return hits[codes]


def _same(a, b):
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def _ordered_parents(scm, column):
    from dowhy.graph import get_ordered_predecessors

    return get_ordered_predecessors(scm.graph, column)


def _linear(gcm, kind):
    if kind == "category":
        return gcm.ClassifierFCM(
            gcm.ml.create_logistic_regression_classifier(max_iter=1000)
        )
    if kind == "integer":
        return gcm.DiscreteAdditiveNoiseModel(gcm.ml.create_linear_regressor())
    return gcm.AdditiveNoiseModel(gcm.ml.create_linear_regressor())


def _seed(random_state):
    if isinstance(random_state, numbers.Integral) and not isinstance(
        random_state, bool
    ):
        return int(random_state)
    return int(check_random_state(random_state).randint(2**31 - 1))
