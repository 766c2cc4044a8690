"""The Whoosh index: schema, opening with version checks, and writing posts.

This module and ``search`` are the only ones that import Whoosh. Whoosh
pickles the schema, analyzers included, into the index, so the class path
``searchkit.index.FrenchAnalyzer`` and ``SCHEMA_VERSION`` are part of the
on-disk format: change the schema or the analysis and bump the version, and
an older index is refused with a message instead of a crash.

Each post is written as one Whoosh group (article first, then its comments),
so that nested queries can join them and a post is always replaced whole.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import searchkit.whoosh_import  # noqa: F401  (first: Whoosh without urllib/asyncio, see there)
from whoosh import fields
from whoosh.filedb.filestore import FileStorage
from whoosh.index import FileIndex
from whoosh.analysis import Analyzer, Token as WhooshToken

from searchkit import __version__, analysis, manifest
from searchkit.errors import IndexDamagedError, IndexMissingError, IndexVersionError, SearchkitError
from searchkit.lock import LOCK_FILE
from searchkit.model import ARTICLE, Document, Post

SCHEMA_VERSION = 3  # 3: hyphenated compounds also indexed joined (e-mail → email); 2: acronyms with dots joined, -eux plurals singular
META_FILE = "searchkit.json"
INDEX_NAME = "MAIN"

# Text fields and the chain each is analysed with. ``*_exact`` fields hold the
# folded, unstemmed words with positions (phrases, prefixes, exact boost); the
# stemmed fields hold frequencies only, which is all a bare word needs.
CHAINS = {"exact": analysis.EXACT, "stemmed": analysis.STEMMED}


class FrenchAnalyzer(Analyzer):
    """Adapts an ``analysis`` chain to Whoosh's analyzer protocol.

    Pickled into the schema by name only, so the chain's code can change
    without breaking old indexes (a change of terms bumps SCHEMA_VERSION).
    """

    def __init__(self, chain: str):
        self.chain = chain

    def __eq__(self, other):
        return type(other) is type(self) and other.chain == self.chain

    def __hash__(self):
        return hash(self.chain)

    def __repr__(self):
        return f"FrenchAnalyzer({self.chain!r})"

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True,
                 mode="", **kwargs):
        t = WhooshToken(positions, chars, removestops=removestops, mode=mode, **kwargs)
        t.stopped = False
        t.boost = 1.0
        for tok in CHAINS[self.chain](value, tokenize=tokenize):
            t.text = tok.text
            if keeporiginal:
                t.original = value[tok.startchar:tok.endchar]
            if positions:
                t.pos = start_pos + tok.pos
            if chars:
                t.startchar = start_char + tok.startchar
                t.endchar = start_char + tok.endchar
            yield t


def make_schema() -> fields.Schema:
    exact = FrenchAnalyzer("exact")
    stemmed = FrenchAnalyzer("stemmed")
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        kind=fields.ID(stored=True),
        post_id=fields.ID(stored=True),
        parent_id=fields.ID(stored=True),
        source=fields.ID(stored=True),
        # Only articles index their title: a comment stores its article's
        # title for display, but must not match a search on it.
        title=fields.STORED,
        title_stem=fields.TEXT(analyzer=stemmed, phrase=False, field_boost=2.0),
        title_exact=fields.TEXT(analyzer=exact, field_boost=2.0),
        body=fields.TEXT(analyzer=stemmed, stored=True, phrase=False),
        body_exact=fields.TEXT(analyzer=exact),
        author=fields.TEXT(analyzer=exact, stored=True, field_boost=0.5),
        # WordPress tags and categories, searched like author: (tag:, category:); filled by the lead's readers.
        tags=fields.TEXT(analyzer=exact),
        categories=fields.TEXT(analyzer=exact),
        date=fields.DATETIME(stored=True, sortable=True),
        number=fields.NUMERIC(stored=True),
        url=fields.STORED,
        meta=fields.STORED,
    )


def document_fields(doc: Document) -> dict:
    """The Whoosh field values of one document."""
    values = {
        "id": doc.id,
        "kind": doc.kind,
        "post_id": doc.post_id,
        "source": doc.source,
        "title": doc.title,
        "title_stem": doc.title if doc.kind == ARTICLE else None,
        "title_exact": doc.title if doc.kind == ARTICLE else None,
        "body": doc.body,
        "body_exact": doc.body,
        "author": doc.author,
        "date": doc.date,
        "number": doc.number,
        "parent_id": doc.parent_id,
        "url": doc.url,
        "meta": doc.meta or None,
    }
    return {k: v for k, v in values.items() if v is not None and v != ""}


def stored_to_document(stored: dict) -> Document:
    """Rebuild a ``Document`` from a hit's stored fields."""
    return Document(
        id=stored["id"],
        kind=stored["kind"],
        post_id=stored["post_id"],
        title=stored.get("title", ""),
        body=stored.get("body", ""),
        source=stored.get("source", ""),
        author=stored.get("author"),
        date=stored.get("date"),
        url=stored.get("url"),
        number=stored.get("number"),
        parent_id=stored.get("parent_id"),
        meta=stored.get("meta") or {},
    )


