"""The manifest: which corpus files the index holds, so a re-run reads only what changed.

Sits between ``ingest`` (which plans a run with it) and ``index`` (which
commits it together with the Whoosh commit). For every indexed file it keeps
the file's size, mtime and SHA-256, and the ids of its posts; it also records
the size of every index file of the commit it describes, so that a truncated
or deleted segment file is noticed before Whoosh trips over it.

Keeping it consistent with the index under crashes is a two-step commit (see
``index.IndexWriter.commit``): the new manifest is first written as
``searchkit-manifest.pending.json`` naming the Whoosh generation about to be
committed; Whoosh's commit point is the rename of its table of contents; only
then does the pending file replace the manifest. A writer finding a pending
file keeps it if the index reached that generation and drops it otherwise.
No Whoosh here: plain JSON files, written to a temporary name, fsynced and
renamed into place.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

MANIFEST_FILE = "searchkit-manifest.json"
PENDING_FILE = "searchkit-manifest.pending.json"
FORMAT = 1


@dataclass
class FileEntry:
    """One corpus file as it was when indexed."""

    path: str  # absolute path it was read from
    size: int
    mtime_ns: int
    sha256: str
    post_ids: list[str] = field(default_factory=list)
    clean: bool = True  # read without errors; a file with errors is read again on every run

    def same_stat(self, st: os.stat_result) -> bool:
        return self.size == st.st_size and self.mtime_ns == st.st_mtime_ns


@dataclass
class Manifest:
    generation: int = -1  # the Whoosh generation this manifest describes
    files: dict[str, FileEntry] = field(default_factory=dict)  # by source
    segments: dict[str, int] = field(default_factory=dict)  # index file name -> size

    def to_json(self) -> str:
        data = {
            "format": FORMAT,
            "generation": self.generation,
            "segments": self.segments,
            "files": {src: asdict(e) for src, e in sorted(self.files.items())},
        }
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> "Manifest":
        """Parse a manifest; raise ``ValueError`` on anything unexpected.

        >>> m = Manifest(3, {"a.txt": FileEntry("/c/a.txt", 10, 99, "ab", ["p1"])}, {"MAIN_x.seg": 7})
        >>> Manifest.from_json(m.to_json()) == m
        True
        """
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError("unknown manifest format")
        files = {src: FileEntry(**e) for src, e in data["files"].items()}
        segments = {str(k): int(v) for k, v in data.get("segments", {}).items()}
        return cls(int(data["generation"]), files, segments)


def load(index_dir: Path, name: str = MANIFEST_FILE) -> Manifest | None:
    """The manifest stored in ``index_dir``, or ``None`` if missing or unreadable."""
    try:
        return Manifest.from_json((Path(index_dir) / name).read_text("utf-8"))
    except (OSError, ValueError, TypeError, KeyError):
        return None


def save(manifest: Manifest, index_dir: Path, name: str = MANIFEST_FILE) -> None:
    """Write atomically and durably: temp file, fsync, rename, fsync the folder."""
    index_dir = Path(index_dir)
    tmp = index_dir / f".{name}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(manifest.to_json())
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, index_dir / name)
    fsync_dir(index_dir)


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


def plan(manifest: Manifest, files: list, roots: list[Path], blind: list[Path]) -> Plan:
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
        old = manifest.files.get(cf.source)
        path = os.path.abspath(cf.path)
        try:
            st = os.stat(cf.path)
        except OSError:
            p.to_read.append(cf)  # let the reader name the problem
            continue
        if old and old.clean and old.path == path and old.same_stat(st):
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
        if cf.source not in manifest.files:
            p.new.add(cf.source)
        elif old.path != path and os.path.exists(old.path):
            p.shadowed.append((cf.source, old.path))  # another file, still there, same source
    abs_roots = [os.path.abspath(r) for r in roots if r.exists()]
    abs_blind = [os.path.abspath(b) for b in blind]
    for source, entry in sorted(manifest.files.items()):
        if source in seen:
            continue
        if under(entry.path, abs_roots) and not under(entry.path, abs_blind):
            p.removed.append(source)
    return p
