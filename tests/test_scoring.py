import pickle
import re

import numpy as np
import pytest
import sklearn
from fairlearn.metrics import (
    demographic_parity_difference,
    demographic_parity_ratio,
    equalized_odds_difference,
)
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import (
    GridSearchCV,
    KFold,
    RandomizedSearchCV,
    cross_validate,
)
from sklearn.pipeline import Pipeline
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
    most_accurate_within,
)
from skcounterfactual._validation import MISSING_COLUMN
from skcounterfactual.datasets import make_loan_applicants

LINKS = {"gender_code": {"Male": 1, "Female": 0}}


def select(columns, estimator):
    """A pipeline that takes whole applicant rows and uses only ``columns``."""
    return Pipeline(
        [
            ("select", ColumnTransformer([("keep", "passthrough", columns)])),
            ("model", estimator),
        ]
    )


@pytest.fixture(scope="module")
def loans():
    X, y = make_loan_applicants(n_samples=600, bias=1.0, random_state=0)
    return X, y


@pytest.fixture(scope="module")
def tutorial_model(loans):
    X, y = loans
    return select(
        ["gender_code", "income"], DecisionTreeClassifier(max_depth=3, random_state=0)
    ).fit(X, y)


def test_flip_rate_of_the_tutorial_model_matches_its_own_rule(loans, tutorial_model):
    X, _ = loans
    rate = counterfactual_flip_rate(tutorial_model, X, protected="gender", links=LINKS)
    # the tree approves every man and women above its income threshold, so a row
    # flips exactly when the woman's version would be denied
    women = X.assign(gender="Female", gender_code=0)
    men = X.assign(gender="Male", gender_code=1)
    expected = np.mean(tutorial_model.predict(women) != tutorial_model.predict(men))
    assert rate == pytest.approx(expected)
    assert 0.3 < rate < 0.7
    score = counterfactual_flip_score(
        tutorial_model, X, protected="gender", links=LINKS
    )
    assert score == pytest.approx(1 - rate)


def test_gender_blind_model_never_flips(loans):
    X, y = loans
    blind = select(["income"], DecisionTreeClassifier(max_depth=3)).fit(X, y)
    assert counterfactual_flip_score(blind, X, protected="gender", links=LINKS) == 1.0


def test_without_the_mirror_link_the_model_sees_no_change(loans, tutorial_model):
    # a twin that changes "gender" but keeps gender_code=1 is not a twin at all:
    # the links matter
    X, _ = loans
    with pytest.warns(UnlinkedMirrorWarning, match="'gender_code' mirrors"):
        rate = counterfactual_flip_rate(tutorial_model, X, protected="gender")
    assert rate == 0.0


def test_sample_weight_weights_rows(loans, tutorial_model):
    X, _ = loans
    weights = np.where(X["gender"] == "Male", 1.0, 0.0)
    rate = counterfactual_flip_rate(
        tutorial_model, X, protected="gender", links=LINKS, sample_weight=weights
    )
    men = X[X["gender"] == "Male"]
    assert rate == pytest.approx(
        counterfactual_flip_rate(
            tutorial_model,
            men,
            protected="gender",
            links=LINKS,
            values={"gender": ["Female", "Male"]},
        )
    )


def test_probability_mode_thresholds_and_effect(loans):
    X, y = loans
    model = select(["gender_code", "income"], LogisticRegression(max_iter=1000))
    model.fit(X, y)
    proba_rate = counterfactual_flip_rate(
        model, X, protected="gender", links=LINKS, response_method="predict_proba"
    )
    label_rate = counterfactual_flip_rate(model, X, protected="gender", links=LINKS)
    assert proba_rate == pytest.approx(label_rate)
    strict = counterfactual_flip_rate(
        model,
        X,
        protected="gender",
        links=LINKS,
        response_method="predict_proba",
        threshold=0.99,
    )
    assert strict != proba_rate
    effect = counterfactual_effect(model, X, protected="gender", links=LINKS)
    p = model.predict_proba(X)[:, 1]
    flipped = X.assign(
        gender=np.where(X.gender == "Male", "Female", "Male"),
        gender_code=1 - X.gender_code,
    )
    expected = np.mean(np.abs(model.predict_proba(flipped)[:, 1] - p))
    assert effect == pytest.approx(expected)


def test_result_does_not_depend_on_chunk_size(loans):
    X, y = loans
    model = select(["first_name", "income"], DecisionTreeClassifier(random_state=0))
    model = Pipeline(
        [
            (
                "select",
                ColumnTransformer(
                    [
                        (
                            "names",
                            sklearn.preprocessing.OrdinalEncoder(
                                handle_unknown="use_encoded_value", unknown_value=-1
                            ),
                            ["first_name"],
                        ),
                        ("income", "passthrough", ["income"]),
                    ]
                ),
            ),
            ("model", DecisionTreeClassifier(random_state=0)),
        ]
    ).fit(X, y)
    options = {"protected": "gender", "links": {**LINKS, "first_name": "first_name"}}
    whole = counterfactual_flip_rate(model, X, **options)
    chunked = counterfactual_flip_rate(model, X, chunk_size=37, **options)
    assert whole == chunked
    assert whole > 0


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
    scoring = fairness_scoring(protected="gender", links=LINKS)
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
        direct = counterfactual_flip_score(
            fitted, X.iloc[test], protected="gender", links=LINKS
        )
        assert results[f"split{fold}_test_counterfactual_flip"][0] == direct
        parity = -demographic_parity_difference(
            y.iloc[test],
            fitted.predict(X.iloc[test]),
            sensitive_features=X.iloc[test]["gender"],
        )
        assert results[f"split{fold}_test_neg_demographic_parity_difference"][
            0
        ] == pytest.approx(parity, abs=1e-12)


