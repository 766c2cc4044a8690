"""searchkit's query language: the text a user types → searchkit's own tree.

Parsed once (``parse``), with the French rules applied in the tree; each
engine compiles the tree (``searchkit.engine.whoosh.compile.to_whoosh``), and
``marks`` tells the snippets what to mark. ``filters`` holds what narrows a
search besides the query text (dates, kind, author, source, sort).

>>> parse("DONNÉES de santé")
And(children=(Word(field='text', exact='donnees', stem='donne'), Word(field='text', exact='sante', stem='sant')))
>>> parse('"Conseil d’État"')
Phrase(field='text', words=('conseil', 'etat'), slop=1)
>>> parse("donn*")
Prefix(field='text', text='donn')
"""

from __future__ import annotations

from searchkit.query.filters import SORTS, Filters, Period, check_sort, parse_period
from searchkit.query.marks import Marks, marks
from searchkit.query.parser import MAX_NESTING, MAX_QUERY_CHARS, parse
from searchkit.query.tree import FIELD_NAMES
from searchkit.query.words import MAX_FUZZY_DISTANCE, MAX_WORD_CHARS

__all__ = [
    "FIELD_NAMES", "MAX_FUZZY_DISTANCE", "MAX_NESTING", "MAX_QUERY_CHARS", "MAX_WORD_CHARS", "SORTS",
    "Filters", "Marks", "Period", "check_sort", "marks", "parse", "parse_period",
]
