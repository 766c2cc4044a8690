"""Every override of a Whoosh private internal the writer needs, for the one Whoosh version it was written for.

searchkit reaches into whoosh-reloaded 2.7.5 where its public API falls short;
each piece says why. The overrides a search needs (the version check, which
refuses any other Whoosh with a message saying what to install, the storage
and the pinned reader) are in ``access``, so that a search never imports
``multiprocessing`` and Whoosh's writer; they are re-exported here.

* ``make_writer`` and ``ParallelWriter``: Whoosh's multiprocessing writer, repaired
  (job files in the shared index folder, posts never split, dead workers fail the commit),
  the faster flush (``_FastFlush``: chunked spills, lengths in memory) and one analysis
  per text for its exact and stemmed fields (``postings.OnePassAnalysis``).
"""

from __future__ import annotations

import os
import queue
import signal
from typing import Any

from whoosh.compat import pickle
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.util import random_name
from whoosh.writing import PostingPool, SegmentWriter

# The package imported ``access`` first, which checked the Whoosh version.
from searchkit.engine.whoosh.access import (
    TEMP_PREFIX,
    WHOOSH_VERSION,
    PinnedIndex,
    SyncedFileStorage,
    check_whoosh_version,
    open_lazy_files,
    toc_segment_ids,
)
from searchkit.engine.whoosh.postings import OnePassAnalysis, write_postings
from searchkit.errors import IndexWriteError

__all__ = [
    "TEMP_PREFIX", "WHOOSH_VERSION", "FastSegmentWriter", "ParallelWriter", "PinnedIndex", "SyncedFileStorage",
    "check_whoosh_version", "make_writer", "open_lazy_files", "toc_segment_ids", "worker_count",
]


# --- writing -----------------------------------------------------------------------
#
# Whoosh's own multiprocessing writer (``MpWriter``) hands batches of documents
# to worker processes through job files, but in whoosh-reloaded 2.7.5 the parent
# writes each job file in *its* temporary folder while a worker looks for it in
# its own, so every batch is lost with a ``FileNotFoundError`` in the worker.
# ``ParallelWriter`` passes the job files through the index folder instead,
# which every process shares, and keeps everything else of ``MpWriter``:
#
# * a post (one Whoosh group) is never split between batches, so its article
#   and comments stay consecutive in one segment, as the post layout needs
#   (``MpWriter`` itself never sends a batch when every document is in a
#   group: ``end_group`` sends it here);
# * a worker that dies fails the commit (``MpWriter`` would commit without its
#   segment), ignores Ctrl-C (the parent cancels) and exits if the parent dies;
# * with ``multisegment=True`` each worker's segment is added to the index as
#   it is, with no serial merge of the workers' postings at the end;
# * a run small enough to fit in one batch never starts a process and is
#   written exactly as a plain ``SegmentWriter`` would (tests, small updates).
#
# It also writes postings with the field lengths held in memory (``_FastFlush``):
# the same index files, byte for byte, for ~10 % less CPU. Figures: benchmarks/RESULTS.md.


# Documents per job file. Big enough that a small corpus (the tests, a blog or
# two) never pays for starting processes; small enough to keep workers fed.
BATCH_DOCS = 2000
# Job files are named like segment files (``MAIN_<id>.<ext>``), so the ones a
# killed run leaves behind are removed by Whoosh's next commit like any orphan.
JOB_EXT = ".skjob"


