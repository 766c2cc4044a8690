"""Reader for web archives (``*.warc``, ``*.warc.gz``): each archived HTML page, one ``Post``.

A WARC made by wget ``--warc-file``, Heritrix or similar holds requests,
responses, metadata and revisits for every URL fetched. Only HTTP
``response`` records with a 2xx status and an HTML payload are pages; each
goes through the HTML reader (``html.parse_page``) with the record's
``WARC-Target-URI`` as the page's url and the key of its ids, and the HTTP
``Content-Type`` header as a charset declaration. warcio undoes chunked and
gzip transfer encodings.

Documents keep the WARC file as their ``source`` (so re-indexing the file
replaces them all); messages name a page as ``file.warc.gz#<target uri>``.
The same URL archived twice in one file is indexed once (the first capture).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from pathlib import Path

from searchkit.errors import InputError
from searchkit.model import Post
from searchkit.readers.encoding import is_probably_binary
from searchkit.readers.html import parse_page

HTML_TYPES = ("text/html", "application/xhtml+xml")


def read(path: Path, source: str, report) -> Iterator[Post]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    seen: set[str] = set()
    records = 0
    try:
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh, check_digests=True):
                if not record.rec_type:
                    continue  # no WARC-Type: not a record at all
                records += 1
                page = _html_page(record, report)
                if page is None:
                    continue
                uri, content_type, data = page
                damage = _damage(record)
                if damage:
                    report.error(f"{source}#{uri}: WARC record {damage}; indexing what it holds")
                if uri in seen:
                    report.skip("URL captured twice in the same WARC")
                    continue
                seen.add(uri)
                label = f"{source}#{uri}"
                if is_probably_binary(data):
                    report.warn(f"{label}: served as HTML but binary; skipped")
                    continue
                try:
                    yield from parse_page(data, source, report, url=uri, content_type=content_type,
                                          label=label)
                except InputError as exc:
                    report.error(f"{exc}; skipped")
    except (ArchiveLoadFailed, EOFError, zlib.error, ValueError) as exc:
        reason = " ".join(str(exc).split())[:200] or type(exc).__name__
        if not records:
            raise InputError(f"{source}: not a readable WARC file ({reason})") from None
        report.error(f"{source}: WARC damaged after {records} records ({reason}); the rest is lost")
        return
    if not records:
        raise InputError(f"{source}: not a readable WARC file (no record found)")
    if not seen:
        report.warn(f"{source}: no HTML page among its {records} WARC records")


def _damage(record) -> str | None:
    """What is wrong with a record whose payload was read: cut short, or failing its digest."""
    raw = record.raw_stream
    while raw.read(65536):  # whatever the HTTP decoding left unread
        pass
    if getattr(raw, "limit", 0) > 0:
        return f"truncated ({raw.limit} of {record.length} bytes missing)"
    checker = record.digest_checker
    if checker is not None and checker.passed is False:
        return "fails its digest (" + "; ".join(checker.problems)[:200] + ")"
    return None


def _html_page(record, report) -> tuple[str, str, bytes] | None:
    """(target URI, Content-Type, payload) of an HTML page record; None for anything else."""
    if record.rec_type != "response" or record.http_headers is None:
        return None
    status = record.http_headers.get_statuscode() or ""
    content_type = record.http_headers.get_header("Content-Type") or ""
    if content_type.split(";")[0].strip().lower() not in HTML_TYPES:
        return None
    if not status.startswith("2"):
        report.skip(f"HTTP {status} response")
        return None
    # WARC 1.0 examples wrote the URI in angle brackets; some crawlers still do.
    uri = (record.rec_headers.get_header("WARC-Target-URI") or "").strip().strip("<>")
    return uri, content_type, record.content_stream().read()
