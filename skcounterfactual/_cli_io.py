"""Input and output of the command line: files, models, option values, progress.

Everything the command prints goes through :func:`say` or :func:`fail`, which
write text from the data as visible escapes (``_escape.terminal``), so no value
can start a line of its own. Output files are checked before any work
(:func:`output_path`) and written in one step (:func:`write_output`), never
through a symbolic link.
"""

import argparse
import contextlib
import json
import os
import re
import secrets
import sys
import traceback
from pathlib import Path

from ._escape import terminal

MIN_DEMO_SAMPLES = 100
MAX_DEMO_SAMPLES = 1_000_000
EXTRAS = {
    "matplotlib": "plot",
    "skops": "skops",
    "pyarrow": "parquet",
    "imblearn": "imblearn",
    "distributed": "dask",
    "dowhy": "causal",
    "ot": "transport",
}
TRUST_HELP = (
    "skops refuses to load types it does not know, such as "
    "sklearn.tree._tree.Tree, until you trust them: the error lists them; "
    "review them and pass --trust TYPE for each."
)


class CLIError(Exception):
    """A usage, input, model or output error: printed as one line, exit code 2."""


# ---------------------------------------------------------------------- output
def one_line(text):
    """Return ``text`` as a single line safe for a terminal or a CI log.

    Line breaks (of a multi-line message) become spaces, then every other
    control character becomes a visible escape.
    """
    return terminal(re.sub(r"\s*[\r\n]+\s*", " ", str(text)).strip())


def say(text="", file=None):
    """Print ``text`` line by line, each line made safe with ``terminal``."""
    file = sys.stdout if file is None else file
    print(
        "\n".join(terminal(line) for line in str(text).split("\n")),
        file=file,
        flush=True,
    )


def describe(exc):
    """Return ``TypeName: message`` for an exception, even one that cannot print."""
    try:
        message = str(exc)
    except Exception:  # a hostile __str__
        message = "(its message cannot be shown)"
    name = type(exc).__name__
    return f"{name}: {message}" if message else name


def fail(command, message, debug=False, exc=None):
    """Print the one-line error of ``command`` on stderr (after the traceback)."""
    if debug and exc is not None:
        traceback.print_exception(exc, file=sys.stderr)
    hint = "" if debug or exc is None else " (run with --debug for the traceback)"
    say(f"skcounterfactual {command}: error: {one_line(message)}{hint}", sys.stderr)


def format_warning(command):
    """Return a ``warnings.formatwarning`` that writes one safe line."""

    def formatted(message, category, filename, lineno, line=None):
        return (
            f"skcounterfactual {command}: warning: {one_line(message)} "
            f"({category.__name__})\n"
        )

    return formatted


class _Progress:
    """Step messages on stderr, only when stderr is a terminal (or forced)."""

    def __init__(self, total, enabled=None):
        self.total = total
        self.step = 0
        self.enabled = sys.stderr.isatty() if enabled is None else enabled

    def __call__(self, message):
        self.step += 1
        if self.enabled:
            say(f"[{self.step}/{self.total}] {message}", sys.stderr)


class _Bar:
    """A one-line progress bar on stderr; silent unless stderr is a terminal."""

    def __init__(self, label, enabled):
        self.label = label
        self.enabled = enabled

    def __call__(self, done, total):
        if not self.enabled or total <= 0:
            return
        share = done / total
        filled = int(30 * share)
        bar = "#" * filled + "-" * (30 - filled)
        end = "\n" if done >= total else ""
        print(
            f"\r{self.label} [{bar}] {share:4.0%} ({done:,}/{total:,} rows)",
            end=end,
            file=sys.stderr,
            flush=True,
        )