def worker_count() -> int:
    """Processes to index with: every core this process may use, at most 4."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 4))


def make_writer(ix, limitmb: int = 128, procs: int | None = None, **kwargs):
    """A writer for ``ix``: parallel when there is more than one core to use."""
    procs = worker_count() if procs is None else procs
    if procs <= 1:
        return FastSegmentWriter(ix, limitmb=limitmb, **kwargs)
    return ParallelWriter(ix, procs=procs, batchsize=BATCH_DOCS, multisegment=True,
                          limitmb=limitmb, **kwargs)


class _LengthsInMemory:
    """Each field's lengths, read into memory once, for writing postings.

    At commit Whoosh asks the length of the field for every posting (over a
    million at 10k documents) and each answer reads a byte through the column
    file: 12 % of the indexing CPU. Reading each length once per document and
    field gives the same numbers for a few percent of the calls.
    """

    def __init__(self, reader):
        self.reader = reader
        self.doccount = reader.doc_count_all()
        self.columns: dict[str, list[int]] = {}

    def column(self, fieldname) -> list[int]:
        """The field's length in each document (0 where it has none)."""
        column = self.columns.get(fieldname)
        if column is None:
            length = self.reader.doc_field_length
            column = self.columns[fieldname] = [length(d, fieldname, 0) for d in range(self.doccount)]
        return column


class _ChunkedPostingPool(PostingPool):
    """Whoosh's posting pool, spilling runs in pickled chunks of postings.

    When the postings outgrow ``limitmb`` Whoosh sorts them and writes a run
    to disk, one ``pickle.dump`` call per posting, then reads them back one
    ``pickle.load`` call each: 16 % of the indexing CPU at 10k documents.
    Pickling lists of 4,096 postings writes and reads the same postings, in
    the same order, for a fraction of the calls.
    """

    CHUNK = 4096

    def _write_run(self, f, items):
        dump = pickle.dump
        if isinstance(items, list):
            for i in range(0, len(items), self.CHUNK):
                dump(items[i:i + self.CHUNK], f, pickle.HIGHEST_PROTOCOL)
        else:  # a merge of runs (reduce_to): a generator
            chunk = []
            for item in items:
                chunk.append(item)
                if len(chunk) == self.CHUNK:
                    dump(chunk, f, pickle.HIGHEST_PROTOCOL)
                    chunk = []
            if chunk:
                dump(chunk, f, pickle.HIGHEST_PROTOCOL)
        f.close()

    def _read_run(self, path):
        f = self._open_run(path)
        try:
            while True:
                try:
                    chunk = pickle.load(f)
                except EOFError:
                    return
                yield from chunk
        finally:
            f.close()
            self._remove_run(path)


class _FastFlush:
    """Mixin for a Whoosh ``SegmentWriter``: chunked spills, in-memory lengths and a tighter loop at flush."""

    # What the SegmentWriter this is mixed into provides.
    pool: Any
    perdocwriter: Any
    per_document_reader: Any
    codec: Any
    fieldwriter: Any
    schema: Any

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if type(self.pool) is PostingPool and not self.pool.runs:
            self.pool.__class__ = _ChunkedPostingPool

    def _flush_segment(self):
        # SegmentWriter._flush_segment, with the lengths read through _LengthsInMemory
        # and the postings written by postings.write_postings.
        self.perdocwriter.close()
        pdr = self.per_document_reader() if self.codec.length_stats else None
        columns = _LengthsInMemory(pdr).column if pdr else (lambda fieldname: None)
        write_postings(self.fieldwriter, self.schema, columns, self.pool.iter_postings())
        self.fieldwriter.close()
        if pdr:
            pdr.close()


class FastSegmentWriter(OnePassAnalysis, _FastFlush, SegmentWriter):
    """Whoosh's single-process writer with one analysis per text and the faster flush."""


class _JobFileTask(SubWriterTask):
    """A worker: reads job files from the index folder, writes one segment.

    It ignores Ctrl-C, takes SIGTERM's default (the parent cancels the run and
    ends its workers with it) and stops on its own if the parent dies
    (``kill -9``), before its next job rather than after the queued ones.
    """

    def run(self):
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the parent's cancel ends a worker at once
        parent = os.getppid()
        ix = self.storage.open_index(self.indexname)
        writer = self.writer = FastSegmentWriter(ix, _lk=False, **self.kwargs)
        while True:
            try:
                job = self.jobqueue.get(timeout=1)
            except queue.Empty:
                if os.getppid() != parent:
                    writer.cancel()
                    return
                continue
            if job is None:
                break
            if os.getppid() != parent:  # the parent died with jobs still queued: they are not wanted
                writer.cancel()
                return
            self._process_file(*job)
        fieldnames = writer.pool.fieldnames
        segment = writer._finalize_segment()
        self.resultqueue.put((None, fieldnames, segment), timeout=5)

    def _process_file(self, filename, doc_count):
        storage = self.writer.storage
        load = pickle.load
        with storage.open_file(filename).raw_file() as f:
            for _ in range(doc_count):
                code, args = load(f)
                assert code == 0
                self.writer.add_document(**args)
        storage.delete_file(filename)


