"""Rendering hits, posts, threads and statistics for a person or a program.

For a person (the terminal): each hit in a few lines, long snippets and
titles cut, grouped posts and threads with replies indented under their
parent. For a program: JSON Lines (one object per hit, per post or per
document) and CSV (a header row, one row per hit, as Python's ``csv`` writes
it). Colours and bold only on a terminal and never with ``NO_COLOR`` set;
every string from an archive passes ``safe`` first, so no archived control
character reaches the terminal raw.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import textwrap
from datetime import datetime

import click

from searchkit.model import Document
from searchkit.snippets import render_plain

_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def safe(text: str | None) -> str:
    """Text with control characters made visible, fit for a terminal.

    >>> safe("a\\x1b[31mb")
    'a\\\\x1b[31mb'
    """
    if not text:
        return ""
    return _UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def use_colour(stream_is_tty: bool) -> bool:
    return stream_is_tty and "NO_COLOR" not in os.environ


def stdout_is_terminal() -> bool:
    """Whether a person reads standard output (colours, grouping by default)."""
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):  # replaced or closed stream
        return False


def terminal_width() -> int:
    """The width to lay text out in: the terminal's, kept between 40 and 100."""
    return max(40, min(shutil.get_terminal_size((80, 24)).columns, 100))


def styler(colour: bool):
    """``click.style`` on a terminal, the identity elsewhere."""
    if colour:
        return lambda t, **kw: click.style(t, **kw)
    return lambda t, **kw: t


def shorten(text: str, width: int) -> str:
    """Text on one line of at most ``width`` characters, cut with « … ».

    >>> shorten("Les données de santé\\nsont à nous", 18)
    'Les données de…'
    """
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > width // 2 else cut).rstrip(" ,;:") + "…"


def cut_segments(segments: list, limit: int) -> list:
    """Snippet segments cut to ``limit`` characters at a word boundary, « … » at the end if cut.

    A match is never cut in two: it is shown whole or not at all.

    >>> cut_segments([("abc ", False), ("def", True), (" ghi", False)], 6)
    [('abc', False), ('…', False)]
    >>> cut_segments([("Bitcoin est une monnaie", False)], 18)
    [('Bitcoin est une', False), ('…', False)]
    >>> cut_segments([("court", False)], 18)
    [('court', False)]
    """
    out, used = [], 0
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


def render_snippet(segments, colour: bool) -> str:
    style = styler(colour)
    if colour:
        return "".join(style(safe(t), bold=True, fg="red") if m else safe(t) for t, m in segments)
    return render_plain([(safe(t), m) for t, m in segments], ("", ""))


def format_date(value: datetime | None) -> str:
    if not value:
        return ""
    if value.hour == value.minute == value.second == 0:
        return value.strftime("%Y-%m-%d")
    return value.strftime("%Y-%m-%d %H:%M")


def metadata_record(doc: Document) -> dict:
    """A document's fields but its text, JSON-ready (stable keys, ISO dates)."""
    return {
        "id": doc.id,
        "kind": doc.kind,
        "post_id": doc.post_id,
        "parent_id": doc.parent_id,
        "number": doc.number,
        "title": doc.title,
        "author": doc.author,
        "date": doc.date.isoformat() if doc.date else None,
        "url": doc.url,
        "source": doc.source,
    }


def hit_record(hit) -> dict:
    """One hit as a JSON-ready dict: the document's fields, score and snippet."""
    return {
        **metadata_record(hit.doc),
        "score": round(hit.score, 4) if hit.score is not None else None,  # None: sorted by date, not scored
        "snippet": render_plain(hit.snippet, ("", "")),
        "highlights": sorted({t for t, is_match in hit.snippet if is_match}),
    }


def json_line(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False)


SNIPPET_LINES = 3  # a snippet takes at most this many terminal lines
# Real threads nest deep (15 levels in bitcoinfrance): indent every level up
# to this one, deeper replies at this depth, so text keeps some width.
MAX_INDENT = 20


