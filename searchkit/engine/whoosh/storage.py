"""Opening a folder index: existence, version, damage checks, and a reader pinned to one commit.

An index folder holds Whoosh's files (``MAIN_*``, ``_MAIN_<generation>.toc``),
``searchkit.json`` (the schema version), the manifest and the writer's lock.
Every failure to open becomes a ``SearchkitError`` that says what to do: no
index (``searchkit index``), another version (``--rebuild``), damage
(``--rebuild``), never a Whoosh or Python message alone.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

from searchkit import __version__
from searchkit.engine.whoosh import access, manifest
from searchkit.engine.whoosh.schema import SCHEMA_VERSION, make_schema
from searchkit.errors import IndexDamagedError, IndexMissingError, IndexVersionError, SearchkitError

META_FILE = "searchkit.json"
INDEX_NAME = "MAIN"
_TOC = re.compile(rf"^_{INDEX_NAME}_([0-9]+)\.toc$")
# A person's notes about the folder (the repository's index/README.md): not an
# index's files, but no sign of a foreign folder either; a rebuild carries them over.
NOTE_FILES = ("README.md", "README.txt", "README")


def latest_generation(index_dir: Path) -> int:
    """The generation of the newest TOC in ``index_dir``, -1 if none (file names only)."""
    try:
        names = os.listdir(index_dir)
    except OSError:
        return -1
    gens = [int(m.group(1)) for m in map(_TOC.match, names) if m]
    return max(gens, default=-1)


def exists(index_dir: Path) -> bool:
    # From file names only: Whoosh's exists_in opens the TOC and lets a
    # garbled one raise, which must be reported as damage, not a traceback.
    return latest_generation(index_dir) > -1


def is_foreign(index_dir: Path) -> bool:
    """A folder holding files that are not an index's: never write an index into it."""
    from searchkit.engine.whoosh.lock import LOCK_FILE  # the writer's (a search never loads it)

    try:
        names = os.listdir(index_dir)
    except OSError:
        return False
    # Files searchkit itself may leave in an index folder, besides Whoosh's.
    own = {META_FILE, LOCK_FILE, *manifest.ALL_FILES, f"{manifest.PENDING_FILE}-journal", f"{INDEX_NAME}_WRITELOCK"}
    return any(
        not (n in own or n in NOTE_FILES or n.startswith((f"{INDEX_NAME}_", f"_{INDEX_NAME}_", ".")))
        for n in names
    )