class ParallelWriter(_FastFlush, MpWriter, OnePassAnalysis):
    """``MpWriter`` with job files in the shared index folder (see module doc)."""

    docbuffer: list  # MpWriter's buffer of (code, fields) pairs not yet sent to a worker

    def _new_task(self):
        task = _JobFileTask(self.storage, self.indexname, self.jobqueue, self.resultqueue,
                            self.subargs, self.multisegment)
        self.tasks.append(task)
        task.start()
        return task

    def end_group(self):
        # MpWriter only sends a full batch from add_document outside a group,
        # which never happens when every document is in one: send it here.
        super().end_group()
        if not self._grouping and len(self.docbuffer) >= self.batchsize:
            self._enqueue()

    def _enqueue(self):
        docbuffer: list = self.docbuffer
        self.docbuffer = []
        filename = f"{self.indexname}_{random_name(16)}{JOB_EXT}"
        with self.storage.create_file(filename).raw_file() as f:
            for item in docbuffer:
                pickle.dump(item, f, pickle.HIGHEST_PROTOCOL)
        if len(self.tasks) < self.procs:
            self._new_task()
        self._put((filename, len(docbuffer)))

    def _put(self, job) -> None:
        # The job queue is bounded: with a dead worker, a plain put would wait forever.
        while True:
            try:
                self.jobqueue.put(job, timeout=1)
                return
            except queue.Full:
                self._check_workers()

    def _check_workers(self) -> None:
        if any(t.exitcode not in (None, 0) for t in self.tasks):
            codes = ", ".join(str(t.exitcode) for t in self.tasks)
            raise IndexWriteError(f"an indexing worker process failed (exit codes {codes}); "
                                  f"the index keeps its last committed state")

    def commit(self, mergetype=None, optimize=None, merge=None):
        if not self.tasks:
            # Never filled a batch: write here, exactly like a plain writer.
            buffered, self.docbuffer = self.docbuffer, []
            for _, fields in buffered:
                OnePassAnalysis.add_document(self, **fields)
            self._added_sub = False
        super().commit(mergetype=mergetype, optimize=optimize, merge=merge)

    def _commit(self, mergetype, optimize, merge):
        # MpWriter._commit, multisegment case, except that a worker that died
        # fails the commit (Whoosh's would commit without its segment).
        if self.docbuffer:
            self._enqueue()
        for _ in self.tasks:
            self._put(None)
        finalsegments = self._merge_segments(mergetype, optimize, merge)
        results: list[tuple] = []
        while len(results) < len(self.tasks):
            try:
                results.append(self.resultqueue.get(timeout=1))
            except queue.Empty:
                self._check_workers()
                if all(t.exitcode is not None for t in self.tasks) and self.resultqueue.empty():
                    raise IndexWriteError("the indexing worker processes ended without their "
                                          "segments; the index keeps its last committed state") from None
        for task in self.tasks:
            task.join()
        finalsegments += [segment for _, _, segment in results]
        if self._added:
            finalsegments.append(self._finalize_segment())
        else:
            self._close_segment()
        self._commit_toc(finalsegments)
        self._finish()

    def cancel(self):
        try:
            super().cancel()
        finally:
            for task in self.tasks:
                if task.is_alive():
                    task.terminate()
            for name in list(self.storage.list()):
                if name.endswith(JOB_EXT):
                    try:
                        self.storage.delete_file(name)
                    except OSError:
                        pass
