"""WordPress WXR exports: what is indexed, what is left out, threads, damage and XML safety."""

import json
import os
import time
from pathlib import Path

import pytest
from conftest import FIXTURES, SHARED, TESTS

from searchkit.cli import main
from searchkit.errors import InputError
from searchkit.readers import FileReport, read_file
from searchkit.readers.htmltext import html_to_text

CORPORA = SHARED / "corpora"
WXR = FIXTURES / "wxr"

# From ../shared/corpora/SOURCES.md and the issue: published posts and pages / approved comments.
EXPECTED = {
    "alienlebarge-wordpress.xml": (571, 371),
    "bitcoinfrance-wordpress.xml": (88, 193),
    "thecoffeeworkshop-wordpress.xml": (25, 32),
    "timothyfitz-wordpress-malformed.xml": (12, 206),
}


def read(path: Path):
    report = FileReport(path.name)
    posts = list(read_file(path, path.name, report))
    return posts, report


@pytest.fixture(scope="module")
def small_blog():
    return read(WXR / "small-blog.xml")


@pytest.fixture(scope="module")
def privacy_post(small_blog):
    posts, _ = small_blog
    return next(p for p in posts if p.article.meta["wp_post_id"] == "12")


# --- the real exports -------------------------------------------------------------------------

@pytest.mark.shared
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_export_gives_exact_article_and_comment_counts(name):
    posts, _ = read(CORPORA / name)
    assert (len(posts), sum(len(p.comments) for p in posts)) == EXPECTED[name]


@pytest.mark.shared
def test_bitcoinfrance_keeps_its_107_replies_pointing_at_existing_comments():
    posts, _ = read(CORPORA / "bitcoinfrance-wordpress.xml")
    replies = 0
    for post in posts:
        ids = {c.id for c in post.comments}
        for comment in post.comments:
            if comment.parent_id is not None:
                assert comment.parent_id in ids and comment.parent_id != comment.id
                replies += 1
    assert replies == 107


@pytest.mark.shared
def test_alienlebarge_counts_what_it_leaves_out_by_reason():
    _, report = read(CORPORA / "alienlebarge-wordpress.xml")
    # SOURCES.md: 30 pingbacks/trackbacks, 4 unapproved comments, 15 drafts (and 2 pending posts).
    assert report.skipped == {"pingback": 26, "trackback": 4, "unapproved comment": 4,
                              "draft": 15, "pending": 2}


@pytest.mark.shared
def test_bitcoinfrance_leaves_out_attachments_drafts_and_the_private_page():
    _, report = read(CORPORA / "bitcoinfrance-wordpress.xml")
    assert report.skipped["attachment"] == 193
    assert report.skipped["draft"] == 24
    assert report.skipped["private"] == 1


@pytest.mark.shared
def test_malformed_export_is_recovered_with_a_warning_naming_file_and_problem():
    posts, report = read(CORPORA / "timothyfitz-wordpress-malformed.xml")
    assert len(posts) == 12
    assert report.errors == []
    assert len(report.warnings) == 1
    warning = report.warnings[0]
    assert warning.startswith("timothyfitz-wordpress-malformed.xml:")
    assert "atom" in warning and "namespace" in warning


@pytest.mark.shared
def test_real_export_bodies_have_no_html_entities_left():
    posts, _ = read(CORPORA / "bitcoinfrance-wordpress.xml")
    texts = [d.body for p in posts for d in p.documents] + [p.article.title for p in posts]
    assert not [t for t in texts if "&#8217;" in t or "&nbsp;" in t or "<p>" in t]
    assert any("’" in t for t in texts)


@pytest.mark.shared
def test_real_comment_url_is_the_wordpress_permalink():
    posts, _ = read(CORPORA / "thecoffeeworkshop-wordpress.xml")
    comment = next(c for p in posts for c in p.comments)
    post = next(p for p in posts if comment in p.comments)
    assert comment.url == f"{post.article.url}#comment-{comment.meta['wp_comment_id']}"


@pytest.mark.shared
@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_stats_json_agrees_with_the_counts(runner, tmp_path, name):
    ix = tmp_path / "index"
    result = runner.invoke(main, ["index", str(CORPORA / name), "--index", str(ix)])
    assert result.exit_code == 0, result.stderr
    result = runner.invoke(main, ["stats", "--json", "--index", str(ix)])
    assert result.exit_code == 0, result.stderr
    stats = json.loads(result.stdout)
    assert (stats["articles"], stats["comments"]) == EXPECTED[name]


