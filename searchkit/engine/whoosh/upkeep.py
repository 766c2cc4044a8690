"""Upkeep of an index folder by its writer: settle a crashed commit's manifest, clear leftovers, swap a rebuild in.

Only a process holding the folder's writer lock calls these. They deal in
files and folders, never in documents.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from searchkit.engine.whoosh import internals, manifest
from searchkit.engine.whoosh.storage import INDEX_NAME, index_files, latest_generation


def recover_manifest(index_dir: Path) -> Path | None:
    """The manifest file of the index's last commit, settling one a crash interrupted.

    A pending manifest is kept if the index reached its generation (the
    process died after Whoosh's commit) and dropped otherwise (it died
    before). A JSON manifest of an earlier release is turned into
    the SQLite one. ``None`` means no trustworthy manifest: every file walked
    is then read again, which is slow but right.
    """
    generation = latest_generation(index_dir)

    def segments() -> dict[str, int]:
        try:
            return index_files(internals.SyncedFileStorage(str(index_dir)).open_index(INDEX_NAME))
        except Exception:  # a damaged index: the files are checked again when it is opened
            return {}

    manifest.settle_pending(index_dir, generation, segments)
    current = manifest.open_manifest(index_dir)
    if current is not None:
        current.close()
        if current.generation == generation:
            manifest.remove(index_dir, manifest.LEGACY_FILE)  # an older searchkit's, if any, is stale
            manifest.remove(index_dir, manifest.LEGACY_PENDING)
            return index_dir / manifest.MANIFEST_FILE
    if manifest.migrate(index_dir, generation):
        return index_dir / manifest.MANIFEST_FILE
    return None


def remove_leftovers(index_dir: Path) -> None:
    """Delete what killed writers left: spill folders, half-written TOCs and manifests.

    Orphan segment files are Whoosh's to remove, at its next commit.
    """
    toc_temp = re.compile(rf"^_{INDEX_NAME}_[0-9]+\.toc\..+$")
    try:
        names = os.listdir(index_dir)
    except OSError:
        return
    for name in names:
        path = index_dir / name
        if name.startswith(internals.TEMP_PREFIX):
            shutil.rmtree(path, ignore_errors=True)
        elif toc_temp.match(name) or (name.startswith(".searchkit-manifest") and name.endswith(".tmp")) \
                or name == f"{manifest.PENDING_FILE}-journal" and not (index_dir / manifest.PENDING_FILE).exists():
            try:
                path.unlink()
            except OSError:
                pass


def rebuild_folder(index_dir: Path) -> Path:
    """Where a ``--rebuild`` of ``index_dir`` is built, beside it, before the swap."""
    real = index_dir.resolve()  # "--index ." has no name of its own
    return real.with_name(f".{real.name}.rebuild-{os.getpid()}")


def remove_old_rebuilds(index_dir: Path) -> None:
    """Delete the half-built index of a rebuild that was killed."""
    real = index_dir.resolve()
    prefix = f".{real.name}.rebuild-"
    try:
        siblings = list(real.parent.iterdir())
    except OSError:
        return
    for path in siblings:
        if path.name.startswith(prefix) and path.is_dir():
            shutil.rmtree(path, ignore_errors=True)


def exchange_dirs(a: Path, b: Path) -> None:
    """Swap two folders in one atomic step (Linux ``renameat2``), or as close as possible.

    Elsewhere it falls back to two renames, with a moment where ``b`` is missing.
    """
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        renameat2 = None
    if renameat2 is not None:
        AT_FDCWD, RENAME_EXCHANGE = -100, 2
        if renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
            manifest.fsync_dir(b.parent)
            return
    tmp = b.with_name(f".{b.name}.swap-{os.getpid()}")
    os.rename(b, tmp)
    os.rename(a, b)
    os.rename(tmp, a)
    manifest.fsync_dir(b.parent)
