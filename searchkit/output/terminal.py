"""Hits, posts, documents, threads and statistics laid out for a person at a terminal.

Each hit in a few lines (kind and title; who, when, id and source on one line
that never spills; the snippet wrapped with a hanging indent); a grouped post
with its article once and its matching comments in thread order, replies
indented under the comment they answer.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from searchkit.model import Document
from searchkit.output.text import Style, display_width, format_date, safe, shorten, snippet_lines, wrap_text
from searchkit.records import Group, Hit, Stats, Thread

SNIPPET_LINES = 3  # a flat hit's snippet takes at most this many terminal lines
GROUP_SNIPPET_LINES = 2  # a grouped comment's or article's
# Real threads nest deep (15 levels in bitcoinfrance): indent every level up
# to this one, deeper replies at this depth, so text keeps some width.
MAX_INDENT = 20


def who(doc: Document, width: int = 40) -> str:
    """Author and date; the author cut so the whole fits ``width`` columns (the date is never cut)."""
    date = format_date(doc.date)
    room = max(6, min(40, width - (len(date) + 3 if date else 0)))
    return " · ".join(x for x in (safe(shorten(doc.author or "", room)), date) if x)


def fit_line(parts: list[tuple[str, dict]], width: int, style: Style) -> str:
    """Parts joined by two spaces within ``width`` columns: the last parts shortened, then dropped."""
    texts = [text for text, _ in parts if text]
    kws = [kw for text, kw in parts if text]
    while texts:
        total = sum(display_width(t) for t in texts) + 2 * (len(texts) - 1)
        if total <= width:
            break
        over = total - width
        last = texts[-1]
        if display_width(last) - over >= 12:
            texts[-1] = shorten(last, display_width(last) - over)
            break
        texts.pop()
        kws.pop()
    return "  ".join(style(t, **kw) for t, kw in zip(texts, kws, strict=True))


def head_with_id(doc: Document, width: int, style: Style) -> str:
    """Author, date and id in ``width`` columns: the author is cut, then dropped, then the date; never the id."""
    doc_id = safe(doc.id)
    room = width - display_width(doc_id) - 2
    for first in (who(doc, room), format_date(doc.date)):
        if first and display_width(first) <= room:
            return f"{first}  {style(doc_id, dim=True)}"
    return style(doc_id, dim=True)


def render_hit(hit: Hit, style: Style, width: int) -> str:
    """A hit: kind and title, who/when/id/source, then the snippet wrapped under a two-space indent."""
    doc = hit.doc
    kind = style(doc.kind, fg="cyan" if doc.kind == "article" else "yellow")
    head = f"{kind}  {style(safe(shorten(doc.title, width - 10)), bold=True)}"
    where = safe(doc.id) + (f" (comment {doc.number})" if doc.number else "")
    # The id is what a reader copies: the author is cut first, then the source, never the id.
    author_room = width - 2 - display_width(where) - 2
    meta = fit_line([(who(doc, author_room), {}), (where, {"dim": True}), (safe(doc.source), {"dim": True})],
                    width - 2, style)
    body = snippet_lines(hit.snippet, width, "  ", SNIPPET_LINES, style)
    return f"{head}\n  {meta}\n{body}\n"


def render_group(group: Group, style: Style, width: int) -> str:
    """A post: its article once (marked when it matches), then its matching comments.

    Comments come in thread order, a reply indented under the comment it
    answers; a comment shown only as the parent of a matching reply is one
    dim line with no snippet.
    """
    return "".join(group_parts(group, style, width))


def group_parts(group: Group, style: Style, width: int) -> Iterator[str]:
    """``render_group`` in pieces: the article's lines, then one piece per comment as it is read."""
    art = group.article
    matched = group.article_hit is not None
    mark = style("● ", fg="cyan", bold=True) if matched else "  "
    lines = [mark + style(safe(shorten(art.title or "(untitled)", width - 2)), bold=True)]
    lines.append("  " + fit_line([(who(art), {}), (f"{group.comment_count} comment(s)", {}),
                                  (safe(art.id), {"dim": True}), (safe(art.source), {"dim": True})], width - 2, style))
    if group.article_hit is not None:
        label = "article matches:"
        segments = [(label + " ", False), *group.article_hit.snippet]
        body = snippet_lines(segments, width, "  ", GROUP_SNIPPET_LINES, style)
        lines.append(body.replace(label, style(label, fg="cyan"), 1))
    yield "\n".join(lines) + "\n"
    for entry in group.comments:
        doc, pad = entry.doc, "  " + "  " * (min(entry.depth, MAX_INDENT) + 1)
        arrow = "↳ " if entry.depth else ""
        number = f"#{doc.number}" if doc.number is not None else "#?"
        room = width - display_width(pad + arrow + number) - 1
        if entry.hit is None:
            rest = fit_line([(who(doc), {}), ("(answered below)", {})], room, Style())
            yield style(f"{pad}{arrow}{number} {rest}", dim=True) + "\n"
            continue
        rest = head_with_id(doc, room, style)
        yield (f"{pad}{arrow}{style(number, fg='yellow')} {rest}\n"
               + snippet_lines(entry.hit.snippet, width, pad + "  ", GROUP_SNIPPET_LINES, style) + "\n")


