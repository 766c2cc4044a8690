"""A run's notes, warnings, errors and duplicates: every one counted, the first few of each kind held.

An archive of a million files with 200,000 bad ones made 200,000 messages,
all held until the closing report and all printed there: memory and the
terminal grew with the number of files that warn. Now each kind holds its
first ``SHOWN`` messages (the ones the report prints) and a count. Once a
kind has more, every message of the run, held ones included and in the
order they came, goes to a log file (``RunLog``) in the temporary folder,
which the report names: nothing is lost, and nothing of it is held.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Generic, TextIO, TypeVar

SHOWN = 20  # messages of one kind held and printed by a run's report (the README's limits table)

T = TypeVar("T")


class RunLog:
    """The log file of one run, created when a kind of message first has more than ``SHOWN``.

    ``render`` turns a message into one line of the file (the CLI makes
    control characters from file names and archives visible).
    """

    def __init__(self, render: Callable[[str], str] = str) -> None:
        self.render = render
        self.path: str | None = None
        self.failure: str | None = None  # why the file could not be written, if it could not
        self._file: TextIO | None = None
        self._held: list[tuple[str, Any]] = []  # (kind, message) held so far, in order: at most 4 × SHOWN

    @property
    def open(self) -> bool:
        return self._file is not None

    def held(self, kind: str, message: Any) -> None:
        """A message held by its kind: remembered for the file, or written to it if it is open."""
        if self._file is not None:
            self._write(kind, message)
        else:
            self._held.append((kind, message))

    def overflow(self, kind: str, message: Any) -> None:
        """A message past its kind's ``SHOWN``: to the file, created (with every message so far) on the first."""
        if self._file is None and self.failure is None:
            try:
                fd, self.path = tempfile.mkstemp(prefix="searchkit-index-", suffix=".log")
                self._file = os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace")
                for held_kind, held in self._held:
                    self._write(held_kind, held)
            except OSError as exc:
                self.failure = exc.strerror or str(exc)
                self.path = None
            self._held = []
        if self._file is not None:
            self._write(kind, message)

    def _write(self, kind: str, message: Any) -> None:
        assert self._file is not None
        try:
            self._file.write(f"{kind}: {self.render(str(message))}\n")
        except OSError as exc:  # a full disk: the report says the list is incomplete
            self.failure = exc.strerror or str(exc)
            self.close()

    def close(self) -> None:
        if self._file is not None:
            file, self._file = self._file, None
            try:
                file.close()
            except OSError as exc:
                self.failure = exc.strerror or str(exc)


class Messages(Generic[T]):
    """The messages of one ``kind`` of a run: ``count`` is exact, iterating gives the first ``SHOWN``.

    >>> log = RunLog()
    >>> notes = Messages("note", log, shown=2)
    >>> notes.extend(["a", "b", "c"])
    >>> list(notes), notes.count, notes.more, log.path is not None
    (['a', 'b'], 3, 1, True)
    >>> log.close(); print(open(log.path).read(), end=""); os.remove(log.path)
    note: a
    note: b
    note: c
    """

    def __init__(self, kind: str, log: RunLog, shown: int = SHOWN) -> None:
        self.kind, self.log, self.shown = kind, log, shown
        self.count = 0
        self._held: list[T] = []

    def append(self, message: T) -> None:
        self.count += 1
        if len(self._held) < self.shown:
            self._held.append(message)
            self.log.held(self.kind, message)
        else:
            self.log.overflow(self.kind, message)

    def extend(self, messages: Iterable[T]) -> None:
        for message in messages:
            self.append(message)

    @property
    def more(self) -> int:
        """How many were counted but are not held."""
        return self.count - len(self._held)

    def __iter__(self) -> Iterator[T]:
        return iter(self._held)

    def __bool__(self) -> bool:
        return self.count > 0
