"""`searchkit count QUERY --by ...`: counts, the month/year histogram, JSON and CSV."""

import csv
import io
import json
import re
import shutil
from collections import Counter

import pytest
from conftest import SAMPLE, SHARED, THREADS, build_index
from lxml import etree

from searchkit.cli import main

ALIENLEBARGE = SHARED / "corpora" / "alienlebarge-wordpress.xml"
WP = "{http://wordpress.org/export/1.2/}"
EVERYTHING = "kind:article OR kind:comment"
BAR_LINE = re.compile(r"^(\d{4}-\d{2})  ([█░]*) *  (\d+)(?: \((\d+) a, (\d+) c\))?$")


def run(runner, index, *args):
    return runner.invoke(main, [*args, "--index", str(index)])


def records(result):
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.fixture(scope="module")
def alienlebarge_index(tmp_path_factory):
    return build_index(tmp_path_factory, "alienlebarge", ALIENLEBARGE)


@pytest.fixture(scope="module")
def months_in_the_export():
    """Published posts and approved reader comments per month, read straight from the XML."""
    articles, comments = Counter(), Counter()
    for item in etree.parse(str(ALIENLEBARGE)).iter("item"):
        if item.findtext(f"{WP}status") != "publish" or item.findtext(f"{WP}post_type") not in ("post", "page"):
            continue
        articles[item.findtext(f"{WP}post_date")[:7]] += 1
        for c in item.iter(f"{WP}comment"):
            approved = c.findtext(f"{WP}comment_approved") == "1"
            if approved and (c.findtext(f"{WP}comment_type") or "") in ("", "comment"):
                comments[c.findtext(f"{WP}comment_date")[:7]] += 1
    return articles, comments


def every_month(first, last):
    y, m = map(int, first.split("-"))
    while f"{y:04d}-{m:02d}" <= last:
        yield f"{y:04d}-{m:02d}"
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


@pytest.mark.slow
def test_alienlebarge_month_histogram_matches_the_export(runner, alienlebarge_index, months_in_the_export):
    articles, comments = months_in_the_export
    result = run(runner, alienlebarge_index, "count", EVERYTHING, "--by", "month")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "█ article" in lines[0] and "░ comment" in lines[0]
    bars = [BAR_LINE.match(line) for line in lines[1:]]
    assert all(bars), [line for line, m in zip(lines[1:], bars, strict=True) if not m]
    months = [m.group(1) for m in bars]
    # One bar per month from the first post (2005) to the last (2013), empty months included.
    assert months == list(every_month(min(articles), max(articles | comments)))
    assert months[0].startswith("2005") and months[-1].startswith("2013")
    for m in bars:
        a, c = articles[m.group(1)], comments[m.group(1)]
        assert int(m.group(3)) == a + c, m.group(0)
        if a + c:
            assert (int(m.group(4)), int(m.group(5))) == (a, c), m.group(0)
        assert ("█" in m.group(2)) == (a > 0) and ("░" in m.group(2)) == (c > 0), m.group(0)
    assert any(int(m.group(3)) == 0 for m in bars)


@pytest.mark.slow
def test_alienlebarge_month_json_matches_the_export(runner, alienlebarge_index, months_in_the_export):
    articles, comments = months_in_the_export
    rows = records(run(runner, alienlebarge_index, "count", EVERYTHING, "--by", "month", "--json"))
    assert {r["period"]: (r["article"], r["comment"]) for r in rows if r["count"]} == {
        p: (articles[p], comments[p]) for p in articles | comments}
    assert all(r["count"] == r["article"] + r["comment"] for r in rows)


@pytest.mark.slow
def test_alienlebarge_comments_of_one_year_by_month(runner, alienlebarge_index, months_in_the_export):
    _, comments = months_in_the_export
    rows = records(run(runner, alienlebarge_index, "count", EVERYTHING, "--kind", "comment",
                       "--since", "2008", "--until", "2008", "--by", "month", "--json"))
    assert {r["period"]: r["comment"] for r in rows if r["count"]} == {
        p: n for p, n in comments.items() if p.startswith("2008")}
    assert all(r["article"] == 0 for r in rows)


def test_count_by_kind_prints_a_table(runner, threads_index):
    result = run(runner, threads_index, "count", "vaccin")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "count  article  comment  kind",
        "    1        1        0  article",
        "    4        0        4  comment",
    ]


