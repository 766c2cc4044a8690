"""Searching an index: ranked hits with snippets, grouped posts, counts, threads.

The CLI calls ``Searcher`` and gets plain records back (``Hit``, ``Group``,
``Bucket``, ``Document``); it never sees a Whoosh object. Ranking is BM25F
over title (weighted ×2) and body, exact forms weighted above stems (see
``query``).

``Filters`` become Whoosh filter queries here. Cross-queries use the index's
layout: each post is one Whoosh group, its article then its comments in
adjacent document numbers, so a comment's article is the nearest article at
or before it (``PostLayout``). That is the idea of Whoosh's ``NestedChildren``
and ``NestedParent``, done on sets of document numbers: on 5,000 and 30,000
documents as fast as those and 2-15× faster than a join on ``post_id``; and
unlike whoosh-reloaded 2.7.5's ``NestedChildren``, right when a matching
article has no comment (that one returns the next article's comments).
Sorting by date and counting never score: they read the matching document
numbers and the ``date`` column.
"""

from __future__ import annotations

import fnmatch
from bisect import bisect_right
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path

import searchkit.whoosh_import  # noqa: F401  (first: Whoosh without urllib/asyncio, see there)
from whoosh import collectors, scoring
from whoosh.query import And, DateRange, Or, Phrase, Query, Term
from whoosh.util.times import long_to_datetime

from searchkit import index as sk_index
from searchkit import query as sk_query
from searchkit.analysis import EXACT
from searchkit.engine.whoosh.compile import to_whoosh
from searchkit.errors import EmptyQueryError, QueryError, SearchkitError  # noqa: F401  (EmptyQueryError: re-exported)
from searchkit.model import ARTICLE, COMMENT, KINDS, Document
from searchkit.query import Filters, check_sort
from searchkit.snippets import Segment, snippet
from searchkit.threads import thread_order

ARTICLES = Term("kind", ARTICLE)
COMMENTS = Term("kind", COMMENT)
BY = ("kind", "month", "year", "author", "source")
# What a sortable DATETIME column holds for a document without a date.
_NO_DATE = 2**64 - 1


@dataclass
class Hit:
    doc: Document
    score: float | None  # None when sorted by date: nothing was scored
    snippet: list[Segment] = field(default_factory=list)


@dataclass
class Results:
    hits: list[Hit]
    total: int  # all matching documents, not only those shown


@dataclass
class ThreadEntry:
    """One comment of a group, at its depth in the thread.

    ``hit`` is None for a comment shown only because a matching reply
    answers it, so that the reply sits under its parent.
    """

    doc: Document
    depth: int
    hit: Hit | None = None


@dataclass
class Group:
    """A post's matching documents: its article once, then comments in thread order."""

    article: Document
    article_hit: Hit | None  # the article itself matched
    comments: list[ThreadEntry]
    comment_count: int  # all comments of the post, matching or not

    @property
    def hits(self) -> list[Hit]:
        first = [self.article_hit] if self.article_hit else []
        return first + [e.hit for e in self.comments if e.hit]


@dataclass
class GroupedResults:
    groups: list[Group]
    total: int  # matching documents
    total_groups: int  # posts with a matching document


@dataclass
class Bucket:
    """One line of ``count --by``: a key (period, author...) and its counts per kind."""

    key: str | None
    counts: dict[str, int]

    @property
    def count(self) -> int:
        return sum(self.counts.values())


class PostLayout:
    """Which post a document number belongs to, from the index's group layout.

    ``IndexWriter`` writes a post as one group, article first, and Whoosh
    keeps a group's documents adjacent through merges: a document's article
    is the last article at or before it, and an article's comments are the
    documents up to the next article.
    """

    def __init__(self, searcher):
        self.searcher = searcher
        self.articles = sorted(searcher.docs_for_query(ARTICLES))
        self.end = searcher.doc_count_all()

    def article_of(self, docnum: int) -> int | None:
        i = bisect_right(self.articles, docnum) - 1
        return self.articles[i] if i >= 0 else None

    def comments_of(self, articles: set[int]) -> set[int]:
        """The live documents after each of ``articles`` up to the next article."""
        is_deleted = self.searcher.reader().is_deleted
        found = set()
        for article in articles:
            i = bisect_right(self.articles, article)
            stop = self.articles[i] if i < len(self.articles) else self.end
            found.update(d for d in range(article + 1, stop) if not is_deleted(d))
        return found


