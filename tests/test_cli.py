"""The command line, run as a user runs it: subprocesses on real files."""

import json
import pickle
import subprocess
import sys

import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.tree import DecisionTreeClassifier

from skcounterfactual.datasets import make_loan_applicants

skops_io = pytest.importorskip("skops.io")


def run(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "skcounterfactual.cli", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


def one_line_error(result):
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 2, result.stderr
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli")
    X, y = make_loan_applicants(800, bias=1.0, random_state=0)
    biased = Pipeline(
        [
            (
                "select",
                ColumnTransformer([("keep", "passthrough", ["gender_code", "income"])]),
            ),
            ("tree", DecisionTreeClassifier(max_depth=3, random_state=0)),
        ]
    ).fit(X, y)
    blind = Pipeline(
        [
            ("select", ColumnTransformer([("keep", "passthrough", ["income"])])),
            ("tree", DecisionTreeClassifier(max_depth=3, random_state=0)),
        ]
    ).fit(X, y)
    skops_io.dump(biased, folder / "biased.skops")
    skops_io.dump(blind, folder / "blind.skops")
    with open(folder / "biased.pkl", "wb") as handle:
        pickle.dump(biased, handle)
    (folder / "corrupt.skops").write_bytes(b"not a zip file")
    audit_X, _ = make_loan_applicants(300, bias=1.0, random_state=1)
    audit_X.to_csv(folder / "applicants.csv", index=False)
    audit_X.to_parquet(folder / "applicants.parquet", index=False)
    return folder


def trust_args(path):
    return [
        arg for t in skops_io.get_untrusted_types(file=path) for arg in ("--trust", t)
    ]


GATE = ["--protected", "gender", "--link", "gender_code=Male:1,Female:0"]


def test_version_and_help():
    result = run("--version")
    assert result.returncode == 0 and result.stdout.startswith("skcounterfactual 0.")
    for command in ("demo", "audit", "profiles"):
        result = run(command, "--help")
        assert result.returncode == 0
        assert "example:" in result.stdout


def test_audit_passes_a_gender_blind_model_and_writes_json(files, tmp_path):
    model = files / "blind.skops"
    result = run(
        "audit",
        "--model",
        model,
        "--data",
        files / "applicants.parquet",
        *GATE,
        *trust_args(model),
        "--max-flip-rate",
        "0.01",
        "--json",
        tmp_path / "result.json",
        "--report",
        tmp_path / "report.html",
    )
    assert result.returncode == 0, result.stderr
    assert "PASS" in result.stdout
    payload = json.loads((tmp_path / "result.json").read_text())
    assert payload["attributes"]["gender"]["flip_rate"] == 0.0
    assert payload["bounds"]["passed"] is True
    assert (tmp_path / "report.html").read_text().startswith("<!DOCTYPE html>")


def test_audit_fails_a_biased_model_and_says_by_how_much(files, tmp_path):
    model = files / "biased.skops"
    result = run(
        "audit",
        "--model",
        model,
        "--data",
        files / "applicants.csv",
        *GATE,
        *trust_args(model),
        "--max-flip-rate",
        "0.05",
        "--json",
        tmp_path / "result.json",
    )
    assert result.returncode == 1, result.stderr
    assert "FAIL: gender: flip rate" in result.stdout
    assert "exceeds --max-flip-rate 0.05 by" in result.stdout
    payload = json.loads((tmp_path / "result.json").read_text())
    assert payload["attributes"]["gender"]["flip_rate"] > 0.3
    assert payload["bounds"]["passed"] is False


def test_pickles_are_refused_without_the_flag(files):
    args = [
        "audit",
        "--model",
        files / "biased.pkl",
        "--data",
        files / "applicants.csv",
    ]
    line = one_line_error(run(*args, *GATE))
    assert "is a pickle; loading a pickle can run arbitrary code" in line
    allowed = run(*args, *GATE, "--allow-pickle")
    assert allowed.returncode == 0
    assert "warning: loading the pickle" in allowed.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["--model", "missing.skops", "--data", "applicants.csv"], "no such file"),
        (["--model", "corrupt.skops", "--data", "applicants.csv"], "is not a readable"),
        (["--model", "blind.skops", "--data", "nowhere.csv"], "no such file"),
    ],
)
def test_input_errors_are_one_line_with_exit_code_2(files, args, message):
    result = run("audit", *args, *GATE, cwd=files)
    assert message in one_line_error(result)


