import re

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skcounterfactual import (
    CounterfactualAugmenter,
    fairness_scoring,
    leaderboard,
    plot_pareto,
)
from skcounterfactual._leaderboard import pareto_front
from skcounterfactual.datasets import load_german_credit

SEX_COLUMNS = ["sex", "status_sex"]
# status_sex mixes sex and marital status; a twin translates its own value.
STATUS_SEX = {
    "female": {
        "male : single": "female : single",
        "male : married/widowed": "female : divorced/separated/married",
        "male : divorced/separated": "female : divorced/separated/married",
    },
    "male": {
        "female : divorced/separated/married": "male : married/widowed",
        "female : single": "male : single",
    },
}
BOARD_COLUMNS = [
    "model__C",
    "prep__sex",
    "accuracy_mean",
    "accuracy_std",
    "flip_rate_mean",
    "flip_rate_std",
    "parity_difference_mean",
    "parity_difference_std",
    "rank",
    "pareto",
    "refit",
]


def one_hot():
    return OneHotEncoder(handle_unknown="ignore")


@pytest.fixture(scope="module")
def search():
    X, y = load_german_credit(return_X_y=True)
    prep = ColumnTransformer(
        [
            ("sex", one_hot(), SEX_COLUMNS),
            ("cat", one_hot(), ["status", "credit_history", "savings"]),
            ("num", StandardScaler(), ["duration", "credit_amount", "age"]),
        ]
    )
    pipe = Pipeline([("prep", prep), ("model", LogisticRegression())])
    grid = {"prep__sex": [one_hot(), "drop"], "model__C": [0.01, 0.1, 1.0]}
    return GridSearchCV(
        pipe,
        grid,
        cv=3,
        scoring=fairness_scoring(
            augmenter=CounterfactualAugmenter(
                protected="sex", links={"status_sex": STATUS_SEX}
            )
        ),
        refit=False,
        error_score="raise",
    ).fit(X, y)


@pytest.fixture(scope="module")
def board(search):
    return leaderboard(search)


def brute_force_front(points):
    front = []
    for i, p in enumerate(points):
        dominated = any(
            all(q >= p) and any(q > p) for j, q in enumerate(points) if j != i
        )
        front.append(not dominated)
    return front


class TestGermanCredit:
    def test_columns_and_readable_parameters(self, board):
        assert list(board.columns) == BOARD_COLUMNS
        assert board.index.name == "candidate"
        assert sorted(board.index) == list(range(6))
        assert set(board["prep__sex"]) == {"OneHotEncoder", "drop"}
        assert set(board["model__C"]) == {0.01, 0.1, 1.0}

    def test_values_come_from_cv_results(self, board, search):
        results = search.cv_results_
        board = board.sort_index()
        np.testing.assert_allclose(
            board["accuracy_mean"], results["mean_test_accuracy"]
        )
        np.testing.assert_allclose(board["accuracy_std"], results["std_test_accuracy"])
        np.testing.assert_allclose(
            board["flip_rate_mean"], 1 - results["mean_test_counterfactual_flip"]
        )
        np.testing.assert_allclose(
            board["parity_difference_mean"],
            -results["mean_test_neg_demographic_parity_difference"],
        )
        assert (board["parity_difference_mean"] >= 0).all()
        assert board["rank"].tolist() == results["rank_test_accuracy"].tolist()

    def test_sorted_by_rank(self, board):
        assert board["rank"].is_monotonic_increasing
        assert board["accuracy_mean"].is_monotonic_decreasing

    def test_without_the_sex_columns_nothing_flips(self, board):
        blind = board[board["prep__sex"] == "drop"]
        assert len(blind) == 3
        assert (blind["flip_rate_mean"] == 0.0).all()
        assert (blind["flip_rate_std"] == 0.0).all()
        sighted = board[board["prep__sex"] == "OneHotEncoder"]
        assert (sighted["flip_rate_mean"] > 0.0).all()

    def test_pareto_front_by_brute_force(self, board):
        points = board[
            ["accuracy_mean", "flip_rate_mean", "parity_difference_mean"]
        ].to_numpy()
        points[:, 1:] *= -1  # the front maximises every score
        assert board["pareto"].tolist() == brute_force_front(points)
        assert board["pareto"].any()
        # the most accurate candidate is never dominated
        assert board["pareto"].iloc[0]

    def test_front_without_parity(self, search):
        board = leaderboard(search, parity_key=None)
        assert "parity_difference_mean" not in board.columns
        points = board[["accuracy_mean", "flip_rate_mean"]].to_numpy()
        points[:, 1] *= -1
        assert board["pareto"].tolist() == brute_force_front(points)

    def test_missing_key_names_the_available_ones(self, search):
        message = (
            "flip_key='flip' is not a scoring key of the search: cv_results_ has no "
            "'mean_test_flip'. Scoring keys available: ['accuracy', "
            "'counterfactual_flip', 'neg_demographic_parity_difference']."
        )
        with pytest.raises(ValueError, match=re.escape(message)):
            leaderboard(search, flip_key="flip")

    def test_plot_pareto(self, board):
        import matplotlib

        matplotlib.use("Agg")
        ax = plot_pareto(board)
        markers = {c.get_label(): c.lines[0] for c in ax.containers}
        dominated, front = markers["dominated"], markers["Pareto front"]
        front_line = ax.lines[-1]
        front_scores = board.loc[board["pareto"], "flip_rate_mean"]
        other_scores = board.loc[~board["pareto"], "flip_rate_mean"]
        assert sorted(front.get_xdata()) == sorted(front_scores)
        assert sorted(dominated.get_xdata()) == sorted(other_scores)
        assert list(front_line.get_xdata()) == sorted(front.get_xdata(), reverse=True)
        points = board.loc[board["pareto"], ["flip_rate_mean", "accuracy_mean"]]
        expected = points.reset_index().groupby(
            ["flip_rate_mean", "accuracy_mean"], sort=False
        )["candidate"]
        assert [t.get_text() for t in ax.texts] == [
            ", ".join(map(str, group)) for _, group in expected
        ]
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert labels == ["dominated", "Pareto front"]
        assert ax.get_ylabel() == "accuracy"
        matplotlib.pyplot.close("all")

    def test_plot_pareto_takes_the_search(self, search, board):
        import matplotlib

        matplotlib.use("Agg")
        from_board, from_search = plot_pareto(board), plot_pareto(search)
        from_results = plot_pareto(search.cv_results_)
        texts = [t.get_text() for t in from_board.texts]
        assert texts and [t.get_text() for t in from_search.texts] == texts
        assert [t.get_text() for t in from_results.texts] == texts
        for ax in (from_board, from_search):
            assert sorted(ax.containers[1].lines[0].get_xdata()) == sorted(
                board.loc[board["pareto"], "flip_rate_mean"]
            )
        matplotlib.pyplot.close("all")


