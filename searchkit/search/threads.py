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

from array import array
from collections.abc import Iterable, Sequence
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
_NO_DATE = datetime.min


def reading_key(doc: Threaded) -> tuple:
    """Siblings are read by number, then date, then id (numbers may be missing)."""
    return (
        _number(doc),
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
    docs = list(comments)
    reading, depths, _ = thread_positions(docs)
    return [(docs[i], depth) for i, depth in zip(reading, depths, strict=True)]


def thread_positions(comments: Sequence[Threaded]) -> tuple[array, array, array]:
    """``thread_order`` as three arrays of ints (~12 bytes a comment): what a post of 100,000 comments keeps.

    For each comment read, in reading order: its position in ``comments``, its
    depth, and the place in this reading order of the comment its
    ``parent_id`` names as given (-1: none of them), which is what keeping a
    comment's context follows. Comments sharing an id are read once (the
    first met), as ``thread_order`` reads them.

    >>> from searchkit.model import Document
    >>> def c(n, parent=None):
    ...     return Document(f"c{n}", "comment", "p", "T", "", "s", number=n, parent_id=parent and f"c{parent}")
    >>> [list(a) for a in thread_positions([c(2), c(1), c(3, 1), c(4, 9), c(5, 5)])]
    [[1, 2, 0, 3, 4], [0, 1, 0, 0, 0], [-1, 0, -1, -1, 4]]
    """
    n = len(comments)
    order = _reading_order(comments)
    # The first comment met of each id stands for it (ids index positions: no dict kept).
    first: dict[str, int] = {}
    for i in order:
        first.setdefault(comments[i].id, i)
    canon = array("i", (first[c.id] for c in comments))
    tree_parent = array("i", [-1]) * n  # a missing parent, or itself: read as a top-level comment
    given_parent = array("i", [-1]) * n
    for i, c in enumerate(comments):
        if c.parent_id:
            p = first.get(c.parent_id, -1)
            given_parent[i] = p
            if c.parent_id != c.id:
                tree_parent[i] = p
    del first
    # Children in reading-key order, as slices of one array (no list a parent).
    start = array("i", [0]) * (n + 1)
    for i in order:
        if tree_parent[i] >= 0:
            start[tree_parent[i] + 1] += 1
    for i in range(n):
        start[i + 1] += start[i]
    fill = array("i", start)
    kids = array("i", [0]) * n
    for i in order:
        p = tree_parent[i]
        if p >= 0:
            kids[fill[p]] = i
            fill[p] += 1
    del fill
    reading, depths = array("i"), array("i")
    placed = array("i", [-1]) * n  # place in reading order, by the position standing for an id

    def visit(root: int) -> None:
        # Depth-first with an explicit stack: an archive may chain replies
        # deeper than Python's recursion limit.
        stack = [root]
        levels = [0]
        while stack:
            i, depth = stack.pop(), levels.pop()
            c = canon[i]
            if placed[c] >= 0:
                continue
            placed[c] = len(reading)
            reading.append(i)
            depths.append(depth)
            children = kids[start[c]:start[c + 1]]
            stack.extend(reversed(children))
            levels.extend([depth + 1] * len(children))

    for i in order:
        if tree_parent[i] < 0:
            visit(i)
    # Comments caught in a cycle of parents have no root: read them at the end.
    for i in order:
        if placed[canon[i]] < 0:
            visit(i)
    parents = array("i", (placed[given_parent[i]] if given_parent[i] >= 0 else -1 for i in reading))
    return reading, depths, parents


def _reading_order(comments: Sequence[Threaded]) -> list[int]:
    """Positions of ``comments`` sorted by ``reading_key``, one stable pass a key: no key tuple a comment."""
    order = sorted(range(len(comments)), key=lambda i: comments[i].id)
    if all(c.date is None or c.date.tzinfo is None for c in comments):
        # Naive dates order as their ISO strings do; undated ones ("") come first.
        order.sort(key=lambda i: comments[i].date or _NO_DATE)
        order.sort(key=lambda i: comments[i].date is not None)
    else:
        order.sort(key=lambda i: reading_key(comments[i])[1])
    order.sort(key=lambda i: _number(comments[i]))
    return order


def _number(doc: Threaded) -> float:
    return doc.number if doc.number is not None else float("inf")