@pytest.mark.shared
def test_index_of_malformed_export_warns_on_stderr_and_exits_0(runner, tmp_path):
    result = runner.invoke(main, ["index", str(CORPORA / "timothyfitz-wordpress-malformed.xml"),
                                  "--index", str(tmp_path / "ix")])
    assert result.exit_code == 0
    assert "warning: timothyfitz-wordpress-malformed.xml: not well-formed XML" in result.stderr
    assert "12 articles, 206 comments" in result.stderr
    assert result.stdout == ""


# --- the small fixture: each rule on its own ---------------------------------------------------

def test_only_published_posts_and_pages_become_articles(small_blog):
    posts, _ = small_blog
    assert sorted((p.article.meta["post_type"], p.article.title) for p in posts) == [
        ("page", "À propos"), ("post", "Privacy Shield : l’accord invalidé")]


def test_left_out_items_and_comments_are_counted_by_reason(small_blog):
    _, report = small_blog
    assert report.skipped == {"draft": 1, "private": 1, "attachment": 1, "nav_menu_item": 1,
                              "pingback": 1, "trackback": 1, "unapproved comment": 1}


def test_article_fields_come_from_title_creator_post_date_and_link(privacy_post):
    a = privacy_post.article
    assert a.title == "Privacy Shield : l’accord invalidé"
    assert a.author == "claire"
    assert a.date.isoformat() == "2016-07-12T09:30:00"
    assert a.url == "https://carnet-donnees.example.fr/2016/07/privacy-shield/"
    assert a.categories == ["Droit"] and a.tags == ["RGPD"]


def test_entities_inside_cdata_are_decoded(privacy_post):
    body = privacy_post.article.body
    assert "Ce n’est qu’un pansement" in body
    assert "12\u00a0juillet" in body
    assert "&" not in body


def test_paragraphs_survive_as_blank_line_separated_text(privacy_post):
    paragraphs = privacy_post.article.body.split("\n\n")
    assert paragraphs[0].startswith("La Commission a adopté")
    assert "Surveillance de masse\u00a0: inchangée" in paragraphs


def test_markup_scripts_and_shortcodes_are_not_text(privacy_post):
    body = privacy_post.article.body
    assert "<" not in body and "trackVisit" not in body and "[caption" not in body
    assert "Un bouclier de papier" in body  # what the shortcode wraps stays


def test_approved_comments_are_numbered_by_position(privacy_post):
    comments = privacy_post.comments
    assert [c.number for c in comments] == [1, 2, 3, 4]
    assert [c.author for c in comments] == ["Jérôme", "claire", "Sophie", "Sophie"]
    assert comments[0].id == f"{privacy_post.article.id}-c1"
    assert comments[0].body == "Et l’article 702 du FISA ? Rien n’a changé.\n\nOn reprend les mêmes et on recommence."


def test_comment_url_and_parent_follow_wordpress_ids(privacy_post):
    first, reply = privacy_post.comments[:2]
    assert reply.url == "https://carnet-donnees.example.fr/2016/07/privacy-shield/#comment-103"
    assert reply.parent_id == first.id
    assert first.parent_id is None


def test_empty_paragraphs_of_nbsp_are_dropped(small_blog):
    posts, _ = small_blog
    page = next(p for p in posts if p.article.title == "À propos")
    assert page.article.body.split("\n\n") == [
        "Ce carnet parle de protection des données personnelles, d’œuvres et de droit européen.",
        "Écrivez-moi\u00a0!"]


def test_truncated_export_indexes_complete_items_and_reports_an_error():
    posts, report = read(WXR / "truncated.xml")
    assert [p.article.title for p in posts] == ["Privacy Shield : l’accord invalidé"]
    assert len(posts[0].comments) == 4
    assert report.errors and all(e.startswith("truncated.xml:") for e in report.errors)
    assert any("À propos" in e and "not indexed" in e for e in report.errors)


def test_index_with_truncated_export_exits_2_and_names_it(runner, tmp_path):
    result = runner.invoke(main, ["index", str(WXR / "truncated.xml"), "--index", str(tmp_path / "ix")])
    assert result.exit_code == 2
    assert "error: truncated.xml: not well-formed XML (line 121" in result.stderr


# --- XML safety -------------------------------------------------------------------------------

