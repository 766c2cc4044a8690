"""The folder index's manifest: which corpus files it holds, an SQLite file committed with each Whoosh commit.

``ingest`` plans a run from the ``FileEntry`` records it holds, one file at a
time; the writer (``writer.WhooshWriter.commit``) saves it with the Whoosh
commit. For every indexed file it keeps the file's size, mtime and SHA-256,
and the ids of its posts; it also records the size of every index file of the
commit it describes, so that a truncated or deleted segment file is noticed
before Whoosh trips over it. It lives on disk (``searchkit-manifest.sqlite``),
never whole in memory: a run's memory does not grow with the number of files.

Keeping it consistent with the index under crashes is a two-step commit (see
``writer.WhooshWriter.commit``): a run works on a private copy
(``Working``); before Whoosh's commit the copy, naming the Whoosh generation
about to be committed, is fsynced and renamed to
``searchkit-manifest.pending.sqlite``; Whoosh's commit point is the rename of
its table of contents; only then does the pending file replace the manifest.
A writer finding a pending file keeps it if the index reached that generation
and drops it otherwise (``upkeep.recover_manifest``). The current manifest is
never written in place: it is only ever replaced by a rename.

Indexes of earlier releases (searchkit 0.1.0 and until this change) hold a JSON manifest (``searchkit-manifest.json``,
format 1): it is still read, and the next ``searchkit index`` run turns it
into the SQLite one (``migrate``). No Whoosh here.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from searchkit.engine.base import FileEntry, FileState

MANIFEST_FILE = "searchkit-manifest.sqlite"
PENDING_FILE = "searchkit-manifest.pending.sqlite"
LEGACY_FILE = "searchkit-manifest.json"  # format 1, of earlier releases: read, migrated, never written
LEGACY_PENDING = "searchkit-manifest.pending.json"
FORMAT = 2
LEGACY_FORMAT = 1
ALL_FILES = (MANIFEST_FILE, PENDING_FILE, LEGACY_FILE, LEGACY_PENDING)

_TABLES = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE files(source TEXT PRIMARY KEY, path TEXT NOT NULL, size INTEGER NOT NULL,
                   mtime_ns INTEGER NOT NULL, sha256 TEXT NOT NULL, post_ids TEXT NOT NULL,
                   clean INTEGER NOT NULL);
CREATE INDEX files_by_path ON files(path);
CREATE TABLE segments(name TEXT PRIMARY KEY, size INTEGER NOT NULL);
"""
# Rows written per transaction while a run records its files.
_BATCH = 2000


class ManifestError(ValueError):
    """A manifest that cannot be trusted (corrupt, foreign, of another format)."""


def _connect(path: Path, readonly: bool) -> sqlite3.Connection:
    if readonly:
        # The current manifest is only ever replaced by a rename, never changed in
        # place: immutable=1 reads it without locks or a journal.
        conn = sqlite3.connect(f"file:{os.fspath(path)}?mode=ro&immutable=1", uri=True)
    else:
        conn = sqlite3.connect(os.fspath(path))
    conn.execute("PRAGMA cache_size=-2048")  # 2 MiB of pages: flat memory at any size
    return conn


def _check(conn: sqlite3.Connection) -> int:
    """The generation a manifest describes; ``ManifestError`` unless it is one of this format."""
    try:
        meta = dict(conn.execute("SELECT key, value FROM meta"))
        conn.execute("SELECT source, path, size, mtime_ns, sha256, post_ids, clean FROM files LIMIT 1").fetchall()
        conn.execute("SELECT name, size FROM segments LIMIT 1").fetchall()
    except sqlite3.Error as exc:
        raise ManifestError(f"not a manifest ({exc})") from None
    if meta.get("format") != FORMAT or not isinstance(meta.get("generation"), int):
        raise ManifestError("unknown manifest format")
    return meta["generation"]


def _row_entry(row) -> FileEntry:
    path, size, mtime_ns, sha256, post_ids, clean = row
    return FileEntry(path, size, mtime_ns, sha256, json.loads(post_ids), bool(clean))


