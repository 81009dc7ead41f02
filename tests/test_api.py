"""The public API's shape, read from the real signatures.

Twin options belong to the twin makers; entry points take ``augmenter=``. No
public function takes more than 12 parameters, ``protected`` is keyword-only
wherever it appears, the favourable class is called ``pos_label`` everywhere,
and ``__all__`` is sorted and importable.
"""

import importlib
import inspect

import pytest

import skcounterfactual
from skcounterfactual import cli

TWIN_OPTIONS = frozenset(
    {
        "values",
        "links",
        "locales",
        "genders",
        "source",
        "default_locale",
        "n_twins",
        "intersectional",
        "placebo",
        "missing",
        "strict",
        "random_state",
        "threshold",
        "favourable",
    }
)
# other names for the favourable class; the package says pos_label
FAVOURABLE_SYNONYMS = frozenset(
    {
        "favourable",
        "favorable",
        "favourable_class",
        "favorable_class",
        "favourable_label",
        "favorable_label",
        "positive",
        "positive_class",
        "positive_label",
        "pos_class",
    }
)
# Parameters that share a twin option's name but are not about twins: the
# proxy diagnostics build no twins; their random_state seeds the permutation
# baseline of the association measures.
NOT_TWIN_OPTIONS = {("find_proxies", "random_state")}
MAX_PARAMETERS = 12
# the entry points that decide which class is favourable
NEEDS_POS_LABEL = (
    "audit",
    "counterfactual_effect",
    "counterfactual_flip_rate",
    "counterfactual_flip_score",
    "fairness_scoring",
    "make_counterfactual_flip_scorer",
    "make_parity_scorer",
)


def is_twin_maker(cls):
    return callable(getattr(cls, "fit", None)) and callable(
        getattr(cls, "make_twins", None)
    )


def own_methods(cls):
    """Public methods the package defines (not scikit-learn's get_params etc.)."""
    for name, member in inspect.getmembers(cls, inspect.isfunction):
        if not name.startswith("_") and member.__module__.startswith(
            "skcounterfactual"
        ):
            yield name, member


def signature(function, *, drop_self=False):
    parameters = list(inspect.signature(function).parameters.values())
    if drop_self and parameters and parameters[0].name == "self":
        parameters = parameters[1:]
    return parameters


def public_callables():
    """``(name, parameters, kind)`` for every public callable of the package.

    ``kind`` is ``"function"`` (functions, methods and the objects the
    factories return), ``"estimator"`` (constructors of estimators),
    ``"twin maker"`` and ``"twin maker method"`` (a twin maker's constructor
    and methods: the twin options live there) or ``"record"`` (constructors
    of the result objects the package builds for the caller, whose fields
    say what was found, e.g. ``AttributeAudit.n_twins`` and
    ``AuditReport.placebo``).
    """
    found = []
    for name in skcounterfactual.__all__:
        obj = getattr(skcounterfactual, name)
        if inspect.isclass(obj):
            if issubclass(obj, Warning):
                continue
            if is_twin_maker(obj):
                kind = "twin maker"
            elif callable(getattr(obj, "fit", None)):
                kind = "estimator"
            else:
                kind = "record"
            found.append((name, signature(obj), kind))
            method_kind = "twin maker method" if kind == "twin maker" else "function"
            for method, member in own_methods(obj):
                parameters = signature(member, drop_self=True)
                found.append((f"{name}.{method}", parameters, method_kind))
        else:
            found.append((name, signature(obj), "function"))
    package = skcounterfactual
    made = {
        "make_counterfactual_flip_scorer()": package.make_counterfactual_flip_scorer(
            protected="gender"
        ),
        "make_parity_scorer()": package.make_parity_scorer(protected="gender"),
        "most_accurate_within()": package.most_accurate_within(),
    }
    for key, value in package.fairness_scoring(protected="gender").items():
        if callable(value):
            made[f"fairness_scoring()[{key!r}]"] = value
    for name, obj in made.items():
        found.append((name, signature(obj), "function"))
        for method, member in own_methods(type(obj)):
            found.append(
                (f"{name}.{method}", signature(member, drop_self=True), "function")
            )
    return found


PUBLIC = public_callables()


def twin_option_violations(callables):
    return [
        f"{name}({parameter.name})"
        for name, parameters, kind in callables
        if kind not in ("twin maker", "twin maker method", "record")
        for parameter in parameters
        if parameter.name in TWIN_OPTIONS
        and (name, parameter.name) not in NOT_TWIN_OPTIONS
    ]


def too_many_parameter_violations(callables):
    return [
        f"{name} has {len(parameters)} parameters"
        for name, parameters, kind in callables
        if kind in ("function", "estimator", "twin maker method")
        and len(parameters) > MAX_PARAMETERS
    ]


def positional_protected_violations(callables):
    return [
        f"{name}({parameter.name}) is {parameter.kind.description}"
        for name, parameters, _ in callables
        for parameter in parameters
        if parameter.name == "protected"
        and parameter.kind is not inspect.Parameter.KEYWORD_ONLY
    ]


def favourable_name_violations(callables):
    return [
        f"{name}({parameter.name})"
        for name, parameters, _ in callables
        for parameter in parameters
        if parameter.name in FAVOURABLE_SYNONYMS
    ]


