"""The command line, run as a user runs it: subprocesses on real files."""

import json
import pickle
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.tree import DecisionTreeClassifier

from skcounterfactual import cli
from skcounterfactual._render import FIGURES_MISSING
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
    worded = Pipeline(
        [
            ("select", ColumnTransformer([("keep", "passthrough", ["income"])])),
            ("tree", DecisionTreeClassifier(max_depth=3, random_state=0)),
        ]
    ).fit(X, y.map({1: "approved", 0: "denied"}))
    skops_io.dump(worded, folder / "worded.skops")
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


def in_process(capsys, *args):
    """Run the command in this process: exit code, stdout and stderr."""
    try:
        code = cli.main([str(a) for a in args])
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def one_line(code, err):
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2, err
    assert len(lines) == 1, err
    return lines[0]


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
    assert FIGURES_MISSING not in out
    steps = [line for line in result.stderr.splitlines() if line.startswith("[")]
    assert [line.split("]")[0] + "]" for line in steps] == [
        f"[{i}/5]" for i in range(1, 6)
    ]
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


def audit_json(files, tmp_path, model, *extra):
    out = tmp_path / f"{model}-{len(list(tmp_path.iterdir()))}.json"
    path = files / f"{model}.skops"
    result = run(
        "audit", "--model", path, "--data", files / "applicants.csv", *GATE,
        *trust_args(path), "--json", out, *extra,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(out.read_text())


def test_favourable_label_reaches_the_audit(files, tmp_path):
    default = audit_json(files, tmp_path, "blind")
    zero = audit_json(files, tmp_path, "blind", "--favourable", "0")
    assert default["favourable"] == 1 and zero["favourable"] == 0
    rates = {
        g["group"]: g["selection_rate"]
        for g in zero["attributes"]["gender"]["group_metrics"]
    }
    for group in default["attributes"]["gender"]["group_metrics"]:
        assert rates[group["group"]] == pytest.approx(1 - group["selection_rate"])
    worded = audit_json(files, tmp_path, "worded", "--favourable", "approved")
    assert worded["favourable"] == "approved"
    assert worded["attributes"]["gender"]["flip_rate"] == 0.0


def test_favourable_that_is_not_a_class_is_a_usage_error(files):
    path = files / "worded.skops"
    result = run(
        "audit", "--model", path, "--data", files / "applicants.csv", *GATE,
        *trust_args(path), "--favourable", "1",
    )  # fmt: skip
    line = one_line_error(result)
    assert "favourable=1 is not a class of the estimator" in line
    assert "['approved', 'denied']" in line


@pytest.mark.parametrize(
    "text, classes, expected",
    [
        ("1", np.array([0, 1]), 1),
        ("1", np.array([0.0, 1.0]), 1),
        ("0.5", np.array([0.5, 1.5]), 0.5),
        ("1", np.array(["0", "1"]), "1"),
        ("yes", np.array(["no", "yes"]), "yes"),
        ("2", None, 2),
        ("2.5", None, 2.5),
        ("yes", None, "yes"),
    ],
)
def test_favourable_is_read_as_int_then_float_then_text(text, classes, expected):
    value = cli._label(text, classes)
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize("value", ["-5", "abc", "0", "2.5", "99"])
def test_demo_n_samples_must_be_a_whole_number_of_at_least_100(capsys, value):
    code, _, err = in_process(capsys, "demo", "--n-samples", value)
    assert one_line(code, err) == (
        "skcounterfactual demo: error: argument --n-samples: expected a whole "
        "number of at least 100 (the demo's 3-fold search needs both genders in "
        f"every fold), got {value!r} (see skcounterfactual demo --help)"
    )


def test_audit_help_explains_trust(capsys):
    code, out, _ = in_process(capsys, "audit", "--help")
    assert code == 0
    text = " ".join(out.split())
    assert "--trust TYPE" in text
    assert "--trust sklearn.tree._tree.Tree" in text
    assert cli.TRUST_HELP in text
    assert "--favourable LABEL" in text


@pytest.mark.parametrize(
    "error, message",
    [
        (
            ModuleNotFoundError("No module named 'matplotlib'", name="matplotlib"),
            "the demo needs matplotlib, which is not installed: pip install "
            '"skcounterfactual[plot]".',
        ),
        (
            ModuleNotFoundError("No module named 'mimesis.x'", name="mimesis.x"),
            "the demo needs mimesis, which is not installed: pip install mimesis.",
        ),
        (
            ImportError("cannot import name 'f' from 'g'"),
            "the demo could not import a package it needs (cannot import name 'f' "
            "from 'g').",
        ),
    ],
)
def test_demo_missing_package_is_one_line(
    capsys, monkeypatch, tmp_path, error, message
):
    def demo(**kwargs):
        raise error

    monkeypatch.setattr("skcounterfactual._demo.demo", demo)
    code, _, err = in_process(capsys, "demo", "--output-dir", tmp_path)
    assert one_line(code, err) == f"skcounterfactual demo: error: {message}"


def test_demo_output_dir_that_is_a_file(capsys, tmp_path):
    (tmp_path / "taken").write_text("")
    code, _, err = in_process(capsys, "demo", "--output-dir", tmp_path / "taken")
    assert "--output-dir" in one_line(code, err)
    assert "cannot be created" in err


@pytest.mark.slow
def test_demo_prints_what_it_promises(capsys, tmp_path):
    from skcounterfactual._demo import demo, n_steps

    steps = []
    search, board, _ = demo(
        n_samples=600, report_path=tmp_path / "r.html", progress=steps.append
    )
    out = capsys.readouterr().out
    assert len(steps) == n_steps(tmp_path / "r.html") == 5
    assert n_steps(None) == 4
    header = next(line for line in out.splitlines() if "accuracy_mean" in line)
    assert header.split() == [
        "candidate",
        "accuracy_mean",
        "accuracy_std",
        "flip_score_mean",
        "flip_score_std",
        "parity_difference_mean",
        "parity_difference_std",
        "pareto",
    ]
    chosen = out.split("Audit of the chosen model:")[1]
    model = search.best_estimator_.named_steps["model"]
    title = re.search(r"# Counterfactual audit of (.*)", chosen).group(1)
    assert title != "Pipeline(Pipeline)"
    assert title.startswith(type(model).__name__)
    # labels of the fresh applicants reach both audits: equalized odds is defined
    assert out.count("| true positive rate | false positive rate |") == 2
    summary = [line for line in out.splitlines() if line.startswith("| gender | 1,000")]
    assert len(summary) == 2
    assert all(line.split("|")[-3].strip() != "\u2014" for line in summary)


@pytest.mark.slow
def test_demo_without_matplotlib_writes_a_page_without_figures(tmp_path):
    args = ["demo", "--n-samples", "400", "--output-dir", str(tmp_path)]
    script = (
        "import sys; sys.modules['matplotlib'] = None; "
        f"from skcounterfactual.cli import main; sys.exit(main({args!r}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert FIGURES_MISSING in result.stdout
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "data:image/png" not in page
    assert "skcounterfactual[plot]" in page
