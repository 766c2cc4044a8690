"""A run's scratch tables on disk: the files walked, the plan's files to read and sources gone, the posts met.

An indexing run meets every file of the corpus; holding one record per file
in memory made a run's memory grow with the number of files (~2.4 KB a
file). These tables live in a private temporary SQLite database (deleted
when closed) with a small page cache, so the walk and the plan stream.

The file state of the last commit is attached beside them as ``known``
(``Scratch.knowing``: the folder index's SQLite manifest, or OpenSearch's
run copy of its file state: both are SQLite files), so that the questions asked of every file
walked (which source it keeps, which files are unchanged, which sources are
gone) are each one join run by SQLite, not a few look-ups a file in Python.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from pathlib import Path

from searchkit.engine.base import FileEntry, FileState
from searchkit.ingest.dedup import Original

# walked.source is the source a file is indexed under, settled after the walk (``settle_sources``).
_TABLES = """
CREATE TABLE walked(seq INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, fspath TEXT NOT NULL,
                    natural TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
                    source TEXT, unchanged INTEGER NOT NULL DEFAULT 0);
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
        self._walked: list[tuple[str, str, str, int, int]] = []  # rows not yet inserted
        self.knows = False  # a file state is attached as ``known``

    def __enter__(self) -> Scratch:
        return self

    def __exit__(self, *exc) -> None:
        self.conn.close()

    def _wrote(self) -> None:
        self._rows += 1
        if self._rows >= _BATCH:
            self.conn.commit()
            self._rows = 0

    @contextmanager
    def knowing(self, state: FileState) -> Iterator[None]:
        """Attach ``state`` (the last commit's) as ``known`` for the walk's and the plan's joins.

        The joins read it in statements that end, and each run's transaction
        is committed after them: no lock on the manifest is held once they
        are done, so its owner may write it meanwhile (the plan's refreshed
        entries).
        """
        self.conn.execute("ATTACH DATABASE ? AS known", (str(state.database()),))
        self.conn.execute("PRAGMA known.cache_size=-2048")
        self.conn.commit()
        self.knows = True
        try:
            yield
        finally:
            self.conn.commit()
            self.knows = False
            self.conn.execute("DETACH DATABASE known")

    # --- the walk -------------------------------------------------------------------

    def walked_file(self, path: str, fspath: str, natural: str, size: int, mtime_ns: int) -> None:
        """Record a file walked (absolute ``path``, its path as walked, the source its place gives it, its stat).

        A file met again (by ``path``) keeps its first place.
        """
        self._walked.append((path, fspath, natural, size, mtime_ns))
        if len(self._walked) >= _BATCH:
            self._flush()

    def _flush(self) -> None:
        self.conn.executemany("INSERT OR IGNORE INTO walked(path, fspath, natural, size, mtime_ns) "
                              "VALUES (?, ?, ?, ?, ?)", self._walked)
        self.conn.commit()
        self._walked.clear()

    def propose_sources(self) -> int | None:
        """Give each file walked its source: the one it was indexed under (``known``), else its natural one.

        Returns the place of the first file whose source another file might
        hold (the same one proposed to another file walked, or an indexed
        file of another path); ``None`` when there is none, the common case:
        every source is then settled.
        """
        self._flush()
        if self.knows:
            self.conn.execute("UPDATE walked SET source = coalesce("
                              "(SELECT min(f.source) FROM known.files f WHERE f.path = walked.path), natural)")
        else:
            self.conn.execute("UPDATE walked SET source = natural")
        self.conn.execute("CREATE INDEX IF NOT EXISTS walked_by_source ON walked(source)")
        other_file = ("OR EXISTS (SELECT 1 FROM known.files f WHERE f.source = w.source AND f.path <> w.path)"
                      if self.knows else "")
        first = self.conn.execute(
            "SELECT min(w.seq) FROM walked w WHERE EXISTS "
            f"(SELECT 1 FROM walked o WHERE o.source = w.source AND o.seq <> w.seq) {other_file}").fetchone()[0]
        self.conn.commit()
        return first

    def unsettled(self, first: int) -> Iterator[tuple[int, str, Path, str]]:
        """(place, absolute path, path as walked, natural source) of each file walked from place ``first`` on.

        Their sources are cleared, to be settled one file at a time in walking order (``settle``).
        """
        self.conn.execute("UPDATE walked SET source = NULL WHERE seq >= ?", (first,))
        self.conn.commit()
        seq = first - 1
        while True:  # in slices: ``settle`` changes the table being read
            rows = self.conn.execute("SELECT seq, path, fspath, natural FROM walked WHERE seq > ? ORDER BY seq "
                                     "LIMIT 500", (seq,)).fetchall()
            if not rows:
                return
            for seq, path, fspath, natural in rows:
                yield seq, path, Path(fspath), natural

    def settle(self, seq: int, source: str) -> None:
        self.conn.execute("UPDATE walked SET source = ? WHERE seq = ?", (source, seq))
        self._wrote()

    def holder(self, source: str) -> str | None:
        """The absolute path of the file walked (and settled) this run under ``source``, if any."""
        row = self.conn.execute("SELECT path FROM walked WHERE source=?", (source,)).fetchone()
        return row[0] if row else None

    def any_walked(self) -> bool:
        self._flush()
        return self.conn.execute("SELECT 1 FROM walked LIMIT 1").fetchone() is not None

    # --- the plan -------------------------------------------------------------------

    def mark_unchanged(self) -> int:
        """Mark, in one join with ``known``, the files walked whose clean entry has their path, size and mtime.

        Returns how many there are: they need not be opened.
        """
        self.conn.execute(
            "UPDATE walked SET unchanged = 1 WHERE EXISTS (SELECT 1 FROM known.files f WHERE f.source = walked.source"
            " AND f.clean AND f.path = walked.path AND f.size = walked.size AND f.mtime_ns = walked.mtime_ns)")
        self.conn.commit()
        return self.conn.execute("SELECT count(*) FROM walked WHERE unchanged").fetchone()[0]

    def unwalked(self) -> Iterator[tuple[str, str]]:
        """(source, path) of every ``known`` entry whose source no file walked this run has, by source."""
        yield from self.conn.execute("SELECT f.source, f.path FROM known.files f WHERE NOT EXISTS "
                                     "(SELECT 1 FROM walked w WHERE w.source = f.source) ORDER BY f.source")
        self.conn.commit()

    def to_check(self) -> Iterator[tuple[Path, str]]:
        """(path as walked, source) of the files walked that are not marked unchanged, in walking order."""
        for fspath, source in self.conn.execute("SELECT fspath, source FROM walked WHERE NOT unchanged ORDER BY seq"):
            yield Path(fspath), source

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
