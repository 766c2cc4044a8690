"""Reader for JSON Lines archives (``*.jsonl``): one post a line, its comments nested.

The interchange format for archives made by scrapers and for generated
benchmark corpora; the schema is documented in the README ("JSON Lines
schema")::

    {"title": "…", "body": "…" | "body_html": "…", "url": "…", "author": "…",
     "date": "2016-07-12T09:30:00", "id": "…",
     "comments": [{"id": "…", "parent": "…", "author": "…", "date": "…",
                   "body": "…" | "body_html": "…", "url": "…"}]}

``title`` and ``body`` (or ``body_html``) are required, everything else is
optional; other keys are ignored. The post's stable key is ``id``, else
``url``, else its line number. A comment's ``parent`` is the ``id`` of the
comment it answers, in the same post.

The file is read line by line (memory stays flat on big corpora). A line that
is not JSON or breaks the schema is reported as ``file:line: reason`` with
``report.error`` and the other lines are indexed; a bad comment loses only
itself. A line longer than ``limits.MAX_JSON_LINE_BYTES`` is refused the same
way, without being held; a lone surrogate escape (``"\\ud800"``, which no UTF-8
output takes) becomes U+FFFD, with a warning naming the line.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from searchkit.errors import InputError
from searchkit.model import ARTICLE, COMMENT, Document, Post, comment_id_for, post_id_for
from searchkit.readers.encoding import clean_text, decode, has_surrogates, replace_surrogates
from searchkit.readers.files import open_regular
from searchkit.readers.htmltext import html_to_text
from searchkit.readers.limits import MAX_DOCUMENT_CHARS, MAX_JSON_LINE_BYTES, mib

OPTIONAL_STRINGS = ("url", "author", "date", "id")


class LineError(ValueError):
    """This line (or comment) breaks the schema; the message says how."""


def read(path: Path, source: str, report) -> Iterator[Post]:
    seen: dict[str, int] = {}  # post key -> line it was first used on
    good = bad = 0
    with open_regular(path, source) as fh:
        for lineno, (raw, lost) in enumerate(_lines(fh), start=1):
            if lineno == 1:
                raw = raw.removeprefix(b"\xef\xbb\xbf")
            where = f"{source}:{lineno}"
            if lost:
                bad += 1
                report.error(f"{where}: a line of {mib(len(raw) + lost)} is longer than the "
                             f"{mib(MAX_JSON_LINE_BYTES)} one JSON line may hold; skipped")
                continue
            if not raw.strip():
                continue
            if b"\x00" in raw:
                bad += 1
                report.error(f"{where}: binary data, not a JSON line; skipped")
                continue
            text, _ = decode(raw.rstrip(b"\r\n"))
            try:
                record = json.loads(text)
                if "\\u" in text and _has_surrogates(record):
                    # JSON may spell a lone surrogate ("\\ud800"), which no UTF-8 output takes.
                    record = _replace_surrogates(record)
                    report.warn(f"{where}: lone surrogate escape (\\ud800-\\udfff) replaced with U+FFFD")
                post = record_to_post(record, source, lineno, report)
            except json.JSONDecodeError as exc:
                bad += 1
                report.error(f"{where}: not valid JSON ({exc.msg} at column {exc.colno}); skipped")
                continue
            except (LineError, RecursionError) as exc:
                bad += 1
                report.error(f"{where}: {exc}; skipped")
                continue
            key = post.article.meta["key"]
            if key in seen:
                bad += 1
                report.error(f"{where}: post key {key!r} already used on line {seen[key]}; skipped")
                continue
            seen[key] = lineno
            good += 1
            yield post
    if not good and not bad:
        raise InputError(f"{source}: no JSON line in the file")


def _lines(fh) -> Iterator[tuple[bytes, int]]:
    """Each line, and how many bytes past ``MAX_JSON_LINE_BYTES`` it had (read and dropped)."""
    while True:
        line = fh.readline(MAX_JSON_LINE_BYTES)
        if not line:
            return
        lost = 0
        if len(line) == MAX_JSON_LINE_BYTES and not line.endswith(b"\n"):
            while rest := fh.readline(1 << 20):
                lost += len(rest)
                if rest.endswith(b"\n"):
                    break
        yield line, lost


def _has_surrogates(value) -> bool:
    if isinstance(value, str):
        return has_surrogates(value)
    if isinstance(value, dict):
        return any(_has_surrogates(k) or _has_surrogates(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_surrogates(v) for v in value)
    return False


def _replace_surrogates(value):
    """A decoded JSON value with every lone surrogate in its strings (keys too) made U+FFFD.

    >>> _replace_surrogates({"id": "a\\ud800", "c": [{"x\\udc00": 1}]}) == {"id": "a\\ufffd", "c": [{"x\\ufffd": 1}]}
    True
    """
    if isinstance(value, str):
        return replace_surrogates(value)
    if isinstance(value, dict):
        return {replace_surrogates(k): _replace_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace_surrogates(v) for v in value]
    return value


def record_to_post(record, source: str, lineno: int, report) -> Post:
    """One decoded JSON line as a Post; ``LineError`` if it breaks the schema.

    >>> from searchkit.readers import FileReport
    >>> post = record_to_post({"title": "Un titre", "body": "Le texte.", "url": "http://b.fr/1",
    ...     "comments": [{"id": "a", "body": "Oui."}, {"parent": "a", "body_html": "<p>Non&nbsp;!</p>"}]},
    ...     "blog.jsonl", 1, FileReport("blog.jsonl"))
    >>> post.article.title, len(post.comments), post.comments[1].parent_id == post.comments[0].id
    ('Un titre', 2, True)
    >>> record_to_post({"body": "x"}, "blog.jsonl", 2, None)
    Traceback (most recent call last):
    ...
    searchkit.readers.jsonl.LineError: "title" is missing
    """
    if not isinstance(record, dict):
        raise LineError(f"a JSON object was expected, not {_json_type(record)}")
    title = _string(record, "title", required=True) or ""
    if not title.strip():
        raise LineError('"title" is empty')
    body, meta = _body(record)
    for name in OPTIONAL_STRINGS:
        _string(record, name)
    comments = record.get("comments")
    if comments is None:
        comments = []
    if not isinstance(comments, list):
        raise LineError(f'"comments" must be a list, not {_json_type(comments)}')

    where = f"{source}:{lineno}"
    key = record.get("id") or record.get("url") or f"line {lineno}"
    post_id = post_id_for(source, key)
    url = _clean(record.get("url"))
    article = Document(
        id=post_id, kind=ARTICLE, post_id=post_id, title=clean_text(title.strip()), body=body,
        source=source, author=_clean(record.get("author")),
        date=_date(record.get("date"), where, report), url=url, meta={"key": key, "line": lineno, **meta},
    )
    return Post(article, _comments(comments, article, where, report))


def _comments(records: list, article: Document, where: str, report) -> list[Document]:
    docs: list[Document] = []
    by_key: dict[str, str] = {}
    parents: list[str | None] = []
    for i, rec in enumerate(records, start=1):
        try:
            if not isinstance(rec, dict):
                raise LineError(f"a JSON object was expected, not {_json_type(rec)}")
            body, meta = _body(rec)
            for name in ("id", "parent", "author", "date", "url"):
                _string(rec, name)
        except LineError as exc:
            report.error(f"{where}: comment {i}: {exc}; comment skipped")
            continue
        number = len(docs) + 1
        doc = Document(
            id=comment_id_for(article.post_id, number), kind=COMMENT, post_id=article.post_id,
            title=article.title, body=body, source=article.source,
            author=_clean(rec.get("author")), date=_date(rec.get("date"), where, report),
            url=_clean(rec.get("url")) or article.url, number=number, meta=meta,
        )
        if rec.get("id"):
            doc.meta["key"] = rec["id"]
            by_key.setdefault(rec["id"], doc.id)
        docs.append(doc)
        parents.append(rec.get("parent") or None)
    for doc, parent in zip(docs, parents, strict=True):
        if parent is None:
            continue
        doc.parent_id = by_key.get(parent)
        if doc.parent_id is None or doc.parent_id == doc.id:
            doc.parent_id = None
            report.warn(f"{where}: comment {doc.number}: parent {parent!r} is no comment id of this "
                        "post; indexed as a top-level comment")
    return docs


def _string(record: dict, name: str, required: bool = False) -> str | None:
    value = record.get(name)
    if value is None:
        if required:
            raise LineError(f'"{name}" is missing')
        return None
    if not isinstance(value, str):
        raise LineError(f'"{name}" must be a string, not {_json_type(value)}')
    return value


def _body(record: dict) -> tuple[str, dict]:
    """``body`` (plain text) or, when it is absent, ``body_html`` made text; and the document's meta.

    A body longer than ``MAX_DOCUMENT_CHARS`` is cut here, before it is
    cleaned, its full length kept in the meta for ``read_file``'s warning.
    """
    body = _string(record, "body")
    if body is None:
        html = _string(record, "body_html")
        if html is None:
            raise LineError('"body" (or "body_html") is missing')
        body = html_to_text(html)
    body = body.strip()
    if len(body) <= MAX_DOCUMENT_CHARS:
        return clean_text(body), {}
    return clean_text(body[:MAX_DOCUMENT_CHARS]), {"full_length": len(body)}


def _clean(value: str | None) -> str | None:
    value = clean_text(value).strip() if value else None
    return value or None


def _date(value: str | None, where: str, report) -> datetime | None:
    """An ISO 8601 date or date-time, its local time kept (any offset dropped).

    >>> _date("2016-07-12T09:30:00+02:00", "x", None)
    datetime.datetime(2016, 7, 12, 9, 30)
    >>> _date("2016-07-12", "x", None)
    datetime.datetime(2016, 7, 12, 0, 0)
    """
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.strip()).replace(tzinfo=None)
    except ValueError:
        report.warn(f"{where}: date {value[:40]!r} is not ISO 8601 (YYYY-MM-DD[THH:MM[:SS]]); "
                    "indexed without a date")
        return None


def _json_type(value) -> str:
    """The JSON name of a decoded value's type, for messages.

    >>> _json_type(3), _json_type(None), _json_type([])
    ('a number', 'null', 'an array')
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return "a string"
