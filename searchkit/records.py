"""The plain records a search returns: hits, posts, thread entries, counts, statistics.

They are what the backend-neutral API (``searchkit.api``) hands to the CLI, the
web layer and the output code; every engine fills them. No engine import here,
and nothing but data and a few derived properties.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

from searchkit.model import Document

Segment = tuple[str, bool]  # (text, is_match): a snippet is a list of these


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

    hits: list[Hit]
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
    """A post's matching documents: its article once, then comments in thread order."""

    article: Document
    article_hit: Hit | None  # the article itself matched
    comments: list[ThreadEntry]
    comment_count: int  # all comments of the post, matching or not

    @property
    def hits(self) -> list[Hit]:
        first = [self.article_hit] if self.article_hit else []
        return first + [e.hit for e in self.comments if e.hit]


@dataclass
class GroupedResults:
    groups: list[Group]
    total: int  # matching documents
    total_groups: int  # posts with a matching document
    total_is_exact: bool = True


@dataclass
class Thread:
    """A whole post: its article (None if the archive lost it) and every comment in reading order."""

    article: Document | None
    comments: list[ThreadEntry]


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
