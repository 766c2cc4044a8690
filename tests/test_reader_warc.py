"""WARC files: built here with warcio's writer from the shared real HTML pages."""

import gzip
import io
import json

import pytest
from conftest import SHARED
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from searchkit.cli import main
from searchkit.readers import FileReport, read_file

REAL = SHARED / "corpora" / "html"
FREEBOX = "https://www.armetiz.info/desactiver-wifi-freebox-sdk/"
FAMILIERS = "http://starbound-fr.net/familiers/"
COST = "http://blogs.open.ac.uk/Maths/ajh59/014803.html"


def response(uri, payload, content_type="text/html; charset=UTF-8", status="200 OK", headers=()):
    return uri, payload, content_type, status, list(headers)


def write_warc(path, responses, gzip_records=True, extra_records=True):
    """A WARC of HTTP responses, with a warcinfo and a request record as real crawls have."""
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=gzip_records)
        if extra_records:
            writer.write_record(writer.create_warcinfo_record(path.name, {"software": "wget/1.21"}))
        for uri, payload, content_type, status, headers in responses:
            if extra_records:
                req = StatusAndHeaders("GET / HTTP/1.1", [("Host", "example")], is_http_request=True)
                writer.write_record(writer.create_warc_record(uri, "request", http_headers=req))
            http = StatusAndHeaders(status, [("Content-Type", content_type), *headers], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(uri, "response", payload=io.BytesIO(payload),
                                                          http_headers=http))
    return path


def real(*parts):
    return REAL.joinpath(*parts).read_bytes()


@pytest.fixture
def three_pages(tmp_path):
    return write_warc(tmp_path / "crawl.warc.gz", [
        response(FREEBOX, real("armetiz.info", "desactiver-wifi-freebox-sdk_index.html")),
        response(FAMILIERS, real("starbound-fr.net", "familiers_index.html")),
        response(COST, real("ouseful-mt", "014803.html"), "text/html; charset=iso-8859-1"),
        response("https://www.armetiz.info/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(100), "image/png"),
    ])


def read_warc(path):
    report = FileReport(path.name)
    return list(read_file(path, path.name, report)), report


@pytest.mark.shared
def test_round_trip_through_the_cli_finds_a_real_comment_with_its_url(runner, three_pages, tmp_path):
    ix = tmp_path / "ix"
    result = runner.invoke(main, ["index", str(three_pages), "--index", str(ix)])
    assert result.exit_code == 0, result.output
    found = runner.invoke(main, ["search", '"installes ça sur la freebox"', "--index", str(ix), "--json"])
    assert found.exit_code == 0
    hit = json.loads(found.stdout.splitlines()[0])
    assert hit["author"] == "Cook"
    assert hit["url"] == FREEBOX + "#li-comment-684"
    assert hit["source"] == "crawl.warc.gz"


@pytest.mark.shared
def test_round_trip_counts_every_page_and_comment(runner, three_pages, tmp_path):
    ix = tmp_path / "ix"
    assert runner.invoke(main, ["index", str(three_pages), "--index", str(ix)]).exit_code == 0
    stats = json.loads(runner.invoke(main, ["stats", "--index", str(ix), "--json"]).stdout)
    assert (stats["articles"], stats["comments"]) == (3, 28 + 81 + 3)


@pytest.mark.shared
def test_reindexing_a_changed_warc_replaces_its_pages(runner, three_pages, tmp_path):
    ix = tmp_path / "ix"
    assert runner.invoke(main, ["index", str(three_pages), "--index", str(ix)]).exit_code == 0
    write_warc(three_pages, [  # the same three pages, crawled again with one more (not found) URL
        response(FREEBOX, real("armetiz.info", "desactiver-wifi-freebox-sdk_index.html")),
        response(FAMILIERS, real("starbound-fr.net", "familiers_index.html")),
        response(COST, real("ouseful-mt", "014803.html"), "text/html; charset=iso-8859-1"),
        response("http://starbound-fr.net/absent/", b"<html><body>Not Found</body></html>", status="404 Not Found"),
    ])
    result = runner.invoke(main, ["index", str(three_pages), "--index", str(ix)])
    assert result.exit_code == 0
    stats = json.loads(runner.invoke(main, ["stats", "--index", str(ix), "--json"]).stdout)
    assert (stats["articles"], stats["comments"]) == (3, 112)


@pytest.mark.shared
def test_article_url_is_the_target_uri_not_the_page_canonical(three_pages):
    posts, _ = read_warc(three_pages)
    assert [p.article.url for p in posts] == [FREEBOX, FAMILIERS, COST]
    assert posts[1].comments[0].url == FAMILIERS + "#comment-1391"


@pytest.mark.shared
def test_ids_are_keyed_on_the_file_and_target_uri(three_pages, tmp_path):
    posts, _ = read_warc(three_pages)
    again, _ = read_warc(three_pages)
    assert [d.id for p in posts for d in p.documents] == [d.id for p in again for d in p.documents]
    assert len({p.article.id for p in posts}) == 3


@pytest.mark.shared
def test_cp1252_page_in_a_warc_gives_curly_apostrophe(three_pages):
    posts, _ = read_warc(three_pages)
    cost = posts[2]
    assert cost.article.title == "The Cost of Learning"
    assert any(c.body.startswith("Sometimes it’s helpful") for c in cost.comments)


def test_http_header_charset_is_used(tmp_path):
    page = "<html><body><div class='entry-content'><p>Prix : 5 € la tasse</p></div></body></html>"
    path = write_warc(tmp_path / "latin9.warc", [
        response("http://cafe.example.fr/prix", page.encode("iso-8859-15"), "text/html; charset=ISO-8859-15"),
    ], gzip_records=False)
    (post,), _ = read_warc(path)
    assert post.article.body == "Prix : 5 € la tasse"


def test_page_meta_charset_wins_over_a_wrong_server_header(tmp_path):
    page = ("<html><head><meta charset='iso-8859-15'></head><body><div class='entry-content'>"
            "<p>Prix : 5 € la tasse</p></div></body></html>")
    path = write_warc(tmp_path / "latin9.warc", [
        response("http://cafe.example.fr/prix", page.encode("iso-8859-15"), "text/html; charset=utf-8"),
    ], gzip_records=False)
    (post,), _ = read_warc(path)
    assert post.article.body == "Prix : 5 € la tasse"


def test_gzip_content_encoding_is_undone(tmp_path):
    page = "<html><body><div class='entry-content'><p>Café compressé</p></div></body></html>"
    path = write_warc(tmp_path / "gz.warc.gz", [
        response("http://cafe.example.fr/", gzip.compress(page.encode()), headers=[("Content-Encoding", "gzip")]),
    ])
    (post,), _ = read_warc(path)
    assert post.article.body == "Café compressé"


def test_error_responses_are_left_out_and_counted(tmp_path):
    path = write_warc(tmp_path / "mixed.warc.gz", [
        response("http://cafe.example.fr/absent", b"<html><body><p>Not Found</p></body></html>",
                 status="404 Not Found"),
        response("http://cafe.example.fr/",
                 b"<html><body><div class='entry-content'><p>Ouvert</p></div></body></html>"),
    ])
    posts, report = read_warc(path)
    assert [p.article.url for p in posts] == ["http://cafe.example.fr/"]
    assert report.skipped == {"HTTP 404 response": 1}


@pytest.mark.shared
def test_same_url_captured_twice_is_read_once(tmp_path):
    page = real("ouseful-mt", "012696.html")
    path = write_warc(tmp_path / "twice.warc.gz", [response(COST, page), response(COST, page)])
    posts, report = read_warc(path)
    assert len(posts) == 1
    assert report.skipped == {"URL captured twice in the same WARC": 1}


@pytest.mark.shared
def test_truncated_warc_indexes_what_it_holds_and_reports_an_error(tmp_path):
    path = write_warc(tmp_path / "cut.warc", [
        response(COST, real("ouseful-mt", "014803.html")),
        response(FREEBOX, real("armetiz.info", "desactiver-wifi-freebox-sdk_index.html")),
    ], gzip_records=False, extra_records=False)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 30000])
    posts, report = read_warc(path)
    assert [p.article.url for p in posts] == [COST, FREEBOX]
    assert len(posts[0].comments) == 3
    assert len(report.errors) == 1
    assert "cut.warc#" + FREEBOX in report.errors[0] and "truncated" in report.errors[0]


