"""The real archives of ../shared/corpora on both engines: the same hits for real queries, the same counts."""

from __future__ import annotations

import uuid
from collections import defaultdict

import pytest

pytest.importorskip("searchkit.query.tree", reason="needs searchkit's query tree (searchkit/query/)")

from searchkit.engine.base import Selection  # noqa: E402
from searchkit.query import parse  # noqa: E402

pytestmark = [pytest.mark.opensearch, pytest.mark.shared, pytest.mark.slow]

QUERIES = [
    "bitcoin", "données", "Microsoft", "mining OR minage", "prix AND bitcoin", "bitc*", "expresso~",
    "title:bitcoin", "kind:comment merci", "2013", "l'économie", "États-Unis", "jeux", "été", "mauvais",
    "genoux", "e-mail", "email", '"la banque centrale"', "banque NOT centrale",
]
# Lucene's Snowball French keeps « français » (francais) apart from « France » (franc);
# PyStemmer's stems all three to franc: Whoosh finds more (docs/opensearch-analysis.md).
FEWER_ON_OPENSEARCH = ["français"]




@pytest.fixture(scope="module")
def both(tmp_path_factory, node_url):
    from opensearchpy import OpenSearch

    from searchkit.engine.opensearch.engine import OpenSearchEngine
    from searchkit.engine.opensearch.writer import OpenSearchWriter
    from searchkit.ingest import index_paths
    from searchkit.model import ARTICLE, Post
    from tests.conftest import CORPORA
    from tests.whoosh_reference import WhooshReference

    ix = tmp_path_factory.mktemp("shared") / "index"
    index_paths([CORPORA], ix)
    name = f"test-shared-{uuid.uuid4().hex[:8]}"
    with WhooshReference(ix) as searcher:
        by_post = defaultdict(list)
        for doc in searcher.documents():
            by_post[doc.post_id].append(doc)
        writer = OpenSearchWriter(f"{node_url}/{name}", rebuild=True)
        for docs in by_post.values():
            article = next(d for d in docs if d.kind == ARTICLE)
            writer.add_post(Post(article, [d for d in docs if d is not article]))
        writer.commit({})
        engine = OpenSearchEngine(f"{node_url}/{name}")
        yield searcher, engine
        engine.close()
    client = OpenSearch(node_url)
    client.indices.delete(index=f"{name}-*", ignore_unavailable=True)
    client.close()


def test_every_document_is_on_both(both):
    searcher, engine = both
    stats = engine.stats()
    assert stats.documents == len(searcher.documents()) > 1000
    assert stats.sources == searcher.sources()


@pytest.mark.parametrize("query", QUERIES)
def test_the_same_hits(both, query):
    searcher, engine = both
    whoosh = searcher.search(query, limit=100_000)
    ours = engine.ranked(Selection(parse(query)), "relevance", None)
    assert {d.id for d, _ in ours.docs} == {h.doc.id for h in whoosh.hits}
    assert ours.total == whoosh.total


@pytest.mark.parametrize("query", FEWER_ON_OPENSEARCH)
def test_the_known_stemming_difference(both, query):
    searcher, engine = both
    whoosh = {h.doc.id for h in searcher.search(query, limit=100_000).hits}
    ours = {d.id for d, _ in engine.ranked(Selection(parse(query)), "relevance", None).docs}
    assert ours < whoosh


@pytest.mark.parametrize("by", ["kind", "month", "year", "author", "source"])
def test_the_same_counts(both, by):
    searcher, engine = both
    whoosh = {b.key: {k: n for k, n in b.counts.items() if n} for b in searcher.count_by("bitcoin", by)}
    assert engine.count_by(Selection(parse("bitcoin")), by) == {k: v for k, v in whoosh.items() if v}
