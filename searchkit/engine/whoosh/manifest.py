"""The folder index's manifest: which corpus files it holds, committed with each Whoosh commit.

``ingest`` plans a run from the ``FileEntry`` records it holds; the writer
(``writer.WhooshWriter.commit``) saves it with the Whoosh commit. For every indexed file it keeps
the file's size, mtime and SHA-256, and the ids of its posts; it also records
the size of every index file of the commit it describes, so that a truncated
or deleted segment file is noticed before Whoosh trips over it.

Keeping it consistent with the index under crashes is a two-step commit (see
``writer.WhooshWriter.commit``): the new manifest is first written as
``searchkit-manifest.pending.json`` naming the Whoosh generation about to be
committed; Whoosh's commit point is the rename of its table of contents; only
then does the pending file replace the manifest. A writer finding a pending
file keeps it if the index reached that generation and drops it otherwise.
No Whoosh here: plain JSON files, written to a temporary name, fsynced and
renamed into place.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from searchkit.engine.base import FileEntry

MANIFEST_FILE = "searchkit-manifest.json"
PENDING_FILE = "searchkit-manifest.pending.json"
FORMAT = 1


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
    def from_json(cls, text: str) -> Manifest:
        """Parse a manifest; raise ``ValueError`` on anything unexpected.

        >>> m = Manifest(3, {"a.txt": FileEntry("/c/a.txt", 10, 99, "ab", ["p1"])}, {"MAIN_x.seg": 7})
        >>> Manifest.from_json(m.to_json()) == m
        True
        """
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError("unknown manifest format")
        files, segments = data.get("files"), data.get("segments", {})
        # Hand-edited or corrupt files hold any JSON: every shape is checked.
        if not isinstance(files, dict) or not isinstance(segments, dict) \
                or not all(isinstance(e, dict) for e in files.values()):
            raise ValueError("manifest entries are not objects")
        entries = {str(src): FileEntry(**e) for src, e in files.items()}
        return cls(int(data["generation"]), entries, {str(k): int(v) for k, v in segments.items()})


def load(index_dir: Path, name: str = MANIFEST_FILE) -> Manifest | None:
    """The manifest stored in ``index_dir``, or ``None`` if missing or unreadable."""
    try:
        return Manifest.from_json((Path(index_dir) / name).read_text("utf-8"))
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
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
