"""Duplicates: a post archived twice is indexed once; a comment posted twice is kept and marked."""

import json

import pytest
from conftest import FIXTURES, SHARED

from searchkit.cli import main
from searchkit.ingest import index_paths
from searchkit.ingest.dedup import Deduplicator, normalise_url
from searchkit.model import Document, Post
from searchkit.readers import FileReport, read_file

WXR = FIXTURES / "wxr" / "small-blog.xml"
SAME_AS_WXR = FIXTURES / "jsonl" / "same-posts-as-wxr.jsonl"


def post(title, body, url=None, source="a.jsonl", key="1", comments=0):
    article = Document(f"{source}-{key}", "article", f"{source}-{key}", title, body, source, url=url)
    return Post(article, [Document(f"{article.id}-c{i}", "comment", article.id, title, "Oui.", source)
                          for i in range(1, comments + 1)])


LONG = "Les données des Européens resteront accessibles aux services américains, rien n’a changé."


def stats(runner, ix):
    return json.loads(runner.invoke(main, ["stats", "--json", "--index", str(ix)]).stdout)


def test_same_post_from_a_wxr_and_a_jsonl_file_is_indexed_once(runner, tmp_path):
    ix = tmp_path / "ix"
    result = runner.invoke(main, ["index", str(WXR), str(SAME_AS_WXR), "--index", str(ix)])
    assert result.exit_code == 0, result.stderr
    # small-blog.xml: 2 articles, 4 comments; the JSONL file adds only its third post.
    assert (stats(runner, ix)["articles"], stats(runner, ix)["comments"]) == (3, 4)


def test_index_summary_names_each_duplicate_and_the_file_it_repeats(runner, tmp_path):
    result = runner.invoke(main, ["index", str(WXR), str(SAME_AS_WXR), "--index", str(tmp_path / "ix")])
    lines = [line for line in result.stderr.splitlines() if line.startswith("duplicate: ")]
    assert lines == [
        "duplicate: same-posts-as-wxr.jsonl: post 'Privacy Shield : l’accord invalidé' duplicates "
        "small-blog.xml (same url), not indexed again; this copy has 1 comment(s), the one kept 4",
        "duplicate: same-posts-as-wxr.jsonl: post 'À propos' duplicates small-blog.xml (same text), "
        "not indexed again",
    ]
    assert "2 duplicate post" in result.stderr


def test_summary_lists_duplicates_with_their_files(tmp_path):
    summary = index_paths([WXR, SAME_AS_WXR], tmp_path / "ix")
    assert [(d.source, d.original.source, d.reason) for d in summary.duplicates] == [
        ("same-posts-as-wxr.jsonl", "small-blog.xml", "same url"),
        ("same-posts-as-wxr.jsonl", "small-blog.xml", "same text"),
    ]
    assert summary.left_out["duplicate post"] == 2


def test_the_copy_met_first_is_the_one_kept(tmp_path):
    index_paths([SAME_AS_WXR, WXR], tmp_path / "ix")
    from searchkit.api import Filters, open_archive

    with open_archive(tmp_path / "ix") as s:
        hits = s.search('"accord invalidé"', Filters(kind="article")).hits
    assert [h.doc.source for h in hits] == ["same-posts-as-wxr.jsonl"]


def test_urls_differing_only_in_scheme_www_slash_and_fragment_match():
    assert normalise_url("http://www.blog.fr/2016/07/billet/#comments") == \
        normalise_url("https://blog.fr/2016/07/billet")


def test_different_paths_do_not_match():
    assert normalise_url("https://blog.fr/2016/07/billet") != normalise_url("https://blog.fr/2016/07/billet-2")


def test_same_text_with_other_spacing_and_punctuation_is_a_duplicate():
    dedup = Deduplicator()
    assert dedup.check(post("Le titre", LONG, source="a.xml"), "a.xml") is None
    again = post("LE TITRE", LONG.replace(",", " ,").replace("’", "'"), source="b.jsonl")
    assert dedup.check(again, "b.jsonl").reason == "same text"


def test_short_posts_with_the_same_text_are_not_merged():
    dedup = Deduplicator()
    assert dedup.check(post("Photo", "", source="a.xml"), "a.xml") is None
    assert dedup.check(post("Photo", "", source="b.xml"), "b.xml") is None


def test_posts_inside_one_file_are_never_merged():
    dedup = Deduplicator()
    assert dedup.check(post("Parlons foot", LONG, url="http://a.fr/1", key="1"), "a.jsonl") is None
    assert dedup.check(post("Parlons foot", LONG, url="http://a.fr/1", key="2"), "a.jsonl") is None


@pytest.mark.shared
def test_alienlebarge_posts_sharing_a_title_are_all_indexed(tmp_path):
    summary = index_paths([SHARED / "corpora" / "alienlebarge-wordpress.xml"], tmp_path / "ix")
    assert (summary.articles, list(summary.duplicates)) == (571, [])


@pytest.mark.shared
@pytest.mark.parametrize("name, first_id, again_id", [
    ("alienlebarge-wordpress.xml", "1394", "1483"),   # « Last day », accents differ in the name
    ("bitcoinfrance-wordpress.xml", "11351", "11352"),  # gontran, 18 minutes apart
])
def test_a_comment_posted_twice_is_kept_and_marked(name, first_id, again_id):
    report = FileReport(name)
    posts = list(read_file(SHARED / "corpora" / name, name, report))
    Deduplicator().check(next(p for p in posts if any(c.meta["wp_comment_id"] == again_id
                                                      for c in p.comments)), name)
    comments = {c.meta["wp_comment_id"]: c for p in posts for c in p.comments}
    assert comments[again_id].meta["duplicate_of"] == comments[first_id].id
    assert "duplicate_of" not in comments[first_id].meta


def test_a_thread_with_a_repeated_comment_keeps_both_in_the_index(runner, tmp_path):
    ix = tmp_path / "ix"
    runner.invoke(main, ["index", str(WXR), "--index", str(ix)])
    result = runner.invoke(main, ["search", '"je la fais suivre"', "--json", "--index", str(ix)])
    hits = [json.loads(line) for line in result.stdout.splitlines()]
    assert sorted(h["number"] for h in hits) == [3, 4]
