"""The query limits and the largest thread at their edge, through the CLI in a child process whose
own peak RSS is asserted (as the bomb tests do): at the limit accepted and bounded, past it the exact message."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CLI_WITH_PEAK_RSS, TESTS, build_index

# A search of the small sample index peaks at ~40 MiB; the bound leaves room for a loaded CI
# machine, not for anything that grows with the query or the post (the 100 KB URL took 705 MB).
QUERY_PEAK_MIB = 120


def cli(*args: str, timeout: int = 300) -> tuple[int, str, str, float]:
    """Run ``searchkit ARGS`` in a child: (exit code, stdout, stderr without the peak line, its own peak RSS in MiB)."""
    proc = subprocess.run([sys.executable, "-c", CLI_WITH_PEAK_RSS, *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "PYTHONPATH": str(TESTS)})
    stderr, _, peak = proc.stderr.rpartition("peak-rss-kib: ")
    return proc.returncode, proc.stdout, stderr, int(peak) / 1024


# --- query limits: length 2,000, word 100, nesting 32, fuzzy distance 2 --------------------------

def up_to_the_limit(term: str) -> str:
    """``term OR term OR …`` as long as fits in 2,000 characters."""
    return " OR ".join([term] * ((2_000 + 4) // (len(term) + 4)))


AT_THE_LIMIT = {
    "2,000 characters of fuzzy words": up_to_the_limit("maisons~2"),
    "2,000 characters of prefixes": up_to_the_limit("a*"),  # 2,000 exactly
    "a word of 100 characters": "a" * 100,
    "a word of 100 characters at fuzzy distance 2": "a" * 100 + "~2",
    "parentheses 32 deep": "(" * 32 + "bitcoin" + ")" * 32,
    "fuzzy distance 2": "bitcoin~2",
}


@pytest.mark.timeout(300)
@pytest.mark.parametrize("query", AT_THE_LIMIT.values(), ids=AT_THE_LIMIT.keys())
def test_a_query_at_a_limit_is_searched_in_bounded_memory(sample_index, query):
    assert len(query) <= 2_000
    code, stdout, stderr, peak = cli("search", query, "--index", str(sample_index), "--json", "--limit", "0")
    assert code in (0, 1), stderr  # found or not: searched, not refused
    assert "searchkit:" not in stderr
    assert all(json.loads(line)["id"] for line in stdout.splitlines())
    assert peak < QUERY_PEAK_MIB, f"peak memory {peak:.0f} MiB"


PAST_THE_LIMIT = {
    "2,001 characters": ("a " * 1000 + "b",
                         "the query is 2,001 characters long; searchkit reads queries of up to 2,000 characters"),
    "a word of 101 characters": ("a" * 101, f"the word {'a' * 20 + '…'!r} is 101 characters long; searchkit "
                                            "searches words of up to 100 characters"),
    "a 64 KB word": ("x" * 64_000,
                     "the query is 64,000 characters long; searchkit reads queries of up to 2,000 characters"),
    "a 100 KB URL": ("https://example.com/" + "a/" * 50_000,
                     "the query is 100,020 characters long; searchkit reads queries of up to 2,000 characters"),
    "parentheses 33 deep": ("(" * 33 + "x" + ")" * 33,
                            f"the query {'(' * 33 + 'x' + ')' * 33!r} nests parentheses more than 32 deep"),
    "fuzzy distance 3": ("bitcoin~3", "'bitcoin~3': a fuzzy search allows up to 2 edits (write bitcoin~1 or bitcoin~2)"),
}


@pytest.mark.timeout(300)
@pytest.mark.parametrize(("query", "message"), PAST_THE_LIMIT.values(), ids=PAST_THE_LIMIT.keys())
def test_a_query_past_a_limit_is_refused_with_its_message_in_bounded_memory(sample_index, query, message):
    code, stdout, stderr, peak = cli("search", query, "--index", str(sample_index), "--group", "--json")
    assert (code, stdout, stderr) == (2, "", f"searchkit: {message}\n")
    assert peak < QUERY_PEAK_MIB, f"peak memory {peak:.0f} MiB"


# --- the largest thread: one post of 20,000 comments, grouped, exported and shown ----------------

COMMENTS = 20_000
# Measured on a post of this shape: --group --json 59 MiB and show --thread 54 MiB streamed,
# 164 and 101 MiB when every hit (or comment) was held with its snippet (667 MB at 100,000).
THREAD_PEAK_MIB = 90


def big_post(n: int) -> dict:
    """One post of ``n`` comments, every fifth a thread root and the four after it each answering
    the one before; every comment holds "maison"."""
    words = "la maison du jardin est belle et le chemin mène au village où jouent les enfants".split()
    comments = [{"id": f"c{i}", "parent": None if i % 5 == 1 else f"c{i - 1}", "author": f"lecteur {i % 97}",
                 "date": f"2020-{1 + i % 12:02d}-{1 + i % 28:02d}T12:00:00",
                 "body": " ".join(words[(i + k) % len(words)] for k in range(25)) + " maison"}
                for i in range(1, n + 1)]
    return {"id": "big", "title": "Une maison", "body": "Le billet parle d'une maison.", "url": "http://b.fr/big",
            "author": "anne", "date": "2020-01-01T00:00:00", "comments": comments}


@pytest.fixture(scope="module")
def big_post_index(tmp_path_factory) -> Path:
    corpus = tmp_path_factory.mktemp("bigpost") / "corpus"
    corpus.mkdir()
    (corpus / "big.jsonl").write_text(json.dumps(big_post(COMMENTS), ensure_ascii=False) + "\n", encoding="utf-8")
    return build_index(tmp_path_factory, "bigpost", corpus)


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_post_of_20000_matching_comments_grouped_as_json_is_one_line_in_bounded_memory(big_post_index):
    code, stdout, stderr, peak = cli("search", "maison", "--index", str(big_post_index), "--group", "--json",
                                     "--limit", "0")
    assert code == 0, stderr
    (line,) = stdout.splitlines()
    post = json.loads(line)
    assert (post["title"], post["article_matches"], post["comment_count"]) == ("Une maison", True, COMMENTS)
    assert len(post["hits"]) == COMMENTS + 1
    # Thread order with depths: the article, then c1 (a root), c2 answering it, c3 answering c2...
    assert [(h["id"].rsplit("-", 1)[-1], h["depth"]) for h in post["hits"][:7]] == \
        [(post["post_id"].rsplit("-", 1)[-1], 0), ("c1", 0), ("c2", 1), ("c3", 2), ("c4", 3), ("c5", 4), ("c6", 0)]
    assert all("maison" in h["highlights"] for h in post["hits"])
    assert peak < THREAD_PEAK_MIB, f"peak memory {peak:.0f} MiB"


@pytest.mark.slow
@pytest.mark.timeout(600)
@pytest.mark.parametrize("output", [["--group"], ["--csv"], ["--json"]], ids=["grouped terminal", "csv", "flat json"])
def test_every_hit_of_a_20000_comment_post_is_printed_in_bounded_memory(big_post_index, output):
    code, stdout, stderr, peak = cli("search", "maison", "--index", str(big_post_index), *output, "--limit", "0")
    assert code == 0, stderr
    if output == ["--group"]:
        assert stdout.startswith("  Une maison\n") or stdout.startswith("● Une maison\n")
        heads = re.findall(r"^ +(?:↳ )?#(\d+) ", stdout, flags=re.MULTILINE)  # one head line per comment
        assert [int(n) for n in heads] == list(range(1, COMMENTS + 1))
        assert stderr.splitlines()[-1] == f"{COMMENTS + 1} hit(s) in 1 post(s)"
    elif output == ["--csv"]:
        rows = list(csv.reader(io.StringIO(stdout)))
        assert len(rows) == COMMENTS + 2  # the header and every hit
    else:
        assert len(stdout.splitlines()) == COMMENTS + 1
    assert peak < THREAD_PEAK_MIB, f"peak memory {peak:.0f} MiB"


@pytest.mark.slow
@pytest.mark.timeout(600)
@pytest.mark.parametrize("as_json", [False, True], ids=["terminal", "json"])
def test_show_thread_of_a_20000_comment_post_is_whole_in_bounded_memory(big_post_index, as_json):
    asked = comment_id(big_post_index, 10_002)  # answers #10001, a root
    code, stdout, stderr, peak = cli("show", asked, "--index", str(big_post_index), "--thread",
                                     *(["--json"] if as_json else []))
    assert code == 0, stderr
    if as_json:
        records = [json.loads(line) for line in stdout.splitlines()]
        assert len(records) == COMMENTS + 1
        assert [r["id"] for r in records if r["focus"]] == [asked]
        assert [r["depth"] for r in records[1:7]] == [1, 2, 3, 4, 5, 1]
    else:
        assert f"── {COMMENTS} comment(s) " in stdout
        assert stdout.count("↳ reply to #") == COMMENTS * 4 // 5
        assert "↳ reply to #10001" in stdout.split("▶ ")[1].splitlines()[0]
    assert peak < THREAD_PEAK_MIB, f"peak memory {peak:.0f} MiB"


OUTLINE_PROBE = """
import sys
from datetime import datetime
from conftest import peak_rss_kib
from searchkit.api import Archive
from searchkit.model import Document
from searchkit.records import Outline