class DocumentNotFoundError(SearchkitError):
    """No document has the id asked for: like a search that matched nothing."""

    exit_code = 1


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

    # --- queries -------------------------------------------------------------

    def parse(self, text: str, option: str = "query") -> Query:
        return to_whoosh(sk_query.parse(text, option))

    def filter_query(self, filters: Filters) -> Query | None:
        """The filters but the cross-queries as one Whoosh query (None: no filter)."""
        parts: list[Query] = []
        if filters.kind:
            if filters.kind not in KINDS:
                raise QueryError(f"unknown kind {filters.kind!r}: use one of {', '.join(KINDS)}")
            parts.append(Term("kind", filters.kind))
        if filters.since or filters.until:
            parts.append(DateRange("date", filters.since, filters.until, endexcl=True))
        if filters.author:
            parts.append(self.author_query(filters.author))
        if filters.source:
            parts.append(self.source_query(filters.source))
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else And(parts)

    def cross_docnums(self, filters: Filters) -> set[int] | None:
        """The documents the cross-queries allow (None: no cross-query).

        ``--in-article Q``: the comments of the articles matching Q;
        ``--with-comments Q``: the articles of the comments matching Q.
        """
        if not (filters.in_article or filters.with_comments):
            return None
        layout = PostLayout(self.searcher)
        if filters.in_article:
            wanted = And([ARTICLES, self.parse(filters.in_article, "--in-article")])
            return layout.comments_of(set(self.searcher.docs_for_query(wanted)))
        wanted = And([COMMENTS, self.parse(filters.with_comments, "--with-comments")])
        return {layout.article_of(d) for d in self.searcher.docs_for_query(wanted)} - {None}

    def allowed(self, filters: Filters):
        """What ``searcher.search(filter=...)`` takes: a query, a docnum set, or None.

        A set may be the searcher's cached one (``_filter_docnums``): read it, never change it.
        """
        flt = self.filter_query(filters)
        cross = self.cross_docnums(filters)
        if cross is None:
            return self._filter_docnums(flt)
        return cross if flt is None else cross & self._filter_docnums(flt)

    def _filter_docnums(self, flt: Query | None) -> set[int] | None:
        """The documents a filter query allows, computed once per searcher.

        Whoosh turns a filter query into this same set on every search (~25 ms
        for ``--kind comment`` at 100k documents); the index a searcher reads
        never changes, so the set is kept for the next query.
        """
        if flt is None:
            return None
        cache = self.__dict__.setdefault("_filter_cache", {})
        key = repr(flt)
        if key not in cache:
            if len(cache) >= 32:
                cache.clear()
            cache[key] = set(self.searcher.docs_for_query(flt))
        return cache[key]

    def author_query(self, name: str) -> Query:
        """The author's name as typed, matched as a phrase of folded words.

        ``--author "jean dupont"`` finds « Jean Dupont » and « Jean Dupont (Paris) ».
        """
        words = [t.text for t in EXACT(name)]
        if not words:
            raise QueryError(f"--author: {name!r} holds no word to search for")
        return Term("author", words[0]) if len(words) == 1 else Phrase("author", words)

    def sources(self) -> list[str]:
        return sorted(t.decode("utf-8") for t in self.searcher.reader().lexicon("source"))

    def source_query(self, pattern: str) -> Query:
        """Sources whose path, or file name, matches the glob ``pattern``."""
        wanted = [s for s in self.sources()
                  if fnmatch.fnmatchcase(s, pattern) or fnmatch.fnmatchcase(s.rsplit("/", 1)[-1], pattern)]
        if not wanted:
            raise QueryError(f"--source: no indexed source matches {pattern!r} (see `searchkit stats` for the sources)")
        return Or([Term("source", s) for s in wanted])

    def matching_docnums(self, text: str, filters: Filters, kind: str | None = None) -> list[int]:
        """Every document matching the query and filters (and ``kind``), unscored."""
        parsed = self.parse(text)
        flt = self.filter_query(filters)
        parts = [parsed] + ([flt] if flt is not None else []) + ([Term("kind", kind)] if kind else [])
        docnums = self.searcher.docs_for_query(And(parts) if len(parts) > 1 else parsed)
        cross = self.cross_docnums(filters)
        return [d for d in docnums if d in cross] if cross is not None else list(docnums)

    def _highlighter(self, text: str):
        marks = sk_query.marks(sk_query.parse(text))

        def make_hit(doc: Document, score: float | None) -> Hit:
            return Hit(doc, score, snippet(doc.body or doc.title, marks))

        return make_hit

    def _ranked(self, text: str, filters: Filters, sort: str, limit: int | None) -> tuple[list[tuple[int, float | None]], int]:
        """(docnum, score) of the matching documents in the asked order, and how many match.

        By relevance, Whoosh scores and keeps the best ``limit``; by date,
        nothing is scored: the matching docnums are ordered on the date
        column, undated documents last whichever the direction.
        """
        check_sort(sort)
        if sort == "relevance":
            parsed = self.parse(text)
            allowed = self.allowed(filters)
            if isinstance(allowed, set) and not allowed:  # Whoosh reads an empty filter as none
                return [], 0
            results = self._top(parsed, limit, allowed)
            return [(docnum, score) for score, docnum in results.top_n], len(results)
        docnums = self.matching_docnums(text, filters)
        dates = self.searcher.reader().column_reader("date", translate=False)
        newest_first = sort == "-date"

        def key(docnum):
            value = dates[docnum]
            if value == _NO_DATE:
                return (1, 0, docnum)
            return (0, -value if newest_first else value, docnum)

        docnums.sort(key=key)
        total = len(docnums)
        return [(d, None) for d in (docnums if limit is None else docnums[:limit])], total

    def _top(self, parsed: Query, limit: int | None, allowed):
        """Whoosh's ranked search for the best ``limit``, counting every match in the same pass.

        Whoosh's default top-N collector skips blocks and drops sub-queries
        that cannot reach the top N, so it cannot count; ``len(results)`` then
        runs the query a second time, unscored. Scoring every match once and
        counting as it goes gives the same top N and total, 30-50 % faster at
        100k documents (benchmarks/RESULTS.md).
        """
        if limit is None or limit >= self.searcher.doc_count():
            return self.searcher.search(parsed, limit=limit, filter=allowed)
        collector = collectors.TopCollector(limit, usequality=False, replace=0)
        if allowed is not None:
            collector = collectors.FilterCollector(collector, allow=allowed)
        self.searcher.search_with_collector(parsed, collector)
        return collector.results()

    def _document(self, docnum: int) -> Document:
        return sk_index.stored_to_document(self.searcher.stored_fields(docnum))

    # --- searching -----------------------------------------------------------

    def did_you_mean(self, text: str, found: int = 0):
        """A ``suggest.Suggestion`` of close indexed words for ``text``, or None
        (always None when the search ``found`` enough hits)."""
        from searchkit.suggest import SUGGEST_BELOW, suggest

        return suggest(self.searcher, text) if found < SUGGEST_BELOW else None

    def search(self, text: str, kind: str | None = None, limit: int = 10,
               filters: Filters | None = None, sort: str = "relevance") -> Results:
        """The best ``limit`` hits, each with a snippet; ``total`` counts them all."""
        filters = _with_kind(filters, kind)
        make_hit = self._highlighter(text)
        ranked, total = self._ranked(text, filters, sort, limit)
        return Results([make_hit(self._document(d), score) for d, score in ranked], total=total)

    def search_grouped(self, text: str, limit: int = 10, filters: Filters | None = None,
                       sort: str = "relevance") -> GroupedResults:
        """Hits gathered by post; ``limit`` counts posts, ranked by their first hit.

        Every matching document is ranked (a post's best hit may be its tenth
        comment), then the first ``limit`` posts are kept with all their hits.
        """
        filters = filters or Filters()
        make_hit = self._highlighter(text)
        ranked, total = self._ranked(text, filters, sort, None)
        # A document's post is found from its docnum, without loading it.
        layout = PostLayout(self.searcher)
        chosen: dict = {}
        seen_posts: set = set()
        for docnum, score in ranked:
            post = layout.article_of(docnum)
            if post is None:  # cannot happen with IndexWriter's groups; never crash on it
                post = ("orphan", docnum)
            if post not in seen_posts:
                seen_posts.add(post)
                if len(chosen) < limit:
                    chosen[post] = []
            if post in chosen:
                chosen[post].append((docnum, score))
        groups = [self._group(docs, make_hit) for docs in chosen.values()]
        return GroupedResults(groups, total=total, total_groups=len(seen_posts))

    def _group(self, ranked: list[tuple[int, float | None]], make_hit) -> Group:
        hits = {}
        for docnum, score in ranked:
            doc = self._document(docnum)
            hits[doc.id] = make_hit(doc, score)
        post_id = next(iter(hits.values())).doc.post_id
        article, ordered = self.thread(post_id)
        if article is None:  # cannot happen with IndexWriter's groups; never crash on it
            first = next(iter(hits.values())).doc
            article = replace(first, id=post_id, kind=ARTICLE, body="", author=None, number=None, parent_id=None)
        # Keep the matching comments and, for context, the comments they answer.
        parents = {doc.id: doc.parent_id for doc, _ in ordered}
        keep = set()
        for doc_id in hits:
            while doc_id and doc_id not in keep and doc_id in parents:
                keep.add(doc_id)
                doc_id = parents[doc_id]
        comments = [ThreadEntry(doc, depth, hits.get(doc.id)) for doc, depth in ordered if doc.id in keep]
        return Group(article, hits.get(article.id), comments, comment_count=len(ordered))

    # --- counting ------------------------------------------------------------

    def count(self, text: str, filters: Filters | None = None) -> dict[str, int]:
        """How many documents of each kind match, without scoring any."""
        return {b.key: b.count for b in self.count_by(text, "kind", filters)}

    def count_by(self, text: str, by: str, filters: Filters | None = None) -> list[Bucket]:
        """Matching documents counted by kind, month, year, author or source.

        Months and years come in time order with the empty ones between the
        first and the last included (a histogram needs its gaps), undated
        documents in a last bucket whose key is None; authors and sources
        come by decreasing count.
        """
        if by not in BY:
            raise QueryError(f"--by: unknown {by!r}: use one of {', '.join(BY)}")
        filters = filters or Filters()
        kinds = [filters.kind] if filters.kind else list(KINDS)
        docs = {k: self.matching_docnums(text, filters, kind=k) for k in kinds}
        if by == "kind":
            return [Bucket(k, {k: len(docs[k])}) for k in kinds]
        counts: dict[str | None, dict[str, int]] = {}
        key_of = self._key_function(by)
        for kind in kinds:
            for docnum in docs[kind]:
                bucket = counts.setdefault(key_of(docnum), dict.fromkeys(kinds, 0))
                bucket[kind] += 1
        if by in ("month", "year"):
            return _timeline(counts, by, kinds, filters)
        return [Bucket(k, c) for k, c in sorted(counts.items(), key=lambda kv: (-sum(kv[1].values()), kv[0] or ""))]

    def _key_function(self, by: str):
        if by in ("month", "year"):
            dates = self.searcher.reader().column_reader("date", translate=False)
            fmt = "%Y-%m" if by == "month" else "%Y"

            def period(docnum):
                value = dates[docnum]
                return None if value == _NO_DATE else long_to_datetime(value).strftime(fmt)

            return period
        stored = self.searcher.stored_fields
        return lambda docnum: stored(docnum).get(by) or None

    # --- documents and threads ------------------------------------------------

    def document(self, doc_id: str) -> Document:
        stored = self.searcher.document(id=doc_id)
        if stored is None:
            raise DocumentNotFoundError(f"no document with id {doc_id!r} in {self.index_dir}")
        return sk_index.stored_to_document(stored)

    def thread(self, post_id: str) -> tuple[Document | None, list[tuple[Document, int]]]:
        """A post's article (None if missing) and its comments in thread order with depths."""
        docs = [sk_index.stored_to_document(f) for f in self.searcher.documents(post_id=post_id)]
        article = next((d for d in docs if d.kind == ARTICLE), None)
        return article, thread_order(d for d in docs if d.kind == COMMENT)

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


