"""searchkit's query tree → OpenSearch query DSL, with the Whoosh compiler's fields and boosts.

A bare word on ``text`` is a ``bool`` of term queries whose scores add up,
as Whoosh's ``Or`` does: the exact (folded, unstemmed) title ×4, the stemmed
title ×2, the exact body ×2 and the stemmed body ×1. Phrases
(``match_phrase``), prefixes, wildcards and fuzzy words use the exact fields
only, the title's part weighted ×2. ``author:``, ``tag:`` and ``category:``
are exact-analysed fields of their own; keyword fields are matched as stored.

The tree's nodes are told apart by class name, so this module does not
depend on how the parser's package is laid out.

Where OpenSearch must differ from Whoosh: a phrase's slop counts moves, so
with a slop above 1 words may also match out of order (Whoosh keeps them in
order); fuzzy matching stops at 2 edits (searchkit allows no more).

>>> author_query(("jean", "dupont"))
{'match_phrase': {'author': {'query': 'jean dupont', 'analyzer': 'searchkit_exact'}}}
>>> from datetime import datetime
>>> date_range(datetime(2021, 2, 1), None)
{'range': {'date': {'gte': '2021-02-01T00:00:00'}}}
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from searchkit.engine.base import Node, Selection
from searchkit.engine.fields import EXACT_BOOST, NAME_TARGETS, TEXT_TARGETS, TITLE_BOOST
from searchkit.engine.opensearch.settings import (
    ARTICLE_RELATION,
    COMMENT_RELATION,
    EXACT_ANALYZER,
    WHOOSH_FIELDS,
)

Query = dict[str, Any]

# OpenSearch's fuzzy queries allow at most this many edits.
MAX_EDITS = 2
# Whoosh expands a fuzzy word, a prefix or a wildcard to every matching term; OpenSearch to at most this many.
MAX_EXPANSIONS = 1024

MATCH_ALL: Query = {"match_all": {}}
MATCH_NONE: Query = {"match_none": {}}


def to_opensearch(node: Node) -> Query:
    """The OpenSearch query for one node of searchkit's tree."""
    kind = type(node).__name__
    if kind == "And":
        return {"bool": {"must": [to_opensearch(c) for c in node.children]}}
    if kind == "Or":
        return {"bool": {"should": [to_opensearch(c) for c in node.children], "minimum_should_match": 1}}
    if kind == "Not":
        # Alone, a bool of must_not matches every other document (Whoosh's Not does the same).
        return {"bool": {"must_not": [to_opensearch(node.child)]}}
    if kind == "AndNot":
        return {"bool": {"must": [to_opensearch(node.positive)], "must_not": [to_opensearch(node.negative)]}}
    if kind == "AndMaybe":
        return {"bool": {"must": [to_opensearch(node.required)], "should": [to_opensearch(node.optional)]}}
    if kind == "Boost":
        return {"bool": {"must": [to_opensearch(node.child)], "boost": float(node.factor)}}
    if kind == "DateRange":
        return date_range(node.start, node.end)
    if kind == "Keyword":
        return {"term": {node.field: {"value": node.value}}}
    return _text_leaf(kind, node)


def date_range(start, end) -> Query:
    """Documents dated from ``start`` (inclusive) to ``end`` (exclusive); None: open."""
    bounds = {}
    if start is not None:
        bounds["gte"] = start.isoformat()
    if end is not None:
        bounds["lt"] = end.isoformat()
    if not bounds:  # no bound: every dated document, as Whoosh's open DateRange
        return {"exists": {"field": "date"}}
    return {"range": {"date": bounds}}


