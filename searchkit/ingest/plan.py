"""The plan of an incremental run: which walked files are new, changed, unchanged or gone.

Decided from stat calls and content hashes only (``FileEntry`` records of the
last commit against the files walked now); no engine and no reader here.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from searchkit.engine.base import FileEntry


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
    """What a run has to do, decided from stat calls and hashes only."""

    to_read: list = field(default_factory=list)  # CorpusFile: new or changed
    new: set[str] = field(default_factory=set)  # sources among to_read never indexed
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # sources whose file is gone
    entries: dict[str, FileEntry] = field(default_factory=dict)  # fresh stat+hash of to_read and touched files
    refreshed: bool = False  # only stat data changed: rewrite the manifest, nothing else
    shadowed: list[tuple[str, str]] = field(default_factory=list)  # (source, path it replaces)

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


def plan(known: dict[str, FileEntry], files: list, roots: list[Path], blind: list[Path]) -> Plan:
    """Sort the walked ``files`` into new, changed and unchanged; find removed sources.

    A file whose size and mtime match the manifest is unchanged without being
    opened; otherwise its hash decides. A source in the manifest that was not
    walked is removed only if its path lies under one of the ``roots`` walked
    this time and not under a ``blind`` spot (an unreadable folder): indexing
    one folder never drops another folder's files.
    """
    p = Plan()
    seen: set[str] = set()
    for cf in files:
        seen.add(cf.source)
        old = known.get(cf.source)
        path = os.path.abspath(cf.path)
        try:
            st = os.stat(cf.path)
        except OSError:
            p.to_read.append(cf)  # let the reader name the problem
            continue
        if old and old.clean and old.path == path and same_stat(old, st):
            p.unchanged.append(cf.source)
            continue
        try:
            digest = file_hash(cf.path)
        except OSError:
            p.to_read.append(cf)
            continue
        entry = FileEntry(path, st.st_size, st.st_mtime_ns, digest)
        if old and old.clean and old.sha256 == digest:
            entry.post_ids = old.post_ids  # touched or moved, not changed
            p.entries[cf.source] = entry
            p.unchanged.append(cf.source)
            p.refreshed = True
            continue
        p.entries[cf.source] = entry
        p.to_read.append(cf)
        if cf.source not in known:
            p.new.add(cf.source)
        elif old is not None and old.path != path and os.path.exists(old.path):
            p.shadowed.append((cf.source, old.path))  # another file, still there, same source
    abs_roots = [os.path.abspath(r) for r in roots if r.exists()]
    abs_blind = [os.path.abspath(b) for b in blind]
    for source, entry in sorted(known.items()):
        if source in seen:
            continue
        if under(entry.path, abs_roots) and not under(entry.path, abs_blind):
            p.removed.append(source)
    return p
