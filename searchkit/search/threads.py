"""Threads: the order in which a post's comments are read, replies under their parent.

Pure work on records (no engine): the API hands over a post's comments as
the index stores them (``Document``s, or their text-less ``Outline``s, so a
post of 100,000 comments is put in order without holding its texts) and
gets them back in reading order with their depth, which ``output`` turns
into indentation. Archives are messy, so a reply whose parent is missing (a
deleted or unapproved comment) is read as a top-level comment, and a cycle
of parents cannot loop.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol, TypeVar


class Threaded(Protocol):
    """What thread order reads of a comment (a ``Document`` or an ``Outline``)."""

    @property
    def id(self) -> str: ...
    @property
    def parent_id(self) -> str | None: ...
    @property
    def number(self) -> int | None: ...
    @property
    def date(self) -> datetime | None: ...


D = TypeVar("D", bound=Threaded)


def reading_key(doc: Threaded) -> tuple:
    """Siblings are read by number, then date, then id (numbers may be missing)."""
    return (
        doc.number if doc.number is not None else float("inf"),
        doc.date.isoformat() if doc.date else "",
        doc.id,
    )


def thread_order(comments: Iterable[D]) -> list[tuple[D, int]]:
    """Comments in reading order, each with its depth (0 for a top-level comment).

    >>> from searchkit.model import Document
    >>> def c(n, parent=None):
    ...     return Document(f"p-c{n}", "comment", "p", "T", "", "s", number=n,
    ...                     parent_id=f"p-c{parent}" if parent else None)
    >>> [(d.number, depth) for d, depth in thread_order([c(1), c(2), c(3, 1), c(4, 3), c(5, 9)])]
    [(1, 0), (3, 1), (4, 2), (2, 0), (5, 0)]
    """
    docs = sorted(comments, key=reading_key)
    ids = {d.id for d in docs}
    children: dict[str | None, list[D]] = {}
    for d in docs:
        parent = d.parent_id if d.parent_id in ids and d.parent_id != d.id else None
        children.setdefault(parent, []).append(d)
    ordered: list[tuple[D, int]] = []
    seen: set[str] = set()

    def visit(root: D) -> None:
        # Depth-first with an explicit stack: an archive may chain replies
        # deeper than Python's recursion limit.
        stack = [(root, 0)]
        while stack:
            doc, depth = stack.pop()
            if doc.id in seen:
                continue
            seen.add(doc.id)
            ordered.append((doc, depth))
            stack.extend((child, depth + 1) for child in reversed(children.get(doc.id, ())))

    for root in children.get(None, ()):
        visit(root)
    # Comments caught in a cycle of parents have no root: read them at the end.
    for d in docs:
        if d.id not in seen:
            visit(d)
    return ordered
