"""Flip rate, flip score and effect; the flip scorer in searches, cross-validation,
parallel backends and metadata routing.
"""

import pickle
import re

import numpy as np
import pandas as pd
import pytest
import sklearn
from fairlearn.metrics import demographic_parity_difference
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import (
    FixedThresholdClassifier,
    GridSearchCV,
    KFold,
    RandomizedSearchCV,
    cross_validate,
)
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OrdinalEncoder
from sklearn.svm import LinearSVC
from sklearn.tree import DecisionTreeClassifier

from skcounterfactual import (
    CounterfactualAugmentedClassifier,
    CounterfactualAugmenter,
    UnlinkedMirrorWarning,
    counterfactual_effect,
    counterfactual_flip_rate,
    counterfactual_flip_score,
    fairness_scoring,
    make_counterfactual_flip_scorer,
    make_parity_scorer,
)
from skcounterfactual._augmenter import NO_TWIN_SPECIFICATION, PROTECTED_MISMATCH
from skcounterfactual._protocol import NOT_A_TWIN_MAKER
from skcounterfactual._validation import (
    BAD_SAMPLE_WEIGHT_SHAPE,
    MISSING_COLUMN,
    NOT_BOOL,
    NOT_POSITIVE_INT,
)
from skcounterfactual.datasets import make_loan_applicants

# These tests twin the loan data with the fewest links their assertions need
# (often the gender code alone), so titles and names stay those of the other
# gender: the incoherence the coherence check reports (tests/test_coherence.py).
pytestmark = pytest.mark.filterwarnings(
    "ignore::skcounterfactual.IncoherentTwinWarning"
)


LINKS = {"gender_code": {"Male": 1, "Female": 0}}


def twins(links=LINKS, **params):
    """The tutorial's twins: gender with its code (and any further links)."""
    return CounterfactualAugmenter(
        protected="gender", links=links, random_state=0, **params
    )


def select(columns, estimator):
    """A pipeline that takes whole applicant rows and uses only ``columns``."""
    return Pipeline(
        [
            ("select", ColumnTransformer([("keep", "passthrough", columns)])),
            ("model", estimator),
        ]
    )


@pytest.fixture(scope="module")
def logistic(loans):
    X, y = loans
    return select(["gender_code", "income"], LogisticRegression(max_iter=1000)).fit(
        X, y
    )


def test_flip_rate_of_the_tutorial_model_matches_its_own_rule(loans, tutorial_model):
    X, _ = loans
    rate = counterfactual_flip_rate(tutorial_model, X, augmenter=twins())
    # the tree approves every man and women above its income threshold, so a row
    # flips exactly when the woman's version would be denied
    women = X.assign(gender="Female", gender_code=0)
    men = X.assign(gender="Male", gender_code=1)
    expected = np.mean(tutorial_model.predict(women) != tutorial_model.predict(men))
    assert rate == pytest.approx(expected)
    assert 0.3 < rate < 0.7
    score = counterfactual_flip_score(tutorial_model, X, augmenter=twins())
    assert score == pytest.approx(1 - rate)


def test_a_fitted_augmenter_is_used_as_is_and_an_unfitted_one_is_not_changed(
    loans, tutorial_model
):
    X, _ = loans
    unfitted = twins()
    rate = counterfactual_flip_rate(tutorial_model, X, augmenter=unfitted)
    assert not hasattr(unfitted, "engine_")  # a clone was fitted
    fitted = twins().fit(X.iloc[:100])
    engine = fitted.engine_
    assert counterfactual_flip_rate(tutorial_model, X, augmenter=fitted) == rate
    assert fitted.engine_ is engine  # not fitted again on X


def test_gender_blind_model_never_flips(loans):
    X, y = loans
    blind = select(["income"], DecisionTreeClassifier(max_depth=3)).fit(X, y)
    assert counterfactual_flip_score(blind, X, augmenter=twins()) == 1.0


def test_without_the_mirror_link_the_model_sees_no_change(loans, tutorial_model):
    # a twin that changes "gender" but keeps gender_code=1 is not a twin at all:
    # the links matter
    X, _ = loans
    with pytest.warns(UnlinkedMirrorWarning, match="'gender_code' mirrors"):
        rate = counterfactual_flip_rate(tutorial_model, X, protected="gender")
    assert rate == 0.0


