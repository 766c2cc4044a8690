"""Open archives for the server's worker threads, reused warm and reopened when the index changes.

A Whoosh searcher must not be used by two threads at once, and it keeps
reading the index as it was when opened. So each request borrows an
``Archive`` from a small pool (one request at a time uses it; it goes back
warm, with its caches, for the next), and an archive opened before the index
folder last changed (a commit of ``searchkit index`` writes new files) is
closed instead of reused: searches during indexing keep working and see the
last commit.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from searchkit.api import Archive, open_archive

MAX_IDLE = 24  # warm archives kept between requests (~18 open files each); more are opened under load, then closed


def _version(location: str) -> tuple[int, int] | None:
    """What changes when a folder index is committed to or replaced (None: not a folder, e.g. a URL)."""
    try:
        st = os.stat(location)
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns)


class Archives:
    """A pool of open archives of one location."""

    def __init__(self, location: str):
        self.location = location
        self._lock = threading.Lock()
        self._idle: list[tuple[tuple[int, int] | None, Archive]] = []

    @contextmanager
    def open(self) -> Iterator[Archive]:
        """An archive of the index as last committed, for this request alone."""
        version = _version(self.location)
        archive, stale = None, []
        with self._lock:
            while self._idle and archive is None:
                opened_at, candidate = self._idle.pop()  # the most recently used: the warmest caches
                if opened_at == version:
                    archive = candidate
                else:
                    stale.append(candidate)
        for old in stale:
            old.close()
        if archive is None:
            archive = open_archive(self.location)  # raises IndexMissingError & co: nothing is pooled
        try:
            yield archive
        finally:
            with self._lock:
                keep = len(self._idle) < MAX_IDLE and _version(self.location) == version
                if keep:
                    self._idle.append((version, archive))
            if not keep:
                archive.close()
