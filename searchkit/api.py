"""The backend-neutral API: what the CLI and the web layer call, whatever engine holds the index.

``open_archive(location)`` chooses the engine from ``location`` (a folder: the
embedded Whoosh index; an ``http(s)://`` URL: OpenSearch) and returns an
``Archive``. Every method takes query text as a person typed it and plain
``Filters``, and returns the records of ``searchkit.records``; no caller ever
holds an engine object.

>>> from searchkit.api import Filters
>>> Filters.from_options(kind="comment").kind
'comment'
"""

from __future__ import annotations

from pathlib import Path

from searchkit.query import Filters
from searchkit.model import Document
from searchkit.records import Bucket, GroupedResults, Results, Stats, Suggestion, Thread, ThreadEntry

__all__ = ["Archive", "Filters", "open_archive"]


class Archive:
    """An open index, ready for searches; use as a context manager."""

    def __init__(self, location: str | Path):
        from searchkit.search import Searcher

        self.location = str(location)
        self._searcher = Searcher(Path(location))

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._searcher.close()

    def search(self, query: str, filters: Filters | None = None, *, sort: str = "relevance",
               limit: int | None = 10, offset: int = 0) -> Results:
        """The best hits (``limit`` of them after ``offset``; None: all), each with a snippet."""
        results = self._searcher.search(query, limit=None if limit is None else limit + offset,
                                        filters=filters, sort=sort)
        results.hits = results.hits[offset:]
        return results

    def search_grouped(self, query: str, filters: Filters | None = None, *, sort: str = "relevance",
                       limit: int | None = 10, offset: int = 0) -> GroupedResults:
        """Hits gathered by post; ``limit`` and ``offset`` count posts."""
        wanted = 10**9 if limit is None else limit + offset
        results = self._searcher.search_grouped(query, limit=wanted, filters=filters, sort=sort)
        results.groups = results.groups[offset:]
        return results

    def count(self, query: str, filters: Filters | None = None) -> dict[str, int]:
        """Matching documents per kind, nothing ranked."""
        return self._searcher.count(query, filters)

    def count_by(self, query: str, by: str, filters: Filters | None = None) -> list[Bucket]:
        """Matching documents counted by kind, month, year, author or source."""
        return self._searcher.count_by(query, by, filters)

    def document(self, doc_id: str) -> Document:
        """One document; ``DocumentNotFoundError`` for an unknown id."""
        return self._searcher.document(doc_id)

    def thread(self, doc_id: str) -> Thread:
        """The whole post ``doc_id`` (an article or a comment) belongs to."""
        doc = self._searcher.document(doc_id)
        article, comments = self._searcher.thread(doc.post_id)
        return Thread(article, [ThreadEntry(d, depth) for d, depth in comments])

    def stats(self) -> Stats:
        data = self._searcher.stats()
        return Stats(articles=data["articles"], comments=data["comments"], sources=data["sources"],
                     index=data["index"], index_bytes=data["index_bytes"],
                     schema_version=data["schema_version"], engine="whoosh")

    def did_you_mean(self, query: str, found: int = 0, filters: Filters | None = None) -> Suggestion | None:
        """A query of close indexed words when ``found`` is small, or None."""
        return self._searcher.did_you_mean(query, found=found)


def open_archive(location: str | Path) -> Archive:
    """The archive at ``location``: a folder (Whoosh) or, later, an OpenSearch URL."""
    return Archive(location)
