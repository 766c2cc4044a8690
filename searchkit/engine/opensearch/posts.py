"""Reading one post from OpenSearch: a document by id, a post whole, a thread's outline and its documents in batches.

Every document of a post is routed to one shard (by ``post_id``), so each
request here goes to that shard only. A thread is put in order from its
outline (``OUTLINE_FIELDS`` of each document, no text), then its documents are
read ``READ_BATCH`` at a time by id: a post of 100,000 comments is never held
whole, as on the folder index.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from searchkit.engine.opensearch.documents import to_document
from searchkit.errors import SearchkitError
from searchkit.model import Document
from searchkit.records import Outline

PAGE = 1_000
OUTLINE_FIELDS = ("id", "kind", "post_id", "parent_id", "number", "date")
READ_BATCH = 200


class PostReading:
    """Mixin of ``OpenSearchEngine``: what reads one post."""

    # What the engine this is mixed into provides.
    client: Any
    location: str
    _search: Callable[..., dict[str, Any]]
    _on_index: Callable[[Callable[[str], dict[str, Any]]], dict[str, Any]]

    def document(self, doc_id: str) -> Document | None:
        hits = self._search({"query": {"term": {"id": doc_id}}, "size": 1})["hits"]["hits"]
        return to_document(hits[0]["_source"]) if hits else None

    def post(self, post_id: str) -> list[Document]:
        body = {"query": {"term": {"post_id": post_id}}, "sort": [{"id": "asc"}]}
        found: list[Document] = []
        after = None
        while True:  # every document of a post lives in the shard its post_id routes to
            page = self._search({**body, "size": PAGE, **({"search_after": after} if after else {})},
                                routing=post_id)["hits"]["hits"]
            found.extend(to_document(h["_source"]) for h in page)
            if len(page) < PAGE:
                return found
            after = page[-1]["sort"]

    def outline(self, post_id: str) -> list[Outline]:
        """Every document of a post without its text (only the fields a thread's order needs are fetched)."""
        body = {"query": {"term": {"post_id": post_id}}, "sort": [{"id": "asc"}], "_source": list(OUTLINE_FIELDS)}
        found: list[Outline] = []
        after = None
        while True:
            page = self._search({**body, "size": PAGE, **({"search_after": after} if after else {})},
                                routing=post_id)["hits"]["hits"]
            found.extend(Outline.of(to_document(h["_source"])) for h in page)
            if len(page) < PAGE:
                return found
            after = page[-1]["sort"]

    def post_documents(self, post_id: str, wanted: Iterable[Outline]) -> Iterator[Document]:
        """The documents ``wanted``, read ``READ_BATCH`` at a time by id in the post's shard: a post of
        100,000 comments is never held whole."""
        batch: list[str] = []
        for o in wanted:
            batch.append(o.id)
            if len(batch) == READ_BATCH:
                yield from self._read(post_id, batch)
                batch = []
        if batch:
            yield from self._read(post_id, batch)

    def _read(self, post_id: str, ids: list[str]) -> list[Document]:
        body = {"docs": [{"_id": i, "routing": post_id} for i in ids]}
        found = self._on_index(lambda index: self.client.mget(index=index, body=body))["docs"]
        docs = [to_document(d["_source"]) for d in found if d.get("found")]
        if len(docs) != len(ids):
            raise SearchkitError(f"{self.location}: the post {post_id} changed while it was read "
                                 "(an index run committed): run the command again")
        return docs
