"""The plain records a search returns: hits, posts, thread entries, counts, statistics.

They are what the backend-neutral API (``searchkit.api``) hands to the CLI, the
web layer and the output code; every engine fills them. No engine import here,
and nothing but data and a few derived properties. A post may hold 100,000
comments: its comments and hits come as a ``Stream``, made one at a time as
they are read, so nothing holds every text and snippet of a post at once.
"""

from __future__ import annotations

import re
import shlex
import sys
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Any, TypeVar

from searchkit.model import COMMENT, Document

T = TypeVar("T")

Segment = tuple[str, bool]  # (text, is_match): a snippet is a list of these


class Stream(Sequence[T]):
    """A sequence whose length is known and whose items are made as they are read (again at each reading).

    >>> s = Stream(3, lambda: iter("abc"))
    >>> len(s), bool(s), list(s), s[1], s[-1], s[:2]
    (3, True, ['a', 'b', 'c'], 'b', 'c', ['a', 'b'])
    """

    def __init__(self, count: int, make: Callable[[], Iterator[T]]):
        self._count = count
        self._make = make

    def __len__(self) -> int:
        return self._count

    def __bool__(self) -> bool:
        return self._count > 0

    def __iter__(self) -> Iterator[T]:
        return self._make()

    def __getitem__(self, index: Any) -> Any:
        # For callers written against lists (tests, a page's first hit): reads up to the index.
        if isinstance(index, slice):
            span = range(self._count)[index]
            if span.step < 0:
                return list(self)[index]
            return list(islice(self, span.start, span.stop, span.step)) if span else []
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError(index)
        return next(islice(self, index, None))

    def __repr__(self) -> str:
        return f"Stream({self._count} item(s))"


@dataclass(frozen=True, slots=True)  # slots: a post of 100,000 comments holds 100,000 of them
class Outline:
    """A document of a post without its text: what puts a thread in order.

    ``ref`` is the engine's own handle to read the document again (a Whoosh
    document number), or None.
    """

    id: str
    kind: str
    parent_id: str | None
    number: int | None
    date: datetime | None
    ref: Any = field(default=None, compare=False)

    @classmethod
    def of(cls, doc: Document, ref: Any = None) -> Outline:
        # The kind interned: one string for a post's 100,000 comments, not one each.
        return cls(doc.id, sys.intern(doc.kind), doc.parent_id, doc.number, doc.date, ref)


@dataclass(frozen=True, slots=True)
class ThreadOutline:
    """A post's comments in reading order, as little as reading them needs: ~120 bytes a comment.

    For the comment at place ``k``: ``ids[k]``, the engine's handle
    ``refs[k]``, its depth ``depths[k]`` and the place ``parents[k]`` of the
    comment its ``parent_id`` names (-1: none). The ``Outline``s it was made
    of (their parents, numbers and dates: what ordering needed) are let go.
    """

    ids: list[str]
    refs: list[Any]
    depths: array
    parents: array

    def __len__(self) -> int:
        return len(self.ids)

    def outline(self, k: int) -> Outline:
        """The outline of the comment at place ``k`` for ``Engine.post_documents``, which reads its id and ref only."""
        return Outline(self.ids[k], COMMENT, None, None, None, self.refs[k])


@dataclass
class Hit:
    """One matching document, its score (None when sorted by date: nothing was scored)
    and a snippet of its original text with the matches marked."""

    doc: Document
    score: float | None
    snippet: list[Segment] = field(default_factory=list)


@dataclass
class Results:
    """A page of ranked hits and how many documents match in all.

    ``total_is_exact`` is False when the engine stopped counting at a
    threshold: ``total`` is then a lower bound ("more than N").
    """

    hits: list[Hit] | Stream[Hit]  # a Stream: each hit's document and snippet made when read
    total: int
    total_is_exact: bool = True


@dataclass
class ThreadEntry:
    """One comment of a post at its depth in the thread (0: a top-level comment).

    ``hit`` is None for a comment shown only because a matching reply answers it.
    """

    doc: Document
    depth: int
    hit: Hit | None = None


@dataclass
class Group:
    """A post's matching documents: its article once, then comments in thread order.

    ``comments`` holds the matching comments and the comments they answer;
    from the API it is a ``Stream``, each comment read from the index when
    its turn comes.
    """

    article: Document
    article_hit: Hit | None  # the article itself matched
    comments: list[ThreadEntry] | Stream[ThreadEntry]
    comment_count: int  # all comments of the post, matching or not

    @property
    def hits(self) -> Iterator[Hit]:
        """The article's hit, then the comments' in thread order, one at a time."""
        if self.article_hit:
            yield self.article_hit
        for entry in self.comments:
            if entry.hit:
                yield entry.hit

    def hits_with_depth(self) -> Iterator[tuple[Hit, int]]:
        """Each hit with its depth in the thread (the article and top-level comments: 0)."""
        if self.article_hit:
            yield self.article_hit, 0
        for entry in self.comments:
            if entry.hit:
                yield entry.hit, entry.depth


@dataclass
class GroupedResults:
    """A page of posts, each with its matching documents, and how many documents and posts match."""

    groups: list[Group]
    total: int  # matching documents
    total_groups: int  # posts with a matching document
    total_is_exact: bool = True


@dataclass
class Thread:
    """A whole post: its article (None if the archive lost it) and every comment in reading order."""

    article: Document | None
    comments: list[ThreadEntry] | Stream[ThreadEntry]  # a Stream from the API: read one at a time


@dataclass
class Bucket:
    """One line of ``count --by``: a key (period, author...) and its counts per kind."""

    key: str | None
    counts: dict[str, int]

    @property
    def count(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Stats:
    """What an index holds."""

    articles: int
    comments: int
    sources: list[str]
    index: str  # where it is: a folder or a URL
    index_bytes: int
    schema_version: int
    engine: str  # "whoosh" or "opensearch"

    @property
    def documents(self) -> int:
        return self.articles + self.comments


@dataclass
class Suggestion:
    """A corrected query and what was changed in it."""

    query: str
    corrections: list[tuple[str, str]] = field(default_factory=list)  # (typed, suggested)
    hits: int | None = None  # documents the suggested query finds (with the same filters)

    def command(self, options: list[str] | None = None) -> str:
        """The command to run it, quoted for a POSIX shell.

        >>> Suggestion("Microsoft données").command(["--kind", "comment"])
        "searchkit search 'Microsoft données' --kind comment"
        """
        return " ".join(["searchkit", "search", shell_quote(self.query), *map(shell_quote, options or [])])

    def record(self, options: list[str] | None = None) -> dict:
        """The suggestion as a JSON-ready dict (``--json`` prints it on stderr)."""
        return {
            "did_you_mean": self.query,
            "command": self.command(options),
            "corrections": [{"typed": a, "suggested": b} for a, b in self.corrections],
            "hits": self.hits,
        }


def shell_quote(word: str) -> str:
    """``word`` quoted for a POSIX shell only when it needs it (accents do not).

    >>> print(shell_quote("hébergement"), shell_quote("données santé"))
    hébergement 'données santé'
    """
    return word if re.fullmatch(r"[\w@%+=:,./-]+", word) else shlex.quote(word)
