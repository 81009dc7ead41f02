"""Synthetic audit sets: categorical columns drawn with weights and linked to
the protected attribute like the rest, from Python and the command line."""

import json
import re

import numpy as np
import pandas as pd
import pytest

from skcounterfactual import cli
from skcounterfactual._profiles import make_profiles

ROLE = {"Female": {"Husband": "Wife"}, "Male": {"Wife": "Husband"}}


def schema(**columns):
    return {
        "id": "applicant_id",
        "protected": {"gender": ["Male", "Female"]},
        "columns": {"income": {"low": 40_000, "high": 70_000}, **columns},
        "links": {"gender_code": {"Male": 1, "Female": 0}, "role": ROLE},
    }


def test_categorical_columns_follow_their_weights():
    spec = {"values": ["north", "south", "east"], "weights": [6, 3, 1]}
    frame = make_profiles(
        schema(region=spec, role={"values": ["Husband", "Wife"]}),
        n_profiles=3000,
        random_state=0,
    )
    base = frame.groupby("applicant_id").first()
    shares = base["region"].value_counts(normalize=True)
    np.testing.assert_allclose(
        shares[["north", "south", "east"]], [0.6, 0.3, 0.1], atol=0.03
    )
    # the clones of a profile share its region: only linked columns follow gender
    assert (frame.groupby("applicant_id")["region"].nunique() == 1).all()


def test_a_linked_categorical_column_follows_the_protected_value():
    frame = make_profiles(
        schema(role={"values": ["Husband", "Wife"], "weights": [1, 1]}),
        n_profiles=200,
        random_state=1,
    )
    assert set(frame.loc[frame["gender"] == "Male", "role"]) == {"Husband"}
    assert set(frame.loc[frame["gender"] == "Female", "role"]) == {"Wife"}
    assert set(frame.loc[frame["gender"] == "Female", "gender_code"]) == {0}


@pytest.mark.parametrize(
    "spec, message",
    [
        ({"values": []}, 'must be {"values": [...], "weights": [...]}'),
        ({"values": ["a"], "share": [1]}, 'must be {"values": [...]'),
        (
            {"values": ["a", "b"], "weights": [1]},
            '["weights"] must be a list of 2 non-negative numbers',
        ),
        (
            {"values": ["a", "b"], "weights": [0, 0]},
            "not all zero; got [0, 0]",
        ),
        ({"kind": "x"}, 'needs "low" and "high" (a number) or "values"'),
    ],
)
def test_bad_categorical_specs_are_named(spec, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        make_profiles(schema(region=spec), n_profiles=5)


def test_the_command_line_writes_categorical_columns(tmp_path, capsys):
    path = tmp_path / "schema.json"
    path.write_text(
        json.dumps(schema(role={"values": ["Husband", "Wife"], "weights": [2, 1]}))
    )
    out = tmp_path / "profiles.csv"
    code = cli.main(
        ["profiles", "--schema", str(path), "--n-profiles", "20", "--output", str(out)]
    )
    assert code == 0, capsys.readouterr().err
    frame = pd.read_csv(out)
    assert len(frame) == 40
    assert set(frame.loc[frame["gender"] == "Female", "role"]) == {"Wife"}
