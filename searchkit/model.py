"""The records every reader yields and every later stage consumes.

A reader turns one archived post into one ``Post``: its article ``Document``
and one ``Document`` per reader comment. Nothing here knows about files,
encodings or Whoosh.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

ARTICLE = "article"
COMMENT = "comment"
KINDS = (ARTICLE, COMMENT)


@dataclass
class Document:
    """One searchable unit: an article or a comment.

    ``id`` is stable across re-indexing (derived from the source file and the
    post's and comment's positions). ``post_id`` is the article's id; an
    article's ``post_id`` is its own id. ``parent_id`` is the comment a reply
    answers, when the archive keeps threads. ``categories`` and ``tags`` are
    the blog's own (WordPress categories and tags), on articles only.
    """

    id: str
    kind: str
    post_id: str
    title: str
    body: str
    source: str
    author: str | None = None
    date: datetime | None = None
    url: str | None = None
    number: int | None = None
    parent_id: str | None = None
    meta: dict = field(default_factory=dict)
    categories: list[str] = field(default_factory=list)  # WordPress categories (articles)
    tags: list[str] = field(default_factory=list)  # WordPress tags (articles)


@dataclass
class Post:
    """An article and its comments, as they are indexed and replaced: together."""

    article: Document
    comments: list[Document] = field(default_factory=list)

    @property
    def documents(self) -> list[Document]:
        return [self.article, *self.comments]


def post_id_for(source: str, key: str = "") -> str:
    """A short stable id for the post found at ``key`` inside file ``source``.

    >>> post_id_for("blog/page.txt")
    '07fd83c992e8'
    >>> post_id_for("blog/page.txt") == post_id_for("blog/page.txt", "")
    True
    """
    digest = hashlib.sha1(f"{source}\x00{key}".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()[:12]


def comment_id_for(post_id: str, number: int) -> str:
    """The id of the ``number``-th comment (1-based) of a post.

    >>> comment_id_for("07fd83c992e8", 3)
    '07fd83c992e8-c3'
    """
    return f"{post_id}-c{number}"