def _with_kind(filters: Filters | None, kind: str | None) -> Filters:
    filters = filters or Filters()
    if kind and filters.kind and kind != filters.kind:
        raise QueryError(f"kind {kind!r} contradicts the filters' kind {filters.kind!r}")
    return replace(filters, kind=kind or filters.kind)


def _timeline(counts: dict[str | None, dict[str, int]], by: str, kinds: list[str],
              filters: Filters) -> list[Bucket]:
    """Buckets for every period from the first to the last, empty ones included.

    With ``--since``/``--until`` the timeline spans what was asked, so empty
    periods at either end show too.
    """
    fmt = "%Y-%m" if by == "month" else "%Y"
    periods = sorted(k for k in counts if k is not None)
    if filters.since:
        periods.insert(0, filters.since.strftime(fmt))
    if filters.until:
        periods.append((filters.until - timedelta(microseconds=1)).strftime(fmt))
    buckets = []
    if periods:
        for period in _periods_between(min(periods), max(periods), by):
            buckets.append(Bucket(period, counts.get(period, dict.fromkeys(kinds, 0))))
    if None in counts:
        buckets.append(Bucket(None, counts[None]))
    return buckets


def _periods_between(first: str, last: str, by: str) -> list[str]:
    """
    >>> _periods_between("2012-11", "2013-02", "month")
    ['2012-11', '2012-12', '2013-01', '2013-02']
    >>> _periods_between("2005", "2007", "year")
    ['2005', '2006', '2007']
    """
    if by == "year":
        return [str(y) for y in range(int(first), int(last) + 1)]
    y, m = map(int, first.split("-"))
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out
