"""The options several commands share, as decorators, and what they turn into.

``--index`` (default ``$SEARCHKIT_INDEX``, else ``./index``), the filters of
``search`` and ``count``, the output formats; ``output_format`` turns the
format flags into the one printer a command uses.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from searchkit.errors import QueryError
from searchkit.query import Filters
from searchkit.records import shell_quote

DEFAULT_INDEX = Path("index")
DEFAULT_CORPUS = Path("corpus")
INDEX_ENV = "SEARCHKIT_INDEX"

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def _remember_index_source(ctx: click.Context, param: click.Parameter, value: str) -> str:
    source = ctx.get_parameter_source(param.name or "index_dir")
    ctx.meta["searchkit.index_source"] = source.name if source else "DEFAULT"
    return value


def index_option(f):
    f = ca_cert_option(f)
    return click.option(
        # A string, not a click.Path: the engine says what is wrong with a location (a file,
        # a foreign folder), and a URL must not be read as a path ("http:/host").
        "--index", "index_dir", type=str, default=str(DEFAULT_INDEX), metavar="FOLDER|URL",
        envvar=INDEX_ENV, show_envvar=True, show_default=True, callback=_remember_index_source,
        help="Index folder, or an OpenSearch index URL (http://host:9200/name; several nodes of one cluster: "
             "http://host1:9200,host2:9200/name).",
    )(f)


def _use_ca_cert(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    # Read when the command connects; never a command parameter. Without the option,
    # the OpenSearch client is imported only if it is already in use (a second command
    # in one process must not keep the first one's certificate): a folder index never loads it.
    if value is None and "searchkit.engine.opensearch.connection" not in sys.modules:
        return
    from searchkit.engine.opensearch import connection

    connection.ca_cert_option = value


def ca_cert_option(f):
    """``--ca-cert FILE``: the CA certificate an https OpenSearch URL is verified against."""
    return click.option(
        "--ca-cert", type=click.Path(exists=True, dir_okay=False), envvar="SEARCHKIT_OPENSEARCH_CA_CERT",
        show_envvar=True, expose_value=False, callback=_use_ca_cert, metavar="FILE",
        help="CA certificate to verify an https OpenSearch server with (default: the system's).",
    )(f)


def json_option(f):
    return click.option("--json", "as_json", is_flag=True, help="JSON Lines: one object per line.")(f)


FILTERS = ("kind", "in_article", "with_comments", "since", "until", "author", "source")


def filter_options(f):
    """The options that narrow what matches, shared by ``search`` and ``count``."""
    options = [
        click.option("--kind", type=click.Choice(["article", "comment"]), help="Only articles or only comments."),
        click.option("--in-article", metavar="QUERY", help="Only comments whose article matches QUERY."),
        click.option("--with-comments", metavar="QUERY", help="Only articles having a comment that matches QUERY."),
        click.option("--since", metavar="DATE", help="From this year, month or day on (2021, 2021-02, 2021-02-19)."),
        click.option("--until", metavar="DATE", help="Up to the end of this year, month or day."),
        click.option("--author", metavar="NAME", help="Only documents by this author (words of the name)."),
        click.option("--source", metavar="PATTERN",
                     help="Only documents from sources matching this glob (path or file name)."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def make_filters(params: dict[str, Any]) -> Filters:
    """The filters the user gave (checked by ``Filters.from_options``: a blank cross-query is an error)."""
    return Filters.from_options(**{name: params.get(name) for name in FILTERS})


def rerun_options(params: dict[str, Any]) -> list[str]:
    """The options to repeat in a suggested command: every filter given, then --index if not the default.

    >>> rerun_options({"kind": "comment", "since": "2014", "author": "x", "index_dir": Path("ix")})
    ['--kind', 'comment', '--since', '2014', '--author', 'x', '--index', 'ix']
    """
    options: list[str] = []
    for name in FILTERS:
        value = params.get(name)
        if value is not None:
            options += [f"--{name.replace('_', '-')}", str(value)]
    index_dir = params.get("index_dir")
    if index_dir is not None and Path(index_dir) != DEFAULT_INDEX:
        options += ["--index", str(index_dir)]
    return options


def query_text(words: tuple[str, ...]) -> str:
    """Several words on the command line are one query."""
    return " ".join(words)


class QueryCommand(click.Command):
    """A command whose QUERY may hold words starting with ``-``: say how to search them
    instead of click's "No such option"."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        given = list(args)  # click's parser consumes the list it is given
        try:
            return super().parse_args(ctx, args)
        except click.NoSuchOption:
            word = _dash_word(self, ctx, given)
            if word is None:
                raise
            bare = word.lstrip("-") or word
            raise QueryError(
                f"{word} is not an option: to search for it, put -- before the query "
                f"(searchkit {self.name} -- {shell_quote(word)}); to leave out {bare}, write NOT {bare}"
            ) from None


def _dash_word(command: click.Command, ctx: click.Context, args: list[str]) -> str | None:
    """The first argument that starts with a single - and is no option of ``command``."""
    known = {opt for param in command.get_params(ctx) for opt in (*param.opts, *param.secondary_opts)}
    for arg in args:
        if arg == "--":
            return None
        if arg.startswith("-") and not arg.startswith("--") and len(arg) > 1 and arg[:2] not in known:
            return arg
    return None