def test_count_by_year_json_has_period_count_and_kinds(runner, threads_index):
    rows = records(run(runner, threads_index, "count", "vaccin", "--by", "year", "--json"))
    assert rows == [
        {"period": "2020", "count": 2, "article": 0, "comment": 2},
        {"period": "2021", "count": 3, "article": 1, "comment": 2},
    ]


def test_count_by_month_shows_empty_months(runner, threads_index):
    rows = records(run(runner, threads_index, "count", "Microsoft OR Conseil", "--by", "month", "--json"))
    periods = [r["period"] for r in rows]
    assert periods == list(every_month("2020-06", "2021-03"))
    assert {r["period"]: r["count"] for r in rows}["2020-07"] == 0


def test_count_by_author(runner, threads_index):
    rows = records(run(runner, threads_index, "count", "vaccin OR trahison", "--by", "author", "--json"))
    # By decreasing count, ties by name.
    assert [(r["author"], r["count"]) for r in rows] == [("Marie Dubois", 2), ("Paul", 2), ("Luc", 1), ("redaction", 1)]
    assert rows[1] == {"author": "Paul", "count": 2, "article": 0, "comment": 2}


def test_count_by_source_with_a_glob_filter(runner, tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    shutil.copy(SAMPLE, corpus / SAMPLE.name)
    shutil.copy(THREADS / "sante-numerique.xml", corpus / "sante-numerique.xml")
    ix = tmp_path / "ix"
    assert run(runner, ix, "index", str(corpus)).exit_code == 0
    rows = records(run(runner, ix, "count", "Microsoft", "--by", "source", "--json"))
    assert {r["source"] for r in rows} == {SAMPLE.name, "sante-numerique.xml"}
    only = records(run(runner, ix, "count", "Microsoft", "--by", "source", "--json", "--source", "*.xml"))
    assert [r["source"] for r in only] == ["sante-numerique.xml"]
    # The page dump has no dates: its documents are counted in a last, undated bucket.
    months = records(run(runner, ix, "count", "Microsoft", "--by", "month", "--json"))
    assert months[-1]["period"] is None
    assert months[-1]["count"] == next(r["count"] for r in rows if r["source"] == SAMPLE.name)


def test_count_follows_cross_queries(runner, threads_index):
    rows = records(run(runner, threads_index, "count", "vaccin", "--in-article", '"Health Data Hub"', "--json"))
    assert rows == [{"kind": "comment", "count": 2, "article": 0, "comment": 2}]


def test_count_csv_reads_back(runner, threads_index):
    result = run(runner, threads_index, "count", "vaccin", "--by", "year", "--csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows == [
        {"period": "2020", "count": "2", "article": "0", "comment": "2"},
        {"period": "2021", "count": "3", "article": "1", "comment": "2"},
    ]


def test_count_nothing_matching_exits_1(runner, threads_index):
    result = run(runner, threads_index, "count", "blockchain", "--by", "month")
    assert result.exit_code == 1
    assert "0 matching document(s)" in result.stderr


def test_count_never_scores(runner, threads_index, monkeypatch):
    import whoosh.searching

    def no_scoring(*args, **kwargs):
        raise AssertionError("count must not run a scored search")

    # Every scored search goes through one of these two (issue 10: patching only `search` proved nothing).
    monkeypatch.setattr(whoosh.searching.Searcher, "search", no_scoring)
    monkeypatch.setattr(whoosh.searching.Searcher, "search_with_collector", no_scoring)
    ranked = run(runner, threads_index, "search", "vaccin", "--json")
    assert isinstance(ranked.exception, AssertionError), "the patch must catch a ranked search"
    for by in ("kind", "month", "year", "author", "source"):
        result = run(runner, threads_index, "count", "vaccin", "--by", by)
        assert result.exit_code == 0, (by, result.output, result.exception)
    assert run(runner, threads_index, "search", "vaccin", "--count").exit_code == 0


def test_count_unknown_by_is_a_usage_error(runner, threads_index):
    result = run(runner, threads_index, "count", "vaccin", "--by", "week")
    assert result.exit_code == 2
    assert "week" in result.stderr


def test_month_timeline_spans_the_asked_dates(runner, threads_index):
    rows = records(run(runner, threads_index, "count", "vaccin", "--by", "month", "--json",
                       "--since", "2020-05", "--until", "2021-04"))
    assert [r["period"] for r in rows] == list(every_month("2020-05", "2021-04"))
    assert rows[0]["count"] == 0 and rows[-1]["count"] == 0
    assert sum(r["count"] for r in rows) == 5
