"""Hostile and oversized archives against the readers: never a hang, a traceback or silent loss,
memory bounded (asserted on the child process's own peak RSS, as the XML bomb tests do)."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest
from conftest import CLI_WITH_PEAK_RSS, FIXTURES, SAMPLE, TESTS
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from searchkit.cli import main
from searchkit.errors import InputError
from searchkit.readers import FileReport, read_file
from searchkit.readers.htmltext import html_to_text
from searchkit.readers.limits import MAX_DOCUMENT_CHARS


def read(path: Path, source: str | None = None):
    source = source or path.name
    report = FileReport(source)
    return list(read_file(path, source, report)), report


def index_in_subprocess(path, ix, timeout=120):
    """Run ``searchkit index`` in a child: (exit code, stderr, seconds, its own peak RSS in MiB)."""
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", CLI_WITH_PEAK_RSS, "index", str(path), "--index", str(ix)],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=timeout,
                          env={**os.environ, "PYTHONPATH": str(TESTS)})
    stderr, _, peak = proc.stderr.rpartition("peak-rss-kib: ")
    return proc.returncode, stderr, time.monotonic() - started, int(peak) / 1024


# --- 1. lone surrogates in JSON Lines ----------------------------------------------------------

def jsonl_line(n: int, **fields) -> str:
    record = {"id": f"p{n}", "url": f"http://b.fr/{n}", "title": f"Billet {n}", "author": "anne",
              "body": f"Le texte du billet {n}."}
    record.update(fields)
    return json.dumps(record, ensure_ascii=True)  # "\ud800" stays the escape JSON allows


@pytest.mark.parametrize("field", ["title", "body", "author", "id", "url"])
def test_a_lone_surrogate_in_any_field_is_replaced_and_the_file_indexed(tmp_path, field):
    path = tmp_path / "blog.jsonl"
    lines = [jsonl_line(n) for n in range(1, 501)]
    lines.append(jsonl_line(501, **{field: "avant \ud800 après"}))
    lines += [jsonl_line(n) for n in range(502, 1002)]
    path.write_text("\n".join(lines) + "\n", encoding="ascii")
    posts, report = read(path)
    assert len(posts) == 1001
    assert report.errors == []
    assert report.warnings == ["blog.jsonl:501: lone surrogate escape (\\ud800-\\udfff) replaced with U+FFFD"]
    bad = posts[500].article
    value = {"title": bad.title, "body": bad.body, "author": bad.author, "url": bad.url, "id": bad.meta["key"]}
    assert value[field] == "avant \ufffd après"
    for post in posts:
        for doc in post.documents:
            for text in (doc.id, doc.title, doc.body, doc.author or "", doc.url or ""):
                text.encode("utf-8")  # raises on any surrogate left


def test_a_lone_surrogate_in_a_comment_is_replaced(tmp_path):
    path = tmp_path / "blog.jsonl"
    path.write_text(jsonl_line(1, comments=[{"author": "x\udc00", "body": "oui \udfff"}]) + "\n")
    (post,), report = read(path)
    assert (post.comments[0].author, post.comments[0].body) == ("x\ufffd", "oui \ufffd")


def test_surrogates_index_and_search_end_to_end(runner, tmp_path):
    path = tmp_path / "blog.jsonl"
    path.write_text("\n".join([jsonl_line(1, title="Café \ud800", author="\udc80"), jsonl_line(2)]) + "\n")
    ix = tmp_path / "ix"
    result = runner.invoke(main, ["index", str(path), "--index", str(ix)])
    assert result.exit_code == 0, result.output
    found = runner.invoke(main, ["search", "café", "--index", str(ix), "--json"])
    assert found.exit_code == 0, found.output
    assert json.loads(found.stdout.splitlines()[0])["title"] == "Café \ufffd"


# --- 2. HTML nested deeper than libxml2's default limit ----------------------------------------

def unclosed_comments_page(n: int) -> bytes:
    comments = "".join(f'<li class="comment" id="comment-{i}"><cite class="fn">Lecteur {i}</cite>'
                       f'<div class="comment-content"><p>Commentaire numéro {i}</p><div>' for i in range(1, n + 1))
    return (f'<html><head><title>Un billet</title></head><body><div class="entry-content"><p>Le billet.</p>'
            f'</div><ol class="commentlist">{comments}</ol></body></html>').encode()


def test_four_hundred_comments_each_leaving_a_div_open_all_read(tmp_path):
    path = tmp_path / "page.html"
    path.write_bytes(unclosed_comments_page(400))
    (post,), report = read(path)
    assert len(post.comments) == 400
    assert post.comments[399].body == "Commentaire numéro 400"
    assert report.errors == []


def test_nesting_past_the_parser_limit_is_reported_not_silent(tmp_path):
    path = tmp_path / "page.html"
    path.write_bytes(unclosed_comments_page(3000))
    (post,), report = read(path)
    assert 0 < len(post.comments) < 3000
    assert report.errors == [
        "page.html: elements nested more than 2048 deep (unclosed tags?); the HTML parser stops there, so the "
        "rest of the page is lost"]


def test_deep_markup_in_a_json_body_is_no_recursion_error():
    assert html_to_text("<div>" * 1500 + "fin") == "fin"


# --- 3. only regular files ---------------------------------------------------------------------

@pytest.mark.timeout(10)
def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "piège.txt"
    os.mkfifo(fifo)
    with pytest.raises(InputError) as exc:
        read(fifo)
    assert str(exc.value) == "piège.txt: not a regular file (a named pipe (FIFO)); only regular files are read"


@pytest.mark.timeout(10)
@pytest.mark.parametrize("target, name", [("/dev/zero", "zéro.txt"), ("/dev/urandom", "crawl.warc.gz")])
def test_a_symlink_to_a_device_is_refused(tmp_path, target, name):
    link = tmp_path / name
    link.symlink_to(target)
    with pytest.raises(InputError) as exc:
        read(link)
    assert str(exc.value) == f"{name}: not a regular file (a character device); only regular files are read"


@pytest.mark.timeout(10)
def test_a_folder_named_like_an_archive_is_refused(tmp_path):
    folder = tmp_path / "export.xml"
    folder.mkdir()
    with pytest.raises(InputError) as exc:
        read(folder)
    assert str(exc.value) == "export.xml: not a regular file (a folder); only regular files are read"


# --- 4. WARC decompression bombs and truncated records ------------------------------------------

def gzip_member(chunks) -> bytes:
    """One gzip member of the given byte chunks, compressed as they come (nothing held whole)."""
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    out = io.BytesIO()
    for chunk in chunks:
        out.write(z.compress(chunk))
    out.write(z.flush())
    return out.getvalue()


def spaces(total: int, block: int = 1 << 20):
    for _ in range(total // block):
        yield b" " * block


def test_a_warc_record_declaring_gigabytes_in_a_small_file_is_refused_unread(tmp_path):
    size = 256 << 20  # 256 MiB of spaces in a ~250 KiB file
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><body><p>bombe</p>"
    header = (f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: http://bomb.example/\r\n"
              f"WARC-Record-ID: <urn:uuid:1>\r\nContent-Type: application/http; msgtype=response\r\n"
              f"Content-Length: {len(http) + size}\r\n\r\n").encode()
    path = tmp_path / "bomb.warc.gz"
    path.write_bytes(gzip_member([header, http, *spaces(size), b"\r\n\r\n"]))
    code, stderr, seconds, peak_mib = index_in_subprocess(path, tmp_path / "ix")
    assert code == 2
    assert re.search(r"error: bomb\.warc\.gz#http://bomb\.example/: a WARC record declares 256 MiB in a [\d.]+ [KM]iB "
                     r"file \(more than 100 times its size\); refused \(a decompression bomb\?\), the rest of the "
                     r"file is not read", stderr), stderr
    assert "Traceback" not in stderr
    assert seconds < 30
    assert peak_mib < 250, f"peak memory {peak_mib:.0f} MiB"


def test_an_http_gzip_payload_inflating_past_the_limit_is_refused(tmp_path):
    payload = gzip_member([b"<html><body><p>bombe</p>", *spaces(64 << 20)])  # 64 KiB inflating to 64 MiB
    path = tmp_path / "bomb.warc.gz"
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html"), ("Content-Encoding", "gzip")],
                                protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record("http://bomb.example/", "response",
                                                      payload=io.BytesIO(payload), http_headers=http))
    code, stderr, seconds, peak_mib = index_in_subprocess(path, tmp_path / "ix")
    assert code == 2
    assert ("error: bomb.warc.gz#http://bomb.example/: an HTML payload is larger than 32 MiB once inflated "
            "(HTTP Content-Encoding: gzip), the limit for one page; refused (a decompression bomb?), the rest of "
            "the file is not read") in stderr
    assert "Traceback" not in stderr
    assert seconds < 30
    assert peak_mib < 250, f"peak memory {peak_mib:.0f} MiB"


def small_warc(path: Path, gzip_records: bool) -> bytes:
    page = ("<html><head><title>T</title></head><body><div class='entry-content'>"
            + "<p>Un paragraphe de texte.</p>" * 200 + "</div></body></html>").encode()
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=gzip_records)
        for uri in ("http://a.example/", "http://b.example/"):
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(uri, "response", payload=io.BytesIO(page),
                                                          http_headers=http))
    return path.read_bytes()


def test_a_warc_gz_cut_inside_its_last_record_is_reported(tmp_path):
    path = tmp_path / "cut.warc.gz"
    data = small_warc(path, gzip_records=True)
    path.write_bytes(data[:-200])
    posts, report = read(path)
    assert [p.article.url for p in posts] == ["http://a.example/"]
    assert report.errors == ["cut.warc.gz: the file ends inside a compressed record (truncated?); that record "
                             "is lost"]


def test_a_record_whose_declared_length_is_short_is_reported_not_printed(tmp_path, capfd):
    path = tmp_path / "short.warc"
    data = small_warc(path, gzip_records=False)
    data = re.sub(rb"WARC-(Block|Payload)-Digest: [^\r]*\r\n", b"", data)  # no digest to catch it
    m = re.search(rb"Content-Length: (\d+)", data)
    path.write_bytes(data[:m.start(1)] + str(int(m.group(1)) - 200).encode() + data[m.end(1):])
    posts, report = read(path)
    assert len(posts) == 2
    assert len(report.errors) == 1
    assert re.fullmatch(r"short\.warc: 1 WARC record\(s\) do not end where their declared length says \(at byte "
                        r"[\d,]+\): a length is wrong or the file was cut; what they hold may be incomplete",
                        report.errors[0])
    assert capfd.readouterr().err == ""  # warcio's own warning no longer reaches the terminal


# --- 5. one huge document ----------------------------------------------------------------------

def test_a_200_mb_one_line_page_dump_is_cut_with_bounded_memory(tmp_path):
    path = tmp_path / "énorme.txt"
    with open(path, "wb") as fh:
        fh.write(b"Un titre\n\n")
        for _ in range(200):
            fh.write(b"mot " * 262_144)  # 1 MiB, no newline: one 200 MiB line
        fh.write(b"\n")
    code, stderr, seconds, peak_mib = index_in_subprocess(path, tmp_path / "ix", timeout=300)
    assert code == 0, stderr
    assert ("warning: énorme.txt: article 'Un titre' is 209,715,199 characters long; only its first 1,000,000 "
            "are indexed (208,715,199 cut: the limit for one document)") in stderr
    assert peak_mib < 200, f"peak memory {peak_mib:.0f} MiB"  # measured: 68 MiB


def test_a_json_body_past_the_limit_is_cut_with_a_warning(tmp_path):
    path = tmp_path / "blog.jsonl"
    path.write_text(jsonl_line(1, body="mot " * 500_000) + "\n" + jsonl_line(2) + "\n")
    posts, report = read(path)
    assert len(posts[0].article.body) == MAX_DOCUMENT_CHARS
    assert report.warnings == ["blog.jsonl: article 'Billet 1' is 1,999,999 characters long; only its first "
                               "1,000,000 are indexed (999,999 cut: the limit for one document)"]


def test_a_100_mb_json_line_is_refused_naming_it_and_memory_stays_bounded(tmp_path):
    path = tmp_path / "blog.jsonl"
    with open(path, "w") as fh:
        fh.write(jsonl_line(1) + "\n")
        fh.write('{"title": "Énorme", "body": "' + ("mot " * 262_144) * 100 + '"}\n')
        fh.write(jsonl_line(3) + "\n")
    code, stderr, seconds, peak_mib = index_in_subprocess(path, tmp_path / "ix", timeout=300)
    assert code == 2
    assert ("error: blog.jsonl:2: a line of 100 MiB is longer than the 32 MiB one JSON line may hold; skipped"
            in stderr), stderr
    assert peak_mib < 250, f"peak memory {peak_mib:.0f} MiB"


def test_a_50_mb_comment_in_a_page_dump_is_cut_naming_the_comment(tmp_path):
    path = tmp_path / "fil.txt"
    with open(path, "wb") as fh:
        fh.write(b"Un titre\n\nLe billet.\n\n2 Commentaires\n\n  1. Court.\n\n  2. ")
        for _ in range(50):
            fh.write(b"mot " * 262_144)
        fh.write(b"\n")
    (post,), report = read(path)
    assert post.comments[0].body == "Court."
    assert len(post.comments[1].body) == MAX_DOCUMENT_CHARS
    assert report.warnings == ["fil.txt: comment 2 of 'Un titre' is 52,428,800 characters long; only its first "
                               "1,000,000 are indexed (51,428,800 cut: the limit for one document)"]


def test_a_title_past_the_limit_is_cut_on_the_article_and_its_comments(tmp_path):
    path = tmp_path / "blog.jsonl"
    path.write_text(jsonl_line(1, title="T" * 5000, comments=[{"body": "oui"}]) + "\n")
    (post,), report = read(path)
    assert post.article.title == post.comments[0].title == "T" * 1000
    assert report.warnings == [f"blog.jsonl: a title of 5,000 characters cut to its first 1,000 (the limit for a "
                               f"title): {'T' * 60!r}…"]


# --- 6. one post with 50,000 comments ----------------------------------------------------------

READER_PEAK = """
import sys
from pathlib import Path
from conftest import peak_rss_kib
from searchkit.readers import FileReport, read_file
posts = list(read_file(Path(sys.argv[1]), "x", FileReport("x")))
print(sum(len(p.comments) for p in posts), peak_rss_kib() // 1024)
"""

COMMENT_TEXT = "Je pense que cette décision de la CNIL est une bonne chose pour nos données personnelles. " * 3


def wxr_with_comments(path: Path, n: int) -> Path:
    with open(path, "w") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
                'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
                'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">'
                '<channel><title>B</title>\n<item><title>Un billet</title><link>http://b.fr/1</link>'
                '<content:encoded><![CDATA[<p>Le billet.</p>]]></content:encoded><wp:post_id>1</wp:post_id>'
                '<wp:status>publish</wp:status><wp:post_type>post</wp:post_type>\n')
        for i in range(1, n + 1):
            f.write(f"<wp:comment><wp:comment_id>{i}</wp:comment_id><wp:comment_author><![CDATA[Lecteur {i}]]>"
                    f"</wp:comment_author><wp:comment_date>2020-01-02 10:00:00</wp:comment_date>"
                    f"<wp:comment_content><![CDATA[{COMMENT_TEXT} {i}]]></wp:comment_content>"
                    f"<wp:comment_approved>1</wp:comment_approved><wp:comment_parent>0</wp:comment_parent>"
                    f"</wp:comment>\n")
        f.write("</item></channel></rss>\n")
    return path


def html_with_comments(path: Path, n: int) -> Path:
    with open(path, "w") as f:
        f.write('<!DOCTYPE html><html><head><title>Un billet | Blog</title></head><body><article class="post">'
                '<h1 class="entry-title">Un billet</h1><div class="entry-content"><p>Le billet.</p></div>'
                '</article><div id="comments"><ol class="commentlist">\n')  # no heading: the count is searched
        for i in range(1, n + 1):
            f.write(f'<li class="comment" id="comment-{i}"><div class="comment-author vcard"><cite class="fn">'
                    f'Lecteur {i}</cite> dit :</div><div class="comment-meta"><a href="#comment-{i}">2 janvier '
                    f'2020 à 10 h 00 min</a></div><p>{COMMENT_TEXT} {i}</p></li>\n')
        f.write("</ol></div></body></html>\n")
    return path


def reader_peak(path: Path) -> tuple[int, int]:
    out = subprocess.run([sys.executable, "-c", READER_PEAK, str(path)], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(TESTS)}, timeout=300, check=True).stdout
    comments, peak = out.split()
    return int(comments), int(peak)


@pytest.mark.slow
def test_a_wxr_post_with_50000_comments_is_read_in_bounded_memory(tmp_path):
    # Before: 300 MiB (every <wp:comment> element held until its </item>); after: ~120 MiB.
    comments, peak_mib = reader_peak(wxr_with_comments(tmp_path / "fil.xml", 50_000))
    assert comments == 50_000
    assert peak_mib < 200, f"peak memory {peak_mib} MiB"


@pytest.mark.slow
def test_an_html_page_with_20000_comments_is_read_in_bounded_memory(tmp_path):
    # Before: 223 MiB at 20,000 comments (510 MiB at 50,000: the comment-count probe built the whole
    # comment section's text as a list of words); after: 144 MiB (302 MiB at 50,000).
    comments, peak_mib = reader_peak(html_with_comments(tmp_path / "fil.html", 20_000))
    assert comments == 20_000
    assert peak_mib < 180, f"peak memory {peak_mib} MiB"


# --- 7. text files that are not page dumps -----------------------------------------------------

PROVENANCE = "Pages récupérées avec wget le 3 mars 2021 depuis https://blog.example.fr.\nLicence : CC BY-SA 4.0.\n"


def test_a_provenance_note_is_skipped_with_a_warning(tmp_path):
    path = tmp_path / "origine.txt"
    path.write_text(PROVENANCE)
    posts, report = read(path)
    assert posts == []
    assert report.errors == []
    assert report.warnings == ["origine.txt: not a page dump (its first line is not a title followed by a blank "
                               "line); skipped"]


def test_a_readme_beside_the_pages_is_skipped_by_its_name(tmp_path):
    path = tmp_path / "README.txt"
    path.write_text("Corpus\n\nCes pages viennent du blog.\n")
    posts, report = read(path)
    assert posts == []
    assert report.warnings == ["README.txt: not a page dump (README.txt is the name of a notes file); skipped"]


def test_a_notes_file_in_a_corpus_does_not_fail_the_run(runner, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "page.txt").write_bytes(SAMPLE.read_bytes())
    (corpus / "origine.txt").write_text(PROVENANCE)
    result = runner.invoke(main, ["index", str(corpus), "--index", str(tmp_path / "ix")])
    assert result.exit_code == 0, result.output
    assert "warning: origine.txt: not a page dump" in result.stderr
    found = runner.invoke(main, ["search", "wget", "--index", str(tmp_path / "ix")])
    assert found.exit_code == 1  # the note was not indexed


@pytest.mark.parametrize("name", ["one-comment.txt", "no-comments.txt", "multi-paragraph-comments.txt"])
def test_page_dumps_keep_being_read(name):
    posts, report = read(FIXTURES / "pagedump" / name)
    assert len(posts) == 1 and posts[0].article.title


PAGE_PROBE = """
import json, sys
from pathlib import Path
from conftest import peak_rss_kib
from searchkit.readers import FileReport, read_file
path = Path(sys.argv[1])
report = FileReport(path.name)
posts = list(read_file(path, path.name, report))
print(json.dumps({"bodies": [len(d.body) for p in posts for d in p.documents], "warnings": report.warnings,
                  "peak_mib": peak_rss_kib() // 1024}))
"""


def test_a_40_mb_page_is_read_to_the_page_limit_and_cut_with_bounded_memory(tmp_path):
    # Before the fix of text_of/collapse_runs: 843 MiB (lists of 8 million words); after: ~230 MiB.
    path = tmp_path / "gros.html"
    with open(path, "wb") as fh:
        fh.write(b'<html><head><title>Gros</title></head><body><div class="entry-content"><p>')
        for _ in range(40):
            fh.write(b"mot " * 262_144)
        fh.write(b"</p></div></body></html>")
    out = subprocess.run([sys.executable, "-c", PAGE_PROBE, str(path)], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(TESTS)}, timeout=120, check=True).stdout
    result = json.loads(out)
    assert result["bodies"] == [MAX_DOCUMENT_CHARS]
    assert result["warnings"] == [
        "gros.html: the page is 40 MiB; only its first 32 MiB are read (the limit for one page)",
        "gros.html: article 'Gros' is 33,554,358 characters long; only its first 1,000,000 are indexed "
        "(32,554,358 cut: the limit for one document)"]
    assert result["peak_mib"] < 350, f"peak memory {result['peak_mib']} MiB"