def test_plot_pareto_without_parity_scores():
    import matplotlib

    matplotlib.use("Agg")
    results = {
        "params": [{"C": 0.1}, {"C": 1.0}],
        "mean_test_accuracy": [0.7, 0.8],
        "std_test_accuracy": [0.01, 0.02],
        "mean_test_counterfactual_flip": [0.9, 0.6],
        "std_test_counterfactual_flip": [0.0, 0.1],
    }
    ax = plot_pareto(results)
    assert [t.get_text() for t in ax.texts] == ["1", "0"]
    matplotlib.pyplot.close("all")


def test_plot_pareto_labels_tied_candidates_once():
    import matplotlib

    matplotlib.use("Agg")
    board = pd.DataFrame(
        {
            "accuracy_mean": [0.8, 0.7, 0.8, 0.6, 0.8],
            "accuracy_std": [0.01] * 5,
            "flip_rate_mean": [0.4, 0.1, 0.4, 0.2, 0.4],
            "flip_rate_std": [0.02] * 5,
            "pareto": [True, True, True, False, True],
        },
        index=pd.Index([4, 7, 2, 0, 9], name="candidate"),
    )
    ax = plot_pareto(board)
    assert [t.get_text() for t in ax.texts] == ["4, 2, 9", "7"]
    assert [t.xy for t in ax.texts] == [(0.4, 0.8), (0.1, 0.7)]
    matplotlib.pyplot.close("all")


def test_not_a_search():
    with pytest.raises(ValueError, match=re.escape("got LogisticRegression without")):
        leaderboard(LogisticRegression())


def test_single_metric_search():
    results = {
        "params": [{"C": 1}, {"C": 2}],
        "mean_test_score": [0.7, 0.8],
        "std_test_score": [0.1, 0.1],
    }
    with pytest.raises(
        ValueError, match=re.escape("Scoring keys available: ['score']")
    ):
        leaderboard(results)


def test_ambiguous_estimators_are_spelled_out():
    results = {
        "params": [
            {"model": LogisticRegression(C=0.1)},
            {"model": LogisticRegression(C=1.0)},
        ],
        "mean_test_accuracy": [0.7, 0.8],
        "mean_test_counterfactual_flip": [1.0, 0.9],
    }
    board = leaderboard(results, parity_key=None).sort_index()
    assert board["model"].tolist() == [
        "LogisticRegression(C=0.1)",
        "LogisticRegression()",
    ]
    assert board["accuracy_std"].isna().all()