class Manifest(FileState):
    """An open manifest file: the file state of one commit, looked up one file at a time."""

    def __init__(self, path: Path, readonly: bool = True):
        self.path = Path(path)
        try:
            self.conn = _connect(self.path, readonly)
            self.generation = _check(self.conn)
        except (sqlite3.Error, ManifestError):
            if hasattr(self, "conn"):
                self.conn.close()
            raise ManifestError(f"{self.path.name} is not a manifest") from None
        self._pending_rows = 0

    def get(self, source: str) -> FileEntry | None:
        row = self.conn.execute("SELECT path, size, mtime_ns, sha256, post_ids, clean FROM files WHERE source=?",
                                (source,)).fetchone()
        return _row_entry(row) if row else None

    def source_of(self, path: str) -> str | None:
        row = self.conn.execute("SELECT source FROM files WHERE path=? ORDER BY source LIMIT 1", (path,)).fetchone()
        return row[0] if row else None

    def sources(self) -> Iterator[tuple[str, str]]:
        # A cursor of its own: the caller may look up or change entries meanwhile.
        yield from self.conn.execute("SELECT source, path FROM files ORDER BY source")

    def entries(self) -> Iterator[tuple[str, FileEntry]]:
        for source, *rest in self.conn.execute(
                "SELECT source, path, size, mtime_ns, sha256, post_ids, clean FROM files ORDER BY source"):
            yield source, _row_entry(rest)

    def __len__(self) -> int:
        return self.conn.execute("SELECT count(*) FROM files").fetchone()[0]

    def database(self) -> Path:
        """This file, its changes so far committed: a run's scratch database attaches it for its joins."""
        self.conn.commit()
        self._pending_rows = 0
        return self.path

    def segments(self) -> dict[str, int]:
        return dict(self.conn.execute("SELECT name, size FROM segments ORDER BY name"))

    def put(self, source: str, entry: FileEntry) -> None:
        self.conn.execute("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?)",
                          (source, entry.path, entry.size, entry.mtime_ns, entry.sha256,
                           json.dumps(entry.post_ids, ensure_ascii=False), int(entry.clean)))
        self._wrote()

    def drop(self, source: str) -> None:
        self.conn.execute("DELETE FROM files WHERE source=?", (source,))
        self._wrote()

    def _wrote(self) -> None:
        self._pending_rows += 1
        if self._pending_rows >= _BATCH:  # bounded transactions; the file is private until renamed
            self.conn.commit()
            self._pending_rows = 0

    def set_generation(self, generation: int) -> None:
        self.conn.execute("UPDATE meta SET value=? WHERE key='generation'", (generation,))
        self.generation = generation

    def set_segments(self, segments: dict[str, int]) -> None:
        self.conn.execute("DELETE FROM segments")
        self.conn.executemany("INSERT INTO segments VALUES (?, ?)", sorted(segments.items()))

    def close(self) -> None:
        self.conn.commit()
        self.conn.close()


class Working(Manifest):
    """A run's private copy of the manifest (``.searchkit-manifest.<pid>-<random>.tmp``), renamed at commit.

    No journal and no fsync while it is written: nobody reads it before
    ``publish``, which fsyncs it once; a killed run's copy is removed as a
    leftover by the next writer.
    """

    def __init__(self, index_dir: Path, base: Path | None):
        # Unique, even for two copies in one process; a killed run's is a leftover (``upkeep``).
        path = Path(index_dir) / f".searchkit-manifest.{os.getpid()}-{os.urandom(4).hex()}.tmp"
        if base is not None:
            shutil.copyfile(base, path)
        else:
            conn = sqlite3.connect(os.fspath(path))
            conn.executescript(_TABLES)
            conn.executemany("INSERT INTO meta VALUES (?, ?)", [("format", FORMAT), ("generation", -1)])
            conn.commit()
            conn.close()
        super().__init__(path, readonly=False)
        self.conn.execute("PRAGMA journal_mode=OFF")
        self.conn.execute("PRAGMA synchronous=OFF")

    def publish(self, index_dir: Path, name: str) -> None:
        """Make the copy durable and rename it to ``name`` in ``index_dir``; it is closed after."""
        self.close()
        fsync_path(self.path)
        os.replace(self.path, Path(index_dir) / name)
        fsync_dir(index_dir)

    def discard(self) -> None:
        try:
            self.conn.close()
        except sqlite3.Error:
            pass
        remove(self.path.parent, self.path.name)