def check_analysable(doc: Document) -> None:
    """Run the analysis a document will get, so a failure happens before Whoosh.

    Whoosh's writer cannot take back the postings of a half-added document,
    so anything that would raise must raise here, while nothing is written.
    """
    # The stemmed chain runs every filter of the exact one, then the stemmer,
    # and exact terms are ASCII after folding: checking it checks both (and
    # halves this pass, ~5 % of indexing).
    for text in (doc.title, doc.body, doc.author or ""):
        for tok in CHAINS["stemmed"](text):
            tok.text.encode("utf-8")


# --- opening ----------------------------------------------------------------


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
            manifest.fsync_path(os.path.join(self.folder, name))
        super().rename_file(oldname, newname, safe=safe)
        manifest.fsync_dir(Path(self.folder))

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


TEMP_PREFIX = ".whoosh-tmp-"
_TOC = re.compile(rf"^_{INDEX_NAME}_([0-9]+)\.toc$")
# Files searchkit itself may leave in an index folder, besides Whoosh's.
_OWN_FILES = {META_FILE, LOCK_FILE, manifest.MANIFEST_FILE, manifest.PENDING_FILE, f"{INDEX_NAME}_WRITELOCK"}
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
    try:
        names = os.listdir(index_dir)
    except OSError:
        return False
    return any(
        not (n in _OWN_FILES or n in NOTE_FILES or n.startswith((f"{INDEX_NAME}_", f"_{INDEX_NAME}_", ".")))
        for n in names
    )


