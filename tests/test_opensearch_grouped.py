"""Grouped results on OpenSearch have no cut: beyond 10,000 posts (``collapse``'s window) and beyond 1,000
matching documents in one post (the inner hits' window), every post and every hit is there."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from searchkit.engine.base import RankedPosts, Selection
from searchkit.engine.opensearch import engine as opensearch_engine
from searchkit.engine.opensearch.engine import OpenSearchEngine
from searchkit.engine.opensearch.lock import CONTROL_INDEX
from searchkit.ingest import index_paths, index_posts
from searchkit.model import Document, Post
from searchkit.query import parse
from tests.conftest import FIXTURES, SAMPLE

pytestmark = pytest.mark.opensearch


@pytest.fixture(scope="module")
def client(os_client):
    return os_client


def drop(client, name: str) -> None:
    client.indices.delete(index=f"{name}*", ignore_unavailable=True, expand_wildcards="all")
    for doc in (name, f"{name}:commit"):
        client.delete(index=CONTROL_INDEX, id=doc, ignore=[404])


@pytest.fixture(scope="module")
def core(node_url, client):
    name = f"test-grouped-{uuid.uuid4().hex[:8]}"
    url = f"{node_url}/{name}"
    index_paths([SAMPLE, FIXTURES / "threads" / "sante-numerique.xml", FIXTURES / "wxr" / "small-blog.xml"], url)
    yield url
    drop(client, name)


def ranked_posts(url: str, query: str, sort: str, limit: int | None, offset: int = 0) -> RankedPosts:
    engine = OpenSearchEngine(url)
    try:
        return engine.ranked_posts(Selection(parse(query)), sort, limit, offset)
    finally:
        engine.close()


def groups(url: str, query: str, sort: str, limit: int | None, offset: int = 0) -> list[tuple[str, list]]:
    """Posts in rank order, each with its hits (id, score) in rank order."""
    found = ranked_posts(url, query, sort, limit, offset)
    return [(post, [(doc.id, score) for doc, score in hits]) for post, hits in found.posts]


@pytest.mark.parametrize("query, sort", [("santé OR microsoft", "relevance"), ("santé OR microsoft", "date"),
                                         ("kind:comment OR kind:article", "-date")])
def test_past_both_windows_the_groups_are_those_of_collapse(core, monkeypatch, query, sort):
    whole = groups(core, query, sort, None)
    assert len(whole) >= 3 and len(whole[0][1]) >= 2  # the narrowed windows below are passed
    page = groups(core, query, sort, 1, offset=1)
    assert page == whole[1:2]
    # The same searches with windows of 1 post and 1 hit a post: paged past them, nothing changes.
    monkeypatch.setattr(opensearch_engine, "WINDOW", 1)
    monkeypatch.setattr(opensearch_engine, "INNER_HITS", 1)
    for got, expected in ((groups(core, query, sort, None), whole),
                          (groups(core, query, sort, 1, offset=1), page),
                          (groups(core, query, sort, 1), whole[:1])):  # collapse, the post's other hits paged
        assert [(post, [doc for doc, _ in hits]) for post, hits in got] == [
            (post, [doc for doc, _ in hits]) for post, hits in expected]
        assert [score for _, hits in got for _, score in hits] == pytest.approx(
            [score for _, hits in expected for _, score in hits])


def many_posts(n_posts: int, big_comments: int) -> list[Post]:
    """``n_posts`` one-article posts about « ruche », and one article with ``big_comments`` comments about it."""
    start = datetime(2020, 1, 1, tzinfo=UTC)
    posts = []
    for i in range(n_posts):
        article = Document(id=f"p{i:05d}", kind="article", post_id=f"p{i:05d}", title=f"Billet {i}",
                           body=f"Une ruche numéro {i}.", source="generated.jsonl", date=start + timedelta(hours=i))
        posts.append(Post(article, []))
    big = Document(id="big", kind="article", post_id="big", title="Le rucher", body="Une ruche de plus.",
                   source="generated.jsonl", date=start)
    comments = [Document(id=f"big-c{j:04d}", kind="comment", post_id="big", title="", number=j + 1,
                         body=f"Ma ruche à moi, la {j}e.", source="generated.jsonl",
                         date=start + timedelta(minutes=j)) for j in range(big_comments)]
    posts.append(Post(big, comments))
    return posts


@pytest.mark.slow
@pytest.mark.timeout(900)  # a hang guard: some 12,000 documents on a loaded machine
def test_more_than_10000_posts_and_1000_hits_in_one_post_are_all_shown(node_url, client):
    name = f"test-grouped-big-{uuid.uuid4().hex[:8]}"
    url = f"{node_url}/{name}"
    try:
        index_posts(many_posts(10_050, 1_200), url)
        for sort in ("date", "relevance"):
            found = ranked_posts(url, "ruche", sort, None)
            assert (found.total, found.total_posts, len(found.posts)) == (10_051 + 1_200, 10_051, 10_051)
            assert len({post for post, _ in found.posts}) == 10_051
            big = next(hits for post, hits in found.posts if post == "big")
            assert len(big) == 1 + 1_200 and len({doc.id for doc, _ in big}) == 1 + 1_200
            # A page past the 10,000th post is the same posts as in the whole list.
            page = ranked_posts(url, "ruche", sort, 3, offset=10_000)
            assert [post for post, _ in page.posts] == [post for post, _ in found.posts[10_000:10_003]]
        first = groups(url, "ruche", "date", 1)  # by collapse (in the window): big is first, every hit paged
        assert first[0][0] == "big" and len(first[0][1]) == 1 + 1_200
    finally:
        drop(client, name)
