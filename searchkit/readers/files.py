"""Opening input files: regular files only, never blocking, read within the limits."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from searchkit.errors import InputError
from searchkit.readers.limits import MAX_LINE_BYTES, MAX_PAGE_BYTES, mib

SNIFF_BYTES = 4096

_KINDS = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder"))


def open_regular(path: Path, source: str) -> BinaryIO:
    """``path`` opened for reading if it is a regular file; ``InputError`` naming anything else.

    The file is opened without blocking (a FIFO would wait for a writer
    forever) and checked on the open descriptor, so a symlink to
    ``/dev/zero`` is seen for what it points at, and a file swapped for a
    FIFO after a first look is caught on the second.
    """
    try:
        fh = open(path, "rb", opener=_open_nonblocking)  # returned open: the caller closes it
    except OSError as exc:
        kind = {errno.ENXIO: "a socket", errno.EISDIR: "a folder"}.get(exc.errno or 0)
        if kind:  # a socket cannot be opened at all; a folder not as a file
            raise _not_regular(source, kind) from None
        raise InputError(f"{source}: cannot read ({exc.strerror or exc})") from None
    try:
        mode = os.fstat(fh.fileno()).st_mode
        if not stat.S_ISREG(mode):
            raise _not_regular(source, next((name for test, name in _KINDS if test(mode)), "a special file"))
        os.set_blocking(fh.fileno(), True)
    except BaseException:
        fh.close()
        raise
    return fh


def _open_nonblocking(path: str, flags: int) -> int:
    return os.open(path, flags | os.O_NONBLOCK)


def _not_regular(source: str, kind: str) -> InputError:
    return InputError(f"{source}: not a regular file ({kind}); only regular files are read")


def read_head(path: Path, source: str, size: int = SNIFF_BYTES) -> bytes:
    """The first ``size`` bytes of a regular file (see ``open_regular``)."""
    with open_regular(path, source) as fh:
        try:
            return fh.read(size)
        except OSError as exc:
            raise InputError(f"{source}: cannot read ({exc.strerror or exc})") from None


def read_page(path: Path, source: str, report, what: str = "page") -> bytes:
    """A page file's bytes, at most ``MAX_PAGE_BYTES`` of them (a warning says what was left unread)."""
    with open_regular(path, source) as fh:
        data = fh.read(MAX_PAGE_BYTES + 1)
        if len(data) > MAX_PAGE_BYTES:
            size = os.fstat(fh.fileno()).st_size
            report.warn(f"{source}: the {what} is {mib(size)}; only its first {mib(MAX_PAGE_BYTES)} are read "
                        f"(the limit for one page)")
            data = data[:MAX_PAGE_BYTES]
    return data


def read_lines(path: Path, source: str) -> Iterator[tuple[bytes, int]]:
    """The lines of a regular file, each cut to ``MAX_LINE_BYTES``, with how many bytes each lost.

    A line is never held longer than the limit, whatever its length in the
    file (a 200 MB page dump on one line): the rest is read and dropped.
    """
    with open_regular(path, source) as fh:
        while True:
            line = fh.readline(MAX_LINE_BYTES)
            if not line:
                return
            lost = 0
            if len(line) == MAX_LINE_BYTES and not line.endswith(b"\n"):
                while True:
                    rest = fh.readline(1 << 20)
                    if not rest:
                        break
                    lost += len(rest)
                    if rest.endswith(b"\n"):
                        line += b"\n"
                        lost -= 1
                        break
            yield line, lost
