"""The backend-neutral API: what the CLI and the web layer call, whatever engine holds the index.

``open_archive(location)`` chooses the engine from ``location`` (a folder: the
embedded Whoosh index; an ``http(s)://`` URL: OpenSearch) and returns an
``Archive``. Every method takes query text as a person typed it and plain
``Filters``; the text is parsed once, here, into searchkit's query tree, which
the engine compiles. Snippets, thread order, posts and did-you-mean are made
here from what the engine returns; the records are those of
``searchkit.records``. No caller ever holds an engine object.

>>> Filters.from_options(kind="comment").kind
'comment'
"""

from __future__ import annotations

import fnmatch
from array import array
from collections.abc import Iterator, Mapping
from pathlib import Path

from searchkit.analysis import EXACT
from searchkit.engine import open_engine
from searchkit.engine.base import Engine, Located, Selection
from searchkit.errors import DocumentNotFoundError, QueryError
from searchkit.model import ARTICLE, COMMENT, KINDS, Document
from searchkit.query import Filters, Marks, check_sort, marks, parse
from searchkit.records import (
    Bucket,
    Group,
    GroupedResults,
    Hit,
    Outline,
    Results,
    Stats,
    Stream,
    Suggestion,
    Thread,
    ThreadEntry,
    ThreadOutline,
)
from searchkit.search import suggest
from searchkit.search.threads import thread_positions
from searchkit.search.timeline import timeline
from searchkit.snippets import WINDOW_CHARS, snippet

__all__ = ["BY", "Archive", "Filters", "open_archive"]

BY = ("kind", "month", "year", "author", "source")


