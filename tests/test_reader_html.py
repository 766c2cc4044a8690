"""Saved HTML pages: the 9 real pages of ../shared/corpora/html and small hand-made ones.

Expected comment counts, markup and encodings come from the corpus's
SOURCES.txt (counted there with BeautifulSoup, not with this reader).
"""

import re
from datetime import datetime

import pytest
from conftest import FIXTURES, SHARED
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from searchkit.cli import main
from searchkit.errors import InputError
from searchkit.readers import FileReport, read_file
from searchkit.readers.html import parse_page

HTML = FIXTURES / "html"
REAL = SHARED / "corpora" / "html"


def read_page(path):
    report = FileReport(path.name)
    posts = list(read_file(path, path.name, report))
    assert len(posts) == 1
    return posts[0], report


def comment_by(post, author, start):
    """The comment by ``author`` whose text starts with ``start``."""
    found = [c for c in post.comments if c.author == author and c.body.startswith(start)]
    assert len(found) == 1, [(c.author, c.body[:40]) for c in post.comments if c.author == author]
    return found[0]


def parent_of(post, comment):
    return next(c for c in post.comments if c.id == comment.parent_id)


def max_depth(post):
    """The deepest thread level (1 = a comment on the article itself)."""
    parents = {c.id: c.parent_id for c in post.comments}

    def depth(cid):
        return 1 if parents[cid] is None else 1 + depth(parents[cid])

    return max(depth(c.id) for c in post.comments)


# --- the nine real pages -----------------------------------------------------------------------

@pytest.mark.shared
def test_starbound_familiers_wordpress_legacy_threaded():
    post, report = read_page(REAL / "starbound-fr.net" / "familiers_index.html")
    assert len(post.comments) == 81
    assert sum(1 for c in post.comments if c.parent_id) == 18
    assert max_depth(post) == 5
    assert post.article.title == "Pour les familiers, il faudra un million."
    assert post.article.author == "OniriCorpe"
    assert post.article.url == "http://starbound-fr.net/familiers/"
    first = post.comments[0]
    assert (first.author, first.date) == ("JeanBonche", datetime(2013, 4, 19, 22, 9))
    assert first.body == "Moi je trouve ça sympas comme ajout, j’vois pas pourquoi tout le monde se plaint !"
    assert first.url == "http://starbound-fr.net/familiers/#comment-1391"
    reply = comment_by(post, "KiwiiCorporation", "Tu pourrais arrêter de répondre un peu n’importe quoi")
    assert reply.date == datetime(2013, 4, 19, 23, 11)
    parent = parent_of(post, reply)
    assert parent.author == "le_samourai" and parent.url.endswith("#comment-1403")
    body = post.article.body
    assert body.startswith("Suite à l’engouement généré par les pré-commandes")
    assert "Nous recherchons des rédacteurs motivés" not in body  # sidebar
    assert "Cet article vous a plu" not in body  # after-article box
    assert "Ajouter un commentaire" not in body  # comment form
    assert not report.errors and not report.skipped and not report.warnings  # « 81 Commentaires » matched


@pytest.mark.shared
def test_starbound_furious_koala_many_comments():
    post, _ = read_page(REAL / "starbound-fr.net" / "la-mise-jour-v-furious-koala_index.html")
    assert len(post.comments) == 97
    assert sum(1 for c in post.comments if c.parent_id) == 8
    assert post.article.title == "La mise à jour v. Furious Koala"
    reply = comment_by(post, "La Chouette", "La race n’est que cosmétique")
    assert reply.date == datetime(2014, 2, 2, 9, 19)
    parent = parent_of(post, reply)
    assert (parent.author, parent.date) == ("Rammus le herisson", datetime(2014, 2, 1, 23, 42))
    assert "Commentaires récents" not in post.article.body


@pytest.mark.shared
def test_domo_octoprint_html5_markup_and_pingback_left_out():
    post, report = read_page(REAL / "domo.easter.fr" / "octoprint-et-domoticz_index.html")
    assert len(post.comments) == 36
    assert report.skipped == {"pingback": 1}
    assert not report.warnings  # « 37 Comments » counts the pingback too
    assert sum(1 for c in post.comments if c.parent_id) == 21
    assert max_depth(post) == 5
    assert post.article.title == "Octoprint et Domoticz"
    assert post.article.author == "simon"
    assert post.article.date == datetime(2019, 10, 4, 9, 55, 30)
    first = post.comments[0]
    assert (first.author, first.date) == ("Frédéric", datetime(2020, 1, 14, 22, 5, 13))
    assert first.body.startswith("Bonsoir,\nJ’ai tenté de faire les différentes étapes")
    assert first.url == "http://domo.easter.fr/2019/10/04/octoprint-et-domoticz/#comment-310"
    reply = post.comments[1]
    assert reply.author == "simon" and reply.parent_id == first.id
    assert not any(c.body.startswith("Ping") for c in post.comments)
    body = post.article.body
    assert body.startswith("Un petit script lua pour récupérer les infos d’Octoprint dans Domoticz.")
    assert "Related Posts" not in body and "Porte de poulailler connectée" not in body
    assert "Hi, I’m" not in body  # author box


