"""The page-dump reader on the bundled sample and on small dumps of other layouts."""

from pathlib import Path

import pytest
from conftest import FIXTURES, SAMPLE

from searchkit.errors import InputError
from searchkit.readers import FileReport, read_file

DUMPS = FIXTURES / "pagedump"


def read(path: Path):
    report = FileReport(path.name)
    posts = list(read_file(path, path.name, report))
    return posts, report


def test_sample_gives_one_article_and_nine_comments():
    posts, _ = read(SAMPLE)
    assert len(posts) == 1
    assert posts[0].article.kind == "article"
    assert [c.kind for c in posts[0].comments] == ["comment"] * 9


def test_sample_title_is_first_line():
    posts, _ = read(SAMPLE)
    assert posts[0].article.title == "Macron a vendu nos données de santé à Microsoft !"


def test_sample_declared_count_mismatch_is_a_warning_not_an_error():
    _, report = read(SAMPLE)
    assert report.warnings == ["000_caa8075c1ef2035a.txt: declared 11 comments, found 9"]
    assert report.errors == []


def test_sample_furniture_kept_as_metadata_not_text():
    posts, _ = read(SAMPLE)
    article = posts[0].article
    assert article.meta == {"views": 509, "declared_comments": 11}
    for furniture in ("total views", "image_pdf", "Commentaires", "Les commentaires sont fermés"):
        assert furniture not in article.body
        assert all(furniture not in c.body for c in posts[0].comments)


def test_sample_article_keeps_both_afp_dispatches():
    posts, _ = read(SAMPLE)
    body = posts[0].article.body
    assert "AFP – 19/02/2021" in body
    assert "AFP – 14/10/2020" in body
    assert body.rstrip().endswith("en utilisant en particulier l’intelligence artificielle.")


def test_sample_comment_five_keeps_both_paragraphs():
    posts, _ = read(SAMPLE)
    fifth = posts[0].comments[4]
    assert fifth.number == 5
    first, second = fifth.body.split("\n\n")
    assert first.startswith("WhatsApp rendra bientôt la vie plus difficile")
    assert second.startswith("En janvier 2020, WhatsApp a annoncé")


def test_sample_comment_continuation_lines_belong_to_their_comment():
    posts, _ = read(SAMPLE)
    sixth = posts[0].comments[5]
    assert "Nos données n’appartiennent pas à Microsoft ni à M.Gates!" in sixth.body
    assert sixth.body.startswith("A dénoncer très vite")


def test_sample_comments_point_to_their_article_and_carry_its_title():
    posts, _ = read(SAMPLE)
    article = posts[0].article
    for n, comment in enumerate(posts[0].comments, start=1):
        assert comment.post_id == article.id
        assert comment.title == article.title
        assert comment.id == f"{article.id}-c{n}"
        assert comment.source == "000_caa8075c1ef2035a.txt"


def test_ids_are_stable_across_reads():
    first, _ = read(SAMPLE)
    second, _ = read(SAMPLE)
    assert [d.id for d in first[0].documents] == [d.id for d in second[0].documents]


def test_dump_without_furniture_or_comments_is_one_article():
    posts, report = read(DUMPS / "no-comments.txt")
    article = posts[0].article
    assert posts[0].comments == []
    assert article.title == "Réforme des retraites : le Conseil d’État saisi"
    # a line of only a non-breaking space separates paragraphs like a blank line
    assert article.body.split("\n\n") == [
        "Le gouvernement a transmis jeudi le projet de loi au Conseil d’État.\n"
        "L’avis est attendu « sous quinze jours ».",
        "Qu’en pensent les syndicats ? Ils n’ont pas encore réagi.",
    ]
    assert report.warnings == []


def test_singular_comment_header_is_read():
    posts, report = read(DUMPS / "one-comment.txt")
    assert posts[0].article.meta == {"views": 87, "declared_comments": 1}
    assert [c.body for c in posts[0].comments] == ["Enfin une bonne nouvelle pour l’école !"]
    assert report.warnings == []


def test_multi_paragraph_comments_and_leading_blank_lines():
    posts, report = read(DUMPS / "multi-paragraph-comments.txt")
    post = posts[0]
    assert post.article.title == "Titre précédé de lignes vides"
    assert post.article.body == "Premier paragraphe de l’article."
    assert [c.body for c in post.comments] == [
        "Premier commentaire,\nsur deux lignes.\n\nEt un second paragraphe.",
        "Deuxième commentaire.",
        "Troisième, qui cite « 2. une liste » sans être un nouveau commentaire.",
    ]
    assert report.warnings == []


def test_empty_file_is_refused_with_its_name():
    with pytest.raises(InputError, match=r"^empty.txt: empty file$"):
        read(DUMPS / "empty.txt")


def test_binary_file_is_refused_with_its_name():
    with pytest.raises(InputError, match=r"^image.txt: binary content"):
        read(DUMPS / "image.txt")
