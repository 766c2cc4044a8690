"""The Whoosh engine: searches, counts, posts and vocabulary of a folder index, as plain records.

Ranking is BM25F over title (weighted x2) and body, exact forms weighted above
stems (``compile``). Filters become Whoosh filter queries, cached per
searcher as sets of document numbers; cross-queries and grouping use the post
layout (``layout``). Sorting by date and counting never score: they read the
matching document numbers and the ``date`` column. A relevance page of words,
ORs, ANDs and prefixes reads their postings whole when they are few enough
(``scan``: exact total, Whoosh scores only the documents that may enter the
page); other pages score only what can reach the page asked for, and count
exactly up to a threshold (``topk``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from whoosh import collectors, scoring
from whoosh.query import And, DateRange, Or, Phrase, Query, Term
from whoosh.support.levenshtein import distance
from whoosh.util.times import long_to_datetime

from searchkit.engine.base import Engine, FileEntry, Ranked, RankedPosts, Selection
from searchkit.engine.whoosh import (
    access,  # noqa: F401  (first: checks the Whoosh version)
    blocks,
    manifest,
    scan,
    storage,
    topk,
)
from searchkit.engine.whoosh.compile import to_whoosh
from searchkit.engine.whoosh.layout import ARTICLES, PostLayout
from searchkit.engine.whoosh.schema import SCHEMA_VERSION, stored_to_document
from searchkit.engine.whoosh.topk import (
    bounds,
    capped,
    count_posts,
    matches_upto,
    matching,
    prunable,
    score_only,
    top_k,
    top_posts,
)
from searchkit.model import ARTICLE, COMMENT, KINDS, Document
from searchkit.records import Outline, Stats, Stream

COMMENTS = Term("kind", COMMENT)
TEXT_FIELDS = ("body_exact", "title_exact")  # the folded, unstemmed vocabulary (did you mean)
# What a sortable DATETIME column holds for a document without a date.
_NO_DATE = 2**64 - 1

DocScores = list[tuple[int, float | None]]


class WhooshEngine(Engine):
    """A folder index opened at its last commit; use as a context manager or ``close()``."""

    name = "whoosh"

    def __init__(self, location: str):
        self.location = location
        self.index_dir = Path(location)
        self.ix = storage.open_index(self.index_dir)
        self._opened_identity = storage.identity(self.index_dir)
        self.searcher = self.ix.searcher(weighting=scoring.BM25F())
        for leaf, _ in self.searcher.reader().leaf_readers():
            blocks.read_postings_fast(leaf)  # the same postings, read with fewer Python calls
        self._filter_cache: dict[str, set[int]] = {}
        self._layout: PostLayout | None = None

    def close(self) -> None:
        self.searcher.close()

    def __enter__(self) -> WhooshEngine:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def current(self) -> bool:
        """Whether the folder still holds the commit this engine reads (no commit or swap since)."""
        return storage.identity(self.index_dir) == self._opened_identity

    # --- selections --------------------------------------------------------

    def _filter_query(self, sel: Selection) -> Query | None:
        parts: list[Query] = []
        if sel.kind:
            parts.append(Term("kind", sel.kind))
        if sel.since or sel.until:
            parts.append(DateRange("date", sel.since, sel.until, endexcl=True))
        if sel.author:
            words = list(sel.author)
            parts.append(Term("author", words[0]) if len(words) == 1 else Phrase("author", words))
        if sel.sources is not None:
            parts.append(Or([Term("source", s) for s in sel.sources]))
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else And(parts)

    @property
    def layout(self) -> PostLayout:
        """The post layout of the commit read (built once: the searcher never changes)."""
        if self._layout is None:
            self._layout = PostLayout(self.searcher)
        return self._layout

    def _docnums(self, flt: Query | None) -> set[int] | None:
        """The documents a filter query allows, computed once per searcher.

        Whoosh turns a filter query into this same set on every search (~25 ms
        for ``--kind comment`` at 100k documents); the index a searcher reads
        never changes, so the set is kept for the next query. Read it, never change it.
        """
        if flt is None:
            return None
        key = repr(flt)
        if key not in self._filter_cache:
            if len(self._filter_cache) >= 32:
                self._filter_cache.clear()
            self._filter_cache[key] = set(self.searcher.docs_for_query(flt))
        return self._filter_cache[key]

    def _cross(self, sel: Selection) -> set[int] | None:
        """The documents the cross-queries allow (None: no cross-query)."""
        if sel.in_article is None and sel.with_comments is None:
            return None
        layout = self.layout
        if sel.in_article is not None:
            wanted = And([ARTICLES, to_whoosh(sel.in_article)])
            return layout.comments_of(set(self.searcher.docs_for_query(wanted)))
        wanted = And([COMMENTS, to_whoosh(sel.with_comments)])  # type: ignore[arg-type]
        articles = {layout.article_of(d) for d in self.searcher.docs_for_query(wanted)}
        return {a for a in articles if a is not None}

    def _allowed(self, sel: Selection) -> set[int] | None:
        allowed = self._docnums(self._filter_query(sel))
        cross = self._cross(sel)
        if cross is None:
            return allowed
        return cross if allowed is None else cross & allowed

    def _matching(self, sel: Selection, kind: str | None = None) -> list[int]:
        """Every document matching the selection (and ``kind``), unscored."""
        parts = [to_whoosh(sel.query)]
        flt = self._filter_query(sel)
        if flt is not None:
            parts.append(flt)
        if kind:
            parts.append(Term("kind", kind))
        docnums = self.searcher.docs_for_query(And(parts) if len(parts) > 1 else parts[0])
        cross = self._cross(sel)
        return [d for d in docnums if d in cross] if cross is not None else list(docnums)

    # --- ranking -------------------------------------------------------------

    def _ranked(self, sel: Selection, sort: str, limit: int | None) -> tuple[DocScores, int, bool]:
        """(docnum, score) of the best ``limit`` matches in the asked order, how many match, and
        whether that number is exact (relevance stops counting at ``COUNT_THRESHOLD`` unless the
        postings were read whole: ``scan``)."""
        if sort == "relevance":
            allowed = self._allowed(sel)
            if allowed is not None and not allowed:  # Whoosh reads an empty filter as none
                return [], 0, True
            query = to_whoosh(sel.query)
            if limit is None:
                return (*self._exhaustive(query, None, allowed), True)
            found = scan.approximate(self.searcher, query, allowed)
            if found is not None:  # every match read whole: the total is exact
                return scan.best(self.searcher, query, found, limit), len(found), True
            if self._past_threshold(query, allowed):
                return top_k(self.searcher, query, limit, None), topk.COUNT_THRESHOLD, False
            # Few enough matches (or a filter): scoring them all counts them in the same pass.
            ranked, total = self._exhaustive(query, limit, allowed)
            return (ranked, *capped(total))
        docnums = self._matching(sel)
        dates = self.searcher.reader().column_reader("date", translate=False)
        newest_first = sort == "-date"

        def key(docnum):
            value = dates[docnum]
            if value == _NO_DATE:
                return (1, 0, docnum)
            return (0, -value if newest_first else value, docnum)

        docnums.sort(key=key)
        chosen = docnums if limit is None else docnums[:limit]
        return [(d, None) for d in chosen], len(docnums), True

    def _past_threshold(self, query: Query, allowed: set[int] | None) -> bool:
        """Whether ``query`` matches more than the threshold and its best are found by pruning.

        Only for words and ORs of words (``topk.prunable``). Not with a
        filter: Whoosh's pruning collector only prunes on the
        documents the filter keeps, and was slower than scoring them all
        (``la --kind comment`` at 100k: 785 against 493 ms CPU). Without one,
        pruning is taken when a word alone passes the threshold (its document
        frequency says so), or when the words' frequencies allow more than
        five times it and an unscored count finds it passed. In between,
        scoring every match costs about what counting and pruning do
        (``homme OR femme``, 13,913 matches: 176 ms scored, 214 counted and pruned).
        """
        if allowed is not None or not prunable(query):
            return False
        threshold = topk.COUNT_THRESHOLD
        lower, upper = bounds(self.searcher.reader(), query)
        if lower > threshold:
            return True
        if upper <= 5 * threshold:
            return False
        return len(matching(self.searcher, query, None)) > threshold

    def _exhaustive(self, query: Query, limit: int | None, allowed: set[int] | None) -> tuple[DocScores, int]:
        """The best ``limit`` (None: all) after scoring every match, best first (ties: lower docnum
        first), and how many match."""
        if limit is None or limit >= self.searcher.doc_count():
            results = self.searcher.search(query, limit=limit, filter=allowed)
        else:
            collector = collectors.TopCollector(limit, usequality=False, replace=0)
            if allowed is not None:
                collector = collectors.FilterCollector(collector, allow=allowed)
            self.searcher.search_with_collector(query, collector)
            results = collector.results()
        return [(docnum, score) for score, docnum in results.top_n], len(results)

    def _document(self, docnum: int) -> Document:
        return stored_to_document(self.searcher.stored_fields(docnum))

    def ranked(self, sel: Selection, sort: str, limit: int | None, offset: int = 0) -> Ranked:
        ranked, total, exact = self._ranked(sel, sort, None if limit is None else limit + offset)
        return Ranked(self._stream(ranked[offset:]), total, exact)

    def _stream(self, ranked: DocScores) -> Stream[tuple[Document, float | None]]:
        """The documents of ``ranked`` read from the index as they are iterated (a post may hold 100,000)."""
        return Stream(len(ranked), lambda: ((self._document(d), score) for d, score in ranked))

    def _post_of(self, docnum: int) -> object:
        post = self.layout.article_of(docnum)
        # None cannot happen with WhooshWriter's groups; never crash on it
        return ("orphan", docnum) if post is None else post

    def ranked_posts(self, sel: Selection, sort: str, limit: int | None, offset: int = 0) -> RankedPosts:
        """Posts in the order of their best (or first) hit, each with all its matching documents in rank order.

        By date, or for every post, every match is ranked. By relevance, the
        best hits are taken in growing windows until ``offset + limit`` posts
        are found, then only the shown posts' documents are scored: with the
        postings read whole (``scan``) the totals are exact, past the threshold
        with Whoosh's pruning they are lower bounds.
        """
        if sort != "relevance" or limit is None or limit <= 0:
            return self._ranked_posts_all(sel, sort, limit, offset)
        allowed = self._allowed(sel)
        if allowed is not None and not allowed:
            return RankedPosts([], total=0, total_posts=0)
        query = to_whoosh(sel.query)
        found = scan.approximate(self.searcher, query, allowed)
        if found is not None:  # every match read whole: exact totals, Whoosh scores only the windows
            total, total_posts, exact = len(found), count_posts(sorted(found), self.layout.articles), True
            ranked, _ = top_posts(lambda k: scan.best(self.searcher, query, found, k), self._post_of, offset + limit,
                                  total, first_window=4 * (offset + limit))
        elif self._past_threshold(query, allowed):
            first, _ = matches_upto(self.searcher.docs_for_query(query), None, topk.COUNT_THRESHOLD)
            total, total_posts, exact = len(first), count_posts(first, self.layout.articles), False  # lower bounds
            ranked, _ = top_posts(lambda k: top_k(self.searcher, query, k, None), self._post_of, offset + limit,
                                  self.searcher.doc_count(), first_window=4 * (offset + limit))
        else:
            return self._ranked_posts_all(sel, sort, limit, offset)
        wanted = offset + limit
        chosen: dict[object, None] = {}  # posts in the order of their best hit
        for docnum, _ in ranked:
            chosen.setdefault(self._post_of(docnum))
            if len(chosen) == wanted:
                break
        shown = list(chosen)[offset:]
        members: list[int] = []
        for post in shown:
            members += self._members(post)
        if found is not None:  # the filters' documents only
            members = [d for d in members if d in found]
        hits: dict[object, DocScores] = {post: [] for post in shown}
        for docnum, score in scan.ranked(score_only(self.searcher, query, members), len(members)):
            hits[self._post_of(docnum)].append((docnum, score))
        return RankedPosts(self._post_records(hits.values()), total=total, total_posts=total_posts,
                           total_is_exact=exact)

    def _members(self, post: object) -> list[int]:
        """The live document numbers of a post (an orphan: itself)."""
        if not isinstance(post, int):  # ("orphan", docnum)
            return [post[1]]  # type: ignore[index]
        return [post, *sorted(self.layout.comments_of({post}))]

    def _post_records(self, groups) -> list[tuple[str, Stream[tuple[Document, float | None]]]]:
        return [(self._document(group[0][0]).post_id, self._stream(group)) for group in groups]

    def _ranked_posts_all(self, sel: Selection, sort: str, limit: int | None, offset: int) -> RankedPosts:
        """Every matching document is ranked (a post's best hit may be its tenth
        comment), then posts are taken in the order of their first hit."""
        ranked, total, _ = self._ranked(sel, sort, None)
        wanted = None if limit is None else offset + limit
        chosen: dict[object, DocScores] = {}
        seen: set[object] = set()
        for docnum, score in ranked:
            post = self._post_of(docnum)
            if post not in seen:
                seen.add(post)
                if wanted is None or len(seen) <= wanted:
                    chosen[post] = []
            if post in chosen:
                chosen[post].append((docnum, score))
        # A page by relevance counts as far as the threshold, as the pruned path does.
        total, exact = capped(total) if sort == "relevance" and limit is not None else (total, True)
        # A capped total counts the first hits only: so do the posts, a lower bound of the same kind.
        posts = len(seen) if exact else len({self._post_of(d) for d, _ in ranked[:total]})
        return RankedPosts(self._post_records(list(chosen.values())[offset:]), total=total, total_posts=posts,
                           total_is_exact=exact)

    # --- counting ------------------------------------------------------------

    def count_by(self, sel: Selection, by: str) -> dict[str | None, dict[str, int]]:
        kinds = [sel.kind] if sel.kind else list(KINDS)
        counts: dict[str | None, dict[str, int]] = {}
        key_of = self._key_function(by)
        for kind in kinds:
            for docnum in self._matching(sel, kind=kind):
                key = kind if by == "kind" else key_of(docnum)
                bucket = counts.setdefault(key, dict.fromkeys(kinds, 0))
                bucket[kind] += 1
        if by == "kind":
            for kind in kinds:
                counts.setdefault(kind, dict.fromkeys(kinds, 0))
        return counts

    def _key_function(self, by: str):
        if by in ("month", "year"):
            dates = self.searcher.reader().column_reader("date", translate=False)

            def period(docnum):
                value = dates[docnum]
                if value == _NO_DATE:
                    return None
                d = long_to_datetime(value)
                return f"{d.year:04d}-{d.month:02d}" if by == "month" else f"{d.year:04d}"

            return period
        stored = self.searcher.stored_fields
        return lambda docnum: stored(docnum).get(by) or None

    # --- documents -----------------------------------------------------------

    def document(self, doc_id: str) -> Document | None:
        stored = self.searcher.document(id=doc_id)
        return stored_to_document(stored) if stored is not None else None

    def post(self, post_id: str) -> list[Document]:
        return [stored_to_document(f) for f in self.searcher.documents(post_id=post_id)]

    def outline(self, post_id: str) -> list[Outline]:
        # Each document is read whole and let go: only its outline (and number) stays.
        return [Outline.of(self._document(d), ref=d) for d in self.searcher.docs_for_query(Term("post_id", post_id))]

    def post_documents(self, post_id: str, wanted: Iterable[Outline]) -> Iterator[Document]:
        for o in wanted:
            yield self._document(o.ref)

    def documents(self) -> Iterator[Document]:
        for stored in self.searcher.documents():
            yield stored_to_document(stored)

    def sources(self) -> list[str]:
        # The lexicon keeps a removed file's source until a merge drops its
        # deleted documents: list only sources with a live document.
        reader = self.searcher.reader()
        names = (t.decode("utf-8") for t in reader.lexicon("source"))
        if not reader.has_deletions():
            return sorted(names)
        return sorted(s for s in names if any(True for _ in self.searcher.docs_for_query(Term("source", s))))

    def stats(self) -> Stats:
        # doc_frequency would count deleted documents until a merge: count live ones.
        counts = {k: sum(1 for _ in self.searcher.docs_for_query(Term("kind", k))) for k in KINDS}
        size = sum(p.stat().st_size for p in self.index_dir.iterdir() if p.is_file())
        return Stats(articles=counts[ARTICLE], comments=counts[COMMENT], sources=self.sources(),
                     index=self.location, index_bytes=size, schema_version=SCHEMA_VERSION, engine=self.name)

    def files(self) -> dict[str, FileEntry]:
        # Whole, for callers that want it so (an export, a check); a run reads it file by file.
        m = manifest.open_manifest(self.index_dir)
        if m is None:
            legacy = manifest.load_legacy(self.index_dir)
            return legacy.files if legacy is not None else {}
        try:
            return dict(m.entries())
        finally:
            m.close()

    # --- vocabulary ------------------------------------------------------------

    def doc_frequency(self, term: str) -> int:
        reader = self.searcher.reader()
        return sum(reader.doc_frequency(f, term) for f in TEXT_FIELDS)

    def similar_terms(self, term: str, maxdist: int, prefix: int) -> list[str]:
        reader = self.searcher.reader()
        found: set[str] = set()
        for fieldname in TEXT_FIELDS:
            for cand in reader.terms_within(fieldname, term, maxdist, prefix=prefix):
                if distance(cand, term, limit=maxdist) <= maxdist:
                    found.add(cand)
        return sorted(found)

    def texts_with(self, term: str, limit: int) -> list[str]:
        query = Or([Term(f, term) for f in TEXT_FIELDS])
        texts = []
        for hit in self.searcher.search(query, limit=limit):
            stored = hit.fields()
            texts.append(f"{stored.get('title') or ''}\n{stored.get('body') or ''}")
        return texts
