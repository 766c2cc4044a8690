"""``snippet(spans=...)``: matches an engine located give the very snippet searchkit's whole analysis gives."""

from __future__ import annotations

import pytest
from conftest import CORPUS

from searchkit.query import marks, parse
from searchkit.snippets import WINDOW_CHARS, find_matches, matches_near, render_plain, snippet

QUERIES = ["santé", "données", '"données de santé"', "donn*", "microsft~", "sant?", "l'assurance", "e-mail",
           "santé OR microsoft", '"protection des données" santé']


def texts() -> list[str]:
    found = [p.read_text("utf-8") for p in sorted(CORPUS.glob("*.txt"))]
    assert found, "the seed corpus is needed: an empty list proves nothing"
    return found


def located(text: str, query: str, noise: bool = False) -> list[tuple[int, int]]:
    """Spans as an engine gives them: every match in the raw text (and, with ``noise``, words it need not mark)."""
    spans = [(m.start, m.end) for m in find_matches(text[:WINDOW_CHARS], marks(parse(query)))]
    if noise:  # a highlighter may mark more (a phrase's words one by one): the snippet checks each place
        spans += [(m.start, m.end) for m in find_matches(text[:WINDOW_CHARS], marks(parse("la OR le")))]
    return sorted(set(spans))


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("noise", [False, True])
def test_the_same_snippet_as_the_whole_analysis(query, noise):
    wanted = marks(parse(query))
    for text in texts():
        # Runs of spaces and newlines fold in the snippet: the spans' offsets are the raw text's.
        text = text.replace(" ", "  ", 50).replace("\n", "\n\n")
        assert snippet(text, wanted, spans=located(text, query, noise)) == snippet(text, wanted)


def test_phrase_words_marked_one_by_one_become_one_match():
    text = "Le Privacy\n  Shield tombe ; privacy et shield."
    wanted = marks(parse('"Privacy Shield"'))
    spans = [(3, 10), (13, 19), (27, 34), (38, 44)]  # every word, as a term highlight would mark them
    assert render_plain(snippet(text, wanted, spans=spans)) == "Le [Privacy Shield] tombe ; privacy et shield."


def test_words_left_out_between_two_places_break_a_phrase():
    # "privacy" and "shield" are far apart: put side by side they must not read as the phrase.
    text = "privacy un deux trois shield, et le Privacy Shield"
    wanted = marks(parse('"privacy shield" privacy'))
    near = matches_near(text, wanted, [(0, 7), (22, 28), (36, 43), (44, 50)])
    assert near is not None
    assert [(near[0][m.start:m.end], m.key) for m in near[3]] == [("privacy", "privacy"),
                                                                ("Privacy Shield", "privacy shield")]


def test_falls_back_when_the_phrase_is_not_at_the_spans():
    # The phrase matched elsewhere (the title): its words are marked wherever they stand, which only
    # the whole analysis can see.
    wanted = marks(parse('"privacy shield"'))
    assert matches_near("le corps parle de privacy", wanted, []) is None
    assert render_plain(snippet("le corps parle de privacy", wanted, spans=[])) == "le corps parle de [privacy]"


def test_a_long_text_uses_the_spans_of_its_first_window_or_falls_back():
    filler = "rien " * (WINDOW_CHARS // 5)
    wanted = marks(parse("cathédrale"))
    early = "la cathédrale " + filler
    assert matches_near(early, wanted, [(3, 13)]) is not None
    assert snippet(early, wanted, spans=[(3, 13)]) == snippet(early, wanted)
    late = filler + "la cathédrale"
    assert matches_near(late, wanted, []) is None  # the snippet looks past the first window, as without spans
    assert "[cathédrale]" in render_plain(snippet(late, wanted, spans=[]))
    # A word cut by the window's end is read as the whole analysis reads it.
    cut = "x" * (WINDOW_CHARS - 4) + " cathédrale " + filler
    assert snippet(cut, wanted, spans=[]) == snippet(cut, wanted)