def test_wrong_column_and_untrusted_types(files):
    model = files / "blind.skops"
    result = run(
        "audit", "--model", model, "--data", files / "applicants.csv",
        "--protected", "sex", *trust_args(model),
    )  # fmt: skip
    assert "--protected 'sex' is not a column" in one_line_error(result)
    if skops_io.get_untrusted_types(file=model):
        result = run(
            "audit", "--model", model, "--data", files / "applicants.csv", *GATE
        )
        assert "types that are not trusted" in one_line_error(result)


def test_non_numeric_bound_is_a_usage_error(files):
    result = run(
        "audit", "--model", files / "blind.skops", "--data", files / "applicants.csv",
        *GATE, "--max-flip-rate", "low",
    )  # fmt: skip
    assert "expected a number between 0 and 1, got 'low'" in one_line_error(result)


def test_existing_output_is_not_overwritten(files, tmp_path):
    target = tmp_path / "result.json"
    target.write_text("keep me")
    model = files / "blind.skops"
    result = run(
        "audit", "--model", model, "--data", files / "applicants.csv", *GATE,
        *trust_args(model), "--json", target,
    )  # fmt: skip
    assert "already exists; pass --overwrite" in one_line_error(result)
    assert target.read_text() == "keep me"


def test_profiles_writes_a_balanced_audit_set(tmp_path):
    schema = {
        "id": "applicant_id",
        "protected": {"gender": ["Male", "Female"]},
        "columns": {"income": {"low": 40000, "high": 70000}},
        "links": {"gender_code": {"Male": 1, "Female": 0}, "title": "title"},
    }
    (tmp_path / "schema.json").write_text(json.dumps(schema))
    out = tmp_path / "profiles.csv"
    result = run(
        "profiles", "--schema", tmp_path / "schema.json", "--n-profiles", 5,
        "--output", out,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    frame = pd.read_csv(out)
    assert len(frame) == 10
    assert frame.groupby("applicant_id")["gender"].apply(sorted).map(
        tuple
    ).unique().tolist() == [("Female", "Male")]
    assert (frame.groupby("applicant_id")["income"].nunique() == 1).all()
    assert set(frame.loc[frame.gender == "Female", "title"]) <= {
        "Mrs.",
        "Ms.",
        "Madam",
        "Miss",
    }
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    result = run("profiles", "--schema", bad, "--output", tmp_path / "x.csv")
    assert "is not valid JSON" in one_line_error(result)


@pytest.mark.slow
def test_demo_runs_end_to_end(tmp_path):
    result = run("demo", "--n-samples", 800, "--output-dir", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "The tutorial's clones" in out
    assert "Approved" in out and "Denied" in out
    assert "Leaderboard" in out
    assert "Chosen (most accurate with flip rate <= 1%)" in out
    assert (tmp_path / "out" / "report.html").exists()
    # a second run does not overwrite the first report
    again = run("demo", "--n-samples", 400, "--output-dir", tmp_path / "out")
    assert again.returncode == 0
    assert (tmp_path / "out" / "report-2.html").exists()


def test_progress_is_silent_when_stderr_is_not_a_terminal(files, tmp_path):
    model = files / "blind.skops"
    result = run(
        "audit", "--model", model, "--data", files / "applicants.csv", *GATE,
        *trust_args(model),
    )  # fmt: skip
    assert result.returncode == 0
    assert result.stderr == ""


def test_progress_bar_draws_rows_done(capsys):
    from skcounterfactual.cli import _Bar

    bar = _Bar("auditing", enabled=True)
    bar(50, 200)
    bar(200, 200)
    err = capsys.readouterr().err
    assert "[#######-----------------------]  25% (50/200 rows)" in err
    assert err.endswith("100% (200/200 rows)\n")
    _Bar("auditing", enabled=False)(1, 2)
    assert capsys.readouterr().err == ""
