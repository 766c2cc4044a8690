"""Writing an OpenSearch index: the write session of ``searchkit index … --index URL`` (lock, file state, rebuild).

``OpenSearchSession`` is what ``searchkit.engine.open_writer`` returns for a
URL, with the contract of the folder index's session: it takes the index's
writer lock (``lock.OpenSearchLock``, waiting up to ``--wait``), removes
what a killed ``--rebuild`` left (a physical index no alias points to), loads
the file state of the last commit, kept in the cluster beside the index
(``<physical>.files``), into a temporary SQLite copy a page at a time
(``filestate.ClusterFileState``: memory does not grow with the number of
files, and a commit writes back only the entries the run changed), and gives
an ``OpenSearchWriter``.

What an interrupted run keeps: a first build or a ``--rebuild`` writes a new
physical index that the alias points to only after its commit, so searches
keep the last commit whole (the new index is deleted at once on an error or
Ctrl-C, by the next run when the writer was killed). An incremental run
writes in place with refresh off: searches keep seeing the last commit, but
the changes already sent are in the index (OpenSearch has no rollback) and
would show after a manual ``_refresh`` or a node restart. The sources it had
begun to change are in the journal (``journal.Journal``), so the next run
reads them again (or deletes the posts of one the last commit never had) and
its commit makes the index what the files say.

Shards and replicas (``--shards``/``--replicas``) lay out the physical index
a build creates; without them a ``--rebuild`` keeps the layout of the index
it replaces and a first build takes one shard, with one replica once the
cluster has two nodes. An incremental run keeps the index as it is: it
changes the replicas when asked (a live setting), and refuses another number
of shards (fixed when an index is created: ``--rebuild`` changes it).
"""

from __future__ import annotations

import dataclasses
import re

from searchkit.engine.base import FileState
from searchkit.engine.base import WriteSession as BaseWriteSession
from searchkit.engine.holder import describe_holder
from searchkit.engine.opensearch import connection
from searchkit.engine.opensearch.engine import OpenSearchEngine, files_index
from searchkit.engine.opensearch.filestate import ClusterFileState
from searchkit.engine.opensearch.journal import Journal
from searchkit.engine.opensearch.lock import OpenSearchLock
from searchkit.engine.opensearch.writer import OpenSearchWriter, current_index, save_changes
from searchkit.errors import SearchkitError


