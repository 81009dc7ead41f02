"""The command line: the installed entry point in a subprocess, and every
command run in this process (``cli.main``) on real files.
"""

import contextlib
import io
import json
import pickle
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import skops.io as skops_io
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.tree import DecisionTreeClassifier

from skcounterfactual import _cli_io, cli
from skcounterfactual._render import FIGURES_MISSING
from skcounterfactual.datasets import make_loan_applicants


def run(*args, cwd=None):
    """Run the command as a user does: ``python -m skcounterfactual.cli``."""
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


def test_version_and_help(capsys):
    result = run("--version")
    assert result.returncode == 0 and result.stdout.startswith("skcounterfactual 0.")
    for command in ("demo", "audit", "profiles"):
        code, out, _ = in_process(capsys, command, "--help")
        assert code == 0
        assert "example:" in out


def test_audit_passes_a_gender_blind_model_and_writes_json(files, tmp_path, capsys):
    model = files / "blind.skops"
    code, out, err = in_process(
        capsys,
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
    assert code == 0, err
    assert "PASS" in out
    payload = json.loads((tmp_path / "result.json").read_text())
    assert payload["attributes"]["gender"]["flip_rate"] == 0.0
    assert payload["bounds"]["passed"] is True
    assert (tmp_path / "report.html").read_text().startswith("<!DOCTYPE html>")


def test_audit_fails_a_biased_model_and_says_by_how_much(files, tmp_path):
    # the CI gate as a user runs it: its own process, exit code 1
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


def test_pickles_are_refused_without_the_flag(files, capsys):
    args = [
        "audit",
        "--model",
        files / "biased.pkl",
        "--data",
        files / "applicants.csv",
    ]
    code, _, err = in_process(capsys, *args, *GATE)
    line = one_line(code, err)
    assert "is a pickle; loading a pickle can run arbitrary code" in line
    code, _, err = in_process(capsys, *args, *GATE, "--allow-pickle")
    assert code == 0, err
    assert "warning: loading the pickle" in err


@pytest.mark.parametrize(
    "args, message",
    [
        (["--model", "missing.skops", "--data", "applicants.csv"], "no such file"),
        (["--model", "corrupt.skops", "--data", "applicants.csv"], "is not a readable"),
        (["--model", "blind.skops", "--data", "nowhere.csv"], "no such file"),
    ],
)
def test_input_errors_are_one_line_with_exit_code_2(
    files, args, message, capsys, monkeypatch
):
    monkeypatch.chdir(files)
    code, _, err = in_process(capsys, "audit", *args, *GATE)
    assert message in one_line(code, err)


def test_wrong_column_and_untrusted_types(files, capsys):
    model = files / "blind.skops"
    code, _, err = in_process(
        capsys, "audit", "--model", model, "--data", files / "applicants.csv",
        "--protected", "sex", *trust_args(model),
    )  # fmt: skip
    assert "--protected 'sex' is not a column" in one_line(code, err)
    if skops_io.get_untrusted_types(file=model):
        code, _, err = in_process(
            capsys, "audit", "--model", model, "--data", files / "applicants.csv",
            *GATE,
        )  # fmt: skip
        assert "types that are not trusted" in one_line(code, err)


def test_non_numeric_bound_is_a_usage_error(files, capsys):
    code, _, err = in_process(
        capsys, "audit", "--model", files / "blind.skops", "--data",
        files / "applicants.csv", *GATE, "--max-flip-rate", "low",
    )  # fmt: skip
    assert "expected a number between 0 and 1, got 'low'" in one_line(code, err)


def test_existing_output_is_not_overwritten(files, tmp_path, capsys):
    target = tmp_path / "result.json"
    target.write_text("keep me")
    model = files / "blind.skops"
    code, _, err = in_process(
        capsys, "audit", "--model", model, "--data", files / "applicants.csv", *GATE,
        *trust_args(model), "--json", target,
    )  # fmt: skip
    assert "already exists; pass --overwrite" in one_line(code, err)
    assert target.read_text() == "keep me"


def test_profiles_writes_a_balanced_audit_set(tmp_path, capsys):
    schema = {
        "id": "applicant_id",
        "protected": {"gender": ["Male", "Female"]},
        "columns": {"income": {"low": 40000, "high": 70000}},
        "links": {"gender_code": {"Male": 1, "Female": 0}, "title": "title"},
    }
    (tmp_path / "schema.json").write_text(json.dumps(schema))
    out = tmp_path / "profiles.csv"
    code, _, err = in_process(
        capsys, "profiles", "--schema", tmp_path / "schema.json", "--n-profiles", 5,
        "--output", out,
    )  # fmt: skip
    assert code == 0, err
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
    code, _, err = in_process(
        capsys, "profiles", "--schema", bad, "--output", tmp_path / "x.csv"
    )
    assert "is not valid JSON" in one_line(code, err)


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    """One run of ``skcounterfactual demo`` in this process, output captured.

    Returns the exit code, stdout, stderr, the output folder and what
    ``demo()`` returned (search, leaderboard, audit report).
    """
    from skcounterfactual import _demo

    folder = tmp_path_factory.mktemp("demo") / "out"
    returned = []

    def recording_demo(**kwargs):
        returned.append(real_demo(**kwargs))
        return returned[-1]

    real_demo = _demo.demo
    out, err = io.StringIO(), io.StringIO()
    with (
        pytest.MonkeyPatch.context() as patch,
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        patch.setattr(_demo, "demo", recording_demo)
        code = cli.main(["demo", "--n-samples", "800", "--output-dir", str(folder)])
    return code, out.getvalue(), err.getvalue(), folder, returned[0]


@pytest.mark.slow
def test_demo_runs_end_to_end(demo_run, monkeypatch, capsys):
    code, out, err, folder, _ = demo_run
    assert code == 0, err
    assert "The tutorial's clones" in out
    assert "Approved" in out and "Denied" in out
    assert "Leaderboard" in out
    assert "Chosen (most accurate with flip rate <= 1%)" in out
    assert (folder / "report.html").exists()
    assert FIGURES_MISSING not in out
    steps = [line for line in err.splitlines() if line.startswith("[")]
    assert [line.split("]")[0] + "]" for line in steps] == [
        f"[{i}/5]" for i in range(1, 6)
    ]
    # a second run does not overwrite the first report (the demo itself is
    # the one above; here only the command's choice of a free file name)
    written = []

    def demo(report_path, **kwargs):
        written.append(report_path)
        report_path.write_text("second")

    monkeypatch.setattr("skcounterfactual._demo.demo", demo)
    again, _, err = in_process(
        capsys, "demo", "--n-samples", 400, "--output-dir", folder
    )
    assert again == 0, err
    assert written == [folder / "report-2.html"]
    assert (folder / "report-2.html").exists()
    assert (folder / "report.html").read_text().startswith("<!DOCTYPE html>")


def test_progress_is_silent_when_stderr_is_not_a_terminal(files, capsys):
    model = files / "blind.skops"
    code, _, err = in_process(
        capsys, "audit", "--model", model, "--data", files / "applicants.csv", *GATE,
        *trust_args(model),
    )  # fmt: skip
    assert code == 0
    assert err == ""


def test_progress_bar_draws_rows_done(capsys):
    bar = _cli_io._Bar("auditing", enabled=True)
    bar(50, 200)
    bar(200, 200)
    err = capsys.readouterr().err
    assert "[#######-----------------------]  25% (50/200 rows)" in err
    assert err.endswith("100% (200/200 rows)\n")
    _cli_io._Bar("auditing", enabled=False)(1, 2)
    assert capsys.readouterr().err == ""


def audit_json(files, tmp_path, capsys, model, *extra):
    out = tmp_path / f"{model}-{len(list(tmp_path.iterdir()))}.json"
    path = files / f"{model}.skops"
    code, _, err = in_process(
        capsys, "audit", "--model", path, "--data", files / "applicants.csv", *GATE,
        *trust_args(path), "--json", out, *extra,
    )  # fmt: skip
    assert code == 0, err
    return json.loads(out.read_text())


def test_pos_label_reaches_the_audit(files, tmp_path, capsys):
    default = audit_json(files, tmp_path, capsys, "blind")
    zero = audit_json(files, tmp_path, capsys, "blind", "--pos-label", "0")
    assert default["pos_label"] == 1 and zero["pos_label"] == 0
    rates = {
        g["group"]: g["selection_rate"]
        for g in zero["attributes"]["gender"]["group_metrics"]
    }
    for group in default["attributes"]["gender"]["group_metrics"]:
        assert rates[group["group"]] == pytest.approx(1 - group["selection_rate"])
    worded = audit_json(files, tmp_path, capsys, "worded", "--pos-label", "approved")
    assert worded["pos_label"] == "approved"
    assert worded["attributes"]["gender"]["flip_rate"] == 0.0


def test_pos_label_that_is_not_a_class_is_a_usage_error(files, capsys):
    path = files / "worded.skops"
    code, _, err = in_process(
        capsys, "audit", "--model", path, "--data", files / "applicants.csv", *GATE,
        *trust_args(path), "--pos-label", "1",
    )  # fmt: skip
    line = one_line(code, err)
    assert "pos_label=1 is not a class of the estimator" in line
    assert "['approved', 'denied']" in line


def test_string_labels_without_pos_label_leave_parity_undefined(files, capsys):
    path = files / "worded.skops"
    code, out, _ = in_process(
        capsys, "audit", "--model", path, "--data", files / "applicants.csv", *GATE,
        *trust_args(path),
    )  # fmt: skip
    assert code == 0
    assert "NOTE: gender: no favourable class (--pos-label)" in out
    # a parity bound cannot be checked without a favourable class
    code, _, err = in_process(
        capsys, "audit", "--model", path, "--data", files / "applicants.csv", *GATE,
        *trust_args(path), "--max-parity-difference", "0.1",
    )  # fmt: skip
    line = one_line(code, err)
    assert "--max-parity-difference cannot be checked for 'gender'" in line
    assert "favourable class is unknown" in line
    assert "['approved', 'denied']" in line
    assert "Pass --pos-label" in line


def test_the_former_favourable_flag_is_refused(files, capsys):
    path = files / "blind.skops"
    code, _, err = in_process(
        capsys, "audit", "--model", path, "--data", files / "applicants.csv", *GATE,
        *trust_args(path), "--favourable", "1",
    )  # fmt: skip
    assert "unrecognized arguments: --favourable 1" in one_line(code, err)


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
def test_pos_label_is_read_as_int_then_float_then_text(text, classes, expected):
    value = _cli_io._label(text, classes)
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
    assert "--pos-label LABEL" in text
    assert "--favourable" not in text


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
def test_demo_prints_what_it_promises(demo_run):
    from skcounterfactual._demo import n_steps

    code, out, err, folder, (search, _, _) = demo_run
    steps = [line for line in err.splitlines() if line.startswith("[")]
    assert len(steps) == n_steps(folder / "report.html") == 5
    assert n_steps(None) == 4
    header = next(line for line in out.splitlines() if "accuracy_mean" in line)
    assert header.split() == [
        "candidate",
        "accuracy_mean",
        "accuracy_std",
        "flip_rate_mean",
        "flip_rate_std",
        "parity_difference_mean",
        "parity_difference_std",
        "pareto",
        "refit",
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
def test_demo_without_matplotlib_writes_a_page_without_figures(
    tmp_path, monkeypatch, capsys
):
    for name in list(sys.modules):
        if name == "matplotlib" or name.startswith("matplotlib."):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    code, out, err = in_process(
        capsys, "demo", "--n-samples", "400", "--output-dir", tmp_path
    )
    assert code == 0, err
    assert FIGURES_MISSING in out
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "data:image/png" not in page
    assert "skcounterfactual[plot]" in page