def render_hit(hit, colour: bool, width: int | None = None) -> str:
    """A hit in a few lines: kind and title, who and when, id, then the snippet."""
    width = width or terminal_width()
    doc = hit.doc
    style = styler(colour)
    kind = style(doc.kind, fg="cyan" if doc.kind == "article" else "yellow")
    head = f"{kind}  {style(safe(shorten(doc.title, width - 10)), bold=True)}"
    who = " · ".join(x for x in (safe(shorten(doc.author or '', 40)), format_date(doc.date)) if x)
    where = doc.id + (f" (comment {doc.number})" if doc.number else "")
    meta = "  ".join(x for x in (who, style(where, dim=True), style(safe(doc.source), dim=True)) if x)
    body = render_snippet(cut_segments(hit.snippet, (width - 2) * SNIPPET_LINES), colour)
    return f"{head}\n  {meta}\n  {body}\n"


def _who(doc: Document) -> str:
    return " · ".join(x for x in (safe(shorten(doc.author or "", 40)), format_date(doc.date)) if x)


def render_group(group, colour: bool, width: int | None = None) -> str:
    """A post: its article once (marked when it matches), then its matching comments.

    Comments come in thread order, a reply indented under the comment it
    answers; a comment shown only as the parent of a matching reply is one
    dim line with no snippet.
    """
    width = width or terminal_width()
    style = styler(colour)
    art = group.article
    matched = group.article_hit is not None
    mark = style("● ", fg="cyan", bold=True) if matched else "  "
    lines = [mark + style(safe(shorten(art.title or "(untitled)", width - 2)), bold=True)]
    meta = "  ".join(x for x in (
        _who(art),
        style(art.id, dim=True),
        style(safe(art.source), dim=True),
        f"{group.comment_count} comment(s)",
    ) if x)
    lines.append(f"  {meta}")
    if matched:
        lines.append("  " + style("article matches: ", fg="cyan")
                     + render_snippet(cut_segments(group.article_hit.snippet, (width - 4) * 2), colour))
    for entry in group.comments:
        doc, pad = entry.doc, "  " + "  " * (min(entry.depth, MAX_INDENT) + 1)
        arrow = "↳ " if entry.depth else ""
        number = f"#{doc.number}" if doc.number is not None else "#?"
        head = f"{pad}{arrow}{style(number, fg='yellow')} {_who(doc)}  {style(doc.id, dim=True)}"
        if entry.hit is None:
            lines.append(style(f"{pad}{arrow}{number} {_who(doc)}  (answered below)", dim=True))
            continue
        lines.append(head)
        room = max(20, width - len(pad) - 2)
        body = render_snippet(cut_segments(entry.hit.snippet, room * 2), colour)
        lines.append(f"{pad}  {body}")
    return "\n".join(lines) + "\n"


def group_record(group) -> dict:
    """One post of grouped results as a JSON-ready dict: the article, then its hits."""
    art = group.article
    return {
        "post_id": art.id,
        "title": art.title,
        "author": art.author,
        "date": art.date.isoformat() if art.date else None,
        "url": art.url,
        "source": art.source,
        "article_matches": group.article_hit is not None,
        "comment_count": group.comment_count,
        "hits": [
            {**hit_record(h), "depth": 0 if h.doc.kind == "article" else
             next(e.depth for e in group.comments if e.hit is h)}
            for h in group.hits
        ],
    }


# --- CSV ----------------------------------------------------------------------

CSV_COLUMNS = ("id", "kind", "post_id", "parent_id", "number", "title", "author", "date",
               "url", "source", "score", "snippet")


def write_csv(hits, stream) -> None:
    """A header row and one row per hit, as Python's ``csv`` module writes and reads them."""
    import csv

    writer = csv.writer(stream)
    writer.writerow(CSV_COLUMNS)
    for hit in hits:
        record = hit_record(hit)
        writer.writerow(["" if record[c] is None else record[c] for c in CSV_COLUMNS])