def read_meta(index_dir: Path) -> dict:
    """``searchkit.json`` as a dict; empty when missing, unreadable or not a JSON object."""
    try:
        meta = json.loads((index_dir / META_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return meta if isinstance(meta, dict) else {}


def check_version(index_dir: Path) -> None:
    version = read_meta(index_dir).get("schema_version")
    if version != SCHEMA_VERSION:
        # A hand-edited file may hold anything: show it as JSON, so "2" is not taken for 2.
        shown = "unknown" if version is None else json.dumps(version, ensure_ascii=False)[:40]
        raise IndexVersionError(
            f"the index at {index_dir} was written by another version of searchkit "
            f"(schema {shown}, this one reads {SCHEMA_VERSION}): "
            f"run `searchkit index --rebuild --index {index_dir}`"
        )


def damaged(index_dir: Path, what: str) -> IndexDamagedError:
    return IndexDamagedError(
        f"the index at {index_dir} is damaged ({what}): "
        f"run `searchkit index --rebuild --index {index_dir}` to build it again"
    )


def missing(index_dir: Path) -> IndexMissingError:
    return IndexMissingError(
        f"no index at {index_dir}: run `searchkit index PATH --index {index_dir}` to build one "
        f"(or set SEARCHKIT_INDEX to the index to use)"
    )


def index_files(ix) -> dict[str, int]:
    """Name and size of every file the index's current commit needs."""
    generation, segment_ids = access.toc_segment_ids(ix)
    folder = ix.storage.folder
    prefixes = tuple(f"{seg}." for seg in segment_ids)
    names = [f"_{INDEX_NAME}_{generation}.toc"]
    names += [n for n in os.listdir(folder) if prefixes and n.startswith(prefixes)]
    return {n: os.stat(os.path.join(folder, n)).st_size for n in sorted(names)}


def check_files(index_dir: Path, generation: int) -> None:
    """Compare the index files with the sizes the manifest recorded at commit.

    Whoosh reads a segment file lazily and a truncated one fails deep inside
    a search; a stat per file finds it first. Skipped when the manifest is
    not of this generation (a writer between its commit and its manifest);
    ``open_index`` retries when a writer changed the index meanwhile.
    """
    m = manifest.info(index_dir)
    if m is None or m[0] != generation:
        return
    for name, size in m[1].items():
        try:
            actual = os.stat(index_dir / name).st_size
        except FileNotFoundError:
            raise damaged(index_dir, f"index file {name} is missing") from None
        if actual != size:
            raise damaged(index_dir, f"index file {name} is {actual} bytes, {size} when written")


def identity(index_dir: Path) -> tuple:
    """What changes when a writer commits (new TOC) or a rebuild swaps the folder."""
    try:
        ino = os.stat(index_dir).st_ino
    except OSError:
        ino = None
    return ino, latest_generation(index_dir)


def _toc_seen(index_dir: Path, looks: int = 5) -> bool:
    """Whether the folder holds a TOC, looking again before saying no when it was an index.

    A directory listing made while a commit renames its new TOC into place
    (and deletes the old one), or while a rebuild swaps the folders, may show
    neither: only a folder that still shows no TOC after a few looks, with a
    manifest saying an index was there, is damaged.
    """
    for look in range(looks):
        if exists(index_dir):
            return True
        if look == 0 and manifest.info(index_dir) is None:
            return False  # never an index here: no need to look again
        time.sleep(0.02)
    return False


def open_index(index_dir: Path):
    """Open an existing index for reading, refusing missing, stale or damaged ones."""
    if not _toc_seen(index_dir):
        if manifest.info(index_dir) is not None:
            raise damaged(index_dir, "its table of contents is missing")
        raise missing(index_dir)
    check_version(index_dir)
    attempts = 5
    for attempt in range(attempts):
        before = identity(index_dir)
        try:
            ix = access.SyncedFileStorage(str(index_dir)).open_index(INDEX_NAME, indexclass=access.PinnedIndex)
            check_files(index_dir, ix.latest_generation())
            # Open every file of the commit now: a missing or unreadable one
            # is reported here and not halfway through a search, and a commit
            # or a rebuild's swap made meanwhile cannot take them away.
            reader = ix.reader()
            ix.pin(reader)
            access.open_lazy_files(reader)
            if identity(index_dir) != before:
                raise FileNotFoundError("the index changed while it was opened")
            return ix
        except Exception as exc:  # Whoosh raises many kinds on a damaged index
            if identity(index_dir) != before and attempt < attempts - 1:
                continue  # a writer committed or swapped while we opened: read the new index
            if isinstance(exc, SearchkitError):
                raise
            raise damaged(index_dir, f"{type(exc).__name__}: {exc}") from None
    raise AssertionError("unreachable")


def create_index(index_dir: Path):
    index_dir.mkdir(parents=True, exist_ok=True)
    ix = access.SyncedFileStorage(str(index_dir)).create_index(make_schema(), indexname=INDEX_NAME)
    write_meta(index_dir)
    return ix


def write_meta(index_dir: Path) -> None:
    meta = {"schema_version": SCHEMA_VERSION, "searchkit": __version__}
    tmp = index_dir / (META_FILE + ".tmp")
    tmp.write_text(json.dumps(meta, indent=2) + "\n", "utf-8")
    os.replace(tmp, index_dir / META_FILE)
