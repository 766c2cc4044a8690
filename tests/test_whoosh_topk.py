"""Relevance top-k without scoring every match, and totals exact up to a threshold (Whoosh engine, issue 14).

The reference is the exhaustive path (``limit=None`` scores and ranks every
match): the top-k and the grouped windows must give the same documents, with
the same scores, in the same order. The count threshold is lowered so that a
few-thousand-document corpus from the benchmark's generator crosses it.
"""

from __future__ import annotations

import json
import sys

import pytest
from click.testing import CliRunner
from conftest import ROOT, SHARED
from starlette.testclient import TestClient

from searchkit.cli import main
from searchkit.engine.base import Selection
from searchkit.engine.whoosh import scan, topk
from searchkit.engine.whoosh.searcher import WhooshEngine
from searchkit.query import parse
from searchkit.web.app import create_app

sys.path.insert(0, str(ROOT / "benchmarks"))
import corpus as bench_corpus  # noqa: E402

ELTEC = SHARED / "corpora" / "eltec-fra-paragraphs.tsv.xz"
SIZE = 3000  # documents: several posting blocks per common word, ~140 posts
THRESHOLD = 50

pytestmark = [pytest.mark.slow, pytest.mark.shared]  # reads the 54 MB ELTeC text, indexes 3,000 documents

QUERIES = ["maison", "maison jardin", "la OR le", "la le", "jard*", '"Privacy Shield"', "title:maison", "nuit -jour",
           "coeur", "tisserand", '"de la"', '"il y a"', '"la la"', '"de la" maison', 'body:"de la" OR maison']
KINDS = [None, "comment", "article"]


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    base = tmp_path_factory.mktemp("topk")
    bench_corpus.build(SIZE, base / "corpus", ELTEC, seed=11)
    ix = base / "index"
    result = CliRunner().invoke(main, ["index", str(base / "corpus"), "--index", str(ix)])
    assert result.exit_code == 0, result.output
    return ix


@pytest.fixture
def engine(index_dir):
    with WhooshEngine(str(index_dir)) as e:
        yield e


@pytest.fixture
def low_threshold(monkeypatch):
    monkeypatch.setattr(topk, "COUNT_THRESHOLD", THRESHOLD)


@pytest.fixture(params=["scan", "pruned"])
def path(request, monkeypatch, low_threshold):
    """Both ways to a page: posting blocks read whole (``scan``, totals exact), or no posting
    budget at all, so that words go to Whoosh's pruning past the threshold ("more than N")."""
    if request.param == "pruned":
        monkeypatch.setattr(scan, "BUDGET", -1)
    return request.param


@pytest.fixture
def pruned(monkeypatch, low_threshold):
    """No posting budget: words past the threshold take Whoosh's pruning and say "more than N"."""
    monkeypatch.setattr(scan, "BUDGET", -1)


# The queries the scan reads whole: all of them (phrases too, since the lead's phrase pass).
SCANNED = set(QUERIES)


def exact_total(path: str, text: str) -> bool:
    """Whether a page of ``text`` gives its exact total whatever its size: when its postings are read whole."""
    return path == "scan" and text in SCANNED


def ids(docs):
    return [(doc.id, score) for doc, score in docs]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("text", QUERIES)
def test_top_k_is_the_exhaustive_ranking_cut(engine, path, text, kind):
    sel = Selection(parse(text), kind=kind)
    everything = engine.ranked(sel, "relevance", None)
    assert everything.total_is_exact and everything.total == len(everything.docs)
    for limit, offset in [(1, 0), (10, 0), (10, 20), (100, 0), (5, len(everything.docs) - 2)]:
        page = engine.ranked(sel, "relevance", limit, offset)
        assert ids(page.docs) == ids(everything.docs[offset:offset + limit])


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("text", QUERIES)
def test_total_is_exact_when_cheap_or_below_the_threshold(engine, path, text, kind):
    sel = Selection(parse(text), kind=kind)
    matches = len(engine.ranked(sel, "relevance", None).docs)
    page = engine.ranked(sel, "relevance", 10)
    if matches <= THRESHOLD or exact_total(path, text):
        assert (page.total, page.total_is_exact) == (matches, True)
    else:
        assert (page.total, page.total_is_exact) == (THRESHOLD, False)  # a true lower bound: "more than 50"


def test_the_corpus_has_queries_on_both_sides_of_the_threshold(engine, low_threshold):
    totals = {text: len(engine.ranked(Selection(parse(text)), "relevance", None).docs) for text in QUERIES}
    assert totals["maison"] > THRESHOLD and totals["la OR le"] > 5 * THRESHOLD and totals["la le"] > THRESHOLD
    assert 0 < totals['"Privacy Shield"'] <= THRESHOLD and totals["tisserand"] <= THRESHOLD


