"""searchkit's query tree: what a parsed query means, with no engine in sight.

Each engine compiles this tree (``searchkit.engine.whoosh.compile``); the
French rules (folding, elisions, stems, stop words) are already applied, so
an engine only maps fields and node kinds onto its own queries.

Text fields, as a user names them: ``text`` (title and body, the default),
``title``, ``body``, ``author``, ``tag``, ``category``. Keyword fields hold
values as stored: ``kind``, ``id``, ``post_id``, ``parent_id``, ``source``.

>>> And((Word("text", "donnees", "donne"), Not(Keyword("kind", "comment"))))
And(children=(Word(field='text', exact='donnees', stem='donne'), Not(child=Keyword(field='kind', value='comment'))))
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# Fields whose words are analysed; ``text`` is title and body together.
TEXT_FIELDS = ("text", "title", "body")
# Searched like ``author:``: exact folded words, no stemming.
NAME_FIELDS = ("author", "tag", "category")
KEYWORD_FIELDS = ("kind", "id", "post_id", "source", "parent_id")
# What a user may write before a colon, in the order error messages list them.
FIELD_NAMES = ("title", "body", "author", "kind", "date", "source", "id", "post_id", "parent_id", "tag",
               "category")


@dataclass(frozen=True)
class Word:
    """A bare word: its folded exact form and its stem (the stem is unused on name fields)."""

    field: str
    exact: str
    stem: str


@dataclass(frozen=True)
class Phrase:
    """Folded words in this order, at most ``slop`` positions apart (1: adjacent)."""

    field: str
    words: tuple[str, ...]
    slop: int = 1


@dataclass(frozen=True)
class Prefix:
    """Every folded word starting with ``text``."""

    field: str
    text: str


@dataclass(frozen=True)
class Wildcard:
    """Folded words fitting ``pattern`` (``*``: any run, ``?``: one character)."""

    field: str
    pattern: str


@dataclass(frozen=True)
class Fuzzy:
    """Folded words within ``maxdist`` edits of ``text`` sharing its first ``prefix`` characters."""

    field: str
    text: str
    maxdist: int = 1
    prefix: int = 0


@dataclass(frozen=True)
class Keyword:
    """A stored value matched whole, as typed (``kind:comment``, ``source:a.xml``)."""

    field: str
    value: str


@dataclass(frozen=True)
class DateRange:
    """Documents dated from ``start`` (inclusive) to ``end`` (exclusive); None: open."""

    start: datetime | None
    end: datetime | None


@dataclass(frozen=True)
class And:
    """Documents matching every child."""

    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    """Documents matching any child."""

    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    """Documents not matching ``child``."""

    child: Node


@dataclass(frozen=True)
class AndNot:
    """``positive`` without the documents matching ``negative`` (``a ANDNOT b``)."""

    positive: Node
    negative: Node


@dataclass(frozen=True)
class AndMaybe:
    """``required``; documents also matching ``optional`` rank higher (``a ANDMAYBE b``)."""

    required: Node
    optional: Node


@dataclass(frozen=True)
class Boost:
    """``child`` with its score multiplied by ``factor`` (``word^2``)."""

    child: Node
    factor: float


Node = Word | Phrase | Prefix | Wildcard | Fuzzy | Keyword | DateRange | And | Or | Not | AndNot | AndMaybe | Boost
