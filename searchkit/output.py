"""Rendering hits and statistics for a person (terminal) or a program (JSON Lines).

Colours and bold only on a terminal and never with ``NO_COLOR`` set; every
string from an archive passes ``safe`` first, so no archived control
character reaches the terminal raw.
"""

from __future__ import annotations

import json
import os
import re
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


def format_date(value: datetime | None) -> str:
    if not value:
        return ""
    if value.hour == value.minute == value.second == 0:
        return value.strftime("%Y-%m-%d")
    return value.strftime("%Y-%m-%d %H:%M")


def hit_record(hit) -> dict:
    """One hit as a JSON-ready dict (stable keys, ISO dates)."""
    doc: Document = hit.doc
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
        "score": round(hit.score, 4),
        "snippet": render_plain(hit.snippet, ("", "")),
        "highlights": sorted({t for t, is_match in hit.snippet if is_match}),
    }


def json_line(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False)


def render_hit(hit, colour: bool) -> str:
    """A hit in a few lines: kind and title, who and when, id, then the snippet."""
    doc = hit.doc
    style = (lambda t, **kw: click.style(t, **kw)) if colour else (lambda t, **kw: t)
    kind = style(doc.kind, fg="cyan" if doc.kind == "article" else "yellow")
    head = f"{kind}  {style(safe(doc.title), bold=True)}"
    who = " · ".join(x for x in (safe(doc.author), format_date(doc.date)) if x)
    where = doc.id + (f" (comment {doc.number})" if doc.number else "")
    meta = "  ".join(x for x in (who, style(where, dim=True), style(safe(doc.source), dim=True)) if x)
    body = "".join(style(safe(t), bold=True, fg="red") if m else safe(t) for t, m in hit.snippet) \
        if colour else render_plain([(safe(t), m) for t, m in hit.snippet], ("", ""))
    return f"{head}\n  {meta}\n  {body}\n"


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