def read_meta(index_dir: Path) -> dict:
    try:
        return json.loads((index_dir / META_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def check_version(index_dir: Path) -> None:
    version = read_meta(index_dir).get("schema_version")
    if version != SCHEMA_VERSION:
        raise IndexVersionError(
            f"the index at {index_dir} was written by another version of searchkit "
            f"(schema {version or 'unknown'}, this one reads {SCHEMA_VERSION}): "
            f"run `searchkit index --rebuild --index {index_dir}`"
        )


def _damaged(index_dir: Path, what: str) -> IndexDamagedError:
    return IndexDamagedError(
        f"the index at {index_dir} is damaged ({what}): "
        f"run `searchkit index --rebuild --index {index_dir}` to build it again"
    )


def index_files(ix) -> dict[str, int]:
    """Name and size of every file the index's current commit needs."""
    toc = ix._read_toc()
    folder = ix.storage.folder
    prefixes = tuple(f"{seg.segment_id()}." for seg in toc.segments)
    names = [f"_{INDEX_NAME}_{toc.generation}.toc"]
    names += [n for n in os.listdir(folder) if prefixes and n.startswith(prefixes)]
    return {n: os.stat(os.path.join(folder, n)).st_size for n in sorted(names)}


def check_files(index_dir: Path, generation: int) -> None:
    """Compare the index files with the sizes the manifest recorded at commit.

    Whoosh reads a segment file lazily and a truncated one fails deep inside
    a search; a stat per file finds it first. Skipped when the manifest is
    not of this generation (a writer between its commit and its manifest);
    ``open_index`` retries when a writer changed the index meanwhile.
    """
    m = manifest.load(index_dir)
    if m is None or m.generation != generation:
        return
    for name, size in m.segments.items():
        try:
            actual = os.stat(index_dir / name).st_size
        except FileNotFoundError:
            raise _damaged(index_dir, f"index file {name} is missing") from None
        if actual != size:
            raise _damaged(index_dir, f"index file {name} is {actual} bytes, {size} when written")


class PinnedIndex(FileIndex):
    """A Whoosh index whose next reader is the one ``open_index`` checked.

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


def _identity(index_dir: Path) -> tuple:
    """What changes when a writer commits (new TOC) or a rebuild swaps the folder."""
    try:
        ino = os.stat(index_dir).st_ino
    except OSError:
        ino = None
    return ino, latest_generation(index_dir)


def _open_lazy_files(reader) -> None:
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


def open_index(index_dir: Path):
    """Open an existing index for reading, refusing missing, stale or damaged ones."""
    if not exists(index_dir):
        if manifest.load(index_dir) is not None:
            raise _damaged(index_dir, "its table of contents is missing")
        raise IndexMissingError(
            f"no index at {index_dir}: run `searchkit index PATH --index {index_dir}` to build one"
        )
    check_version(index_dir)
    attempts = 5
    for attempt in range(attempts):
        before = _identity(index_dir)
        try:
            ix = SyncedFileStorage(str(index_dir)).open_index(INDEX_NAME, indexclass=PinnedIndex)
            check_files(index_dir, ix.latest_generation())
            # Open every file of the commit now: a missing or unreadable one
            # is reported here and not halfway through a search, and a commit
            # or a rebuild's swap made meanwhile cannot take them away.
            reader = ix.reader()
            ix.pin(reader)
            _open_lazy_files(reader)
            if _identity(index_dir) != before:
                raise FileNotFoundError("the index changed while it was opened")
            return ix
        except Exception as exc:  # Whoosh raises many kinds on a damaged index
            if _identity(index_dir) != before and attempt < attempts - 1:
                continue  # a writer committed or swapped while we opened: read the new index
            if isinstance(exc, SearchkitError):
                raise
            raise _damaged(index_dir, f"{type(exc).__name__}: {exc}") from None
    raise AssertionError("unreachable")


def create_index(index_dir: Path):
    index_dir.mkdir(parents=True, exist_ok=True)
    ix = SyncedFileStorage(str(index_dir)).create_index(make_schema(), indexname=INDEX_NAME)
    write_meta(index_dir)
    return ix


def write_meta(index_dir: Path) -> None:
    meta = {"schema_version": SCHEMA_VERSION, "searchkit": __version__}
    tmp = index_dir / (META_FILE + ".tmp")
    tmp.write_text(json.dumps(meta, indent=2) + "\n", "utf-8")
    os.replace(tmp, index_dir / META_FILE)


def stored_documents(index_dir: Path) -> Iterator[Document]:
    """Every live document of the index's last commit (for checks and exports)."""
    ix = open_index(index_dir)
    with ix.searcher() as searcher:
        for stored in searcher.documents():
            yield stored_to_document(stored)


def recover_manifest(index_dir: Path) -> manifest.Manifest | None:
    """The manifest of the index's last commit, settling one a crash interrupted.

    Called by a writer holding the lock. A pending manifest is kept if the
    index reached its generation (the process died after Whoosh's commit) and
    dropped otherwise (it died before). ``None`` means no trustworthy
    manifest: every file walked is then read again, which is slow but right.
    """
    generation = latest_generation(index_dir)
    pending = manifest.load(index_dir, manifest.PENDING_FILE)
    if pending is not None and pending.generation == generation:
        try:
            pending.segments = index_files(SyncedFileStorage(str(index_dir)).open_index(INDEX_NAME))
        except Exception:
            pending.segments = {}
        manifest.save(pending, index_dir)
    manifest.remove(index_dir, manifest.PENDING_FILE)
    current = manifest.load(index_dir)
    if current is None or current.generation != generation:
        return None
    return current


def remove_leftovers(index_dir: Path) -> None:
    """Delete what killed writers left: spill folders, half-written TOCs and manifests.

    Only a writer holding the lock may call this. Orphan segment files are
    Whoosh's to remove, at its next commit.
    """
    toc_temp = re.compile(rf"^_{INDEX_NAME}_[0-9]+\.toc\..+$")
    try:
        names = os.listdir(index_dir)
    except OSError:
        return
    for name in names:
        path = index_dir / name
        if name.startswith(TEMP_PREFIX):
            shutil.rmtree(path, ignore_errors=True)
        elif toc_temp.match(name) or (name.startswith(".searchkit-manifest") and name.endswith(".tmp")):
            try:
                path.unlink()
            except OSError:
                pass


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


# --- writing ----------------------------------------------------------------


@dataclass
class WriteStats:
    articles: int = 0
    comments: int = 0


class IndexWriter:
    """Adds and replaces whole posts; nothing is visible until ``commit``.

    Whoosh commits by writing new segment files and then renaming a new table
    of contents into place, so an interrupted run leaves the last commit
    intact; the orphan files it may leave are removed by the next commit.
    """

    def __init__(self, index_dir: Path, rebuild: bool = False):
        self.index_dir = index_dir
        if rebuild or not exists(index_dir):
            self.ix = create_index(index_dir)
        else:
            self.ix = open_index(index_dir)
            self.ix.unpin()
        # compound=False: a compound segment file is read whole into memory on open.
        # make_writer: one Whoosh worker per core for big runs (index_parallel).
        from searchkit.index_parallel import make_writer

        self.writer = make_writer(self.ix, limitmb=128, compound=False)
        self.stats = WriteStats()

    def delete_source(self, source: str) -> None:
        self.writer.delete_by_term("source", source)

    def add_post(self, post: Post, on_error=None) -> None:
        """Write a post as one group; a document that cannot be analysed is skipped."""
        docs = []
        for doc in post.documents:
            try:
                check_analysable(doc)
            except Exception as exc:  # analysis of archived text must never stop the run
                if on_error:
                    on_error(doc, exc)
                if doc.kind == ARTICLE:
                    return
                continue
            docs.append(doc)
        with self.writer.group():
            for doc in docs:
                self.writer.add_document(**document_fields(doc))
                if doc.kind == ARTICLE:
                    self.stats.articles += 1
                else:
                    self.stats.comments += 1

    def add_posts(self, posts: Iterable[Post]) -> None:
        for post in posts:
            self.add_post(post)

    @property
    def generation(self) -> int:
        """The Whoosh generation ``commit`` will create."""
        return self.writer.generation

    def commit(self, files: manifest.Manifest | None = None) -> None:
        """Make every change visible at once, and the manifest ``files`` with them.

        The manifest is written as pending before Whoosh's commit point and
        made current after it (see ``recover_manifest`` for the crash cases).
        """
        if files is not None:
            files.generation = self.writer.generation
            files.segments = {}
            manifest.save(files, self.index_dir, manifest.PENDING_FILE)
        self.writer.commit(optimize=False, merge=True)
        write_meta(self.index_dir)
        if files is not None:
            files.segments = index_files(self.ix)
            manifest.save(files, self.index_dir)
            manifest.remove(self.index_dir, manifest.PENDING_FILE)

    def cancel(self) -> None:
        self.writer.cancel()
