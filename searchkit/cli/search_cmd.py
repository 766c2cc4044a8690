"""``searchkit search``: ranked hits, flat or gathered by post, for a person or a program."""

from __future__ import annotations

import sys
from typing import Any

import click

from searchkit import output
from searchkit.api import open_archive
from searchkit.cli import help as texts
from searchkit.cli.app import main
from searchkit.cli.options import (
    QueryCommand,
    filter_options,
    index_option,
    json_option,
    make_filters,
    query_text,
    rerun_options,
)
from searchkit.errors import QueryError

TERMINAL_LIMIT = 10  # hits (posts with --group) shown when --limit is not given, unless exporting


def choose_limit(limit: int | None, exporting: bool) -> int | None:
    """Hits to show: --limit (0: all); else all for --json/--csv into a file or pipe, else 10.

    >>> choose_limit(None, True), choose_limit(None, False), choose_limit(0, False), choose_limit(5, True)
    (None, 10, None, 5)
    """
    if limit is None:
        return None if exporting else TERMINAL_LIMIT
    return limit or None


@main.command(cls=QueryCommand, help=texts.SEARCH, short_help="Ranked search; hits gathered by post on a terminal.")
@click.argument("words", nargs=-1, required=True, metavar="QUERY...")
@index_option
@filter_options
@click.option("--sort", type=click.Choice(["relevance", "date", "-date"]), default="relevance",
              show_default=True, help="Best first, oldest first or newest first.")
@click.option("--limit", "-n", type=click.IntRange(min=0), default=None,
              help="Hits to show (posts with --group); 0 for all.  [default: 10; all for --json/--csv "
                   "into a file or pipe]")
@click.option("--group/--flat", default=None,
              help="Gather hits under their article (default on a terminal) or list them one by one.")
@json_option
@click.option("--csv", "as_csv", is_flag=True, help="CSV: a header row, then one row per hit.")
@click.option("--full", is_flag=True, help="With --json or --csv: add each document's whole original text (body).")
@click.option("--count", "as_count", is_flag=True, help="Only the number of hits, per kind.")
def search(words: tuple[str, ...], **params: Any) -> None:
    if params["as_csv"] and (params["as_json"] or params["as_count"]):
        raise QueryError("choose one output: --csv cannot go with --json or --count")
    if params["full"] and not (params["as_json"] or params["as_csv"]):
        raise QueryError("--full adds the whole text to --json or --csv records: add one of them")
    query = query_text(words)
    filters = make_filters(params)
    terminal = output.stdout_is_terminal()
    fmt = "json" if params["as_json"] else "csv" if params["as_csv"] else "terminal"
    style = output.Style.for_terminal(terminal and fmt == "terminal")
    printer = output.choose_printer(fmt, None, style, output.terminal_width(), full=params["full"])
    group = params["group"]
    if group is None:  # grouped for a person, one hit per line/row for programs
        group = terminal and fmt == "terminal"
    limit = choose_limit(params["limit"], exporting=fmt != "terminal" and not terminal)
    with open_archive(params["index_dir"]) as archive:
        if params["as_count"]:
            counts = archive.count(query, filters)
            printer.counts(counts)
            sys.exit(0 if sum(counts.values()) else 1)
        if group:
            # Streamed: each hit is read and printed in turn, within the archive's `with`.
            grouped = archive.search_grouped(query, filters, sort=params["sort"], limit=limit, stream=True)
            printer.groups(grouped)
            found, total = bool(grouped.groups), grouped.total  # a post is shown only for a hit in it
        else:
            results = archive.search(query, filters, sort=params["sort"], limit=limit, stream=True)
            printer.hits(results)
            found, total = bool(results.hits), results.total
        suggestion = archive.did_you_mean(query, found=total, filters=filters)
    if suggestion:  # on stderr, so stdout stays hits only (a JSON object with --json)
        printer.suggestion(suggestion, rerun_options(params))
    sys.exit(0 if found else 1)
