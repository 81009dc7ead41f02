"""Generated values keep the data's style: a lower-case or upper-case column
gets lower-case or upper-case names and titles, so twins are not unseen, and a
model is not flipped, merely by the case."""

import numpy as np
import pandas as pd
import pytest

from skcounterfactual import CounterfactualAugmenter
from skcounterfactual._mimesis import mimesis_pool
from skcounterfactual._style import apply_style, detect_style


@pytest.mark.parametrize(
    "values, case, full_stop",
    [
        (["anna", "li wei", "bob"], "lower", False),
        (["ANNA", "BOB"], "upper", False),
        (["Anna", "Mrs.", "Li Wei"], "title", True),
        (["Anna", "bob", "CARL"], None, False),
        ([None, 3], None, None),
    ],
)
def test_detect_style(values, case, full_stop):
    assert detect_style(values) == {"case": case, "full_stop": full_stop}


def test_apply_style_keeps_what_it_cannot_style():
    assert apply_style("Mrs.", {"case": "lower", "full_stop": False}) == "mrs"
    assert apply_style("McDonald", {"case": "title", "full_stop": True}) == "McDonald"
    assert apply_style(3, {"case": "lower", "full_stop": False}) == 3


def people(case):
    """People whose names and titles come from Mimesis' own pools, in ``case``."""
    rng = np.random.default_rng(0)
    n = 200
    gender = rng.choice(["female", "male"], n)
    pools = {g: list(mimesis_pool("en", "first_name", g))[:40] for g in gender}
    titles = {"female": ["Mrs", "Ms", "Miss", "Madam"], "male": ["Mr", "Sir"]}
    write = {"lower": str.lower, "upper": str.upper}[case]
    return pd.DataFrame(
        {
            "gender": gender,
            "first": [write(rng.choice(pools[g])) for g in gender],
            "title": [write(rng.choice(titles[g])) for g in gender],
        }
    )


@pytest.mark.parametrize("case", ["lower", "upper"])
def test_drawn_names_and_titles_follow_the_case_of_the_column(case):
    X = people(case)
    augmenter = CounterfactualAugmenter(
        protected="gender",
        links={"first": "first_name", "title": "title"},
        source="mimesis",
        placebo=False,
        random_state=0,
    ).fit(X)
    twins = augmenter.make_twins(X)
    write = {"lower": str.lower, "upper": str.upper}[case]
    for column in ("first", "title"):
        values = twins.X[column]
        assert (values == values.map(write)).all(), column
    # the titles the data holds, written its way: none is unseen
    assert set(twins.X["title"]) <= set(X["title"])
    assert "title" not in twins.unseen_values
    # names keep the case, so only names the data never held are unseen
    unseen = set(twins.unseen_values.get("first", []))
    assert unseen == set(twins.X["first"]) - set(X["first"])