# --------------------------------------------------------------------- helpers
def output_path(path, option, overwrite):
    """Check, before any work, that ``path`` can be written; return it.

    Refuses a directory, a symbolic link (dangling or not: a link is never
    followed), an existing file without ``overwrite``, and a folder that is
    missing, not a folder or not writable (tried by creating and removing a
    file in it).
    """
    path = Path(path)
    shown = f"{option} {str(path)!r}"
    if not str(path) or path.name in ("", ".", ".."):
        raise CLIError(f"{shown} is not a file name; give a path such as out.json.")
    if path.is_symlink():
        raise CLIError(
            f"{shown} is a symbolic link; links are never followed. Give the path "
            "of a regular file."
        )
    if path.is_dir():
        raise CLIError(
            f"{shown} is a directory; give a file path inside it, such as "
            f"{str(path / ('result' + _SUFFIXES.get(option, '')))!r}."
        )
    if path.exists():
        if not path.is_file():
            raise CLIError(f"{shown} exists and is not a regular file.")
        if not overwrite:
            raise CLIError(
                f"{shown} already exists; pass --overwrite to replace it or choose "
                "another path."
            )
    folder = path.parent
    if not folder.exists():
        raise CLIError(f"{shown}: the folder {str(folder)!r} does not exist.")
    if not folder.is_dir():
        raise CLIError(f"{shown}: {str(folder)!r} is not a folder.")
    probe = folder / f".skcounterfactual-{secrets.token_hex(8)}.tmp"
    try:
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        os.unlink(probe)
    except OSError as exc:
        raise CLIError(
            f"{shown}: cannot write in the folder {str(folder)!r} "
            f"({exc.strerror or exc})."
        ) from None
    return path


_SUFFIXES = {"--json": ".json", "--report": ".html", "--output": ".csv"}


def distinct_outputs(**paths):
    """Refuse two options naming the same file: an output replaces no input.

    ``paths`` maps options (outputs, and the inputs they must not replace) to
    their paths; None is skipped.
    """
    seen = {}
    for option, path in paths.items():
        if path is None:
            continue
        key = os.path.normcase(os.path.realpath(path))
        if key in seen:
            raise CLIError(
                f"{seen[key]} and {option} name the same file {str(path)!r}; give "
                "each its own path."
            )
        seen[key] = option


