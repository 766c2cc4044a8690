"""``searchkit index``: read archive files into the index and say what was read, left out and wrong."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from searchkit.cli import help as texts
from searchkit.cli.app import main
from searchkit.cli.options import DEFAULT_CORPUS, index_option
from searchkit.output.streams import note
from searchkit.output.text import safe  # file names and archived text may hold terminal escapes


@main.command(help=texts.INDEX, short_help="Index archive files; only new and changed ones are read.")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@index_option
@click.option("--rebuild", is_flag=True,
              help="Build a new index from scratch; the old one stays until the new one is complete.")
@click.option("--wait", type=click.FloatRange(min=0), default=5.0, show_default=True, metavar="SECONDS",
              help="How long to wait for another process writing the same index.")
@click.option("--shards", type=click.IntRange(1, 1024), metavar="N",
              help="OpenSearch: primary shards of the index a build creates (default: 1, or as the index "
                   "rebuilt); set when the index is built, so changing it needs --rebuild.")
@click.option("--replicas", type=click.IntRange(0, 100), metavar="N",
              help="OpenSearch: copies of each shard on other nodes (default: 1 once the cluster has 2 nodes, "
                   "else 0); changed in place on an existing index.")
def index(paths: tuple[Path, ...], index_dir: Path, rebuild: bool, wait: float, shards: int | None,
          replicas: int | None) -> None:
    from searchkit.ingest import index_paths

    summary = index_paths(list(paths) or [DEFAULT_CORPUS], index_dir, rebuild=rebuild, wait=wait, shards=shards,
                          replicas=replicas, render=safe)
    # Each kind shows its first messages.SHOWN; the rest are counted and, with them, in the run's log file.
    for kind, messages in (("note", summary.notes), ("warning", summary.warnings), ("error", summary.errors),
                           ("duplicate", summary.duplicates)):  # duplicate: where each dropped copy was
        for message in messages:
            note(f"{kind}: {safe(str(message))}")
        if messages.more:
            note(f"{kind}: … and {messages.more} more; {_where_all(summary.log, messages.count, kind)}")
    note(f"indexed {summary.files_read} file(s): {summary.articles} articles, "
         f"{summary.comments} comments into {safe(str(index_dir))}")
    note(f"files: {summary.added} added, {summary.updated} updated, {summary.removed} removed, "
         f"{summary.unchanged} unchanged")
    extra = [f"{n} {reason}" for reason, n in sorted(summary.left_out.items())]
    if extra:
        note(f"left out: {', '.join(extra)}")
    if summary.ignored_files:
        note(f"ignored {summary.ignored_files} file(s) of other types")
    note(f"{summary.warnings.count} warning(s), {summary.errors.count} error(s)")
    sys.exit(0 if summary.ok else 2)


def _where_all(log, count: int, kind: str) -> str:
    if log.path is not None and log.failure is None:
        return f"all {count} {kind}(s) are listed in {safe(log.path)}"
    if log.path is not None:
        return f"the list in {safe(log.path)} is incomplete ({log.failure})"
    return f"they could not be written to a log file ({log.failure})"
