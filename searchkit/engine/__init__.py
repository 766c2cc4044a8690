"""Index engines behind one interface (``base.Engine``), chosen from where the index is.

``open_engine`` and ``open_writer`` are the only doors: a folder path opens
the embedded Whoosh engine; an ``http://``/``https://`` URL is an OpenSearch
index (not available yet).
"""

from __future__ import annotations

from searchkit.engine.base import Engine
from searchkit.errors import SearchkitError


def is_url(location: str) -> bool:
    """
    >>> is_url("http://127.0.0.1:9200/blogs"), is_url("index"), is_url("HTTPS://x/y")
    (True, False, True)
    """
    return location.lower().startswith(("http://", "https://"))


def _refuse_url(location: str) -> SearchkitError:
    return SearchkitError(f"{location}: OpenSearch indexes are not supported by this version of searchkit; "
                          f"give a folder to --index")


def open_engine(location: str) -> Engine:
    """The engine reading the index at ``location`` (its last commit)."""
    if is_url(location):
        raise _refuse_url(location)
    from searchkit.engine.whoosh.searcher import WhooshEngine

    return WhooshEngine(location)


def open_writer(location: str, rebuild: bool = False, wait: float = 5.0):
    """A write session on the index at ``location`` (a context manager; see ``whoosh.writer.WriteSession``)."""
    if is_url(location):
        raise _refuse_url(location)
    from searchkit.engine.whoosh.writer import write_session

    return write_session(location, rebuild, wait)


def exists(location: str) -> bool:
    """Whether an index (even a damaged one) is at ``location``."""
    if is_url(location):
        return False
    from pathlib import Path

    from searchkit.engine.whoosh import storage

    return storage.exists(Path(location))
