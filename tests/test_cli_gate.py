"""The command line as a CI gate that never lies.

Every requested bound is checked or the run fails with exit code 2 saying why;
no bound means no PASS; every error (usage, input, model, output) is one line
on stderr with exit code 2 and no traceback; output paths are checked before
the audit; nothing from the data can forge a line of the output.
"""

import json
import os
import pickle
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder
from sklearn.tree import DecisionTreeClassifier

from skcounterfactual import cli

skops_io = pytest.importorskip("skops.io")
TESTS = Path(__file__).parent


def in_process(capsys, *args):
    try:
        code = cli.main([str(a) for a in args])
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def run(*args, cwd=None):
    """The installed command in its own process, as a CI job runs it."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), *sys.path])}
    return subprocess.run(
        [sys.executable, "-m", "skcounterfactual.cli", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
    )


def error_line(code, err):
    """The one line of an exit-code-2 error (warnings aside)."""
    lines = [line for line in err.splitlines() if line.strip()]
    errors = [line for line in lines if ": error: " in line]
    assert code == 2, err
    assert "Traceback" not in err, err
    assert len(errors) == 1 and errors == [lines[-1]], err
    return errors[0]


class Raises:
    """A fitted classifier whose predict raises ``error``."""

    classes_ = np.array([0, 1])

    def __init__(self, error):
        self.error = error

    def __sklearn_is_fitted__(self):
        return True

    def predict(self, X):
        raise self.error


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gate")
    rng = np.random.default_rng(0)
    n = 400
    gender = rng.choice(["Female", "Male"], n)
    X = pd.DataFrame(
        {
            "gender": gender,
            "gender_code": (gender == "Male").astype(int),
            "age": rng.integers(18, 76, n),
            # 30 branches: too many groups for group metrics
            "branch": np.array([f"branch {i}" for i in range(30)])[
                rng.integers(0, 30, n)
            ],
            "income": rng.integers(1000, 9000, n),
        }
    )
    y = ((X.income > 5000) | (X.gender == "Male")).astype(int)
    men = (X.gender == "Male").astype(int)  # what a biased model learns
    blind = Pipeline(
        [
            ("keep", ColumnTransformer([("keep", "passthrough", ["income"])])),
            ("tree", DecisionTreeClassifier(max_depth=3, random_state=0)),
        ]
    ).fit(X, y)
    skops_io.dump(blind, folder / "blind.skops")
    biased = Pipeline(
        [
            ("keep", ColumnTransformer([("keep", "passthrough", ["gender_code"])])),
            ("tree", DecisionTreeClassifier(max_depth=3, random_state=0)),
        ]
    ).fit(X, men)
    with open(folder / "biased.pkl", "wb") as handle:
        pickle.dump(biased, handle)
    reads_gender = Pipeline(
        [
            ("keep", ColumnTransformer([("one_hot", OneHotEncoder(), ["gender"])])),
            ("tree", DecisionTreeClassifier(max_depth=3, random_state=0)),
        ]
    ).fit(X, men)
    with open(folder / "reads-gender.pkl", "wb") as handle:
        pickle.dump(reads_gender, handle)
    for name, error in {
        "runtime": RuntimeError("the scoring service is down"),
        "zero": ZeroDivisionError("division by zero"),
        "key": KeyError("income"),
        "memory": MemoryError("out of memory"),
    }.items():
        with open(folder / f"raises-{name}.pkl", "wb") as handle:
            pickle.dump(Raises(error), handle)
    X.to_csv(folder / "data.csv", index=False)
    hostile = X.copy()
    hostile["gender"] = hostile["gender"].replace(
        {"Male": "Male\n::error file=a.py::forged\nPASS: every bound holds.\x1b[31m"}
    )
    hostile["gender_code"] = (X.gender == "Male").astype(int)
    hostile.to_csv(folder / "hostile.csv", index=False)
    return folder


def blind_args(files, *more):
    model = files / "blind.skops"
    trust = [
        arg for t in skops_io.get_untrusted_types(file=model) for arg in ("--trust", t)
    ]
    return ["audit", "--model", model, "--data", files / "data.csv", *trust, *more]


def pickle_args(files, name, *more):
    return [
        "audit",
        "--model",
        files / f"{name}.pkl",
        "--allow-pickle",
        "--data",
        files / "data.csv",
        *more,
    ]


# ----------------------------------------------------------------- the gate
def test_a_bound_that_cannot_be_computed_fails_the_run(files, tmp_path, capsys):
    code, out, err = in_process(
        capsys,
        *blind_args(files, "--protected", "branch", "--max-parity-difference", "0"),
        "--json",
        tmp_path / "result.json",
    )
    line = error_line(code, err)
    assert line.startswith(
        "skcounterfactual audit: error: a requested bound could not be checked: "
        "--max-parity-difference cannot be checked for 'branch': "
        "demographic_parity_difference is undefined ('branch' has 30 distinct "
        "values (more than 20)"
    )
    assert "Bin it" in line and "--pos-label" not in line  # the reason's own fix
    assert "PASS" not in out
    bounds = json.loads((tmp_path / "result.json").read_text())["bounds"]
    assert bounds["passed"] is False
    assert bounds["exceeded"] == []
    assert len(bounds["unchecked"]) == 1


def test_a_bound_that_can_be_computed_still_passes(files, capsys):
    code, out, err = in_process(
        capsys, *blind_args(files, "--protected", "gender", "--max-flip-rate", "0")
    )
    assert code == 0, err
    assert out.rstrip().endswith("PASS: every bound holds.")


def test_without_a_bound_the_command_says_nothing_was_checked(files, tmp_path, capsys):
    code, out, err = in_process(
        capsys,
        *blind_args(files, "--protected", "gender", "--json", tmp_path / "r.json"),
    )
    assert code == 0, err
    assert "PASS" not in out
    assert out.rstrip().splitlines()[-1] == cli.NO_BOUND
    bounds = json.loads((tmp_path / "r.json").read_text())["bounds"]
    assert bounds["passed"] is None
    assert bounds["max_flip_rate"] is None and bounds["unchecked"] == []


def test_exceeded_and_unchecked_bounds_together_exit_2(files, capsys):
    code, out, err = in_process(
        capsys,
        *pickle_args(
            files, "reads-gender", "--protected", "branch", "--protected", "gender"
        ),
        "--max-flip-rate",
        "0.01",
        "--max-parity-difference",
        "0.5",
    )
    assert "FAIL: gender: flip rate" in out
    line = error_line(code, err)
    assert "--max-parity-difference cannot be checked for 'branch'" in line


# ------------------------------------------------------------- model errors
@pytest.mark.parametrize(
    "name, shown",
    [
        ("runtime", "RuntimeError: the scoring service is down"),
        ("zero", "ZeroDivisionError: division by zero"),
        ("key", "KeyError: 'income'"),
        ("memory", "MemoryError: out of memory"),
    ],
)
def test_a_model_that_raises_is_exit_2_with_one_line(files, capsys, name, shown):
    code, _, err = in_process(
        capsys, *pickle_args(files, f"raises-{name}", "--protected", "gender")
    )
    line = error_line(code, err)
    assert f"the audit failed: {shown}" in line
    assert line.endswith("(run with --debug for the traceback)")


def test_debug_shows_the_traceback(files, capsys):
    code, _, err = in_process(
        capsys,
        *pickle_args(files, "raises-runtime", "--protected", "gender", "--debug"),
    )
    assert code == 2
    assert "Traceback" in err and "RuntimeError: the scoring service is down" in err
    assert err.splitlines()[-1].startswith("skcounterfactual audit: error: the audit")


def test_a_raising_model_in_a_real_process(files):
    result = run(*pickle_args(files, "raises-zero", "--protected", "gender"))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "ZeroDivisionError: division by zero" in result.stderr.splitlines()[-1]


def test_an_unexpected_error_is_one_line(files, capsys, monkeypatch):
    def broken(*args, **kwargs):
        raise IndexError("index 3 is out of bounds")

    monkeypatch.setattr("skcounterfactual.cli._read_data", broken)
    code, _, err = in_process(capsys, *blind_args(files, "--protected", "gender"))
    assert error_line(code, err) == (
        "skcounterfactual audit: error: unexpected IndexError: index 3 is out of "
        "bounds (run with --debug for the traceback)"
    )


# ------------------------------------------------------------- output paths
def writable(folder):
    try:
        (folder / ".probe").write_text("")
    except OSError:
        return False
    (folder / ".probe").unlink()
    return True


@pytest.fixture
def unwritable(tmp_path):
    """A folder this process cannot write in.

    A read-only folder, or for a superuser (who writes anywhere permissions
    allow) a folder of a read-only file system.
    """
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o500)
    if not writable(folder):
        yield folder
    elif Path("/sys").is_dir() and not writable(Path("/sys")):
        yield Path("/sys")
    else:
        pytest.skip("no folder on this machine refuses writes to this process")
    folder.chmod(0o700)


@pytest.mark.parametrize("option", ["--json", "--report"])
def test_an_unwritable_output_fails_before_the_audit(
    files, capsys, unwritable, option, monkeypatch
):
    loaded = []
    monkeypatch.setattr("skcounterfactual.cli._load_model", lambda *a: loaded.append(a))
    code, out, err = in_process(
        capsys,
        *blind_args(files, "--protected", "gender", option, unwritable / "out.json"),
    )
    line = error_line(code, err)
    assert f"{option} '{unwritable / 'out.json'}': cannot write in the folder" in line
    assert loaded == [] and out == ""


def test_an_output_that_is_a_directory_is_refused(files, tmp_path, capsys):
    for extra in ([], ["--overwrite"]):
        code, out, err = in_process(
            capsys,
            *blind_args(files, "--protected", "gender", "--json", tmp_path, *extra),
        )
        assert f"--json '{tmp_path}' is a directory" in error_line(code, err)
        assert out == ""


def test_a_dangling_symlink_is_never_followed(files, tmp_path, capsys):
    target = tmp_path / "elsewhere.json"
    link = tmp_path / "result.json"
    link.symlink_to(target)
    code, _, err = in_process(
        capsys, *blind_args(files, "--protected", "gender", "--json", link)
    )
    assert "is a symbolic link; links are never followed" in error_line(code, err)
    assert not target.exists()
    link.unlink()
    link.symlink_to(files / "data.csv")
    code, _, err = in_process(
        capsys,
        *blind_args(files, "--protected", "gender", "--json", link, "--overwrite"),
    )
    assert "is a symbolic link" in error_line(code, err)
    assert pd.read_csv(files / "data.csv").shape == (400, 5)


def test_json_and_report_must_be_two_files(files, tmp_path, capsys):
    same = tmp_path / "out"
    code, out, err = in_process(
        capsys,
        *blind_args(files, "--protected", "gender", "--json", same, "--report", same),
    )
    assert error_line(code, err) == (
        f"skcounterfactual audit: error: --report and --json name the same file "
        f"'{same}'; give each its own path."
    )
    assert not same.exists() and out == ""


def test_an_output_never_replaces_an_input(files, tmp_path, capsys):
    data = tmp_path / "data.csv"
    data.write_bytes((files / "data.csv").read_bytes())
    args = blind_args(files, "--protected", "gender", "--overwrite")
    args[4] = data
    code, _, err = in_process(capsys, *args, "--json", data)
    assert error_line(code, err) == (
        f"skcounterfactual audit: error: --data and --json name the same file "
        f"'{data}'; give each its own path."
    )
    assert data.read_bytes() == (files / "data.csv").read_bytes()


def test_a_missing_folder_and_a_file_as_folder(files, tmp_path, capsys):
    (tmp_path / "file").write_text("")
    for path, message in [
        (tmp_path / "no" / "r.json", "the folder"),
        (tmp_path / "file" / "r.json", "is not a folder"),
    ]:
        code, _, err = in_process(
            capsys, *blind_args(files, "--protected", "gender", "--json", path)
        )
        assert message in error_line(code, err)


def test_outputs_are_written_whole(files, tmp_path, capsys):
    code, _, err = in_process(
        capsys,
        *blind_args(files, "--protected", "gender", "--json", tmp_path / "r.json"),
        "--report",
        tmp_path / "r.html",
    )
    assert code == 0, err
    assert json.loads((tmp_path / "r.json").read_text())["bounds"]["passed"] is None
    assert (tmp_path / "r.html").read_text().endswith("</html>\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html", "r.json"]


# ------------------------------------------------------------------ escaping
def test_an_error_about_hostile_data_cannot_forge_a_line(files):
    # the link lacks the hostile value: the error names it, as text
    result = run(
        "audit",
        "--model",
        files / "biased.pkl",
        "--allow-pickle",
        "--data",
        files / "hostile.csv",
        "--protected",
        "gender",
        "--link",
        "gender_code=Female:0",
        "--max-flip-rate",
        "0.01",
    )
    assert result.returncode == 2, result.stderr
    assert "links['gender_code'] has no entry for gender=" in result.stderr
    for stream in (result.stdout, result.stderr):
        assert "\x1b" not in stream
        for line in stream.splitlines():
            assert not line.startswith("::")
            assert line != "PASS: every bound holds."


def test_hostile_values_in_a_failing_gate(files, tmp_path):
    data = pd.read_csv(files / "hostile.csv")
    data["gender_code"] = data["gender"].str.startswith("Male").astype(int)
    data.to_csv(tmp_path / "hostile.csv", index=False)
    male = data.loc[data.gender_code == 1, "gender"].iloc[0]
    links = tmp_path / "links.json"
    links.write_text(json.dumps({"gender_code": {"Female": 0, male: 1}}))
    result = run(
        "audit", "--model", files / "biased.pkl", "--allow-pickle", "--data",
        tmp_path / "hostile.csv", "--protected", "gender", "--links", links,
        "--max-flip-rate", "0.01",
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert "\x1b" not in result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert not [line for line in lines if line.startswith(("::", "PASS"))]
    assert any(line.startswith("FAIL: ") for line in lines)
    assert "Male\\n::error file=a.py::forged\\nPASS: every bound holds.\\x1b[31m" in (
        result.stdout
    )


def test_warnings_are_one_safe_line_each(files, tmp_path):
    data = pd.read_csv(files / "data.csv")
    data["code\n::warning::x"] = data["gender_code"]
    data.to_csv(tmp_path / "data.csv", index=False)
    result = run(*blind_args(files, "--protected", "gender")[:4], tmp_path / "data.csv",
                 *blind_args(files)[5:], "--protected", "gender")  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert lines and all(
        re.match(r"skcounterfactual audit: warning: .* \(\w+Warning\)$", line)
        for line in lines
    ), result.stderr
    assert not any(line.startswith("::") for line in lines)


def test_usage_errors_are_one_safe_line(capsys):
    code, _, err = in_process(capsys, "demo", "\n::error::x")
    line = error_line(code, err)
    # a line break in an argument is one space: the line cannot be forged
    assert "unrecognized arguments: ::error::x (see skcounterfactual --help)" in line


# -------------------------------------------------------------------- n twins
def test_n_twins_makes_a_large_domain_auditable(files, tmp_path, capsys):
    data = pd.read_csv(files / "data.csv")
    big = pd.concat([data] * 3, ignore_index=True)
    big["account"] = [f"acc{i}" for i in range(len(big))]  # one value per row
    big.to_csv(tmp_path / "big.csv", index=False)
    args = blind_args(files, "--protected", "account")
    args[4] = tmp_path / "big.csv"
    code, _, err = in_process(capsys, *args)
    line = error_line(code, err)
    assert "1,199 twins per row for 'account' (1,200 values)" in line
    assert "Pass n_twins=k" in line
    code, out, err = in_process(capsys, *args, "--n-twins", "2")
    assert code == 0, err
    code, _, err = in_process(capsys, *args, "--n-twins", "0")
    assert "expected a whole number of at least 1, got '0'" in error_line(code, err)


# ------------------------------------------------------------ demo, profiles
def test_demo_with_an_unwritable_folder(capsys, unwritable, tmp_path):
    code, _, err = in_process(capsys, "demo", "--output-dir", unwritable / "out")
    assert "--output-dir" in error_line(code, err)
    (tmp_path / "file").write_text("")
    code, _, err = in_process(capsys, "demo", "--output-dir", tmp_path / "file")
    assert "--output-dir" in error_line(code, err)
    code, _, err = in_process(capsys, "demo", "--n-samples", "10000000000")
    assert "expected at most 1,000,000" in error_line(code, err)


SCHEMA = {
    "id": "applicant_id",
    "protected": {"gender": ["Male", "Female"]},
    "columns": {"income": {"low": 40000, "high": 70000}},
    "links": {"gender_code": {"Male": 1, "Female": 0}},
}


def write_schema(tmp_path, data):
    path = tmp_path / "schema.json"
    path.write_bytes(data if isinstance(data, bytes) else json.dumps(data).encode())
    return path


@pytest.mark.parametrize(
    "content, message",
    [
        (b"\xff\xfe{", "is not UTF-8 text (byte 0); save it as UTF-8."),
        (b'{"protected": NaN}', "holds NaN, which JSON does not allow"),
        (b'{"id": "a", "id": "b"}', "gives the key 'id' twice in one object"),
        (b"[" * 100_000, "is nested too deeply"),
        (
            json.dumps(
                {**SCHEMA, "columns": {"x": {"low": 1, "high": float("nan")}}}
            ).encode(),
            "holds NaN, which JSON does not allow",
        ),
        (
            json.dumps({**SCHEMA, "columns": {"x": {"low": 5, "high": 1}}}).encode(),
            '"low" 5 above "high" 1; swap them.',
        ),
        (
            json.dumps({**SCHEMA, "columns": {"x": {"low": 0.5, "high": 2}}}).encode(),
            'schema["columns"][\'x\']["low"] must be a whole number, got 0.5.',
        ),
        (
            json.dumps({**SCHEMA, "protected": {"gender": ["M", "M"]}}).encode(),
            "lists a value twice: ['M', 'M']",
        ),
        (
            json.dumps({**SCHEMA, "protected": {"gender": ["M", None]}}).encode(),
            "must hold text, whole or finite numbers or booleans, got None.",
        ),
        (
            json.dumps({**SCHEMA, "links": {"gender": "first_name"}}).encode(),
            'schema["links"] names \'gender\', which schema["protected"] already',
        ),
    ],
)
def test_malformed_schemas_are_one_line(tmp_path, capsys, content, message):
    code, _, err = in_process(
        capsys, "profiles", "--schema", write_schema(tmp_path, content),
        "--output", tmp_path / "out.csv",
    )  # fmt: skip
    assert message in error_line(code, err)
    assert not (tmp_path / "out.csv").exists()


def test_profiles_outputs_are_checked(tmp_path, capsys, unwritable):
    schema = write_schema(tmp_path, SCHEMA)
    for output, message in [
        (unwritable / "p.csv", "cannot write in the folder"),
        (tmp_path, "is a directory"),
        (tmp_path / "p.xlsx", "unsupported format '.xlsx'; use .csv, .parquet, .pq"),
    ]:
        code, _, err = in_process(
            capsys, "profiles", "--schema", schema, "--output", output
        )
        assert message in error_line(code, err)
    code, _, err = in_process(
        capsys, "profiles", "--schema", schema, "--output", tmp_path / "p.csv",
        "--n-profiles", "100000000000",
    )  # fmt: skip
    assert "more than 10,000,000. Ask for fewer profiles." in error_line(code, err)


def test_profiles_csv_cannot_carry_a_formula(tmp_path, capsys):
    schema = {
        "id": "-id",
        "protected": {"gender": ['=HYPERLINK("http://x","y")', "+F", "@M"]},
        "columns": {"income": {"low": -5, "high": -1}},
    }
    out = tmp_path / "p.csv"
    code, _, err = in_process(
        capsys, "profiles", "--schema", write_schema(tmp_path, schema),
        "--n-profiles", 3, "--output", out,
    )  # fmt: skip
    assert code == 0, err
    frame = pd.read_csv(out)
    assert list(frame.columns) == ["'-id", "gender", "income"]
    assert set(frame["gender"]) == {'\'=HYPERLINK("http://x","y")', "'+F", "'@M"}
    assert (frame["income"] < 0).all()  # numbers are numbers
    for line in out.read_text().splitlines():
        for cell in line.split(","):
            assert not cell.startswith(("=", "+", "@")), line
    parquet = tmp_path / "p.parquet"
    pytest.importorskip("pyarrow")
    code, _, err = in_process(
        capsys, "profiles", "--schema", write_schema(tmp_path, schema),
        "--n-profiles", 3, "--output", parquet,
    )  # fmt: skip
    assert code == 0, err
    assert set(pd.read_parquet(parquet)["gender"]) == set(schema["protected"]["gender"])