@pytest.mark.timeout(10)
def test_billion_laughs_is_refused_quickly_with_a_clear_message():
    start = time.perf_counter()
    with pytest.raises(InputError, match=r"^billion-laughs\.xml: refused: .*DOCTYPE.* entities"):
        read(WXR / "billion-laughs.xml")
    assert time.perf_counter() - start < 5.0  # refused before parsing, not after expanding


@pytest.mark.timeout(10)
def test_external_entity_file_is_refused_without_reading_the_target():
    with pytest.raises(InputError, match=r"^external-entity\.xml: refused") as info:
        read(WXR / "external-entity.xml")
    assert "root:" not in str(info.value)


def test_unsafe_xml_is_named_and_the_rest_indexed(runner, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("billion-laughs.xml", "external-entity.xml", "small-blog.xml"):
        (corpus / name).write_bytes((WXR / name).read_bytes())
    result = runner.invoke(main, ["index", str(corpus), "--index", str(tmp_path / "ix")])
    assert result.exit_code == 2
    assert "error: billion-laughs.xml: refused" in result.stderr
    assert "error: external-entity.xml: refused" in result.stderr
    assert "2 articles, 4 comments" in result.stderr


def test_doctype_text_inside_a_post_is_not_mistaken_for_a_dtd(tmp_path):
    text = (WXR / "small-blog.xml").read_text("utf-8").replace(
        # in CDATA
        "Écrivez-moi&nbsp;!", "Écrivez-moi&nbsp;! Un gabarit commence par &lt;!DOCTYPE html&gt;<!DOCTYPE html>")
    path = tmp_path / "blog.xml"
    path.write_text(text, "utf-8")
    posts, report = read(path)
    assert len(posts) == 2 and not report.errors
    assert "<!DOCTYPE html>" in posts[1].article.body


def test_xml_that_is_not_a_wordpress_export_is_refused(tmp_path):
    path = tmp_path / "sitemap.xml"
    path.write_text('<?xml version="1.0"?><urlset><url><loc>https://a.fr/</loc></url></urlset>')
    with pytest.raises(InputError, match=r"^sitemap\.xml: .*not a WordPress export"):
        read(path)


# --- HTML to text (searchkit/readers/htmltext.py) ---------------------------------------------

def test_html_block_elements_become_paragraphs_and_br_a_line_break():
    assert html_to_text("<div><h2>Titre</h2><p>Un<br>deux</p><ul><li>a</li><li>b</li></ul></div>") \
        == "Titre\n\nUn\ndeux\n\na\n\nb"


def test_html_styles_scripts_and_comments_are_dropped():
    assert html_to_text("<style>p{color:red}</style><p>Texte<!-- caché --></p><script>x()</script>") \
        == "Texte"


def test_html_whitespace_collapses_but_pre_keeps_its_lines():
    assert html_to_text("<p>a   b\n c</p><pre>  x = 1\n  y = 2</pre>") == "a b c\n\n  x = 1\n  y = 2"


def test_html_entities_are_decoded_once():
    assert html_to_text("<p>&laquo;&nbsp;Caf&eacute;&nbsp;&raquo; &amp;amp; co</p>") \
        == "«\u00a0Café\u00a0» &amp; co"


def test_html_with_an_encoding_declaration_in_a_str_is_read():
    page = '<?xml version="1.0" encoding="iso-8859-1"?><html><body><p>Déjà</p></body></html>'
    assert html_to_text(page) == "Déjà"


@pytest.mark.timeout(10)
@pytest.mark.parametrize("name", ["billion-laughs.xml", "external-entity.xml"])
def test_the_parser_itself_expands_no_entity_if_the_dtd_check_is_bypassed(monkeypatch, name):
    from searchkit.readers import wxr

    monkeypatch.setattr(wxr, "refuse_dtd", lambda path, source: None)
    report = FileReport(name)
    posts = list(wxr.read(WXR / name, name, report))
    text = "".join(d.title + d.body for p in posts for d in p.documents)
    assert len(text) < 1000 and "root:" not in text


MEMORY_PROBE = """
import sys
from pathlib import Path
from conftest import peak_rss_kib
from searchkit.readers import FileReport
from searchkit.readers.wxr import read
n = sum(1 for _ in read(Path(sys.argv[1]), "x.xml", FileReport("x.xml")))
print(n, peak_rss_kib())
"""


def peak_rss_reading(path: Path) -> tuple[int, int]:
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", MEMORY_PROBE, str(path)], check=True,
                         capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(TESTS)}).stdout.split()
    return int(out[0]), int(out[1])  # posts, peak RSS in KiB


