"""Snippets on OpenSearch come from the node's highlighter and mark what the Whoosh engine marks; totals past 10,000."""

from __future__ import annotations

import json
import uuid

import pytest
from click.testing import CliRunner

from searchkit.api import open_archive
from searchkit.cli import main
from searchkit.engine.base import Selection
from searchkit.query import parse
from searchkit.snippets import WINDOW_CHARS, render_plain

pytestmark = pytest.mark.opensearch

FILLER = "Une phrase sans rien de particulier, pour la longueur du texte. "
POSTS = [
    {"id": "privacy", "title": "Un accord tombe",
     "body": "Le Privacy Shield tombe ; privacy et shield restent des mots. Le Privacy  Shield,\nencore."},
    {"id": "europe", "title": "Institutions",
     "body": "Les données de l'Europe et de l’Union : jusqu’à l'Église, l'e-mail des citoyens européens."},
    {"id": "jardins", "title": "Les jardins",
     "body": "Des jardiniers dans les jardins ; un jardin, une maison, des maisons et une maisonnette."},
    {"id": "title-only", "title": "Privacy Shield : le titre seul",
     "body": "Le corps parle de privacy, et de rien d'autre ; shield vient plus loin."},
    {"id": "long", "title": "Un très long article",
     "body": FILLER * (WINDOW_CHARS // len(FILLER) + 50) + "Enfin la cathédrale au bout du texte."},
    {"id": "long-early", "title": "Un autre long article",
     "body": "La cathédrale dès le début. " + FILLER * (WINDOW_CHARS // len(FILLER) + 50)},
]

# (query, document id, what the user sees in that document's snippet)
SEEN = [
    ('"Privacy Shield"', "privacy", "Le [Privacy Shield] tombe ; privacy et shield restent des mots. Le "
                                    "[Privacy Shield], encore."),
    ("privacy", "privacy", "Le [Privacy] Shield tombe ; [privacy] et shield restent des mots. Le [Privacy] "
                           "Shield, encore."),
    ('"Privacy Shield"', "title-only", "Le corps parle de [privacy], et de rien d'autre ; [shield] vient plus loin."),
    ("europe", "europe", "Les données de l'[Europe] et de l’Union : jusqu’à l'Église, l'e-mail des citoyens "
                         "européens."),
    ("église", "europe", "…de l'Europe et de l’Union : jusqu’à l'[Église], l'e-mail des citoyens européens."),
    ("donnees email", "europe", "Les [données] de l'Europe et de l’Union : jusqu’à l'Église, l'[e-mail] des "
                                "citoyens européens."),
    ('"de l\'Europe"', "europe", "Les données [de l'Europe] et de l’Union : jusqu’à l'Église, l'e-mail des "
                                 "citoyens européens."),
    ("jard*", "jardins", "Des [jardiniers] dans les [jardins] ; un [jardin], une maison, des maisons et une "
                         "maisonnette."),
    ("maison", "jardins", "…dans les jardins ; un jardin, une [maison], des [maisons] et une maisonnette."),
    ("maisno~2", "jardins", "…dans les jardins ; un jardin, une [maison], des [maisons] et une maisonnette."),
    ("m?ison*", "jardins", "…dans les jardins ; un jardin, une [maison], des [maisons] et une [maisonnette]."),
    ("titre", "title-only", "Le corps parle de privacy, et de rien d'autre ; shield vient plus loin."),
]


TITLES = {p["id"]: p["title"] for p in POSTS}


def shown(url_or_folder: str, query: str, key: str) -> str:
    """The snippet of the post ``key`` (its JSON id) among the hits of ``query``, marks in brackets."""
    with open_archive(url_or_folder) as archive:
        hit = next(h for h in archive.search(query, limit=10).hits if h.doc.title == TITLES[key])
        return render_plain(hit.snippet)


@pytest.fixture(scope="module")
def pair(tmp_path_factory, node_url):
    """A folder index and an OpenSearch index of POSTS; yields (folder, url)."""
    from opensearchpy import OpenSearch

    root = tmp_path_factory.mktemp("highlight")
    (root / "corpus").mkdir()
    (root / "corpus" / "posts.jsonl").write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in POSTS) + "\n",
                                                 encoding="utf-8")
    name = f"test-highlight-{uuid.uuid4().hex[:8]}"
    folder, url = str(root / "index"), f"{node_url}/{name}"
    for index in (folder, url):
        result = CliRunner().invoke(main, ["index", str(root / "corpus"), "--index", index])
        assert result.exit_code == 0, result.output
    yield folder, url
    client = OpenSearch(node_url)
    client.indices.delete(index=f"{name}-*", ignore_unavailable=True, expand_wildcards="all")
    client.close()


@pytest.mark.parametrize(("query", "doc_id", "seen"), SEEN, ids=[f"{q} {d}" for q, d, _ in SEEN])
def test_the_marks_are_those_of_the_whoosh_engine(pair, query, doc_id, seen):
    folder, url = pair
    assert shown(folder, query, doc_id) == seen
    assert shown(url, query, doc_id) == seen


@pytest.mark.parametrize(("query", "doc_id"), [("cathédrale", "long"), ("cathédrale", "long-early")])
def test_a_document_longer_than_the_window_shows_its_match(pair, query, doc_id):
    folder, url = pair
    seen = shown(folder, query, doc_id)
    assert "[cathédrale]" in seen
    assert shown(url, query, doc_id) == seen


def test_the_node_located_the_words_of_each_hit(pair):
    # The marks above must come from the node's highlighter, not from searchkit's analysis of the whole text.
    from searchkit.engine.opensearch.engine import OpenSearchEngine

    engine = OpenSearchEngine(pair[1])
    try:
        ranked = engine.ranked(Selection(parse("maison OR europe OR jard*")), "relevance", 10)
        ids = {doc.title: doc.id for doc, _ in ranked.docs}
        body = {doc.id: doc.body for doc, _ in ranked.docs}
        jardins, europe = ids[TITLES["jardins"]], ids[TITLES["europe"]]
        assert set(ranked.located) == {jardins, europe} == set(body)
        words = [body[jardins][s:e] for s, e in ranked.located[jardins].spans]
        assert words == ["jardiniers", "jardins", "jardin", "maison", "maisons"]
        assert [body[europe][s:e] for s, e in ranked.located[europe].spans] == ["Europe"]
        # --in-article / --with-comments / filters mark nothing: only the main query is highlighted.
        ranked = engine.ranked(Selection(parse("jardin"), with_comments=parse("maison")), "relevance", 10)
        assert ranked.docs == []
    finally:
        engine.close()


def test_grouped_snippets_are_those_of_the_whoosh_engine(pair):
    from searchkit.engine.opensearch.engine import OpenSearchEngine

    def seen(where: str) -> dict[str, str]:
        with open_archive(where) as archive:
            groups = archive.search_grouped("maison OR europe OR privacy", limit=10).groups
            return {g.article.title: render_plain(g.article_hit.snippet) for g in groups if g.article_hit}

    folder = seen(pair[0])
    assert folder[TITLES["jardins"]] == "…dans les jardins ; un jardin, une [maison], des [maisons] et une maisonnette."
    assert "[Europe]" in folder[TITLES["europe"]]
    assert seen(pair[1]) == folder
    engine = OpenSearchEngine(pair[1])
    try:  # the grouped page's words come from the node too
        assert len(engine.ranked_posts(Selection(parse("maison OR europe")), "relevance", 10).located) == 2
    finally:
        engine.close()


def test_a_body_holding_the_private_tags_falls_back_to_the_whole_analysis():
    from searchkit.engine.opensearch.highlight import located

    body = "un \ue000 jardin"
    assert located({"highlight": {"body": ["un \ue000 \ue000jardin\ue001"]}}, body) is None
    assert located({"highlight": {"body": ["un \ue000jardin\ue001"]}}, "un jardin").spans == ((3, 9),)
    # A highlight that is not the stored text is not trusted.
    assert located({"highlight": {"body": ["un \ue000jardin\ue001"]}}, "un jardin!") is None


def test_totals_past_ten_thousand_are_a_lower_bound_and_counts_stay_exact(tmp_path, node_url, os_client):
    from searchkit.engine.opensearch.engine import TOTAL_THRESHOLD, OpenSearchEngine
    from searchkit.engine.opensearch.settings import index_body

    name = f"test-highlight-total-{uuid.uuid4().hex[:8]}"
    os_client.indices.create(index=name, body=index_body())
    try:
        n = TOTAL_THRESHOLD + 5
        lines: list[dict] = []
        for i in range(n):
            doc = {"id": f"d{i:05d}", "kind": "article", "post_id": f"d{i:05d}", "relation": "article",
                   "source": "s.jsonl", "title": "t", "body": "un mot"}
            lines += [{"index": {"_index": name, "_id": doc["id"], "routing": doc["id"]}}, doc]
        os_client.bulk(body=lines, refresh=True)
        engine = OpenSearchEngine.__new__(OpenSearchEngine)
        engine.client, engine.index, engine.location, engine._expanded = os_client, name, name, {}
        query = parse("mot")
        top = engine.ranked(Selection(query), "relevance", 10)
        assert (top.total, top.total_is_exact) == (TOTAL_THRESHOLD, False)
        by_date = engine.ranked(Selection(query), "date", 10)
        assert (by_date.total, by_date.total_is_exact) == (n, True)
        assert engine.count_by(Selection(query), "kind") == {"article": {"article": n}}
        every = engine.ranked(Selection(query), "relevance", None)
        assert (every.total, every.total_is_exact, len(every.docs)) == (n, True, n)
    finally:
        os_client.indices.delete(index=name, ignore_unavailable=True)
