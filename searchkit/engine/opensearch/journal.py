"""What an incremental run on OpenSearch has begun to change, kept in the control index until its commit.

OpenSearch has no rollback: an incremental run writes in place, with refresh
off, and what it sent stays in the index if it is interrupted. So before the
writer first deletes or adds anything of a source, it records that source
here (one small document per source), and before each bulk request the ids
it sends (one document per request); the commit clears the records. The
next run finds the records of an interrupted one, deletes every document it
had sent, by id (a delete by query would not see documents never
refreshed), and reads the sources it had touched again (their file state
marked unclean), so the index comes back to what the files say.
"""

from __future__ import annotations

import hashlib
from typing import Any

from searchkit.engine.opensearch.lock import CONTROL_INDEX

KIND = "touched"
SENT = "sent"


class Journal:
    """The sources the current run of the index ``alias`` has touched."""

    def __init__(self, client: Any, alias: str):
        self.client, self.alias = client, alias
        self._seen: set[str] = set()

    def _id(self, source: str) -> str:
        return f"{self.alias}:{KIND}:{hashlib.sha1(source.encode('utf-8')).hexdigest()}"

    def touch(self, source: str) -> None:
        """Record ``source`` before its first change is sent (once per run)."""
        if source in self._seen:
            return
        self.client.index(index=CONTROL_INDEX, id=self._id(source),
                          body={"alias": self.alias, "kind": KIND, "source": source}, refresh="true")
        self._seen.add(source)

    def sent(self, docs: list[tuple[str, str]]) -> None:
        """Record the (id, routing) of the documents about to be sent."""
        self.client.index(index=CONTROL_INDEX, body={"alias": self.alias, "kind": SENT, "docs": docs}, refresh="true")

    def sent_documents(self) -> list[tuple[str, str]]:
        """The (id, routing) of every document an interrupted run had sent."""
        query = {"bool": {"filter": [{"term": {"alias": self.alias}}, {"term": {"kind": SENT}}]}}
        found = self.client.search(index=CONTROL_INDEX, body={"query": query, "size": 10_000}, ignore=404)
        return [(i, r) for h in found.get("hits", {}).get("hits", []) for i, r in h["_source"]["docs"]]

    def sources(self) -> set[str]:
        """The sources an interrupted run had begun to change."""
        query = {"bool": {"filter": [{"term": {"alias": self.alias}}, {"term": {"kind": KIND}}]}}
        found = self.client.search(index=CONTROL_INDEX, body={"query": query, "size": 10_000, "_source": ["source"]},
                                   ignore=404)
        return {h["_source"]["source"] for h in found.get("hits", {}).get("hits", [])}

    def clear(self) -> None:
        """Forget every record (after a commit: the file state describes the index again)."""
        query = {"bool": {"filter": [{"term": {"alias": self.alias}}, {"terms": {"kind": [KIND, SENT]}}]}}
        self.client.delete_by_query(index=CONTROL_INDEX, body={"query": query}, refresh=True, conflicts="proceed",
                                    ignore=404)
        self._seen.clear()
