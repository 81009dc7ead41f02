"""Regressors from the user's side: a credit-limit model audited, scored in a
search and gated on the command line, every number checked by hand or against
Fairlearn, and audits that do not depend on chunks or partitions."""

import json
import re

import numpy as np
import pandas as pd
import pytest
from _models import keep, on_columns
from fairlearn.metrics import MetricFrame, count, mean_prediction
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.metrics import mean_absolute_error, mean_squared_error
from sklearn.model_selection import GridSearchCV
from sklearn.tree import DecisionTreeRegressor

from skcounterfactual import (
    CounterfactualAugmenter,
    audit,
    compare_twins,
    counterfactual_effect,
    counterfactual_flip_rate,
    fairness_scoring,
    leaderboard,
    make_counterfactual_effect_scorer,
    make_counterfactual_flip_scorer,
    make_parity_scorer,
    most_accurate_within,
)
from skcounterfactual._kind import (
    NEEDS_TOLERANCE,
    POS_LABEL_FOR_REGRESSOR,
    SCORES_FOR_REGRESSOR,
    TOLERANCE_FOR_CLASSIFIER,
)
from skcounterfactual._regression import (
    mean_absolute_error_difference,
    mean_prediction_difference,
)
from skcounterfactual._selection import PARITY_FOR_REGRESSOR
from skcounterfactual._tally import NO_TOLERANCE
from skcounterfactual.datasets import make_loan_applicants

# The twins link the gender code alone (the model reads nothing else), so titles
# stay those of the other gender: the incoherence tests/test_coherence.py covers.
pytestmark = pytest.mark.filterwarnings(
    "ignore::skcounterfactual.IncoherentTwinWarning"
)

CODE = {"gender_code": {"Male": 1, "Female": 0}}
# the limit grants men 2,000 more, and 0.3 per unit of income
GAP = 2000.0


@pytest.fixture(scope="module")
def credit():
    """A credit-limit regressor that reads gender_code, and its applicants."""
    X, _ = make_loan_applicants(n_samples=800, bias=0, random_state=3)
    rng = np.random.default_rng(3)
    limit = 0.3 * X["income"] + GAP * X["gender_code"] + rng.normal(0, 500, len(X))
    model = on_columns(["gender_code", "income"], LinearRegression()).fit(X, limit)
    twins = CounterfactualAugmenter(protected="gender", links=CODE).fit(X)
    return X, limit.to_numpy(), model, twins


def tree_limits(X, limit):
    """A tree regressor of the limits: its predictions do not depend on batches."""
    tree = DecisionTreeRegressor(max_depth=6, random_state=0)
    return on_columns(["gender_code", "income"], tree).fit(X, limit)


def by_hand(model, X):
    """Each row's prediction change when its gender code flips."""
    twin = X.assign(
        gender_code=1 - X["gender_code"],
        gender=np.where(X["gender"] == "Male", "Female", "Male"),
    )
    return model.predict(twin) - model.predict(X)


