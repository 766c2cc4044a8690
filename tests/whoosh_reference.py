"""The Whoosh side of the OpenSearch engine tests: a folder index through ``WhooshEngine``, called as Searcher was."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from searchkit.api import open_archive
from searchkit.engine.whoosh.searcher import WhooshEngine
from searchkit.model import Document
from searchkit.query import Filters


class WhooshReference:
    """``search``, ``search_grouped``, ``count_by``, ``sources`` and ``documents`` of a folder index."""

    def __init__(self, ix: Path):
        self.engine = WhooshEngine(str(ix))
        self.archive = open_archive(ix)  # parses the query and resolves the filters as every engine gets them

    def __enter__(self) -> WhooshReference:
        return self

    def __exit__(self, *exc) -> None:
        self.engine.close()
        self.archive.close()

    def search(self, query: str, limit: int = 100, sort: str = "relevance", filters: Filters | None = None):
        ranked = self.engine.ranked(self.archive.selection(query, filters), sort, limit)
        return SimpleNamespace(total=ranked.total, hits=[SimpleNamespace(doc=d) for d, _ in ranked.docs])

    def search_grouped(self, query: str, limit: int = 100, sort: str = "relevance"):
        ranked = self.engine.ranked_posts(self.archive.selection(query), sort, limit)
        groups = [SimpleNamespace(article=SimpleNamespace(post_id=post_id),
                                  hits=[SimpleNamespace(doc=d) for d, _ in docs]) for post_id, docs in ranked.posts]
        return SimpleNamespace(total=ranked.total, total_groups=ranked.total_posts, groups=groups)

    def count_by(self, query: str, by: str):
        counts = self.engine.count_by(self.archive.selection(query), by)
        return [SimpleNamespace(key=key, counts=kinds) for key, kinds in counts.items()]

    def sources(self) -> list[str]:
        return self.engine.sources()

    def documents(self) -> list[Document]:
        return list(self.engine.documents())
