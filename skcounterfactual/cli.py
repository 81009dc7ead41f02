"""The ``skcounterfactual`` command line: ``demo``, ``audit`` and ``profiles``.

Exit codes: 0 success (``audit``: every requested bound was checked and holds),
1 a bound is exceeded, 2 a usage, input, model or output error, including a
requested bound that could not be computed (one line on stderr, no traceback
unless ``--debug``).
"""

import argparse
import io
import json
import sys
import warnings
from pathlib import Path

from . import __version__, _cli_kinds
from ._cli_io import (
    MIN_DEMO_SAMPLES,
    TRUST_HELP,
    CLIError,
    _Bar,
    _bound,
    _count,
    _demo_samples,
    _label,
    _load_model,
    _missing_package,
    _parse_links,
    _parse_values,
    _Progress,
    _read_data,
    _read_graph,
    _read_links,
    describe,
    distinct_outputs,
    fail,
    format_warning,
    one_line,
    output_path,
    read_json,
    say,
    write_output,
)
from ._escape import csv_cell

TWIN_KINDS = ("all-else-equal", "causal", "transport")


# --------------------------------------------------------------------- commands
# (option, attribute of the parsed arguments, JSON key, how an excess reads)
BOUNDS = (
    (
        "--max-flip-rate",
        "max_flip_rate",
        "flip_rate",
        "flip rate {value:.4f} exceeds {option} {bound} by {excess:.4f}",
    ),
    (
        "--max-parity-difference",
        "max_parity_difference",
        "demographic_parity_difference",
        "demographic parity difference {value:.4f} exceeds {option} {bound} by "
        "{excess:.4f}",
    ),
    (
        "--max-effect",
        "max_effect",
        "score_change",
        "effect (mean absolute change) {value:.4g} exceeds {option} {bound:g} by "
        "{excess:.4g}",
    ),
)
NO_BOUND = (
    "NO BOUND: no --max-flip-rate, --max-parity-difference or --max-effect was "
    "given, so nothing was checked; the audit above is for reading."
)


def run_audit(args):
    """Audit a saved model on a data file; exit 1 when a bound is exceeded."""
    # outputs first: a path that cannot be written fails before the audit
    report_path = (
        output_path(args.report, "--report", args.overwrite) if args.report else None
    )
    json_path = output_path(args.json, "--json", args.overwrite) if args.json else None
    distinct_outputs(
        **{"--data": args.data, "--model": args.model, "--links": args.links},
        **{"--graph": args.graph, "--report": report_path, "--json": json_path},
    )
    data = _read_data(args.data)
    missing = [c for c in args.protected if c not in data.columns]
    if missing:
        raise CLIError(
            f"--protected {missing[0]!r} is not a column of {args.data}. "
            f"Columns: {list(data.columns)}."
        )
    y = None
    if args.target:
        if args.target not in data.columns:
            raise CLIError(
                f"--target {args.target!r} is not a column of {args.data}. "
                f"Columns: {list(data.columns)}."
            )
        if args.target in args.protected:
            raise CLIError(
                f"--target {args.target!r} is also a --protected column; the label "
                "cannot be a protected attribute of the rows."
            )
        y = data[args.target]
        data = data.drop(columns=[args.target])
    progress = _Progress(3, enabled=None if len(data) >= 10_000 else False)
    progress("loading the model")
    model = _load_model(args.model, args.trust or [], args.allow_pickle)
    links = _parse_links(args.link, data, args.protected)
    if args.links:
        links = {**_read_links(args.links, data, args.protected), **links}
    if links and len(args.protected) > 1:
        raise CLIError("--link and --links work with a single --protected column.")
    values = _parse_values(args.values, data)
    progress(f"auditing {len(data):,} rows")
    from ._audit import run_audit

    pos_label = None
    if args.pos_label is not None:
        pos_label = _label(args.pos_label, getattr(model, "classes_", None))
    model = _cli_kinds.with_threshold(model, args.threshold, pos_label, data)
    augmenter = _twin_maker(args, data, links, values)
    try:
        report = run_audit(
            model,
            data,
            y,
            augmenter=augmenter,
            pos_label=pos_label,
            tolerance=args.tolerance,
            chunk_size=50_000,
            progress=_Bar("auditing", sys.stderr.isatty() and len(data) >= 10_000),
        )
    except (ValueError, TypeError) as exc:
        raise CLIError(f"the audit failed: {exc}") from exc
    except ImportError as exc:
        raise CLIError(_missing_package(exc, "the audit")) from exc
    except Exception as exc:  # the model (or a twin maker) raised anything else
        raise CLIError(f"the audit failed: {describe(exc)}") from exc
    progress("writing the results")
    result = json.loads(report.to_json())
    exceeded, unchecked = _check_bounds(result, args)
    requested = {attr: getattr(args, attr) for _, attr, _, _ in BOUNDS}
    result["bounds"] = {
        **requested,
        "exceeded": exceeded,
        "unchecked": unchecked,
        # null: no bound was requested, so the gate has nothing to say
        "passed": None
        if all(v is None for v in requested.values())
        else not exceeded and not unchecked,
    }
    caveats = [
        f"{name}: {a.caveat()}" for name, a in report.attributes.items() if a.caveat()
    ]
    result["caveats"] = caveats
    say(report.to_markdown())
    if report_path:
        write_output(report_path, report.to_html(), "--report")
        say(f"\nreport written to {report_path}")
    if json_path:
        text = json.dumps(result, indent=2, allow_nan=False)
        write_output(json_path, text, "--json")
        say(f"result written to {json_path}")
    for caveat in caveats:
        say(f"CAVEAT: {caveat}; link the columns the report names and audit again.")
    for note in _cli_kinds.notes(report):
        say(note)
    for failure in exceeded:
        say(f"FAIL: {failure}")
    if unchecked:
        raise CLIError("a requested bound could not be checked: " + " ".join(unchecked))
    if exceeded:
        return 1
    if result["bounds"]["passed"] is None:
        say(NO_BOUND)
        return 0
    say("PASS: every bound holds.")
    return 0