# --- documents and threads ----------------------------------------------------


def document_record(doc: Document, depth: int | None = None) -> dict:
    """A whole document (original text, every field) as a JSON-ready dict."""
    record = {**metadata_record(doc), "meta": doc.meta or {}, "body": doc.body}
    if depth is not None:
        record["depth"] = depth
    return record


def render_document(doc: Document, colour: bool, width: int | None = None) -> str:
    """One document in full: every field, then the original text, wrapped."""
    width = width or terminal_width()
    style = styler(colour)
    fields = [
        ("title", doc.title), ("kind", doc.kind), ("id", doc.id), ("post", doc.post_id),
        ("parent", doc.parent_id), ("number", doc.number), ("author", doc.author),
        ("date", format_date(doc.date)), ("source", doc.source), ("url", doc.url),
    ]
    fields += [(str(k), json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v)
               for k, v in sorted((doc.meta or {}).items())]
    fields = [(name, value) for name, value in fields if value not in (None, "")]
    label = max(len(name) for name, _ in fields)
    lines = [f"{style(f'{name:<{label}}', dim=True)}  {safe(str(value))}" for name, value in fields]
    lines.append("")
    lines.append(wrap_text(doc.body, width, ""))
    return "\n".join(lines) + "\n"


def wrap_text(text: str, width: int, indent: str) -> str:
    """Paragraphs wrapped to ``width`` with ``indent`` before every line."""
    out = []
    for para in (text or "").split("\n\n"):
        para = " ".join(safe(para).split())
        if para:
            out.append(textwrap.fill(para, max(20, width - len(indent)), initial_indent=indent,
                                     subsequent_indent=indent, break_on_hyphens=False))
    return ("\n" + indent.rstrip() + "\n").join(out)


def render_thread(article: Document | None, comments, colour: bool, focus: str | None = None,
                  width: int | None = None) -> str:
    """An article and all its comments in thread order, replies indented; ``focus`` marked."""
    width = width or terminal_width()
    style = styler(colour)
    parts = []
    if article is not None:
        parts.append(render_document(article, colour, width))
    parts.append(style(f"── {len(comments)} comment(s) " + "─" * 20, dim=True))
    numbers = {doc.id: doc.number for doc, _ in comments}
    for doc, depth in comments:
        indent = "   " * min(depth, MAX_INDENT)
        marker = style("▶ ", fg="green", bold=True) if doc.id == focus else ""
        number = f"#{doc.number}" if doc.number is not None else "#?"
        head = f"{indent}{marker}{style(number, fg='yellow')} {_who(doc)}  {style(doc.id, dim=True)}"
        if doc.parent_id and depth:
            answered = numbers.get(doc.parent_id)
            head += style(f"  ↳ reply to #{answered if answered is not None else '?'}", dim=True)
        parts.append(head + "\n" + wrap_text(doc.body, width, indent + "  ") + "\n")
    return "\n".join(parts)


def render_counts(counts: dict[str, int]) -> str:
    """
    >>> print(render_counts({"article": 2, "comment": 5}))
    article  2
    comment  5
    total    7
    """
    lines = [f"{kind:<8} {n}" for kind, n in counts.items()]
    lines.append(f"{'total':<8} {sum(counts.values())}")
    return "\n".join(lines)


def render_stats(stats: dict) -> str:
    lines = [
        f"index      {stats['index']} (schema {stats['schema_version']}, {human_bytes(stats['index_bytes'])})",
        f"documents  {stats['documents']}: {stats['articles']} articles, {stats['comments']} comments",
        f"sources    {len(stats['sources'])}",
    ]
    lines += [f"  {safe(s)}" for s in stats["sources"][:20]]
    if len(stats["sources"]) > 20:
        lines.append(f"  … and {len(stats['sources']) - 20} more (see --json)")
    return "\n".join(lines)


def human_bytes(n: int) -> str:
    """
    >>> human_bytes(1536)
    '1.5 KiB'
    """
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"  # pragma: no cover