def _text_leaf(kind: str, node: Node) -> Query:
    if kind == "Word":
        exact, stem = node.exact, node.stem
        if node.field not in TEXT_TARGETS:
            return _over(node.field, lambda f, x, b: _term(x, exact, b))
        return _over(node.field, lambda f, x, b: _should([_term(x, exact, EXACT_BOOST * b), _term(f, stem, b)]))
    if kind == "Phrase":
        words, slop = list(node.words), node.slop
        if len(words) == 1:  # a quoted word: as written, never stemmed
            return _over(node.field, lambda f, x, b: _term(x, words[0], b))
        return _over(node.field, lambda f, x, b: {"match_phrase": {x: {
            "query": " ".join(words), "slop": max(slop - 1, 0), "analyzer": EXACT_ANALYZER, "boost": b}}})
    if kind == "Prefix":
        text = node.text
        return _over(node.field, lambda f, x, b: {"prefix": {x: {"value": text, "boost": b}}})
    if kind == "Wildcard":
        pattern = node.pattern
        return _over(node.field, lambda f, x, b: {"wildcard": {x: {"value": pattern, "boost": b}}})
    if kind == "Fuzzy":
        text, edits, prefix = node.text, min(node.maxdist, MAX_EDITS), node.prefix
        return _over(node.field, lambda f, x, b: {"fuzzy": {x: {
            "value": text, "fuzziness": edits, "prefix_length": prefix, "transpositions": False,
            "max_expansions": MAX_EXPANSIONS, "rewrite": "constant_score", "boost": b}}})
    raise TypeError(f"not a query node: {node!r}")


def _term(field: str, value: str, boost: float) -> Query:
    return {"term": {field: {"value": value, "boost": boost}}}


def _should(clauses: list[Query]) -> Query:
    """Any of ``clauses``, their scores added (Whoosh's ``Or``)."""
    return {"bool": {"should": clauses, "minimum_should_match": 1}}


def _over(field: str, make: Callable[[str, str, float], Query]) -> Query:
    """``make(stemmed_field, exact_field, boost)`` for each index field the user's ``field`` covers."""
    targets = TEXT_TARGETS.get(field)
    if targets is None:  # a name field: one exact index field
        name = NAME_TARGETS.get(field, field)
        return make(name, name, 1.0)
    # A word in the title says more than one in the body (only when both are searched).
    weight = {"title_stem": TITLE_BOOST if len(targets) > 1 else 1.0}
    parts = [make(WHOOSH_FIELDS[stem], WHOOSH_FIELDS[exact], weight.get(stem, 1.0)) for stem, exact in targets]
    return parts[0] if len(parts) == 1 else _should(parts)


def author_query(words: tuple[str, ...]) -> Query:
    """The author's folded words, in order and adjacent (``--author "jean dupont"``)."""
    if len(words) == 1:
        return {"term": {"author": words[0]}}
    return {"match_phrase": {"author": {"query": " ".join(words), "analyzer": EXACT_ANALYZER}}}


def selection_query(sel: Selection) -> Query:
    """The whole query of a search, a count or a grouping: the parsed query narrowed by the filters.

    ``in_article`` and ``with_comments`` are single queries to the cluster
    through the join field: ``has_parent`` keeps comments whose article
    matches, ``has_child`` articles having a matching comment.
    """
    must = [to_opensearch(sel.query)] if sel.query is not None else []
    filters: list[Query] = []
    if sel.kind is not None:
        filters.append({"term": {"kind": sel.kind}})
    if sel.since is not None or sel.until is not None:
        filters.append(date_range(sel.since, sel.until))
    if sel.author:
        filters.append(author_query(sel.author))
    if sel.sources is not None:
        filters.append({"terms": {"source": list(sel.sources)}} if sel.sources else MATCH_NONE)
    if sel.in_article is not None:
        filters.append({"has_parent": {"parent_type": ARTICLE_RELATION, "query": to_opensearch(sel.in_article)}})
    if sel.with_comments is not None:
        filters.append({"has_child": {"type": COMMENT_RELATION, "query": to_opensearch(sel.with_comments)}})
    if not must and not filters:
        return MATCH_ALL
    body: dict[str, Any] = {"must": must or [MATCH_ALL]}
    if filters:
        body["filter"] = filters
    return {"bool": body}
