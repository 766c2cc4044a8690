"""Searching an index: ranked hits with snippets, and index statistics.

The CLI calls ``Searcher`` and gets plain ``Hit`` records back; it never sees
a Whoosh object. Ranking is BM25F over title (weighted ×2) and body, exact
forms weighted above stems (see ``query``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from whoosh import scoring
from whoosh.query import NullQuery, Term

from searchkit import index as sk_index
from searchkit import query as sk_query
from searchkit.errors import QueryError
from searchkit.model import KINDS, Document
from searchkit.snippets import Segment, snippet


@dataclass
class Hit:
    doc: Document
    score: float
    snippet: list[Segment] = field(default_factory=list)


@dataclass
class Results:
    hits: list[Hit]
    total: int  # all matching documents, not only those shown


class EmptyQueryError(QueryError):
    """The query holds nothing searchable (only punctuation, operators...)."""


class Searcher:
    """An open index, ready for queries; use as a context manager."""

    def __init__(self, index_dir: Path):
        self.index_dir = index_dir
        self.ix = sk_index.open_index(index_dir)
        self.searcher = self.ix.searcher(weighting=scoring.BM25F())

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        self.searcher.close()

    def search(self, text: str, kind: str | None = None, limit: int = 10) -> Results:
        parsed = sk_query.parse(text)
        if parsed is NullQuery:
            raise EmptyQueryError(f"the query {text!r} holds no word to search for")
        flt = Term("kind", kind) if kind else None
        if kind and kind not in KINDS:
            raise QueryError(f"unknown kind {kind!r}: use one of {', '.join(KINDS)}")
        results = self.searcher.search(parsed, limit=limit, filter=flt)
        exact, stems, prefixes = sk_query.terms_for_highlight(parsed)
        hits = []
        for r in results:
            doc = sk_index.stored_to_document(r.fields())
            hits.append(Hit(doc, r.score, snippet(doc.body or doc.title, exact, stems, prefixes)))
        return Results(hits, total=len(results))

    def stats(self) -> dict:
        reader = self.searcher.reader()
        # doc_frequency would count deleted documents until a merge: count live ones.
        counts = {k: sum(1 for _ in self.searcher.docs_for_query(Term("kind", k))) for k in KINDS}
        sources = sorted(t.decode("utf-8") for t in reader.lexicon("source"))
        size = sum(p.stat().st_size for p in self.index_dir.iterdir() if p.is_file())
        return {
            "articles": counts["article"],
            "comments": counts["comment"],
            "documents": reader.doc_count(),
            "sources": sources,
            "index": str(self.index_dir),
            "index_bytes": size,
            "schema_version": sk_index.SCHEMA_VERSION,
        }
