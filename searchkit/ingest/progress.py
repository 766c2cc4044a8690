"""Progress of an indexing run on stderr, phase by phase, shown only when stderr is a terminal.

Reading is measured in bytes of the files to read, with the rate, the time
left and the documents found so far; the commit, whose merge Whoosh does in
one call, shows its elapsed time, refreshed by a timer. One line, redrawn in
place (``\\r``) and erased when the phase ends, so the summary lines stay clean.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from contextlib import contextmanager


def width() -> int:
    """The terminal's width; a pseudo-terminal made without a size (0 columns) gets 80."""
    try:
        return os.get_terminal_size(sys.stderr.fileno()).columns or 80
    except (OSError, ValueError, AttributeError):
        return 80


def on_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def human(n: float) -> str:
    """
    >>> human(512), human(3 * 1024 * 1024)
    ('512 B', '3.0 MiB')
    """
    for unit in ("B", "KiB", "MiB"):
        if n < 1024:
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"


def clock(seconds: float) -> str:
    """
    >>> clock(75), clock(3700)
    ('1:15', '1:01:40')
    """
    s = int(seconds)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


class Progress:
    """The progress line of one run; every method does nothing when stderr is not a terminal."""

    def __init__(self, enabled: bool | None = None):
        self.enabled = on_terminal() if enabled is None else enabled
        self.documents = 0
        self.done = 0
        self.total = 0
        self.files = 0
        self.files_done = 0
        self.started = time.monotonic()

    def _show(self, text: str) -> None:
        try:
            sys.stderr.write("\r" + text[: width() - 1].ljust(width() - 1))
            sys.stderr.flush()
        except (OSError, ValueError):  # a terminal gone is no reason to stop indexing
            self.enabled = False

    def _erase(self) -> None:
        self._show("")
        try:
            sys.stderr.write("\r")
        except (OSError, ValueError):
            pass

    def reading(self, total_bytes: int, files: int) -> None:
        self.total, self.files, self.started = total_bytes, files, time.monotonic()
        if self.enabled:
            self._show(f"reading {files} file(s), {human(total_bytes)}")

    def file_done(self, size: int, documents: int, name: str) -> None:
        self.done += size
        self.documents += documents
        self.files_done += 1
        if not self.enabled:
            return
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = self.done / elapsed
        left = f", {clock((self.total - self.done) / rate)} left" if rate and self.done < self.total else ""
        self._show(f"reading {self.files} file(s): {self.files_done}/{self.files}, {human(self.done)} of "
                   f"{human(self.total)} ({human(rate)}/s{left}), {self.documents} documents")

    @contextmanager
    def phase(self, what: str):
        """An open-ended phase (the commit): its elapsed time, redrawn twice a second."""
        if not self.enabled:
            yield
            return
        start = time.monotonic()
        stop = threading.Event()

        def tick() -> None:
            while True:
                self._show(f"{what}: {clock(time.monotonic() - start)}")
                if stop.wait(0.5):
                    return

        timer = threading.Thread(target=tick, daemon=True)
        timer.start()
        try:
            yield
        finally:
            stop.set()
            timer.join()
            self._erase()