def test_protected_is_the_shortcut_for_a_default_augmenter(loans, tutorial_model):
    X, y = loans
    unlinked = X.drop(columns="gender_code")  # the model reads gender itself
    model = Pipeline(
        [
            (
                "encode",
                ColumnTransformer(
                    [
                        ("gender", OrdinalEncoder(), ["gender"]),
                        ("income", "passthrough", ["income"]),
                    ]
                ),
            ),
            ("tree", DecisionTreeClassifier(max_depth=3, random_state=0)),
        ]
    ).fit(unlinked, y)
    shortcut = counterfactual_flip_rate(model, unlinked, protected="gender")
    default = CounterfactualAugmenter(protected="gender")
    assert shortcut == counterfactual_flip_rate(model, unlinked, augmenter=default)
    assert 0.3 < shortcut < 0.7
    # protected and augmenter together must name the same columns
    both = counterfactual_flip_rate(
        tutorial_model, X, protected="gender", augmenter=twins()
    )
    assert both == counterfactual_flip_rate(tutorial_model, X, augmenter=twins())
    assert 0.3 < both < 0.7


def test_sample_weight_weights_rows(loans, tutorial_model):
    X, _ = loans
    weights = np.where(X["gender"] == "Male", 1.0, 0.0)
    rate = counterfactual_flip_rate(
        tutorial_model, X, augmenter=twins(), sample_weight=weights
    )
    men = X[X["gender"] == "Male"]
    assert rate == pytest.approx(
        counterfactual_flip_rate(
            tutorial_model,
            men,
            augmenter=twins(values={"gender": ["Female", "Male"]}),
        )
    )


def test_a_fixed_threshold_is_audited_through_fixed_threshold_classifier(
    loans, logistic
):
    X, y = loans
    label_rate = counterfactual_flip_rate(logistic, X, augmenter=twins())
    # the model's own threshold on the probability gives its own labels
    at_half = FixedThresholdClassifier(FrozenEstimator(logistic), threshold=0.5)
    at_half.fit(X, y)
    assert counterfactual_flip_rate(at_half, X, augmenter=twins()) == pytest.approx(
        label_rate
    )
    strict = FixedThresholdClassifier(FrozenEstimator(logistic), threshold=0.99)
    strict.fit(X, y)
    strict_rate = counterfactual_flip_rate(strict, X, augmenter=twins())
    assert strict_rate != label_rate
    # a row flips when its probability and its twin's fall on either side of 0.99
    p = logistic.predict_proba(X)[:, 1]
    flipped = X.assign(
        gender=np.where(X.gender == "Male", "Female", "Male"),
        gender_code=1 - X.gender_code,
    )
    p_twin = logistic.predict_proba(flipped)[:, 1]
    assert strict_rate == pytest.approx(np.mean((p >= 0.99) != (p_twin >= 0.99)))


def test_effect_is_the_mean_change_of_the_probability(loans, logistic):
    X, _ = loans
    effect = counterfactual_effect(logistic, X, augmenter=twins())
    p = logistic.predict_proba(X)[:, 1]
    flipped = X.assign(
        gender=np.where(X.gender == "Male", "Female", "Male"),
        gender_code=1 - X.gender_code,
    )
    expected = np.mean(np.abs(logistic.predict_proba(flipped)[:, 1] - p))
    assert effect == pytest.approx(expected)
    # either class of a binary model gives the same effect
    assert counterfactual_effect(
        logistic, X, augmenter=twins(), pos_label=0
    ) == pytest.approx(expected)
    decision = counterfactual_effect(
        logistic, X, augmenter=twins(), response_method="decision_function"
    )
    d = logistic.decision_function(X)
    assert decision == pytest.approx(
        np.mean(np.abs(logistic.decision_function(flipped) - d))
    )


@pytest.mark.parametrize(
    "entry_point",
    [counterfactual_flip_rate, counterfactual_flip_score, counterfactual_effect],
)
@pytest.mark.parametrize(
    "removed",
    [
        {"threshold": 0.5},
        {"links": LINKS},
        {"values": {"gender": ["Female", "Male"]}},
        {"random_state": 0},
        {"favourable": 1},
    ],
)
def test_removed_parameters_are_refused(loans, tutorial_model, entry_point, removed):
    (name,) = removed
    with pytest.raises(TypeError, match=f"unexpected keyword argument '{name}'"):
        entry_point(tutorial_model, loans[0], protected="gender", **removed)


def test_flip_rate_takes_decisions_from_predict_only(loans, tutorial_model):
    with pytest.raises(
        TypeError, match="unexpected keyword argument 'response_method'"
    ):
        counterfactual_flip_rate(
            tutorial_model, loans[0], augmenter=twins(), response_method="predict_proba"
        )