@pytest.mark.shared
def test_cli_names_a_file_that_is_not_a_warc(runner, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "broken.warc").write_bytes(b"WARC/1.0\r\nrien de plus\r\n\r\n")
    write_warc(corpus / "good.warc.gz", [response(COST, real("ouseful-mt", "014803.html"))])
    result = runner.invoke(main, ["index", str(corpus), "--index", str(tmp_path / "ix")])
    assert result.exit_code == 2
    assert "broken.warc" in result.stderr and "not a readable WARC" in result.stderr
    assert "Traceback" not in result.output
    assert runner.invoke(main, ["search", "SocialLearn", "--index", str(tmp_path / "ix")]).exit_code == 0


def test_warc_without_html_pages_warns(tmp_path):
    path = write_warc(tmp_path / "images.warc.gz", [response("http://x.example/a.png", b"\x89PNG", "image/png")])
    posts, report = read_warc(path)
    assert posts == []
    assert any("no HTML page" in w for w in report.warnings)


@pytest.mark.shared
def test_page_saved_as_html_and_captured_in_a_warc_is_indexed_once(runner, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "familiers.html").write_bytes(real("starbound-fr.net", "familiers_index.html"))
    write_warc(corpus / "crawl.warc.gz", [response("https://starbound-fr.net/familiers/",
                                                   real("starbound-fr.net", "familiers_index.html"))])
    ix = tmp_path / "ix"
    result = runner.invoke(main, ["index", str(corpus), "--index", str(ix)])
    assert result.exit_code == 0, result.output
    assert "duplicate" in result.output
    stats = json.loads(runner.invoke(main, ["stats", "--index", str(ix), "--json"]).stdout)
    assert (stats["articles"], stats["comments"]) == (1, 81)
