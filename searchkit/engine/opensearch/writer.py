"""The ``Writer`` for OpenSearch: posts streamed in bulk, a rebuild swapped in by alias, the file state beside it.

Posts are sent in chunks with ``helpers.streaming_bulk`` (retries on 429
with backoff), up to ``SENDERS`` chunks in flight at once from a small
thread pool while the next chunk is read, so searchkit's memory holds a few
chunks however large the corpus. Each document's ``_id`` is its stable id
and its routing its post's id: running again overwrites, never duplicates.
Refresh is off while writing, so nothing new is searchable until ``commit``
refreshes and puts refresh back as it was.

A rebuild (or a first build) writes a new physical index and ``commit``
moves the alias to it in one request, then deletes the old one: searches
never see a half-built index, and ``cancel`` deletes the new index. An
incremental run writes in place: ``cancel`` drops what was not sent yet and
leaves refresh off, so what was sent stays unsearchable (OpenSearch has no
rollback: a manual ``_refresh`` or a node restart would show it); the file
state is not saved, so the next run reads those files again and its commit
puts the index right.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from searchkit.engine.base import FileEntry, FileState, Writer
from searchkit.engine.opensearch import commits, connection, filestate
from searchkit.engine.opensearch.documents import action
from searchkit.engine.opensearch.engine import files_index
from searchkit.engine.opensearch.filestate import ClusterFileState
from searchkit.engine.opensearch.settings import SCHEMA_VERSION, index_body
from searchkit.errors import SearchkitError
from searchkit.model import ARTICLE, Document, Post

CHUNK_DOCS = 500
CHUNK_BYTES = 8 * 1024 * 1024
# Bulk requests in flight at once. One request into one shard is indexed by
# one of the node's write threads: with one at a time the node's other cores
# wait, and so does the node while searchkit reads the next files.
SENDERS = 2

Failures = list[tuple[Document, Callable | None, str]]

FILES_MAPPING = {
    "dynamic": "strict",
    "properties": {
        "source": {"type": "keyword"}, "path": {"type": "keyword"},
        "size": {"type": "long"}, "mtime_ns": {"type": "long"},
        "sha256": {"type": "keyword"}, "post_ids": {"type": "keyword", "index": False}, "clean": {"type": "boolean"},
        "generation": {"type": "long"},
    },
}


class OpenSearchWriter(Writer):
    """Writes one searchkit index on OpenSearch; see the module for what ``commit`` and ``cancel`` mean."""

    def __init__(self, url: str, rebuild: bool = False, ca_cert: str | None = None, client: Any = None,
                 shards: int = 1, replicas: int | None = None, journal: Any = None):
        self.url = url
        self.journal = journal  # records each source before an in-place change (``journal.Journal``)
        self.client, self.alias = (client, connection.parse_url(url)[1]) if client else connection.client_for(
            url, ca_cert)
        self._buffer: list[tuple[dict[str, Any], Document, Callable | None]] = []
        self._bytes = 0
        self._pool: ThreadPoolExecutor | None = None
        self._in_flight: deque[Future[tuple[int, Failures]]] = deque()
        self.sent = 0
        self.articles = 0
        self.comments = 0
        self.committed = False
        try:
            current = current_index(self.client, self.alias, url)
            if current is None or rebuild:
                self.index, self.new = connection.physical_name(self.alias), True
                body = index_body(shards, replicas)
                body["settings"]["index"]["refresh_interval"] = "-1"
                self.client.indices.create(index=self.index, body=body)
                # create answers once its primaries started, or after 30 s without them (a loaded
                # node): writing then would be refused as "cluster red", so wait for them here.
                for _ in range(4):  # the API waits 30 s at a time, then answers 408 with "timed_out"
                    health = self.client.cluster.health(index=self.index, wait_for_status="yellow", ignore=408)
                    if not health.get("timed_out"):
                        break
                self._refresh_interval = None
            else:
                self.index, self.new = current, False
                mapping = self.client.indices.get_mapping(index=current)[current]["mappings"]
                connection.check_version(mapping.get("_meta"), url, SCHEMA_VERSION)
                got = self.client.indices.get_settings(index=current).get(current, {})
                interval = got.get("settings", {}).get("index", {}).get("refresh_interval")
                # "-1" is what an interrupted run of searchkit left: the default comes back at commit.
                self._refresh_interval = None if interval == "-1" else interval
                self.client.indices.put_settings(index=current, body={"index": {"refresh_interval": "-1"}})
        except Exception as exc:
            raise connection.translate(exc, url) from exc

    # --- writing ---------------------------------------------------------------

    def _touch(self, source: str) -> None:
        if self.journal is not None and not self.new:
            self.journal.touch(source)

    def delete_source(self, source: str) -> None:
        self.flush()  # what was added before stays ordered before the delete
        try:
            self._touch(source)
            self.client.delete_by_query(index=self.index, body={"query": {"term": {"source": source}}},
                                        conflicts="proceed", refresh=False, params={"slices": "auto"})
        except Exception as exc:
            raise connection.translate(exc, self.url) from exc

    def add_post(self, post: Post, on_error: Callable[[Document, Exception], None] | None = None) -> None:
        try:
            self._touch(post.article.source)
        except Exception as exc:
            raise connection.translate(exc, self.url) from exc
        for doc in post.documents:
            act = action(doc, self.index)
            self._buffer.append((act, doc, on_error))
            if doc.kind == ARTICLE:
                self.articles += 1
            else:
                self.comments += 1
            self._bytes += len(doc.body) + len(doc.title) + 200
        if len(self._buffer) >= CHUNK_DOCS or self._bytes >= CHUNK_BYTES:
            self._send_buffer()

    def flush(self) -> None:
        """Send the buffered documents and wait until every chunk sent is answered.

        A document OpenSearch refuses is reported to its ``on_error``, not fatal.
        """
        self._send_buffer()
        while self._in_flight:
            self._collect(self._in_flight.popleft())

    def _send_buffer(self) -> None:
        """Hand the buffer to a sender; with ``SENDERS`` chunks in flight, wait for the oldest first."""
        if not self._buffer:
            return
        chunk, self._buffer, self._bytes = self._buffer, [], 0
        if self.journal is not None and not self.new:
            try:
                self.journal.sent([(act["_id"], act["_routing"]) for act, _, _ in chunk])
            except Exception as exc:
                raise connection.translate(exc, self.url) from exc
        if SENDERS <= 1:
            future: Future[tuple[int, Failures]] = Future()
            try:
                future.set_result(self._send(chunk))
            except Exception as exc:
                future.set_exception(exc)
            self._collect(future)
            return
        while len(self._in_flight) >= SENDERS:
            self._collect(self._in_flight.popleft())
        if self._pool is None:
            self._pool = ThreadPoolExecutor(SENDERS, thread_name_prefix="searchkit-bulk")
        self._in_flight.append(self._pool.submit(self._send, chunk))

    def _send(self, chunk: list[tuple[dict[str, Any], Document, Callable | None]]) -> tuple[int, Failures]:
        """One chunk through ``streaming_bulk`` (in a sender thread): how many were sent, which were refused."""
        from opensearchpy import helpers

        by_id = {act["_id"]: (doc, on_error) for act, doc, on_error in chunk}
        failures: Failures = []
        for ok, item in helpers.streaming_bulk(
            self.client, (act for act, _, _ in chunk), chunk_size=CHUNK_DOCS, max_chunk_bytes=CHUNK_BYTES,
            max_retries=8, initial_backoff=1, max_backoff=30, raise_on_error=False, yield_ok=False,
        ):
            if not ok:
                result = next(iter(item.values()))
                doc, on_error = by_id[result["_id"]]
                failures.append((doc, on_error, (result.get("error") or {}).get("reason", "refused")))
        return len(chunk), failures

    def _collect(self, future: Future[tuple[int, Failures]]) -> None:
        """A sent chunk's answer, in this (the caller's) thread: refused documents reported, errors raised."""
        try:
            sent, failures = future.result()
        except Exception as exc:
            raise connection.translate(exc, self.url) from exc
        for doc, on_error, reason in failures:
            problem = SearchkitError(f"OpenSearch refused document {doc.id}: {reason}")
            if doc.kind == ARTICLE:
                self.articles -= 1
            else:
                self.comments -= 1
            if on_error is None:
                raise problem
            on_error(doc, problem)
        self.sent += sent

    def _abandon(self) -> None:
        """Wait for the chunks in flight, their errors ignored, and stop the senders (cancel, or a failure)."""
        while self._in_flight:
            self._in_flight.popleft().exception()
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    # --- commit / cancel -------------------------------------------------------------

    def commit(self, files: dict[str, FileEntry] | FileState) -> None:
        try:
            self.flush()
        except BaseException:
            self._abandon()
            raise
        self._abandon()  # nothing is in flight: the senders stop
        try:
            if isinstance(files, ClusterFileState):
                save_changes(self.client, self.index, files)
            else:
                assert isinstance(files, dict)
                save_files(self.client, self.index, files)
            self._restore_refresh()
            self.client.indices.refresh(index=self.index)
            if self.new:
                self._swap()
        except Exception as exc:
            raise connection.translate(exc, self.url) from exc
        self.committed = True
        try:  # last: a reader that sees the new marker sees the new documents (``commits``)
            commits.mark(self.client, self.alias, self.index)
        except Exception as exc:
            raise connection.translate(exc, self.url) from exc

    def _restore_refresh(self) -> None:
        """Refresh as it was before this writer (the default, 1 s, for a new index)."""
        self.client.indices.put_settings(index=self.index, body={"index": {"refresh_interval": self._refresh_interval}})

    def _swap(self) -> None:
        """Move the alias to the new index in one request, then delete the indices it leaves."""
        old = sorted(self.client.indices.get_alias(name=self.alias)) if self.client.indices.exists_alias(
            name=self.alias) else []
        actions: list[dict[str, Any]] = [{"remove": {"index": i, "alias": self.alias}} for i in old]
        actions.append({"add": {"index": self.index, "alias": self.alias}})
        self.client.indices.update_aliases(body={"actions": actions})
        for i in old:
            self.client.indices.delete(index=f"{i},{files_index(i)}", ignore_unavailable=True)

    def cancel(self) -> None:
        """Drop what was not sent; a new build is deleted, an index written in place keeps refresh off."""
        self._buffer, self._bytes = [], 0
        # A bulk still in flight into a deleted index would create it again (without searchkit's mapping).
        self._abandon()
        if self.committed or not self.new:
            return
        try:
            self.client.indices.delete(index=f"{self.index},{files_index(self.index)}", ignore_unavailable=True)
        except Exception as exc:
            raise connection.translate(exc, self.url) from exc


def current_index(client: Any, alias: str, url: str) -> str | None:
    """The physical index the alias points to, None when there is none yet."""
    if client.indices.exists_alias(name=alias):
        return sorted(client.indices.get_alias(name=alias))[-1]
    if client.indices.exists(index=alias):
        raise SearchkitError(f"{url}: {alias!r} is an index, not the alias searchkit writes through: "
                             "delete it or choose another name")
    return None


def save_changes(client: Any, physical: str, state: ClusterFileState) -> None:
    """Write what a run changed in the file state kept beside ``physical`` (its other entries stay as they are)."""
    filestate.save(client, _files_index_made(client, physical), state.changes())


def _files_index_made(client: Any, physical: str) -> str:
    """The file-state index of ``physical``, created if it is not there yet."""
    name = files_index(physical)
    if not client.indices.exists(index=name):
        client.indices.create(index=name, body={
            "settings": {"index": {"number_of_shards": 1, "auto_expand_replicas": "0-1"}},
            "mappings": FILES_MAPPING})
    return name


def save_files(client: Any, physical: str, files: dict[str, FileEntry]) -> None:
    """Replace the whole file state (by source name) kept beside ``physical``: the new generation, then older ones
    deleted (a writer given the file state as a dict; a run gives its ``ClusterFileState`` to ``save_changes``)."""
    from opensearchpy import helpers

    name = _files_index_made(client, physical)
    found = client.search(index=name, body={"size": 0, "aggs": {"g": {"max": {"field": "generation"}}}})
    generation = int(found["aggregations"]["g"]["value"] or 0) + 1
    helpers.bulk(client, ({
        "_index": name, "_id": source, "_source": {
            "source": source, "path": entry.path, "size": entry.size, "mtime_ns": entry.mtime_ns,
            "sha256": entry.sha256, "post_ids": entry.post_ids, "clean": entry.clean, "generation": generation}}
        for source, entry in files.items()), chunk_size=CHUNK_DOCS, max_retries=8)
    client.indices.refresh(index=name)
    # Not only older generations: the entries a run saved by difference carry none.
    client.delete_by_query(index=name, body={"query": {"bool": {"must_not": {"term": {"generation": generation}}}}},
                           conflicts="proceed")
    client.indices.refresh(index=name)