def _twin_maker(args, data, links, values):
    """Return the twin maker that ``--twins`` (and ``--graph``) ask for."""
    from ._augmenter import CounterfactualAugmenter
    from ._causal import CausalAugmenter
    from ._transport import TransportAugmenter

    protected = args.protected if len(args.protected) > 1 else args.protected[0]
    if args.graph is not None and args.twins != "causal":
        raise CLIError(
            f"--graph is read by --twins causal only, got --twins {args.twins}. "
            "Pass --twins causal or drop --graph."
        )
    if args.twins == "causal":
        if args.graph is None:
            raise CLIError(
                "--twins causal needs --graph FILE: a JSON list of [cause, effect] "
                'column pairs, e.g. [["gender", "income"], ["income", "debt"]].'
            )
        return CausalAugmenter(
            protected=protected,
            graph=_read_graph(args.graph, data),
            links=links or None,
            values=values or None,
            mechanisms=args.mechanisms,
            random_state=args.random_state,
        )
    if args.n_twins is not None and args.twins != "all-else-equal":
        raise CLIError(
            f"--n-twins is read by --twins all-else-equal only, got --twins "
            f"{args.twins}. Drop --n-twins."
        )
    if args.twins == "transport":
        if links or values:
            option = "--link" if links else "--values"
            raise CLIError(
                f"{option} does not apply to --twins transport: a transport twin "
                "is another person of the other group, every column included."
            )
        return TransportAugmenter(protected=protected)
    return CounterfactualAugmenter(
        protected=protected,
        links=links or None,
        values=values or None,
        n_twins=args.n_twins,
        random_state=args.random_state,
    )


def _check_bounds(result, args):
    """Return ``(exceeded, unchecked)``: one sentence per attribute and bound.

    A requested bound whose value is undefined (null in the JSON) for an
    attribute is *unchecked*, with the reason the audit gives and the fix.
    """
    exceeded, unchecked = [], []
    for name, entry in result["attributes"].items():
        for option, attr, key, excess in BOUNDS:
            bound = getattr(args, attr)
            if bound is None:
                continue
            value = entry.get(key)
            if value is None:
                reason = entry.get("undefined", {}).get(key, "not computed")
                unchecked.append(_cli_kinds.uncheckable(option, name, key, reason))
            elif value > bound:
                text = excess.format(
                    value=value, option=option, bound=bound, excess=value - bound
                )
                exceeded.append(f"{name}: {text}")
    return exceeded, unchecked


def run_demo(args):
    """Retell the tutorial end to end on the embedded loan scenario."""
    output_dir = Path(args.output_dir)
    if output_dir.is_symlink() and not output_dir.exists():
        raise CLIError(
            f"--output-dir {str(output_dir)!r} is a dangling symbolic link; remove "
            "it or choose another folder."
        )
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CLIError(
            f"--output-dir {str(output_dir)!r} cannot be created "
            f"({exc.strerror or exc})."
        ) from None
    if not output_dir.is_dir():
        raise CLIError(f"--output-dir {str(output_dir)!r} is not a folder.")
    report = output_dir / "report.html"
    counter = 1
    while (report.exists() or report.is_symlink()) and not args.overwrite:
        counter += 1
        report = output_dir / f"report-{counter}.html"
    report = output_path(report, "--output-dir", args.overwrite)
    try:
        from ._demo import demo, n_steps

        demo(
            n_samples=args.n_samples,
            random_state=args.random_state,
            report_path=report,
            progress=_Progress(n_steps(report), enabled=True),
            write=lambda path, text: write_output(path, text, "--output-dir"),
        )
    except ImportError as exc:
        raise CLIError(_missing_package(exc, "the demo")) from None
    return 0


