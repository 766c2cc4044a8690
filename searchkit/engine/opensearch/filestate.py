"""An OpenSearch index's file state during one run: a private SQLite copy, loaded page by page, saved by difference.

The cluster keeps one document per source file in ``<physical>.files``. A run
used to load them all into a dict and write them all back at its commit: its
memory and its commit grew with the number of files, whatever changed. Here
they are streamed into a temporary SQLite database (looked up one file at a
time, as the folder index's manifest is), the sources a run puts or drops are
remembered, and only those are written back (``save``).

>>> state = ClusterFileState([("a.txt", FileEntry("/c/a.txt", 3, 1, "h"))])
>>> state.get("a.txt").size, state.source_of("/c/a.txt"), list(state.changes())
(3, 'a.txt', [])
>>> state.put("b.txt", FileEntry("/c/b.txt", 5, 2, "i")); state.drop("a.txt")
>>> [(source, entry and entry.size) for source, entry in state.changes()]
[('a.txt', None), ('b.txt', 5)]
>>> state.close()
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from searchkit.engine.base import FileEntry, FileState
from searchkit.errors import SearchkitError

_TABLES = """
CREATE TABLE files (source TEXT PRIMARY KEY, path TEXT, size INTEGER, mtime_ns INTEGER, sha256 TEXT,
                    post_ids TEXT, clean INTEGER);
CREATE INDEX files_path ON files (path, source);
CREATE TABLE changed (source TEXT PRIMARY KEY);
"""
CHUNK = 1000  # entries written back per bulk request


class ClusterFileState(FileState):
    """The file state a run reads and changes, on local disk; ``changes`` lists what it changed."""

    def __init__(self, entries: Iterable[tuple[str, FileEntry]] = ()):
        fd, self.path = tempfile.mkstemp(prefix="searchkit-files-", suffix=".sqlite")
        os.close(fd)
        # Autocommit: each change is committed at once (no journal, no fsync: a private copy), so the
        # run's scratch database, which attaches this file to join with it, always reads it whole.
        self.conn = sqlite3.connect(self.path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=OFF")
        self.conn.execute("PRAGMA synchronous=OFF")
        self.conn.executescript(_TABLES)
        self.conn.execute("BEGIN")
        self.conn.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?)",
                              (_row(source, entry) for source, entry in entries))
        self.conn.execute("COMMIT")

    def database(self) -> Path:
        return Path(self.path)

    def get(self, source: str) -> FileEntry | None:
        row = self.conn.execute("SELECT * FROM files WHERE source = ?", (source,)).fetchone()
        return _entry(row) if row else None

    def source_of(self, path: str) -> str | None:
        row = self.conn.execute("SELECT source FROM files WHERE path = ? ORDER BY source LIMIT 1", (path,)).fetchone()
        return row[0] if row else None

    def sources(self) -> Iterator[tuple[str, str]]:
        yield from self.conn.execute("SELECT source, path FROM files ORDER BY source")

    def put(self, source: str, entry: FileEntry) -> None:
        self.conn.execute("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?)", _row(source, entry))
        self.conn.execute("INSERT OR IGNORE INTO changed VALUES (?)", (source,))

    def drop(self, source: str) -> None:
        self.conn.execute("DELETE FROM files WHERE source = ?", (source,))
        self.conn.execute("INSERT OR IGNORE INTO changed VALUES (?)", (source,))

    def changes(self) -> Iterator[tuple[str, FileEntry | None]]:
        """Each source put or dropped since the load, with its entry now (None: dropped), by source."""
        rows = self.conn.execute("SELECT c.source, f.* FROM changed c LEFT JOIN files f ON f.source = c.source "
                                 "ORDER BY c.source")
        for source, *row in rows:
            yield source, _entry(row) if row[0] is not None else None

    def close(self) -> None:
        try:
            self.conn.close()
        finally:
            try:
                os.remove(self.path)
            except OSError:
                pass


def save(client: Any, name: str, changes: Iterable[tuple[str, FileEntry | None]]) -> None:
    """Write ``changes`` into the file-state index ``name`` (an entry indexed, or deleted when None)."""
    from opensearchpy import helpers

    def actions() -> Iterator[dict[str, Any]]:
        for source, entry in changes:
            if entry is None:
                yield {"_op_type": "delete", "_index": name, "_id": source}
            else:
                yield {"_index": name, "_id": source, "_source": {
                    "source": source, "path": entry.path, "size": entry.size, "mtime_ns": entry.mtime_ns,
                    "sha256": entry.sha256, "post_ids": entry.post_ids, "clean": entry.clean}}

    # A delete of an entry the index never had answers 404: not an error here.
    for ok, item in helpers.streaming_bulk(client, actions(), chunk_size=CHUNK, max_retries=8,
                                           raise_on_error=False, yield_ok=False):
        result = next(iter(item.values()))
        if not ok and result.get("status") != 404:
            raise SearchkitError(f"{name}: OpenSearch refused the file state of {result.get('_id')} "
                                 f"({(result.get('error') or {}).get('reason', 'refused')}): the index is written; "
                                 "run searchkit index again to record its files")
    client.indices.refresh(index=name)


def _row(source: str, e: FileEntry) -> tuple:
    return source, e.path, e.size, e.mtime_ns, e.sha256, json.dumps(e.post_ids), int(e.clean)


def _entry(row) -> FileEntry:
    _source, path, size, mtime_ns, sha256, post_ids, clean = row
    return FileEntry(path, size, mtime_ns, sha256, json.loads(post_ids), bool(clean))
