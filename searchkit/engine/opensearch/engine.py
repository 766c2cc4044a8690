"""The ``Engine`` on an OpenSearch index: searches, groups, counts, documents and vocabulary as cluster queries.

Opened on a URL (``http://host:9200/blogs``), it resolves the alias to the
physical index once, so every read sees the build that was current when the
engine was opened, as a Whoosh searcher does (until a rebuild deletes that
build: the engine then follows the alias to the new one). An incremental
commit is searched at once (it refreshes the same index); ``current()``
compares the commit marker (``commits``) with the one read at opening. Grouping by post is a
``collapse`` on ``post_id`` (posts ranked by their best hit, their matching
documents as inner hits; a comment whose article the archive lost is still
grouped); counts are composite aggregations, paged, so any number of authors
or months is counted exactly.
A page of the best hits (flat or grouped) comes with the node's highlight of
each hit's body (``highlight``), which the snippets read instead of analysing
the whole text; its total stops at ``TOTAL_THRESHOLD`` under relevance.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from searchkit.engine.base import Engine, FileEntry, Located, Ranked, RankedPosts, Selection
from searchkit.engine.opensearch import commits, connection
from searchkit.engine.opensearch.compile import selection_query
from searchkit.engine.opensearch.documents import to_document
from searchkit.engine.opensearch.highlight import expansion, highlight_request, located, terms
from searchkit.engine.opensearch.posts import PAGE, PostReading
from searchkit.engine.opensearch.settings import SCHEMA_VERSION
from searchkit.errors import IndexMissingError, QueryError
from searchkit.model import ARTICLE, COMMENT, Document
from searchkit.query.marks import marks
from searchkit.records import Stats

# Past this many matches a page of the best hits gives its total as "more than N" (``total_is_exact`` False),
# as the Whoosh engine does (its ``topk.COUNT_THRESHOLD``); counts (``count_by``) stay exact.
TOTAL_THRESHOLD = 10_000
# Highlight expansions an engine keeps (the oldest goes first).
EXPANSIONS = 256
# from + size beyond this is refused by OpenSearch (index.max_result_window): page with search_after.
WINDOW = 10_000
# Matching documents of a post a grouped search gets as inner hits (index.max_inner_result_window is set to
# it); a post with more is paged on its own (``_post_hits``).
INNER_HITS = 1_000
# Composite aggregation keys by date period.
PERIODS = {"month": ("month", "yyyy-MM"), "year": ("year", "yyyy")}
BY_FIELDS = {"kind": "kind", "author": "author.raw", "source": "source"}


def files_index(physical: str) -> str:
    """The index holding the file state of the build ``physical``."""
    return f"{physical}.files"


class OpenSearchEngine(PostReading, Engine):
    """An open searchkit index on an OpenSearch cluster."""

    name = "opensearch"

    def __init__(self, url: str, ca_cert: str | None = None, client: Any = None):
        self.location = url
        self.client, self.alias = (client, connection.parse_url(url)[1]) if client else connection.client_for(
            url, ca_cert)
        self._commit = self._last_commit()  # before the alias is resolved: see ``commits``
        self.index = self._resolve()
        # The index's words for a highlight's stems and patterns (``_highlight``), by request: read once per
        # engine, as the rest of what it reads is the commit it was opened on (``current``).
        self._expanded: dict[str, dict[str, Any]] = {}

    def _last_commit(self) -> tuple[str, str] | None:
        try:
            return commits.last(self.client, self.alias)
        except Exception as exc:
            raise connection.translate(exc, self.location) from exc

    def current(self) -> bool:
        """Whether no commit was made since this engine was opened (the commit marker is the one read then)."""
        return self._last_commit() == self._commit

    def _resolve(self) -> str:
        """The physical index behind the alias; its mapping must be this searchkit's."""
        try:
            if self.client.indices.exists_alias(name=self.alias):
                physical = sorted(self.client.indices.get_alias(name=self.alias))[-1]
            elif self.client.indices.exists(index=self.alias):
                physical = self.alias
            else:
                raise IndexMissingError(
                    f"{self.location}: no such index: run searchkit index … --index {self.location} first")
            mapping = self.client.indices.get_mapping(index=physical)[physical]["mappings"]
            if self.client.cluster.health(index=physical)["status"] == "red":
                raise connection.red(self.location)
        except Exception as exc:
            raise connection.translate(exc, self.location) from exc
        connection.check_version(mapping.get("_meta"), self.location, SCHEMA_VERSION)
        return physical

    def _search(self, body: dict[str, Any], **params: Any) -> dict[str, Any]:
        return self._on_index(lambda index: self.client.search(index=index, body=body, **params))

    def _on_index(self, request: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
        """``request`` on the index read; when a rebuild deleted it, once more on the alias's new build."""
        from opensearchpy.exceptions import NotFoundError

        try:
            try:
                return request(self.index)
            except NotFoundError:
                index, self.index = self.index, self._resolve()
                if index == self.index:
                    raise
                return request(self.index)
        except Exception as exc:
            raise connection.translate(exc, self.location) from exc

    # --- ranked documents --------------------------------------------------

    def ranked(self, sel: Selection, sort: str, limit: int | None, offset: int = 0) -> Ranked:
        body: dict[str, Any] = {"query": selection_query(sel), "sort": _sort(sort), "track_total_hits": True}
        page = limit is not None and offset + limit <= WINDOW  # one request of the best hits
        capped = page and sort == "relevance"
        if capped:  # as the Whoosh engine: past the threshold the total is "more than N" (Lucene's block-max
            body["track_total_hits"] = TOTAL_THRESHOLD + 1  # WAND then skips blocks that cannot enter the top k)
        request = self._highlight(sel.query) if page and sel.query is not None else None
        if request is not None:  # the node says where the words are, for the snippets
            body["highlight"] = request
        hits, total, exact = self._hits(body, limit, offset)
        if capped and (total > TOTAL_THRESHOLD or not exact):
            total, exact = TOTAL_THRESHOLD, False
        scored = sort == "relevance"
        docs = [(to_document(h["_source"]), h["_score"] if scored else None) for h in hits]
        spans: dict[str, Located] = {}
        if request is not None:
            for hit, (doc, _) in zip(hits, docs, strict=True):
                found = located(hit, doc.body)
                if found is not None:
                    spans[doc.id] = found
        return Ranked(docs, total, exact, spans)

    def _highlight(self, query: Any) -> dict[str, Any] | None:
        """The highlight for ``query``'s marked words (``highlight``), its stems and patterns expanded first."""
        wanted = marks(query)
        expand = expansion(wanted)
        if expand is None:
            return None
        answer = None
        if expand is not False:
            key = json.dumps(expand, sort_keys=True)
            answer = self._expanded.get(key)
            if answer is None:
                answer = self._on_index(lambda index: self.client.indices.validate_query(
                    index=index, body={"query": expand}, rewrite=True, all_shards=True))
                if len(self._expanded) >= EXPANSIONS:
                    self._expanded.pop(next(iter(self._expanded)))
                self._expanded[key] = answer
        words = terms(wanted, answer)
        return None if words is None else highlight_request(wanted, words)

    def _hits(self, body: dict[str, Any], limit: int | None, offset: int) -> tuple[list[dict], int, bool]:
        """Hits ``offset`` to ``offset + limit`` (all when ``limit`` is None), the total and whether it is exact."""
        if limit is not None and offset + limit <= WINDOW:
            found = self._search({**body, "from": offset, "size": limit})
            total = found["hits"]["total"]
            return found["hits"]["hits"], total["value"], total["relation"] == "eq"
        hits: list[dict] = []
        total, exact, skipped = 0, True, 0
        for n, page in enumerate(self._pages(body)):
            if n == 0:
                total, exact = page["hits"]["total"]["value"], page["hits"]["total"]["relation"] == "eq"
            for hit in page["hits"]["hits"]:
                if skipped < offset:
                    skipped += 1
                    continue
                hits.append(hit)
                if limit is not None and len(hits) >= limit:
                    return hits, total, exact
        return hits, total, exact

    def _pages(self, body: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """Every page of a sorted search, with ``search_after`` (the sort ends with ``id``: a total order)."""
        after = None
        while True:
            page = self._search({**body, "size": PAGE, **({"search_after": after} if after else {})})
            hits = page["hits"]["hits"]
            yield page
            if len(hits) < PAGE:
                return
            after = hits[-1]["sort"]
            body = {**body, "track_total_hits": False}  # counted on the first page

    def ranked_posts(self, sel: Selection, sort: str, limit: int | None, offset: int = 0) -> RankedPosts:
        query = selection_query(sel)
        counted = self._search({"query": query, "size": 0, "track_total_hits": True,
                                "aggs": {"posts": {"cardinality": {"field": "post_id", "precision_threshold": 40000}}}})
        total = counted["hits"]["total"]
        total_posts = counted["aggregations"]["posts"]["value"]
        size = total_posts - offset if limit is None else limit
        posts: list[tuple[str, list[tuple[Document, float | None]]]] = []
        spans: dict[str, Located] = {}
        if size > 0 and offset + size <= WINDOW:
            request = self._highlight(sel.query) if limit is not None and sel.query is not None else None
            posts = self._collapsed(query, sort, offset, size, request, spans)
        elif size > 0:
            posts = self._streamed(query, sort, offset, size)
        exact = total["relation"] == "eq" and total_posts < 40000
        return RankedPosts(posts, total["value"], total_posts, exact, spans)

    def _collapsed(self, query: dict, sort: str, offset: int, size: int, request: dict[str, Any] | None,
                   spans: dict[str, Located]) -> list[tuple[str, list]]:
        """Posts ``offset`` to ``offset + size`` by a ``collapse`` on ``post_id``, their hits as inner hits
        (highlighted with ``request``, where the words are put in ``spans``)."""
        inner: dict[str, Any] = {"name": "hits", "size": INNER_HITS, "sort": _sort(sort)}
        if request is not None:
            inner["highlight"] = request
        body = {"query": query, "sort": _sort(sort), "from": offset, "size": size,
                "collapse": {"field": "post_id", "inner_hits": inner}}
        posts = []
        for group in self._search(body)["hits"]["hits"]:
            post_id, found = group["_source"]["post_id"], group["inner_hits"]["hits"]["hits"]
            if found["total"]["value"] > len(found["hits"]):  # more matching documents than one inner page
                posts.append((post_id, self._post_hits(query, sort, post_id)))
                continue
            posts.append((post_id, [self._scored(h, sort) for h in found["hits"]]))
            for hit in found["hits"] if request is not None else ():
                where = located(hit, hit["_source"].get("body", ""))
                if where is not None:
                    spans[hit["_source"]["id"]] = where
        return posts

    def _post_hits(self, query: dict, sort: str, post_id: str) -> list[tuple[Document, float | None]]:
        """Every matching document of one post, in rank order: paged in the one shard that holds the post."""
        body = {"query": {"bool": {"must": [query], "filter": [{"term": {"post_id": post_id}}]}}, "sort": _sort(sort)}
        found: list[tuple[Document, float | None]] = []
        after = None
        while True:
            page = self._search({**body, "size": PAGE, **({"search_after": after} if after else {})},
                                routing=post_id)["hits"]["hits"]
            found.extend(self._scored(h, sort) for h in page)
            if len(page) < PAGE:
                return found
            after = page[-1]["sort"]

    def _streamed(self, query: dict, sort: str, offset: int, size: int) -> list[tuple[str, list]]:
        """Posts beyond the ``collapse`` window (``from + size`` at most 10,000): every hit in rank order, paged
        with ``search_after``, each post placed where its best (first) hit is, as ``collapse`` places it."""
        rank: dict[str, int] = {}  # post → its place, kept until the last post wanted has one
        chosen: dict[str, list[tuple[Document, float | None]]] = {}
        for page in self._pages({"query": query, "sort": _sort(sort)}):
            for hit in page["hits"]["hits"]:
                post_id = hit["_source"]["post_id"]
                if post_id not in chosen and len(rank) < offset + size and post_id not in rank:
                    rank[post_id] = len(rank)
                    if rank[post_id] >= offset:
                        chosen[post_id] = []
                if post_id in chosen:
                    chosen[post_id].append(self._scored(hit, sort))
        return list(chosen.items())

    @staticmethod
    def _scored(hit: dict[str, Any], sort: str) -> tuple[Document, float | None]:
        return to_document(hit["_source"]), hit["_score"] if sort == "relevance" else None

    # --- counts ------------------------------------------------------------

    def count_by(self, sel: Selection, by: str) -> dict[str | None, dict[str, int]]:
        source: dict[str, dict[str, Any]]
        if by in PERIODS:
            interval, fmt = PERIODS[by]
            source = {"date_histogram": {"field": "date", "calendar_interval": interval, "format": fmt}}
        elif by in BY_FIELDS:
            source = {"terms": {"field": BY_FIELDS[by]}}
        else:
            raise QueryError(f"--by: unknown {by!r}: use one of kind, month, year, author, source")
        next(iter(source.values()))["missing_bucket"] = True  # documents without a value: the key None
        counts: dict[str | None, dict[str, int]] = {}
        for bucket in self._composite(selection_query(sel), {"key": source}, {"kinds": {"terms": {"field": "kind"}}}):
            kinds = {b["key"]: b["doc_count"] for b in bucket["kinds"]["buckets"]}
            counts[bucket["key"]["key"]] = kinds
        return counts

    def _composite(self, query: dict, sources: dict, sub: dict | None = None) -> Iterator[dict[str, Any]]:
        """Every bucket of a composite aggregation, page after page."""
        after = None
        while True:
            agg: dict[str, Any] = {"size": PAGE, "sources": [{k: v} for k, v in sources.items()]}
            if after:
                agg["after"] = after
            found = self._search({"query": query, "size": 0, "aggs": {
                "keys": {"composite": agg, **({"aggs": sub} if sub else {})}}})["aggregations"]["keys"]
            yield from found["buckets"]
            after = found.get("after_key")
            if not after or len(found["buckets"]) < PAGE:
                return

    # --- documents ---------------------------------------------------------

    def documents(self) -> Iterator[Document]:
        body = {"query": {"match_all": {}}, "sort": [{"id": "asc"}]}
        for page in self._pages(body):
            for hit in page["hits"]["hits"]:
                yield to_document(hit["_source"])

    def sources(self) -> list[str]:
        buckets = self._composite({"match_all": {}}, {"source": {"terms": {"field": "source"}}})
        return sorted(b["key"]["source"] for b in buckets)

    def stats(self) -> Stats:
        kinds = self._search({"size": 0, "aggs": {"kinds": {"terms": {"field": "kind"}}}})
        counts = {b["key"]: b["doc_count"] for b in kinds["aggregations"]["kinds"]["buckets"]}
        store = self._on_index(lambda index: self.client.indices.stats(index=index, metric="store"))
        size = store["indices"][self.index]["primaries"]["store"]["size_in_bytes"]
        return Stats(articles=counts.get(ARTICLE, 0), comments=counts.get(COMMENT, 0), sources=self.sources(),
                     index=self.location, index_bytes=size, schema_version=SCHEMA_VERSION, engine=self.name)

    # --- vocabulary ----------------------------------------------------------

    def doc_frequency(self, term: str) -> int:
        query = {"bool": {"should": [{"term": {"title": term}}, {"term": {"body": term}}], "minimum_should_match": 1}}
        return self._on_index(lambda index: self.client.count(index=index, body={"query": query}))["count"]

    def similar_terms(self, term: str, maxdist: int, prefix: int) -> list[str]:
        # The term suggester reads the terms dictionary; it knows at most 2 edits.
        options = {"max_edits": max(1, min(maxdist, 2)), "prefix_length": prefix, "suggest_mode": "always",
                   "size": 100, "min_word_length": 1, "accuracy": 0.0, "string_distance": "levenshtein",
                   "max_term_freq": 1_000_000_000, "min_doc_freq": 0}
        suggest = {f: {"text": term, "term": {"field": f, **options}} for f in ("title", "body")}
        found = self._search({"size": 0, "suggest": suggest})["suggest"]
        similar = {o["text"] for f in suggest for entry in found[f] for o in entry["options"]}
        if self.doc_frequency(term):
            similar.add(term)
        return sorted(similar)

    def texts_with(self, term: str, limit: int) -> list[str]:
        query = {"bool": {"should": [{"term": {"title": term}}, {"term": {"body": term}}], "minimum_should_match": 1}}
        hits = self._search({"query": query, "size": limit, "_source": ["title", "body"]})["hits"]["hits"]
        return [f"{h['_source'].get('title') or ''}\n{h['_source'].get('body') or ''}" for h in hits]

    # --- writing -------------------------------------------------------------

    def files(self) -> dict[str, FileEntry]:
        return dict(self.file_entries())

    def file_entries(self) -> Iterator[tuple[str, FileEntry]]:
        """(source, entry) of the last commit's file state, by source, read a page at a time."""
        try:
            yield from self._file_entries()
        except Exception as exc:
            raise connection.translate(exc, self.location) from exc

    def _file_entries(self) -> Iterator[tuple[str, FileEntry]]:
        name = files_index(self.index)
        if not self.client.indices.exists(index=name):
            return
        body = {"query": {"match_all": {}}, "sort": [{"source": "asc"}]}
        after = None
        while True:
            page = self.client.search(index=name, body={**body, "size": PAGE, **(
                {"search_after": after} if after else {})})["hits"]["hits"]
            for h in page:
                s = h["_source"]
                yield s["source"], FileEntry(s["path"], s["size"], s["mtime_ns"], s["sha256"], s.get("post_ids", []),
                                             s.get("clean", True))
            if len(page) < PAGE:
                return
            after = page[-1]["sort"]

    def close(self) -> None:
        self.client.close()


def _sort(sort: str) -> list[dict[str, Any]]:
    """Relevance, ``date`` (oldest first) or ``-date``; undated last; ties by id (a total order for paging)."""
    if sort == "relevance":
        return [{"_score": {"order": "desc"}}, {"id": {"order": "asc"}}]
    if sort in ("date", "-date"):
        order = "desc" if sort == "-date" else "asc"
        return [{"date": {"order": order, "missing": "_last"}}, {"id": {"order": "asc"}}]
    raise QueryError(f"--sort: unknown {sort!r}: use one of relevance, date, -date")