def render_document(doc: Document, style: Style, width: int) -> str:
    """One document in full: every field, then the original text, wrapped."""
    fields: list[tuple[str, object]] = [
        ("title", doc.title), ("kind", doc.kind), ("id", doc.id), ("post", doc.post_id),
        ("parent", doc.parent_id), ("number", doc.number), ("author", doc.author),
        ("date", format_date(doc.date)), ("source", doc.source), ("url", doc.url),
        ("categories", ", ".join(doc.categories)), ("tags", ", ".join(doc.tags)),
    ]
    fields += [(str(k), json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v)
               for k, v in sorted((doc.meta or {}).items())]
    fields = [(name, value) for name, value in fields if value not in (None, "")]
    label = max(len(name) for name, _ in fields)
    lines = [f"{style(f'{safe(name):<{label}}', dim=True)}  {safe(str(value))}" for name, value in fields]
    lines.append("")
    lines.append(wrap_text(doc.body, width, ""))
    return "\n".join(lines) + "\n"


def render_thread(thread: Thread, style: Style, width: int, focus: str | None = None) -> str:
    """An article and all its comments in thread order, replies indented; ``focus`` marked."""
    return "".join(thread_parts(thread, style, width, focus))


def thread_parts(thread: Thread, style: Style, width: int, focus: str | None = None) -> Iterator[str]:
    """``render_thread`` in pieces: the article, then one piece per comment as it is read."""
    if thread.article is not None:
        yield render_document(thread.article, style, width) + "\n"
    yield style(f"── {len(thread.comments)} comment(s) " + "─" * 20, dim=True)
    # In reading order a reply's parent is the last comment shown one level up: a
    # number per level is all that is kept, not one per comment.
    numbers: list[int | None] = []
    for entry in thread.comments:
        doc, depth = entry.doc, entry.depth
        indent = "   " * min(depth, MAX_INDENT)
        marker = style("▶ ", fg="green", bold=True) if doc.id == focus else ""
        number = f"#{doc.number}" if doc.number is not None else "#?"
        head = f"{indent}{marker}{style(number, fg='yellow')} {who(doc)}  {style(safe(doc.id), dim=True)}"
        if doc.parent_id and depth:
            answered = numbers[depth - 1] if depth <= len(numbers) else None
            head += style(f"  ↳ reply to #{answered if answered is not None else '?'}", dim=True)
        del numbers[depth:]
        numbers.append(doc.number)
        yield "\n" + head + "\n" + wrap_text(doc.body, width, indent + "  ") + "\n"


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


def render_stats(stats: Stats) -> str:
    lines = [
        f"index      {safe(stats.index)} (schema {stats.schema_version}, {human_bytes(stats.index_bytes)})",
        f"documents  {stats.documents}: {stats.articles} articles, {stats.comments} comments",
        f"sources    {len(stats.sources)}",
    ]
    lines += [f"  {safe(s)}" for s in stats.sources[:20]]
    if len(stats.sources) > 20:
        lines.append(f"  … and {len(stats.sources) - 20} more (see --json)")
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
