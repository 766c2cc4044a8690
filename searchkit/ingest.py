"""Ingest: walk the corpus, read every file with its reader, write posts to the index.

This is where per-file failures are contained: a file that cannot be read is
named in the summary with its reason and the rest of the corpus is indexed.
The index only changes at the final commit, so a failed or interrupted run
leaves the previous index as it was.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from searchkit.errors import InputError
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
    """Every file to read under ``paths``, in a stable order.

    Files named on the command line are always read; inside directories only
    known archive types are, hidden files and folders are passed over, and
    symlink loops or unreadable folders are reported, not followed forever.
    """
    for root in paths:
        if not root.exists():
            summary.errors.append(f"{root}: no such file or directory")
            continue
        if root.is_file():
            yield CorpusFile(root, root.name)
            continue
        seen_dirs: set[tuple[int, int]] = set()

        def onerror(exc: OSError, root=root) -> None:
            summary.errors.append(f"{_display(exc.filename, root)}: cannot read folder ({exc.strerror})")

        for dirpath, dirnames, filenames in os.walk(root, onerror=onerror, followlinks=True):
            st = os.stat(dirpath)
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


def index_paths(paths: list[Path], index_dir: Path, rebuild: bool = False) -> Summary:
    """Read every file under ``paths`` and (re)write its posts in the index."""
    from searchkit.index import IndexWriter

    summary = Summary()
    files = list(walk(paths, summary))
    writer = IndexWriter(index_dir, rebuild=rebuild)
    try:
        for cf in progress(files, len(files), "indexing"):
            report = FileReport(cf.source)
            try:
                posts = list(read_file(cf.path, cf.source, report))
            except InputError as exc:
                report.error(f"{exc}; skipped")
                summary.add_report(report)
                continue
            except Exception as exc:  # a reader bug on one file must not stop the corpus
                report.error(f"{cf.source}: could not be read ({type(exc).__name__}: {exc}); skipped")
                summary.add_report(report)
                continue

            def on_error(doc, exc, report=report):
                report.error(f"{doc.source}: {doc.kind} {doc.id} could not be analysed ({exc}); skipped")

            writer.delete_source(cf.source)
            for post in posts:
                writer.add_post(post, on_error=on_error)
            summary.files_read += 1
            summary.add_report(report)
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    summary.articles = writer.stats.articles
    summary.comments = writer.stats.comments
    return summary