def test_grid_search_ranks_fairness_next_to_accuracy(loans):
    X, y = loans
    pipe = Pipeline(
        [
            ("select", ColumnTransformer([("keep", "passthrough", ["income"])])),
            ("model", DecisionTreeClassifier(max_depth=3, random_state=0)),
        ]
    )
    grid = {
        "select": [
            ColumnTransformer([("keep", "passthrough", ["gender_code", "income"])]),
            ColumnTransformer([("keep", "passthrough", ["income"])]),
        ],
        "model__max_depth": [3],
    }
    scoring = fairness_scoring(augmenter=twins())
    cv = KFold(3, shuffle=True, random_state=0)
    search = GridSearchCV(
        pipe, grid, scoring=scoring, refit="accuracy", cv=cv, error_score="raise"
    ).fit(X, y)
    results = search.cv_results_
    for key in ("accuracy", "counterfactual_flip", "neg_demographic_parity_difference"):
        assert f"mean_test_{key}" in results
    flip = results["mean_test_counterfactual_flip"]
    assert flip[1] == 1.0  # gender-blind
    assert flip[0] < 0.8  # the tutorial's model on gender and income
    # each fold's value equals a direct call of the scoring function on the fold
    for fold, (train, test) in enumerate(cv.split(X, y)):
        fitted = sklearn.base.clone(pipe).set_params(**results["params"][0])
        fitted.fit(X.iloc[train], y.iloc[train])
        direct = counterfactual_flip_score(fitted, X.iloc[test], augmenter=twins())
        assert results[f"split{fold}_test_counterfactual_flip"][0] == direct
        parity = -demographic_parity_difference(
            y.iloc[test],
            fitted.predict(X.iloc[test]),
            sensitive_features=X.iloc[test]["gender"],
        )
        assert results[f"split{fold}_test_neg_demographic_parity_difference"][
            0
        ] == pytest.approx(parity, abs=1e-12)


def test_randomized_search_and_cross_validate_with_augmented_model(loans):
    X, y = loans
    inner = select(["gender_code", "income"], DecisionTreeClassifier(random_state=0))
    model = CounterfactualAugmentedClassifier(estimator=inner, augmenter=twins())
    scores = cross_validate(
        model,
        X,
        y,
        cv=3,
        scoring=fairness_scoring(augmenter=twins()),
        error_score="raise",
    )
    assert np.all(scores["test_counterfactual_flip"] == 1.0)
    search = RandomizedSearchCV(
        model,
        {"estimator__model__max_depth": [2, 3, 4]},
        n_iter=2,
        random_state=0,
        cv=2,
        scoring=fairness_scoring(augmenter=twins()),
        refit="accuracy",
    ).fit(X, y)
    assert np.all(search.cv_results_["mean_test_counterfactual_flip"] == 1.0)


def _search(n_jobs):
    X, y = make_loan_applicants(n_samples=300, bias=1.0, random_state=1)
    pipe = select(
        ["gender_code", "income", "first_name"],
        DecisionTreeClassifier(random_state=0),
    )
    pipe.set_params(
        select=ColumnTransformer(
            [
                ("keep", "passthrough", ["gender_code", "income"]),
                (
                    "names",
                    OrdinalEncoder(
                        handle_unknown="use_encoded_value", unknown_value=-1
                    ),
                    ["first_name"],
                ),
            ]
        )
    )
    links = {**LINKS, "first_name": "first_name", "title": "title"}
    search = GridSearchCV(
        pipe,
        {"model__max_depth": [2, 4]},
        scoring=fairness_scoring(augmenter=twins(links)),
        refit=False,
        cv=2,
        n_jobs=n_jobs,
        error_score="raise",
    )
    return search.fit(X, y).cv_results_


def test_loky_and_dask_give_the_sequential_results():
    import distributed
    import joblib

    sequential = _search(None)
    loky = _search(2)
    keys = [k for k in sequential if k.startswith(("split", "mean_test"))]
    for key in keys:
        np.testing.assert_array_equal(sequential[key], loky[key])
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
        joblib.parallel_config(backend="dask"),
    ):
        dask = _search(2)
    for key in keys:
        np.testing.assert_array_equal(sequential[key], dask[key])


