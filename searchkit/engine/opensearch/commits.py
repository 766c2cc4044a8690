"""The commit marker of an index: which build its alias points to and which commit it holds, for ``current()``.

Every commit of a writer, incremental or a swapped-in rebuild, ends by
writing the document ``<alias>:commit`` of the control index
(``searchkit-control``, beside the lock) with the physical index and a new
random commit id. An engine reads it when it opens and again in
``current()``: one real-time GET by id (no refresh needed, a few
milliseconds), so a long-lived reader such as ``searchkit serve`` notices
another process's commit the way a folder index's reader does. The marker
is written only once the commit is searchable (refreshed, alias moved):
whoever reads the new marker sees the new documents. An engine reads the
marker before it resolves the alias, so a commit in between makes it reopen
once more, never miss a commit.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from searchkit.engine.opensearch.lock import CONTROL_INDEX, control_index

KIND = "commit"


def _id(alias: str) -> str:
    return f"{alias}:{KIND}"


def mark(client: Any, alias: str, physical: str) -> None:
    """Record a new commit of the index ``alias``, now held by ``physical``."""
    control_index(client, upgrade=False)  # a writer used without a session (tests, tools) took no lock
    client.index(index=CONTROL_INDEX, id=_id(alias), body={
        "alias": alias, "kind": KIND, "index": physical, "commit": uuid.uuid4().hex,
        "committed": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")})


def last(client: Any, alias: str) -> tuple[str, str] | None:
    """(physical index, commit id) of the last commit of ``alias``; None before searchkit marked any."""
    found = client.get(index=CONTROL_INDEX, id=_id(alias), ignore=404)
    if not found.get("found"):
        return None
    return found["_source"]["index"], found["_source"]["commit"]
