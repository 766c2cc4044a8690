"""searchkit's documents as OpenSearch index actions and back: ids, routing, the join field, ``_source``.

Every document of a post is routed by the post's id, so an article and its
comments share a shard (the ``join`` field requires it) and a post is
replaced or deleted with one routing value. The ``_id`` is the document's own
stable id: indexing the same file again overwrites, never duplicates.

>>> from searchkit.model import Document
>>> art = Document(id="p1", kind="article", post_id="p1", title="Titre", body="Corps", source="a.xml")
>>> com = Document(id="p1-c1", kind="comment", post_id="p1", title="Titre", body="Oui", source="a.xml")
>>> action(com)["_routing"], action(com)["_source"]["relation"]
('p1', {'name': 'comment', 'parent': 'p1'})
>>> sorted(action(art)["_source"])
['body', 'id', 'kind', 'post_id', 'relation', 'source', 'title']
>>> to_document(action(com)["_source"]) == com
True
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from searchkit.engine.opensearch.settings import ARTICLE_RELATION, COMMENT_RELATION, RELATION
from searchkit.model import ARTICLE, Document


def source(doc: Document) -> dict[str, Any]:
    """The ``_source`` of one document; empty values are left out.

    Only an article's title is indexed (``title``); a comment shows its
    article's title but must not match a search on it (``post_title``).
    """
    meta = dict(doc.meta or {})
    values: dict[str, Any] = {
        "id": doc.id,
        "kind": doc.kind,
        "post_id": doc.post_id,
        "parent_id": doc.parent_id,
        "source": doc.source,
        "title" if doc.kind == ARTICLE else "post_title": doc.title,
        "body": doc.body,
        "author": doc.author,
        "tags": doc.tags or None,
        "categories": doc.categories or None,
        "date": doc.date.isoformat() if doc.date else None,
        "number": doc.number,
        "url": doc.url,
        "meta": meta or None,
    }
    found = {k: v for k, v in values.items() if v is not None and v != "" and v != []}
    if doc.kind == ARTICLE:
        found[RELATION] = {"name": ARTICLE_RELATION}
    else:
        found[RELATION] = {"name": COMMENT_RELATION, "parent": doc.post_id}
    return found


def action(doc: Document, index: str | None = None) -> dict[str, Any]:
    """A bulk ``index`` action for ``doc`` (``streaming_bulk`` takes these)."""
    act: dict[str, Any] = {"_op_type": "index", "_id": doc.id, "_routing": doc.post_id, "_source": source(doc)}
    if index is not None:
        act["_index"] = index
    return act


def to_document(src: dict[str, Any]) -> Document:
    """The ``Document`` a hit's ``_source`` holds."""
    date = src.get("date")
    return Document(
        id=src["id"],
        kind=src["kind"],
        post_id=src["post_id"],
        title=src.get("title") or src.get("post_title") or "",
        body=src.get("body", ""),
        source=src.get("source", ""),
        author=src.get("author"),
        date=datetime.fromisoformat(date) if date else None,
        url=src.get("url"),
        number=src.get("number"),
        parent_id=src.get("parent_id"),
        meta=src.get("meta") or {},
        tags=list(src.get("tags") or []),
        categories=list(src.get("categories") or []),
    )
