"""searchkit's query tree → a Whoosh query over the index's fields.

A bare word on ``text`` matches the stemmed fields and, weighted higher, the
exact (folded, unstemmed) ones, so the very word typed ranks first; phrases,
prefixes, wildcards and fuzzy words use the exact fields only; the title's
part of a query weighs ``TITLE_BOOST`` times the body's. ``author:``,
``tag:`` and ``category:`` are exact-analysed fields of their own; keyword
fields are matched as stored.

>>> from searchkit.query import parse
>>> print(to_whoosh(parse("les DONNÉES")))
(title_exact:donnees^4.0 OR title_stem:donne^2.0 OR body_exact:donnees^2.0 OR body:donne)
>>> print(to_whoosh(parse('"Conseil d’État"')))
(title_exact:"conseil etat" OR body_exact:"conseil etat")
>>> print(to_whoosh(parse("donn* tag:bitcoin")))
((title_exact:donn* OR body_exact:donn*) AND tags:bitcoin)
"""

from __future__ import annotations

from collections.abc import Callable

from whoosh import query as q

from searchkit.engine.fields import EXACT_BOOST, NAME_TARGETS, TEXT_TARGETS, TITLE_BOOST
from searchkit.engine.whoosh import expand
from searchkit.query import tree as t


def to_whoosh(node: t.Node) -> q.Query:
    """The Whoosh query for ``node``, normalised (nested ORs and ANDs flattened)."""
    return _compile(node).normalize()


def _compile(node: t.Node) -> q.Query:
    if isinstance(node, t.And):
        return q.And([_compile(c) for c in node.children])
    if isinstance(node, t.Or):
        return q.Or([_compile(c) for c in node.children])
    if isinstance(node, t.Not):
        return q.Not(_compile(node.child))
    if isinstance(node, t.AndNot):
        return q.AndNot(_compile(node.positive), _compile(node.negative))
    if isinstance(node, t.AndMaybe):
        return q.AndMaybe(_compile(node.required), _compile(node.optional))
    if isinstance(node, t.Boost):
        compiled = _compile(node.child)
        _scale(compiled, node.factor)
        return compiled
    if isinstance(node, t.DateRange):
        return q.DateRange("date", node.start, node.end, endexcl=True)
    if isinstance(node, t.Keyword):
        return q.Term(node.field, node.value)
    return _text_leaf(node)


def _text_leaf(node: t.Node) -> q.Query:
    if isinstance(node, t.Word):
        exact, stem = node.exact, node.stem
        if node.field not in TEXT_TARGETS:
            return _over(node.field, lambda f, x: q.Term(x, exact))
        return _over(node.field, lambda f, x: q.Or([q.Term(x, exact, boost=EXACT_BOOST), q.Term(f, stem)]))
    if isinstance(node, t.Phrase):
        words, slop = list(node.words), node.slop
        if len(words) == 1:  # a quoted word: as written, never stemmed
            return _over(node.field, lambda f, x: q.Term(x, words[0]))
        return _over(node.field, lambda f, x: q.Phrase(x, words, slop=slop))
    if isinstance(node, t.Prefix):
        text = node.text
        return _over(node.field, lambda f, x: expand.Prefix(x, text))
    if isinstance(node, t.Wildcard):
        pattern = node.pattern
        return _over(node.field, lambda f, x: expand.Wildcard(x, pattern))
    if isinstance(node, t.Fuzzy):
        text, dist, prefix = node.text, node.maxdist, node.prefix
        return _over(node.field, lambda f, x: expand.FuzzyTerm(x, text, maxdist=dist, prefixlength=prefix))
    raise TypeError(f"not a query node: {node!r}")


def _over(field: str, make: Callable[[str, str], q.Query]) -> q.Query:
    """``make(stemmed_field, exact_field)`` for each index field the user's ``field`` covers."""
    targets = TEXT_TARGETS.get(field)
    if targets is None:  # a name or keyword field: one index field
        name = NAME_TARGETS.get(field, field)
        return make(name, name)
    parts = [make(f, exact) for f, exact in targets]
    if len(parts) == 1:  # title: or body: alone, nothing to weigh against
        return parts[0]
    # A word in the title says more than one in the text: weight the title's
    # score (after BM25's saturation, where the schema's field_boost acts on
    # term frequency before it), as FTS5's column weights do.
    for part, (f, _) in zip(parts, targets, strict=True):
        if f == "title_stem":
            _scale(part, TITLE_BOOST)
    return q.Or(parts)


def _scale(node: q.Query, factor: float) -> None:
    if node.is_leaf():
        node.boost *= factor
    else:
        for child in node.children():
            _scale(child, factor)
