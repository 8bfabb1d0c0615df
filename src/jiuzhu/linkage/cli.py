"""Command line: ``jiuzhu dedupe FILE …`` / ``jiuzhu link LEFT RIGHT …`` (Django management
commands wrapping this module) and, without Django, ``python -m jiuzhu.linkage dedupe|link …``
with the same arguments. Exit code 2 with a one-line message for bad arguments or input."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import polars as pl

from jiuzhu.common.exports import safe_frame

from .comparisons import KINDS, Compare, LinkageError
from .engine import ENGINES, dedupe, link, read_table

EPILOG = f"KIND is one of: {', '.join(KINDS)}. Files: .csv (UTF-8 or GB18030) or .parquet."


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--id", required=True, metavar="COL", help="column identifying a record (unique)")
    parser.add_argument(
        "--compare",
        action="append",
        default=[],
        metavar="COL:KIND",
        help="compare column COL as KIND (repeat for each column)",
    )
    parser.add_argument("--preset", help="a preset instead of --compare, e.g. 'person'")
    parser.add_argument(
        "--out", required=True, metavar="PAIRS", help="where to write the pairs (.csv or .parquet)"
    )
    parser.add_argument(
        "--threshold", type=float, default=0.5, help="minimum match probability (default 0.5)"
    )
    parser.add_argument("--clusters", metavar="FILE", help="also write the connected groups of records there")
    parser.add_argument("--engine", choices=ENGINES, default="duckdb", help="SQL engine (default duckdb)")
    parser.add_argument(
        "--train",
        choices=("auto", "yes", "no"),
        default="auto",
        help="train on the data (auto: when there are ≥ 1000 records per side)",
    )
    parser.add_argument("--detail", action="store_true", help="add each comparison's level to the pairs")
    parser.add_argument("--model-out", metavar="JSON", help="write the trained model (JSON) there")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")


def add_dedupe_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="the person file (.csv or .parquet)")
    _common(parser)


def add_link_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("left", metavar="LEFT", help="the left file (.csv or .parquet)")
    parser.add_argument("right", metavar="RIGHT", help="the right file (.csv or .parquet)")
    _common(parser)
    parser.add_argument("--right-id", metavar="COL", help="the right file's id column, if not --id")


def _write(df: pl.DataFrame, path: str) -> None:
    target = Path(path)
    if target.parent and not target.parent.exists():
        raise LinkageError(f"cannot write {path}: folder {target.parent} does not exist")
    if target.suffix.lower() in (".parquet", ".pq"):
        df.write_parquet(target)
    else:
        safe_frame(df).write_csv(target)  # read in a spreadsheet: no formulas


def _options(args: argparse.Namespace) -> dict:
    if not args.compare and not args.preset:
        raise LinkageError(
            f"give --compare COL:KIND (one or more) or --preset; KIND is one of {', '.join(KINDS)}"
        )
    return {
        "compares": [Compare.parse(c) for c in args.compare] or None,
        "preset": args.preset,
        "threshold": args.threshold,
        "engine": args.engine,
        "progress": not args.quiet,
        "train": {"auto": "auto", "yes": True, "no": False}[args.train],
        "detail": args.detail,
        "model_out": args.model_out,
    }


def _say(args: argparse.Namespace, message: str) -> None:
    if not args.quiet:
        print(message, file=sys.stderr)


def run_dedupe(args: argparse.Namespace) -> int:
    """Run ``dedupe`` from parsed arguments; raises LinkageError for bad input."""
    from .clusters import clusters

    options = _options(args)
    data = read_table(args.file, what=args.file)
    pairs = dedupe(data, id_col=args.id, **options)
    _write(pairs, args.out)
    _say(args, f"{pairs.height} pairs written to {args.out}")
    if args.clusters:
        groups = clusters(pairs, data.get_column(args.id))
        _write(groups, args.clusters)
        _say(args, f"{groups.get_column('cluster_id').n_unique()} clusters written to {args.clusters}")
    return 0


def run_link(args: argparse.Namespace) -> int:
    """Run ``link`` from parsed arguments; raises LinkageError for bad input."""
    from .clusters import clusters

    options = _options(args)
    left = read_table(args.left, what=args.left)
    right = read_table(args.right, what=args.right)
    right_id = args.right_id or args.id
    pairs = link(left, right, id_col=args.id, right_id_col=right_id, **options)
    _write(pairs, args.out)
    _say(args, f"{pairs.height} pairs written to {args.out}")
    if args.clusters:
        groups = clusters(pairs, left.get_column(args.id), right.get_column(right_id))
        _write(groups, args.clusters)
        _say(args, f"{groups.get_column('cluster_id').n_unique()} clusters written to {args.clusters}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m jiuzhu.linkage", description="Record linkage of person files."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    add_dedupe_arguments(
        sub.add_parser("dedupe", help="pairs of records in one file that are the same person", epilog=EPILOG)
    )
    add_link_arguments(
        sub.add_parser(
            "link", help="pairs of records across two files that are the same person", epilog=EPILOG
        )
    )
    args = parser.parse_args(argv)
    try:
        return run_dedupe(args) if args.command == "dedupe" else run_link(args)
    except LinkageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