def test_refit_helper_picks_the_most_accurate_fair_candidate(loans):
    X, y = loans
    pipe = select(["gender_code", "income"], DecisionTreeClassifier(random_state=0))
    grid = {
        "select": [
            ColumnTransformer([("keep", "passthrough", ["gender_code", "income"])]),
            ColumnTransformer([("keep", "passthrough", ["income"])]),
        ]
    }
    search = GridSearchCV(
        pipe,
        grid,
        scoring=fairness_scoring(protected="gender", links=LINKS),
        refit=most_accurate_within(max_flip_rate=0.05),
        cv=3,
    ).fit(X, y)
    assert search.best_index_ == 1
    assert (
        search.cv_results_["mean_test_accuracy"][0]
        > search.cv_results_["mean_test_accuracy"][1]
    )
    impossible = most_accurate_within(max_flip_rate=0.0)
    with pytest.raises(
        ValueError, match=re.escape("No candidate meets flip rate <= 0.0")
    ):
        impossible(
            {
                "mean_test_accuracy": np.array([0.9]),
                "mean_test_counterfactual_flip": np.array([0.5]),
            }
        )


def test_randomized_search_and_cross_validate_with_augmented_model(loans):
    X, y = loans
    inner = select(["gender_code", "income"], DecisionTreeClassifier(random_state=0))
    model = CounterfactualAugmentedClassifier(
        estimator=inner,
        augmenter=CounterfactualAugmenter(protected="gender", links=LINKS),
    )
    scores = cross_validate(
        model,
        X,
        y,
        cv=3,
        scoring=fairness_scoring(protected="gender", links=LINKS),
        error_score="raise",
    )
    assert np.all(scores["test_counterfactual_flip"] == 1.0)
    search = RandomizedSearchCV(
        model,
        {"estimator__model__max_depth": [2, 3, 4]},
        n_iter=2,
        random_state=0,
        cv=2,
        scoring=fairness_scoring(protected="gender", links=LINKS),
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
                    sklearn.preprocessing.OrdinalEncoder(
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
        scoring=fairness_scoring(protected="gender", links=links),
        refit=False,
        cv=2,
        n_jobs=n_jobs,
        error_score="raise",
    )
    return search.fit(X, y).cv_results_


def test_loky_and_dask_give_the_sequential_results():
    joblib = pytest.importorskip("joblib")
    distributed = pytest.importorskip("distributed")
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


@pytest.mark.parametrize(
    "metric, fairlearn_metric, sign",
    [
        ("demographic_parity_difference", demographic_parity_difference, -1),
        ("demographic_parity_ratio", demographic_parity_ratio, 1),
        ("equalized_odds_difference", equalized_odds_difference, -1),
    ],
)
def test_parity_scorers_equal_fairlearn(
    loans, tutorial_model, metric, fairlearn_metric, sign
):
    X, y = loans
    scorer = make_parity_scorer(metric, protected="gender")
    expected = sign * fairlearn_metric(
        y, tutorial_model.predict(X), sensitive_features=X["gender"]
    )
    assert scorer(tutorial_model, X, y) == pytest.approx(expected, abs=1e-12)


def test_scorers_pickle_and_have_readable_reprs():
    scorer = make_counterfactual_flip_scorer(protected="gender", links=LINKS)
    assert repr(scorer) == (
        "make_counterfactual_flip_scorer(protected='gender', "
        "links={'gender_code': {'Male': 1, 'Female': 0}}, random_state=0)"
    )
    assert repr(pickle.loads(pickle.dumps(scorer))) == repr(scorer)
    parity = make_parity_scorer(protected="gender")
    assert repr(parity) == (
        "make_parity_scorer('demographic_parity_difference', protected='gender')"
    )


def test_metadata_routing_of_sample_weight_and_sensitive_features(
    loans, tutorial_model
):
    X, y = loans
    flip = make_counterfactual_flip_scorer(protected="gender", links=LINKS)
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


def test_threshold_optimizer_gets_sensitive_features_at_predict():
    from fairlearn.postprocessing import ThresholdOptimizer

    X, y = make_loan_applicants(n_samples=600, bias=0.5, noise=0.1, random_state=0)
    base = select(["income"], LogisticRegression(max_iter=1000))
    optimizer = ThresholdOptimizer(
        estimator=base,
        constraints="demographic_parity",
        predict_method="predict_proba",
    ).fit(X, y, sensitive_features=X["gender"])
    with pytest.raises(TypeError, match="sensitive_features"):
        counterfactual_flip_rate(optimizer, X, protected="gender", links=LINKS)
    rate = counterfactual_flip_rate(
        optimizer,
        X,
        protected="gender",
        links=LINKS,
        sensitive_features_at_predict=True,
    )
    # group thresholds differ by gender, so decisions do change for some twins
    assert 0 < rate < 1


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
        counterfactual_flip_rate(
            svc, X, protected="gender", response_method="predict_proba"
        )
    with pytest.raises(ValueError, match="protected is required"):
        make_counterfactual_flip_scorer(links=LINKS)
    with pytest.raises(ValueError, match=re.escape("source must be one of")):
        make_counterfactual_flip_scorer(protected="gender", source="web")
    with pytest.raises(ValueError, match=re.escape("response_method must be one of")):
        make_counterfactual_flip_scorer(protected="gender", response_method="proba")
    with pytest.raises(ValueError, match=re.escape("metric must be one of")):
        make_parity_scorer("parity", protected="gender")
    with pytest.raises(ValueError, match=re.escape("sample_weight must be 1-D")):
        counterfactual_flip_rate(
            tutorial_model, X, protected="gender", sample_weight=[1.0, 2.0]
        )


def test_arrays_give_the_same_result_in_any_chunk_size():
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.integers(0, 4, 400), rng.integers(0, 100, 400)]).astype(
        float
    )
    y = ((X[:, 0] >= 2) | (X[:, 1] > 50)).astype(int)
    model = DecisionTreeClassifier(random_state=0).fit(X, y)
    rates = {
        size: counterfactual_flip_rate(
            model, X, protected=0, n_twins=1, chunk_size=size
        )
        for size in (400, 7, 64)
    }
    assert len(set(rates.values())) == 1
    assert rates[400] > 0


