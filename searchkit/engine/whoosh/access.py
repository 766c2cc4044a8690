"""Whoosh's internals for opening and reading an index: the version check, durable storage, a pinned reader.

searchkit reaches into whoosh-reloaded 2.7.5 where its public API falls short;
each piece says why. Importing this module checks the installed version first
and refuses any other with a message saying what to install, so a Whoosh
upgrade fails loudly here instead of corrupting an index somewhere else.
A search imports this module and never ``internals`` (the writer's overrides,
which pull in ``multiprocessing`` and Whoosh's writer).

* ``SyncedFileStorage``: fsync before the commit point, one spill folder per writer;
* ``PinnedIndex`` and ``open_lazy_files``: a reader pinned to the commit that was checked.
"""

from __future__ import annotations

import os

from searchkit.errors import SearchkitError

WHOOSH_VERSION = "2.7.5"  # the whoosh-reloaded release every override below was written for


def check_whoosh_version(found: str) -> None:
    """Refuse a Whoosh this module was not written for.

    >>> check_whoosh_version("2.7.5")
    >>> check_whoosh_version("2.7.4")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    searchkit.errors.SearchkitError: searchkit needs whoosh-reloaded 2.7.5 and found 2.7.4: run `pip install ...`
    """
    if found != WHOOSH_VERSION:
        raise SearchkitError(f"searchkit needs whoosh-reloaded {WHOOSH_VERSION} and found {found}: "
                             f"run `pip install 'whoosh-reloaded=={WHOOSH_VERSION}'`")


import whoosh  # noqa: E402  (after the package's light import: see searchkit/engine/whoosh/__init__.py)

check_whoosh_version(whoosh.versionstring())

from whoosh.filedb.filestore import FileStorage  # noqa: E402
from whoosh.index import FileIndex  # noqa: E402

from searchkit.engine.whoosh.manifest import fsync_dir, fsync_path  # noqa: E402

TEMP_PREFIX = ".whoosh-tmp-"


class SyncedFileStorage(FileStorage):
    """Whoosh's file storage, made durable at the commit point.

    Whoosh's only rename is its commit point: a new table of contents (TOC)
    moved into place. Before it, every index file is fsynced, and the folder
    after it, so a power cut cannot leave a TOC naming segment data that never
    reached the disk. (SIGKILL needs none of this: the page cache outlives the
    process.) Fsyncing files that are already on disk costs next to nothing.
    """

    def rename_file(self, oldname, newname, safe=False):
        for name in self.list():
            fsync_path(os.path.join(self.folder, name))
        super().rename_file(oldname, newname, safe=safe)
        fsync_dir(self.folder)

    def temp_storage(self, name=None):
        # Whoosh spills postings to "<system tmp>/MAIN.tmp", one folder for
        # every index on the machine, which a writer deletes when it finishes
        # even if another is still using it: give each writer its own, inside
        # the index (same disk; a killed run's is removed by the next writer).
        # The same name gets the same folder: Whoosh's column writer and
        # posting pool share it, and only the pool deletes it.
        temps = self.__dict__.setdefault("_searchkit_temps", {})
        if name not in temps or not os.path.isdir(temps[name]):
            temps[name] = os.path.join(self.folder, f"{TEMP_PREFIX}{os.getpid()}-{os.urandom(4).hex()}")
        return FileStorage(temps[name]).create()


class PinnedIndex(FileIndex):
    """A Whoosh index whose next reader is the one ``storage.open_index`` checked.

    Without this, ``searcher()`` would read the TOC again and could meet a
    commit made meanwhile, whose writer may already have deleted the files
    of the commit just checked.
    """

    _pinned = None

    def pin(self, reader) -> None:
        self._pinned = reader

    def unpin(self) -> None:
        if self._pinned is not None:
            self._pinned.close()
            self._pinned = None

    def reader(self, reuse=None):
        if self._pinned is not None:
            reader, self._pinned = self._pinned, None
            return reader
        return super().reader(reuse=reuse)


def open_lazy_files(reader) -> None:
    """Open the column files (lengths, stored fields, sort keys) Whoosh opens on first use.

    An open file outlives its deletion by a later commit; a file not yet
    opened would be missing (Whoosh then fails with a bare TypeError).
    """
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN, STORED_COLUMN, _lenfield

    for leaf, _ in reader.leaf_readers():
        perdoc = getattr(leaf, "_perdoc", None)
        if perdoc is None or not hasattr(perdoc, "_cached_reader"):
            continue
        if perdoc._cached_reader("_stored", STORED_COLUMN) is None and leaf.doc_count_all():
            raise FileNotFoundError(f"stored fields of segment {leaf.segment().segment_id()}")
        for name, field in leaf.schema.items():
            if field.scorable:
                perdoc._cached_reader(_lenfield(name), LENGTHS_COLUMN)
            if field.column_type is not None and perdoc.has_column(name) and name not in perdoc._colfiles:
                perdoc._colfiles[name] = perdoc._get_column_file(name)


def toc_segment_ids(ix) -> tuple[int, list[str]]:
    """The generation of the index's current TOC and the ids of its segments."""
    toc = ix._read_toc()
    return toc.generation, [seg.segment_id() for seg in toc.segments]
