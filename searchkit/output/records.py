"""Records for programs: hits, posts, documents and counts as JSON-ready dicts and CSV rows.

Stable keys, ISO dates with four-digit years, every kind key in counts. Text
is passed through ``clean`` (a lone surrogate becomes U+FFFD, so no record
ever fails to encode). CSV cells that a spreadsheet would run as a formula are
guarded with a leading apostrophe (OWASP's advice); nothing is stripped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from searchkit.model import KINDS, Document
from searchkit.output.text import clean
from searchkit.records import Bucket, Group, Hit, Segment

CSV_COLUMNS = ("id", "kind", "post_id", "parent_id", "number", "title", "author", "date",
               "url", "source", "score", "snippet", "highlights")
FULL_COLUMN = "body"  # with --full: the whole original text


def _text(value: str | None) -> str | None:
    return None if value is None else clean(value)


def plain_snippet(segments: list[Segment]) -> str:
    return clean("".join(t for t, _ in segments))


def metadata_record(doc: Document) -> dict[str, Any]:
    """A document's fields but its text, JSON-ready (stable keys, ISO dates)."""
    return {
        "id": doc.id,
        "kind": doc.kind,
        "post_id": doc.post_id,
        "parent_id": doc.parent_id,
        "number": doc.number,
        "title": _text(doc.title),
        "author": _text(doc.author),
        "date": doc.date.isoformat() if doc.date else None,
        "url": _text(doc.url),
        "source": _text(doc.source),
    }


def hit_record(hit: Hit, full: bool = False) -> dict[str, Any]:
    """One hit: the document's fields, score, snippet and matched words (and with ``full`` its text)."""
    record = {
        **metadata_record(hit.doc),
        "score": round(hit.score, 4) if hit.score is not None else None,  # None: sorted by date, not scored
        "snippet": plain_snippet(hit.snippet),
        "highlights": sorted({clean(t) for t, is_match in hit.snippet if is_match}),
    }
    if full:
        record[FULL_COLUMN] = clean(hit.doc.body or "")
    return record


def group_head(group: Group) -> dict[str, Any]:
    """A post of grouped results without its hits: the article's fields and how many comments it has."""
    art = group.article
    return {
        "post_id": art.id,
        "title": _text(art.title),
        "author": _text(art.author),
        "date": art.date.isoformat() if art.date else None,
        "url": _text(art.url),
        "source": _text(art.source),
        "article_matches": group.article_hit is not None,
        "comment_count": group.comment_count,
    }


def group_record(group: Group, full: bool = False) -> dict[str, Any]:
    """One post of grouped results: the article, then its hits with their depth in the thread."""
    return {**group_head(group),
            "hits": [{**hit_record(h, full), "depth": depth} for h, depth in group.hits_with_depth()]}


def group_json(group: Group, full: bool = False) -> Iterator[str]:
    """``json_line(group_record(group, full))`` in pieces, one hit at a time: a post of 100,000
    matching comments is written without holding its hits, their records or the whole line."""
    head = json_line(group_head(group))
    yield head[:-1] + ', "hits": ['  # json.dumps's own separators: the same bytes as one dumps
    sep = ""
    for h, depth in group.hits_with_depth():
        yield sep + json_line({**hit_record(h, full), "depth": depth})
        sep = ", "
    yield "]}\n"


def document_record(doc: Document, depth: int | None = None, focus: bool | None = None) -> dict[str, Any]:
    """A whole document (original text, every field); in a thread its depth and whether it was asked for."""
    record: dict[str, Any] = {**metadata_record(doc), "categories": [clean(c) for c in doc.categories],
                              "tags": [clean(t) for t in doc.tags], "meta": doc.meta or {},
                              "body": clean(doc.body or "")}
    if depth is not None:
        record["depth"] = depth
    if focus is not None:
        record["focus"] = focus
    return record


def count_record(counts: dict[str, int]) -> dict[str, int]:
    """Documents per kind, every kind present (0 when a filter left it out), and the total.

    >>> count_record({"comment": 4})
    {'article': 0, 'comment': 4, 'total': 4}
    """
    every = {k: counts.get(k, 0) for k in KINDS}
    return {**every, "total": sum(every.values())}


def key_name(by: str) -> str:
    """The JSON/CSV name of the key column: ``period`` for months and years."""
    return "period" if by in ("month", "year") else by


def period(key: str | None) -> str | None:
    """A month or year key with a four-digit year.

    >>> period("201-05"), period("2012")
    ('0201-05', '2012')
    """
    if key is None:
        return None
    return re.sub(r"^(\d{1,3})(?=-|$)", lambda m: m.group(1).zfill(4), key)


def bucket_key(bucket: Bucket, by: str) -> str | None:
    return period(bucket.key) if by in ("month", "year") else _text(bucket.key)


def bucket_record(bucket: Bucket, by: str) -> dict[str, Any]:
    """
    >>> bucket_record(Bucket("2012-03", {"article": 1, "comment": 4}), "month")
    {'period': '2012-03', 'count': 5, 'article': 1, 'comment': 4}
    """
    return {key_name(by): bucket_key(bucket, by), "count": bucket.count,
            **{k: bucket.counts.get(k, 0) for k in KINDS}}


def json_line(record: Any) -> str:
    """One JSON line; any lone surrogate left (in ``meta``, a source name...) becomes U+FFFD."""
    return clean(json.dumps(record, ensure_ascii=False))


# --- CSV ------------------------------------------------------------------------------------------

_FORMULA = re.compile(r"^[\t\r]*[=+\-@]|^[\t\r]")


def csv_cell(value: Any) -> Any:
    """A CSV cell a spreadsheet will not run: text starting with = + - @ (also after a tab or CR),
    or with a tab or CR, gets a leading apostrophe; nothing is stripped.

    >>> csv_cell("=HYPERLINK(1)"), csv_cell("\\t@SUM(A1)"), csv_cell("café"), csv_cell(None), csv_cell(3)
    ("'=HYPERLINK(1)", "'\\t@SUM(A1)", 'café', '', 3)
    """
    if value is None:
        return ""
    if isinstance(value, list):
        value = "; ".join(value)
    if isinstance(value, str):
        value = clean(value)
        return "'" + value if _FORMULA.match(value) else value
    return value


def csv_row(record: dict[str, Any], columns: tuple[str, ...] | list[str]) -> list[Any]:
    return [csv_cell(record[c]) for c in columns]
