"""One writer per index: an exclusive lock taken by ``searchkit index`` before it reads anything.

Sits beside ``ingest``: the ingest run holds an ``IndexLock`` for its whole
duration; searches never take it (they read the last commit). The lock is a
``fcntl.flock`` on ``searchkit.lock`` inside the index directory, so the
kernel releases it when its holder dies, even by SIGKILL: a lock left by a
killed process is free by construction. The file also holds the holder's pid,
host and start time, so a waiting writer can name it, and a new holder that
finds a previous holder's details knows the last run died without cleaning up.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from pathlib import Path

from searchkit.engine.holder import describe_holder, holder_ended
from searchkit.errors import IndexLockedError

LOCK_FILE = "searchkit.lock"
DEFAULT_WAIT = 5.0  # seconds a second writer waits before giving up
POLL = 0.05


class IndexLock:
    """Exclusive writer lock on an index directory; use as a context manager.

    ``stale`` holds the details of a previous holder that died without
    releasing (its pid and host were still in the file), or ``None``.
    """

    def __init__(self, index_dir: Path, wait: float = DEFAULT_WAIT):
        self.index_dir = Path(index_dir)
        self.path = self.index_dir / LOCK_FILE
        self.wait = max(0.0, float(wait))
        self.fd: int | None = None
        self.stale: dict | None = None

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc):
        self.release()

    def _read_info(self, fd: int) -> dict:
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            data = os.read(fd, 4096)
            info = json.loads(data.decode("utf-8")) if data.strip() else {}
            return info if isinstance(info, dict) else {}
        except (OSError, ValueError):
            return {}

    def acquire(self) -> None:
        self.index_dir.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + self.wait
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = self._read_info(fd)
                os.close(fd)
                if time.monotonic() >= deadline:
                    who = describe_holder(holder)
                    if holder_ended(holder):  # its forked index workers still hold the lock
                        who += ", which has ended; its worker processes are stopping"
                    raise IndexLockedError(
                        f"the index at {self.index_dir} is being written by another searchkit "
                        f"process ({who}); waited {self.wait:g}s: try again "
                        f"when it is done, or wait longer with --wait SECONDS"
                    ) from None
                time.sleep(POLL)
                continue
            # A rebuild swaps a new directory in place of the old one: if the
            # file we locked is no longer the one at our path, lock that one.
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(self.path))
            except FileNotFoundError:
                same = False
            if not same:
                os.close(fd)
                continue
            break
        previous = self._read_info(fd)
        if previous.get("pid"):
            self.stale = previous
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps(info) + "\n").encode("utf-8"), 0)
        self.fd = fd

    def adopt(self, new_dir: Path) -> IndexLock:
        """Lock ``new_dir`` too (a rebuild's fresh directory, before it is swapped in)."""
        other = IndexLock(new_dir, wait=0)
        other.acquire()
        return other

    def release(self) -> None:
        if self.fd is None:
            return
        try:
            # An empty file means "released cleanly": only a dead holder leaves its pid.
            os.ftruncate(self.fd, 0)
        except OSError:
            pass
        finally:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_UN)
            finally:
                os.close(self.fd)
                self.fd = None