@pytest.mark.shared
def test_domo_vigicrue_first_item_is_a_pingback_and_deep_reply_keeps_emoji():
    post, report = read_page(REAL / "domo.easter.fr" / "vigicrue-v3-beta_index.html")
    assert len(post.comments) == 15
    assert report.skipped == {"pingback": 2}
    assert sum(1 for c in post.comments if c.parent_id) == 8
    first = post.comments[0]
    assert (first.author, first.date) == ("Laurent.C", datetime(2018, 1, 23, 10, 18, 42))
    deep = comment_by(post, "Julien Guellec", "Ca marche !! Excellent")
    assert deep.body.endswith("\U0001F642")
    assert parent_of(post, deep).author == "simon"
    assert "A la fin du confinement" not in post.article.body  # related post card


@pytest.mark.shared
def test_armetiz_freebox_custom_theme_without_usual_classes():
    post, _ = read_page(REAL / "armetiz.info" / "desactiver-wifi-freebox-sdk_index.html")
    assert len(post.comments) == 28
    assert sum(1 for c in post.comments if c.parent_id) == 6
    assert max_depth(post) == 3
    assert post.article.title == "Désactiver le WiFi de la Freebox à certaines heures"
    assert post.article.date == datetime(2012, 10, 9)
    assert post.article.url == "http://www.armetiz.info/desactiver-wifi-freebox-sdk/"  # HTTrack's note
    first = post.comments[0]
    assert (first.author, first.date) == ("Cook", datetime(2012, 10, 9, 17, 31))
    assert first.body == "Mais tu installes ça sur la freebox ou sur ton serveur unix ?"
    assert first.url == "http://www.armetiz.info/desactiver-wifi-freebox-sdk/#li-comment-684"
    reply = comment_by(post, "Thomas", "@fab, vérifie la version de NodeJS")
    assert parent_of(post, reply).author == "fab"
    body = post.article.body
    assert body.startswith("Je viens de sortir un SDK – short edition – sous NodeJS pour la Freebox")
    assert "Install NodeJS on CentOS" not in body  # related posts inside the entry
    assert "Random Posts" not in body and "Filmer l’espace avec un iPhone" not in body  # sidebar
    assert "123456789" not in body  # code listing line numbers


@pytest.mark.shared
def test_armetiz_windows7_flat_comments():
    post, _ = read_page(REAL / "armetiz.info" / "windows-7-pas-acces-internet_index.html")
    assert len(post.comments) == 24
    assert not any(c.parent_id for c in post.comments)
    assert post.article.title == "Windows 7 – Pas d’accès Internet"
    c = comment_by(post, "Thomas Tourlourat", "Whaou, je ne suis pas tout seul")
    assert c.date == datetime(2010, 1, 18, 22, 53)
    assert "Random Posts" not in post.article.body


@pytest.mark.shared
def test_blogger_hidden_comments_are_read():
    post, _ = read_page(REAL / "lafuiteautourdumonde.com" / "joyeux-noel-et-bonne-annee.html")
    assert len(post.comments) == 16
    assert not any(c.parent_id for c in post.comments)
    assert post.article.title == "Joyeux Noël et Bonne Année!"
    assert post.article.author == "Marie-Claude"
    assert post.article.date == datetime(2011, 12, 26)
    assert post.article.url == "http://www.lafuiteautourdumonde.com/2011/12/joyeux-noel-et-bonne-annee.html"
    first = post.comments[0]
    assert (first.author, first.date) == ("Luc", datetime(2011, 12, 26, 13, 47))
    assert first.body.startswith("Bonjour à vous deux.\nMerci pour vous voeux")
    assert first.url == post.article.url + "#c8516170684017879773"
    body = post.article.body
    assert body.startswith("Cette année 2011 fût une année bien remplie.")
    assert "Les plus populaires" not in body and "totalThumbs" not in body