class TestScores:
    def test_flip_rate_needs_a_tolerance_instead_of_returning_one(self, credit):
        X, _, model, twins = credit
        message = NEEDS_TOLERANCE.format(what="The flip rate", name="Pipeline")
        with pytest.raises(ValueError, match=re.escape(message)):
            counterfactual_flip_rate(model, X, augmenter=twins)

    @pytest.mark.parametrize("tolerance", [100.0, 1990.0, 2100.0])
    def test_flip_rate_counts_changes_beyond_the_tolerance(self, credit, tolerance):
        X, _, model, twins = credit
        expected = np.mean(np.abs(by_hand(model, X)) > tolerance)
        got = counterfactual_flip_rate(model, X, augmenter=twins, tolerance=tolerance)
        assert got == pytest.approx(expected)
        assert got in (0.0, 1.0)  # a linear model moves every row alike

    def test_effect_is_the_mean_absolute_change_of_the_prediction(self, credit):
        X, _, model, twins = credit
        expected = np.mean(np.abs(by_hand(model, X)))
        assert expected == pytest.approx(GAP, rel=0.05)
        for method in ("auto", "predict"):
            got = counterfactual_effect(
                model, X, augmenter=twins, response_method=method
            )
            assert got == pytest.approx(expected)

    def test_class_scores_and_labels_are_refused_by_name(self, credit):
        X, limit, model, twins = credit
        message = SCORES_FOR_REGRESSOR.format(method="predict_proba", name="Pipeline")
        with pytest.raises(ValueError, match=re.escape(message)):
            counterfactual_effect(
                model, X, augmenter=twins, response_method="predict_proba"
            )
        message = POS_LABEL_FOR_REGRESSOR.format(pos_label=1, name="Pipeline")
        with pytest.raises(ValueError, match=re.escape(message)):
            counterfactual_flip_rate(model, X, augmenter=twins, pos_label=1)
        classifier = on_columns(["gender_code", "income"], LogisticRegression())
        classifier.fit(X, limit > np.median(limit))
        message = TOLERANCE_FOR_CLASSIFIER.format(tolerance=5.0, name="Pipeline")
        with pytest.raises(ValueError, match=re.escape(message)):
            counterfactual_flip_rate(classifier, X, augmenter=twins, tolerance=5)

    def test_a_model_without_estimator_type_is_told_by_its_output(self, credit):
        X, _, model, twins = credit

        class Limits:  # duck-typed: no scikit-learn tags, no classes_
            def predict(self, X):
                return model.predict(X)

        with pytest.raises(ValueError, match=re.escape("of a regressor needs")):
            counterfactual_flip_rate(Limits(), X, augmenter=twins)
        assert counterfactual_flip_rate(
            Limits(), X, augmenter=twins, tolerance=100
        ) == (1.0)
        assert audit(Limits(), X, augmenter=twins).kind == "regressor"

    def test_parity_scorers_for_regressors_equal_fairlearn(self, credit):
        X, limit, model, _ = credit
        frame = MetricFrame(
            metrics={"mean": mean_prediction, "mae": mean_absolute_error},
            y_true=limit,
            y_pred=model.predict(X),
            sensitive_features=X["gender"],
        )
        gaps = frame.difference(method="between_groups")
        scorer = make_parity_scorer("mean_prediction_difference", protected="gender")
        assert scorer(model, X) == pytest.approx(-gaps["mean"], rel=1e-12)
        scorer = make_parity_scorer(
            "mean_absolute_error_difference", protected="gender"
        )
        assert scorer(model, X, limit) == pytest.approx(-gaps["mae"], rel=1e-12)
        message = PARITY_FOR_REGRESSOR.format(
            metric="demographic_parity_difference", name="Pipeline"
        )
        with pytest.raises(ValueError, match=re.escape(message)):
            make_parity_scorer(protected="gender")(model, X)

    def test_weighted_group_gaps_equal_fairlearn(self, credit):
        X, limit, model, _ = credit
        weights = np.random.default_rng(0).uniform(0, 2, len(X))
        prediction = model.predict(X)
        frame = MetricFrame(
            metrics={"mean": mean_prediction, "mae": mean_absolute_error},
            y_true=limit,
            y_pred=prediction,
            sensitive_features=X["gender"],
            sample_params={
                "mean": {"sample_weight": weights},
                "mae": {"sample_weight": weights},
            },
        )
        gaps = frame.difference(method="between_groups")
        assert mean_prediction_difference(
            None, prediction, sensitive_features=X["gender"], sample_weight=weights
        ) == pytest.approx(gaps["mean"], rel=1e-12)
        assert mean_absolute_error_difference(
            limit, prediction, sensitive_features=X["gender"], sample_weight=weights
        ) == pytest.approx(gaps["mae"], rel=1e-12)


@pytest.fixture(scope="module")
def report(credit):
    """The credit-limit model audited with a tolerance of 1,000."""
    X, limit, model, twins = credit
    return audit(model, X, limit, augmenter=twins, tolerance=1000)


