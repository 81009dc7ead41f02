"""Sphinx configuration of the skcounterfactual documentation.

Build the site from the root of a clone, on a fresh machine, with warnings as
errors::

    pip install -e ".[docs]"
    python -m sphinx -W --keep-going -b html docs docs/_build/html

then open ``docs/_build/html/index.html``. The build runs every gallery script
in ``examples/`` (``plot_*.py``), writes the API pages to ``docs/generated`` and
the gallery to ``docs/auto_examples``; git ignores these outputs, like the site
in ``docs/_build``. No network access is needed.
"""

import contextlib
import io
import os
from pathlib import Path

import skcounterfactual
from skcounterfactual.cli import build_parser

DOCS = Path(__file__).resolve().parent

# -- Project -----------------------------------------------------------------
project = "skcounterfactual"
author = "The skcounterfactual developers"
copyright = "2026, The skcounterfactual developers"
release = skcounterfactual.__version__
version = ".".join(release.split(".")[:2])

# -- General -----------------------------------------------------------------
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
]
templates_path = ["_templates"]
exclude_patterns = ["_build", "README.md"]
root_doc = "index"
default_role = "literal"  # a single-backquoted `name` renders as code
pygments_style = "sphinx"
toc_object_entries_show_parents = "hide"  # "fit()" in a page's contents

# -- API pages ---------------------------------------------------------------
autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": False}
autodoc_typehints = "none"  # types are written in the numpydoc sections
autoclass_content = "class"
numpydoc_show_class_members = True
numpydoc_show_inherited_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True

# -- Markdown (the changelog is the repository's CHANGELOG.md) ----------------
source_suffix = {".rst": "restructuredtext"}

# -- Gallery -----------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": ["../examples"],
    "gallery_dirs": ["auto_examples"],
    "filename_pattern": r"/plot_",
    "within_subsection_order": "sphinx_gallery.sorting.FileNameSortKey",
    "doc_module": ("skcounterfactual",),
    "backreferences_dir": "generated/backreferences",
    "reference_url": {"skcounterfactual": None},
    "image_scrapers": ("matplotlib",),
    "capture_repr": ("_repr_html_", "__repr__"),
    "remove_config_comments": True,
    "show_memory": False,
    "min_reported_time": 1,
    "download_all_examples": False,
}

# -- HTML --------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"skcounterfactual {release}"
html_theme_options = {
    "logo": {"text": "skcounterfactual"},
    "github_url": "https://github.com/skcounterfactual/skcounterfactual",
    "navbar_align": "left",
    "header_links_before_dropdown": 6,
    "navigation_with_keys": False,
    "show_toc_level": 2,
    # a page's contents on the right, except on gallery pages (not matched
    # here), whose wide code and tables need the full width
    "secondary_sidebar_items": {
        "*": ["page-toc"],
        "user_guide/*": ["page-toc"],
        "generated/*": ["page-toc"],
    },
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version", "theme-version"],
}
html_show_sourcelink = False
html_static_path = ["_static"]
html_css_files = ["custom.css"]
# no left sidebar on the pages that have no sub-pages to navigate
html_sidebars = {
    page: []
    for page in ("index", "install", "quickstart", "cli", "developer", "changelog")
}
html_context = {"default_mode": "light"}


# -- The command line's help, written at build time ---------------------------
def _write_cli_help():
    """Write ``skcounterfactual [COMMAND] --help`` to ``generated/cli_*.txt``.

    The command-line page includes these files, so it always shows the help of
    the installed version.
    """
    out = DOCS / "generated"
    out.mkdir(exist_ok=True)
    columns = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "88"  # argparse wraps the help text to this width
    try:
        for command in (None, "demo", "audit", "profiles"):
            argv = ["--help"] if command is None else [command, "--help"]
            text = io.StringIO()
            with contextlib.redirect_stdout(text), contextlib.suppress(SystemExit):
                build_parser().parse_args(argv)
            name = "main" if command is None else command
            (out / f"cli_{name}.txt").write_text(text.getvalue(), encoding="utf-8")
    finally:
        if columns is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = columns


_write_cli_help()


# -- Hooks -------------------------------------------------------------------
def _skip_generated_request_methods(app, what, name, obj, skip, options):
    """Leave out the ``set_*_request`` methods that scikit-learn generates.

    scikit-learn adds them to every estimator whose ``fit`` or ``score`` takes
    metadata; their docstrings point into scikit-learn's own documentation.
    The scorers' hand-written ``set_score_request`` methods are kept.
    """
    if "RequestMethod" in getattr(obj, "__qualname__", ""):
        return True
    return None


def setup(app):
    """Connect the hooks above."""
    app.connect("autodoc-skip-member", _skip_generated_request_methods)
