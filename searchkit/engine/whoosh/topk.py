"""Relevance top-k without scoring every match, and match totals exact up to a threshold.

Up to ``COUNT_THRESHOLD`` matches, every match is scored, which counts them
in the same pass (as before). Past it, the best ``k`` come from Whoosh's
top-N quality collector, which every 10 matches drops the OR branches whose
best possible score can no longer enter the top k (MaxScore-like pruning;
its per-block skipping never fired on the benchmark's indexes), and the
total is the threshold, a lower bound that says so (``exact`` False), as
Lucene's "10,000+". Which side of the threshold a query is on comes from the
terms' document frequencies when they tell, else from an unscored count done
as set operations over posting ids.

Words, ORs, ANDs and prefixes whose postings are few enough never come here:
``scan`` reads them whole and counts them exactly at any size.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from whoosh import collectors
from whoosh import query as wq
from whoosh.query import Query

# Past this many matches the total is shown as "more than N" (CLI, web, JSON):
# scoring 10,000 matches takes ~80 ms CPU on the benchmark machine; counting
# them unscored as sets ~1/5 of that.
COUNT_THRESHOLD = 10_000
# Matches between two attempts of Whoosh to drop sub-queries that can no
# longer reach the top k (and to re-read the score a block must beat).
REPLACE_EVERY = 10

DocScores = list[tuple[int, float | None]]
UNKNOWN = float("inf")


def bounds(reader, query: Query) -> tuple[int, float]:
    """(at least, at most) how many documents a word or an OR of words matches (other queries: 0, unknown).

    Read from the terms' document frequencies, nothing walked. A document frequency still
    counts deleted documents until a merge: the lower bound holds only for
    an index without deletions (0 otherwise), the upper bound always.
    """
    lower, upper = _bounds(reader, query)
    return (lower if not reader.has_deletions() else 0), upper


def _df(reader, fieldname: str, text) -> int:
    try:
        return reader.doc_frequency(fieldname, text)
    except Exception:  # a field this index does not have: nothing matches
        return 0


def _bounds(reader, q: Query) -> tuple[int, float]:
    if isinstance(q, wq.Term):
        df = _df(reader, q.fieldname, q.text)
        return df, df
    if isinstance(q, wq.Or):
        parts = [_bounds(reader, c) for c in q.subqueries]
        return max((lo for lo, _ in parts), default=0), sum(up for _, up in parts)
    return 0, UNKNOWN


def prunable(query: Query) -> bool:
    """Whether Whoosh's pruning gives the exhaustive top k for ``query``: words and ORs of words only.

    Checked on the benchmark's 100k corpus and in tests/test_whoosh_topk.py.
    An AND of two common words ("la le") lost its best document under
    pruning (the cause, in Whoosh's matchers, was not traced), so every
    other shape is scored in full.

    >>> from whoosh.query import And, Or, Term
    >>> prunable(Or([Term("body", "la"), Term("body_exact", "la")])), prunable(And([Term("a", "b"), Term("a", "c")]))
    (True, False)
    """
    if isinstance(query, wq.Term):
        return True
    return isinstance(query, wq.Or) and all(prunable(c) for c in query.subqueries)


def matching(searcher, query: Query, allowed: set[int] | None) -> set[int]:
    """Every document number ``query`` matches (and ``allowed`` allows), unscored.

    ORs of terms become unions of each term's posting ids, 2-3x faster than
    walking Whoosh's matcher tree in Python.
    """
    found: set[int] = set()
    for sub, offset in searcher.leaf_searchers():
        docs = _docset(sub, query)
        found |= docs if offset == 0 else {d + offset for d in docs}
    return found if allowed is None else found & allowed


def _docset(sub, q: Query) -> set[int]:
    if isinstance(q, wq.Term):
        m = q.matcher(sub, sub.context())
        return set(m.all_ids()) if m.is_active() else set()
    if isinstance(q, wq.Or):
        out: set[int] = set()
        for c in q.subqueries:
            out |= _docset(sub, c)
        return out
    return set(q.docs(sub))


def capped(total: int) -> tuple[int, bool]:
    """``total`` as shown: (the total, True) up to the threshold, else (the threshold, False): "more than N".

    >>> capped(COUNT_THRESHOLD), capped(COUNT_THRESHOLD + 1)
    ((10000, True), (10000, False))
    """
    return (total, True) if total <= COUNT_THRESHOLD else (COUNT_THRESHOLD, False)


def matches_upto(docnums: Iterable[int], allowed: set[int] | None, threshold: int) -> tuple[list[int], bool]:
    """The first ``threshold`` of ``docnums`` that are allowed, and whether they are all of them.

    The total is then ``len`` of the list: exact, or a true lower bound
    ("more than 3") when the matches go on past the threshold.

    >>> matches_upto(range(3), None, 3)
    ([0, 1, 2], True)
    >>> matches_upto(range(10), None, 3)
    ([0, 1, 2], False)
    >>> matches_upto(range(10), {1, 5, 7}, 3)
    ([1, 5, 7], True)
    """
    found: list[int] = []
    keep = found.append
    if allowed is None:
        for docnum in docnums:
            if len(found) == threshold:
                return found, False
            keep(docnum)
        return found, True
    for docnum in docnums:
        if docnum in allowed:
            if len(found) == threshold:
                return found, False
            keep(docnum)
    return found, True


def count_posts(docnums: list[int], articles: list[int]) -> int:
    """How many posts hold ``docnums`` (ascending), a post being the documents from its article to the next.

    A document before the first article is a post of its own.

    >>> count_posts([0, 1, 5, 6, 7, 12], [1, 6, 10])  # 0 alone; 1 and 5; 6 and 7; 12
    4
    """
    posts = 0
    i, n = 0, len(articles)
    current = None
    for docnum in docnums:
        while i < n and articles[i] <= docnum:
            i += 1
        post = articles[i - 1] if i else ("orphan", docnum)
        if post != current:
            posts += 1
            current = post
    return posts


def top_k(searcher, query: Query, limit: int, allowed: set[int] | None) -> DocScores:
    """(docnum, score) of the best ``limit`` matches, best first (ties: lower docnum first).

    Whoosh's collector keeps a document only when it beats the k-th best
    score, and prunes a branch only when its best possible score does not:
    the documents, scores and order are those of scoring every match (checked
    against the exhaustive path in tests/test_whoosh_topk.py and on the
    benchmark's 100k corpus, benchmarks/RESULTS.md).
    """
    if limit <= 0:
        return []
    collector: collectors.Collector = collectors.TopCollector(limit, usequality=True, replace=REPLACE_EVERY)
    if allowed is not None:
        collector = collectors.FilterCollector(collector, allow=allowed)
    searcher.search_with_collector(query, collector)
    return [(docnum, score) for score, docnum in collector.results().top_n]


class _Only(collectors.UnlimitedCollector):
    """Scores the matches among given document numbers only, skipping to each (not walking every match)."""

    def __init__(self, docnums: list[int]):
        super().__init__()
        self.wanted = sorted(docnums)

    def matches(self):
        matcher, offset = self.matcher, self.offset
        end = offset + self.subsearcher.doc_count_all()
        for docnum in self.wanted:
            if not offset <= docnum < end:
                continue
            if not matcher.is_active():
                return
            sub = docnum - offset
            if matcher.id() < sub:
                matcher.skip_to(sub)
                if not matcher.is_active():
                    return
            if matcher.id() == sub:
                yield sub


def score_only(searcher, query: Query, docnums: Iterable[int]) -> DocScores:
    """(docnum, score) of the documents among ``docnums`` that match, best first, as scoring every match gives."""
    collector = _Only(list(docnums))
    searcher.search_with_collector(query, collector)
    return [(docnum, score) for score, docnum in collector.results().top_n]


def top_posts(rank: Callable[[int], DocScores], post_of: Callable[[int], object], wanted: int,
              total: int, first_window: int) -> tuple[DocScores, bool]:
    """The best hits, enough of them to hold ``wanted`` distinct posts, and whether they are all the hits.

    ``rank(k)`` gives the best ``k`` hits; the window grows fourfold until it
    holds ``wanted`` posts or every one of the ``total`` hits. A post's place
    is that of its best hit, so the first ``wanted`` posts of a window are
    the first ``wanted`` posts of the whole ranking; the caller must still
    count the hits of each chosen post (its later hits may lie past the window).

    >>> hits = [(d, float(-d)) for d in range(100)]
    >>> ranked, complete = top_posts(lambda k: hits[:k], lambda d: d // 10, 3, 100, 8)
    >>> len(ranked), complete
    (32, False)
    >>> top_posts(lambda k: hits[:k], lambda d: d // 10, 20, 100, 8)[1]
    True
    """
    window = max(first_window, 1)
    while True:
        if window >= total:
            return rank(total), True
        ranked = rank(window)
        posts: set[object] = set()
        for docnum, _ in ranked:
            posts.add(post_of(docnum))
            if len(posts) >= wanted:
                return ranked, False
        window *= 4