def test_the_introspection_sees_every_public_callable():
    names = {name for name, _, _ in PUBLIC}
    for expected in (
        "audit",
        "counterfactual_flip_rate",
        "CounterfactualAugmenter",
        "CounterfactualAugmenter.make_twins",
        "CounterfactualAugmentedClassifier",
        "AuditReport.to_html",
        "make_counterfactual_flip_scorer()",
        "make_parity_scorer().set_score_request",
    ):
        assert expected in names
    kinds = {name: kind for name, _, kind in PUBLIC}
    assert kinds["CounterfactualAugmenter"] == "twin maker"
    assert kinds["CounterfactualAugmenter.make_twins"] == "twin maker method"
    assert kinds["CounterfactualAugmentedClassifier.predict"] == "function"
    assert kinds["CounterfactualAugmentedClassifier"] == "estimator"
    assert kinds["AuditReport"] == "record"
    # the twin maker's constructor does have the twin options (they live there)
    (augmenter,) = (p for n, p, _ in PUBLIC if n == "CounterfactualAugmenter")
    assert TWIN_OPTIONS - {"threshold", "favourable"} <= {p.name for p in augmenter}


def test_no_entry_point_takes_a_twin_option():
    assert twin_option_violations(PUBLIC) == []


def test_no_public_function_takes_more_than_12_parameters():
    assert too_many_parameter_violations(PUBLIC) == []


def test_protected_is_keyword_only_wherever_it_appears():
    assert positional_protected_violations(PUBLIC) == []
    with_protected = [
        name
        for name, parameters, _ in PUBLIC
        if "protected" in [p.name for p in parameters]
    ]
    assert len(with_protected) >= 8


def test_the_favourable_class_is_called_pos_label_everywhere():
    assert favourable_name_violations(PUBLIC) == []
    parameters = {name: [p.name for p in params] for name, params, _ in PUBLIC}
    for name in NEEDS_POS_LABEL:
        assert "pos_label" in parameters[name], name
    report = skcounterfactual.AuditReport
    assert "pos_label" in [p.name for p in signature(report)]


def test_the_command_line_says_pos_label_too():
    parser = cli.build_parser()
    (commands,) = (action for action in parser._actions if action.dest == "command")
    options = {
        option
        for action in commands.choices["audit"]._actions
        for option in action.option_strings
    }
    assert "--pos-label" in options
    assert not {option for option in options if "favo" in option}


# The checks above must be able to fail: each one is run on callables that break
# its rule.
def _flip_rate(estimator, X, *, protected=None, links=None, random_state=0):
    """A flip rate that takes twin options itself (the old design)."""


def _scorer(protected, favourable=None):
    """A scorer with a positional protected and another name for pos_label."""


def _wide(a, b, c, d, e, f, g, h, i, j, k, l, m):  # noqa: E741
    """Thirteen parameters."""


class _Maker:
    """A twin maker: its constructor may take twin options."""

    def __init__(self, *, protected=None, links=None, placebo="auto"):
        self.protected, self.links, self.placebo = protected, links, placebo

    def fit(self, X, y=None):
        return self

    def make_twins(self, X, *, include_original=False, placebo=None):
        return X


BROKEN = [
    ("_flip_rate", signature(_flip_rate), "function"),
    ("_scorer", signature(_scorer), "function"),
    ("_wide", signature(_wide), "function"),
    ("_Maker", signature(_Maker), "twin maker"),
]


def test_the_checks_catch_what_they_forbid():
    assert is_twin_maker(_Maker)
    assert twin_option_violations(BROKEN) == [
        "_flip_rate(links)",
        "_flip_rate(random_state)",
        "_scorer(favourable)",
    ]
    assert too_many_parameter_violations(BROKEN) == ["_wide has 13 parameters"]
    assert positional_protected_violations(BROKEN) == [
        "_scorer(protected) is positional or keyword"
    ]
    assert favourable_name_violations(BROKEN) == ["_scorer(favourable)"]


# __all__ ---------------------------------------------------------------------
def test_all_names_import_and_are_sorted():
    assert skcounterfactual.__all__ == sorted(skcounterfactual.__all__)
    assert len(set(skcounterfactual.__all__)) == len(skcounterfactual.__all__)
    for name in skcounterfactual.__all__:
        assert getattr(skcounterfactual, name) is not None
    datasets = importlib.import_module("skcounterfactual.datasets")
    assert datasets.__all__ == sorted(datasets.__all__)
    for name in datasets.__all__:
        assert callable(getattr(datasets, name))


@pytest.mark.parametrize("name", skcounterfactual.__all__)
def test_each_public_name_imports_from_the_package(name):
    namespace = {}
    exec(f"from skcounterfactual import {name}", namespace)  # noqa: S102
    assert namespace[name] is getattr(skcounterfactual, name)
    assert namespace[name].__doc__, f"{name} has no docstring"


def test_private_scorer_classes_are_not_public():
    for name in ("_FlipScorer", "_ParityScorer", "_MostAccurateWithin"):
        assert name not in skcounterfactual.__all__
        assert not hasattr(skcounterfactual, name)
    for old in ("CounterfactualFlipScorer", "ParityScorer", "MostAccurateWithin"):
        assert not hasattr(skcounterfactual, old)
