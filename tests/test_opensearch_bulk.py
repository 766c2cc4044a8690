"""The OpenSearch writer's bulk path with several chunks in flight: nothing lost, refusals reported, cancel clean."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest

from searchkit.model import ARTICLE, COMMENT, Document, Post

pytestmark = [pytest.mark.opensearch, pytest.mark.timeout(300)]


def posts(n: int, bad_every: int = 0) -> list[Post]:
    """``n`` posts of one article and three comments; with ``bad_every``, every such comment is refused."""
    out = []
    for i in range(n):
        article = Document(id=f"p{i}", kind=ARTICLE, post_id=f"p{i}", title=f"Titre {i}", body=f"Corps {i}",
                           source="s.xml")
        comments = [Document(id=f"p{i}-c{j}", kind=COMMENT, post_id=f"p{i}", title=article.title,
                             body=f"Commentaire {i} {j}", source="s.xml", number=j) for j in range(3)]
        if bad_every and i % bad_every == 0:
            comments[1] = replace(comments[1], number=2**40)  # beyond an integer field: refused by OpenSearch
        out.append(Post(article, comments))
    return out


@pytest.fixture
def small_chunks(monkeypatch):
    from searchkit.engine.opensearch import writer

    monkeypatch.setattr(writer, "CHUNK_DOCS", 7)  # 40 posts of 4 documents: 23 chunks
    monkeypatch.setattr(writer, "SENDERS", 2)


def test_chunks_sent_two_at_a_time_lose_nothing_and_report_every_refused_document(node_url, small_chunks):
    from searchkit.engine.opensearch import open_engine, open_writer

    url = f"{node_url}/test-bulk-{uuid.uuid4().hex[:8]}"
    refused: list[str] = []
    writer = open_writer(url)
    try:
        for post in posts(40, bad_every=5):
            writer.add_post(post, on_error=lambda doc, exc: refused.append(doc.id))
        writer.commit({})
        assert refused == [f"p{i}-c1" for i in range(0, 40, 5)]  # in the order they were written
        stats = open_engine(url).stats()
        assert (stats.articles, stats.comments) == (40, 120 - 8)
        assert (writer.articles, writer.comments) == (40, 120 - 8)
    finally:
        writer.client.indices.delete(index=f"{writer.alias}-*")


def test_a_refused_document_without_a_handler_fails_the_run_after_the_chunks_in_flight(node_url, small_chunks):
    from searchkit.engine.opensearch import open_writer
    from searchkit.errors import SearchkitError

    url = f"{node_url}/test-bulk-{uuid.uuid4().hex[:8]}"
    writer = open_writer(url, rebuild=True)
    with pytest.raises(SearchkitError, match="OpenSearch refused document p5-c1"):
        for post in posts(40, bad_every=5)[1:]:  # the first refused document is p5-c1
            writer.add_post(post)
        writer.commit({})
    writer.cancel()
    assert not writer.client.indices.exists(index=writer.index)  # no chunk still in flight recreated it
    assert not writer.client.indices.exists_alias(name=writer.alias)


def test_a_cancelled_build_leaves_no_index_even_with_chunks_in_flight(node_url, small_chunks, monkeypatch):
    import time

    from opensearchpy import helpers

    from searchkit.engine.opensearch import open_writer

    real = helpers.streaming_bulk

    def slow_bulk(*args, **kwargs):  # the last chunks are still on their way when cancel comes
        time.sleep(1)
        yield from real(*args, **kwargs)

    monkeypatch.setattr(helpers, "streaming_bulk", slow_bulk)
    url = f"{node_url}/test-bulk-{uuid.uuid4().hex[:8]}"
    writer = open_writer(url, rebuild=True)
    for post in posts(10):
        writer.add_post(post)
    writer.cancel()
    time.sleep(3)  # a chunk cancel did not wait for would have landed by now, and created the index again
    assert writer.client.indices.get_alias(index=f"{writer.alias}-*", expand_wildcards="all") == {}
