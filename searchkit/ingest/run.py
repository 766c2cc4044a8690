"""An indexing run: walk the corpus, read new and changed files, write their posts, commit once.

This is where per-file failures are contained: a file that cannot be read is
named in the summary with its reason and the rest of the corpus is indexed.

A run holds the engine's write session (``searchkit.engine.open_writer``: the
writer lock, crash recovery, ``--rebuild`` aside), plans from the file state
of the last commit (``plan``: size and mtime, then content hash) which files
to read and which vanished, and makes every change in one commit, file state
included: a failed or killed run leaves the previous index as it was. A run
that can read nothing creates nothing.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from searchkit import engine
from searchkit.engine.base import FileEntry, FileState
from searchkit.errors import InputError
from searchkit.ingest.dedup import Deduplicator, Duplicate
from searchkit.ingest.messages import Messages, RunLog
from searchkit.ingest.plan import Plan, file_hash, plan
from searchkit.ingest.progress import Progress
from searchkit.ingest.scratch import Scratch
from searchkit.ingest.walk import _display, walk
from searchkit.model import Post
from searchkit.readers import FileReport, read_file

DEFAULT_WAIT = 5.0  # seconds a second writer waits for the first
# Limit (README, "Limits"): a file up to this size is read whole before its earlier posts are
# replaced; a bigger one is read twice, once to check that it reads to its end (holding
# nothing), then post by post into the index: a run's memory does not grow with one file.
HOLD_BYTES = 64 << 20


@dataclass
class Summary:
    """What one ``searchkit index`` run did, for the closing report.

    Notes, warnings, errors and duplicates are ``Messages``: each counted
    exactly, its first ``messages.SHOWN`` held, and all of them in the run's
    log file (``log``) once a kind has more; ``render`` makes a message one
    line of that file.
    """

    files_read: int = 0
    articles: int = 0
    comments: int = 0
    left_out: dict[str, int] = field(default_factory=dict)  # drafts, pingbacks...
    ignored_files: int = 0  # files of other types met while walking a directory
    added: int = 0  # files indexed for the first time
    updated: int = 0  # files changed since the last run, re-read and replaced
    removed: int = 0  # files gone since the last run, their posts deleted
    unchanged: int = 0  # files left alone, not even opened
    blind_spots: list[Path] = field(default_factory=list)  # folders that could not be listed
    render: Callable[[str], str] = str

    def __post_init__(self) -> None:
        self.log = RunLog(self.render)
        self.notes: Messages[str] = Messages("note", self.log)  # worth a line, not problems
        self.warnings: Messages[str] = Messages("warning", self.log)
        self.errors: Messages[str] = Messages("error", self.log)  # soft errors: exit 2 at the end
        self.duplicates: Messages[Duplicate] = Messages("duplicate", self.log)  # posts met in an earlier file

    @property
    def ok(self) -> bool:
        return not self.errors

    def take(self, kind: str, message: str) -> None:
        """A reader's warning or error, as it is met (a ``FileReport``'s sink)."""
        (self.errors if kind == "error" else self.warnings).append(message)

    def add_report(self, report: FileReport) -> None:
        """A file's items left out (its warnings and errors came through ``take`` as they were met)."""
        for reason, count in report.skipped.items():
            self.left_out[reason] = self.left_out.get(reason, 0) + count


def index_paths(paths: list[Path], location: str | Path, rebuild: bool = False,
                wait: float = DEFAULT_WAIT, *, shards: int | None = None, replicas: int | None = None,
                render: Callable[[str], str] = str) -> Summary:
    """Bring the index at ``location`` up to date with the files under ``paths``.

    Holds the index's writer lock throughout (waiting up to ``wait`` seconds
    for another writer). Only new and changed files are read; a changed
    file's posts are deleted and added again, and files gone from ``paths``
    are removed, all in one commit. ``rebuild`` builds a new index and swaps
    it in only once committed. ``shards``/``replicas``: an OpenSearch index's
    layout (``engine.open_writer``). ``render``: how a message is written to
    the run's log file, if it gets one (``Summary``).
    """
    location = str(location)
    # Made first: options the index cannot take are refused before the corpus is walked.
    session = engine.open_writer(location, rebuild=rebuild, wait=wait, shards=shards, replicas=replicas)
    summary = Summary(render=render)
    try:
        _run(session, location, [Path(p) for p in paths], summary)
    finally:
        summary.log.close()
    return summary


