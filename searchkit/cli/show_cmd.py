"""``searchkit show``: one document in full, or its whole thread."""

from __future__ import annotations

from pathlib import Path

import click

from searchkit import output
from searchkit.api import open_archive
from searchkit.cli import help as texts
from searchkit.cli.app import main
from searchkit.cli.options import index_option, json_option


@main.command(help=texts.SHOW, short_help="One document in full, or its whole thread.")
@click.argument("doc_id", metavar="ID")
@index_option
@click.option("--thread", is_flag=True, help="The whole post: article and every comment, replies indented.")
@json_option
def show(doc_id: str, index_dir: Path, thread: bool, as_json: bool) -> None:
    terminal = output.stdout_is_terminal()
    printer = output.choose_printer("json" if as_json else "terminal", None,
                                    output.Style.for_terminal(terminal and not as_json), output.terminal_width())
    with open_archive(index_dir) as archive:
        if not thread:
            printer.document(archive.document(doc_id))
            return
        doc = archive.document(doc_id)
        whole = archive.thread(doc_id, stream=True)  # comments read one at a time: print within the `with`
        # The terminal marks a comment asked for (an article heads the thread anyway); JSON marks either.
        printer.thread(whole, doc.id if as_json or doc.kind == "comment" else None)