class TestAudit:
    def test_effect_and_flips(self, report, credit):
        X, _, model, _ = credit
        change = by_hand(model, X)
        gender = report.attributes["gender"]
        assert report.kind == "regressor"
        assert report.pos_label is None and report.tolerance == 1000.0
        assert gender.score_change == pytest.approx(np.mean(np.abs(change)))
        assert gender.flip_rate == np.mean(np.abs(change) > 1000) == 1.0
        assert gender.effect_quantiles["median"] == pytest.approx(
            np.median(np.abs(change)), rel=0.005
        )
        assert repr(report).endswith("(gender: flip rate 1.000)>")

    def test_directions_give_signed_changes_and_quantiles(self, report, credit):
        X, _, model, _ = credit
        change = by_hand(model, X)
        direction = report.attributes["gender"].direction.set_index(
            ["source", "target"]
        )
        for source, target, sign in (("Female", "Male", 1), ("Male", "Female", -1)):
            rows = (X["gender"] == source).to_numpy()
            cell = direction.loc[(source, target)]
            assert cell["n_pairs"] == rows.sum()
            assert cell["mean_change"] == pytest.approx(change[rows].mean())
            assert np.sign(cell["mean_change"]) == sign
            assert cell["mean_absolute_change"] == pytest.approx(
                np.abs(change[rows]).mean()
            )
            for column, q in (("change_q05", 5), ("change_q95", 95)):
                exact = np.percentile(change[rows], q, method="inverted_cdf")
                assert cell[column] == pytest.approx(exact, rel=0.005)
            higher = "twin_higher" if sign > 0 else "twin_lower"
            assert cell[higher] == rows.sum()
        comparisons = report.attributes["gender"].comparisons
        assert comparisons["higher"].tolist() == ["Male"]
        assert report.attributes["gender"].asymmetry_p_value < 1e-10

    def test_group_metrics_equal_fairlearn(self, report, credit):
        X, limit, model, _ = credit
        gender = report.attributes["gender"]
        frame = MetricFrame(
            metrics={
                "count": count,
                "mean_prediction": mean_prediction,
                "mean_absolute_error": mean_absolute_error,
                "mean_squared_error": mean_squared_error,
            },
            y_true=limit,
            y_pred=model.predict(X),
            sensitive_features=X["gender"],
        )
        expected = frame.by_group
        got = gender.group_metrics
        assert list(got.columns) == list(expected.columns)
        for column in expected.columns:
            np.testing.assert_allclose(got[column], expected[column], rtol=1e-12)
        gaps = frame.difference(method="between_groups")
        assert gender.mean_prediction_difference == pytest.approx(
            gaps["mean_prediction"], rel=1e-12
        )
        assert gender.error_difference == pytest.approx(
            gaps["mean_absolute_error"], rel=1e-12
        )
        assert gender.demographic_parity_difference is None
        assert "selects nobody" in gender.undefined["demographic_parity_difference"]

    def test_without_a_tolerance_the_effect_is_the_measure(self, credit):
        X, limit, model, twins = credit
        gender = audit(model, X, limit, augmenter=twins).attributes["gender"]
        assert gender.flip_rate is None and gender.flip_rate_interval is None
        assert gender.undefined["flip_rate"] == NO_TOLERANCE
        assert gender.score_change == pytest.approx(GAP, rel=0.05)

    def test_pages_speak_of_predictions(self, report):
        text = report.to_markdown()
        assert "Predictions of a regressor" in text
        assert "a flip is a change larger than 1000" in text
        assert "| mean change | mean \\|change\\| |" in text
        assert "As Male rather than Female, a person gets the higher prediction" in (
            text
        )
        data = json.loads(report.to_json())
        assert data["kind"] == "regressor" and data["tolerance"] == 1000.0
        assert data["attributes"]["gender"]["effect_quantiles"]["q95"] > 1900

    @pytest.mark.parametrize("chunk_size", [1, 97])
    def test_chunk_independent_to_the_last_bit(self, credit, chunk_size):
        # a tree predicts the same bits whatever the batch (a linear model's
        # BLAS products may not: the audit itself adds no dependence)
        X, limit, _, twins = credit
        model = tree_limits(X, limit)
        weights = np.random.default_rng(1).uniform(0, 2, len(X))
        whole = audit(
            model, X, limit, augmenter=twins, tolerance=1000, sample_weight=weights
        )
        chunked = audit(
            model,
            X,
            limit,
            augmenter=twins,
            tolerance=1000,
            sample_weight=weights,
            chunk_size=chunk_size,
        )
        assert json.dumps(chunked.to_dict(), sort_keys=True) == json.dumps(
            whole.to_dict(), sort_keys=True
        )

    def test_dask_audit_equals_pandas(self, credit):
        dd = pytest.importorskip("dask.dataframe")
        X, limit, _, twins = credit
        model = tree_limits(X, limit)
        expected = audit(model, X, limit, augmenter=twins, tolerance=1000)
        got = audit(
            model,
            dd.from_pandas(X, npartitions=3),
            dd.from_pandas(pd.Series(limit, index=X.index), npartitions=3),
            augmenter=twins,
            tolerance=1000,
            chunk_size=101,
        )
        assert json.dumps(got.to_dict(), sort_keys=True) == json.dumps(
            expected.to_dict(), sort_keys=True
        )


