"""Cross-queries: comments by what their article says, articles by what their comments say."""

import json
import shutil

from conftest import THREADS

from searchkit.cli import main


def run(runner, index, *args):
    return runner.invoke(main, [*args, "--index", str(index)])


def hits(result):
    return [json.loads(line) for line in result.stdout.splitlines()]


def search_json(runner, index, *args):
    result = run(runner, index, "search", *args, "--flat", "--json", "--limit", "0")
    assert result.exit_code in (0, 1), result.output
    return hits(result)


def test_in_article_keeps_only_comments_under_matching_articles(runner, threads_index):
    plain = search_json(runner, threads_index, "vaccin", "--kind", "comment")
    crossed = search_json(runner, threads_index, "vaccin", "--kind", "comment", "--in-article", '"Health Data Hub"')
    assert len(plain) == 4
    assert sorted(h["number"] for h in crossed) == [3, 4]
    assert {h["title"] for h in crossed} == {"Le Health Data Hub confié à Microsoft"}


def test_with_comments_keeps_only_articles_having_a_matching_comment(runner, threads_index):
    plain = search_json(runner, threads_index, "Microsoft", "--kind", "article")
    crossed = search_json(runner, threads_index, "Microsoft", "--kind", "article", "--with-comments", "traître OR trahison")
    assert len(plain) == 2
    assert [h["title"] for h in crossed] == ["Le Health Data Hub confié à Microsoft"]


def test_in_article_alone_implies_comments(runner, threads_index):
    crossed = search_json(runner, threads_index, "vaccin", "--in-article", "EHPAD")
    assert {h["kind"] for h in crossed} == {"comment"}
    assert sorted(h["author"] for h in crossed) == ["Luc", "Paul"]


def test_cross_query_nothing_matching_exits_1(runner, threads_index):
    result = run(runner, threads_index, "search", "vaccin", "--in-article", "Éducation")
    assert result.exit_code == 1
    assert result.stdout == ""


def test_in_article_with_kind_article_is_refused(runner, threads_index):
    result = run(runner, threads_index, "search", "vaccin", "--kind", "article", "--in-article", "santé")
    assert result.exit_code == 2
    assert "--in-article keeps comments" in result.stderr
    assert "Traceback" not in result.output


def test_both_cross_queries_at_once_are_refused(runner, threads_index):
    result = run(runner, threads_index, "search", "vaccin", "--in-article", "santé", "--with-comments", "merci")
    assert result.exit_code == 2
    assert "use one of them" in result.stderr


def test_empty_cross_query_names_the_option(runner, threads_index):
    result = run(runner, threads_index, "search", "vaccin", "--in-article", "?!")
    assert result.exit_code == 2
    assert "--in-article '?!' holds no word" in result.stderr


def test_cross_query_is_right_across_separately_indexed_files(runner, tmp_path):
    # Two runs write two segments; the article/comment groups must still join.
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(THREADS / "sante-numerique.xml", corpus / "a.xml")
    ix = tmp_path / "ix"
    assert run(runner, ix, "index", str(corpus)).exit_code == 0
    shutil.copy(THREADS / "sante-numerique.xml", corpus / "b.xml")
    assert run(runner, ix, "index", str(corpus)).exit_code == 0
    crossed = search_json(runner, ix, "vaccin", "--in-article", '"Health Data Hub"')
    assert sorted((h["source"], h["number"]) for h in crossed) == [("a.xml", 3), ("a.xml", 4), ("b.xml", 3), ("b.xml", 4)]
    articles = search_json(runner, ix, "Microsoft", "--with-comments", "trahison")
    assert sorted(h["source"] for h in articles) == ["a.xml", "b.xml"]


def test_bitcoinfrance_in_article_equals_the_join_done_by_hand(runner, bitcoinfrance_index):
    comments = search_json(runner, bitcoinfrance_index, "banque", "--kind", "comment")
    articles = search_json(runner, bitcoinfrance_index, "euro", "--kind", "article")
    expected = {h["id"] for h in comments if h["post_id"] in {a["post_id"] for a in articles}}
    crossed = {h["id"] for h in search_json(runner, bitcoinfrance_index, "banque", "--in-article", "euro")}
    assert crossed == expected
    assert 0 < len(crossed) < len(comments)


def test_bitcoinfrance_with_comments_equals_the_join_done_by_hand(runner, bitcoinfrance_index):
    articles = search_json(runner, bitcoinfrance_index, "banque", "--kind", "article")
    comments = search_json(runner, bitcoinfrance_index, "minage OR mineurs", "--kind", "comment")
    expected = {h["id"] for h in articles if h["post_id"] in {c["post_id"] for c in comments}}
    crossed = {h["id"] for h in search_json(runner, bitcoinfrance_index, "banque", "--with-comments", "minage OR mineurs")}
    assert crossed == expected
    assert 0 < len(crossed) < len(articles)


def test_in_article_skips_a_matching_article_without_comments(runner, threads_index):
    # « Éditorial » matches and has no comment; the next post's comment must
    # not be taken for its own (whoosh-reloaded's NestedChildren does that).
    assert search_json(runner, threads_index, "rentrée", "--kind", "article")
    result = run(runner, threads_index, "search", "Microsoft", "--in-article", "rentrée")
    assert result.exit_code == 1
    assert result.stdout == ""
