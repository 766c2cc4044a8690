"""Readers: one module per archive format, each turning a file into ``Post`` records.

``read_file`` is the single entry point: it sniffs the format from the file's
content (then its extension), calls that format's reader and records what went
wrong in a ``FileReport``. A reader is a function ``read(path, source, report)``
yielding ``Post``; it calls ``report.warn`` for something a user should know
(the file is still indexed) and ``report.error`` for damage that lost content
(the run ends with exit 2), or raises ``InputError`` when nothing can be read.

Only regular files are read (``files.open_regular``: a FIFO or a device is
refused by name, never waited on), and every post leaves ``read_file`` within
the limits of ``limits`` (what was cut is a warning).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from searchkit.errors import InputError
from searchkit.model import Post
from searchkit.readers.files import read_head
from searchkit.readers.limits import cap_post

# format name -> module under searchkit.readers defining ``read``.
# Modules are imported on first use so a search never pays for them.
READERS: dict[str, str] = {
    "pagedump": "searchkit.readers.pagedump",
    "wxr": "searchkit.readers.wxr",
    "html": "searchkit.readers.html",
    "jsonl": "searchkit.readers.jsonl",
    "warc": "searchkit.readers.warc",
}

EXTENSIONS: dict[str, str] = {
    ".txt": "pagedump",
    ".xml": "wxr",
    ".html": "html",
    ".htm": "html",
    ".jsonl": "jsonl",
    ".warc": "warc",
    ".warc.gz": "warc",
}



@dataclass
class FileReport:
    """What happened while reading one file: warnings and soft errors.

    With a ``sink`` (an indexing run's bounded report) each message goes
    there as it is met and is not held here: a file of a million bad lines
    costs no memory for its messages. ``error_count`` counts either way.
    """

    source: str
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    sink: Callable[[str, str], None] | None = field(default=None, repr=False, compare=False)  # (kind, message)
    error_count: int = 0

    def warn(self, message: str) -> None:
        if self.sink is not None:
            self.sink("warning", message)
        else:
            self.warnings.append(message)

    def error(self, message: str) -> None:
        self.error_count += 1
        if self.sink is not None:
            self.sink("error", message)
        else:
            self.errors.append(message)

    def skip(self, reason: str, count: int = 1) -> None:
        """Count items deliberately left out (drafts, pingbacks...) by reason."""
        self.skipped[reason] = self.skipped.get(reason, 0) + count


def extension_of(path: str | os.PathLike[str]) -> str:
    """A file name's extension in lower case, as ``Path.suffix`` gives it (``.warc.gz`` whole), from a string.

    >>> extension_of("Blog.WARC.GZ"), extension_of(Path("a/b.tar.txt")), extension_of("README"), extension_of("x.")
    ('.warc.gz', '.txt', '', '')
    """
    name = os.path.basename(os.fspath(path)).lower()
    if name.endswith(".warc.gz"):
        return ".warc.gz"
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def sniff_format(path: Path, head: bytes) -> str | None:
    """Guess a file's format from its first bytes, then its extension.

    >>> sniff_format(Path("x.dat"), b'<?xml version="1.0"?><rss xmlns:wp="http://wordpress.org/export/1.2/">')
    'wxr'
    >>> sniff_format(Path("page.txt"), b"<!DOCTYPE html><html>")
    'html'
    >>> sniff_format(Path("notes.txt"), "Un titre\\n\\nUn texte.".encode())
    'pagedump'
    """
    if head.startswith(b"\x1f\x8b") and extension_of(path) == ".warc.gz":
        return "warc"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"warc/"):
        return "warc"
    if b"wordpress.org/export" in text or (text.startswith(b"<?xml") and b"<rss" in text):
        return "wxr"
    if text.startswith((b"<!doctype html", b"<html")) or b"<html" in text[:1024]:
        return "html"
    if text.startswith(b"{") and extension_of(path) in (".jsonl", ".json", ".ndjson"):
        return "jsonl"
    return EXTENSIONS.get(extension_of(path))


def reader_for(fmt: str) -> Callable[..., Iterator[Post]]:
    return importlib.import_module(READERS[fmt]).read


def read_file(path: Path, source: str, report: FileReport) -> Iterator[Post]:
    """Yield the posts of one file; raise ``InputError`` if it cannot be read at all.

    Only regular files are read; every document is cut to the limits in
    ``limits`` (a warning says what was cut).
    """
    head = read_head(path, source)
    if not head:
        raise InputError(f"{source}: empty file")
    fmt = sniff_format(path, head)
    if fmt is None:
        raise InputError(f"{source}: not an archive format searchkit reads (see README, 'Formats')")
    for post in reader_for(fmt)(path, source, report):
        cap_post(post, report)
        yield post
