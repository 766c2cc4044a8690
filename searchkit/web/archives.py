"""Open archives for the server's worker threads, reopened when the index changes.

A Whoosh searcher must not be shared across threads, and it keeps reading the
index as it was when opened: so each worker thread keeps its own ``Archive``
and opens a new one when the index folder's entries change (a commit of
``searchkit index`` writes new files), so searches during indexing keep working
and see the last commit.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from searchkit.api import Archive, open_archive


def _version(location: str) -> tuple[int, int] | None:
    """What changes when a folder index is committed to or replaced (None: not a folder)."""
    try:
        st = os.stat(location)
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns)


class Archives:
    """Per-thread archives of one location."""

    def __init__(self, location: str):
        self.location = location
        self._local = threading.local()

    @contextmanager
    def open(self) -> Iterator[Archive]:
        """This thread's archive, reopened first if the index changed since it was opened."""
        version = _version(self.location)
        cached = getattr(self._local, "archive", None)
        if cached is None or version is None or self._local.version != version:
            if cached is not None:
                self._local.archive = None
                cached.close()
            cached = open_archive(self.location)  # raises IndexMissingError & co: nothing is cached
            self._local.archive, self._local.version = cached, version
        yield cached
