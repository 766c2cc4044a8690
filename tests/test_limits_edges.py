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