def run_profiles(args):
    """Write a balanced synthetic audit set from a small schema file."""
    from ._profiles import make_profiles

    output = output_path(args.output, "--output", args.overwrite)
    distinct_outputs(**{"--schema": args.schema, "--output": output})
    suffix = output.suffix.lower()
    if suffix not in PROFILE_FORMATS:
        raise CLIError(
            f"--output {str(output)!r}: unsupported format {suffix!r}; use "
            f"{', '.join(PROFILE_FORMATS)}."
        )
    schema = read_json(args.schema, "--schema")
    try:
        frame = make_profiles(
            schema, n_profiles=args.n_profiles, random_state=args.random_state
        )
    except (ValueError, TypeError) as exc:
        raise CLIError(f"--schema {args.schema}: {exc}") from None
    if suffix in (".parquet", ".pq"):
        try:
            buffer = io.BytesIO()
            frame.to_parquet(buffer, index=False)
        except ImportError:
            raise CLIError(
                "writing Parquet needs pyarrow: "
                "pip install 'skcounterfactual[parquet]'."
            ) from None
        write_output(output, buffer.getvalue(), "--output")
    else:
        write_output(output, _spreadsheet_safe(frame).to_csv(index=False), "--output")
    say(f"{len(frame)} rows ({args.n_profiles} profiles) written to {output}")
    return 0


PROFILE_FORMATS = (".csv", ".parquet", ".pq")


def _spreadsheet_safe(frame):
    """Return a copy whose text cells and names a spreadsheet reads as text.

    A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
    gets a leading ``'`` (see ``_escape.csv_cell``); numbers are left alone.
    """
    out = frame.rename(columns=lambda c: csv_cell(str(c)))
    for column in out.columns:
        if not (
            out[column].dtype == object or str(out[column].dtype).startswith("str")
        ):
            continue
        out[column] = out[column].map(csv_cell, na_action="ignore")
    return out


