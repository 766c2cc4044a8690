"""Snippets: whole words as written, phrases as phrases, matches anywhere in a long text."""

from __future__ import annotations

import json

import pytest

from searchkit import query as sk_query
from searchkit.cli import main
from searchkit.index import IndexWriter
from searchkit.model import ARTICLE, Document, Post
from searchkit.snippets import render_plain, snippet

from conftest import SAMPLE

SAMPLE_TEXT = SAMPLE.read_text("utf-8")


def marked(text: str, user_query: str) -> list[str]:
    """The spans of ``text`` a snippet marks for ``user_query``."""
    segments = snippet(text, sk_query.marks(sk_query.parse(user_query)), width=10**6)
    return [t for t, hit in segments if hit]


def test_folded_query_marks_the_word_as_written():
    assert "Données" in marked(SAMPLE_TEXT, "donnees")


def test_prefix_marks_the_whole_word_not_the_prefix():
    found = marked(SAMPLE_TEXT, "donn*")
    assert "Données" in found and "données" in found
    assert "donn" not in found and "Donn" not in found


def test_stemmed_match_marks_the_other_form_whole():
    assert marked("Toutes les activités du club.", "activité") == ["activités"]


def test_elided_word_is_marked_without_its_article():
    assert marked("a estimé vendredi l’Assurance maladie", "l'assurance") == ["Assurance"]


def test_phrase_is_marked_as_one_span():
    assert marked(SAMPLE_TEXT, '"Privacy Shield"') == ["Privacy Shield"]


def test_phrase_across_an_elision_is_marked_as_written():
    assert set(marked(SAMPLE_TEXT, '"conseil d\'etat"')) == {"Conseil d’Etat"}


def test_phrase_words_alone_are_not_marked():
    text = "le conseil se réunit ; l'Etat décide. Le Conseil d’État a tranché."
    assert marked(text, '"conseil d\'état"') == ["Conseil d’État"]


def test_excluded_words_are_not_marked():
    assert marked("Microsoft et les données de santé", "santé NOT microsoft") == ["santé"]


def test_snippet_window_is_around_a_late_match():
    text = "Début. " + "Rien à signaler ici. " * 3000 + "Enfin le mot rapatriement apparaît."
    segments = snippet(text, sk_query.Marks(exact={"rapatriement"}))
    assert render_plain(segments).startswith("…")
    assert "[rapatriement]" in render_plain(segments)


@pytest.fixture(scope="module")
def long_index(tmp_path_factory):
    """One article of about 45 KB (the sample's article five times), whose
    only « Bruxelles » is in its last paragraph, past Whoosh's 32 KB charlimit."""
    body = "\n\n".join([SAMPLE_TEXT] * 5) + "\n\nLa Commission de Bruxelles n’a pas répondu à nos questions."
    assert len(body[: body.index("Bruxelles")].encode("utf-8")) > 32 * 1024
    ix = tmp_path_factory.mktemp("long") / "index"
    writer = IndexWriter(ix, rebuild=True)
    writer.add_post(Post(Document(id="long", kind=ARTICLE, post_id="long", title="Long", body=body, source="long.txt")))
    writer.commit()
    return ix


def test_match_after_the_first_32_kb_is_highlighted(runner, long_index):
    result = runner.invoke(main, ["search", "bruxelles", "--index", str(long_index), "--json", "--flat"])
    assert result.exit_code == 0
    hit = json.loads(result.stdout)
    assert hit["highlights"] == ["Bruxelles"]
    assert "La Commission de Bruxelles n’a pas répondu" in hit["snippet"]


def test_wildcard_marks_the_words_it_fits():
    assert marked("Les jeux en ligne et le jeu de Go", "J?ux") == ["jeux"]


def test_fuzzy_marks_the_close_words():
    assert marked(SAMPLE_TEXT[:400], "Microsft~") == ["Microsoft", "Microsoft"]
