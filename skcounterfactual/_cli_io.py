"""Input and output of the command line: files, models, option values, progress."""

import argparse
import contextlib
import sys
from pathlib import Path

MIN_DEMO_SAMPLES = 100
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
    """A usage or input error: printed as one line, exit code 2."""


class _Progress:
    """Step messages on stderr, only when stderr is a terminal (or forced)."""

    def __init__(self, total, enabled=None):
        self.total = total
        self.step = 0
        self.enabled = sys.stderr.isatty() if enabled is None else enabled

    def __call__(self, message):
        self.step += 1
        if self.enabled:
            print(f"[{self.step}/{self.total}] {message}", file=sys.stderr, flush=True)


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
def _free_path(path, overwrite):
    """Return ``path``, or refuse to overwrite an existing file."""
    path = Path(path)
    if path.exists() and not overwrite:
        raise CLIError(
            f"{path} already exists; pass --overwrite to replace it or choose "
            "another path."
        )
    if not path.parent.exists():
        raise CLIError(f"the folder {path.parent} does not exist.")
    return path


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
    import json

    path = Path(path)
    if not path.is_file():
        raise CLIError(f"--graph {path}: no such file.")
    try:
        graph = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise CLIError(f"--graph {path} is not valid JSON: {exc}") from None
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
        print(
            f"warning: loading the pickle {path}, which can run arbitrary code.",
            file=sys.stderr,
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
    import json

    try:
        with open(path, encoding="utf-8") as handle:
            links = json.load(handle)
    except OSError as exc:
        raise CLIError(f"--links {path}: cannot be read: {exc}.") from None
    except json.JSONDecodeError as exc:
        raise CLIError(f"--links {path} is not valid JSON: {exc}.") from None
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
