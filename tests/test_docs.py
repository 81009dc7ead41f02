"""The documentation's sources: API page, gallery scripts, runnable snippets.

The site itself is built in CI (``python -m sphinx -W ...``), not here.
"""

import ast
import contextlib
import doctest
import io
import re
import tomllib
from pathlib import Path

import pytest

import skcounterfactual
import skcounterfactual.datasets

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
EXAMPLES = sorted((ROOT / "examples").glob("plot_*.py"))
USER_GUIDE = sorted((DOCS / "user_guide").glob("*.rst"))
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def autosummary_entries(text):
    """Map each ``currentmodule`` of an rst page to the autosummary names under it."""
    entries = {}
    module = None
    in_autosummary = False
    for line in text.splitlines():
        current = re.match(r"\.\. currentmodule:: (\S+)", line)
        if current:
            module = current.group(1)
            in_autosummary = False
        elif line.startswith(".. autosummary::"):
            in_autosummary = True
        elif in_autosummary:
            if not line.strip() or line.lstrip().startswith(":"):
                continue
            if not line.startswith("   "):
                in_autosummary = False
                continue
            entries.setdefault(module, []).append(line.strip())
    return entries


def test_autosummary_parser_reads_names_per_module():
    text = (
        ".. currentmodule:: pkg\n\n.. autosummary::\n   :toctree: generated/\n\n"
        "   b\n   a\n\nProse.\n\n   indented prose after a paragraph\n\n"
        ".. currentmodule:: pkg.sub\n\n.. autosummary::\n\n   c\n"
    )
    assert autosummary_entries(text) == {"pkg": ["b", "a"], "pkg.sub": ["c"]}


def test_api_page_lists_exactly_the_public_names():
    entries = autosummary_entries((DOCS / "api.rst").read_text(encoding="utf-8"))
    assert set(entries) == {"skcounterfactual", "skcounterfactual.datasets"}
    listed = entries["skcounterfactual"]
    assert len(listed) == len(set(listed)), "a name is listed twice"
    assert sorted(listed) == sorted(skcounterfactual.__all__)
    datasets = entries["skcounterfactual.datasets"]
    assert sorted(datasets) == sorted(skcounterfactual.datasets.__all__)


def test_install_page_lists_every_extra():
    text = (DOCS / "install.rst").read_text(encoding="utf-8")
    listed = re.findall(r"^   \* - ``([a-z]+)``$", text, flags=re.M)
    assert len(listed) == len(set(listed)), "an extra is listed twice"
    assert set(listed) == set(PYPROJECT["project"]["optional-dependencies"])


def test_developer_guide_lists_the_import_layers_in_order():
    (layers,) = [
        contract["layers"]
        for contract in PYPROJECT["tool"]["importlinter"]["contracts"]
        if contract["type"] == "layers"
    ]
    modules = [
        name.strip().removeprefix("skcounterfactual.")
        for layer in layers
        for name in layer.split("|")
    ]
    text = (DOCS / "developer.rst").read_text(encoding="utf-8")
    table = re.search(
        r"Who may import whom\n=+\n.*?\.\. list-table::(.*?)\n\S", text, flags=re.S
    ).group(1)
    listed = re.findall(r"``(_?[a-z_]+)``", table)
    assert listed == modules


def test_there_are_at_least_five_gallery_examples():
    assert len(EXAMPLES) >= 5


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_has_a_title_and_cells(path):
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    first = tree.body[0]
    assert isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant), (
        f"{path.name} must start with its docstring"
    )
    lines = ast.get_docstring(tree, clean=True).splitlines()
    # a title: text underlined (and optionally overlined) with "=" at least as long
    text = [i for i, line in enumerate(lines) if line.strip() and set(line) != {"="}]
    title = text[0]
    assert title + 1 < len(lines), f"{path.name}: the title is not underlined"
    underline = lines[title + 1]
    assert set(underline) == {"="}, f"{path.name}: the title is not underlined"
    assert len(underline) >= len(lines[title]), f"{path.name}: underline too short"
    if title > 0:
        assert lines[title - 1] == underline, f"{path.name}: overline and underline"
    assert len(text) > 1, f"{path.name}: the docstring has no introduction"
    cells = [line for line in source.splitlines() if line.startswith("# %%")]
    assert len(cells) >= 3, f"{path.name} has {len(cells)} '# %%' cells"


def test_quickstart_code_prints_what_the_page_says():
    text = (DOCS / "quickstart.rst").read_text(encoding="utf-8")
    match = re.search(
        r"\.\. code-block:: python\n\n(.*?)\n\.\. code-block:: text\n\n(.*?)\n\n",
        text,
        flags=re.S,
    )
    code, expected = (
        "\n".join(line[3:] for line in block.splitlines()) for block in match.groups()
    )
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        exec(compile(code, "quickstart.rst", "exec"), {})  # noqa: S102
    assert output.getvalue().strip() == expected.strip()


@pytest.mark.slow
@pytest.mark.parametrize("page", USER_GUIDE, ids=lambda p: p.name)
def test_user_guide_examples_run(page):
    text = page.read_text(encoding="utf-8")
    test = doctest.DocTestParser().get_doctest(text, {}, page.name, str(page), 0)
    report = io.StringIO()
    runner = doctest.DocTestRunner(
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    )
    runner.run(test, out=report.write)
    assert runner.failures == 0, report.getvalue()