def _run(session, location: str, roots: list[Path], summary: Summary) -> None:
    def shadowed(source: str, other: str) -> None:
        summary.warnings.append(f"{source}: replaces the posts of {_display(other, None)}, indexed earlier under "
                                f"the same name; index their common parent folder to keep both")

    with Scratch() as scratch:
        first = not engine.exists(location)
        if first:
            # A first build knows no earlier sources: this walk is the run's walk.
            walk(roots, summary, scratch)
            if not scratch.any_walked():
                return  # nothing to read (the errors say why): create no empty index
        with session:
            summary.notes.extend(session.notes)
            state = session.file_state()
            try:
                with scratch.knowing(state):
                    if not first:
                        walk(roots, summary, scratch, None if session.fresh else state)
                    todo = plan(state, scratch, roots, summary.blind_spots, shadowed)
                summary.unchanged = todo.unchanged
                if not session.fresh and not todo.writes_index:
                    if todo.refreshed:  # touched but identical files: remember their new mtimes
                        session.remember_state(state)
                    return
                _write(session, state, scratch, todo, summary)
            finally:
                session.discard(state)


def index_posts(posts: Iterable[Post], location: str | Path, rebuild: bool = False) -> None:
    """Write ``posts`` straight into the index at ``location`` in one commit (no files, no manifest).

    For generated or already-parsed archives: the evaluation, the tests.
    """
    with engine.open_writer(str(location), rebuild=rebuild) as session:
        writer = session.writer()
        for post in posts:
            writer.add_post(post)
        state = session.file_state()
        try:
            session.commit(state)
        finally:
            session.discard(state)


def _posts(path: Path, source: str, size: int, report: FileReport) -> Iterable[Post]:
    """The posts of one file; raises what ``read_file`` raises before any earlier post is replaced.

    A file of at most ``HOLD_BYTES`` is read into a list. A bigger one is read
    through once holding nothing (its messages are the second reading's), and
    its posts are then read again one at a time as they are indexed.
    """
    if size <= HOLD_BYTES:
        return list(read_file(path, source, report))
    for _ in read_file(path, source, FileReport(source, sink=lambda kind, message: None)):
        pass
    return read_file(path, source, report)


def _read_through(posts: Iterable[Post], source: str, report: FileReport) -> Iterator[Post]:
    """``posts``, stopped with an error if reading fails (a big file read a second time changed since the
    first); what the caller does with each post (the writer's errors) is not caught here."""
    found = iter(posts)
    while True:
        try:
            post = next(found)
        except StopIteration:
            return
        except Exception as exc:
            report.error(f"{source}: could not be read to its end the second time ({type(exc).__name__}: {exc}); "
                         "the posts before are indexed, and it is read again by the next run")
            return
        yield post


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # read_file says why


def _write(session, state: FileState, scratch: Scratch, todo: Plan, summary: Summary) -> None:
    writer = session.writer()
    dedup = Deduplicator(scratch.posts_seen("url"), scratch.posts_seen("text"))
    for source in scratch.removed():
        writer.delete_source(source)
        state.drop(source)
    summary.removed = todo.removed
    progress = Progress()
    progress.reading(todo.to_read_bytes, todo.to_read)
    for path, source, new, entry in scratch.to_read():
        size = entry.size if entry is not None else _size(path)
        report = FileReport(source, sink=summary.take)
        try:
            posts = _posts(path, source, size, report)
        except InputError as exc:
            report.error(f"{exc}; skipped")
            summary.add_report(report)
            progress.file_done(size, 0, source)
            continue  # its earlier version, if any, stays indexed
        except Exception as exc:  # a reader bug on one file must not stop the corpus
            report.error(f"{source}: could not be read ({type(exc).__name__}: {exc}); skipped")
            summary.add_report(report)
            progress.file_done(size, 0, source)
            continue

        def on_error(doc, exc, report=report):
            report.error(f"{doc.source}: {doc.kind} {doc.id} could not be analysed ({exc}); skipped")

        # The whole file is replaced: its old posts and all their comments go.
        writer.delete_source(source)
        post_ids: list[str] = []
        documents = 0
        for post in _read_through(posts, source, report):
            post_ids.append(post.article.post_id)
            documents += 1 + len(post.comments)
            duplicate = dedup.check(post, source)  # the same post from another file
            if duplicate is not None:
                summary.duplicates.append(duplicate)
                report.skip("duplicate post")  # counted in "left out:" with drafts, pingbacks
                continue
            writer.add_post(post, on_error=on_error)
        entry = entry or _entry_for(path)
        if entry is not None:
            entry.post_ids = post_ids
            entry.clean = not report.error_count
            state.put(source, entry)
        if new or session.fresh:
            summary.added += 1
        else:
            summary.updated += 1
        summary.files_read += 1
        summary.add_report(report)
        progress.file_done(size, documents, source)
        del posts  # not held while the next file is read
    with progress.phase(f"writing the index ({writer.articles + writer.comments} documents)"):
        session.commit(state)
    summary.articles = writer.articles
    summary.comments = writer.comments


def _entry_for(path: Path) -> FileEntry | None:
    try:
        st = os.stat(path)
        return FileEntry(os.path.abspath(path), st.st_size, st.st_mtime_ns, file_hash(path))
    except OSError:
        return None