# ---------------------------------------------------------------------- parser
class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit code 2."""

    def error(self, message):
        say(
            f"{self.prog}: error: {one_line(message)} (see {self.prog} --help)",
            sys.stderr,
        )
        self.exit(2)


def build_parser():
    """Return the argument parser of the ``skcounterfactual`` command."""
    parser = _Parser(
        prog="skcounterfactual",
        description="Counterfactual fairness audits for scikit-learn models.",
        epilog="Run 'skcounterfactual demo' for a tour on the embedded loan scenario.",
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}"
    )
    commands = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=_Parser
    )
    commands.common = argparse.ArgumentParser(add_help=False)
    commands.common.add_argument(
        "--debug",
        action="store_true",
        help="on an error, show the traceback before the one-line message",
    )
    _add_demo(commands)
    _add_audit(commands)
    _add_profiles(commands)
    return parser


def _add_demo(commands):
    demo = commands.add_parser(
        "demo",
        parents=[commands.common],
        help="train biased and fair loan models, rank them, audit the choice",
        description=(
            "Retell the hands-on tutorial: generate biased loan decisions, train "
            "candidate models, rank them on accuracy, counterfactual flips and "
            "demographic parity, audit the chosen model and write an HTML report."
        ),
        epilog="example: skcounterfactual demo --n-samples 2000 --output-dir out",
    )
    demo.add_argument(
        "--n-samples",
        type=_demo_samples,
        default=2000,
        help=f"applicants to generate (at least {MIN_DEMO_SAMPLES})",
    )
    demo.add_argument(
        "--output-dir", default="skcounterfactual-demo", help="report folder"
    )
    demo.add_argument("--random-state", type=int, default=42, help="seed")
    demo.add_argument("--overwrite", action="store_true", help="replace report.html")
    demo.set_defaults(func=run_demo)


def _add_audit(commands):
    audit = commands.add_parser(
        "audit",
        parents=[commands.common],
        help="audit a saved model on a data file (a CI gate)",
        description=(
            "Audit a saved model on a CSV or Parquet file: counterfactual flip rate "
            "per protected column, with parity metrics. Exit code 0 when every "
            "requested bound was checked and holds (or none was requested: the "
            "output then says NO BOUND), 1 when one is exceeded, 2 on a usage, "
            "input, model or output error, or when a requested bound cannot be "
            "computed."
        ),
        epilog=(
            "example: skcounterfactual audit --model model.skops --data applicants.csv "
            "--protected gender --link gender_code=Male:1,Female:0 "
            "--trust sklearn.tree._tree.Tree --max-flip-rate 0.01 --json result.json. "
            + TRUST_HELP
        ),
    )
    audit.add_argument("--model", required=True, help=".skops file (or a pickle)")
    audit.add_argument("--data", required=True, help=".csv or .parquet file")
    audit.add_argument(
        "--protected", required=True, action="append", help="protected column (repeat)"
    )
    audit.add_argument(
        "--link",
        action="append",
        help="COL=FIELD (first_name, title, ...; text for a free-text column) or "
        "COL=VALUE:MAPPED,... (repeat)",
    )
    audit.add_argument(
        "--links",
        metavar="FILE",
        help=(
            "JSON file {column: link} (value maps, translations, fields), e.g. the "
            "suggested_links of a previous --json result"
        ),
    )
    audit.add_argument(
        "--values", action="append", help="COL=V1,V2,... domain (repeat)"
    )
    audit.add_argument(
        "--n-twins",
        type=_count,
        metavar="K",
        help=(
            "twins per row and attribute, K values drawn from the domain "
            "(default: one twin per other value; needed above 1,000 values)"
        ),
    )
    audit.add_argument(
        "--twins",
        choices=TWIN_KINDS,
        default="all-else-equal",
        help=(
            "all-else-equal: only the protected column and its links change; "
            "causal: its descendants in --graph follow (needs dowhy); transport: "
            "each row's optimal-transport counterpart in the other group "
            "(FlipTest, needs pot)"
        ),
    )
    audit.add_argument(
        "--graph",
        metavar="FILE",
        help='causal graph for --twins causal: JSON [["cause", "effect"], ...]',
    )
    audit.add_argument(
        "--mechanisms",
        choices=("auto", "linear"),
        default="auto",
        help="how --twins causal fits each descendant (auto: model selection)",
    )
    audit.add_argument("--target", help="label column, for accuracy and error rates")
    audit.add_argument(
        "--pos-label",
        metavar="LABEL",
        help=(
            "the favourable decision (default: 1 for 0/1 labels), read as the "
            "model's label type"
        ),
    )
    audit.add_argument("--max-flip-rate", type=_bound, help="fail above this flip rate")
    audit.add_argument(
        "--max-parity-difference", type=_bound, help="fail above this parity difference"
    )
    _cli_kinds.add_options(audit)
    audit.add_argument("--report", help="write the HTML report here")
    audit.add_argument("--json", help="write the machine-readable result here")
    audit.add_argument(
        "--trust",
        action="append",
        metavar="TYPE",
        help="a skops type you trust, e.g. sklearn.tree._tree.Tree (repeat)",
    )
    audit.add_argument(
        "--allow-pickle",
        action="store_true",
        help="load pickles (can run arbitrary code)",
    )
    audit.add_argument("--overwrite", action="store_true", help="replace output files")
    audit.add_argument("--random-state", type=int, default=0, help="seed of the twins")
    audit.set_defaults(func=run_audit)


def _add_profiles(commands):
    profiles = commands.add_parser(
        "profiles",
        parents=[commands.common],
        help="write a balanced synthetic audit set (no real personal data)",
        description=(
            "Generate base profiles from a JSON schema (IDs, numeric columns and "
            "categorical columns with weights) and clone each across every value "
            "of the protected attribute, with Mimesis names and titles and linked "
            "columns that agree with it."
        ),
        epilog=(
            "example: skcounterfactual profiles --schema schema.json --n-profiles 100 "
            '--output profiles.csv, with schema.json: {"id": "applicant_id", '
            '"protected": {"gender": ["Male", "Female"]}, "columns": {"income": '
            '{"low": 40000, "high": 70000}, "region": {"values": ["north", '
            '"south"], "weights": [2, 1]}}, "links": {"gender_code": {"Male": 1, '
            '"Female": 0}, "first_name": "first_name"}}'
        ),
    )
    profiles.add_argument("--schema", required=True, help="JSON schema file")
    profiles.add_argument("--n-profiles", type=int, default=100, help="base profiles")
    profiles.add_argument("--output", required=True, help=".csv or .parquet file")
    profiles.add_argument("--random-state", type=int, default=0, help="seed")
    profiles.add_argument("--overwrite", action="store_true", help="replace the output")
    profiles.set_defaults(func=run_profiles)


def main(argv=None):
    """Run the command line; return the exit code.

    Every error ends the command with exit code 2 and one line on stderr
    (with ``--debug``, the traceback first); warnings are one line each.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    debug = args.debug
    original = warnings.formatwarning
    warnings.formatwarning = format_warning(args.command)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("default")
            return args.func(args)
    except CLIError as exc:
        fail(args.command, exc, debug, exc.__cause__)
        return 2
    except KeyboardInterrupt:
        say("interrupted", sys.stderr)
        return 130
    except Exception as exc:  # a bug, or an error no check foresaw
        fail(args.command, f"unexpected {describe(exc)}", debug, exc)
        return 2
    finally:
        warnings.formatwarning = original


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
