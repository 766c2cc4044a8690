"""Walking the corpus: which files a run reads, each under one source name, in a stable order.

Only regular files are read: a FIFO, a device or a socket (``/dev/zero`` behind
a symlink, a named pipe left in a folder) would block the run forever while it
holds the writer lock, so it is named and skipped.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from searchkit.readers import EXTENSIONS, extension_of

if TYPE_CHECKING:
    from searchkit.engine.base import FileState
    from searchkit.ingest.run import Summary
    from searchkit.ingest.scratch import Scratch


def special_kind(mode: int) -> str:
    """What a non-regular file is, in a person's words.

    >>> special_kind(stat.S_IFIFO), special_kind(stat.S_IFCHR)
    ('a named pipe (FIFO)', 'a device')
    """
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


@dataclass(frozen=True)
class CorpusFile:
    path: str  # as walked (relative to the working folder if the folder given was)
    abspath: str
    source: str  # relative to the corpus root, as stored in the index
    size: int  # its stat when walked: the plan's unchanged check needs no second stat
    mtime_ns: int


def walk(paths: list[Path], summary: Summary, scratch: Scratch, known: FileState | None = None) -> None:
    """Record in ``scratch`` every file to read under ``paths``, in a stable order, each under its own source name.

    A file's source is its path relative to the folder given (``corpus/a/b.txt``
    given as ``corpus`` is ``a/b.txt``), and the index replaces a source's posts
    whole. ``known`` is the file state of the last commit, attached to
    ``scratch`` (``Scratch.knowing``): a file keeps the source it was indexed
    under, and a file whose natural source belongs to another existing file
    (``a/billet.txt`` and ``b/billet.txt`` given as ``a b``, or ``b`` indexed
    after ``a``) is indexed under a longer one (``b/billet.txt``), with a note.
    A file met twice is read once. One file at a time: nothing here grows
    with the number of files.
    """
    for cf in _walk(paths, summary):
        scratch.walked_file(cf.abspath, cf.path, cf.source, cf.size, cf.mtime_ns)
    # Sources are proposed for all files at once (one join); only from the first file whose
    # source another might hold are they settled one at a time, in walking order, as they were met.
    first = scratch.propose_sources()
    if first is None:
        return
    for seq, path, fspath, natural in scratch.unsettled(first):
        source = (known.source_of(path) if known is not None else None) or natural
        if _holder(source, path, scratch, known) != path:
            source = _longer_source(natural, path, scratch, known)
            summary.notes.append(f"{_display(fspath, None)}: another file is indexed as {natural}; "
                                 f"this one is indexed as {source}")
        scratch.settle(seq, source)


def _holder(source: str, path: str, scratch: Scratch, known: FileState | None) -> str:
    """Who holds ``source``: a file walked this run, else an indexed file still there, else ``path``."""
    walked = scratch.holder(source)
    if walked is not None:
        return walked
    entry = known.get(source) if known is not None else None
    if entry is None or entry.path == path:
        return path
    return entry.path if os.path.exists(entry.path) else path


def _longer_source(natural: str, path: str, scratch: Scratch, known: FileState | None) -> str:
    """A source for the file at ``path`` naming more of its path, one folder at a time, that no other file holds."""
    parts = Path(path).parts[1:]  # without the leading "/"
    depth = len(Path(natural).parts) + 1
    while depth <= len(parts):
        source = "/".join(parts[-depth:])
        if _holder(source, path, scratch, known) == path:
            return source
        depth += 1
    return "/".join(parts)


def _walk(paths: list[Path], summary: Summary) -> Iterator[CorpusFile]:
    """Files named on the command line are always read; inside directories only
    known archive types are, hidden files and folders are passed over, and
    symlink loops or unreadable folders are reported, not followed forever.
    """
    for root in paths:
        try:
            st = os.stat(root)
        except OSError as exc:
            reason = "no such file or directory" if isinstance(exc, FileNotFoundError) else exc.strerror
            summary.errors.append(f"{_display(root, None)}: {reason}")
            continue
        if not stat.S_ISDIR(st.st_mode):
            if not stat.S_ISREG(st.st_mode):
                summary.errors.append(
                    f"{_display(root, None)}: {special_kind(st.st_mode)}, not a file to read; skipped")
            elif _bad_name(root.name):
                summary.errors.append(f"{_display(root, None)}: file name is not valid UTF-8, skipped")
            else:
                yield CorpusFile(os.fspath(root), os.path.abspath(root), root.name, st.st_size, st.st_mtime_ns)
            continue
        seen_dirs: set[tuple[int, int]] = set()

        def onerror(exc: OSError, root=root) -> None:
            summary.errors.append(f"{_display(exc.filename, root)}: cannot read folder ({exc.strerror})")
            if exc.filename:  # what it holds is unknown, not gone: keep its files indexed
                summary.blind_spots.append(Path(os.fsdecode(exc.filename)))

        for dirpath, dirnames, filenames in os.walk(root, onerror=onerror, followlinks=True):
            try:
                st = os.stat(dirpath)
            except OSError as exc:  # vanished or turned into a dangling link meanwhile
                exc.filename = exc.filename or dirpath
                onerror(exc)
                dirnames[:] = []
                continue
            if (st.st_dev, st.st_ino) in seen_dirs:
                summary.warnings.append(f"{_display(dirpath, root)}: symlink loop, not followed")
                dirnames[:] = []
                continue
            seen_dirs.add((st.st_dev, st.st_ino))
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            # Strings, not Path objects: this runs for every file of the corpus, also on a no-op run.
            folder = os.path.relpath(dirpath, root)
            prefix = "" if folder == "." else folder.replace(os.sep, "/") + "/"
            absfolder = os.path.abspath(dirpath)
            for name in sorted(filenames):
                if name.startswith("."):
                    continue
                path = os.path.join(dirpath, name)
                source = prefix + name
                if _bad_name(source):
                    summary.errors.append(f"{_display(path, root)}: file name is not valid UTF-8, skipped")
                    continue
                if extension_of(name) not in EXTENSIONS:
                    summary.ignored_files += 1
                    continue
                try:
                    st = os.stat(path)
                except OSError as exc:  # a dangling link: say so, as for a file that cannot be read
                    summary.errors.append(f"{_display(path, root)}: cannot read ({exc.strerror})")
                    continue
                if not stat.S_ISREG(st.st_mode):
                    # Reading a FIFO or a device blocks or never ends, holding the writer lock.
                    summary.warnings.append(
                        f"{_display(path, root)}: {special_kind(st.st_mode)}, not a file to read; skipped")
                    continue
                yield CorpusFile(path, os.path.join(absfolder, name), source, st.st_size, st.st_mtime_ns)


def _bad_name(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _display(path, root) -> str:
    return os.fsdecode(path).encode("utf-8", "backslashreplace").decode("utf-8")
