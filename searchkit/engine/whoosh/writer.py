"""Writing a folder index: the writer session (lock, crash recovery, rebuild aside) and the post writer.

``WriteSession`` is what ``searchkit.engine.open_writer`` returns for a folder:
it takes the folder's writer lock, settles what a killed writer left, knows
the file state of the last commit, and gives a ``WhooshWriter``. A
``--rebuild`` writes a new index beside the old one and swaps the folders
only once it is committed, so a search sees the old index or the new one,
never neither. A first index whose run fails leaves no folder behind.

Each post is written as one Whoosh group (article first, then its
comments): the post layout (``layout.PostLayout``) relies on it, and a post
is always replaced whole.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

from searchkit.engine.base import FileEntry, FileState, Writer
from searchkit.engine.base import WriteSession as BaseWriteSession
from searchkit.engine.holder import describe_holder
from searchkit.engine.whoosh import internals, manifest, storage, upkeep
from searchkit.engine.whoosh.lock import IndexLock
from searchkit.engine.whoosh.schema import check_analysable, document_fields
from searchkit.errors import IndexWriteError
from searchkit.model import ARTICLE, Document, Post

# Postings a writer (each worker) holds in memory before it spills a sorted run to disk, in
# Whoosh's estimate; the real memory is about 2.5 times more (Python objects). Figures: RESULTS.md.
POOL_LIMIT_MB = 48


class WhooshWriter(Writer):
    """Adds and replaces whole posts; nothing is visible until ``commit``.

    Whoosh commits by writing new segment files and then renaming a new table
    of contents into place, so an interrupted run leaves the last commit
    intact; the orphan files it may leave are removed by the next commit.
    """

    def __init__(self, index_dir: Path, fresh: bool):
        self.index_dir = index_dir
        if fresh or not storage.exists(index_dir):
            self.ix = storage.create_index(index_dir)
        else:
            self.ix = storage.open_index(index_dir)
            self.ix.unpin()
        # compound=False: a compound segment file is read whole into memory on open.
        self.writer = internals.make_writer(self.ix, limitmb=POOL_LIMIT_MB, compound=False)
        self.articles = 0
        self.comments = 0
        self.committed = False

    def delete_source(self, source: str) -> None:
        self.writer.delete_by_term("source", source)

    def add_post(self, post: Post, on_error: Callable[[Document, Exception], None] | None = None) -> None:
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
                    self.articles += 1
                else:
                    self.comments += 1

    def commit(self, files: dict[str, FileEntry] | FileState) -> None:
        """Make every change visible at once, and the manifest (``files``, or a run's ``Working`` copy) with them.

        The manifest is made pending before Whoosh's commit point and current
        after it (see ``upkeep.recover_manifest`` for the crash cases).
        """
        if isinstance(files, manifest.Working):
            state = files
        else:
            assert isinstance(files, dict), "a folder index takes its own session's file state"
            state = manifest.Working(self.index_dir, None)
            for source, entry in sorted(files.items()):
                state.put(source, entry)
        try:
            state.set_generation(self.writer.generation)
            state.publish(self.index_dir, manifest.PENDING_FILE)
            self.writer.commit(optimize=False, merge=True)
            # From here the commit is made: an interrupt now must not "cancel" a closed writer.
            self.committed = True
            storage.write_meta(self.index_dir)
            manifest.settle_pending(self.index_dir, self.writer.generation, lambda: storage.index_files(self.ix))
        finally:
            if state is not files:
                state.discard()

    def cancel(self) -> None:
        if not self.committed:
            self.writer.cancel()


class WriteSession(BaseWriteSession):
    """One ``searchkit index`` run's hold on a folder index; use as a context manager."""

    engine = "whoosh"

    def __init__(self, index_dir: Path, rebuild: bool, wait: float):
        self.index_dir = Path(index_dir)
        self.rebuild = rebuild
        self.wait = wait
        self.notes: list[str] = []
        self._manifest: Path | None = None  # the trustworthy manifest of the last commit, if any
        self._writer: WhooshWriter | None = None
        self._aside: Path | None = None
        self._aside_lock: IndexLock | None = None
        self._created = False

    def __enter__(self) -> WriteSession:
        index_dir = self.index_dir
        if index_dir.exists() and not index_dir.is_dir():
            raise IndexWriteError(f"{index_dir} is a file, not an index folder: choose another --index")
        if not storage.exists(index_dir) and storage.is_foreign(index_dir):
            raise IndexWriteError(
                f"{index_dir} holds files that are not a searchkit index: refusing to write an index "
                f"into it; choose another --index folder"
            )
        self._created = not index_dir.exists()
        try:
            self.lock = IndexLock(index_dir, self.wait)
            self.lock.acquire()
            if self.lock.stale:
                self.notes.append(
                    f"the previous writer ({describe_holder(self.lock.stale)}) ended without finishing; "
                    f"its lock was taken over and the index kept its last commit"
                )
            upkeep.remove_old_rebuilds(index_dir)
            upkeep.remove_leftovers(index_dir)
            self.had_index = storage.exists(index_dir)
            if not self.rebuild and (self.had_index or manifest.info(index_dir) is not None):
                storage.open_index(index_dir).unpin()  # refuses a damaged or incompatible index before any work
                self._manifest = upkeep.recover_manifest(index_dir)
        except OSError as exc:
            self._abandon()
            raise self._write_error(exc) from None
        except BaseException:
            self._abandon()
            raise
        return self

    @property
    def fresh(self) -> bool:
        """The run builds a new index (none yet, or ``--rebuild``): nothing old is kept."""
        return self.rebuild or not self.had_index

    def writer(self) -> WhooshWriter:
        if self._writer is None:
            target = self.index_dir
            if self.rebuild and self.had_index:
                self._aside = target = upkeep.rebuild_folder(self.index_dir)
                shutil.rmtree(target, ignore_errors=True)
                self._aside_lock = self.lock.adopt(target)
            self._writer = WhooshWriter(target, fresh=self.fresh)
        return self._writer

    def file_state(self) -> manifest.Working:
        """A private copy of the last commit's manifest (empty for a fresh index), on disk."""
        base = None if self.fresh else self._manifest
        return manifest.Working(self.index_dir, base)

    def commit(self, state: FileState) -> None:
        assert isinstance(state, manifest.Working)
        self.writer().commit(state)

    def remember_state(self, state: FileState) -> None:
        """Save ``state`` as the manifest of the current commit (only stat data changed)."""
        assert isinstance(state, manifest.Working)
        state.set_generation(storage.latest_generation(self.index_dir))
        segments = manifest.info(self.index_dir)
        state.set_segments(segments[1] if segments else {})
        state.publish(self.index_dir, manifest.MANIFEST_FILE)

    def discard(self, state: FileState) -> None:
        assert isinstance(state, manifest.Working)
        state.discard()

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if self._writer is not None and exc_type is not None:
                self._writer.cancel()
            if self._aside is not None:
                if exc_type is None and self._writer is not None and self._writer.committed:
                    real = self.index_dir.resolve()
                    for name in storage.NOTE_FILES:  # e.g. the repository's index/README.md
                        if (real / name).is_file():
                            shutil.copy2(real / name, self._aside / name)
                    # Atomic swap: a search sees the old index or the new one, never neither.
                    upkeep.exchange_dirs(self._aside, real)
        except OSError as err:
            raise self._write_error(err) from None
        finally:
            if self._aside_lock is not None:
                self._aside_lock.release()
            if self._aside is not None:
                shutil.rmtree(self._aside, ignore_errors=True)
            if not (self._writer and self._writer.committed):
                self._abandon()  # releases the lock; a folder this run made for nothing goes
            else:
                self.lock.release()
        if isinstance(exc, OSError):
            raise self._write_error(exc) from None

    def _abandon(self) -> None:
        """Release the lock; a folder this run created and never committed to is removed."""
        lock = getattr(self, "lock", None)
        if lock is not None:
            lock.release()
        if self._created:
            shutil.rmtree(self.index_dir, ignore_errors=True)

    def _write_error(self, exc: OSError) -> IndexWriteError:
        # Reading corpus files is guarded file by file: what gets here failed on the index side.
        return IndexWriteError(
            f"cannot write the index at {self.index_dir} ({exc.strerror or exc}): "
            f"nothing was changed, the previous index is intact"
        )


def write_session(location: str, rebuild: bool, wait: float) -> WriteSession:
    return WriteSession(Path(os.path.expanduser(location)), rebuild, wait)