def test_scorers_pickle_and_have_readable_reprs():
    assert repr(make_counterfactual_flip_scorer(protected="gender")) == (
        "make_counterfactual_flip_scorer(protected='gender')"
    )
    scorer = make_counterfactual_flip_scorer(augmenter=twins())
    assert repr(scorer) == f"make_counterfactual_flip_scorer(augmenter={twins()!r})"
    assert "links={'gender_code': {'Female': 0, 'Male': 1}}" in repr(scorer)
    assert repr(pickle.loads(pickle.dumps(scorer))) == repr(scorer)
    options = make_counterfactual_flip_scorer(
        protected="gender",
        pos_label=1,
        sensitive_features_at_predict=True,
        chunk_size=10,
    )
    assert repr(options) == (
        "make_counterfactual_flip_scorer(protected='gender', pos_label=1, "
        "sensitive_features_at_predict=True, chunk_size=10)"
    )


def test_scorer_returns_the_flip_score(loans, tutorial_model):
    X, _ = loans
    scorer = make_counterfactual_flip_scorer(augmenter=twins())
    assert scorer(tutorial_model, X) == counterfactual_flip_score(
        tutorial_model, X, augmenter=twins()
    )
    weights = np.where(X["gender"] == "Male", 1.0, 0.0)
    assert scorer(
        tutorial_model, X, sample_weight=weights
    ) == counterfactual_flip_score(
        tutorial_model, X, augmenter=twins(), sample_weight=weights
    )


def test_metadata_routing_of_sample_weight_and_sensitive_features(loans):
    X, y = loans
    flip = make_counterfactual_flip_scorer(augmenter=twins())
    with pytest.raises(RuntimeError, match="only available when metadata routing"):
        flip.set_score_request(sample_weight=True)
    with sklearn.config_context(enable_metadata_routing=True):
        flip.set_score_request(sample_weight=True)
        parity = make_parity_scorer(protected="gender").set_score_request(
            sensitive_features=True
        )
        weights = np.where(X["gender"] == "Male", 1.0, 0.0)
        scores = cross_validate(
            select(
                ["gender_code", "income"],
                DecisionTreeClassifier(max_depth=3).set_fit_request(sample_weight=True),
            ),
            X,
            y,
            cv=2,
            scoring={"flip": flip, "parity": parity},
            params={"sample_weight": weights, "sensitive_features": X["country"]},
            error_score="raise",
        )
    # routed sensitive features (country) replace the X column (gender)
    assert np.all(scores["test_parity"] > -0.5)
    assert np.all(np.isfinite(scores["test_flip"]))


def test_errors_are_clear_and_early(loans, tutorial_model):
    X, y = loans
    with pytest.raises(
        ValueError,
        match=re.escape(
            MISSING_COLUMN.format(
                param="protected", column="sex", available=list(X.columns)
            )
        ),
    ):
        counterfactual_flip_rate(tutorial_model, X, protected="sex")
    with pytest.raises(NotFittedError, match="is not fitted"):
        counterfactual_flip_rate(
            DecisionTreeClassifier(), X[["gender_code"]], protected="gender_code"
        )
    svc = select(["gender_code", "income"], LinearSVC()).fit(X, y)
    with pytest.raises(
        ValueError, match=re.escape("but Pipeline has no predict_proba")
    ):
        counterfactual_effect(
            svc, X, protected="gender", response_method="predict_proba"
        )
    with pytest.raises(ValueError, match=re.escape(NO_TWIN_SPECIFICATION)):
        make_counterfactual_flip_scorer()
    with pytest.raises(ValueError, match=re.escape(NO_TWIN_SPECIFICATION)):
        counterfactual_flip_rate(tutorial_model, X)
    with pytest.raises(TypeError, match="unexpected keyword argument 'links'"):
        make_counterfactual_flip_scorer(links=LINKS)
    with pytest.raises(
        TypeError, match="unexpected keyword argument 'response_method'"
    ):
        make_counterfactual_flip_scorer(protected="gender", response_method="proba")
    with pytest.raises(
        ValueError,
        match=re.escape(BAD_SAMPLE_WEIGHT_SHAPE.format(n_samples=600, shape=(2,))),
    ):
        counterfactual_flip_rate(
            tutorial_model, X, protected="gender", sample_weight=[1.0, 2.0]
        )


def test_missing_skip_leaves_rows_without_a_protected_value_out(loans, tutorial_model):
    X, _ = loans
    holed = X.copy()
    holed.loc[holed.index[:10], "gender"] = None
    skipped = counterfactual_flip_rate(
        tutorial_model, holed, augmenter=twins(missing="skip")
    )
    kept = counterfactual_flip_rate(tutorial_model, X.iloc[10:], augmenter=twins())
    assert skipped == pytest.approx(kept)
    scorer = make_counterfactual_flip_scorer(augmenter=twins(missing="skip"))
    assert scorer(tutorial_model, holed) == pytest.approx(1 - kept)


