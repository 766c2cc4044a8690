"""A run's scratch tables on disk: the files walked, the plan's files to read and sources gone, the posts met.

An indexing run meets every file of the corpus; holding one record per file
in memory made a run's memory grow with the number of files (~2.4 KB a
file). These tables live in a private temporary SQLite database (deleted
when closed) with a small page cache, so the walk and the plan stream.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, MutableMapping
from pathlib import Path

from searchkit.engine.base import FileEntry
from searchkit.ingest.dedup import Original

_TABLES = """
CREATE TABLE walked(seq INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, fspath TEXT NOT NULL,
                    source TEXT NOT NULL UNIQUE);
CREATE TABLE to_read(seq INTEGER PRIMARY KEY, fspath TEXT NOT NULL, source TEXT NOT NULL, new INTEGER NOT NULL,
                     path TEXT, size INTEGER, mtime_ns INTEGER, sha256 TEXT);
CREATE TABLE removed(source TEXT PRIMARY KEY);
CREATE TABLE seen_posts(kind TEXT NOT NULL, key TEXT NOT NULL, source TEXT NOT NULL, id TEXT NOT NULL,
                        comments INTEGER NOT NULL, PRIMARY KEY (kind, key));
"""
_BATCH = 2000  # rows per transaction


class Scratch:
    """The run's tables; use as a context manager (the database is deleted on close)."""

    def __init__(self) -> None:
        # "" is a private on-disk temporary database, removed when closed.
        self.conn = sqlite3.connect("")
        self.conn.execute("PRAGMA cache_size=-2048")
        self.conn.executescript(_TABLES)
        self._rows = 0

    def __enter__(self) -> Scratch:
        return self

    def __exit__(self, *exc) -> None:
        self.conn.close()

    def _wrote(self) -> None:
        self._rows += 1
        if self._rows >= _BATCH:
            self.conn.commit()
            self._rows = 0

    # --- the walk -------------------------------------------------------------------

    def met(self, path: str) -> bool:
        """Whether the file at absolute ``path`` was walked already this run."""
        return self.conn.execute("SELECT 1 FROM walked WHERE path=?", (path,)).fetchone() is not None

    def holder(self, source: str) -> str | None:
        """The absolute path of the file walked this run under ``source``, if any."""
        row = self.conn.execute("SELECT path FROM walked WHERE source=?", (source,)).fetchone()
        return row[0] if row else None

    def walked_file(self, path: str, fspath: Path, source: str) -> None:
        self.conn.execute("INSERT INTO walked(path, fspath, source) VALUES (?, ?, ?)",
                          (path, str(fspath), source))
        self._wrote()

    def walked(self) -> Iterator[tuple[Path, str]]:
        """(path as walked, source) of every file walked, in walking order."""
        self.conn.commit()
        for fspath, source in self.conn.execute("SELECT fspath, source FROM walked ORDER BY seq"):
            yield Path(fspath), source

    def was_walked(self, source: str) -> bool:
        return self.conn.execute("SELECT 1 FROM walked WHERE source=?", (source,)).fetchone() is not None

    def any_walked(self) -> bool:
        return self.conn.execute("SELECT 1 FROM walked LIMIT 1").fetchone() is not None

    # --- the plan -------------------------------------------------------------------

    def read_later(self, fspath: Path, source: str, new: bool, entry: FileEntry | None) -> None:
        values = (entry.path, entry.size, entry.mtime_ns, entry.sha256) if entry else (None, None, None, None)
        self.conn.execute("INSERT INTO to_read(fspath, source, new, path, size, mtime_ns, sha256) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?)", (str(fspath), source, int(new), *values))
        self._wrote()

    def to_read(self) -> Iterator[tuple[Path, str, bool, FileEntry | None]]:
        """(path, source, never indexed, fresh stat and hash) of each file to read, in walking order."""
        self.conn.commit()
        for fspath, source, new, path, size, mtime_ns, sha256 in self.conn.execute(
                "SELECT fspath, source, new, path, size, mtime_ns, sha256 FROM to_read ORDER BY seq"):
            entry = FileEntry(path, size, mtime_ns, sha256) if path is not None else None
            yield Path(fspath), source, bool(new), entry

    def gone(self, source: str) -> None:
        self.conn.execute("INSERT OR IGNORE INTO removed VALUES (?)", (source,))
        self._wrote()

    def posts_seen(self, kind: str) -> PostsSeen:
        """The duplicate finder's table of posts met this run, by normalised URL or text digest (``kind``)."""
        return PostsSeen(self, kind)

    def removed(self) -> Iterator[str]:
        self.conn.commit()
        for (source,) in self.conn.execute("SELECT source FROM removed ORDER BY source"):
            yield source


class PostsSeen(MutableMapping[str, Original]):
    """One key per post met this run (``dedup.Deduplicator``), on disk."""

    def __init__(self, scratch: Scratch, kind: str):
        self.scratch, self.kind = scratch, kind

    def __getitem__(self, key: str) -> Original:
        row = self.scratch.conn.execute("SELECT source, id, comments FROM seen_posts WHERE kind=? AND key=?",
                                        (self.kind, key)).fetchone()
        if row is None:
            raise KeyError(key)
        return Original(*row)

    def __setitem__(self, key: str, original: Original) -> None:
        self.scratch.conn.execute("INSERT OR REPLACE INTO seen_posts VALUES (?, ?, ?, ?, ?)",
                                  (self.kind, key, original.source, original.id, original.comments))
        self.scratch._wrote()

    def __delitem__(self, key: str) -> None:
        self.scratch.conn.execute("DELETE FROM seen_posts WHERE kind=? AND key=?", (self.kind, key))

    def __iter__(self) -> Iterator[str]:
        for (key,) in self.scratch.conn.execute("SELECT key FROM seen_posts WHERE kind=?", (self.kind,)):
            yield key

    def __len__(self) -> int:
        return self.scratch.conn.execute("SELECT count(*) FROM seen_posts WHERE kind=?", (self.kind,)).fetchone()[0]
