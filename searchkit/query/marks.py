"""What a snippet must mark for a query: read from the tree, positive leaves only.

>>> from searchkit.query.parser import parse
>>> m = marks(parse('"Privacy Shield" donn* J?ux microsft~ activité NOT santé'))
>>> m.exact, m.stems, m.prefixes, m.phrases
({'activite'}, {'activit'}, {'donn'}, [('privacy', 'shield')])
>>> m.patterns
[('glob', 'j?ux', 0), ('fuzzy', 'microsft', 1)]
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from searchkit.query.tree import (
    TEXT_FIELDS,
    And,
    AndMaybe,
    AndNot,
    Boost,
    Fuzzy,
    Node,
    Not,
    Or,
    Phrase,
    Prefix,
    Wildcard,
    Word,
)


@dataclass
class Marks:
    """Folded exact words, stems, prefixes, phrases (tuples of words) and patterns
    (``("glob", "j?ux", 0)`` or ``("fuzzy", "microsft", 1)``) to mark in a text."""

    exact: set[str] = field(default_factory=set)
    stems: set[str] = field(default_factory=set)
    prefixes: set[str] = field(default_factory=set)
    phrases: list[tuple[str, ...]] = field(default_factory=list)
    patterns: list[tuple[str, str, int]] = field(default_factory=list)


def positive_leaves(node: Node) -> Iterator[Node]:
    """The leaves outside any NOT: the words the user wants to see."""
    if isinstance(node, (And, Or)):
        for child in node.children:
            yield from positive_leaves(child)
    elif isinstance(node, AndNot):
        yield from positive_leaves(node.positive)
    elif isinstance(node, AndMaybe):
        yield from positive_leaves(node.required)
        yield from positive_leaves(node.optional)
    elif isinstance(node, Boost):
        yield from positive_leaves(node.child)
    elif not isinstance(node, Not):
        yield node


def marks(node: Node) -> Marks:
    """The words, stems, prefixes, phrases and patterns of ``node``'s text fields."""
    found = Marks()
    for leaf in positive_leaves(node):
        if getattr(leaf, "field", None) not in TEXT_FIELDS:
            continue  # author:, kind:, date:... are not in the text shown
        if isinstance(leaf, Word):
            found.exact.add(leaf.exact)
            found.stems.add(leaf.stem)
        elif isinstance(leaf, Phrase):
            if len(leaf.words) == 1:
                found.exact.add(leaf.words[0])
            elif leaf.words not in found.phrases:
                found.phrases.append(leaf.words)
        elif isinstance(leaf, Prefix):
            found.prefixes.add(leaf.text)
        else:
            pattern = ("glob", leaf.pattern, 0) if isinstance(leaf, Wildcard) else \
                ("fuzzy", leaf.text, leaf.maxdist) if isinstance(leaf, Fuzzy) else None
            if pattern is not None and pattern not in found.patterns:
                found.patterns.append(pattern)
    return found