def test_twin_options_are_checked_when_the_augmenter_is_fitted(loans, tutorial_model):
    X, _ = loans
    # the scorer factory does not fit the augmenter: its options are checked
    # when the scorer first fits it, on the rows it scores
    misspelt = make_counterfactual_flip_scorer(
        augmenter=CounterfactualAugmenter(protected="gender", links={"x": "firstname"})
    )
    with pytest.raises(ValueError, match=re.escape("'firstname' is not a generated")):
        misspelt(tutorial_model, X)
    flat = make_counterfactual_flip_scorer(
        augmenter=CounterfactualAugmenter(
            protected=["gender", "country"], links={"gender_code": {"Male": 1}}
        )
    )
    with pytest.raises(ValueError, match="links must be given per protected"):
        flat(tutorial_model, X)
    web = make_counterfactual_flip_scorer(
        augmenter=CounterfactualAugmenter(protected="gender", source="web")
    )
    with pytest.raises(ValueError, match=re.escape("source must be one of")):
        web(tutorial_model, X)
    with pytest.raises(ValueError, match=re.escape("source must be one of")):
        counterfactual_flip_rate(
            tutorial_model,
            X,
            augmenter=CounterfactualAugmenter(protected="gender", source="web"),
        )


def test_scorer_factory_checks_its_own_arguments_at_once(loans, tutorial_model):
    X, _ = loans
    with pytest.raises(TypeError, match="unexpected keyword argument 'threshold'"):
        make_counterfactual_flip_scorer(protected="gender", threshold=0.5)
    with pytest.raises(
        TypeError, match="unexpected keyword argument 'greater_is_better'"
    ):
        make_counterfactual_flip_scorer(protected="gender", greater_is_better=False)
    with pytest.raises(TypeError, match="unexpected keyword argument 'threshold'"):
        counterfactual_effect(tutorial_model, X, protected="gender", threshold=0.3)
    with pytest.raises(
        ValueError,
        match=re.escape(
            PROTECTED_MISMATCH.format(protected="country", augmenter_protected="gender")
        ),
    ):
        make_counterfactual_flip_scorer(protected="country", augmenter=twins())
    with pytest.raises(ValueError, match=re.escape("disagrees with the augmenter")):
        counterfactual_flip_rate(
            tutorial_model, X, protected="country", augmenter=twins()
        )
    with pytest.raises(
        TypeError, match=re.escape(NOT_A_TWIN_MAKER.format(kind="str", value="gender"))
    ):
        make_counterfactual_flip_scorer(augmenter="gender")
    with pytest.raises(
        ValueError,
        match=re.escape(
            NOT_BOOL.format(param="sensitive_features_at_predict", value=1)
        ),
    ):
        make_counterfactual_flip_scorer(
            protected="gender", sensitive_features_at_predict=1
        )
    with pytest.raises(
        ValueError,
        match=re.escape(NOT_POSITIVE_INT.format(param="chunk_size", value=0)),
    ):
        make_counterfactual_flip_scorer(protected="gender", chunk_size=0)
    with pytest.raises(ValueError, match=re.escape("pos_label must be a class label")):
        make_counterfactual_flip_scorer(protected="gender", pos_label=float("nan"))


def test_pos_label_counts_only_moves_into_or_out_of_the_favourable_class():
    X = pd.DataFrame({"g": ["a", "b"] * 30, "v": np.arange(60) % 3})
    y = np.where(X["g"] == "a", X["v"], (X["v"] + 1) % 3)  # three classes
    model = Pipeline(
        [
            (
                "encode",
                ColumnTransformer(
                    [("g", OrdinalEncoder(), ["g"])], remainder="passthrough"
                ),
            ),
            ("tree", DecisionTreeClassifier(random_state=0)),
        ]
    ).fit(X, y)
    any_change = counterfactual_flip_rate(model, X, protected="g")
    assert any_change == 1.0
    # with pos_label, a row flips when it leaves or enters that class
    predicted = model.predict(X)
    twin = model.predict(X.assign(g=np.where(X["g"] == "a", "b", "a")))
    for label in (0, 1, 2):
        expected = np.mean((predicted == label) != (twin == label))
        rate = counterfactual_flip_rate(model, X, protected="g", pos_label=label)
        assert rate == pytest.approx(expected)
        assert rate < any_change
