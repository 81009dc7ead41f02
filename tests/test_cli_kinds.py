"""The command line for every kind of model: a regressor gated on its effect
(and on flips beyond a tolerance), a classifier audited at a threshold with
``--threshold`` as the documentation wraps it, a multiclass model with
``--pos-label``, and bounds that cannot be checked refused by name."""

import json

import numpy as np
import pytest
from _models import on_columns
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import FixedThresholdClassifier
from sklearn.tree import DecisionTreeClassifier

from skcounterfactual import CounterfactualAugmenter, audit, cli
from skcounterfactual.datasets import make_loan_applicants

skops_io = pytest.importorskip("skops.io")
# the twins link the gender code alone (the models read nothing else)
pytestmark = pytest.mark.filterwarnings(
    "ignore::skcounterfactual.IncoherentTwinWarning"
)
GATE = ["--protected", "gender", "--link", "gender_code=Male:1,Female:0"]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kinds")
    X, y = make_loan_applicants(600, bias=1.0, random_state=4)
    limit = 0.3 * X["income"] + 2000 * X["gender_code"]
    columns = ["gender_code", "income"]
    models = {
        "limits": on_columns(columns, LinearRegression()).fit(X, limit),
        "scores": on_columns(columns, LogisticRegression(max_iter=1000)).fit(X, y),
        "grades": on_columns(
            columns, DecisionTreeClassifier(max_depth=3, random_state=0)
        ).fit(
            X, np.select([X["income"] > 90_000, X["income"] < 50_000], ["A", "C"], "B")
        ),
    }
    for name, model in models.items():
        skops_io.dump(model, folder / f"{name}.skops")
    X.to_csv(folder / "applicants.csv", index=False)
    return folder, X, y, models


def gate(capsys, folder, model, *options):
    path = folder / f"{model}.skops"
    trust = [
        arg for t in skops_io.get_untrusted_types(file=path) for arg in ("--trust", t)
    ]
    code = cli.main(
        [
            "audit",
            "--model",
            str(path),
            "--data",
            str(folder / "applicants.csv"),
            *GATE,
            *trust,
            *map(str, options),
        ]
    )
    out, err = capsys.readouterr()
    return code, out, err


def test_a_regressor_is_gated_on_its_effect(files, capsys, tmp_path):
    folder, *_ = files
    code, out, _ = gate(capsys, folder, "limits", "--max-effect", 100)
    assert code == 1
    assert "FAIL: gender: effect (mean absolute change) 2000 exceeds --max-effect" in (
        out
    )
    result = tmp_path / "result.json"
    code, out, _ = gate(
        capsys, folder, "limits", "--max-effect", 2500, "--json", result
    )
    assert code == 0 and "PASS" in out
    data = json.loads(result.read_text())
    assert data["kind"] == "regressor"
    assert data["bounds"]["max_effect"] == 2500
    assert data["attributes"]["gender"]["score_change"] == pytest.approx(2000)


def test_a_regressor_flip_bound_needs_a_tolerance(files, capsys):
    folder, *_ = files
    code, _, err = gate(capsys, folder, "limits", "--max-flip-rate", 0.1)
    assert code == 2
    assert (
        "--max-flip-rate cannot be checked for 'gender': flip_rate is undefined" in err
    )
    assert "Pass --tolerance" in err
    code, out, _ = gate(
        capsys, folder, "limits", "--tolerance", 500, "--max-flip-rate", 0.1
    )
    assert code == 1
    assert "FAIL: gender: flip rate 1.0000 exceeds --max-flip-rate 0.1" in out
    code, _, _ = gate(
        capsys, folder, "limits", "--tolerance", 2500, "--max-flip-rate", 0.1
    )
    assert code == 0


def test_threshold_wraps_the_model_as_the_documentation_does(files, capsys, tmp_path):
    folder, X, y, models = files
    result = tmp_path / "threshold.json"
    code, _, _ = gate(capsys, folder, "scores", "--threshold", 0.8, "--json", result)
    assert code == 0
    wrapped = FixedThresholdClassifier(
        FrozenEstimator(models["scores"]), threshold=0.8
    ).fit(X, y)
    twins = CounterfactualAugmenter(
        protected="gender",
        links={"gender_code": {"Male": 1, "Female": 0}},
        random_state=0,
    )
    expected = audit(wrapped, X, augmenter=twins).attributes["gender"]
    got = json.loads(result.read_text())["attributes"]["gender"]
    assert got["flip_rate"] == expected.flip_rate
    plain = audit(models["scores"], X, augmenter=twins).attributes["gender"]
    assert plain.flip_rate != expected.flip_rate  # the threshold matters here


def test_threshold_needs_a_binary_classifier(files, capsys):
    folder, *_ = files
    for model in ("limits", "grades"):
        code, _, err = gate(capsys, folder, model, "--threshold", 0.5)
        assert code == 2
        assert "--threshold 0.5 needs a binary classifier" in err


def test_a_multiclass_model_with_and_without_pos_label(files, capsys, tmp_path):
    folder, *_ = files
    code, out, _ = gate(capsys, folder, "grades")
    assert code == 0
    assert "NOTE: gender: no favourable class (--pos-label)" in out
    result = tmp_path / "grades.json"
    code, out, _ = gate(
        capsys,
        folder,
        "grades",
        "--pos-label",
        "A",
        "--max-parity-difference",
        1,
        "--json",
        result,
    )
    assert code == 0 and "NOTE" not in out
    data = json.loads(result.read_text())
    assert data["pos_label"] == "A"
    assert data["attributes"]["gender"]["demographic_parity_difference"] is not None