class Archive:
    """An open index, ready for searches; use as a context manager."""

    def __init__(self, location: str | Path):
        self.location = str(location)
        self._engine: Engine = open_engine(self.location)

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._engine.close()

    def refresh(self) -> None:
        """Read the index's last commit if it changed since this archive was opened."""
        if not self._engine.current():
            fresh = open_engine(self.location)
            self._engine.close()
            self._engine = fresh

    # --- what is asked ---------------------------------------------------------

    def selection(self, query: str, filters: Filters | None = None) -> Selection:
        """The query parsed and the filters resolved, as the engine takes them."""
        f = filters or Filters()
        author: tuple[str, ...] = ()
        if f.author:
            author = tuple(t.text for t in EXACT(f.author))
            if not author:
                raise QueryError(f"--author: {f.author!r} holds no word to search for")
        return Selection(
            query=parse(query),
            kind=f.kind,
            since=f.since,
            until=f.until,
            author=author,
            sources=self._sources_matching(f.source) if f.source else None,
            in_article=parse(f.in_article, "--in-article") if f.in_article else None,
            with_comments=parse(f.with_comments, "--with-comments") if f.with_comments else None,
        )

    def _sources_matching(self, pattern: str) -> tuple[str, ...]:
        """Sources whose path, or file name, matches the glob ``pattern``."""
        wanted = tuple(s for s in self._engine.sources()
                       if fnmatch.fnmatchcase(s, pattern) or fnmatch.fnmatchcase(s.rsplit("/", 1)[-1], pattern))
        if not wanted:
            raise QueryError(f"--source: no indexed source matches {pattern!r} (see `searchkit stats` for the sources)")
        return wanted

    # --- searching ---------------------------------------------------------------

    def search(self, query: str, filters: Filters | None = None, *, sort: str = "relevance",
               limit: int | None = 10, offset: int = 0, stream: bool = False) -> Results:
        """The best hits (``limit`` of them after ``offset``; None: all), each with a snippet.

        With ``stream`` the hits are a ``Stream``: each document is read and its
        snippet made when the caller reaches it, so memory does not grow with
        the number of hits; read them before the archive is closed.
        """
        check_sort(sort)
        sel = self.selection(query, filters)
        wanted = marks(sel.query)
        ranked = self._engine.ranked(sel, sort, limit, offset)
        docs = ranked.docs
        hits = Stream(len(docs), lambda: (_hit(d, score, wanted, ranked.located) for d, score in docs))
        return Results(hits if stream else list(hits), ranked.total, ranked.total_is_exact)

    def search_grouped(self, query: str, filters: Filters | None = None, *, sort: str = "relevance",
                       limit: int | None = 10, offset: int = 0, stream: bool = False) -> GroupedResults:
        """Hits gathered by post, posts ranked by their best (or first) hit; ``limit``/``offset`` count posts.

        With ``stream`` each post's comments are a ``Stream`` (read from the
        index, snippet made, one at a time as the caller reaches them): a post
        of 100,000 matching comments is never held whole. Read them before the
        archive is closed.
        """
        check_sort(sort)
        sel = self.selection(query, filters)
        wanted = marks(sel.query)
        ranked = self._engine.ranked_posts(sel, sort, limit, offset)
        groups = []
        for post_id, docs in ranked.posts:
            # Only ids and scores are kept of the hits: their texts are read again in thread order.
            scores = {doc.id: score for doc, score in docs}
            groups.append(self._group(post_id, scores, wanted, stream, ranked.located))
        return GroupedResults(groups, ranked.total, ranked.total_posts, ranked.total_is_exact)

    def _group(self, post_id: str, scores: dict[str, float | None], wanted: Marks,
               stream: bool, located: Mapping[str, Located]) -> Group:
        article_outline, thread = self._outline(post_id)
        # Keep the matching comments and, for context, the comments they answer (flags, not a set of ids).
        keep = bytearray(len(thread))
        for k, doc_id in enumerate(thread.ids):
            if doc_id and doc_id in scores:
                while k >= 0 and not keep[k]:
                    keep[k] = 1
                    k = thread.parents[k]
        kept = array("i", (k for k, flag in enumerate(keep) if flag))
        del keep

        def hit(doc: Document) -> Hit | None:
            if doc.id not in scores:
                return None
            return _hit(doc, scores[doc.id], wanted, located)

        if article_outline is None:  # an engine always writes the article; never crash on an archive without one
            first = self.document(next(iter(scores)))
            article = Document(post_id, ARTICLE, post_id, first.title, "", first.source)
        else:
            article = next(self._engine.post_documents(post_id, [article_outline]))

        def entries() -> Iterator[ThreadEntry]:
            docs = self._engine.post_documents(post_id, (thread.outline(k) for k in kept))
            for k, doc in zip(kept, docs, strict=True):
                yield ThreadEntry(doc, thread.depths[k], hit(doc))

        comments = Stream(len(kept), entries)
        return Group(article, hit(article) if article_outline else None, comments if stream else list(comments),
                     comment_count=len(thread))

    def _outline(self, post_id: str) -> tuple[Outline | None, ThreadOutline]:
        """A post's article and its comments in reading order with their depth, without their texts.

        Only the ``ThreadOutline`` is kept (~120 bytes a comment); the engine's outlines go once ordered.
        """
        outline = self._engine.outline(post_id)
        article = next((o for o in outline if o.kind == ARTICLE), None)
        comments = [o for o in outline if o.kind == COMMENT]
        del outline
        reading, depths, parents = thread_positions(comments)
        return article, ThreadOutline([comments[i].id for i in reading], [comments[i].ref for i in reading],
                                      depths, parents)

    # --- counting ----------------------------------------------------------------

    def count(self, query: str, filters: Filters | None = None) -> dict[str, int]:
        """Matching documents per kind (every kind, 0 when filtered out), nothing ranked."""
        counts = self._engine.count_by(self.selection(query, filters), "kind")
        return {k: counts.get(k, {}).get(k, 0) for k in KINDS}

    def count_by(self, query: str, by: str, filters: Filters | None = None) -> list[Bucket]:
        """Matching documents counted by kind, month, year, author or source.

        Months and years come in time order with the empty ones between the
        first and the last included, undated documents in a last bucket whose
        key is None; authors and sources come by decreasing count.
        """
        if by not in BY:
            raise QueryError(f"--by: unknown {by!r}: use one of {', '.join(BY)}")
        f = filters or Filters()
        counts = self._engine.count_by(self.selection(query, f), by)
        kinds = [f.kind] if f.kind else list(KINDS)
        if by == "kind":
            return [Bucket(k, {k: counts.get(k, {}).get(k, 0)}) for k in kinds]
        if by in ("month", "year"):
            return timeline(counts, by, kinds, f.since, f.until)
        ordered = sorted(counts.items(), key=lambda kv: (-sum(kv[1].values()), kv[0] or ""))
        return [Bucket(k, c) for k, c in ordered]

    # --- documents and threads -----------------------------------------------------

    def document(self, doc_id: str) -> Document:
        """One document; ``DocumentNotFoundError`` for an unknown id."""
        doc = self._engine.document(doc_id)
        if doc is None:
            raise DocumentNotFoundError(f"no document with id {doc_id!r} in {self.location}")
        return doc

    def thread(self, doc_id: str, *, stream: bool = False) -> Thread:
        """The whole post ``doc_id`` (an article or a comment) belongs to, comments in reading order.

        With ``stream`` the comments are a ``Stream``, read one at a time as
        the caller reaches them (read them before the archive is closed).
        """
        return self._thread(self.document(doc_id).post_id, stream)

    def _thread(self, post_id: str, stream: bool) -> Thread:
        article_outline, thread = self._outline(post_id)
        article = next(self._engine.post_documents(post_id, [article_outline])) if article_outline else None

        def entries() -> Iterator[ThreadEntry]:
            docs = self._engine.post_documents(post_id, (thread.outline(k) for k in range(len(thread))))
            for depth, doc in zip(thread.depths, docs, strict=True):
                yield ThreadEntry(doc, depth)

        comments = Stream(len(thread), entries)
        return Thread(article, comments if stream else list(comments))

    def stats(self) -> Stats:
        return self._engine.stats()

    def did_you_mean(self, query: str, found: int = 0, filters: Filters | None = None) -> Suggestion | None:
        """A query of close indexed words that finds something, when ``found`` is small; else None."""
        if found >= suggest.SUGGEST_BELOW:
            return None
        for text, corrections in suggest.candidates(self._engine, query):
            try:
                hits = sum(self.count(text, filters).values())
            except QueryError:
                continue
            if hits > found:
                return Suggestion(text, corrections, hits=hits)
        return None


def _hit(doc: Document, score: float | None, wanted: Marks, located: Mapping[str, Located]) -> Hit:
    """A hit with its snippet; where the engine found the words (its highlighter), only those places are read."""
    found = located.get(doc.id) if doc.body else None
    spans = found.spans if found is not None and found.upto >= min(len(doc.body), WINDOW_CHARS) else None
    return Hit(doc, score, snippet(doc.body or doc.title, wanted, spans=spans))


def open_archive(location: str | Path) -> Archive:
    """The archive at ``location``: a folder (Whoosh) or an OpenSearch URL."""
    return Archive(location)
