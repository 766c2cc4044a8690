"""searchkit on an OpenSearch cluster: index settings, query compiler, engine, writer and write session.

``--index`` takes a folder or a URL; for a URL ``searchkit.engine`` opens
``engine.OpenSearchEngine`` to read and ``session.OpenSearchSession`` (lock,
journal, file state, rebuild swap) to write, instead of the Whoosh ones. The
client library is imported only when an OpenSearch index is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from searchkit.engine.opensearch.connection import is_url

if TYPE_CHECKING:
    from searchkit.engine.opensearch.engine import OpenSearchEngine
    from searchkit.engine.opensearch.writer import OpenSearchWriter

__all__ = ["is_url", "open_engine", "open_writer"]


def open_engine(url: str, ca_cert: str | None = None) -> OpenSearchEngine:
    """The searchkit index at ``url``, opened for reading."""
    from searchkit.engine.opensearch.engine import OpenSearchEngine

    return OpenSearchEngine(url, ca_cert=ca_cert)


def open_writer(url: str, rebuild: bool = False, ca_cert: str | None = None) -> OpenSearchWriter:
    """A writer for the index at ``url``: a new build swapped in at commit when ``rebuild`` (or none exists)."""
    from searchkit.engine.opensearch.writer import OpenSearchWriter

    return OpenSearchWriter(url, rebuild=rebuild, ca_cert=ca_cert)