def test_long_estimator_parameters_stay_distinguishable():
    # the README's grid: two ColumnTransformers that differ past 60 characters
    columns = (["gender_code", "income"], ["income"])
    selects = [ColumnTransformer([("keep", "passthrough", c)]) for c in columns]
    params = [
        {"select": select, "tree__max_depth": depth}
        for select in selects
        for depth in (2, 3, 5)
    ]
    results = {
        "params": params,
        "mean_test_accuracy": np.linspace(0.7, 0.8, 6),
        "mean_test_counterfactual_flip": np.linspace(1.0, 0.5, 6),
    }
    board = leaderboard(results, parity_key=None).sort_index()
    both = (
        "ColumnTransformer(transformers=[('keep', 'passthrough', "
        "['gender_code', 'income'])])"
    )
    income = "ColumnTransformer(transformers=[('keep', 'passthrough', ['income'])])"
    assert board["select"].tolist() == [both] * 3 + [income] * 3
    assert board["tree__max_depth"].tolist() == [2, 3, 5] * 2


def test_short_reprs_are_cut_when_that_is_enough():
    results = {
        "params": [
            {"model": LogisticRegression(C=c, max_iter=500, tol=1e-6)}
            for c in (0.1, 10.0)
        ],
        "mean_test_accuracy": [0.7, 0.8],
        "mean_test_counterfactual_flip": [1.0, 0.9],
    }
    board = leaderboard(results, parity_key=None).sort_index()
    assert board["model"].tolist() == [
        "LogisticRegression(C=0.1, max_iter=500, tol=1e-06)",
        "LogisticRegression(C=10.0, max_iter=500, tol=1e-06)",
    ]


def test_unhashable_parameter_values():
    results = {
        "params": [{"class_weight": {0: 1, 1: 2}}, {"class_weight": None}],
        "mean_test_accuracy": [0.7, 0.8],
        "mean_test_counterfactual_flip": [1.0, 0.9],
    }
    board = leaderboard(results, parity_key=None).sort_index()
    assert board["class_weight"].tolist() == [{0: 1, 1: 2}, None]


def test_an_all_nan_score_is_left_out_of_the_front():
    results = {
        "params": [{"C": 0.1}, {"C": 1.0}, {"C": 10.0}],
        "mean_test_accuracy": [0.70, 0.75, 0.74],
        "mean_test_counterfactual_flip": [0.95, 0.90, 0.85],
        "mean_test_neg_demographic_parity_difference": [np.nan] * 3,
    }
    board = leaderboard(results).sort_index()
    assert board["pareto"].tolist() == [True, True, False]
    assert board.attrs["pareto_metrics"] == ["accuracy_mean", "flip_rate_mean"]
    assert board["parity_difference_mean"].isna().all()
    without = leaderboard(results, parity_key=None)
    assert without.attrs["pareto_metrics"] == ["accuracy_mean", "flip_rate_mean"]
    assert without.sort_index()["pareto"].tolist() == [True, True, False]
    # a NaN in some candidates only still keeps those candidates off the front
    partial = dict(results)
    partial["mean_test_neg_demographic_parity_difference"] = [np.nan, -0.2, -0.1]
    board = leaderboard(partial).sort_index()
    assert board["pareto"].tolist() == [False, True, True]
    assert board.attrs["pareto_metrics"] == [
        "accuracy_mean",
        "flip_rate_mean",
        "parity_difference_mean",
    ]


def test_no_score_measured_puts_nobody_on_the_front():
    results = {
        "params": [{"C": 0.1}, {"C": 1.0}],
        "mean_test_accuracy": [np.nan, np.nan],
        "mean_test_counterfactual_flip": [np.nan, np.nan],
    }
    board = leaderboard(results, parity_key=None)
    assert board["pareto"].tolist() == [False, False]
    assert board.attrs["pareto_metrics"] == []
    assert board["rank"].tolist() == [1, 1]


@pytest.mark.parametrize(
    "points, expected",
    [
        ([[1, 1], [1, 1]], [True, True]),  # ties dominate nothing
        ([[1, 0], [0, 1], [0.5, 0.5]], [True, True, True]),
        ([[1, 1], [0, 0], [np.nan, 2]], [True, False, False]),
        ([[0.9, 0.5, 0.2], [0.9, 0.5, 0.1], [0.8, 0.9, 0.0]], [True, False, True]),
    ],
)
def test_pareto_front(points, expected):
    assert pareto_front(np.array(points, dtype=float)).tolist() == expected
