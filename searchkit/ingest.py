"""Ingest: walk the corpus, read new and changed files with their readers, write posts to the index.

This is where per-file failures are contained: a file that cannot be read is
named in the summary with its reason and the rest of the corpus is indexed.

A run holds the index's writer lock (``lock``), plans from the manifest
(``manifest``: size and mtime, then content hash) which files to read and
which vanished, and makes every change in one commit, manifest included
(``index.IndexWriter.commit``): a failed or killed run leaves the previous
index as it was. ``--rebuild`` writes a new index beside the old one and
swaps the folders once it is committed.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from searchkit.dedup import Deduplicator, Duplicate
from searchkit import manifest
from searchkit.errors import IndexWriteError, InputError
from searchkit.lock import DEFAULT_WAIT, IndexLock, describe_holder
from searchkit.readers import EXTENSIONS, FileReport, extension_of, read_file


@dataclass
class Summary:
    """What one ``searchkit index`` run did, for the closing report."""

    files_read: int = 0
    articles: int = 0
    comments: int = 0
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # soft errors: exit 2 at the end
    left_out: dict[str, int] = field(default_factory=dict)  # drafts, pingbacks...
    ignored_files: int = 0  # files of other types met while walking a directory
    added: int = 0  # files indexed for the first time
    updated: int = 0  # files changed since the last run, re-read and replaced
    removed: int = 0  # files gone since the last run, their posts deleted
    unchanged: int = 0  # files left alone, not even opened
    notes: list[str] = field(default_factory=list)  # things worth a line that are not problems
    blind_spots: list[Path] = field(default_factory=list)  # folders that could not be listed
    duplicates: list[Duplicate] = field(default_factory=list)  # posts met in an earlier file

    @property
    def ok(self) -> bool:
        return not self.errors

    def add_report(self, report: FileReport) -> None:
        self.warnings.extend(report.warnings)
        self.errors.extend(report.errors)
        for reason, count in report.skipped.items():
            self.left_out[reason] = self.left_out.get(reason, 0) + count


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
        if not root.exists():
            summary.errors.append(f"{root}: no such file or directory")
            continue
        if root.is_file():
            if _bad_name(root.name):
                summary.errors.append(f"{_display(root, None)}: file name is not valid UTF-8, skipped")
                continue
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
                yield CorpusFile(path, source)


def _bad_name(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _display(path, root) -> str:
    return os.fsdecode(path).encode("utf-8", "backslashreplace").decode("utf-8")


def progress(iterable, total: int, desc: str):
    """A tqdm bar on stderr, shown only when stderr is a terminal."""
    from tqdm import tqdm

    return tqdm(iterable, total=total, desc=desc, unit="file", file=sys.stderr,
                disable=not sys.stderr.isatty(), leave=False)


def index_paths(paths: list[Path], index_dir: Path, rebuild: bool = False,
                wait: float = DEFAULT_WAIT) -> Summary:
    """Bring the index up to date with the files under ``paths``.

    Holds the index's writer lock throughout (waiting up to ``wait`` seconds
    for another writer). Only new and changed files are read; a changed
    file's posts are deleted and added again, and files gone from ``paths``
    are removed, all in one commit. ``rebuild`` builds a new index beside the
    old one and swaps it in only once committed.
    """
    from searchkit import index as sk_index

    index_dir = Path(index_dir)
    if index_dir.exists() and not index_dir.is_dir():
        raise IndexWriteError(f"{index_dir} is a file, not an index folder: choose another --index")
    if not sk_index.exists(index_dir) and sk_index.is_foreign(index_dir):
        raise IndexWriteError(
            f"{index_dir} holds files that are not a searchkit index: refusing to write an index "
            f"into it; choose another --index folder"
        )
    summary = Summary()
    try:
        with IndexLock(index_dir, wait) as lock:
            if lock.stale:
                summary.notes.append(
                    f"the previous writer ({describe_holder(lock.stale)}) ended without finishing; "
                    f"its lock was taken over and the index kept its last commit"
                )
            _remove_old_rebuilds(index_dir)
            sk_index.remove_leftovers(index_dir)
            _update(paths, index_dir, rebuild, summary, lock)
    except OSError as exc:
        # Reading corpus files is guarded file by file: what gets here failed on the index side.
        raise IndexWriteError(
            f"cannot write the index at {index_dir} ({exc.strerror or exc}): "
            f"nothing was changed, the previous index is intact"
        ) from None
    return summary


def _update(paths: list[Path], index_dir: Path, rebuild: bool, summary: Summary, lock) -> None:
    from searchkit import index as sk_index

    had_index = sk_index.exists(index_dir)
    if not rebuild and (had_index or manifest.load(index_dir) is not None):
        sk_index.open_index(index_dir).unpin()  # refuses a damaged or incompatible index before any work
        old = sk_index.recover_manifest(index_dir) or manifest.Manifest()
    else:
        old = manifest.Manifest()
    files = list(walk(paths, summary))
    plan = manifest.plan(old, files, paths, summary.blind_spots)
    for source, other in plan.shadowed:
        summary.warnings.append(
            f"{source}: replaces the posts of {_display(other, None)}, indexed earlier under the same "
            f"name; index their common parent folder to keep both"
        )
    summary.unchanged = len(plan.unchanged)
    if had_index and not rebuild and not plan.writes_index:
        if plan.refreshed:  # touched but identical files: remember their new mtimes
            old.files.update(plan.entries)
            manifest.save(old, index_dir)
        return

    aside = rebuild and had_index
    real = index_dir.resolve()  # "--index ." has no name of its own
    target = real.with_name(f".{real.name}.rebuild-{os.getpid()}") if aside else index_dir
    if aside:
        shutil.rmtree(target, ignore_errors=True)
        aside_lock = lock.adopt(target)
    try:
        _write(plan, old, target, fresh=rebuild or not had_index, summary=summary)
        if aside:
            for name in sk_index.NOTE_FILES:  # e.g. the repository's index/README.md
                if (real / name).is_file():
                    shutil.copy2(real / name, target / name)
            # Atomic swap: a search sees the old index or the new one, never neither.
            sk_index.exchange_dirs(target, real)
    finally:
        if aside:
            aside_lock.release()
            shutil.rmtree(target, ignore_errors=True)


def _write(plan: manifest.Plan, old: manifest.Manifest, target: Path, fresh: bool,
           summary: Summary) -> None:
    from searchkit.index import IndexWriter

    writer = IndexWriter(target, rebuild=fresh)
    files = manifest.Manifest(files={} if fresh else dict(old.files))
    dedup = Deduplicator()
    try:
        for source in plan.removed:
            writer.delete_source(source)
            del files.files[source]
        summary.removed = len(plan.removed)
        if plan.refreshed:
            files.files.update((s, e) for s, e in plan.entries.items() if s in plan.unchanged)
        for cf in progress(plan.to_read, len(plan.to_read), "indexing"):
            report = FileReport(cf.source)
            try:
                posts = list(read_file(cf.path, cf.source, report))
            except InputError as exc:
                report.error(f"{exc}; skipped")
                summary.add_report(report)
                continue  # its earlier version, if any, stays indexed
            except Exception as exc:  # a reader bug on one file must not stop the corpus
                report.error(f"{cf.source}: could not be read ({type(exc).__name__}: {exc}); skipped")
                summary.add_report(report)
                continue

            def on_error(doc, exc, report=report):
                report.error(f"{doc.source}: {doc.kind} {doc.id} could not be analysed ({exc}); skipped")

            # The whole file is replaced: its old posts and all their comments go.
            writer.delete_source(cf.source)
            for post in posts:
                duplicate = dedup.check(post, cf.source)  # dedup hook: same post from another file
                if duplicate is not None:
                    summary.duplicates.append(duplicate)
                    report.skip("duplicate post")  # counted in "left out:" with drafts, pingbacks
                    continue
                writer.add_post(post, on_error=on_error)
            entry = plan.entries.get(cf.source) or _entry_for(cf)
            if entry is not None:
                entry.post_ids = [post.article.post_id for post in posts]
                entry.clean = not report.errors
                files.files[cf.source] = entry
            if cf.source in plan.new or fresh:
                summary.added += 1
            else:
                summary.updated += 1
            summary.files_read += 1
            summary.add_report(report)
        writer.commit(files)
    except BaseException:
        writer.cancel()
        raise
    summary.articles = writer.stats.articles
    summary.comments = writer.stats.comments


def _entry_for(cf: CorpusFile) -> manifest.FileEntry | None:
    try:
        st = os.stat(cf.path)
        return manifest.FileEntry(os.path.abspath(cf.path), st.st_size, st.st_mtime_ns,
                                  manifest.file_hash(cf.path))
    except OSError:
        return None


def _remove_old_rebuilds(index_dir: Path) -> None:
    """Delete the half-built index of a rebuild that was killed (we hold the lock)."""
    real = index_dir.resolve()
    prefix = f".{real.name}.rebuild-"
    try:
        siblings = list(real.parent.iterdir())
    except OSError:
        return
    for path in siblings:
        if path.name.startswith(prefix) and path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