@pytest.mark.shared
def test_movable_type_cost_of_learning():
    post, _ = read_page(REAL / "ouseful-mt" / "014803.html")
    assert len(post.comments) == 3
    assert post.article.title == "The Cost of Learning"
    assert post.article.author == "ajh59"
    assert post.article.date == datetime(2008, 6, 13, 11, 24)
    martin = post.comments[0]
    assert (martin.author, martin.date) == ("Martin", datetime(2008, 6, 16, 8, 59))
    assert martin.body.startswith("A really interesting post Tony - I've done a rambling response")
    assert "Posted by" not in martin.body
    body = post.article.body
    assert body.startswith("This one's for Downes... ;-)")
    assert "Quirk. Strangeness. Charm." not in body and "Posted by ajh59" not in body


@pytest.mark.shared
def test_movable_type_geo_twitter():
    post, _ = read_page(REAL / "ouseful-mt" / "012696.html")
    assert len(post.comments) == 3
    assert post.article.title == "Geo Twitter - GeoCoding Your Tweets and Plotting Them on an Embeddable Map"
    jn = post.comments[1]
    assert (jn.author, jn.date) == ("Jean-Noël", datetime(2008, 2, 1, 17, 52))
    assert jn.body == "Why not create a Pipes using API TwitterVision?"


# --- hand-made pages ---------------------------------------------------------------------------

def test_html5_page_article_fields():
    post, _ = read_page(HTML / "wordpress-html5-threaded.html")
    a = post.article
    assert a.title == "Les données de santé et le Privacy Shield"
    assert a.author == "Lise Martin"
    assert a.date == datetime(2021, 2, 19, 8, 30)
    assert a.url == "https://carnet.example.fr/2021/02/donnees-sante/"


def test_html5_page_body_has_no_furniture():
    post, _ = read_page(HTML / "wordpress-html5-threaded.html")
    assert post.article.body == (
        "L’invalidation du Privacy Shield change la donne pour les hébergeurs de données\u00a0: "
        "l’œuvre de la CJUE est passée par là.\n\n"
        "Qui héberge nos dossiers médicaux\u00a0? La question n’est plus théorique."
    )


def test_reply_keeps_its_parent_and_author_loses_says():
    post, _ = read_page(HTML / "wordpress-html5-threaded.html")
    question, answer = post.comments
    assert question.author == "Paul Girard" and question.parent_id is None
    assert answer.author == "Lise Martin" and answer.parent_id == question.id
    assert answer.body == "Oui, c’est bien tout le problème soulevé par la CNIL."


def test_pingback_is_counted_not_indexed():
    post, report = read_page(HTML / "wordpress-html5-threaded.html")
    assert report.skipped == {"pingback": 1}
    assert not any("Revue de presse" in c.body for c in post.comments)


def test_ids_are_stable_and_keyed_on_the_canonical_url():
    post, _ = read_page(HTML / "wordpress-html5-threaded.html")
    again, _ = read_page(HTML / "wordpress-html5-threaded.html")
    assert [d.id for d in post.documents] == [d.id for d in again.documents]
    assert post.comments[0].id == post.article.id + "-c1"
    assert post.comments[0].url == "https://carnet.example.fr/2021/02/donnees-sante/#comment-11"


def test_legacy_page_uses_httrack_note_as_url_and_inner_comment_anchor():
    post, report = read_page(HTML / "wordpress-legacy-relative-links.html")
    assert post.article.url == "http://blog.example.fr/2012/05/retraites/"
    assert post.article.date == datetime(2012, 5, 3)
    assert report.skipped == {"trackback": 1}
    (comment,) = post.comments
    assert comment.url == "http://blog.example.fr/2012/05/retraites/#comment-5"
    assert comment.body == "Et les carrières longues\u00a0? Personne n’en parle."
    assert "Catégories" not in post.article.body and "Tous droits" not in post.article.body


def test_dotclear_comments_in_a_definition_list():
    post, _ = read_page(HTML / "dotclear.html")
    assert post.article.title == "Les municipales vues d’en bas"
    assert post.article.author == "Mireille"
    assert post.article.body == "Dans notre commune, la liste sortante n’a pas encore de tête de liste."
    gilles, mireille = post.comments
    assert (gilles.author, gilles.date) == ("Gilles", datetime(2011, 1, 5, 12, 15))
    assert gilles.body == "C’est pareil chez nous\u00a0: personne ne veut y aller."
    assert gilles.url == "http://mireille.example.net/post/2011/01/05/municipales#c31"
    assert mireille.author == "Mireille"


