"""The ``searchkit`` command line: thin click commands over ingest, search and output.

Errors from the library (the ``SearchkitError`` family) become a one-line
message on stderr and their exit code here, in ``Main.invoke``, and nowhere
else. Exit codes follow ripgrep: 0 something matched, 1 nothing did, 2 error.
"""

from __future__ import annotations

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
@click.option("--rebuild", is_flag=True,
              help="Build a new index from scratch; the old one stays until the new one is complete.")
@click.option("--wait", type=click.FloatRange(min=0), default=5.0, show_default=True, metavar="SECONDS",
              help="How long to wait for another process writing the same index.")
def index(paths, index_dir, rebuild, wait):
    """Index archive files (default: corpus/) into the index; only new and changed files are read."""
    from searchkit.ingest import index_paths
    from searchkit.output import safe  # file names and archived text may hold terminal escapes

    summary = index_paths(list(paths) or [DEFAULT_CORPUS], index_dir, rebuild=rebuild, wait=wait)
    for message in summary.notes:
        click.echo(f"note: {safe(message)}", err=True)
    for message in summary.warnings:
        click.echo(f"warning: {safe(message)}", err=True)
    for message in summary.errors:
        click.echo(f"error: {safe(message)}", err=True)
    for duplicate in summary.duplicates:  # where each dropped copy was, and what it repeats
        click.echo(f"duplicate: {safe(str(duplicate))}", err=True)
    click.echo(
        f"indexed {summary.files_read} file(s): {summary.articles} articles, "
        f"{summary.comments} comments into {index_dir}", err=True,
    )
    click.echo(
        f"files: {summary.added} added, {summary.updated} updated, {summary.removed} removed, "
        f"{summary.unchanged} unchanged", err=True,
    )
    extra = [f"{n} {reason}" for reason, n in sorted(summary.left_out.items())]
    if extra:
        click.echo(f"left out: {', '.join(extra)}", err=True)
    if summary.ignored_files:
        click.echo(f"ignored {summary.ignored_files} file(s) of other types", err=True)
    click.echo(f"{len(summary.warnings)} warning(s), {len(summary.errors)} error(s)", err=True)
    if not summary.ok:
        sys.exit(2)