def write_output(path, data, option):
    """Write ``data`` (text or bytes) to ``path`` in one step.

    The data goes to a new file next to ``path`` that then replaces it, so a
    reader never sees half a file and a symbolic link put in its place after
    the check is replaced, not followed.
    """
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        os.replace(temporary, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise CLIError(
            f"{option} {str(path)!r} could not be written ({exc.strerror or exc})."
        ) from None


def read_json(path, option):
    """Read a small JSON file given on the command line, or raise a ``CLIError``.

    The file must be UTF-8 and strict JSON: ``NaN`` and ``Infinity`` are
    refused, and so is a key given twice in one object.
    """
    path = Path(path)
    if not path.is_file():
        raise CLIError(f"{option} {str(path)!r}: no such file.")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CLIError(
            f"{option} {str(path)!r} is not UTF-8 text (byte {exc.start}); save it "
            "as UTF-8."
        ) from None
    except OSError as exc:
        raise CLIError(
            f"{option} {str(path)!r} cannot be read ({exc.strerror or exc})."
        ) from None

    def constant(name):
        raise CLIError(
            f"{option} {str(path)!r} holds {name}, which JSON does not allow; "
            "write a number."
        )

    def pairs(items):
        out = {}
        for key, value in items:
            if key in out:
                raise CLIError(
                    f"{option} {str(path)!r} gives the key {key!r} twice in one "
                    "object; keep one."
                )
            out[key] = value
        return out

    try:
        return json.loads(text, parse_constant=constant, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        raise CLIError(f"{option} {str(path)!r} is not valid JSON: {exc}") from None
    except RecursionError:
        raise CLIError(f"{option} {str(path)!r} is nested too deeply.") from None


def _read_data(path):
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise CLIError(f"--data {path}: no such file.")
    suffix = path.suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            return pd.read_parquet(path)
        if suffix in (".csv", ".txt", ".tsv"):
            return pd.read_csv(path, sep="\t" if suffix == ".tsv" else ",")
    except ImportError as exc:
        raise CLIError(
            f"reading {path} needs pyarrow: pip install 'skcounterfactual[parquet]' "
            f"({exc})."
        ) from None
    except Exception as exc:  # pandas raises many kinds for a bad file
        raise CLIError(f"--data {path} could not be read: {exc}") from None
    raise CLIError(
        f"--data {path}: unsupported format {suffix!r}; use .csv, .tsv or .parquet."
    )


def _read_graph(path, data):
    """Read a causal graph file: a JSON list of ``[cause, effect]`` pairs."""
    graph = read_json(path, "--graph")
    if isinstance(graph, dict):
        graph = graph.get("edges")
    pairs = isinstance(graph, list) and all(
        isinstance(pair, list) and len(pair) == 2 for pair in graph
    )
    if not pairs or not graph:
        raise CLIError(
            f"--graph {path} must hold a JSON list of [cause, effect] column pairs "
            '(or {"edges": [...]}), e.g. [["gender", "income"]]; got '
            f"{graph!r:.200}."
        )
    columns = list(data.columns)
    for pair in graph:
        for node in pair:
            if node not in columns:
                raise CLIError(
                    f"--graph {path} names {node!r}, which is not a column of the "
                    f"data. Columns: {columns}."
                )
    return [tuple(pair) for pair in graph]


_PICKLE_SUFFIXES = (".pkl", ".pickle", ".joblib")


def _load_model(path, trusted, allow_pickle):
    path = Path(path)
    if not path.is_file():
        raise CLIError(f"--model {path}: no such file.")
    suffix = path.suffix.lower()
    if suffix == ".skops":
        try:
            import skops.io as sio
        except ImportError:
            raise CLIError(
                "loading .skops models needs skops: "
                "pip install 'skcounterfactual[skops]'."
            ) from None
        try:
            untrusted = sio.get_untrusted_types(file=path)
        except Exception as exc:
            raise CLIError(
                f"--model {path} is not a readable skops file: {exc}"
            ) from None
        refused = sorted(set(untrusted) - set(trusted))
        if refused:
            raise CLIError(
                f"--model {path} contains types that are not trusted: {refused}. "
                "Review them, then pass --trust TYPE for each one you trust."
            )
        try:
            return sio.load(path, trusted=list(untrusted))
        except Exception as exc:
            raise CLIError(f"--model {path} could not be loaded: {exc}") from None
    if suffix in _PICKLE_SUFFIXES:
        if not allow_pickle:
            raise CLIError(
                f"--model {path} is a pickle; loading a pickle can run arbitrary code. "
                "Save the model with skops instead, or pass --allow-pickle if you "
                "trust its origin."
            )
        say(
            f"warning: loading the pickle {path}, which can run arbitrary code.",
            sys.stderr,
        )
        import joblib

        try:
            return joblib.load(path)
        except Exception as exc:
            raise CLIError(f"--model {path} could not be loaded: {exc}") from None
    raise CLIError(
        f"--model {path}: unsupported format {suffix!r}; use .skops (or a pickle "
        "with --allow-pickle)."
    )


def _coerce(text, series):
    """Turn a command-line string into a value of ``series``' kind."""
    import pandas as pd

    if pd.api.types.is_bool_dtype(series.dtype):
        return text.lower() in ("1", "true", "yes")
    if pd.api.types.is_integer_dtype(series.dtype):
        try:
            return int(text)
        except ValueError:
            return text
    if pd.api.types.is_float_dtype(series.dtype):
        try:
            return float(text)
        except ValueError:
            return text
    return text


def _parse_links(items, data, protected):
    """``COL=FIELD`` or ``COL=A:1,B:0`` (a value map keyed by the attribute)."""
    links = {}
    for item in items or []:
        column, sep, spec = item.partition("=")
        if not sep or not column or not spec:
            raise CLIError(
                f"--link {item!r}: expected COL=FIELD (e.g. first_name=first_name) or "
                "COL=VALUE:MAPPED,... (e.g. gender_code=Male:1,Female:0)."
            )
        if column not in data.columns:
            raise CLIError(
                f"--link {item!r}: {column!r} is not a column of the data. "
                f"Columns: {list(data.columns)}."
            )
        if ":" in spec:
            mapping = {}
            for pair in spec.split(","):
                key, _, value = pair.partition(":")
                key = _coerce(key, data[protected[0]])
                mapping[key] = _coerce(value, data[column])
            links[column] = mapping
        else:
            links[column] = spec
    return links


def _read_links(path, data, protected):
    """Read ``--links FILE``: a JSON object ``{column: link}``, as ``links=`` takes.

    The ``suggested_links`` of a previous ``--json`` result can be saved and
    passed back as is. Keys and values read as text are turned into the
    attribute's or the column's kind (``"1"`` becomes 1 in an integer column).
    """
    links = read_json(path, "--links")
    if not isinstance(links, dict):
        raise CLIError(
            f"--links {path} must hold a JSON object {{column: link}}, such as "
            '{"relationship": {"Female": {"Husband": "Wife"}}}; got '
            f"{type(links).__name__}."
        )
    out = {}
    for column, spec in links.items():
        if column not in data.columns:
            raise CLIError(
                f"--links {path}: {column!r} is not a column of the data. "
                f"Columns: {list(data.columns)}."
            )
        if isinstance(spec, dict):
            attribute, values = data[protected[0]], data[column]
            spec = {
                _coerce(str(key), attribute): (
                    {
                        _coerce(str(k), values): _json_value(v, values)
                        for k, v in value.items()
                    }
                    if isinstance(value, dict)
                    else _json_value(value, values)
                )
                for key, value in spec.items()
            }
        out[column] = spec
    return out


def _json_value(value, series):
    return _coerce(value, series) if isinstance(value, str) else value


def _parse_values(items, data):
    values = {}
    for item in items or []:
        column, sep, spec = item.partition("=")
        if not sep or not spec:
            raise CLIError(f"--values {item!r}: expected COL=V1,V2,...")
        if column not in data.columns:
            raise CLIError(
                f"--values {item!r}: {column!r} is not a column of the data. "
                f"Columns: {list(data.columns)}."
            )
        values[column] = [_coerce(v, data[column]) for v in spec.split(",")]
    return values


def _label(text, classes=None):
    """``--pos-label`` as a label: int, then float, else the text itself.

    With the model's ``classes``, the first of those readings that is a class.
    """
    readings = []
    for kind in (int, float):
        with contextlib.suppress(ValueError):
            readings.append(kind(text))
    readings.append(text)
    if classes is not None:
        for value in readings:
            if any(value == c for c in classes):
                return value
    return readings[0]


def _count(text):
    """Read a whole number of at least 1, for options such as ``--n-twins``."""
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or value < 1:
        raise argparse.ArgumentTypeError(
            f"expected a whole number of at least 1, got {text!r}"
        )
    return value


def _demo_samples(text):
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or value < MIN_DEMO_SAMPLES:
        raise argparse.ArgumentTypeError(
            f"expected a whole number of at least {MIN_DEMO_SAMPLES} (the demo's "
            f"3-fold search needs both genders in every fold), got {text!r}"
        )
    if value > MAX_DEMO_SAMPLES:
        raise argparse.ArgumentTypeError(
            f"expected at most {MAX_DEMO_SAMPLES:,} (the demo is a tour, not a "
            f"benchmark), got {text!r}"
        )
    return value


def _missing_package(exc, what):
    """One line saying which package ``what`` needs and how to install it."""
    name = (exc.name or "").partition(".")[0]
    if not name:
        return f"{what} could not import a package it needs ({exc})."
    extra = EXTRAS.get(name)
    hint = (
        f'pip install "skcounterfactual[{extra}]"' if extra else f"pip install {name}"
    )
    return f"{what} needs {name}, which is not installed: {hint}."


def _bound(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a number between 0 and 1, got {text!r}"
        ) from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(
            f"expected a number between 0 and 1, got {text}"
        )
    return value
