"""The ``skcounterfactual`` command line: ``demo``, ``audit`` and ``profiles``.

Exit codes: 0 success (``audit``: within bounds), 1 a bound exceeded, 2 a usage
or input error (one clear line on stderr, no traceback).
"""

import argparse
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
    _demo_samples,
    _free_path,
    _label,
    _load_model,
    _missing_package,
    _parse_links,
    _parse_values,
    _Progress,
    _read_data,
    _read_graph,
    _read_links,
)

TWIN_KINDS = ("all-else-equal", "causal", "transport")


# --------------------------------------------------------------------- commands
def run_audit(args):
    """Audit a saved model on a data file; exit 1 when a bound is exceeded."""
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
        y = data[args.target]
        data = data.drop(columns=[args.target])
    report_path = _free_path(args.report, args.overwrite) if args.report else None
    json_path = _free_path(args.json, args.overwrite) if args.json else None
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
    except (ValueError, TypeError, KeyError) as exc:
        raise CLIError(f"the audit failed: {exc}") from None
    except ImportError as exc:
        raise CLIError(str(exc)) from None
    progress("writing the results")
    result = json.loads(report.to_json())
    failures = _cli_kinds.check_bounds(result, args)
    failures = (
        _check_bounds(result, args.max_flip_rate, args.max_parity_difference) + failures
    )
    result["bounds"] = {
        "max_flip_rate": args.max_flip_rate,
        "max_parity_difference": args.max_parity_difference,
        "max_effect": args.max_effect,
        "exceeded": failures,
        "passed": not failures,
    }
    caveats = [
        f"{name}: {a.caveat()}" for name, a in report.attributes.items() if a.caveat()
    ]
    result["caveats"] = caveats
    print(report.to_markdown())
    if report_path:
        report.to_html(report_path)
        print(f"\nreport written to {report_path}")
    if json_path:
        json_path.write_text(json.dumps(result, indent=2))
        print(f"result written to {json_path}")
    for caveat in caveats:
        print(f"CAVEAT: {caveat}; link the columns the report names and audit again.")
    for note in _cli_kinds.notes(report):
        print(note)
    if failures:
        for failure in failures:
            print(f"FAIL: {failure}")
        return 1
    print("PASS: every bound holds.")
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
        random_state=args.random_state,
    )


def _check_bounds(result, max_flip_rate, max_parity_difference):
    failures = []
    for name, entry in result["attributes"].items():
        flip = entry.get("flip_rate")
        if max_flip_rate is not None and flip is not None and flip > max_flip_rate:
            failures.append(
                f"{name}: flip rate {flip:.4f} exceeds --max-flip-rate "
                f"{max_flip_rate} by {flip - max_flip_rate:.4f}"
            )
        parity = entry.get("demographic_parity_difference")
        if (
            max_parity_difference is not None
            and parity is not None
            and parity > max_parity_difference
        ):
            failures.append(
                f"{name}: demographic parity difference {parity:.4f} exceeds "
                f"--max-parity-difference {max_parity_difference} by "
                f"{parity - max_parity_difference:.4f}"
            )
    return failures


def run_demo(args):
    """Retell the tutorial end to end on the embedded loan scenario."""
    output_dir = Path(args.output_dir)
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CLIError(f"--output-dir {output_dir} cannot be created: {exc}") from None
    report = output_dir / "report.html"
    counter = 1
    while report.exists() and not args.overwrite:
        counter += 1
        report = output_dir / f"report-{counter}.html"
    try:
        from ._demo import demo, n_steps

        demo(
            n_samples=args.n_samples,
            random_state=args.random_state,
            report_path=report,
            progress=_Progress(n_steps(report), enabled=True),
        )
    except ImportError as exc:
        raise CLIError(_missing_package(exc, "the demo")) from None
    return 0


def run_profiles(args):
    """Write a balanced synthetic audit set from a small schema file."""
    from ._profiles import make_profiles

    schema_path = Path(args.schema)
    if not schema_path.is_file():
        raise CLIError(f"--schema {schema_path}: no such file.")
    try:
        schema = json.loads(schema_path.read_text())
    except json.JSONDecodeError as exc:
        raise CLIError(f"--schema {schema_path} is not valid JSON: {exc}") from None
    output = _free_path(args.output, args.overwrite)
    try:
        frame = make_profiles(
            schema, n_profiles=args.n_profiles, random_state=args.random_state
        )
    except (ValueError, TypeError) as exc:
        raise CLIError(f"--schema {schema_path}: {exc}") from None
    if output.suffix.lower() in (".parquet", ".pq"):
        try:
            frame.to_parquet(output, index=False)
        except ImportError:
            raise CLIError(
                "writing Parquet needs pyarrow: "
                "pip install 'skcounterfactual[parquet]'."
            ) from None
    else:
        frame.to_csv(output, index=False)
    print(f"{len(frame)} rows ({args.n_profiles} profiles) written to {output}")
    return 0


# ---------------------------------------------------------------------- parser
class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit code 2."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


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
    _add_demo(commands)
    _add_audit(commands)
    _add_profiles(commands)
    return parser


def _add_demo(commands):
    demo = commands.add_parser(
        "demo",
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
        help="audit a saved model on a data file (a CI gate)",
        description=(
            "Audit a saved model on a CSV or Parquet file: counterfactual flip rate "
            "per protected column, with parity metrics. Exit code 0 when every "
            "bound holds, 1 when one is exceeded, 2 on a usage or input error."
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
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("default")
            return args.func(args)
    except CLIError as exc:
        print(f"skcounterfactual {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
