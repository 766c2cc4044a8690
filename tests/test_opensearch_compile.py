"""searchkit's query tree compiled to OpenSearch: the JSON itself, then the same hits as Whoosh on a real node."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest

tree = pytest.importorskip("searchkit.query.tree", reason="needs searchkit's query tree (searchkit/query/)")

from searchkit.engine.base import Selection  # noqa: E402
from searchkit.engine.opensearch.compile import selection_query, to_opensearch  # noqa: E402
from searchkit.query import parse  # noqa: E402

# --- the compiled JSON ----------------------------------------------------------


def terms(query):
    """(field, value, boost) of every term query in ``query``, in order."""
    found = []

    def walk(q):
        if isinstance(q, dict):
            if "term" in q:
                (field, spec), = q["term"].items()
                found.append((field, spec["value"], spec["boost"]) if isinstance(spec, dict) else (field, spec, None))
                return
            for v in q.values():
                walk(v)
        elif isinstance(q, list):
            for v in q:
                walk(v)

    walk(query)
    return found


def test_a_bare_word_weighs_the_exact_title_most_and_the_stemmed_body_least():
    assert terms(to_opensearch(parse("DONNÉES"))) == [
        ("title", "donnees", 4.0), ("title.stem", "donne", 2.0), ("body", "donnees", 2.0), ("body.stem", "donne", 1.0)]


def test_title_alone_is_not_weighted_against_the_body():
    assert terms(to_opensearch(parse("title:données"))) == [("title", "donnees", 2.0), ("title.stem", "donne", 1.0)]


def test_a_phrase_is_a_match_phrase_on_the_exact_fields_adjacent_words_slop_0():
    q = to_opensearch(parse('"Conseil d’État"'))
    title, body = q["bool"]["should"]
    assert title == {"match_phrase": {"title": {
        "query": "conseil etat", "slop": 0, "analyzer": "searchkit_exact", "boost": 2.0}}}
    assert body["match_phrase"]["body"]["query"] == "conseil etat"
    assert body["match_phrase"]["body"]["boost"] == 1.0


def test_a_quoted_word_is_the_exact_word_never_stemmed():
    assert terms(to_opensearch(parse('"données"'))) == [("title", "donnees", 2.0), ("body", "donnees", 1.0)]


def test_phrase_slop_counts_words_between_as_whoosh_does():
    q = to_opensearch(tree.Phrase("body", ("ne", "pas"), slop=3))
    assert q["match_phrase"]["body"]["slop"] == 2


def test_prefix_wildcard_and_fuzzy_use_the_exact_fields():
    assert to_opensearch(tree.Prefix("body", "donn")) == {"prefix": {"body": {"value": "donn", "boost": 1.0}}}
    assert to_opensearch(tree.Wildcard("title", "d?nn*")) == {"wildcard": {"title": {"value": "d?nn*", "boost": 1.0}}}
    fuzzy = to_opensearch(tree.Fuzzy("body", "donees", maxdist=3, prefix=1))["fuzzy"]["body"]
    assert (fuzzy["value"], fuzzy["fuzziness"], fuzzy["prefix_length"]) == ("donees", 2, 1)


def test_name_and_keyword_fields():
    assert to_opensearch(tree.Word("tag", "bitcoin", "bitcoin")) == {
        "term": {"tags": {"value": "bitcoin", "boost": 1.0}}}
    assert to_opensearch(tree.Word("category", "sante", "sant")) == {
        "term": {"categories": {"value": "sante", "boost": 1.0}}}
    assert to_opensearch(tree.Keyword("kind", "comment")) == {"term": {"kind": {"value": "comment"}}}


def test_boolean_nodes():
    a, b = tree.Keyword("kind", "article"), tree.Keyword("source", "x.xml")
    ca, cb = to_opensearch(a), to_opensearch(b)
    assert to_opensearch(tree.And((a, b))) == {"bool": {"must": [ca, cb]}}
    assert to_opensearch(tree.Or((a, b))) == {"bool": {"should": [ca, cb], "minimum_should_match": 1}}
    assert to_opensearch(tree.Not(a)) == {"bool": {"must_not": [ca]}}
    assert to_opensearch(tree.AndNot(a, b)) == {"bool": {"must": [ca], "must_not": [cb]}}
    assert to_opensearch(tree.AndMaybe(a, b)) == {"bool": {"must": [ca], "should": [cb]}}
    assert to_opensearch(tree.Boost(a, 3)) == {"bool": {"must": [ca], "boost": 3.0}}


def test_dates_are_a_range_with_the_end_excluded():
    q = to_opensearch(tree.DateRange(datetime(2021, 1, 1), datetime(2021, 2, 1)))
    assert q == {"range": {"date": {"gte": "2021-01-01T00:00:00", "lt": "2021-02-01T00:00:00"}}}


def test_the_selection_narrows_the_query_with_filters_and_the_join_field():
    sel = Selection(query=parse("santé"), kind="comment", author=("jean", "dupont"), sources=("a.xml",),
                    in_article=parse("microsoft"))
    q = selection_query(sel)["bool"]
    assert q["must"] == [to_opensearch(parse("santé"))]
    assert q["filter"] == [
        {"term": {"kind": "comment"}},
        {"match_phrase": {"author": {"query": "jean dupont", "analyzer": "searchkit_exact"}}},
        {"terms": {"source": ["a.xml"]}},
        {"has_parent": {"parent_type": "article", "query": to_opensearch(parse("microsoft"))}},
    ]
    with_comments = selection_query(Selection(query=None, with_comments=parse("vaccin")))
    assert with_comments["bool"]["filter"] == [
        {"has_child": {"type": "comment", "query": to_opensearch(parse("vaccin"))}}]
    assert selection_query(Selection(query=None, sources=()))["bool"]["filter"] == [{"match_none": {}}]
    assert selection_query(Selection(query=None)) == {"match_all": {}}


# --- on a real node ---------------------------------------------------------------




@pytest.fixture(scope="module")
def node_index(node_url):
    """``make(docs)`` → a fresh index of ``docs`` and a search function returning the matching ids."""
    from opensearchpy import OpenSearch, helpers

    from searchkit.engine.opensearch.documents import action
    from searchkit.engine.opensearch.settings import index_body

    client = OpenSearch(node_url, timeout=60)
    made = []

    def make(docs):
        name = f"test-compile-{uuid.uuid4().hex[:8]}"
        client.indices.create(index=name, body=index_body())
        made.append(name)
        helpers.bulk(client, (action(d, name) for d in docs), refresh="wait_for")

        def search(sel: Selection) -> set[str]:
            found = client.search(index=name, body={"query": selection_query(sel), "size": 1000, "_source": False})
            return {h["_id"] for h in found["hits"]["hits"]}

        return search

    yield make
    for name in made:
        client.indices.delete(index=name)
    client.close()


@pytest.mark.opensearch
def test_the_golden_search_cases_find_on_opensearch_what_they_find_on_whoosh(node_index):
    from searchkit.model import ARTICLE, Document
    from tests.test_analysis_golden import CASES, TEXTS

    search = node_index([Document(id=key, kind=ARTICLE, post_id=key, title="", body=text, source="golden")
                         for key, (_, text) in TEXTS.items()])
    wrong = []
    for key, query, expected in CASES:
        if (key in search(Selection(query=parse(query)))) is not expected:
            wrong.append((key, query, expected))
    assert wrong == []


# Queries of every kind over a small corpus of articles and threaded comments.
QUERIES = [
    "santé", "données de santé", "Microsoft", '"Health Data Hub"', '"données de santé"', "donn*", "sant?",
    "microsft~", "microsoft AND santé", "microsoft OR vaccin", "vaccin NOT microsoft", "vaccin ANDNOT microsoft",
    "santé ANDMAYBE microsoft", "title:santé", "body:vaccin", "kind:comment", "kind:comment santé",
    "(données OR vaccin) AND NOT kind:article", "l'Assurance", "hébergement", "date:2021", "cnil",
]


@pytest.fixture(scope="module")
def whoosh_and_opensearch(tmp_path_factory, node_index):
    """The same small corpus in a Whoosh index and on the node; the Whoosh documents are the ones sent."""
    from searchkit.ingest import index_paths
    from tests.conftest import FIXTURES, SAMPLE
    from tests.whoosh_reference import WhooshReference

    ix = tmp_path_factory.mktemp("compare") / "index"
    index_paths([SAMPLE, FIXTURES / "threads" / "sante-numerique.xml", FIXTURES / "wxr" / "small-blog.xml"], ix)
    with WhooshReference(ix) as searcher:
        docs = searcher.documents()
        yield searcher, node_index(docs), len(docs)


@pytest.mark.opensearch
@pytest.mark.parametrize("query", QUERIES)
def test_a_query_finds_the_documents_whoosh_finds(whoosh_and_opensearch, query):
    searcher, search, n = whoosh_and_opensearch
    whoosh = {hit.doc.id for hit in searcher.search(query, limit=n).hits}
    assert search(Selection(query=parse(query))) == whoosh


@pytest.mark.opensearch
def test_cross_queries_are_one_request_through_the_join_field(whoosh_and_opensearch):
    searcher, search, n = whoosh_and_opensearch
    docs = {hit.doc.id: hit.doc for hit in searcher.search("kind:article OR kind:comment", limit=n).hits}
    articles_microsoft = search(Selection(query=parse("microsoft"), kind="article"))
    comments_vaccin = search(Selection(query=parse("vaccin"), kind="comment"))
    # comments matching « vaccin » under articles matching « microsoft »
    under = {d for d in comments_vaccin if docs[d].post_id in articles_microsoft}
    assert under and under != comments_vaccin
    assert search(Selection(query=parse("vaccin"), in_article=parse("microsoft"))) == under
    # articles matching « microsoft » having a comment matching « vaccin »
    having = {a for a in articles_microsoft if any(docs[c].post_id == a for c in comments_vaccin)}
    assert having
    assert search(Selection(query=parse("microsoft"), with_comments=parse("vaccin"))) == having
