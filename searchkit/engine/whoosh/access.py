"""Whoosh's internals for opening and reading an index: the version check, durable storage, a pinned reader.

searchkit reaches into whoosh-reloaded 2.7.5 where its public API falls short;
each piece says why. Importing this module checks the installed version first
and refuses any other with a message saying what to install, so a Whoosh
upgrade fails loudly here instead of corrupting an index somewhere else.
A search imports this module and never ``internals`` (the writer's overrides,
which pull in ``multiprocessing`` and Whoosh's writer).

* ``SyncedFileStorage``: fsync before the commit point, one spill folder per writer;
* ``PinnedIndex`` and ``open_lazy_files``: a reader pinned to the commit that was checked,
  its files open, the stored fields read per document (``LazyStoredReader``).
"""

from __future__ import annotations

import os
from array import array
from itertools import accumulate

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

from whoosh.columns import ColumnReader  # noqa: E402
from whoosh.filedb.filestore import FileStorage  # noqa: E402
from whoosh.index import FileIndex  # noqa: E402
from whoosh.system import IS_LITTLE, emptybytes  # noqa: E402

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


class LazyStoredReader(ColumnReader):
    """One segment's stored fields, each document's place in the column read when it is asked for.

    Whoosh's reader (``CompressedBytesColumn.Reader``) reads the length and
    offset of every document when a segment is opened and, in a segment of up
    to 32,768 documents, where it stored no offsets, adds the lengths up in a
    Python loop: work in proportion to the index before the first answer,
    which shows ten documents. This reads the entries of the documents asked
    for, from the arrays ``VarBytesColumn.Writer.finish`` wrote at the end of
    the column (big-endian, each ended by its type code; offsets, when
    stored, flagged by a last byte ``X``), and the same bytes otherwise.
    """

    def __init__(self, dbfile, basepos: int, length: int, doccount: int, decompress):
        super().__init__(dbfile, basepos, length, doccount)
        self._decompress = decompress
        last = basepos + length - 1  # the lengths' type code, or X
        self._offsets_at: tuple[int, str] | None = None
        self._derived: list[int] | None = None  # offsets added up from the lengths, when not stored
        code = chr(dbfile.get_byte(last))
        if code == "X":
            code, offsets_code = chr(dbfile.get_byte(last - 2)), chr(dbfile.get_byte(last - 1))
            last = (last - 2) - doccount * array(offsets_code).itemsize
            self._offsets_at = (last, offsets_code)
        self._lengths_at = (last - doccount * array(code).itemsize, code)

    def _entry(self, at: tuple[int, str], docnum: int) -> int:
        start, code = at
        entry = array(code)
        entry.frombytes(self._dbfile.get(start + docnum * entry.itemsize, entry.itemsize))
        if IS_LITTLE:
            entry.byteswap()
        return entry[0]

    def _offset(self, docnum: int) -> int:
        if self._offsets_at is not None:
            return self._entry(self._offsets_at, docnum)
        if self._derived is None:  # at most 32,768 lengths (a larger segment stores its offsets)
            start, code = self._lengths_at
            self._derived = list(accumulate(self._dbfile.get_array(start, code, self._doccount), initial=0))
        return self._derived[docnum]

    def __getitem__(self, docnum: int) -> bytes:
        if docnum < 0:
            docnum += self._doccount
        if not 0 <= docnum < self._doccount:
            raise IndexError(f"document {docnum} of a segment of {self._doccount}")
        length = self._entry(self._lengths_at, docnum)
        if not length:
            return emptybytes
        return self._decompress(self._dbfile.get(self._basepos + self._offset(docnum), length))


def open_lazy_files(reader) -> None:
    """Open the column files (lengths, stored fields, sort keys) Whoosh opens on first use.

    An open file outlives its deletion by a later commit; a file not yet
    opened would be missing (Whoosh then fails with a bare TypeError).
    Opening reads nothing but the ends of the stored fields' column
    (``LazyStoredReader``): a search reads the columns it uses as it goes.
    """
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN, STORED_COLUMN, _lenfield

    for leaf, _ in reader.leaf_readers():
        perdoc = getattr(leaf, "_perdoc", None)
        if perdoc is None or not hasattr(perdoc, "_cached_reader"):
            continue
        if "_stored" not in perdoc._readers:
            if not perdoc.has_column("_stored"):
                if leaf.doc_count_all():
                    raise FileNotFoundError(f"stored fields of segment {leaf.segment().segment_id()}")
            else:
                if "_stored" not in perdoc._colfiles:
                    perdoc._colfiles["_stored"] = perdoc._get_column_file("_stored")
                colfile, offset, length = perdoc._colfiles["_stored"]
                decompress = __import__(STORED_COLUMN._child._module).decompress
                stored = LazyStoredReader(colfile, offset, length, perdoc._doccount, decompress)
                perdoc._readers["_stored"] = STORED_COLUMN.Reader(stored)
        for name, field in leaf.schema.items():
            if field.scorable:
                perdoc._cached_reader(_lenfield(name), LENGTHS_COLUMN)
            if field.column_type is not None and perdoc.has_column(name) and name not in perdoc._colfiles:
                perdoc._colfiles[name] = perdoc._get_column_file(name)


def toc_segment_ids(ix) -> tuple[int, list[str]]:
    """The generation of the index's current TOC and the ids of its segments."""
    toc = ix._read_toc()
    return toc.generation, [seg.segment_id() for seg in toc.segments]