class TestSearch:
    def test_a_regression_search_ranks_on_the_effect(self, credit):
        X, limit, _, twins = credit
        search = GridSearchCV(
            on_columns(["gender_code", "income"], Ridge()),
            {"select": [keep("gender_code", "income"), keep("income")]},
            scoring=fairness_scoring(augmenter=twins, tolerance=500),
            refit=most_accurate_within(max_effect=100, accuracy_key="accuracy"),
            cv=3,
            error_score="raise",
        ).fit(X, limit)
        results = search.cv_results_
        assert sorted(k for k in results if k.startswith("mean_test_")) == [
            "mean_test_accuracy",
            "mean_test_counterfactual_flip",
            "mean_test_neg_counterfactual_effect",
            "mean_test_neg_mean_prediction_difference",
        ]
        effect = -results["mean_test_neg_counterfactual_effect"]
        assert effect[0] == pytest.approx(GAP, rel=0.05) and effect[1] == 0.0
        assert search.best_index_ == 1  # the only candidate within the effect
        board = leaderboard(search, parity_key="neg_mean_prediction_difference")
        np.testing.assert_allclose(board.sort_index()["effect_mean"], effect)
        assert board.loc[1, "refit"] and not board.loc[0, "refit"]
        assert search.score(X, limit) == pytest.approx(
            search.best_estimator_.score(X, limit)
        )

    def test_the_effect_scorer_is_negated(self, credit):
        X, _, model, twins = credit
        scorer = make_counterfactual_effect_scorer(augmenter=twins)
        assert scorer(model, X) == pytest.approx(
            -counterfactual_effect(model, X, augmenter=twins)
        )
        flip = make_counterfactual_flip_scorer(augmenter=twins, tolerance=100)
        shown = " ".join(repr(flip).split())
        assert shown.startswith("make_counterfactual_flip_scorer(augmenter=")
        assert shown.endswith("protected='gender'), tolerance=100.0)")
        assert flip(model, X) == 0.0


def test_compare_twins_needs_a_tolerance_for_a_regressor(credit):
    X, _, model, twins = credit
    message = NEEDS_TOLERANCE.format(what="The flip rate", name="Pipeline")
    with pytest.raises(ValueError, match=re.escape(message)):
        compare_twins(model, X, augmenters={"twins": twins})
    table = compare_twins(model, X, augmenters={"twins": twins}, tolerance=1000)
    assert table["flip_rate"].iloc[0] == 1.0
