"""The OpenSearch engine and writer on a real node, against the Whoosh index of the same documents."""

from __future__ import annotations

import uuid
from collections import defaultdict

import pytest

pytest.importorskip("searchkit.query.tree", reason="needs searchkit's query tree (searchkit/query/)")

from searchkit.engine.base import FileEntry, Selection  # noqa: E402
from searchkit.query import Filters, parse  # noqa: E402

pytestmark = pytest.mark.opensearch

QUERIES = ["santé", "microsoft", '"données de santé"', "donn*", "vaccin NOT microsoft", "kind:comment santé"]




@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """A Whoosh index of a small corpus (articles, threaded comments, WXR), and its documents by post."""
    from searchkit.ingest import index_paths
    from searchkit.model import ARTICLE, Post
    from tests.conftest import FIXTURES, SAMPLE
    from tests.whoosh_reference import WhooshReference

    ix = tmp_path_factory.mktemp("engine") / "index"
    index_paths([SAMPLE, FIXTURES / "threads" / "sante-numerique.xml", FIXTURES / "wxr" / "small-blog.xml"], ix)
    with WhooshReference(ix) as searcher:
        by_post = defaultdict(list)
        for doc in searcher.documents():
            by_post[doc.post_id].append(doc)
        posts = []
        for docs in by_post.values():
            article = next(d for d in docs if d.kind == ARTICLE)
            posts.append(Post(article, [d for d in docs if d is not article]))
        yield searcher, posts


@pytest.fixture(scope="module")
def url(node_url):
    from opensearchpy import OpenSearch

    name = f"test-engine-{uuid.uuid4().hex[:8]}"
    yield f"{node_url}/{name}"
    client = OpenSearch(node_url)
    client.indices.delete(index=f"{name}-*", ignore_unavailable=True)
    client.close()


def write(url, posts, rebuild=False, files=None):
    from searchkit.engine.opensearch import open_writer

    writer = open_writer(url, rebuild=rebuild)
    for post in posts:
        writer.add_post(post)
    writer.commit(files or {})
    return writer


@pytest.fixture(scope="module")
def engine(url, corpus):
    from searchkit.engine.opensearch.engine import OpenSearchEngine

    files = {"/x/a.xml": FileEntry("/x/a.xml", 10, 123, "ab" * 32, ["p1", "p2"]),
             "/x/b.txt": FileEntry("/x/b.txt", 5, 456, "cd" * 32, [], clean=False)}
    write(url, corpus[1], rebuild=True, files=files)
    eng = OpenSearchEngine(url)
    yield eng
    eng.close()


@pytest.mark.parametrize("query", QUERIES)
def test_ranked_finds_what_whoosh_finds_with_the_same_total(engine, corpus, query):
    searcher, _ = corpus
    whoosh = searcher.search(query, limit=100)
    ranked = engine.ranked(Selection(parse(query)), "relevance", limit=None)
    assert ranked.total == whoosh.total
    assert {d.id for d, _ in ranked.docs} == {h.doc.id for h in whoosh.hits}
    assert all(score is not None for _, score in ranked.docs)


def test_sorted_by_date_oldest_first_or_newest_first_undated_last(engine, corpus):
    searcher, _ = corpus
    for sort in ("date", "-date"):
        whoosh = [h.doc.date for h in searcher.search("santé OR microsoft", limit=100, sort=sort).hits]
        ranked = engine.ranked(Selection(parse("santé OR microsoft")), sort, limit=None)
        assert [d.date for d, _ in ranked.docs] == whoosh
        assert all(score is None for _, score in ranked.docs)


def test_limit_and_offset_page_through_the_same_order(engine):
    sel = Selection(parse("microsoft OR vaccin OR santé"))
    everything = [d.id for d, _ in engine.ranked(sel, "-date", limit=None).docs]
    assert len(everything) > 6
    assert [d.id for d, _ in engine.ranked(sel, "-date", limit=3, offset=2).docs] == everything[2:5]


def test_ranked_posts_groups_the_same_documents_as_whoosh(engine, corpus):
    searcher, _ = corpus
    whoosh = searcher.search_grouped("santé OR vaccin", limit=100)
    grouped = engine.ranked_posts(Selection(parse("santé OR vaccin")), "relevance", limit=None)
    assert (grouped.total, grouped.total_posts) == (whoosh.total, whoosh.total_groups)
    ours = {post: {d.id for d, _ in docs} for post, docs in grouped.posts}
    theirs = {g.article.post_id: {h.doc.id for h in g.hits} for g in whoosh.groups}
    assert ours == theirs
    assert len(engine.ranked_posts(Selection(parse("santé OR vaccin")), "relevance", limit=1, offset=1).posts) == 1


@pytest.mark.parametrize("by", ["kind", "month", "year", "author", "source"])
def test_count_by_gives_whoosh_counts(engine, corpus, by):
    searcher, _ = corpus
    whoosh = {b.key: {k: n for k, n in b.counts.items() if n} for b in searcher.count_by("santé OR microsoft", by)}
    whoosh = {k: v for k, v in whoosh.items() if v}  # the histogram's empty months are the API's
    assert engine.count_by(Selection(parse("santé OR microsoft")), by) == whoosh