def test_an_or_whose_frequencies_do_not_tell_is_counted(engine, monkeypatch, pruned):
    """No word alone passes the threshold but the OR does, and its frequencies allow more than five
    times the threshold: the unscored count decides, and the page is still the exhaustive one."""
    from searchkit.engine.whoosh.compile import to_whoosh

    text = "nuit OR porte OR coeur OR temps OR main OR jour OR femme OR homme"
    lower, upper = topk.bounds(engine.searcher.reader(), to_whoosh(parse(text)))
    everything = engine.ranked(Selection(parse(text)), "relevance", None)
    threshold = lower  # no word passes it
    assert lower < len(everything.docs) and 5 * threshold < upper  # else this test shows nothing
    monkeypatch.setattr(topk, "COUNT_THRESHOLD", threshold)
    page = engine.ranked(Selection(parse(text)), "relevance", 10, 5)
    assert ids(page.docs) == ids(everything.docs[5:15])
    assert (page.total, page.total_is_exact) == (threshold, False)


def test_the_pruning_top_k_is_used_and_changes_no_result(index_dir, low_threshold):
    """Past the threshold Whoosh's quality collector runs (it cannot count: computes_count is False)
    and gives the same top 10, scores included, as scoring every match."""
    from whoosh import collectors

    from searchkit.engine.whoosh.compile import to_whoosh

    with WhooshEngine(str(index_dir)) as e:
        query = to_whoosh(parse("la OR le"))
        collector = collectors.TopCollector(10, usequality=True, replace=topk.REPLACE_EVERY)
        e.searcher.search_with_collector(query, collector)
        assert collector.computes_count() is False
        assert topk.top_k(e.searcher, query, 10, None) == e._exhaustive(query, 10, None)[0]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("text", QUERIES)
def test_grouped_pages_are_those_of_ranking_every_hit(engine, path, text, kind):
    sel = Selection(parse(text), kind=kind)
    every_post = engine.ranked_posts(sel, "relevance", None)
    assert every_post.total_is_exact
    for limit, offset in [(1, 0), (10, 0), (10, 7), (40, 0)]:
        page = engine.ranked_posts(sel, "relevance", limit, offset)
        assert [(p, ids(h)) for p, h in page.posts] == \
            [(p, ids(h)) for p, h in every_post.posts[offset:offset + limit]]
        if every_post.total <= THRESHOLD or exact_total(path, text):
            assert (page.total, page.total_posts, page.total_is_exact) == \
                (every_post.total, every_post.total_posts, True)
        else:
            assert (page.total, page.total_is_exact) == (THRESHOLD, False)
            assert 0 < page.total_posts <= every_post.total_posts  # posts of the first 50 hits: a lower bound


def test_grouped_with_filters_and_cross_queries(engine, path):
    sel = Selection(parse("maison"), kind="comment", in_article=parse("la"))
    every_post = engine.ranked_posts(sel, "relevance", None)
    page = engine.ranked_posts(sel, "relevance", 10, 3)
    assert every_post.posts and [(p, ids(h)) for p, h in page.posts] == \
        [(p, ids(h)) for p, h in every_post.posts[3:13]]


def search(index_dir, *args):
    return CliRunner().invoke(main, ["search", *args, "--index", str(index_dir)])


def test_terminal_says_more_than_past_the_threshold(index_dir, pruned):
    result = search(index_dir, "maison", "--flat")
    assert result.exit_code == 0
    assert "more than 50 hit(s), 10 shown" in result.output


def test_terminal_gives_the_exact_total_below_the_threshold(index_dir, engine, low_threshold):
    n = len(engine.ranked(Selection(parse('"Privacy Shield"')), "relevance", None).docs)
    result = search(index_dir, '"Privacy Shield"', "--flat")
    assert result.exit_code == 0
    assert f"\n{n} hit(s)" in "\n" + result.output and "more than" not in result.output


def test_grouped_terminal_says_more_than_past_the_threshold(index_dir, pruned):
    result = search(index_dir, "maison", "--group")
    assert result.exit_code == 0
    assert "more than 50 hit(s) in more than " in result.output  # the posts among them: a lower bound too


def test_count_stays_exact_past_the_threshold(index_dir, engine, low_threshold):
    everything = engine.ranked(Selection(parse("maison")), "relevance", None)
    result = search(index_dir, "maison", "--count", "--json")
    assert result.exit_code == 0
    assert json.loads(result.output)["total"] == len(everything.docs) > THRESHOLD


