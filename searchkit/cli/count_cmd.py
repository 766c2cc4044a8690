"""``searchkit count``: matching documents counted by kind, month, year, author or source."""

from __future__ import annotations

import sys
from typing import Any

import click

from searchkit import output
from searchkit.api import open_archive
from searchkit.cli import help as texts
from searchkit.cli.app import main
from searchkit.cli.options import QueryCommand, filter_options, index_option, json_option, make_filters, query_text
from searchkit.errors import QueryError


@main.command(cls=QueryCommand, help=texts.COUNT, short_help="Count matches by kind, month, year, author, source.")
@click.argument("words", nargs=-1, required=True, metavar="QUERY...")
@index_option
@filter_options
@click.option("--by", type=click.Choice(["kind", "month", "year", "author", "source"]), default="kind",
              show_default=True, help="What to count by; month and year draw a histogram.")
@json_option
@click.option("--csv", "as_csv", is_flag=True, help="CSV: a header row, then one row per line of counts.")
def count(words: tuple[str, ...], **params: Any) -> None:
    if params["as_json"] and params["as_csv"]:
        raise QueryError("choose one output among --json and --csv")
    filters = make_filters(params)
    fmt = "json" if params["as_json"] else "csv" if params["as_csv"] else "terminal"
    style = output.Style.for_terminal(output.stdout_is_terminal() and fmt == "terminal")
    printer = output.choose_printer(fmt, None, style, output.terminal_width())
    with open_archive(params["index_dir"]) as archive:
        buckets = archive.count_by(query_text(words), params["by"], filters)
    printer.buckets(buckets, params["by"])
    sys.exit(0 if sum(b.count for b in buckets) else 1)