def test_filters_and_cross_queries(engine, corpus):
    searcher, _ = corpus
    whoosh = searcher.search("santé", limit=100, filters=Filters(kind="comment", in_article="microsoft"))
    ours = engine.ranked(Selection(parse("santé"), kind="comment", in_article=parse("microsoft")), "relevance", None)
    assert {d.id for d, _ in ours.docs} == {h.doc.id for h in whoosh.hits}


def test_documents_posts_sources_and_stats(engine, corpus):
    searcher, posts = corpus
    post = max(posts, key=lambda p: len(p.comments))
    assert len(post.comments) >= 2
    assert sorted(engine.post(post.article.post_id), key=lambda d: d.id) == sorted(post.documents, key=lambda d: d.id)
    assert engine.document(post.comments[0].id) == post.comments[0]
    assert engine.document("no-such-id") is None
    assert engine.sources() == searcher.sources()
    stats = engine.stats()
    assert (stats.articles, stats.comments) == (len(posts), sum(len(p.comments) for p in posts))
    assert stats.engine == "opensearch" and stats.index_bytes > 0


def test_vocabulary_for_did_you_mean(engine):
    assert engine.doc_frequency("microsoft") > 0
    assert engine.doc_frequency("microsft") == 0
    assert "microsoft" in engine.similar_terms("microsft", 1, 1)
    assert any("Microsoft" in text for text in engine.texts_with("microsoft", 3))


def test_the_file_state_comes_back_as_committed(engine):
    files = engine.files()
    assert files["/x/a.xml"] == FileEntry("/x/a.xml", 10, 123, "ab" * 32, ["p1", "p2"])
    assert files["/x/b.txt"].clean is False


def test_writing_again_never_duplicates_and_a_rebuild_swaps_the_alias(url, corpus):
    from searchkit.engine.opensearch.engine import OpenSearchEngine

    _, posts = corpus
    before = OpenSearchEngine(url)
    first = before.index
    write(url, posts)  # incremental: same ids overwrite
    after = OpenSearchEngine(url)
    assert after.index == before.index
    assert after.stats().documents == before.stats().documents
    write(url, posts[:1], rebuild=True, files={})
    rebuilt = OpenSearchEngine(url)
    assert rebuilt.index != before.index
    assert rebuilt.stats().documents == len(posts[0].documents)
    assert not rebuilt.client.indices.exists(index=before.index)
    assert rebuilt.files() == {}
    write(url, posts, rebuild=True)  # back to the whole corpus for the other tests of the module
    # an engine opened before the rebuilds follows the alias to the new build
    assert before.stats().documents == after.stats().documents == len([d for p in posts for d in p.documents])
    assert before.index != first
    for eng in (before, after, rebuilt):
        eng.close()


def test_delete_source_removes_its_posts_at_commit(url, corpus):
    from searchkit.engine.opensearch.engine import OpenSearchEngine
    from searchkit.engine.opensearch.writer import OpenSearchWriter

    _, posts = corpus
    source = posts[0].article.source
    writer = OpenSearchWriter(url)
    writer.delete_source(source)
    eng = OpenSearchEngine(url)
    assert source in eng.sources()  # nothing visible before the commit
    writer.commit({})
    eng = OpenSearchEngine(url)
    assert source not in eng.sources()
    write(url, posts, rebuild=True)


def test_errors_say_what_to_do(node_url):
    from searchkit.engine.opensearch import open_engine
    from searchkit.engine.opensearch.engine import OpenSearchEngine
    from searchkit.errors import IndexMissingError, SearchkitError

    with pytest.raises(IndexMissingError) as missing:
        open_engine(f"{node_url}/nothing-here")
    assert str(missing.value) == (f"{node_url}/nothing-here: no such index: "
                                  f"run searchkit index … --index {node_url}/nothing-here first")
    with pytest.raises(SearchkitError) as down:
        OpenSearchEngine("http://127.0.0.1:9/blogs")
    assert str(down.value).startswith("http://127.0.0.1:9/blogs: the OpenSearch server does not answer (")
    with pytest.raises(SearchkitError) as bad:
        OpenSearchEngine(f"{node_url}/Blogs")
    assert str(bad.value) == (f"{node_url}/Blogs: 'Blogs' cannot be an OpenSearch index name "
                              "(lowercase letters, digits and . _ + -, not starting with . _ + -)")