def filter_options(f):
    """The options that narrow what matches, shared by ``search`` and ``count``."""
    options = [
        click.option("--kind", type=click.Choice(["article", "comment"]), help="Only articles or only comments."),
        click.option("--in-article", metavar="QUERY",
                     help="Only comments whose article matches QUERY."),
        click.option("--with-comments", metavar="QUERY",
                     help="Only articles having a comment that matches QUERY."),
        click.option("--since", metavar="DATE", help="From this day, month or year on (2021, 2021-02, 2021-02-19)."),
        click.option("--until", metavar="DATE", help="Up to the end of this day, month or year."),
        click.option("--author", metavar="NAME", help="Only documents by this author (words of the name)."),
        click.option("--source", metavar="PATTERN",
                     help="Only documents from sources matching this glob (path or file name)."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def make_filters(kind, in_article, with_comments, since, until, author, source):
    from searchkit.filters import Filters

    return Filters.from_options(kind=kind, since=since, until=until, author=author, source=source,
                                in_article=in_article, with_comments=with_comments)


@main.command()
@click.argument("query")
@index_option
@filter_options
@click.option("--sort", type=click.Choice(["relevance", "date", "-date"]), default="relevance",
              show_default=True, help="Best first, oldest first or newest first.")
@click.option("--limit", "-n", type=click.IntRange(min=0), default=10, show_default=True,
              help="Hits to show (posts with --group); 0 for all.")
@click.option("--group/--flat", default=None,
              help="Gather hits under their article (default on a terminal) or list them one by one.")
@json_option
@click.option("--csv", "as_csv", is_flag=True, help="CSV: a header row, then one row per hit.")
@click.option("--count", "as_count", is_flag=True, help="Only the number of hits, per kind.")
def search(query, index_dir, kind, in_article, with_comments, since, until, author, source,
           sort, limit, group, as_json, as_csv, as_count):
    """Ranked search. QUERY uses AND by default; OR, NOT, "phrases", prefix*, field:value."""
    from searchkit import output
    from searchkit.errors import QueryError
    from searchkit.search import Searcher

    if as_csv and (as_json or as_count):
        raise QueryError("choose one output: --csv cannot go with --json or --count")
    filters = make_filters(kind, in_article, with_comments, since, until, author, source)
    terminal = output.stdout_is_terminal()
    colour = output.use_colour(terminal) and not (as_json or as_csv)
    if group is None:  # grouped for a person, one hit per line/row for programs
        group = terminal and not (as_json or as_csv)
    with Searcher(index_dir) as s:
        if as_count:
            counts = s.count(query, filters)
            click.echo(output.json_line({**counts, "total": sum(counts.values())}) if as_json
                       else output.render_counts(counts))
            sys.exit(0 if sum(counts.values()) else 1)
        if group:
            results = s.search_grouped(query, limit=limit or 10**9, filters=filters, sort=sort)
            hits = [h for g in results.groups for h in g.hits]
        else:
            results = s.search(query, limit=limit or None, filters=filters, sort=sort)
            hits = results.hits
        suggestion = s.did_you_mean(query, found=results.total)
    if as_csv:
        output.write_csv(hits, sys.stdout)
    elif as_json and group:
        for g in results.groups:
            click.echo(output.json_line(output.group_record(g)))
    elif as_json:
        for hit in hits:
            click.echo(output.json_line(output.hit_record(hit)))
    elif group:
        for g in results.groups:
            click.echo(output.render_group(g, colour), color=colour)
        shown = len(results.groups)
        more = f", {shown} shown" if shown < results.total_groups else ""
        click.echo(f"{results.total} hit(s) in {results.total_groups} post(s){more}", err=True)
    else:
        for hit in hits:
            click.echo(output.render_hit(hit, colour), color=colour)
        shown = len(hits)
        click.echo(f"{results.total} hit(s)" + (f", {shown} shown" if shown < results.total else ""), err=True)
    if suggestion:  # on stderr, so stdout stays hits only (a JSON object with --json)
        rerun = (["--kind", kind] if kind else []) + (["--index", str(index_dir)] if index_dir != DEFAULT_INDEX else [])
        click.echo(output.json_line(suggestion.record(rerun)) if as_json
                   else f"did you mean: {suggestion.command(rerun)}", err=True)
    sys.exit(0 if hits else 1)


@main.command()
@click.argument("doc_id", metavar="ID")
@index_option
@click.option("--thread", is_flag=True, help="The whole post: article and every comment, replies indented.")
@json_option
def show(doc_id, index_dir, thread, as_json):
    """One document in full (ID as search prints it), or with --thread its whole post."""
    from searchkit import output
    from searchkit.search import Searcher

    colour = output.use_colour(output.stdout_is_terminal()) and not as_json
    with Searcher(index_dir) as s:
        doc = s.document(doc_id)
        if not thread:
            click.echo(output.json_line(output.document_record(doc)) if as_json
                       else output.render_document(doc, colour), color=colour)
            return
        article, comments = s.thread(doc.post_id)
    if as_json:
        if article is not None:
            click.echo(output.json_line(output.document_record(article, depth=0)))
        for comment, depth in comments:
            click.echo(output.json_line(output.document_record(comment, depth=depth + 1)))
        return
    click.echo(output.render_thread(article, comments, colour, focus=doc.id if doc.kind == "comment" else None),
               color=colour)


@main.command()
@click.argument("query")
@index_option
@filter_options
@click.option("--by", type=click.Choice(["kind", "month", "year", "author", "source"]), default="kind",
              show_default=True, help="What to count by; month and year draw a histogram.")
@json_option
@click.option("--csv", "as_csv", is_flag=True, help="CSV: a header row, then one row per line of counts.")
def count(query, index_dir, kind, in_article, with_comments, since, until, author, source, by, as_json, as_csv):
    """Count matching documents by kind, month, year, author or source (no ranking)."""
    from searchkit import output, timeline
    from searchkit.errors import QueryError
    from searchkit.search import Searcher

    if as_json and as_csv:
        raise QueryError("choose one output among --json and --csv")
    filters = make_filters(kind, in_article, with_comments, since, until, author, source)
    with Searcher(index_dir) as s:
        buckets = s.count_by(query, by, filters)
    total = sum(b.count for b in buckets)
    if as_csv:
        timeline.write_csv(buckets, by, sys.stdout)
    elif as_json:
        for b in buckets:
            click.echo(output.json_line(timeline.bucket_record(b, by)))
    elif by in ("month", "year"):
        colour = output.use_colour(output.stdout_is_terminal())
        if buckets:
            click.echo(timeline.render_histogram(buckets, by, colour, output.terminal_width()), color=colour)
        click.echo(f"{total} matching document(s)", err=True)
    else:
        click.echo(timeline.render_table(buckets, by))
    sys.exit(0 if total else 1)


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


from searchkit.web.command import serve  # noqa: E402

main.add_command(serve)
