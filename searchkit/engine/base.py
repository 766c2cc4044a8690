"""The engine interface: what an index engine (Whoosh, OpenSearch) must do for searchkit.

The backend-neutral API (``searchkit.api``) parses the query text once into
searchkit's own tree (``searchkit.query``), resolves the filters into a
``Selection`` and calls an ``Engine``; it makes snippets, thread order and
did-you-mean from what the engine returns. An engine compiles the tree to its
own query language and answers with plain records (``Document`` and numbers);
it knows nothing of the CLI, the web layer or the output.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from searchkit.model import Document, Post
from searchkit.records import Outline, Stats

# A node of searchkit's query tree (``searchkit.query.tree``); engines compile it.
Node = Any


@dataclass(frozen=True)
class Selection:
    """Which documents a search, a count or a grouping is about.

    ``query`` is the parsed query; the rest narrows it. ``until`` is exclusive.
    ``sources`` holds exact source names (globs are resolved by the API);
    ``in_article`` keeps comments whose article matches that query,
    ``with_comments`` articles having a comment that matches it.
    """

    query: Node
    kind: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    author: tuple[str, ...] = ()  # folded words of the author's name, in order
    sources: tuple[str, ...] | None = None
    in_article: Node | None = None
    with_comments: Node | None = None


@dataclass(frozen=True)
class Located:
    """Where an engine found the query's words in a document's body, so the snippet need not look for them.

    ``spans`` are (start, end) offsets of Python characters in ``Document.body``,
    in text order. Every word a snippet would mark (``snippets.find_matches``)
    in ``body[:upto]`` lies within a span; a span may hold more (the snippet
    checks each with searchkit's own analysis).
    """

    spans: tuple[tuple[int, int], ...]
    upto: int


@dataclass
class Ranked:
    """Documents in the order asked, with their scores (None when sorted by date).

    ``docs`` may be read lazily (a ``records.Stream``): an engine need not hold every document at once.
    ``located`` (document id → ``Located``) is for the documents whose matches the engine found itself
    (OpenSearch's highlighter); the others' snippets find them in Python. ``total_is_exact`` False:
    ``total`` is a lower bound ("more than N").
    """

    docs: Sequence[tuple[Document, float | None]]
    total: int
    total_is_exact: bool = True
    located: Mapping[str, Located] = field(default_factory=dict)


@dataclass
class RankedPosts:
    """Posts ranked by their best (or first) hit, each with its matching documents in rank order."""

    # (post_id, hits); a post's hits may be read lazily (a ``records.Stream``), once for their ids
    posts: Sequence[tuple[str, Sequence[tuple[Document, float | None]]]]
    total: int  # matching documents
    total_posts: int  # posts with a matching document
    total_is_exact: bool = True
    located: Mapping[str, Located] = field(default_factory=dict)  # as ``Ranked.located``


@dataclass
class FileEntry:
    """One corpus file as it was when indexed (the incremental run's memory)."""

    path: str  # absolute path it was read from
    size: int
    mtime_ns: int
    sha256: str
    post_ids: list[str] = field(default_factory=list)
    clean: bool = True  # read without errors; a file with errors is read again on every run


class FileState(ABC):
    """The file state of the last commit, looked up and changed one file at a time.

    An indexing run never needs it whole: both engines keep it on disk (the
    folder index's SQLite manifest; OpenSearch's run copy of ``<index>.files``,
    ``opensearch.filestate``), so a run's memory does not grow with the number of files.
    """

    @abstractmethod
    def get(self, source: str) -> FileEntry | None: ...

    @abstractmethod
    def source_of(self, path: str) -> str | None:
        """The source the file at absolute ``path`` was indexed under, if any."""

    @abstractmethod
    def sources(self) -> Iterator[tuple[str, str]]:
        """(source, absolute path) of every entry, by source."""

    @abstractmethod
    def put(self, source: str, entry: FileEntry) -> None: ...

    @abstractmethod
    def drop(self, source: str) -> None: ...

    @abstractmethod
    def database(self) -> Path:
        """The SQLite file whose ``files`` table (source, path, size, mtime_ns, sha256, post_ids, clean) holds
        this state, committed, for a run to join with (``ingest.scratch``)."""


class Writer(ABC):
    """Adds and replaces whole posts; nothing is visible until ``commit``."""

    @abstractmethod
    def delete_source(self, source: str) -> None:
        """Remove every post (articles and their comments) read from ``source``."""

    @abstractmethod
    def add_post(self, post: Post, on_error: Callable[[Document, Exception], None] | None = None) -> None:
        """Write an article with its comments; a document that cannot be analysed is skipped."""

    articles: int  # documents added by this writer, per kind
    comments: int

    @abstractmethod
    def commit(self, files: dict[str, FileEntry] | FileState) -> None:
        """Make every change visible at once, with the file state that describes it: a run's
        ``FileState`` (from its session), or a whole new one as a dict."""

    @abstractmethod
    def cancel(self) -> None:
        """Drop every change since the last commit."""


class WriteSession(ABC):
    """One indexing run's hold on an index (a context manager): one writer at a time.

    Entering takes the writer lock (waiting up to the run's ``wait``) and settles
    what a killed writer left; ``file_state`` gives the file state of the last
    commit, looked up one file at a time (never loaded whole into memory).
    Leaving after a commit makes it visible (a ``--rebuild`` is swapped
    in only then); leaving on an error keeps the last commit, and a new index
    that was never committed leaves nothing behind.
    """

    notes: list[str]  # things worth a line (a stale lock taken over...)

    @property
    @abstractmethod
    def fresh(self) -> bool:
        """The run builds a new index (none yet, or ``--rebuild``): nothing old is kept."""

    @abstractmethod
    def writer(self) -> Writer:
        """The writer of this run (created on first use)."""

    @abstractmethod
    def file_state(self) -> FileState:
        """The file state a run reads and changes (empty for a fresh index), saved by ``commit``."""

    @abstractmethod
    def commit(self, state: FileState) -> None:
        """Commit the writer's changes with the file state ``state``."""

    @abstractmethod
    def remember_state(self, state: FileState) -> None:
        """Save ``state`` (only stat data changed), the index itself untouched."""

    @abstractmethod
    def discard(self, state: FileState) -> None:
        """Forget ``state`` without saving it (and free what holds it)."""

    def __enter__(self) -> WriteSession:
        return self

    @abstractmethod
    def __exit__(self, exc_type, exc, tb) -> None: ...


class Engine(ABC):
    """An open index. Reading methods see the last commit when the engine was opened."""

    name: str  # "whoosh", "opensearch"
    location: str  # a folder or a URL, as the user gave it

    # --- reading ---------------------------------------------------------

    @abstractmethod
    def ranked(self, sel: Selection, sort: str, limit: int | None, offset: int = 0) -> Ranked:
        """Matching documents by relevance, ``date`` (oldest first) or ``-date``; undated last."""

    @abstractmethod
    def ranked_posts(self, sel: Selection, sort: str, limit: int | None, offset: int = 0) -> RankedPosts:
        """Matching documents gathered by post; ``limit``/``offset`` count posts."""

    @abstractmethod
    def count_by(self, sel: Selection, by: str) -> dict[str | None, dict[str, int]]:
        """Matching documents per key (kind, ``YYYY-MM``, ``YYYY``, author, source; None: no value) and kind."""

    @abstractmethod
    def document(self, doc_id: str) -> Document | None: ...

    @abstractmethod
    def post(self, post_id: str) -> list[Document]:
        """The article and every comment of a post, in any order."""

    def outline(self, post_id: str) -> list[Outline]:
        """Every document of a post without its text, in any order (to put a thread in order).

        This default reads the whole post; an engine that can read a document
        again by a handle (``Outline.ref``) keeps only the outlines.
        """
        return [Outline.of(d) for d in self.post(post_id)]

    def post_documents(self, post_id: str, wanted: Iterable[Outline]) -> Iterator[Document]:
        """The documents ``wanted`` (outlines from ``outline``) of a post, in that order, read as they are asked for.

        This default holds the whole post while it runs; the Whoosh engine reads one document at a time.
        """
        docs = {d.id: d for d in self.post(post_id)}
        return (docs[o.id] for o in wanted)

    @abstractmethod
    def documents(self) -> Iterator[Document]:
        """Every live document of the commit read (checks and whole-archive exports)."""

    @abstractmethod
    def sources(self) -> list[str]: ...

    @abstractmethod
    def stats(self) -> Stats: ...

    # --- vocabulary (did you mean) ----------------------------------------

    @abstractmethod
    def doc_frequency(self, term: str) -> int:
        """Documents holding the folded, unstemmed ``term`` in a title or a body."""

    @abstractmethod
    def similar_terms(self, term: str, maxdist: int, prefix: int) -> list[str]:
        """Indexed folded terms within ``maxdist`` edits of ``term`` sharing its first ``prefix`` letters."""

    @abstractmethod
    def texts_with(self, term: str, limit: int) -> list[str]:
        """The text (title and body, one string each) of up to ``limit`` documents holding ``term``
        (to show the term as the archive writes it)."""

    # --- writing -----------------------------------------------------------

    @abstractmethod
    def files(self) -> dict[str, FileEntry]:
        """The file state of the last commit (empty when unknown: every file is read again)."""

    def current(self) -> bool:
        """Whether the index still is at the commit this engine reads (a long-lived reader reopens when not)."""
        return True

    def close(self) -> None:  # noqa: B027  (optional: an engine holding nothing open has nothing to do)
        """Release what the engine holds open."""
