"""The ``searchkit`` command line: thin click commands over ingest, search and output.

Errors from the library (the ``SearchkitError`` family) become a one-line
message on stderr and their exit code here, in ``Main.invoke``, and nowhere
else. Exit codes follow ripgrep: 0 something matched, 1 nothing did, 2 error.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from searchkit import __version__
from searchkit.errors import SearchkitError

DEFAULT_INDEX = Path("index")
DEFAULT_CORPUS = Path("corpus")


class Main(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except SearchkitError as exc:
            click.echo(f"searchkit: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("searchkit: interrupted; the index keeps its last committed state", err=True)
            ctx.exit(130)
        except BrokenPipeError:
            sys.stderr.close()  # reader went away (| head): not an error worth a word
            ctx.exit(0)


def index_option(f):
    return click.option(
        "--index", "index_dir", type=click.Path(file_okay=False, path_type=Path),
        default=DEFAULT_INDEX, show_default=True, help="Index directory.",
    )(f)


def json_option(f):
    return click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON output.")(f)


@click.group(cls=Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="searchkit")
def main():
    """Full-text search for archived blog posts and their comments."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@index_option
@click.option("--rebuild", is_flag=True, help="Start a new index instead of updating this one.")
def index(paths, index_dir, rebuild):
    """Index archive files (default: corpus/) into the index."""
    from searchkit.ingest import index_paths

    summary = index_paths(list(paths) or [DEFAULT_CORPUS], index_dir, rebuild=rebuild)
    for message in summary.warnings:
        click.echo(f"warning: {message}", err=True)
    for message in summary.errors:
        click.echo(f"error: {message}", err=True)
    click.echo(
        f"indexed {summary.files_read} file(s): {summary.articles} articles, "
        f"{summary.comments} comments into {index_dir}", err=True,
    )
    extra = [f"{n} {reason}" for reason, n in sorted(summary.left_out.items())]
    if extra:
        click.echo(f"left out: {', '.join(extra)}", err=True)
    if summary.ignored_files:
        click.echo(f"ignored {summary.ignored_files} file(s) of other types", err=True)
    click.echo(f"{len(summary.warnings)} warning(s), {len(summary.errors)} error(s)", err=True)
    if not summary.ok:
        sys.exit(2)


@main.command()
@click.argument("query")
@index_option
@click.option("--kind", type=click.Choice(["article", "comment"]), help="Only articles or only comments.")
@click.option("--limit", "-n", type=click.IntRange(min=1), default=10, show_default=True, help="Hits to show.")
@json_option
def search(query, index_dir, kind, limit, as_json):
    """Ranked search. QUERY uses AND by default; OR, NOT, "phrases", prefix*, field:value."""
    from searchkit import output
    from searchkit.search import Searcher

    with Searcher(index_dir) as s:
        results = s.search(query, kind=kind, limit=limit)
    out = click.get_text_stream("stdout")
    if as_json:
        for hit in results.hits:
            click.echo(output.json_line(output.hit_record(hit)))
    else:
        colour = output.use_colour(out.isatty())
        for hit in results.hits:
            click.echo(output.render_hit(hit, colour), color=colour)
        shown = len(results.hits)
        click.echo(f"{results.total} hit(s)" + (f", {shown} shown" if shown < results.total else ""), err=True)
    sys.exit(0 if results.hits else 1)


@main.command()
@index_option
@json_option
def stats(index_dir, as_json):
    """Documents by kind, sources and index size."""
    from searchkit import output
    from searchkit.search import Searcher

    with Searcher(index_dir) as s:
        data = s.stats()
    click.echo(output.json_line(data) if as_json else output.render_stats(data))
