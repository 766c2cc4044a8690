"""Writing to standard output and standard error when they are full, closed or gone.

Results go to stdout through ``Out``: a full device (or any write error) is an
``OutputError`` (exit 2, one clear line), a reader that went away (``| head``)
is ``ReaderGone`` (stop quietly). Notes and messages go to stderr through
``note``, which never fails a run: if stderr cannot be written, the message is
dropped and the exit code stays what the run earned.
"""

from __future__ import annotations

import os
import sys
from typing import TextIO

from searchkit.errors import SearchkitError


class OutputError(SearchkitError):
    """Standard output cannot be written (full device, closed stream...)."""


class ReaderGone(Exception):
    """Whoever read standard output went away (``searchkit search x | head -1``)."""


STDOUT_CLOSED = "standard output is closed: the results cannot be written"


def silence(stream: TextIO | None) -> None:
    """Point ``stream``'s file descriptor at /dev/null, so what is still buffered, and the
    interpreter's last flush, go nowhere instead of failing again at exit."""
    try:
        fd = stream.fileno() if stream is not None else -1
    except (AttributeError, OSError, ValueError):  # not a real file (tests, replaced streams)
        return
    if fd < 0:
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)


def _failed(exc: OSError) -> Exception:
    if isinstance(exc, BrokenPipeError):
        return ReaderGone()
    reason = exc.strerror or str(exc)
    return OutputError(f"cannot write the results to standard output ({reason})")


class Out:
    """Standard output for results: every write error becomes ``OutputError`` or ``ReaderGone``."""

    def __init__(self, stream: TextIO | None = None):
        stream = stream if stream is not None else sys.stdout
        if stream is None:  # started with stdout closed (`searchkit search x >&-`)
            raise OutputError(STDOUT_CLOSED)
        self.stream = stream

    def write(self, text: str) -> None:
        try:
            self.stream.write(text)
        except OSError as exc:
            raise _failed(exc) from None

    def line(self, text: str) -> None:
        self.write(text + "\n")

    def flush(self) -> None:
        try:
            self.stream.flush()
        except OSError as exc:
            raise _failed(exc) from None


def flush_stdout() -> None:
    """Flush what is buffered for stdout (a file is block-buffered: a full disk shows only here)."""
    if sys.stdout is not None:
        Out(sys.stdout).flush()


def note(text: str) -> None:
    """One line on stderr; a stderr that cannot be written (full, closed, gone) is ignored."""
    stream = sys.stderr
    if stream is None:
        return
    try:
        stream.write(text + "\n")
        stream.flush()
    except (OSError, ValueError):
        silence(stream)
