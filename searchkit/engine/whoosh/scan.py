"""Relevance pages from whole posting blocks: every match found and counted, only the best scored by Whoosh.

Whoosh scores a match through a tree of matchers (one Python call per
posting per level, and a column read per document length): ~80 % of a
common word's search. Here the posting blocks of each term are read whole
and every match gets an approximate BM25F score in one tight loop (the same
formula and global statistics, summed in another order, so it can differ
from Whoosh's in the last bits). The documents whose approximate score is
within ``TOLERANCE`` of the k-th best are then scored by Whoosh itself, and
ranked by (score, lower docnum first) as scoring every match ranks them: the
page is the same, scores included, and the total is exact.

Handled: words, ORs, ANDs, AND NOTs, prefixes, wildcards and fuzzy words
(their terms, as Whoosh expands them in each segment), and phrases of adjacent
words (an AND of their terms, as Whoosh scores a phrase, kept where the
positions follow each other), over scorable fields. Anything else (dates,
proximity phrases, NOT alone...) returns None: the caller scores it
as before. So does a query whose terms hold more than ``BUDGET`` postings:
there reading them all costs more than Whoosh's pruning, and the total says
"more than N" (``topk``).

The posting blocks are read by ``blocks`` straight from the postings file, and
the length columns through a column reader's file: privates of whoosh-reloaded
2.7.5 (checked by ``access``).
"""

from __future__ import annotations

import heapq
from bisect import bisect_right
from collections.abc import Iterable
from itertools import accumulate
from pickle import loads
from weakref import WeakKeyDictionary

from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.formats import Positions
from whoosh.query import Query
from whoosh.util.numeric import byte_to_length

from searchkit.engine.whoosh import access, expand  # noqa: F401  (access: checks the Whoosh version first)
from searchkit.engine.whoosh.blocks import blocks
from searchkit.engine.whoosh.topk import score_only

# Postings (sum of the terms' document frequencies) past which a query is not
# read whole: a word in half the documents at 100k holds ~110,000 over its fields.
BUDGET = 150_000
# Relative margin under the k-th approximate score within which a document is
# scored by Whoosh (the two sums differ by ~1e-16 relative; any margin works, wider costs more).
TOLERANCE = 1e-9

Scores = dict[int, float]
# Each segment reader's length columns, read once (``_Run.lengths``).
_LENGTHS: WeakKeyDictionary = WeakKeyDictionary()
# The term-expanding queries scored as Whoosh's MultiTerm.matcher scores them (an OR of their terms).
_EXPANDING = (wq.Prefix, wq.Wildcard, wq.FuzzyTerm, expand.Prefix, expand.Wildcard, expand.FuzzyTerm)


class _Unhandled(Exception):
    """The query holds a part this module does not score: the caller scores it all as before."""


class _OverBudget(Exception):
    """The query's terms hold more postings than ``BUDGET``."""


def approximate(searcher, query: Query, allowed: set[int] | None) -> Scores | None:
    """Every document ``query`` matches (and ``allowed`` allows), with an approximate score; None if not handled.

    None for a query shape this module does not score or one holding more
    than ``BUDGET`` postings.
    """
    run = _Run(searcher)
    try:
        if run.size(query) > BUDGET:
            return None
        found: Scores = {}
        for sub, offset in searcher.leaf_searchers():
            scores = run.node(sub, query)
            deleted = sub.reader().deleted_docs_set if sub.reader().has_deletions() else ()
            if offset == 0 and not deleted:
                found.update(scores)
            else:
                if deleted:
                    scores = {d: s for d, s in scores.items() if d not in deleted}
                found.update(zip([d + offset for d in scores], scores.values(), strict=True))
    except (_Unhandled, _OverBudget):
        return None
    if allowed is not None:
        found = {d: s for d, s in found.items() if d in allowed}
    return found


def candidates(scores: Scores, k: int) -> list[int]:
    """The documents that may be among the best ``k`` once scored exactly: within ``TOLERANCE`` of the k-th.

    >>> candidates({1: 3.0, 2: 2.0, 3: 2.0 + 1e-12, 4: 1.0}, 2)
    [1, 2, 3]
    """
    if k <= 0 or not scores:
        return []
    if k >= len(scores):
        return sorted(scores)
    kth = heapq.nlargest(k, scores.values())[-1]
    floor = kth - TOLERANCE * max(1.0, abs(kth))
    return sorted([d for d, s in scores.items() if s >= floor])


def best(searcher, query: Query, found: Scores, k: int) -> list[tuple[int, float | None]]:
    """The best ``k`` of ``found`` (approximate scores), scored by Whoosh, as scoring every match ranks them."""
    return ranked(score_only(searcher, query, candidates(found, k)), k)


