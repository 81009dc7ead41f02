"""FlipTest's flipsets and transparency table in the audit, its pages and the CLI."""

import json
import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import make_column_transformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from skcounterfactual import (
    CounterfactualAugmenter,
    TransportAugmenter,
    audit,
    cli,
)
from skcounterfactual._flipsets import FLIPSET_COLUMNS, TRANSPARENCY_COLUMNS


def applicants(n=600, seed=0):
    rng = np.random.default_rng(seed)
    male = rng.random(n) < 0.5
    return pd.DataFrame(
        {
            "gender": np.where(male, "male", "female"),
            "income": (40_000 + 15_000 * male + rng.normal(0, 8_000, n)).round(),
            "age": rng.integers(20, 65, n),
            "city": rng.choice(["Lyon", "Oslo"], n),
        }
    )


def blind_model(X):
    """Reads income and age, never gender."""
    y = (X["income"] + 100 * X["age"] > 54_000).astype(int)
    return Pipeline(
        [
            ("columns", make_column_transformer(("passthrough", ["income", "age"]))),
            ("model", LogisticRegression(max_iter=2000)),
        ]
    ).fit(X, y)


@pytest.fixture(scope="module")
def report():
    X = applicants()
    model = blind_model(X)
    return X, model, audit(model, X, augmenter=TransportAugmenter(protected="gender"))


def test_flipsets_count_rows_advantaged_and_disadvantaged_by_their_group(report):
    X, model, found = report
    gender = found.attributes["gender"]
    twins, provenance = TransportAugmenter(protected="gender").fit(X).make_twins(X)
    row = model.predict(X) == 1
    twin = model.predict(twins) == 1
    table = gender.flipsets.set_index(["source", "target"])
    assert list(gender.flipsets.columns) == list(FLIPSET_COLUMNS)
    for source, target in (("male", "female"), ("female", "male")):
        mine = (provenance["original"] == source).to_numpy()
        assert table.loc[(source, target), "n_pairs"] == mine.sum()
        assert table.loc[(source, target), "advantaged"] == (mine & row & ~twin).sum()
        assert (
            table.loc[(source, target), "disadvantaged"] == (mine & ~row & twin).sum()
        )
    # the model favours men through income: men advantaged, women disadvantaged
    assert table.loc[("male", "female"), "advantaged_share"] > 0.3
    assert table.loc[("male", "female"), "disadvantaged"] == 0
    assert table.loc[("female", "male"), "disadvantaged_share"] > 0.3
    assert gender.n_flipped_rows == int(
        table["advantaged"].sum() + table["disadvantaged"].sum()
    )


def test_the_transparency_table_names_income_first(report):
    _, _, found = report
    table = found.attributes["gender"].transparency
    assert list(table.columns) == list(TRANSPARENCY_COLUMNS)
    for flipset, sign in (("advantaged", -1), ("disadvantaged", 1)):
        top = table[table["flipset"] == flipset].iloc[0]
        assert top["feature"] == "income"
        assert np.sign(top["mean_difference"]) == sign
        assert abs(top["standardized_difference"]) > 1
        assert top["share_changed"] == 1.0
    assert "gender" not in set(table["feature"])


def test_pages_and_json_show_the_flipsets(report):
    _, _, found = report
    markdown = found.to_markdown()
    assert "### Flipsets: rows advantaged and disadvantaged by their group" in markdown
    assert "| advantaged | income |" in markdown
    html = found.to_html()
    assert "Transparency: what differs between flipset members and twins" in html
    data = json.loads(found.to_json())["attributes"]["gender"]
    assert {r["source"] for r in data["flipsets"]} == {"female", "male"}
    assert data["transparency"][0]["feature"] == "income"


def test_all_else_equal_audits_have_no_flipsets():
    X = applicants(200)
    found = audit(
        blind_model(X), X, augmenter=CounterfactualAugmenter(protected="gender")
    )
    gender = found.attributes["gender"]
    assert gender.flipsets is None and gender.transparency is None
    assert "Flipsets" not in found.to_markdown()
    assert json.loads(found.to_json())["attributes"]["gender"]["flipsets"] is None


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("twins")
    X = applicants(400, seed=1)
    with open(folder / "model.pkl", "wb") as handle:
        pickle.dump(blind_model(X), handle)
    X.to_csv(folder / "applicants.csv", index=False)
    (folder / "graph.json").write_text(json.dumps([["gender", "income"]]))
    (folder / "bad_graph.json").write_text(json.dumps([["gender", "salary"]]))
    return folder


def run_audit(files, *extra):
    return cli.main(
        [
            "audit",
            "--model",
            str(files / "model.pkl"),
            "--allow-pickle",
            "--data",
            str(files / "applicants.csv"),
            "--protected",
            "gender",
            *extra,
        ]
    )


@pytest.mark.parametrize("twins", ["all-else-equal", "causal", "transport"])
def test_the_command_line_audits_with_each_kind_of_twins(files, twins, capsys):
    out = files / f"{twins}.json"
    extra = ["--twins", twins, "--json", str(out), "--overwrite"]
    if twins == "causal":
        extra += ["--graph", str(files / "graph.json"), "--mechanisms", "linear"]
    code = run_audit(files, *extra, "--max-flip-rate", "0.05")
    result = json.loads(out.read_text())["attributes"]["gender"]
    printed = capsys.readouterr().out
    if twins == "all-else-equal":
        assert code == 0 and result["flip_rate"] == 0.0
        assert result["flipsets"] is None
    else:
        assert code == 1 and result["flip_rate"] > 0.3
        assert "FAIL: gender: flip rate" in printed
        assert "### Transparency" in printed
        assert result["transparency"][0]["feature"] == "income"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--twins", "causal"], "--twins causal needs --graph FILE"),
        (["--graph", "graph.json"], "--graph is read by --twins causal only"),
        (
            ["--twins", "causal", "--graph", "bad_graph.json"],
            "names 'salary', which is not a column of the data",
        ),
        (["--twins", "causal", "--graph", "nowhere.json"], "no such file"),
        (
            ["--twins", "transport", "--values", "gender=female,male"],
            "--values does not apply to --twins transport",
        ),
    ],
)
def test_the_command_line_explains_wrong_twin_options(files, extra, message, capsys):
    extra = [str(files / e) if e.endswith(".json") else e for e in extra]
    assert run_audit(files, *extra) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    error = [line for line in lines if not line.startswith("warning: loading")]
    assert len(error) == 1 and message in error[0]
    assert error[0].startswith("skcounterfactual audit: error: ")