N = int(sys.argv[1])


class OnePostEngine:
    # One post of N comments, every fifth a thread root, outlined as the Whoosh engine outlines it.
    def outline(self, post_id):
        return [Outline("p", "article", None, None, datetime(2020, 1, 1), 0)] + [
            Outline(f"p-c{i}", "comment", None if i % 5 == 1 else f"p-c{i - 1}", i,
                    datetime(2020, 1 + i % 12, 1 + i % 28, 12), i) for i in range(1, N + 1)]

    def post_documents(self, post_id, wanted):
        for o in wanted:
            yield Document(o.id, "comment", "p", "T", "", "s")


archive = Archive.__new__(Archive)
archive._engine, archive.location = OnePostEngine(), "memory"
depths = [0] * 5
for entry in archive._thread("p", stream=True).comments:
    depths[entry.depth] += 1
print(depths, peak_rss_kib() // 1024)
"""


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_the_outline_of_a_200000_comment_post_is_put_in_order_in_bounded_memory():
    """What a shown thread holds per comment once ordered: 143 MiB here with an object, a tuple and set and dict
    entries a comment, 106 MiB with the compact outline (the engine's outlines, ~0.3 KB each, are the rest)."""
    out = subprocess.run([sys.executable, "-c", OUTLINE_PROBE, "200000"], capture_output=True, text=True,
                         timeout=280, env={**os.environ, "PYTHONPATH": str(TESTS)}, check=True).stdout
    depths, _, peak = out.rpartition(" ")
    assert depths == "[40000, 40000, 40000, 40000, 40000]"
    assert int(peak) < 125, f"peak memory {peak} MiB"


def comment_id(index: Path, number: int) -> str:
    code, stdout, _, _ = cli("search", "maison", "--index", str(index), "--json", "--limit", "1")
    assert code == 0
    return f"{json.loads(stdout)['post_id']}-c{number}"


# --- the text of one document: 1,000,000 characters ----------------------------------------------

@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_document_at_the_text_limit_is_indexed_whole_and_one_past_it_cut_in_bounded_memory(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    at, past = ("mot " * 250_000)[:-1] + "x", "mot " * 250_000 + "y"  # 1,000,000 and 1,000,001 characters
    lines = [{"id": str(n), "url": f"http://b.fr/{n}", "title": f"Billet {n}", "author": "anne", "body": body}
             for n, body in ((1, at), (2, past))]
    (corpus / "blog.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    ix = tmp_path / "ix"
    code, _, stderr, peak = cli("index", str(corpus), "--index", str(ix))
    assert code == 0, stderr
    assert "warning: blog.jsonl: article 'Billet 2' is 1,000,001 characters long; only its first 1,000,000 are " \
           "indexed (1 cut: the limit for one document)" in stderr
    assert "Billet 1" not in stderr
    assert peak < 250, f"peak memory {peak:.0f} MiB"
    # Both shown with a snippet: the search's memory does not follow the documents' size.
    code, stdout, stderr, peak = cli("search", "mot", "--index", str(ix), "--json", "--full")
    assert code == 0, stderr
    bodies = {json.loads(line)["title"]: json.loads(line)["body"] for line in stdout.splitlines()}
    assert (bodies["Billet 1"], bodies["Billet 2"]) == (at, past[:1_000_000])
    assert peak < QUERY_PEAK_MIB, f"peak memory {peak:.0f} MiB"


# --- reader and analysis limits at their edge (README "Limits"): at the limit whole, one past it cut --------
# Each in a child process whose own peak RSS is asserted. Small inputs stay near a search's ~40 MiB;
# the 10 and 32 MiB inputs get the bound of the bomb tests.
SMALL_PEAK_MIB = 150
BIG_PEAK_MIB = 350


def jsonl_corpus(tmp_path, *records: dict) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "blog.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return corpus


def index_child(corpus: Path, ix: Path, peak_mib: int, code: int = 0) -> str:
    """``searchkit index`` in a child: its stderr, once its exit code and peak RSS are checked."""
    got, _, stderr, peak = cli("index", str(corpus), "--index", str(ix))
    assert got == code, stderr
    assert "Traceback" not in stderr
    assert peak < peak_mib, f"peak memory {peak:.0f} MiB"
    return stderr


def found(ix: Path, query: str, *options: str) -> list[dict]:
    code, stdout, stderr, peak = cli("search", query, "--index", str(ix), "--json", *options)
    assert code in (0, 1), stderr
    assert peak < QUERY_PEAK_MIB, f"peak memory {peak:.0f} MiB"
    return [json.loads(line) for line in stdout.splitlines()]


@pytest.mark.timeout(300)
def test_a_title_of_1000_characters_is_kept_whole_and_one_of_1001_cut_in_bounded_memory(tmp_path):
    at = ("titre " * 200)[:999] + "x"
    corpus = jsonl_corpus(tmp_path, {"id": "1", "title": at, "body": "Premier billet."},
                          {"id": "2", "title": at + "y", "body": "Second billet."})
    stderr = index_child(corpus, tmp_path / "ix", SMALL_PEAK_MIB)
    assert stderr.count("warning:") == 1
    assert f"warning: blog.jsonl: a title of 1,001 characters cut to its first 1,000 (the limit for a title): " \
           f"{at[:60]!r}…\n" in stderr
    assert sorted(len(hit["title"]) for hit in found(tmp_path / "ix", "billet")) == [1000, 1000]


def nested_page(title: str, divs: int) -> str:
    """A page whose deepest element, a paragraph, sits ``divs + 3`` elements deep (html, body, the divs, p)."""
    return (f"<html><head><title>{title}</title></head><body>" + "<div>" * divs + "<p>Le fond du puits.</p>"
            + "</div>" * divs + "</body></html>")


@pytest.mark.timeout(300)
def test_html_nested_2048_deep_is_read_whole_and_2049_deep_reported_in_bounded_memory(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "profond-2048.html").write_text(nested_page("Profond 2048", 2045), "utf-8")
    (corpus / "profond-2049.html").write_text(nested_page("Profond 2049", 2046), "utf-8")
    stderr = index_child(corpus, tmp_path / "ix", SMALL_PEAK_MIB, code=2)
    assert [line for line in stderr.splitlines() if line.startswith(("error:", "warning:"))] == [
        "error: profond-2049.html: elements nested more than 2048 deep (unclosed tags?); the HTML parser stops "
        "there, so the rest of the page is lost"]
    assert [hit["title"] for hit in found(tmp_path / "ix", "fond")] == ["Profond 2048"]


@pytest.mark.timeout(300)
def test_a_compound_of_4_parts_is_joined_and_one_of_5_indexed_as_its_parts_in_bounded_memory(tmp_path):
    corpus = jsonl_corpus(tmp_path, {"id": "1", "title": "Quatre", "body": "Un porte-monnaie-en-cuir perdu."},
                          {"id": "2", "title": "Cinq", "body": "Compter un-deux-trois-quatre-cinq."})
    index_child(corpus, tmp_path / "ix", SMALL_PEAK_MIB)
    assert [hit["title"] for hit in found(tmp_path / "ix", "portemonnaieencuir")] == ["Quatre"]
    assert found(tmp_path / "ix", "undeuxtroisquatrecinq") == []
    assert [hit["title"] for hit in found(tmp_path / "ix", "quatre cinq")] == ["Cinq"]


@pytest.mark.timeout(300)
@pytest.mark.parametrize(("last", "rows"), [("1999-12", 1200), ("2000-01", 2)], ids=["1,200 months", "1,201 months"])
def test_a_timeline_of_1200_months_is_filled_in_and_of_1201_lists_only_months_with_documents(tmp_path, last, rows):
    corpus = jsonl_corpus(tmp_path, {"id": "1", "title": "Premier", "body": "Texte.", "date": "1900-01-15T00:00:00"},
                          {"id": "2", "title": "Dernier", "body": "Texte.", "date": f"{last}-15T00:00:00"})
    index_child(corpus, tmp_path / "ix", SMALL_PEAK_MIB)
    code, stdout, stderr, peak = cli("count", "texte", "--by", "month", "--index", str(tmp_path / "ix"), "--csv")
    assert code == 0, stderr
    table = list(csv.reader(io.StringIO(stdout)))
    assert len(table) == rows + 1  # the header
    assert (table[1], table[-1]) == (["1900-01", "1", "1", "0"], [last, "1", "1", "0"])
    assert peak < QUERY_PEAK_MIB, f"peak memory {peak:.0f} MiB"


def wxr_with_a_field_of(path: Path, size: int) -> None:
    """A WordPress export of three posts, each on its own line, the second's text ``size`` bytes long."""
    def item(n: int, body: str) -> str:
        return (f"<item><title>Billet {n}</title><content:encoded><![CDATA[{body}]]></content:encoded>"
                f"<wp:post_id>{n}</wp:post_id><wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item>\n")
    body = ("mot " * (size // 4 + 1))[:size]
    path.write_text('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
                    'xmlns:wp="http://wordpress.org/export/1.2/" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
                    "<channel>\n" + item(1, "Avant.") + item(2, body) + item(3, "Après.") + "</channel></rss>\n", "utf-8")


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_wxr_field_just_under_10_mb_is_read_and_one_past_it_reported_in_bounded_memory(tmp_path):
    # libxml2's limit counts its buffer, not only the field: "at" is 10 KB short of 10 MB.
    for size, code in ((9_990_000, 0), (10_000_001, 2)):
        corpus = tmp_path / f"corpus-{size}"
        corpus.mkdir()
        wxr_with_a_field_of(corpus / "blog.xml", size)
        stderr = index_child(corpus, tmp_path / f"ix-{size}", BIG_PEAK_MIB, code=code)
        problems = [line for line in stderr.splitlines() if line.startswith(("error:", "warning:"))]
        if code == 0:
            assert problems == [f"warning: blog.xml: article 'Billet 2' is {size - 1:,} characters long; only its "
                                f"first 1,000,000 are indexed ({size - 1 - 1_000_000:,} cut: the limit for one "
                                "document)"]
        else:
            assert problems == ["error: blog.xml: not well-formed XML (line 3: CData section too big found and 2 "
                                "more problem(s)); indexed what could be recovered, text near the damage may be lost"]
        titles = sorted(hit["title"] for hit in found(tmp_path / f"ix-{size}", "mot OR avant OR après"))
        assert titles == ["Billet 1", "Billet 2", "Billet 3"] if code == 0 else ["Billet 1", "Billet 3"]


def sized(head: bytes, size: int, tail: bytes, fill: bytes = b"mot ") -> bytes:
    """``head``, then ``fill`` repeated, then ``tail``: ``size`` bytes in all."""
    room = size - len(head) - len(tail)
    return head + (fill * (room // len(fill) + 1))[:room] + tail


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_page_of_32_mib_is_read_whole_and_one_byte_more_cut_in_bounded_memory(tmp_path):
    head, tail = b'<html><head><title>Gros</title></head><body><div class="entry-content"><p>', b"</p></div></body></html>"
    for extra, warnings in (
            (0, ["warning: gros.html: article 'Gros' is 33,554,334 characters long; only its first 1,000,000 are "
                 "indexed (32,554,334 cut: the limit for one document)"]),
            (1, ["warning: gros.html: the page is 32 MiB; only its first 32 MiB are read (the limit for one page)",
                 "warning: gros.html: article 'Gros' is 33,554,335 characters long; only its first 1,000,000 are "
                 "indexed (32,554,335 cut: the limit for one document)"])):
        corpus = tmp_path / f"corpus{extra}"
        corpus.mkdir()
        (corpus / "gros.html").write_bytes(sized(head, 32 * 1024 * 1024 + extra, tail))
        stderr = index_child(corpus, tmp_path / f"ix{extra}", BIG_PEAK_MIB)
        assert [line for line in stderr.splitlines() if line.startswith(("warning:", "error:"))] == warnings


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_line_of_4000000_bytes_is_kept_whole_and_one_byte_more_cut_in_bounded_memory(tmp_path):
    # A one-word line: what the line limit drops shows in the document's full length.
    for size in (4_000_000, 4_000_001):
        corpus = tmp_path / f"corpus{size}"
        corpus.mkdir()
        (corpus / "ligne.txt").write_bytes(b"Un titre\n\n" + b"a" * (size - 1) + b"x\n")
        stderr = index_child(corpus, tmp_path / f"ix{size}", BIG_PEAK_MIB)
        assert [line for line in stderr.splitlines() if line.startswith(("warning:", "error:"))] == [
            f"warning: ligne.txt: article 'Un titre' is {size:,} characters long; only its first 1,000,000 are "
            f"indexed ({size - 1_000_000:,} cut: the limit for one document)"]


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_json_line_of_32_mib_is_read_and_one_byte_more_refused_in_bounded_memory(tmp_path):
    for extra in (0, 1):
        corpus = tmp_path / f"corpus{extra}"
        corpus.mkdir()
        (corpus / "blog.jsonl").write_bytes(
            sized(b'{"id": "1", "title": "Enorme", "body": "', 32 * 1024 * 1024 + extra, b'"}\n')
            + b'{"id": "2", "title": "Petit", "body": "mot"}\n')
        stderr = index_child(corpus, tmp_path / f"ix{extra}", BIG_PEAK_MIB, code=2 if extra else 0)
        problems = [line for line in stderr.splitlines() if line.startswith(("warning:", "error:"))]
        assert problems == (["error: blog.jsonl:1: a line of 32 MiB is longer than the 32 MiB one JSON line may "
                             "hold; skipped"] if extra else
                            ["warning: blog.jsonl: article 'Enorme' is 33,554,389 characters long; only its first "
                             "1,000,000 are indexed (32,554,389 cut: the limit for one document)"])
        assert "indexed 1 file(s): " + ("1 articles" if extra else "2 articles") in stderr


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_warc_payload_inflating_to_32_mib_is_read_and_one_byte_more_refused_in_bounded_memory(tmp_path):
    import gzip

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    for extra in (0, 1):
        corpus = tmp_path / f"corpus{extra}"
        corpus.mkdir()
        html = sized(b"<html><head><title>Plafond</title></head><body><p>plafond ", 32 * 1024 * 1024 + extra,
                     b"</p></body></html>", fill=b" ")
        with open(corpus / "crawl.warc.gz", "wb") as fh:
            writer = WARCWriter(fh, gzip=True)
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html"), ("Content-Encoding", "gzip")],
                                    protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record("http://plafond.example/", "response",
                                                          payload=io.BytesIO(gzip.compress(html)), http_headers=http))
        stderr = index_child(corpus, tmp_path / f"ix{extra}", BIG_PEAK_MIB, code=2 if extra else 0)
        problems = [line for line in stderr.splitlines() if line.startswith(("warning:", "error:"))]
        assert problems == ([
            "error: crawl.warc.gz#http://plafond.example/: an HTML payload is larger than 32 MiB once inflated "
            "(HTTP Content-Encoding: gzip), the limit for one page; refused (a decompression bomb?), the rest of the "
            "file is not read"] if extra else [])
        assert [hit["title"] for hit in found(tmp_path / f"ix{extra}", "plafond")] == ([] if extra else ["Plafond"])