def test_json_api_carries_total_is_exact(index_dir, pruned):
    with TestClient(create_app(index_dir)) as client:
        common = client.get("/api/search", params={"q": "maison"}).json()
        rare = client.get("/api/search", params={"q": '"Privacy Shield"'}).json()
        grouped = client.get("/api/search/grouped", params={"q": "maison"}).json()
    assert (common["total"], common["total_is_exact"], len(common["hits"])) == (THRESHOLD, False, 10)
    assert rare["total_is_exact"] is True and rare["total"] == len(rare["hits"]) or rare["total"] > 10
    assert (grouped["total"], grouped["total_is_exact"]) == (THRESHOLD, False)


def test_an_index_with_deleted_documents_counts_only_live_ones(index_dir, tmp_path, path):
    """After a file is removed, document frequencies still count its documents until a merge:
    totals and pages must not."""
    import shutil

    corpus = index_dir.parent / "corpus"
    copy, ix = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(corpus, copy)
    assert CliRunner().invoke(main, ["index", str(copy), "--index", str(ix)]).exit_code == 0
    removed = sorted(copy.glob("*.jsonl"))[0]
    removed.unlink()
    assert CliRunner().invoke(main, ["index", str(copy), "--index", str(ix)]).exit_code == 0
    with WhooshEngine(str(ix)) as e:
        assert e.searcher.reader().has_deletions()  # else this test shows nothing
        for text in ["maison", "maison jardin", "coeur", "la OR le"]:
            sel = Selection(parse(text))
            everything = e.ranked(sel, "relevance", None)
            page = e.ranked(sel, "relevance", 10)
            assert ids(page.docs) == ids(everything.docs[:10])
            n = len(everything.docs)
            assert (page.total, page.total_is_exact) == \
                ((n, True) if n <= THRESHOLD or exact_total(path, text) else (THRESHOLD, False))
            grouped = e.ranked_posts(sel, "relevance", 5)
            every_post = e.ranked_posts(sel, "relevance", None)
            assert [(p, ids(h)) for p, h in grouped.posts] == [(p, ids(h)) for p, h in every_post.posts[:5]]


@pytest.mark.parametrize("text", QUERIES)
def test_a_capped_grouped_total_never_counts_more_posts_than_hits(engine, low_threshold, text):
    # Past the threshold both numbers are lower bounds of the same hits: "more than 50 hit(s) in
    # more than 93 post(s)" would be false (an AND scored in full once said so).
    page = engine.ranked_posts(Selection(parse(text)), "relevance", 10)
    if not page.total_is_exact:
        assert page.total_posts <= page.total


def test_terminal_and_json_give_the_exact_total_past_the_threshold_when_the_postings_are_read(
        index_dir, engine, low_threshold):
    """A word's postings read whole count its matches: past the threshold the total is still exact."""
    n = len(engine.ranked(Selection(parse("maison")), "relevance", None).docs)
    assert n > THRESHOLD
    result = search(index_dir, "maison", "--flat")
    assert result.exit_code == 0
    assert f"\n{n} hit(s), 10 shown" in "\n" + result.output and "more than" not in result.output
    with TestClient(create_app(index_dir)) as client:
        common = client.get("/api/search", params={"q": "maison"}).json()
        grouped = client.get("/api/search/grouped", params={"q": "maison"}).json()
    assert (common["total"], common["total_is_exact"]) == (n, True)
    assert (grouped["total"], grouped["total_is_exact"]) == (n, True)


@pytest.mark.parametrize("text", ["jard*", "jard* maison", "maison~", "maisons~2", "body:jard*", "j?rdin",
                                  "maison ANDNOT jardin", "(maison OR jardin) nuit"])
def test_prefixes_fuzzy_words_and_not_give_the_exhaustive_page(engine, low_threshold, text):
    """Prefixes, wildcards and fuzzy words expanding to more than two terms are scored by Whoosh
    in a segment this small (Whoosh's OR then scores every match by its boost alone); in larger
    ones they are read whole (checked at 100k by benchmarks/query_profile.py --verify)."""
    sel = Selection(parse(text))
    everything = engine.ranked(sel, "relevance", None)
    assert everything.docs  # else this test shows nothing
    n = len(everything.docs)
    for limit, offset in [(1, 0), (10, 0), (10, 5)]:
        page = engine.ranked(sel, "relevance", limit, offset)
        assert ids(page.docs) == ids(everything.docs[offset:offset + limit])
        if text in ("maison ANDNOT jardin", "(maison OR jardin) nuit"):  # words only: read whole
            assert (page.total, page.total_is_exact) == (n, True)
        else:
            assert (page.total, page.total_is_exact) in [(n, True), (THRESHOLD, False) if n > THRESHOLD else (n, True)]