def test_classic_blogger_comments_block():
    post, _ = read_page(HTML / "blogger-classic.html")
    assert post.article.title == "Arrivée à Hanoï"  # not the blog's name, also a heading in <title>
    assert post.article.author == "Claire"
    assert post.article.date == datetime(2009, 3, 17, 21, 5)
    jo, anonymous = post.comments
    assert (jo.author, jo.date) == ("Mamie Jo", datetime(2009, 3, 18, 8, 12))
    assert jo.body == "Quel voyage\u00a0! Embrassez Hanoï pour moi."
    assert anonymous.author == "Anonyme"
    assert anonymous.url.endswith("arrivee-hanoi.html#c4471")
    assert "Archives du blog" not in post.article.body


def test_spip_forum_replies_keep_their_parent():
    post, _ = read_page(HTML / "spip-forum.html")
    assert post.article.title == "Fermeture de la maternité : la mobilisation continue"
    assert post.article.author == "Nadia Benali"
    assert post.article.body == "Plus de 800 personnes ont défilé samedi devant l’hôpital."
    jacques, nadia, elodie = post.comments
    assert (jacques.author, jacques.date) == ("Jacques", datetime(2019, 3, 8, 18, 22))
    assert jacques.url == "https://collectif-sante.example.org/spip.php?article87#forum412"
    assert nadia.parent_id == jacques.id
    assert elodie.parent_id is None
    assert "Répondre à ce message" not in jacques.body


def test_classless_wordpress_comment_blocks_are_read_and_empty_anchors_are_not(tmp_path):
    page = tmp_path / "theme.html"
    page.write_text(
        "<html><head><title>Un billet</title></head><body><div class='entry-content'><p>Texte.</p></div>"
        "<div id='comments'><a id='comment-3'></a>"
        "<div id='comment-3'><span class='author'>Zoé</span> <span class='date'>2 mai 2012</span>"
        "<p>Premier avis.</p></div>"
        "<div id='comment-4'><span class='author'>Hugo</span><p>Second avis.</p></div></div></body></html>",
        encoding="utf-8")
    post, report = read_page(page)
    assert [(c.author, c.body) for c in post.comments] == [("Zoé", "Premier avis."), ("Hugo", "Second avis.")]
    assert post.comments[0].date == datetime(2012, 5, 2)
    assert not report.skipped


def test_page_announcing_more_comments_than_it_holds_warns(tmp_path):
    page = tmp_path / "page-1.html"
    page.write_text(
        "<html><head><title>Un billet</title></head><body><div class='entry-content'><p>Texte.</p></div>"
        "<h3 class='comments-title'>120 commentaires</h3><ol class='commentlist'>"
        "<li class='comment' id='comment-1'><cite class='fn'>A</cite><p>Un.</p></li>"
        "<li class='comment' id='comment-2'><cite class='fn'>B</cite><p>Deux.</p></li></ol></body></html>",
        encoding="utf-8")
    post, report = read_page(page)
    assert len(post.comments) == 2
    assert report.warnings == ["page-1.html: the page announces 120 comments, 2 found "
                               "(comments shown on other pages are not in this file)"]


def test_home_page_showing_several_posts_warns(tmp_path):
    page = tmp_path / "index.html"
    long_text = "Un paragraphe assez long pour être un vrai billet de blog, et non un extrait. " * 5
    page.write_text(
        "<html><head><title>Mon blog</title></head><body>"
        f"<div class='post'><h2>Premier</h2><div class='entry-content'><p>{long_text}</p></div></div>"
        f"<div class='post'><h2>Second</h2><div class='entry-content'><p>{long_text} Encore.</p></div></div>"
        "</body></html>", encoding="utf-8")
    post, report = read_page(page)
    assert post.article.body.endswith("Encore.")
    assert report.warnings == ["index.html: the page shows 2 posts (a home or archive page?); only the longest is read"]


def test_page_without_known_markup_keeps_its_main_text(tmp_path):
    page = tmp_path / "simple.html"
    page.write_text("<html><head><title>Notes de lecture</title></head><body>"
                    "<div id='menu'><a href='/'>Accueil</a></div>"
                    "<div id='texte'><p>Premier paragraphe assez long pour compter.</p>"
                    "<p>Second paragraphe, lui aussi.</p></div></body></html>", encoding="utf-8")
    post, _ = read_page(page)
    assert post.article.title == "Notes de lecture"
    assert post.article.body == "Premier paragraphe assez long pour compter.\n\nSecond paragraphe, lui aussi."
    assert post.comments == []


