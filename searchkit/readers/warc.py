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

Hostile files: a payload is inflated (WARC gzip records, HTTP gzip or
deflate) to at most ``MAX_PAYLOAD_BYTES``, and a record declaring more than
``MAX_INFLATE_RATIO`` times the file's size is not inflated at all; either is
refused as a decompression bomb, and the rest of the file is not read. A
record cut short (the file ends inside it, or its declared length does not
fit what follows) is an error, never indexed silently.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from pathlib import Path

from searchkit.errors import InputError
from searchkit.model import Post
from searchkit.readers.encoding import is_probably_binary
from searchkit.readers.files import open_regular
from searchkit.readers.html import parse_page
from searchkit.readers.limits import MAX_INFLATE_RATIO, MAX_PAYLOAD_BYTES, mib

HTML_TYPES = ("text/html", "application/xhtml+xml")


class Bomb(Exception):
    """A record inflates past the limits; the message says which and how."""


def read(path: Path, source: str, report) -> Iterator[Post]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    class Records(ArchiveIterator):
        """warcio's iterator, telling its damage to us instead of printing it on stderr."""

        def __init__(self, fh) -> None:
            self.misplaced: list[int] = []  # offsets where a record did not end where its length said
            self.cut_member = False  # the file ends inside a gzip member
            super().__init__(fh, check_digests=True)

        def _consume_blanklines(self):
            # warcio's own, with its stderr warning turned into a note of where
            empty_size = 0
            first = True
            while True:
                line = self.reader.readline()
                if not line:
                    return None, empty_size
                if not line.rstrip() or first:
                    empty_size += len(line)
                    if line.rstrip():
                        self.misplaced.append(self.fh.tell() - self.reader.rem_length() - empty_size)
                    first = False
                    continue
                return line, empty_size

        def close(self):
            decompressor = self.reader.decompressor if self.reader else None
            if decompressor is not None and not getattr(decompressor, "eof", True):
                self.cut_member = True
            super().close()

    seen: set[str] = set()
    records = 0
    with open_regular(path, source) as fh:
        size = fh.seek(0, 2)
        fh.seek(0)
        compressed = fh.read(2) == b"\x1f\x8b"
        fh.seek(0)
        it = Records(fh)
        try:
            for record in it:
                if not record.rec_type:
                    continue  # no WARC-Type: not a record at all
                records += 1
                uri = (record.rec_headers.get_header("WARC-Target-URI") or "").strip().strip("<>")
                _check_declared_length(record, compressed, size, f"{source}#{uri}" if uri else source)
                page = _html_page(record, report, f"{source}#{uri}")
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
        except Bomb as exc:
            report.error(f"{exc}; refused (a decompression bomb?), the rest of the file is not read")
            return
        except (ArchiveLoadFailed, EOFError, zlib.error, ValueError) as exc:
            reason = " ".join(str(exc).split())[:200] or type(exc).__name__
            if not records:
                raise InputError(f"{source}: not a readable WARC file ({reason})") from None
            report.error(f"{source}: WARC damaged after {records} records ({reason}); the rest is lost")
            return
    if it.misplaced:
        where = ", ".join(f"{offset:,}" for offset in it.misplaced[:3])
        report.error(f"{source}: {len(it.misplaced)} WARC record(s) do not end where their declared length "
                     f"says (at byte {where}): a length is wrong or the file was cut; what they hold may be "
                     "incomplete")
    if it.cut_member:
        report.error(f"{source}: the file ends inside a compressed record (truncated?); that record is lost")
    if not records:
        raise InputError(f"{source}: not a readable WARC file (no record found)")
    if not seen:
        report.warn(f"{source}: no HTML page among its {records} WARC records")


def _check_declared_length(record, compressed: bool, size: int, label: str) -> None:
    """Refuse, before inflating it, a record declaring far more than a compressed file can hold."""
    declared = record.length or 0
    if compressed and declared > MAX_PAYLOAD_BYTES and declared > MAX_INFLATE_RATIO * size:
        raise Bomb(f"{label}: a WARC record declares {mib(declared)} in a {mib(size)} file (more than "
                   f"{MAX_INFLATE_RATIO} times its size)")


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


def _html_page(record, report, label: str) -> tuple[str, str, bytes] | None:
    """(target URI, Content-Type, payload) of an HTML page record; None for anything else.

    The payload is inflated to at most ``MAX_PAYLOAD_BYTES``; past it, ``Bomb``.
    """
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
    data = record.content_stream().read(MAX_PAYLOAD_BYTES + 1)
    if len(data) > MAX_PAYLOAD_BYTES:
        encoding = record.http_headers.get_header("Content-Encoding")
        how = f" (HTTP Content-Encoding: {encoding})" if encoding else ""
        raise Bomb(f"{label}: an HTML payload is larger than {mib(MAX_PAYLOAD_BYTES)} once inflated{how}, "
                   "the limit for one page")
    return uri, content_type, data
