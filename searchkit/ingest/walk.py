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
    from searchkit.ingest.run import Summary


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
    path: Path
    source: str  # relative to the corpus root, as stored in the index


def walk(paths: list[Path], summary: Summary) -> Iterator[CorpusFile]:
    """Every file to read under ``paths``, in a stable order, each under one source name.

    A file's source is its path relative to the folder given, and the index
    replaces a source's posts whole: two different files with one source
    (``a/index.html`` and ``b/index.html`` given as ``a b``) would replace
    each other, so the second is reported and skipped. A file met twice is
    read once.
    """
    taken: dict[str, Path] = {}
    for cf in _walk(paths, summary):
        first = taken.setdefault(cf.source, cf.path)
        if first == cf.path or os.path.abspath(first) == os.path.abspath(cf.path):
            if first is cf.path:
                yield cf
            continue
        summary.errors.append(
            f"{_display(cf.path, None)}: same name in the index ({cf.source}) as {_display(first, None)}; "
            f"skipped: index their common parent folder instead"
        )


def _walk(paths: list[Path], summary: Summary) -> Iterator[CorpusFile]:
    """Files named on the command line are always read; inside directories only
    known archive types are, hidden files and folders are passed over, and
    symlink loops or unreadable folders are reported, not followed forever.
    """
    for root in paths:
        try:
            mode = os.stat(root).st_mode
        except OSError as exc:
            reason = "no such file or directory" if isinstance(exc, FileNotFoundError) else exc.strerror
            summary.errors.append(f"{_display(root, None)}: {reason}")
            continue
        if not stat.S_ISDIR(mode):
            if not stat.S_ISREG(mode):
                summary.errors.append(f"{_display(root, None)}: {special_kind(mode)}, not a file to read; skipped")
            elif _bad_name(root.name):
                summary.errors.append(f"{_display(root, None)}: file name is not valid UTF-8, skipped")
            else:
                yield CorpusFile(root, root.name)
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
            for name in sorted(filenames):
                if name.startswith("."):
                    continue
                path = Path(dirpath, name)
                source = path.relative_to(root).as_posix()
                if _bad_name(source):
                    summary.errors.append(f"{_display(path, root)}: file name is not valid UTF-8, skipped")
                    continue
                if extension_of(path) not in EXTENSIONS:
                    summary.ignored_files += 1
                    continue
                try:
                    mode = os.stat(path).st_mode
                except OSError as exc:  # a dangling link: say so, as for a file that cannot be read
                    summary.errors.append(f"{_display(path, root)}: cannot read ({exc.strerror})")
                    continue
                if not stat.S_ISREG(mode):
                    # Reading a FIFO or a device blocks or never ends, holding the writer lock.
                    summary.warnings.append(f"{_display(path, root)}: {special_kind(mode)}, not a file to read; skipped")
                    continue
                yield CorpusFile(path, source)


def _bad_name(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _display(path, root) -> str:
    return os.fsdecode(path).encode("utf-8", "backslashreplace").decode("utf-8")
