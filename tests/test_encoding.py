"""Encodings of saved pages: BOM, declared charset, content; mojibake; control characters."""

import re

import pytest
from conftest import FIXTURES, SHARED

from searchkit.cli import main
from searchkit.readers import FileReport, read_file
from searchkit.readers.encoding import declared_charset, decode

HTML = FIXTURES / "html"
REAL = SHARED / "corpora" / "html"
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def read_post(path, source=None):
    report = FileReport(source or path.name)
    posts = list(read_file(path, source or path.name, report))
    assert len(posts) == 1
    return posts[0], report


def test_http_header_charset_beats_meta():
    assert declared_charset(b'<meta charset="utf-8">', "text/html; charset=ISO-8859-1") == "ISO-8859-1"


def test_meta_http_equiv_charset_is_found():
    data = b'<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1" />'
    assert declared_charset(data) == "iso-8859-1"


def test_xml_declaration_charset_is_found():
    assert declared_charset(b'<?xml version="1.0" encoding="windows-1252"?><html>') == "windows-1252"


def test_unknown_charset_label_is_ignored():
    assert declared_charset(b'<meta charset="klingon"><meta charset="utf-8">') is None


def test_bom_beats_declared_charset():
    text, used = decode(b"\xef\xbb\xbf" + "Noël".encode(), "iso-8859-1")
    assert (text, used) == ("Noël", "utf-8-sig")


def test_declared_latin1_is_read_as_windows_1252():
    text, _ = decode("it’s".encode("cp1252"), "ISO-8859-1")
    assert text == "it’s"


def test_valid_utf8_wins_over_a_wrong_latin1_declaration():
    text, used = decode("l’été".encode(), "iso-8859-1")
    assert (text, used) == ("l’été", "utf-8")


@pytest.mark.shared
def test_real_page_declared_latin1_but_cp1252_gives_curly_apostrophe():
    post, _ = read_post(REAL / "ouseful-mt" / "014803.html")
    gary = next(c for c in post.comments if c.author == "Gary Lewis")
    assert gary.body.startswith("Sometimes it’s helpful to temporarily lose the institutional constraints.")
    assert not any(CONTROL.search(c.body) for c in post.comments)


@pytest.mark.shared
def test_real_true_latin1_page_gives_jean_noel():
    post, _ = read_post(REAL / "ouseful-mt" / "012696.html")
    assert "Jean-Noël" in [c.author for c in post.comments]


def test_hand_made_cp1252_page_declared_latin1():
    post, _ = read_post(HTML / "latin1-declared-but-cp1252.html")
    assert post.article.title == "L’été à Noël"
    assert "c’est l’été… Œuvre de Jean-Noël" in post.article.body
    assert post.comments[0].body == "It’s “great”, naïve too."


def test_utf8_bom_page_wins_over_its_latin1_meta():
    post, _ = read_post(HTML / "utf8-bom-declared-latin1.html")
    assert post.article.body == "Vin chaud au marché de Noël, l’hiver arrive."


def test_mojibake_is_repaired_in_title_and_body():
    post, _ = read_post(HTML / "mojibake-and-control-chars.html")
    assert post.article.title == "Vos données"
    assert post.article.body == "La protection des données personnelles, c’est l’affaire de tous."


def test_no_control_character_comes_out_of_a_page():
    post, _ = read_post(HTML / "mojibake-and-control-chars.html")
    comment = post.comments[0]
    assert comment.author == "Root"
    assert comment.body.startswith("Texte rouge et cloche et")
    assert not any(CONTROL.search(d.body + d.title + (d.author or "")) for d in post.documents)


def test_no_control_character_is_printed_by_search(runner, tmp_path):
    ix = tmp_path / "ix"
    page = HTML / "mojibake-and-control-chars.html"
    assert runner.invoke(main, ["index", str(page), "--index", str(ix)]).exit_code == 0
    result = runner.invoke(main, ["search", "rouge", "--index", str(ix)])
    assert result.exit_code == 0
    assert "rouge" in result.stdout
    assert "\x1b]" not in result.stdout and "\x07" not in result.stdout


def test_page_declared_utf8_but_not_utf8_is_read_with_a_warning(tmp_path):
    page = tmp_path / "faux-utf8.html"
    page.write_bytes('<html><head><meta charset="utf-8"><title>Été</title></head>'
                     '<body><div class="entry-content"><p>L’été est là, déjà.</p></div></body></html>'.encode("cp1252"))
    post, report = read_post(page)
    assert post.article.body == "L’été est là, déjà."
    assert any("faux-utf8.html" in w and "utf-8" in w for w in report.warnings)
