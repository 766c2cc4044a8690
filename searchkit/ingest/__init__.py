"""Indexing: walk the corpus, plan what changed, read files with their readers, write posts through an engine."""

from searchkit.ingest.run import DEFAULT_WAIT, Summary, index_paths, index_posts

__all__ = ["DEFAULT_WAIT", "Summary", "index_paths", "index_posts"]
