"""From what a user types to a Whoosh query over searchkit's fields.

Whoosh's parser reads the syntax (AND by default, OR, NOT, "phrases",
prefix*, fuzzy~, field:value, date ranges); every word it finds is then
rewritten for our two-field design:

* a bare word matches the stemmed fields and, weighted higher, the exact
  (folded, unstemmed) fields, so the very word typed ranks first;
* a "quoted phrase" matches the exact fields only, stop words included;
* a prefix or wildcard applies to the folded, unstemmed form (``donn*``
  stays ``donn*``, where Whoosh's own parser would stem it).
"""

from __future__ import annotations

from whoosh import fields, qparser, query as q
from whoosh.qparser.dateparse import DateParserPlugin

from searchkit.analysis import fold, stem
from searchkit.errors import QueryError
from searchkit.index import FrenchAnalyzer

# User-facing field names → the index fields they search.
TEXT_TARGETS = {
    "text": (("title_stem", "title_exact"), ("body", "body_exact")),
    "title": (("title_stem", "title_exact"),),
    "body": (("body", "body_exact"),),
}
EXACT_BOOST = 2.0
KEYWORD_FIELDS = ("kind", "id", "post_id", "source", "parent_id")
FIELD_NAMES = ("title", "body", "author", "kind", "date", "source", "id", "post_id")


def _parse_schema() -> fields.Schema:
    exact = FrenchAnalyzer("exact")
    text = dict(analyzer=exact, multitoken_query="phrase")
    return fields.Schema(
        text=fields.TEXT(**text),
        title=fields.TEXT(**text),
        body=fields.TEXT(**text),
        author=fields.TEXT(**text),
        date=fields.DATETIME(),
        **{name: fields.ID() for name in KEYWORD_FIELDS},
    )


_PARSER: qparser.QueryParser | None = None


def parser() -> qparser.QueryParser:
    global _PARSER
    if _PARSER is None:
        p = qparser.QueryParser("text", _parse_schema(), group=qparser.AndGroup)
        p.add_plugin(qparser.FuzzyTermPlugin())
        p.add_plugin(qparser.GtLtPlugin())
        p.add_plugin(DateParserPlugin())
        _PARSER = p
    return _PARSER


def parse(text: str) -> q.Query:
    """Parse a user's query into a query over the index fields.

    Returns ``q.NullQuery`` when nothing searchable is left (e.g. ``"?!"``).
    """
    try:
        parsed = parser().parse(text)
    except Exception as exc:  # Whoosh's parser raises assorted errors on odd input
        raise QueryError(f"cannot parse the query {text!r} ({exc}); put words in quotes to search them as text") from None
    return rewrite(parsed)


def rewrite(node: q.Query) -> q.Query:
    """Map each leaf on a user field to the index fields that hold it."""
    if isinstance(node, q.Phrase):
        return _over(node.fieldname, lambda f, exact: q.Phrase(exact, node.words, slop=node.slop, boost=node.boost))
    if isinstance(node, q.FuzzyTerm):
        return _over(node.fieldname, lambda f, exact: q.FuzzyTerm(exact, node.text, boost=node.boost,
                                                                    maxdist=node.maxdist, prefixlength=node.prefixlength))
    if isinstance(node, (q.Prefix, q.Wildcard)):
        text = node.text if isinstance(node, q.Wildcard) else fold(node.text)
        cls = type(node)
        return _over(node.fieldname, lambda f, exact: cls(exact, text, boost=node.boost))
    if isinstance(node, q.Term) and node.fieldname in TEXT_TARGETS:
        word = node.text
        return _over(node.fieldname, lambda f, exact: q.Or([
            q.Term(exact, word, boost=node.boost * EXACT_BOOST),
            q.Term(f, stem(word), boost=node.boost),
        ]))
    if isinstance(node, q.Not):
        return q.Not(rewrite(node.query))
    if isinstance(node, q.CompoundQuery):
        return type(node)([rewrite(sub) for sub in node.subqueries], boost=node.boost)
    if isinstance(node, q.BinaryQuery):
        return type(node)(rewrite(node.a), rewrite(node.b))
    return node


def _over(fieldname: str, make) -> q.Query:
    targets = TEXT_TARGETS.get(fieldname)
    if targets is None:  # author: and keyword fields are searched as they are
        return make(fieldname, fieldname)
    parts = [make(f, exact) for f, exact in targets]
    return parts[0] if len(parts) == 1 else q.Or(parts)


def terms_for_highlight(query: q.Query) -> tuple[set[str], set[str], set[str]]:
    """The exact terms, stems and prefixes a snippet should mark."""
    exact, stems, prefixes = set(), set(), set()
    for leaf in query.leaves():
        field = getattr(leaf, "fieldname", None)
        if isinstance(leaf, q.Phrase):
            exact.update(leaf.words)
        elif isinstance(leaf, q.Prefix):
            prefixes.add(leaf.text)
        elif isinstance(leaf, q.Term) and field in ("body_exact", "title_exact"):
            exact.add(leaf.text)
        elif isinstance(leaf, q.Term) and field in ("body", "title_stem"):
            stems.add(leaf.text)
    return exact, stems, prefixes