FRAGMENTS = st.sampled_from([
    "<html>", "<head>", "<title>", "</title>", "<meta charset='iso-8859-1'>", "<body>", "<p>", "</p>", "<br>",
    "<div class='entry-content'>", "</div>", "<ol class='commentlist'>", "<li class='comment' id='comment-1'>",
    "<li class='pingback' id='comment-2'>", "<ul class='children'>", "</li>", "<cite class='fn'>",
    "<time datetime='2020-13-45T99:99'>", "<dl id='comments-block'><dt id='c123'>", "<dd>", "&#27;[31m",
    "<div class='comments-body'>", "<span class='comments-post'>Posted by: ", "<script>x", "<!--", "-->",
    "<?xml version='1.0' encoding='utf-16'?>", "<meta property='og:url' content='http://a.example/",
    "<!-- Mirrored from a.example/\x1b[2J by HTTrack -->", "'>", "19 avril 2013 à 22 h 09 min", "\x1b]0;titre\x07",
    "\x00",
])
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(FRAGMENTS, st.text(max_size=20)), max_size=40), st.binary(max_size=20))
def test_any_markup_gives_a_post_or_a_clear_error_and_no_control_characters(parts, noise):
    data = "".join(parts).encode("utf-8", "surrogatepass") + noise
    report = FileReport("fuzz.html")
    try:
        posts = list(parse_page(data, "fuzz.html", report))
    except InputError as exc:
        assert str(exc).startswith("fuzz.html: ")
        return
    for doc in posts[0].documents:
        assert not CONTROL.search(doc.title + doc.body + (doc.author or "") + (doc.url or ""))


# --- through the CLI ---------------------------------------------------------------------------

@pytest.mark.shared
def test_cli_indexes_the_real_pages_with_their_counts(runner, tmp_path):
    ix = tmp_path / "ix"
    sites = sorted(str(d) for d in REAL.iterdir() if d.is_dir())  # not SOURCES.txt
    result = runner.invoke(main, ["index", *sites, "--index", str(ix)])
    assert result.exit_code == 0, result.output
    stats = runner.invoke(main, ["stats", "--index", str(ix), "--json"])
    assert stats.exit_code == 0
    assert '"articles": 9,' in stats.stdout
    # 81 + 97 + 36 + 15 + 28 + 24 + 16 + 3 + 3 comments, pingbacks left out
    assert '"comments": 303' in stats.stdout


@pytest.mark.shared
def test_cli_finds_a_real_comment_phrase(runner, tmp_path):
    ix = tmp_path / "ix"
    assert runner.invoke(main, ["index", str(REAL / "armetiz.info"), "--index", str(ix)]).exit_code == 0
    result = runner.invoke(main, ["search", '"installes ça sur la freebox"', "--index", str(ix), "--json"])
    assert result.exit_code == 0
    assert '"author": "Cook"' in result.stdout
    assert "#li-comment-684" in result.stdout


def test_cli_names_a_binary_html_file_and_indexes_the_rest(runner, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "image.html").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))
    (corpus / "page.html").write_bytes((HTML / "wordpress-html5-threaded.html").read_bytes())
    result = runner.invoke(main, ["index", str(corpus), "--index", str(tmp_path / "ix")])
    assert result.exit_code == 2
    assert "image.html" in result.stderr and "binary" in result.stderr
    assert "Traceback" not in result.output
    found = runner.invoke(main, ["search", '"Cloud Act"', "--index", str(tmp_path / "ix")])
    assert found.exit_code == 0


def test_categories_and_tags_come_from_the_post_not_from_sidebars_or_related_posts(tmp_path):
    page = tmp_path / "billet.html"
    page.write_text(
        '<html><head><title>Billet</title><meta property="article:tag" content="CNIL">'
        '<meta property="article:section" content="Actualité"></head><body>'
        '<main class="kenta-no-sidebar"><article><h1>Billet</h1><div class="entry-content"><p>Texte.</p></div>'
        '<footer class="entry-footer"><a rel="category tag" href="/c/droit">Droit</a> '
        '<a rel="tag" href="/t/rgpd">RGPD</a> <a rel="tag" href="/t/cnil">CNIL</a></footer></article>'
        '<div class="related-posts"><a rel="category tag" href="/c/sport">Sport</a></div></main>'
        '<aside><a rel="tag" href="/t/autre">Autre</a></aside>'
        '<div class="tag-cloud"><a rel="tag" href="/t/nuage">Nuage</a></div></body></html>', "utf-8")
    post, _ = read_page(page)
    assert post.article.categories == ["Droit", "Actualité"]
    assert post.article.tags == ["RGPD", "CNIL"]


@pytest.mark.shared
def test_real_wordpress_page_gives_its_categories_and_tags():
    post, _ = read_page(REAL / "armetiz.info" / "desactiver-wifi-freebox-sdk_index.html")
    assert post.article.categories == ["Javascript"]
    assert post.article.tags == ["Cron", "Domotique", "Freebox", "Libre", "NodeJS", "npm", "Programmation",
                                 "Projet", "SDK"]