@pytest.mark.shared
@pytest.mark.slow
def test_memory_stays_flat_on_a_big_export(tmp_path):
    src = (CORPORA / "bitcoinfrance-wordpress.xml").read_text("utf-8")
    head, rest = src.split("<item>", 1)
    items, tail = ("<item>" + rest).rsplit("</item>", 1)
    big = tmp_path / "big.xml"
    with big.open("w", encoding="utf-8") as out:  # ~30 MB: the export's items 20 times over
        out.write(head)
        for i in range(20):
            out.write(items.replace("<wp:post_id>", f"<wp:post_id>{i}") + "</item>")
        out.write(tail)
    small_posts, small_rss = peak_rss_reading(CORPORA / "thecoffeeworkshop-wordpress.xml")
    big_posts, big_rss = peak_rss_reading(big)
    assert big_posts == 20 * 88
    assert big_rss - small_rss < 20 * 1024  # KiB: far less than the file's 28 MB


def test_a_folder_of_good_and_broken_xml_indexes_the_good_and_names_each_bad(runner, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "small-blog.xml").write_bytes((WXR / "small-blog.xml").read_bytes())
    (corpus / "image.xml").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00")
    (corpus / "empty.xml").write_bytes(b"")
    (corpus / "notes.xml").write_text("pas du XML du tout", "utf-8")
    (corpus / "cut.xml").write_text('<?xml version="1.0"?>\n<rss><channel><item><title>Coup', "utf-8")
    result = runner.invoke(main, ["index", str(corpus), "--index", str(tmp_path / "ix")])
    assert result.exit_code == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert {line.split(":")[1].strip() for line in errors} == {"image.xml", "empty.xml", "notes.xml", "cut.xml"}
    assert "error: image.xml: binary content" in result.stderr
    assert "2 articles, 4 comments" in result.stderr


def test_two_items_with_the_same_post_id_are_both_indexed_apart(tmp_path):
    text = (WXR / "small-blog.xml").read_text("utf-8").replace(
        "<wp:post_id>2</wp:post_id>", "<wp:post_id>12</wp:post_id>")
    path = tmp_path / "merged.xml"
    path.write_text(text, "utf-8")
    posts, report = read(path)
    assert len({p.article.id for p in posts}) == 2
    item_line = text[: text.index("<title>À propos")].count("\n")  # the <item> line above it
    assert report.warnings == [f"merged.xml: line {item_line}: post key '12' used twice; "
                               "both items indexed"]


def test_categories_and_tags_are_read_once_each_and_formats_and_menus_left_out(tmp_path):
    item = ('<category domain="category" nicename="droit"><![CDATA[Droit]]></category>'
            '<category domain="post_tag" nicename="rgpd"><![CDATA[RGPD]]></category>'
            '<category domain="post_tag" nicename="rgpd"><![CDATA[RGPD]]></category>'
            '<category domain="post_tag" nicename="cnil"><![CDATA[CNIL &amp; vie privée]]></category>'
            '<category domain="post_format" nicename="post-format-aside"><![CDATA[Aside]]></category>'
            '<category domain="nav_menu" nicename="menu"><![CDATA[Menu]]></category>'
            '<category>Sans domaine</category>')
    path = tmp_path / "blog.xml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"'
        ' xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><item><title>Billet</title>'
        f'{item}<content:encoded><![CDATA[Texte]]></content:encoded><wp:post_id>1</wp:post_id>'
        '<wp:status>publish</wp:status><wp:post_type>post</wp:post_type>'
        '<wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_content>Oui</wp:comment_content>'
        '<wp:comment_approved>1</wp:comment_approved></wp:comment></item></channel></rss>', "utf-8")
    (post,), _ = read(path)
    assert post.article.categories == ["Droit", "Sans domaine"]
    assert post.article.tags == ["RGPD", "CNIL & vie privée"]
    assert (post.comments[0].categories, post.comments[0].tags) == ([], [])  # articles only


@pytest.mark.shared
def test_real_export_gives_its_categories_and_tags():
    posts, _ = read(CORPORA / "bitcoinfrance-wordpress.xml")
    assert sum(1 for p in posts if p.article.categories) == 78  # of 88 (pages have none)
    assert sum(1 for p in posts if p.article.tags) == 47
    assert all("post-format" not in c.lower() for p in posts for c in p.article.categories)
