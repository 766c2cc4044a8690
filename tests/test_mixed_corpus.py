"""One corpus folder mixing every format with broken files: the good ones are all indexed,
each bad one is named, and searches work across formats (issue 3, "It must show")."""

import json
import shutil

import pytest
from conftest import FIXTURES, SAMPLE, SHARED
from test_reader_warc import response, write_warc

from searchkit.cli import main

CORPORA = SHARED / "corpora"
HTML = CORPORA / "html"
# A real reader comment on the Freebox page, saved as HTML (armetiz.info).
FREEBOX_PAGE = HTML / "armetiz.info" / "desactiver-wifi-freebox-sdk_index.html"
# A real comment of the Starbound page, which goes in only through a WARC capture.
STARBOUND_PAGE = HTML / "starbound-fr.net" / "familiers_index.html"
STARBOUND_URL = "http://starbound-fr.net/familiers/"

pytestmark = pytest.mark.shared  # reads ../shared/corpora (the real-data tier)


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    root = tmp_path_factory.mktemp("mixed")
    corpus = root / "corpus"
    (corpus / "dumps").mkdir(parents=True)
    shutil.copy(SAMPLE, corpus / "dumps")
    shutil.copy(CORPORA / "thecoffeeworkshop-wordpress.xml", corpus)
    shutil.copy(FREEBOX_PAGE, corpus / "freebox.html")
    write_warc(corpus / "crawl.warc.gz", [response(STARBOUND_URL, STARBOUND_PAGE.read_bytes())])
    shutil.copy(FIXTURES / "jsonl" / "blog.jsonl", corpus)
    # the bad ones
    shutil.copy(FIXTURES / "pagedump" / "image.txt", corpus / "dumps" / "scan.txt")
    (corpus / "dumps" / "vide.txt").write_bytes(b"")
    shutil.copy(FIXTURES / "wxr" / "truncated.xml", corpus / "export-coupe.xml")
    (corpus / "photo.html").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4)
    index = root / "index"
    result = main_invoke(["index", str(corpus), "--index", str(index)])
    return corpus, index, result


def main_invoke(args):
    from click.testing import CliRunner

    return CliRunner().invoke(main, args)


def search_json(index, *args):
    result = main_invoke(["search", *args, "--index", str(index), "--json", "--flat", "--limit", "0"])
    return result, [json.loads(line) for line in result.stdout.splitlines()]


def test_mixed_corpus_run_exits_2_without_traceback(mixed):
    _, _, result = mixed
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("bad", ["dumps/scan.txt", "dumps/vide.txt", "export-coupe.xml", "photo.html"])
def test_each_bad_file_is_named_in_an_error(mixed, bad):
    _, _, result = mixed
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert any(bad in line for line in errors), result.stderr


def test_every_good_file_is_indexed(mixed):
    _, index, _ = mixed
    stats = json.loads(main_invoke(["stats", "--index", str(index), "--json"]).stdout)
    for good in ("dumps/000_caa8075c1ef2035a.txt", "thecoffeeworkshop-wordpress.xml",
                 "freebox.html", "crawl.warc.gz", "blog.jsonl"):
        assert good in stats["sources"], stats["sources"]


def test_good_files_keep_their_counts_beside_bad_ones(mixed, tmp_path):
    corpus, index, _ = mixed
    good_only = tmp_path / "good"
    good_only.mkdir()
    for name in ("thecoffeeworkshop-wordpress.xml", "freebox.html", "crawl.warc.gz", "blog.jsonl"):
        shutil.copy(corpus / name, good_only)
    (good_only / "dumps").mkdir()
    shutil.copy(SAMPLE, good_only / "dumps")
    clean = main_invoke(["index", str(good_only), "--index", str(tmp_path / "ix")])
    assert clean.exit_code == 0, clean.stderr
    expected = json.loads(main_invoke(["stats", "--index", str(tmp_path / "ix"), "--json"]).stdout)
    got = json.loads(main_invoke(["stats", "--index", str(index), "--json"]).stdout)
    # the truncated export still gives its complete items: that is all the mixed run adds
    assert got["comments"] >= expected["comments"]
    assert got["articles"] == expected["articles"] + 1


def test_privacy_shield_phrase_found_in_page_dump_and_jsonl(mixed):
    _, index, _ = mixed
    result, hits = search_json(index, '"Privacy Shield"')
    assert result.exit_code == 0
    assert {"dumps/000_caa8075c1ef2035a.txt", "blog.jsonl"} <= {h["source"] for h in hits}


def test_folded_word_found_across_formats(mixed):
    _, index, _ = mixed
    result, hits = search_json(index, "donnees")
    assert result.exit_code == 0
    sources = {h["source"] for h in hits}
    assert "dumps/000_caa8075c1ef2035a.txt" in sources
    assert "blog.jsonl" in sources
    assert len(sources) >= 3, sources


def test_phrase_from_a_real_comment_in_a_warc_capture(mixed):
    _, index, _ = mixed
    # Fizz, 19 avril 2013: « Moi je trouve ca un petit peu bete de mettre des familiers »
    result, hits = search_json(index, '"un petit peu bête de mettre des familiers"', "--kind", "comment")
    assert result.exit_code == 0, result.stderr
    assert [h["author"] for h in hits] == ["Fizz"]
    assert hits[0]["source"] == "crawl.warc.gz"
    assert hits[0]["url"].startswith(STARBOUND_URL)


def test_phrase_from_a_real_comment_in_a_saved_page(mixed):
    _, index, _ = mixed
    result, hits = search_json(index, '"désactivation automatique du wifi"', "--kind", "comment")
    assert result.exit_code == 0, result.stderr
    assert [(h["author"], h["source"]) for h in hits] == [("Volt", "freebox.html")]