def ranked(exact: Iterable[tuple[int, float | None]], k: int) -> list[tuple[int, float | None]]:
    """The best ``k`` of (docnum, score), as Whoosh's collectors order them: score down, then docnum up.

    >>> ranked([(5, 1.0), (2, 1.0), (9, 3.0)], 2)
    [(9, 3.0), (2, 1.0)]
    """
    return sorted(exact, key=lambda pair: (-(pair[1] or 0.0), pair[0]))[:k]


class _Run:
    """One query's evaluation: global statistics from the top searcher, length tables per segment."""

    def __init__(self, searcher):
        self.top = searcher
        self.reader = searcher.reader()
        weighting = searcher.weighting
        self.B, self.K1 = weighting.B, weighting.K1
        self.field_B = weighting._field_B
        self._norms: dict[tuple[int, str], list[float]] = {}
        self.spent = 0  # postings read, up to BUDGET

    # --- how many postings --------------------------------------------------------

    def size(self, q: Query) -> int:
        """Postings of the query's words (prefixes and the like: 0 here, counted as they expand)."""
        if isinstance(q, wq.Term):
            try:
                return self.reader.doc_frequency(q.fieldname, q.text)
            except Exception:  # a field this index does not have
                return 0
        if isinstance(q, wq.MultiTerm):
            return 0
        if isinstance(q, wq.Phrase):
            return min((self.size(wq.Term(q.fieldname, w)) for w in q.words), default=0)
        if isinstance(q, wq.And):  # the later parts are read only where the first matches
            return min(self.size(c) for c in q.children())
        if isinstance(q, (wq.Or, wq.AndNot)):
            return sum(self.size(c) for c in q.children())
        raise _Unhandled

    # --- scores ---------------------------------------------------------------------

    def node(self, sub, q: Query, within: list[int] | None = None) -> Scores:
        """(segment docnum → approximate score) for ``q`` in one segment, deleted documents included.

        ``within`` (ascending): only these documents are wanted, and a posting
        block holding none of them is skipped undecoded (an AND's later parts).
        """
        if isinstance(q, wq.Term):
            return self.term(sub, q.fieldname, q.text, q.boost, within)
        if isinstance(q, wq.MultiTerm):
            return self.multiterm(sub, q, within)
        if type(q) is wq.Or and not q.minmatch and not q.scale:
            return _scaled(self.union([self.node(sub, c, within) for c in q.subqueries]), q.boost)
        if type(q) is wq.And:
            return _scaled(self.intersection(sub, q.subqueries, within), q.boost)
        if type(q) is wq.Phrase and q.slop == 1 and q.words:
            return _scaled(self.phrase(sub, q.fieldname, q.words, within), q.boost)
        if type(q) is wq.AndNot:
            positive = self.node(sub, q.a, within)
            negative = self.node(sub, q.b, sorted(positive))
            return _scaled({d: s for d, s in positive.items() if d not in negative}, q.boost)
        raise _Unhandled

    def intersection(self, sub, parts: list[Query], within: list[int] | None) -> Scores:
        """The documents every part matches, each part's score summed; the smallest part first,
        the others read only in the blocks that may hold its documents."""
        reader = sub.reader()
        out: Scores | None = None
        for part in sorted(parts, key=lambda p: p.estimate_size(reader)):
            scores = self.node(sub, part, within)
            out = scores if out is None else {d: s + scores[d] for d, s in out.items() if d in scores}
            if not out:
                return {}
            within = sorted(out)
        return out or {}

    def phrase(self, sub, fieldname: str, words: list[str], within: list[int] | None) -> Scores:
        """As Whoosh's ``Phrase`` (slop 1): the AND of its words, scores summed, kept where word
        k stands at position p + k; only the AND's documents have their positions decoded."""
        field = self.top.schema[fieldname] if fieldname in self.top.schema else None
        if field is None:
            return {}
        if not field.format or not field.format.supports("positions"):
            raise _Unhandled  # Whoosh raises a QueryError here: let it
        scores = self.intersection(sub, [wq.Term(fieldname, w) for w in words], within)
        if not scores:
            return {}
        docs = sorted(scores)
        # Word k at p + k for every k: the positions of word k less k share some p (a set operation a document).
        first, *rest = [self.positions(sub, field, fieldname, w, docs, k) for k, w in enumerate(words)]
        if len(rest) == 1:
            (second,) = rest
            return {d: s for d, s in scores.items() if not first[d].isdisjoint(second[d])}
        return {d: s for d, s in scores.items() if first[d].intersection(*[later[d] for later in rest])}

    def positions(self, sub, field, fieldname: str, word: str, docs: list[int], less: int = 0) -> dict[int, set[int]]:
        """The positions of ``word`` (each less ``less``) in each of ``docs`` (ascending; every one holds it)."""
        found = blocks(sub.reader(), fieldname, field.to_bytes(word))
        if found is None:
            raise _Unhandled
        decode = _positions if type(field.format) is Positions else field.format.decode_positions
        wanted = set(docs)
        out: dict[int, set[int]] = {}
        last, i, n = -1, 0, len(docs)
        for block in found:
            i = bisect_right(docs, last, i)
            if i == n:
                break
            if docs[i] <= block.maxid:  # a block without a wanted document is not decoded
                for d, value in zip(block.ids(), block.values(), strict=True):
                    if d in wanted:
                        out[d] = {p - less for p in decode(value)} if less else set(decode(value))
            last = block.maxid
        return out

    def multiterm(self, sub, q: wq.MultiTerm, within: list[int] | None) -> Scores:
        # As MultiTerm.matcher: one term alone is scored without the query's
        # boost; several are an OR carrying it (too many: Whoosh preloads them
        # unscored, not handled here).
        if type(q) not in _EXPANDING or (isinstance(q, wq.Wildcard) and q.text == "*"):
            raise _Unhandled
        texts = [t for t in q._btexts(sub.reader()) if t]
        if len(texts) >= wq.Or.TOO_MANY_CLAUSES or (len(texts) > 2 and sub.doc_count_all() <= 5000):
            # Or.matcher's own rule: unscored preloading in a small segment
            # (every match scores its boost), BM25 in a large one.
            raise _Unhandled
        if len(texts) == 1:
            return self.term(sub, q.fieldname, texts[0], 1.0, within)
        return _scaled(self.union([self.term(sub, q.fieldname, t, 1.0, within) for t in texts]), q.boost)

    def term(self, sub, fieldname: str, text, boost: float, within: list[int] | None) -> Scores:
        reader = sub.reader()
        field = self.top.schema[fieldname] if fieldname in self.top.schema else None
        if field is None:
            return {}
        if not field.scorable:
            raise _Unhandled
        try:
            btext = field.to_bytes(text)
        except ValueError:
            return {}
        if (fieldname, btext) not in reader:
            return {}
        found = blocks(reader, fieldname, btext)
        if found is None:
            raise _Unhandled
        factor = self.top.idf(fieldname, btext) * (self.K1 + 1) * boost
        norm = self.norms(sub, fieldname)
        lengths = self.lengths(sub, fieldname)
        ids: list[int] = []
        weights: list[float] = []
        last, i, n = -1, 0, 0 if within is None else len(within)
        for block in found:
            if within is not None:
                i = bisect_right(within, last, i)
                if i == n:
                    break
                last = block.maxid
                if within[i] > last:  # no wanted document in this block: not decoded
                    continue
            self.spent += block.count
            if self.spent > BUDGET:
                raise _OverBudget
            ids += block.ids()
            weights += block.weights()
        if within is None:
            scores = [factor * w / (w + norm[lengths[d]]) for d, w in zip(ids, weights, strict=True)]
            return dict(zip(ids, scores, strict=True))
        wanted = set(within)
        return {d: factor * w / (w + norm[lengths[d]]) for d, w in zip(ids, weights, strict=True) if d in wanted}

    def norms(self, sub, fieldname: str) -> list[float]:
        """BM25's length normalisation for each length byte: K1 × ((1 − B) + B × length / average)."""
        key = (id(sub), fieldname)
        if key not in self._norms:
            avg = self.top.avg_field_length(fieldname) or 1
            B = self.field_B.get(fieldname, self.B)
            self._norms[key] = [self.K1 * ((1 - B) + B * (byte_to_length(b) or 0) / avg) for b in range(256)]
        return self._norms[key]

    @staticmethod
    def lengths(sub, fieldname: str) -> bytes:
        """Each document's length byte in ``fieldname`` (0 past the column's end), read in one piece.

        Kept for the segment reader's life (a byte a document and field): a
        segment never changes, and reading a 500,000-document segment's
        column took ~3 ms a term at 1M documents.
        """
        reader = sub.reader()
        kept = _LENGTHS.setdefault(reader, {})
        if fieldname not in kept:
            perdoc = reader._perdoc
            column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            count = reader.doc_count_all()
            if column is None:
                kept[fieldname] = bytes(count)
            else:
                raw = bytes(column._dbfile.get(column._basepos, column._count))
                kept[fieldname] = raw + bytes(max(0, count - len(raw)))
        return kept[fieldname]

    @staticmethod
    def union(parts: list[Scores]) -> Scores:
        parts = sorted(parts, key=len, reverse=True)
        if not parts:
            return {}
        out = dict(parts[0])
        get = out.get
        for part in parts[1:]:
            for d, s in part.items():
                out[d] = get(d, 0.0) + s
        return out


def _positions(value: bytes) -> Iterable[int]:
    """``Positions.decode_positions``: the deltas pickled after a 4-byte count (the final STOP may be
    cut), summed in C rather than in a Python loop."""
    return accumulate(loads(value[4:] if value.endswith(b".") else value[4:] + b"."))


def _scaled(scores: Scores, boost: float) -> Scores:
    if boost == 1.0:
        return scores
    return {d: s * boost for d, s in scores.items()}
