"""The README's code runs as written."""

import re
import tomllib
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_blocks_run():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert len(blocks) >= 2
    namespace = {}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)  # noqa: S102
    assert 0.2 < namespace["rate"] < 0.8
    search = namespace["search"]
    flip = search.cv_results_["mean_test_counterfactual_flip"]
    assert flip.shape == (6,)
    assert flip[search.best_index_] == 1.0
    assert search.best_params_["select"].transformers[0][2] == ["income"]


def test_readme_quick_start_is_two_commands_and_ci_runs_the_second():
    text = README.read_text()
    quick = re.search(r"## Quick start.*?```bash\n(.*?)```", text, flags=re.S).group(1)
    commands = [line for line in quick.splitlines() if line.strip()]
    assert commands[0] == 'pip install -e ".[plot]" && skcounterfactual demo'
    ci = (README.parent / ".ci" / "run").read_text()
    assert commands[1] in ci.splitlines()


def test_command_line_section_shows_how_to_trust_skops_types():
    text = README.read_text()
    section = re.search(r"## Command line\n(.*?)\n## ", text, flags=re.S).group(1)
    example = re.search(r"```text\n(.*?)```", section, flags=re.S).group(1)
    audit = " ".join(
        example.replace("\\\n", " ").split("skcounterfactual audit")[1].split()
    )
    assert "--trust sklearn.tree._tree.Tree" in audit
    prose = " ".join(section.split("```")[-1].split())
    assert "`--trust TYPE`" in prose
    assert "`--pos-label LABEL`" in prose


def test_install_options_table_lists_every_extra():
    text = README.read_text()
    section = re.search(r"## Install options\n(.*?)\n## ", text, flags=re.S).group(1)
    listed = re.findall(r"^\| `([a-z]+)` \|", section, flags=re.M)
    pyproject = tomllib.loads((README.parent / "pyproject.toml").read_text())
    assert len(listed) == len(set(listed)), "an extra is listed twice"
    assert set(listed) == set(pyproject["project"]["optional-dependencies"])
