"""The plan of an incremental run: which walked files are new, changed, unchanged or gone.

Decided from stat calls and content hashes only (``FileEntry`` records of the
last commit against the files walked now): the unchanged files by one join,
the others one file at a time; no engine and no reader here.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from searchkit.engine.base import FileEntry, FileState
from searchkit.ingest.scratch import Scratch


def same_stat(entry: FileEntry, st: os.stat_result) -> bool:
    return entry.size == st.st_size and entry.mtime_ns == st.st_mtime_ns


def file_hash(path: Path) -> str:
    """SHA-256 of a file's bytes, read in chunks (flat memory on big archives)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass
class Plan:
    """What a run has to do, decided from stat calls and hashes only.

    The files to read and the sources gone are in the run's scratch tables
    (``Scratch.to_read``, ``Scratch.removed``); here only their numbers.
    """

    to_read: int = 0  # new or changed files
    to_read_bytes: int = 0
    removed: int = 0  # sources whose file is gone
    unchanged: int = 0
    refreshed: bool = False  # only stat data changed: rewrite the manifest, nothing else

    @property
    def writes_index(self) -> bool:
        return bool(self.to_read or self.removed)


def under(path: str, roots: list[str]) -> bool:
    """Whether ``path`` is one of ``roots`` or inside one of them.

    >>> under("/c/blog/a.txt", ["/c/blog"]), under("/c/blogue/a.txt", ["/c/blog"])
    (True, False)
    >>> under("/c/a.txt", ["/c/a.txt"])
    True
    """
    return any(path == r or path.startswith(r.rstrip(os.sep) + os.sep) for r in roots)


def plan(known: FileState, scratch: Scratch, roots: list[Path], blind: list[Path],
         shadowed: Callable[[str, str], None] = lambda source, other: None) -> Plan:
    """Sort the files walked into new, changed and unchanged; find removed sources.

    A file whose size and mtime (when walked) match a clean entry of the
    manifest at the same path is unchanged without being opened; otherwise
    its hash decides. A touched but identical file's new stat data goes into
    ``known``. A source in the manifest that was not walked is removed only
    if its path lies under one of the ``roots`` walked this time and not
    under a ``blind`` spot (an unreadable folder): indexing one folder never
    drops another folder's files. ``known`` is attached to ``scratch``
    (``Scratch.knowing``): the unchanged files and the sources not walked
    are each found by one join, and only the other files are looked at one
    at a time, the lists on disk in ``scratch``. ``shadowed(source, path)``
    is told of each file read under a source that another file, still
    there at ``path``, was indexed under.
    """
    p = Plan()
    p.unchanged = scratch.mark_unchanged()
    abs_roots = [os.path.abspath(r) for r in roots if r.exists()]
    abs_blind = [os.path.abspath(b) for b in blind]
    for source, old_path in scratch.unwalked():
        if under(old_path, abs_roots) and not under(old_path, abs_blind):
            scratch.gone(source)
            p.removed += 1
    for fspath, source in scratch.to_check():
        old = known.get(source)
        path = os.path.abspath(fspath)
        try:
            st = os.stat(fspath)
        except OSError:
            p.to_read += 1
            scratch.read_later(fspath, source, old is None, None)  # let the reader name the problem
            continue
        if old and old.clean and old.path == path and same_stat(old, st):
            p.unchanged += 1  # changed back since it was walked
            continue
        try:
            digest = file_hash(fspath)
        except OSError:
            p.to_read += 1
            scratch.read_later(fspath, source, old is None, None)
            continue
        entry = FileEntry(path, st.st_size, st.st_mtime_ns, digest)
        if old and old.clean and old.sha256 == digest:
            entry.post_ids = old.post_ids  # touched or moved, not changed
            known.put(source, entry)
            p.unchanged += 1
            p.refreshed = True
            continue
        p.to_read += 1
        p.to_read_bytes += entry.size
        scratch.read_later(fspath, source, old is None, entry)
        if old is not None and old.path != path and os.path.exists(old.path):
            shadowed(source, old.path)  # another file, still there, same source
    return p