def open_manifest(index_dir: Path, name: str = MANIFEST_FILE) -> Manifest | None:
    """The manifest stored in ``index_dir`` (read-only), or ``None`` if missing or unreadable."""
    path = Path(index_dir) / name
    if not path.is_file():
        return None
    try:
        return Manifest(path)
    except ManifestError:
        return None


def info(index_dir: Path) -> tuple[int, dict[str, int]] | None:
    """Generation and index file sizes of the manifest in ``index_dir`` (SQLite, or an earlier release's JSON)."""
    current = open_manifest(index_dir)
    if current is not None:
        try:
            return current.generation, current.segments()
        finally:
            current.close()
    legacy = load_legacy(index_dir)
    return (legacy.generation, legacy.segments) if legacy is not None else None


def settle_pending(index_dir: Path, generation: int, segments) -> None:
    """Keep the pending manifest if it describes ``generation`` (Whoosh committed), drop it otherwise.

    ``segments`` is called for the index file sizes only when it is kept.
    """
    pending = None
    path = Path(index_dir) / PENDING_FILE
    if path.is_file():
        try:
            pending = Manifest(path, readonly=False)
        except ManifestError:
            pending = None
    if pending is not None and pending.generation == generation:
        pending.set_segments(segments())
        pending.close()
        fsync_path(path)
        os.replace(path, Path(index_dir) / MANIFEST_FILE)
        fsync_dir(index_dir)
        return
    if pending is not None:
        pending.close()
    remove(index_dir, PENDING_FILE)
    remove(index_dir, PENDING_FILE + "-journal")


# --- the JSON manifest (format 1) of earlier releases -------------------------------


@dataclass
class LegacyManifest:
    generation: int = -1
    files: dict[str, FileEntry] = field(default_factory=dict)
    segments: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_json(cls, text: str) -> LegacyManifest:
        """Parse a format 1 manifest; raise ``ValueError`` on anything unexpected.

        >>> LegacyManifest.from_json('{"format": 1, "generation": 3, "files": {"a.txt": {"path": "/c/a.txt",'
        ...     ' "size": 10, "mtime_ns": 99, "sha256": "ab", "post_ids": ["p1"]}}}').files["a.txt"].post_ids
        ['p1']
        """
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("format") != LEGACY_FORMAT:
            raise ValueError("unknown manifest format")
        files, segments = data.get("files"), data.get("segments", {})
        # Hand-edited or corrupt files hold any JSON: every shape is checked.
        if not isinstance(files, dict) or not isinstance(segments, dict) \
                or not all(isinstance(e, dict) for e in files.values()):
            raise ValueError("manifest entries are not objects")
        entries = {str(src): FileEntry(**e) for src, e in files.items()}
        return cls(int(data["generation"]), entries, {str(k): int(v) for k, v in segments.items()})


def load_legacy(index_dir: Path, name: str = LEGACY_FILE) -> LegacyManifest | None:
    try:
        return LegacyManifest.from_json((Path(index_dir) / name).read_text("utf-8"))
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def migrate(index_dir: Path, generation: int) -> bool:
    """Turn a JSON manifest of ``generation`` (settling its pending file) into the SQLite one.

    The last time a whole manifest is held in memory, once, for an index of an earlier release.
    Returns whether a manifest of ``generation`` now exists.
    """
    index_dir = Path(index_dir)
    legacy = load_legacy(index_dir, LEGACY_PENDING)
    if legacy is None or legacy.generation != generation:
        legacy = load_legacy(index_dir)
    remove(index_dir, LEGACY_PENDING)
    if legacy is None or legacy.generation != generation:
        return False
    work = Working(index_dir, None)
    try:
        for source, entry in sorted(legacy.files.items()):
            work.put(source, entry)
        work.set_generation(generation)
        work.set_segments(legacy.segments)
        work.publish(index_dir, MANIFEST_FILE)
    except BaseException:
        work.discard()
        raise
    remove(index_dir, LEGACY_FILE)
    return True


# --- files -------------------------------------------------------------------------


def remove(index_dir: Path, name: str) -> None:
    try:
        os.unlink(Path(index_dir) / name)
    except FileNotFoundError:
        pass


def fsync_path(path) -> None:
    """Make a file's data, or a folder's renames and new files, durable (no-op where unsupported)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


fsync_dir = fsync_path