def test_string_labels_give_parity_for_the_positive_class(loans):
    X, y = loans
    labels = np.where(y == 1, "approved", "denied")
    model = select(["gender_code", "income"], DecisionTreeClassifier(max_depth=3))
    numeric = -demographic_parity_difference(
        y, model.fit(X, y).predict(X), sensitive_features=X["gender"]
    )
    model.fit(X, labels)
    # classes_ are ["approved", "denied"]: name the favourable one
    scorer = make_parity_scorer(protected="gender", pos_label="approved")
    assert scorer(model, X, labels) == pytest.approx(numeric, abs=1e-12)
    search = GridSearchCV(
        model,
        {"model__max_depth": [2, 3]},
        scoring=fairness_scoring(protected="gender", links=LINKS, pos_label="approved"),
        refit="accuracy",
        cv=2,
        error_score="raise",
    ).fit(X, labels)
    parity = search.cv_results_["mean_test_neg_demographic_parity_difference"]
    assert np.all(np.isfinite(parity)) and np.all(parity < -0.3)


def test_missing_skip_leaves_rows_without_a_protected_value_out(loans, tutorial_model):
    X, _ = loans
    holed = X.copy()
    holed.loc[holed.index[:10], "gender"] = None
    skipped = counterfactual_flip_rate(
        tutorial_model, holed, protected="gender", links=LINKS, missing="skip"
    )
    kept = counterfactual_flip_rate(
        tutorial_model, X.iloc[10:], protected="gender", links=LINKS
    )
    assert skipped == pytest.approx(kept)
    scorer = make_counterfactual_flip_scorer(
        protected="gender", links=LINKS, missing="skip"
    )
    assert scorer(tutorial_model, holed) == pytest.approx(1 - kept)


def test_options_are_checked_when_the_scorer_is_made(loans, tutorial_model):
    X, _ = loans
    with pytest.raises(ValueError, match=re.escape("'firstname' is not a generated")):
        make_counterfactual_flip_scorer(protected="gender", links={"x": "firstname"})
    with pytest.raises(ValueError, match="links must be given per protected"):
        make_counterfactual_flip_scorer(
            protected=["gender", "country"], links={"gender_code": {"Male": 1}}
        )
    with pytest.raises(ValueError, match=re.escape("threshold needs response_method")):
        make_counterfactual_flip_scorer(protected="gender", threshold=0.5)
    with pytest.raises(TypeError, match="takes no threshold"):
        counterfactual_effect(tutorial_model, X, protected="gender", threshold=0.3)
    with pytest.raises(ValueError, match=re.escape("disagrees with the augmenter")):
        counterfactual_flip_rate(
            tutorial_model,
            X,
            protected="country",
            augmenter=CounterfactualAugmenter(protected="gender", links=LINKS),
        )


def test_refit_explains_an_all_nan_metric():
    refit = most_accurate_within(max_parity_difference=0.1)
    with pytest.raises(ValueError, match=re.escape("error_score='raise'")):
        refit(
            {
                "mean_test_accuracy": np.array([0.9, 0.8]),
                "mean_test_neg_demographic_parity_difference": np.array([np.nan] * 2),
            }
        )
