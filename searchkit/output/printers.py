"""One printer per output format, chosen once: the terminal, JSON Lines or CSV.

A command asks ``choose_printer`` for the printer of the format the user
chose and hands it records (``Results``, ``GroupedResults``, ``Thread``,
``Bucket``...); it never tests the format again. Results go to standard
output; the terminal printer's summary lines ("5 hit(s)") and every
printer's did-you-mean go to standard error, so stdout holds results only.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TextIO

from searchkit.errors import QueryError
from searchkit.model import KINDS, Document
from searchkit.output.histogram import render_histogram, render_table
from searchkit.output.records import (
    CSV_COLUMNS,
    FULL_COLUMN,
    bucket_record,
    count_record,
    csv_row,
    document_record,
    group_json,
    hit_record,
    json_line,
    key_name,
)
from searchkit.output.streams import Out, note
from searchkit.output.terminal import (
    group_parts,
    render_counts,
    render_document,
    render_hit,
    render_stats,
    thread_parts,
)
from searchkit.output.text import Style
from searchkit.records import Bucket, GroupedResults, Hit, Results, Stats, Suggestion, Thread

FORMATS = ("terminal", "json", "csv")


class Printer:
    """What every format can print; a format that cannot print something says so."""

    name = "?"

    def __init__(self, stream: TextIO | None = None, style: Style | None = None, width: int = 80,
                 full: bool = False):
        self.out = Out(stream)
        self.style = style or Style()
        self.width = width
        self.full = full

    def _refuse(self, what: str):
        raise QueryError(f"the {self.name} output cannot show {what}")

    def hits(self, results: Results) -> None:
        self._refuse("hits")

    def groups(self, results: GroupedResults) -> None:
        self._refuse("groups")

    def counts(self, counts: dict[str, int]) -> None:
        self._refuse("counts")

    def document(self, doc: Document) -> None:
        self._refuse("document")

    def thread(self, thread: Thread, focus: str | None) -> None:
        self._refuse("thread")

    def buckets(self, buckets: list[Bucket], by: str) -> None:
        self._refuse("buckets")

    def stats(self, stats: Stats) -> None:
        self._refuse("stats")

    def suggestion(self, suggestion: Suggestion, options: list[str]) -> None:
        note(f"did you mean: {suggestion.command(options)}")

    def flush(self) -> None:
        self.out.flush()


class TerminalPrinter(Printer):
    """For a person: a few lines per hit, posts with their threads, histograms; plain text in a pipe."""

    name = "terminal"

    def hits(self, results: Results) -> None:
        for hit in results.hits:
            self.out.line(render_hit(hit, self.style, self.width))
        shown = len(results.hits)
        note(f"{_total(results)} hit(s)"
             + (f", {shown} shown" if shown < results.total else ""))

    def groups(self, results: GroupedResults) -> None:
        for group in results.groups:
            for part in group_parts(group, self.style, self.width):  # a comment at a time
                self.out.write(part)
            self.out.write("\n")
        shown = len(results.groups)
        more = f", {shown} shown" if shown < results.total_groups else ""
        # Past the count threshold the posts are counted among the hits counted: a lower bound too.
        posts = results.total_groups if results.total_is_exact else f"more than {results.total_groups}"
        note(f"{_total(results)} hit(s) in {posts} post(s){more}")

    def counts(self, counts: dict[str, int]) -> None:
        record = count_record(counts)
        record.pop("total")
        self.out.line(render_counts(record))

    def document(self, doc: Document) -> None:
        self.out.line(render_document(doc, self.style, self.width))

    def thread(self, thread: Thread, focus: str | None) -> None:
        for part in thread_parts(thread, self.style, self.width, focus):  # a comment at a time
            self.out.write(part)
        self.out.write("\n")

    def buckets(self, buckets: list[Bucket], by: str) -> None:
        if by in ("month", "year"):
            if buckets:
                self.out.line(render_histogram(buckets, by, self.style, self.width))
            note(f"{sum(b.count for b in buckets)} matching document(s)")
        else:
            self.out.line(render_table(buckets, by))

    def stats(self, stats: Stats) -> None:
        self.out.line(render_stats(stats))


class JsonPrinter(Printer):
    """For programs: JSON Lines, one object per hit, post, document or line of counts."""

    name = "JSON"

    def hits(self, results: Results) -> None:
        for hit in results.hits:
            self.out.line(json_line(hit_record(hit, self.full)))

    def groups(self, results: GroupedResults) -> None:
        for group in results.groups:
            for part in group_json(group, self.full):  # one line per post, written a hit at a time
                self.out.write(part)

    def counts(self, counts: dict[str, int]) -> None:
        self.out.line(json_line(count_record(counts)))

    def document(self, doc: Document) -> None:
        self.out.line(json_line(document_record(doc)))

    def thread(self, thread: Thread, focus: str | None) -> None:
        if thread.article is not None:
            self.out.line(json_line(document_record(thread.article, depth=0, focus=thread.article.id == focus)))
        for entry in thread.comments:
            self.out.line(json_line(document_record(entry.doc, depth=entry.depth + 1, focus=entry.doc.id == focus)))

    def buckets(self, buckets: list[Bucket], by: str) -> None:
        for bucket in buckets:
            self.out.line(json_line(bucket_record(bucket, by)))

    def stats(self, stats: Stats) -> None:
        self.out.line(json_line({
            "articles": stats.articles, "comments": stats.comments, "documents": stats.documents,
            "sources": stats.sources, "index": stats.index, "index_bytes": stats.index_bytes,
            "schema_version": stats.schema_version, "engine": stats.engine,
        }))

    def suggestion(self, suggestion: Suggestion, options: list[str]) -> None:
        note(json_line(suggestion.record(options)))


class CsvPrinter(Printer):
    """For spreadsheets: a header row, then one row per hit or per line of counts."""

    name = "CSV"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.writer = csv.writer(self)  # rows come back through write(): errors handled once, in Out

    def write(self, text: str) -> None:
        self.out.write(text)

    def hits(self, results: Results) -> None:
        self._rows(results.hits)

    def groups(self, results: GroupedResults) -> None:
        self._rows(h for g in results.groups for h in g.hits)

    def _rows(self, hits: Iterable[Hit]) -> None:
        columns = CSV_COLUMNS + ((FULL_COLUMN,) if self.full else ())
        self.writer.writerow(columns)
        for hit in hits:
            self.writer.writerow(csv_row(hit_record(hit, self.full), columns))

    def counts(self, counts: dict[str, int]) -> None:
        record = count_record(counts)
        columns = [*KINDS, "total"]
        self.writer.writerow(columns)
        self.writer.writerow(csv_row(record, columns))

    def buckets(self, buckets: list[Bucket], by: str) -> None:
        columns = [key_name(by), "count", *KINDS]
        self.writer.writerow(columns)
        for bucket in buckets:
            self.writer.writerow(csv_row(bucket_record(bucket, by), columns))


def _total(results: Results | GroupedResults) -> str:
    return str(results.total) if results.total_is_exact else f"more than {results.total}"


def choose_printer(fmt: str, stream: TextIO | None = None, style: Style | None = None, width: int = 80,
                   full: bool = False) -> Printer:
    """The printer for ``fmt`` (``terminal``, ``json`` or ``csv``) writing to ``stream`` (stdout).

    >>> import io
    >>> from searchkit.records import Bucket
    >>> buffer = io.StringIO()
    >>> choose_printer("csv", buffer).buckets([Bucket("=cmd", {"comment": 2})], "author")
    >>> buffer.getvalue().splitlines()
    ['author,count,article,comment', "'=cmd,2,0,2"]
    """
    printers: dict[str, type[Printer]] = {"terminal": TerminalPrinter, "json": JsonPrinter, "csv": CsvPrinter}
    return printers[fmt](stream, style, width, full)
