"""JSON Lines archives: the documented schema, nested comments, and bad lines reported by number."""

import json
from pathlib import Path

import pytest
from conftest import FIXTURES

from searchkit.cli import main
from searchkit.errors import InputError
from searchkit.model import post_id_for
from searchkit.readers import FileReport, read_file

JSONL = FIXTURES / "jsonl"


def read(path: Path):
    report = FileReport(path.name)
    return list(read_file(path, path.name, report)), report


def write_lines(tmp_path, *lines: str, name="scraped.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


GOOD = json.dumps({"title": "Un billet", "body": "Du texte."}, ensure_ascii=False)


@pytest.fixture(scope="module")
def blog():
    return read(JSONL / "blog.jsonl")


def test_each_line_is_one_post_with_its_nested_comments(blog):
    posts, report = blog
    assert [len(p.comments) for p in posts] == [3, 0, 1]
    assert report.errors == [] and report.warnings == []


def test_article_fields_follow_the_schema(blog):
    a = blog[0][0].article
    assert a.title == "Le Privacy Shield adopté malgré les critiques"
    assert a.author == "Équipe LQDN"
    assert a.url == "https://www.laquadrature.example.org/2016/07/08/privacy-shield-adopte/"
    assert a.body.startswith("Les États membres ont validé vendredi le Privacy Shield.\n\nLes données")


def test_iso_date_with_offset_keeps_the_local_time(blog):
    a = blog[0][0].article
    assert a.date.isoformat() == "2016-07-08T18:05:00"


def test_plain_date_is_read_as_midnight(blog):
    assert blog[0][1].article.date.isoformat() == "2017-03-14T00:00:00"


def test_comment_parent_is_the_id_of_the_comment_answered(blog):
    first, reply, other = blog[0][0].comments
    assert reply.parent_id == first.id
    assert first.parent_id is None and other.parent_id is None
    assert [c.number for c in (first, reply, other)] == [1, 2, 3]


def test_body_html_is_turned_into_text(blog):
    assert blog[0][1].article.body == (
        "Un bandeau ne suffit pas\n\nLa CNIL rappelle qu’un simple bandeau ne vaut pas consentement.")
    assert blog[0][0].comments[2].body == "Le texte complet est sur EUR-Lex.\n\nBonne lecture\u00a0!"


def test_post_key_is_the_id_then_the_url_then_the_line_number(blog):
    posts = blog[0]
    assert posts[0].article.id == post_id_for("blog.jsonl", "lqdn-2016-07-08")
    assert posts[1].article.id == post_id_for("blog.jsonl", "https://blog.example.fr/2017/03/cookies-et-consentement")
    assert posts[2].article.id == post_id_for("blog.jsonl", "line 3")


def test_a_comment_without_url_points_to_its_post(blog):
    post = blog[0][0]
    assert {c.url for c in post.comments} == {post.article.url}


def test_a_broken_line_is_reported_with_its_number_and_the_rest_read():
    posts, report = read(JSONL / "one-broken-line.jsonl")
    assert len(posts) == 3
    assert len(report.errors) == 1
    assert report.errors[0].startswith("one-broken-line.jsonl:3: not valid JSON")


def test_index_with_a_broken_line_exits_2_naming_file_and_line(runner, tmp_path):
    ix = tmp_path / "ix"
    result = runner.invoke(main, ["index", str(JSONL / "one-broken-line.jsonl"), "--index", str(ix)])
    assert result.exit_code == 2
    assert "error: one-broken-line.jsonl:3: not valid JSON" in result.stderr
    assert "3 articles, 4 comments" in result.stderr
    stats = json.loads(runner.invoke(main, ["stats", "--json", "--index", str(ix)]).stdout)
    assert (stats["articles"], stats["comments"]) == (3, 4)


@pytest.mark.parametrize("line, reason", [
    ('{"body": "Sans titre."}', '"title" is missing'),
    ('{"title": "Sans corps"}', '"body" (or "body_html") is missing'),
    ('{"title": 42, "body": "x"}', '"title" must be a string, not a number'),
    ('{"title": "T", "body": ["x"]}', '"body" must be a string, not an array'),
    ('{"title": "T", "body": "x", "date": 20160712}', '"date" must be a string, not a number'),
    ('{"title": "T", "body": "x", "comments": "aucun"}', '"comments" must be a list, not a string'),
    ('["T", "x"]', "a JSON object was expected, not an array"),
    ('{"title": "   ", "body": "x"}', '"title" is empty'),
])
def test_a_line_breaking_the_schema_is_an_error_naming_the_reason(tmp_path, line, reason):
    posts, report = read(write_lines(tmp_path, GOOD, line, GOOD.replace("Un billet", "Un autre")))
    assert len(posts) == 2
    assert report.errors == [f"scraped.jsonl:2: {reason}; skipped"]


def test_a_bad_comment_loses_only_itself(tmp_path):
    line = json.dumps({"title": "T", "body": "x", "comments": [
        {"body": "Bon."}, {"author": "Sans texte"}, {"body": "Aussi bon."}]})
    posts, report = read(write_lines(tmp_path, line))
    assert [c.body for c in posts[0].comments] == ["Bon.", "Aussi bon."]
    assert report.errors == ['scraped.jsonl:1: comment 2: "body" (or "body_html") is missing; comment skipped']


def test_an_unknown_parent_is_a_warning_and_a_top_level_comment(tmp_path):
    line = json.dumps({"title": "T", "body": "x", "comments": [{"body": "Oui.", "parent": "c9"}]})
    posts, report = read(write_lines(tmp_path, line))
    assert posts[0].comments[0].parent_id is None
    assert report.warnings == ["scraped.jsonl:1: comment 1: parent 'c9' is no comment id of this post; "
                               "indexed as a top-level comment"]


def test_a_reply_may_come_before_the_comment_it_answers(tmp_path):
    line = json.dumps({"title": "T", "body": "x", "comments": [
        {"id": "b", "parent": "a", "body": "Réponse."}, {"id": "a", "body": "Question."}]})
    posts, _ = read(write_lines(tmp_path, line))
    reply, question = posts[0].comments
    assert reply.parent_id == question.id


def test_the_same_post_key_twice_in_a_file_is_an_error(tmp_path):
    line = json.dumps({"id": "p1", "title": "T", "body": "x"})
    posts, report = read(write_lines(tmp_path, line, line))
    assert len(posts) == 1
    assert report.errors == ["scraped.jsonl:2: post key 'p1' already used on line 1; skipped"]


def test_an_unparseable_date_is_a_warning_and_the_post_kept(tmp_path):
    posts, report = read(write_lines(tmp_path, json.dumps({"title": "T", "body": "x", "date": "12 juillet 2016"})))
    assert posts[0].article.date is None
    assert report.warnings[0].startswith("scraped.jsonl:1: date '12 juillet 2016' is not ISO 8601")


def test_blank_lines_bom_and_crlf_are_accepted(tmp_path):
    path = tmp_path / "windows.jsonl"
    second = GOOD.replace("Un billet", "Deux").encode()
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode() + b"\r\n\r\n" + second + b"\r\n")
    posts, report = read(path)
    assert [p.article.title for p in posts] == ["Un billet", "Deux"]
    assert report.errors == []


def test_control_characters_in_text_are_removed(tmp_path):
    line = json.dumps({"title": "Alerte \u001b[31mrouge\u001b[0m", "body": "Texte\u0007 propre"})
    posts, _ = read(write_lines(tmp_path, line))
    assert (posts[0].article.title, posts[0].article.body) == ("Alerte rouge", "Texte propre")


def test_a_file_of_blank_lines_cannot_be_read(tmp_path):
    path = tmp_path / "vide.jsonl"
    path.write_text("\n  \n")
    with pytest.raises(InputError, match=r"^vide\.jsonl: "):
        read(path)
