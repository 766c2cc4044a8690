"""One writer per OpenSearch index: a lock document in a small control index, with its holder and an expiry.

The lock for the alias ``blogs`` is the document ``blogs`` of the index
``searchkit-control``, created with ``op_type=create``: OpenSearch creates a
document id once, so of two writers exactly one succeeds, whatever machine
each runs on. The document names its holder (pid, host, start time) so a
waiting writer can say who writes, and carries an expiry the holder pushes
forward every ``RENEW`` seconds while it runs. A killed writer stops renewing:
once its expiry has passed (or at once, when it ran on this host and its pid
is gone) the next writer takes the lock over, replacing the document only if
it is still the one it read (``if_seq_no``), and says so in a note.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from datetime import UTC, datetime
from typing import Any

from searchkit.engine.holder import describe_holder, holder_ended
from searchkit.errors import IndexLockedError

CONTROL_INDEX = "searchkit-control"
TTL = 60.0  # seconds a lock lives without being renewed
RENEW = 15.0
POLL = 0.25

CONTROL_BODY = {
    "settings": {"index": {"number_of_shards": 1, "auto_expand_replicas": "0-1"}},
    "mappings": {"dynamic": False, "properties": {
        "expires": {"type": "double"}, "alias": {"type": "keyword"}, "kind": {"type": "keyword"},
        "source": {"type": "keyword"}}},
}


class OpenSearchLock:
    """The writer lock of the index ``alias``; ``stale`` holds a dead holder's details once taken over."""

    def __init__(self, client: Any, alias: str, url: str, wait: float):
        self.client, self.alias, self.url = client, alias, url
        self.wait = max(0.0, float(wait))
        self.stale: dict | None = None
        self._version: tuple[int, int] | None = None  # (seq_no, primary_term) of our document
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None

    def acquire(self) -> None:
        from opensearchpy.exceptions import ConflictError

        control_index(self.client)
        deadline = time.monotonic() + self.wait
        while True:
            try:
                made = self.client.create(index=CONTROL_INDEX, id=self.alias, body=self._info(), refresh="true")
                self._version = (made["_seq_no"], made["_primary_term"])
                break
            except ConflictError:
                pass
            held = self.client.get(index=CONTROL_INDEX, id=self.alias, ignore=404)
            if not held.get("found"):
                continue  # released between the two requests
            holder = held["_source"]
            if holder.get("expires", 0) < time.time() or holder_ended(holder):
                if self._take_over(held):
                    break
                continue
            if time.monotonic() >= deadline:
                raise IndexLockedError(
                    f"the index at {self.url} is being written by another searchkit process "
                    f"({describe_holder(holder)}); waited {self.wait:g}s: try again when it is done, "
                    f"or wait longer with --wait SECONDS")
            time.sleep(POLL)
        self._renewer = threading.Thread(target=self._renew, name="searchkit-lock", daemon=True)
        self._renewer.start()

    def _take_over(self, held: dict) -> bool:
        """Replace a dead holder's document, unless someone else did first."""
        from opensearchpy.exceptions import ConflictError

        try:
            made = self.client.index(index=CONTROL_INDEX, id=self.alias, body=self._info(), refresh="true",
                                     if_seq_no=held["_seq_no"], if_primary_term=held["_primary_term"])
        except ConflictError:
            return False
        self.stale = held["_source"]
        self._version = (made["_seq_no"], made["_primary_term"])
        return True

    def _info(self) -> dict[str, Any]:
        return {"pid": os.getpid(), "host": socket.gethostname(),
                "started": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "expires": time.time() + TTL}

    def _renew(self) -> None:
        """Push the expiry forward while the run lasts (a daemon thread: it dies with the process)."""
        while not self._stop.wait(RENEW):
            if self._version is None:
                return
            try:
                held = self.client.get(index=CONTROL_INDEX, id=self.alias)
                seq, term = self._version
                if (held["_seq_no"], held["_primary_term"]) != (seq, term):
                    return  # no longer ours
                body = {**held["_source"], "expires": time.time() + TTL}
                made = self.client.index(index=CONTROL_INDEX, id=self.alias, body=body, if_seq_no=seq,
                                         if_primary_term=term)
                self._version = (made["_seq_no"], made["_primary_term"])
            except Exception:  # a lost renewal shortens the lock; the run itself goes on
                continue

    def release(self) -> None:
        """Delete our lock document (only if it still is ours)."""
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join(timeout=5)
        if self._version is None:
            return
        seq, term = self._version
        self._version = None
        try:
            self.client.delete(index=CONTROL_INDEX, id=self.alias, if_seq_no=seq, if_primary_term=term,
                               refresh="true", ignore=[404, 409])
        except Exception:  # unreachable now: the expiry frees it
            pass


def control_index(client: Any, *, upgrade: bool = True) -> None:
    """Create the control index with its mapping if it is missing (and, with ``upgrade``, add the fields an
    earlier searchkit's lacks). A document written into a missing index would create it with guessed types."""
    from opensearchpy.exceptions import RequestError

    if not client.indices.exists(index=CONTROL_INDEX):
        try:
            client.indices.create(index=CONTROL_INDEX, body=CONTROL_BODY)
            return
        except RequestError as exc:  # another writer created it first
            if exc.error != "resource_already_exists_exception":
                raise
    if upgrade:  # made by an earlier searchkit: the fields added since (adding fields is always allowed)
        client.indices.put_mapping(index=CONTROL_INDEX, body=CONTROL_BODY["mappings"])