class OpenSearchSession(BaseWriteSession):
    """One ``searchkit index`` run's hold on an OpenSearch index; use as a context manager."""

    engine = "opensearch"

    def __init__(self, url: str, rebuild: bool, wait: float, ca_cert: str | None = None, *,
                 shards: int | None = None, replicas: int | None = None):
        self.url = url
        self.rebuild = rebuild
        self.shards, self.replicas = shards, replicas
        self.wait = wait
        self.ca_cert = ca_cert
        self.notes: list[str] = []
        self.state: ClusterFileState | None = None  # the last commit's file state, loaded on entering
        self.current: str | None = None
        self._writer: OpenSearchWriter | None = None
        self._lock: OpenSearchLock | None = None

    def __enter__(self) -> OpenSearchSession:
        try:
            self.client, self.alias = connection.client_for(self.url, self.ca_cert)
            self._lock = OpenSearchLock(self.client, self.alias, self.url, self.wait)
            self._lock.acquire()
            if self._lock.stale:
                self.notes.append(
                    f"the previous writer ({describe_holder(self._lock.stale)}) ended without finishing; "
                    f"its lock was taken over and the index kept its last commit")
            self.current = current_index(self.client, self.alias, self.url)
            self._remove_orphans()
            self.journal = Journal(self.client, self.alias)
            if self.current is not None and not self.rebuild:
                # Refuses an index of another searchkit version or a red cluster before any work.
                self.state = ClusterFileState(OpenSearchEngine(self.url, client=self.client).file_entries())
                self._relayout()
                self._settle(self.journal.sources())
            elif self.current is not None:
                self._inherit_layout()
            if self.replicas:
                self._check_room()
        except BaseException as exc:
            self._release()
            if isinstance(exc, Exception):
                raise connection.translate(exc, self.url) from exc
            raise
        return self

    def _settle(self, touched: set[str]) -> None:
        """Undo what an interrupted incremental run left: its sources are read again, or deleted if new."""
        if not touched:
            return
        self.notes.append(f"the previous run was interrupted: the {len(touched)} file(s) it had begun to write "
                          "are read again")
        from opensearchpy import helpers

        # Never refreshed, so only by id: a delete by query would not see them.
        sent = self.journal.sent_documents()
        helpers.bulk(self.client, ({"_op_type": "delete", "_index": self.current, "_id": i, "_routing": r}
                                   for i, r in sent), raise_on_error=False, chunk_size=1000)
        assert self.state is not None
        known = False
        for source in sorted(touched):
            entry = self.state.get(source)
            if entry is not None:
                self.state.put(source, dataclasses.replace(entry, sha256="", size=-1, clean=False))
                known = True
        if not known:
            # Nothing left to read again: the index is the last commit once refreshed.
            self.client.indices.put_settings(index=self.current, body={"index": {"refresh_interval": None}})
            self.client.indices.refresh(index=self.current)
            self.journal.clear()

    def _layout(self) -> tuple[int, str | None]:
        """The current index's number of shards, and its replicas setting (None: automatic, 0-1)."""
        assert self.current is not None
        got = self.client.indices.get_settings(index=self.current)[self.current]["settings"]["index"]
        auto = got.get("auto_expand_replicas", "false") not in ("false", False)
        return int(got["number_of_shards"]), None if auto else str(got.get("number_of_replicas", "1"))

    def _relayout(self) -> None:
        """An incremental run: the shards asked must be the index's; replicas asked are set in place."""
        if self.shards is None and self.replicas is None:
            return
        assert self.current is not None
        shards, replicas = self._layout()
        if self.shards is not None and self.shards != shards:
            raise SearchkitError(f"{self.url}: the index has {shards} shard(s), and shards are set when an index "
                                 f"is built: add --rebuild to build it again with --shards {self.shards}")
        if self.replicas is not None and replicas != str(self.replicas):
            self.client.indices.put_settings(index=self.current, body={"index": {
                "auto_expand_replicas": False, "number_of_replicas": self.replicas}})
            before = "automatic, 0-1" if replicas is None else replicas
            self.notes.append(f"the index now has {self.replicas} replica(s) of each shard (before: {before})")

    def _inherit_layout(self) -> None:
        """A ``--rebuild``: what was not asked is as in the index it replaces."""
        shards, replicas = self._layout()
        if self.shards is None:
            self.shards = shards
        if self.replicas is None and replicas is not None:
            self.replicas = int(replicas)

    def _check_room(self) -> None:
        """Say so when the cluster has too few nodes for the replicas asked (the index would stay yellow)."""
        nodes = self.client.cluster.health()["number_of_data_nodes"]
        if self.replicas is not None and self.replicas >= nodes:
            self.notes.append(f"{self.replicas} replica(s) of each shard need {self.replicas + 1} data nodes and the "
                              f"cluster has {nodes}: a replica is never on its primary's node, so the index stays "
                              "yellow until nodes join")

    def _remove_orphans(self) -> None:
        """Delete the builds of this alias no alias points to: a killed ``--rebuild`` left them."""
        own = re.compile(re.escape(self.alias) + r"-\d{8}-\d{6}-\d{6}(\.files)?")
        found = self.client.indices.get_alias(index=f"{self.alias}-*", expand_wildcards="all", ignore=404)
        live = {self.current, files_index(self.current)} if self.current else set()
        orphans = [name for name, info in found.items() if isinstance(info, dict)
                   and own.fullmatch(name) and name not in live and not info.get("aliases")]
        if orphans:
            self.client.indices.delete(index=",".join(orphans), ignore_unavailable=True)

    @property
    def fresh(self) -> bool:
        """The run builds a new index (none yet, or ``--rebuild``): nothing old is kept."""
        return self.rebuild or self.current is None

    def writer(self) -> OpenSearchWriter:
        if self._writer is None:
            self._writer = OpenSearchWriter(self.url, rebuild=self.fresh, client=self.client, journal=self.journal,
                                            shards=self.shards or 1, replicas=self.replicas)
        return self._writer

    def file_state(self) -> ClusterFileState:
        """The run's file state: the last commit's (loaded on entering), or an empty one for a new build."""
        if self.fresh or self.state is None:
            return ClusterFileState()
        return self.state

    def commit(self, state: FileState) -> None:
        assert isinstance(state, ClusterFileState)
        self.writer().commit(state)

    def remember_state(self, state: FileState) -> None:
        """Record touched-but-identical files' new stat data, the index itself unchanged."""
        assert isinstance(state, ClusterFileState)
        if self.current is None:
            return
        try:
            save_changes(self.client, self.current, state)
        except Exception as exc:
            raise connection.translate(exc, self.url) from exc

    def discard(self, state: FileState) -> None:
        assert isinstance(state, ClusterFileState)
        state.close()
        if state is self.state:
            self.state = None

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if self._writer is not None and exc_type is not None:
                self._writer.cancel()
            elif self._writer is not None and self._writer.committed:
                self.journal.clear()  # the file state describes the index again
        except Exception as err:
            if exc_type is None:
                raise connection.translate(err, self.url) from err
        finally:
            self._release()

    def _release(self) -> None:
        if self.state is not None:
            self.state.close()
            self.state = None
        if self._lock is not None:
            self._lock.release()
            self._lock = None


def index_exists(url: str, ca_cert: str | None = None) -> bool:
    """Whether the alias (or an index) named by ``url`` exists on its server."""
    client, name = connection.client_for(url, ca_cert)
    try:
        return bool(client.indices.exists_alias(name=name) or client.indices.exists(index=name))
    except Exception as exc:
        raise connection.translate(exc, url) from exc
    finally:
        client.close()
