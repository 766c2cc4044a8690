"""The query language through the CLI: forgiving on odd input, strict on unknown fields."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from conftest import FIXTURES, IndexWriter

from searchkit import query as sk_query
from searchkit.cli import main
from searchkit.engine.whoosh.compile import to_whoosh
from searchkit.errors import QueryError
from searchkit.model import ARTICLE, COMMENT, Document, Post, comment_id_for

POSTS = FIXTURES / "query" / "posts.json"


def build_query_index(index_dir):
    """Index the posts of ``fixtures/query/posts.json`` (ids: key, key-cN)."""
    writer = IndexWriter(index_dir, rebuild=True)
    for p in json.loads(POSTS.read_text("utf-8"))["posts"]:
        key = p["key"]
        article = Document(id=key, kind=ARTICLE, post_id=key, title=p["title"], body=p["body"],
                           source="posts.json", author=p["author"], date=datetime.fromisoformat(p["date"]))
        comments = [
            Document(id=comment_id_for(key, n), kind=COMMENT, post_id=key, title=p["title"], body=c["body"],
                     source="posts.json", author=c["author"], date=datetime.fromisoformat(c["date"]), number=n)
            for n, c in enumerate(p["comments"], 1)
        ]
        writer.add_post(Post(article, comments))
    writer.commit()
    return index_dir


@pytest.fixture(scope="module")
def query_index(tmp_path_factory):
    return build_query_index(tmp_path_factory.mktemp("query") / "index")


def search(runner, index, *args):
    return runner.invoke(main, ["search", *args, "--index", str(index), "--flat", "--json", "--limit", "0"])


def ids(result):
    return sorted(json.loads(line)["id"] for line in result.stdout.splitlines())


# --- never a traceback on what people type -------------------------------------


@pytest.mark.parametrize("text", ["c'est", "c’est la vie", "(microsoft", "microsoft)", '"données de',
                                  "santé: microsoft", "microsoft -", "OR", "http://…", "l`État",
                                  "microsoft 👍", "date:2021-01..", "«\u00a0données\u00a0»"])
def test_odd_input_is_searched_not_refused(runner, query_index, text):
    result = search(runner, query_index, text)
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("text", ["-", "?", "*", "?!", '""', "()", "« »", "… !"])
def test_query_without_words_says_so_and_exits_2(runner, query_index, text):
    result = search(runner, query_index, text)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "holds no word to search for" in result.stderr


def test_unknown_field_lists_the_valid_ones(runner, query_index):
    result = search(runner, query_index, "titre:microsoft")
    assert result.exit_code == 2
    assert "unknown field 'titre:'" in result.stderr
    assert "title, body, author, kind, date" in result.stderr


def test_unknown_kind_in_the_query_is_an_error(runner, query_index):
    result = search(runner, query_index, "kind:comments microsoft")
    assert result.exit_code == 2
    assert "kind:article or kind:comment" in result.stderr


def test_url_is_searched_as_a_phrase(runner, query_index):
    result = search(runner, query_index, "https://www.health-data-hub.fr/faq?id=12")
    assert ids(result) == ["hdh-2021-c2"]


def test_email_address_is_searched_as_a_phrase(runner, query_index):
    assert ids(search(runner, query_index, "contact@example.invalid")) == ["hdh-2021-c2"]


def test_unbalanced_quote_is_closed_at_the_end(runner, query_index):
    assert ids(search(runner, query_index, '"conseil d’etat')) == ["hdh-2021"]


# --- operators -----------------------------------------------------------------


def test_capital_or_is_an_operator(runner, query_index):
    # rapatriement (stemmed) also meets « rapatrier » in hdh-2021
    assert ids(search(runner, query_index, "rapatriement OR bitcoin")) == \
        ["hdh-2020", "hdh-2020-c1", "hdh-2021", "or-bitcoin", "or-bitcoin-c1"]


def test_lower_case_or_is_the_french_word(runner, query_index):
    # « or » (gold, or « Or » the conjunction) must be in the document too.
    assert ids(search(runner, query_index, "bitcoin or")) == ["or-bitcoin"]


def test_not_excludes(runner, query_index):
    assert ids(search(runner, query_index, "microsoft NOT vaccin NOT kind:article")) == ["hdh-2021-c1"]


def test_stop_words_are_dropped_from_unquoted_queries(runner, query_index):
    # « les », « de » and « la » are not all in the comment: only « rapatriement données » must be.
    assert ids(search(runner, query_index, "les rapatriement de la données", "--kind", "comment")) == ["hdh-2020-c1"]


def test_ete_is_not_a_stop_word(runner, query_index):
    assert ids(search(runner, query_index, "été cascade")) == ["ete"]


# --- fields --------------------------------------------------------------------


def test_title_field_matches_article_titles_only(runner, query_index):
    assert ids(search(runner, query_index, "title:suspendu")) == ["hdh-2020"]


def test_author_field(runner, query_index):
    assert ids(search(runner, query_index, "author:helene")) == ["hdh-2021-c1"]


def test_author_field_phrase(runner, query_index):
    assert ids(search(runner, query_index, 'author:"sophie martin"')) == ["or-bitcoin-c1"]


def test_kind_field(runner, query_index):
    assert ids(search(runner, query_index, "kind:comment microsoft")) == ["hdh-2021-c1", "hdh-2021-c2"]


def test_date_range_with_two_dots(runner, query_index):
    assert ids(search(runner, query_index, "date:2021-01..2021-02 bitcoin OR microsoft")) == \
        ["hdh-2021", "hdh-2021-c1", "or-bitcoin"]


def test_date_range_open_at_the_start(runner, query_index):
    assert ids(search(runner, query_index, "date:..2020 microsoft")) == ["hdh-2020"]


def test_date_range_in_whoosh_syntax_reads_months(runner, query_index):
    assert ids(search(runner, query_index, "date:[2021-03 to 2021-04]")) == ["hdh-2021-c2", "or-bitcoin-c1"]


def test_bad_date_in_a_range_is_an_error(runner, query_index):
    result = search(runner, query_index, "date:2021-13..2022")
    assert result.exit_code == 2
    assert "'2021-13' is not a date" in result.stderr


# --- prefix, wildcard, fuzzy ---------------------------------------------------


def test_prefix_finds_every_form(runner, query_index):
    found = ids(search(runner, query_index, "rapatri*"))
    assert found == ["hdh-2020", "hdh-2020-c1", "hdh-2021"]


def test_prefix_uses_the_folded_unstemmed_form():
    # Whoosh's own parser would stem « donn* » into « don* ».
    assert "body_exact:donn*" in str(to_whoosh(sk_query.parse("Donn*")))


def test_prefix_with_accent_matches_folded_words(runner, query_index):
    assert ids(search(runner, query_index, "hébergem*")) == ["hdh-2020", "hdh-2021-c1"]


def test_wildcard_is_folded(runner, query_index):
    result = search(runner, query_index, "J?ux")
    assert [json.loads(line)["highlights"] for line in result.stdout.splitlines()] == [["jeux"]]


def test_fuzzy_finds_a_misspelt_word(runner, query_index):
    assert ids(search(runner, query_index, "microsft~ kind:comment")) == ["hdh-2021-c1", "hdh-2021-c2"]


def test_parse_raises_only_query_errors():
    with pytest.raises(QueryError):
        sk_query.parse("nimporte:quoi")


# --- exact form first ----------------------------------------------------------


@pytest.fixture(scope="module")
def forms_index(tmp_path_factory):
    """Two comments: one writes « activités », the other « activité » (alienlebarge, bitcoinfrance)."""
    ix = tmp_path_factory.mktemp("forms") / "index"
    writer = IndexWriter(ix, rebuild=True)
    texts = {
        "plural": "Certes je mettrais toujours un lien qui permet de voir toutes les photos des dernières activités.",
        "singular": "On peut dire que la confusion entre l’activité bancaire et la création monétaire est totale.",
    }
    for key, body in texts.items():
        writer.add_post(Post(Document(id=key, kind=ARTICLE, post_id=key, title="", body=body, source="forms")))
    writer.commit()
    return ix


@pytest.mark.parametrize(("typed", "first"), [("activités", "plural"), ("activites", "plural"),
                                              ("activité", "singular"), ("ACTIVITE", "singular")])
def test_the_form_typed_ranks_first_and_the_other_form_is_found(runner, forms_index, typed, first):
    result = runner.invoke(main, ["search", typed, "--index", str(forms_index), "--flat", "--json"])
    found = [json.loads(line)["id"] for line in result.stdout.splitlines()]
    assert found[0] == first
    assert sorted(found) == ["plural", "singular"]
