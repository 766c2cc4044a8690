"""The one place the web layer takes the CLI's JSON/CSV records and text helpers from (``searchkit.output``)."""

from __future__ import annotations

from typing import TextIO

from searchkit.output import choose_printer
from searchkit.output.records import bucket_record, document_record, group_record, hit_record, json_line
from searchkit.output.text import format_date, safe
from searchkit.records import Hit, Results, Segment

__all__ = ["bucket_record", "cut_segments", "document_record", "format_date", "group_record",
           "hit_record", "json_line", "safe", "write_csv"]


def write_csv(hits: list[Hit], stream: TextIO) -> None:
    """The hits as ``searchkit search --csv`` writes them (header row, formula guard)."""
    choose_printer("csv", stream=stream).hits(Results(hits, len(hits)))


def cut_segments(segments: list[Segment], limit: int) -> list[Segment]:
    """Snippet segments cut to ``limit`` characters at a word boundary, « … » at the end if cut.

    A match is never cut in two: it is shown whole or not at all.

    >>> cut_segments([("abc ", False), ("def", True), (" ghi", False)], 6)
    [('abc', False), ('…', False)]
    >>> cut_segments([("court", False)], 18)
    [('court', False)]
    """
    out: list[Segment] = []
    used = 0
    for text, is_match in segments:
        if used + len(text) <= limit:
            out.append((text, is_match))
            used += len(text)
            continue
        room = limit - used
        if not is_match and room > 0:
            head = text[:room]
            if not text[room].isspace() and " " in head:  # the cut falls inside a word
                head = head[: head.rfind(" ")]
            out.append((head, False))
        break
    else:
        return out  # everything fitted: nothing was cut
    while out and not out[-1][1] and not out[-1][0].rstrip(" ,;:"):
        out.pop()
    if out and not out[-1][1]:
        out[-1] = (out[-1][0].rstrip(" ,;:"), False)
    out.append(("…", False))
    return out
