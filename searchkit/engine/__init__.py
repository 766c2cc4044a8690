"""Index engines behind one interface (``base.Engine``), chosen from where the index is.

``open_engine``, ``open_writer`` and ``exists`` are the only doors: a folder
path opens the embedded Whoosh engine; an ``http://``/``https://`` URL
(``http://host:9200/blogs``) an OpenSearch index (``engine.opensearch``).
"""

from __future__ import annotations

from searchkit.engine.base import Engine, WriteSession
from searchkit.errors import SearchkitError


def is_url(location: str) -> bool:
    """
    >>> is_url("http://127.0.0.1:9200/blogs"), is_url("index"), is_url("HTTPS://x/y")
    (True, False, True)
    """
    return location.lower().startswith(("http://", "https://"))


def _url(location: str) -> str:
    """The URL with its scheme in lowercase (``HTTP://`` is the same server)."""
    scheme, rest = location.split("://", 1)
    return f"{scheme.lower()}://{rest}"


def open_engine(location: str) -> Engine:
    """The engine reading the index at ``location`` (its last commit)."""
    if is_url(location):
        from searchkit.engine.opensearch.engine import OpenSearchEngine

        return OpenSearchEngine(_url(location))
    from searchkit.engine.whoosh.searcher import WhooshEngine

    return WhooshEngine(location)


def open_writer(location: str, rebuild: bool = False, wait: float = 5.0, *,
                shards: int | None = None, replicas: int | None = None) -> WriteSession:
    """A write session on the index at ``location`` (a context manager; see ``base.WriteSession``).

    ``shards`` and ``replicas`` lay out an OpenSearch index (None: as it is, or
    the defaults for a new one); a folder index has neither. Nothing is read
    or written before the session is entered.
    """
    if is_url(location):
        from searchkit.engine.opensearch.session import OpenSearchSession

        return OpenSearchSession(_url(location), rebuild, wait, shards=shards, replicas=replicas)
    if shards is not None or replicas is not None:
        raise SearchkitError(f"{location}: --shards and --replicas lay out an OpenSearch index "
                             "(--index http://host:9200/name); a folder index has neither")
    from searchkit.engine.whoosh.writer import write_session

    return write_session(location, rebuild, wait)


def exists(location: str) -> bool:
    """Whether an index (even a damaged one) is at ``location``."""
    if is_url(location):
        from searchkit.engine.opensearch.session import index_exists

        return index_exists(_url(location))
    from pathlib import Path

    from searchkit.engine.whoosh import storage

    return storage.exists(Path(location))
