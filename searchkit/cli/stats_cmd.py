"""``searchkit stats``: what the index holds."""

from __future__ import annotations

from pathlib import Path

from searchkit import output
from searchkit.api import open_archive
from searchkit.cli import help as texts
from searchkit.cli.app import main
from searchkit.cli.options import index_option, json_option


@main.command(help=texts.STATS, short_help="What the index holds: documents, sources, size.")
@index_option
@json_option
def stats(index_dir: Path, as_json: bool) -> None:
    printer = output.choose_printer("json" if as_json else "terminal")
    with open_archive(index_dir) as archive:
        printer.stats(archive.stats())