def test_an_index_from_another_searchkit_schema_is_refused_for_reading_and_writing(node_url):
    from opensearchpy import OpenSearch

    from searchkit.engine.opensearch.engine import OpenSearchEngine
    from searchkit.engine.opensearch.writer import OpenSearchWriter
    from searchkit.errors import IndexVersionError

    name = f"test-old-{uuid.uuid4().hex[:8]}"
    client = OpenSearch(node_url)
    client.indices.create(index=f"{name}-1", body={"mappings": {"_meta": {"searchkit_schema": 0}},
                                                   "aliases": {name: {}}})
    try:
        for open_index in (OpenSearchEngine, OpenSearchWriter):
            with pytest.raises(IndexVersionError) as old:
                open_index(f"{node_url}/{name}")
            assert str(old.value) == (f"{node_url}/{name}: written by an older searchkit (schema 0): "
                                      f"rebuild it with searchkit index … --index {node_url}/{name} --rebuild")
        writer = OpenSearchWriter(f"{node_url}/{name}", rebuild=True)  # what the message says to do
        writer.commit({})
        assert OpenSearchEngine(f"{node_url}/{name}").stats().documents == 0
    finally:
        client.indices.delete(index=f"{name}-*")
        client.close()


def test_grouped_by_date_posts_come_in_the_order_of_their_first_hit(engine, corpus):
    searcher, _ = corpus
    for sort in ("date", "-date"):
        whoosh = searcher.search_grouped("santé OR vaccin OR microsoft", limit=100, sort=sort)
        grouped = engine.ranked_posts(Selection(parse("santé OR vaccin OR microsoft")), sort, limit=None)
        assert [p for p, _ in grouped.posts] == [g.article.post_id for g in whoosh.groups]


def test_a_cancelled_rebuild_leaves_the_index_as_it_was(url, corpus):
    from searchkit.engine.opensearch.engine import OpenSearchEngine
    from searchkit.engine.opensearch.writer import OpenSearchWriter

    _, posts = corpus
    before = OpenSearchEngine(url)
    writer = OpenSearchWriter(url, rebuild=True)
    writer.add_post(posts[0])
    writer.cancel()
    assert not before.client.indices.exists(index=writer.index)
    after = OpenSearchEngine(url)
    assert (after.index, after.stats().documents) == (before.index, before.stats().documents)


def test_a_document_opensearch_refuses_is_reported_and_the_others_written(node_url):
    from dataclasses import replace

    from searchkit.engine.opensearch import open_engine, open_writer
    from searchkit.model import ARTICLE, COMMENT, Document, Post

    url = f"{node_url}/test-refused-{uuid.uuid4().hex[:8]}"
    article = Document(id="a1", kind=ARTICLE, post_id="a1", title="Titre", body="Corps", source="s.xml")
    good = Document(id="a1-c1", kind=COMMENT, post_id="a1", title="Titre", body="Oui", source="s.xml")
    bad = replace(good, id="a1-c2", number=2**40)  # beyond an integer field
    refused = []
    writer = open_writer(url)
    writer.add_post(Post(article, [good, bad]), on_error=lambda doc, exc: refused.append((doc.id, str(exc))))
    writer.commit({})
    try:
        assert [doc_id for doc_id, _ in refused] == ["a1-c2"]
        assert refused[0][1].startswith("OpenSearch refused document a1-c2: failed to parse field [number]")
        assert open_engine(url).stats().documents == 2
    finally:
        writer.client.indices.delete(index=f"{writer.alias}-*")


def test_a_long_thread_is_read_by_its_outline_then_a_batch_at_a_time(url, monkeypatch):
    """``show --thread`` and ``--group`` on a post of 450 comments: its texts are never fetched all at once."""
    from searchkit.api import open_archive
    from searchkit.engine.opensearch import engine as os_engine
    from searchkit.engine.opensearch import posts
    from searchkit.model import ARTICLE, COMMENT, Document, Post

    article = Document("long", ARTICLE, "long", "Un long fil", "Le billet du long fil.", "long.txt")
    comments = [Document(f"long-c{n:03d}", COMMENT, "long", "Un long fil", f"Commentaire {n} sur le fil.", "long.txt",
                         number=n, parent_id=f"long-c{n - 1:03d}" if n % 3 != 1 else None) for n in range(1, 451)]
    write(url, [Post(article, comments)])
    fetched: list[int] = []
    real_read = posts.PostReading._read

    def read(self, post_id, ids):
        fetched.append(len(ids))
        return real_read(self, post_id, ids)

    monkeypatch.setattr(os_engine.OpenSearchEngine, "_read", read)
    monkeypatch.setattr(os_engine.OpenSearchEngine, "post", lambda self, post_id: pytest.fail("post read whole"))
    with open_archive(url) as archive:
        thread = archive.thread("long-c200", stream=True)
        ids = [entry.doc.id for entry in thread.comments]
        grouped = archive.search_grouped("fil", limit=1, stream=True)
        shown = sum(1 for entry in grouped.groups[0].comments if entry.hit is not None)
    assert thread.article.id == "long" and sorted(ids) == [c.id for c in comments]
    assert ids[:3] == ["long-c001", "long-c002", "long-c003"]  # c002 answers c001, c003 answers c002
    assert shown == 450
    assert max(fetched) == posts.READ_BATCH and sum(fetched) == 2 * 451
