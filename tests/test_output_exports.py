"""Exports for programs: every hit when piped, --full, CSV formula guards, highlights, every kind key,
the thread's asked-for document, linear grouped JSON, and records that survive invalid stored text."""

import csv
import io
import json

import pytest
from conftest import build_index

from searchkit.cli import main
from searchkit.model import Document
from searchkit.output import choose_printer
from searchkit.output.histogram import render_histogram
from searchkit.output.records import group_record
from searchkit.output.text import Style
from searchkit.records import Bucket, Group, GroupedResults, Hit, Results, Stats, Thread, ThreadEntry

LONG_BODY = "Le café est une boisson. " * 40 + "Fin du texte original."
HOSTILE_POSTS = [
    {"id": "formules", "title": '=HYPERLINK("http://evil.example/","café")', "author": "@SUM(A1)",
     "date": "2019-05-03", "body": LONG_BODY,
     "comments": [
         {"id": "t", "author": "-2+3", "body": "\t=cmd|' /C calc'!A0 café"},
         {"id": "r", "author": "+33 6 12", "body": "\r@café dans la cellule"},
         {"id": "p", "author": "Plain", "body": "café sans danger"},
     ]},
    {"id": "fil", "title": "Un fil de café", "author": "Anne", "date": "2019-06-01", "body": "Le café du matin.",
     "comments": [{"id": f"c{n}", "author": f"Lecteur {n}", "body": f"Commentaire {n} sur le café."}
                  for n in range(1, 15)]},
]
TITLE_WITH_BIDI = "Titre \u202eesrever"
CONTROL_POSTS = [
    {"id": "bidi", "title": TITLE_WITH_BIDI, "author": "Eve\tTab\nLigne", "date": "0201-05-03",
     "body": "Un thé au jasmin."},
]
CONTROL_FILE = "bad\tname\n.jsonl"


def write_corpus(root):
    root.mkdir()
    (root / "hostile.jsonl").write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in HOSTILE_POSTS) + "\n",
                                        encoding="utf-8")
    (root / CONTROL_FILE).write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in CONTROL_POSTS) + "\n",
                                     encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def hostile_index(tmp_path_factory):
    return build_index(tmp_path_factory, "hostile", write_corpus(tmp_path_factory.mktemp("hostile") / "corpus"))


def run(runner, index, *args):
    return runner.invoke(main, [*args, "--index", str(index)])


def rows(result):
    return list(csv.DictReader(io.StringIO(result.stdout)))


# --- every hit when piped ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["--json", "--csv"])
def test_piped_exports_give_every_hit(runner, hostile_index, fmt):
    result = run(runner, hostile_index, "search", "café", fmt)
    found = len(result.stdout.splitlines()) - (fmt == "--csv")
    assert found == 19  # 2 articles, 17 comments: more than the terminal's 10


@pytest.mark.parametrize("fmt", ["--json", "--csv"])
def test_limit_still_limits_exports(runner, hostile_index, fmt):
    result = run(runner, hostile_index, "search", "café", fmt, "--limit", "3")
    assert len(result.stdout.splitlines()) - (fmt == "--csv") == 3


def test_piped_terminal_format_still_shows_ten(runner, hostile_index):
    result = run(runner, hostile_index, "search", "café")
    assert result.stderr == "19 hit(s), 10 shown\n"


def test_exports_on_a_terminal_show_ten(runner, hostile_index, monkeypatch):
    monkeypatch.setattr("searchkit.output.stdout_is_terminal", lambda: True)
    assert len(run(runner, hostile_index, "search", "café", "--json").stdout.splitlines()) == 10


# --- --full -------------------------------------------------------------------------------------------


def test_full_adds_the_whole_text_to_json(runner, hostile_index):
    records = [json.loads(line) for line in run(runner, hostile_index, "search", "boisson", "--json", "--full").stdout
               .splitlines()]
    assert records[0]["body"] == LONG_BODY
    assert len(records[0]["snippet"]) < len(LONG_BODY)
    plain = json.loads(run(runner, hostile_index, "search", "boisson", "--json").stdout.splitlines()[0])
    assert "body" not in plain


def test_full_adds_a_body_column_to_csv(runner, hostile_index):
    (row,) = rows(run(runner, hostile_index, "search", "boisson", "--csv", "--full"))
    assert row["body"] == LONG_BODY


def test_full_goes_into_grouped_json_hits(runner, hostile_index):
    posts = [json.loads(line) for line in
             run(runner, hostile_index, "search", "boisson", "--json", "--group", "--full").stdout.splitlines()]
    assert posts[0]["hits"][0]["body"] == LONG_BODY


# --- CSV ----------------------------------------------------------------------------------------------


def test_csv_guards_formula_cells_without_stripping_anything(runner, hostile_index):
    by_id = {r["id"]: r for r in rows(run(runner, hostile_index, "search", "café", "--csv"))}
    article = next(r for r in by_id.values() if r["kind"] == "article" and r["title"].startswith("'"))
    assert article["title"] == '\'=HYPERLINK("http://evil.example/","café")'
    assert article["author"] == "'@SUM(A1)"
    # The readers strip the leading tab and CR of a text; what reaches the CSV is guarded all the same.
    assert next(r for r in by_id.values() if r["author"] == "'-2+3")["snippet"] == "'=cmd|' /C calc'!A0 café"
    assert next(r for r in by_id.values() if r["author"] == "'+33 6 12")["snippet"] == "'@café dans la cellule"
    plain = next(r for r in by_id.values() if r["author"] == "Plain")
    assert plain["snippet"] == "café sans danger"


@pytest.mark.parametrize("text", ["\t=cmd|' /C calc'!A0", "\r@SUM(A1)", "\t\r-1+1", "\tplain"])
def test_csv_keeps_a_leading_tab_or_cr_and_guards_the_cell(text):
    out = io.StringIO()
    doc = Document("p", "article", "p", text, text, "s.jsonl", author=text)
    choose_printer("csv", out, full=True).hits(Results([Hit(doc, 1.0, [(text, False)])], 1))
    (row,) = csv.DictReader(io.StringIO(out.getvalue()))
    assert row["title"] == row["author"] == row["snippet"] == row["body"] == "'" + text


def test_count_csv_guards_formula_keys(runner, hostile_index):
    result = run(runner, hostile_index, "count", "boisson OR calc OR cellule", "--by", "author", "--csv")
    authors = {r["author"] for r in rows(result)}
    assert {"'@SUM(A1)", "'-2+3", "'+33 6 12"} <= authors


def test_csv_has_the_highlights_column(runner, threads_index):
    result = runner.invoke(main, ["search", "vaccin", "--csv", "--index", str(threads_index)])
    table = rows(result)
    assert all(r["highlights"] for r in table)
    assert {h for r in table for h in r["highlights"].split("; ")} >= {"vaccin"}


# --- small ones ---------------------------------------------------------------------------------------


def test_count_json_keeps_every_kind_key(runner, threads_index):
    result = runner.invoke(main, ["search", "vaccin", "--count", "--json", "--kind", "article",
                                  "--index", str(threads_index)])
    assert json.loads(result.stdout) == {"article": 1, "comment": 0, "total": 1}


def test_show_thread_json_marks_the_document_asked_for(runner, threads_index):
    hit = json.loads(runner.invoke(main, ["search", "formule", "--json", "--index", str(threads_index)]).stdout)
    result = runner.invoke(main, ["show", hit["id"], "--thread", "--json", "--index", str(threads_index)])
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in records if r["focus"]] == [hit["id"]]
    assert all(r["focus"] is False for r in records if r["id"] != hit["id"])


def test_show_thread_json_of_an_article_marks_the_article(runner, threads_index):
    hit = json.loads(runner.invoke(main, ["search", "formule", "--json", "--index", str(threads_index)]).stdout)
    result = runner.invoke(main, ["show", hit["post_id"], "--thread", "--json", "--index", str(threads_index)])
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["kind"] for r in records if r["focus"]] == ["article"]


def test_histogram_says_what_one_character_stands_for_exactly():
    buckets = [Bucket("2012", {"article": 0, "comment": 310}), Bucket("2013", {"article": 0, "comment": 31})]
    legend = render_histogram(buckets, "year", Style(), 76).splitlines()[0]  # room for 50 characters
    assert legend.endswith("(one character ≈ 6.2 documents)")


def test_years_before_1000_have_four_digits(runner, hostile_index):
    result = run(runner, hostile_index, "count", "jasmin", "--by", "year", "--json")
    assert [json.loads(line)["period"] for line in result.stdout.splitlines()] == ["0201"]
    hit = json.loads(run(runner, hostile_index, "search", "jasmin", "--json").stdout)
    assert hit["date"].startswith("0201-05-03")


def _comment(n: int, parent: int | None = None) -> Document:
    return Document(f"p-c{n}", "comment", "p", "T", "mot", "s", number=n,
                    parent_id=f"p-c{parent}" if parent else None)


@pytest.mark.timeout(60)  # a hang guard: the quadratic depth lookup took minutes on 20,000 hits
def test_grouped_json_of_a_huge_thread_is_linear():
    article = Document("p", "article", "p", "T", "mot", "s")
    entries = [ThreadEntry(_comment(n), n % 7, Hit(_comment(n), 1.0, [("mot", True)])) for n in range(1, 20001)]
    group = Group(article, None, entries, len(entries))
    record = group_record(group)
    assert [h["depth"] for h in record["hits"][:8]] == [1, 2, 3, 4, 5, 6, 0, 1]


# --- invalid stored text ------------------------------------------------------------------------------

SURROGATE = "\ud800"


def _surrogate_doc(kind="article", doc_id="p", number=None) -> Document:
    return Document(doc_id, kind, "p", f"Titre {SURROGATE}", f"Corps {SURROGATE} mot", f"src{SURROGATE}.jsonl",
                    author=f"Aut{SURROGATE}", url=f"http://x/{SURROGATE}", number=number, meta={})


@pytest.mark.parametrize("fmt", ["terminal", "json", "csv"])
@pytest.mark.parametrize("style", ["plain", "colour"])
def test_a_lone_surrogate_never_crashes_any_output_mode(fmt, style):
    article, comment = _surrogate_doc(), _surrogate_doc("comment", "p-c1", 1)
    snippet = [(f"Corps {SURROGATE} ", False), ("mot", True)]
    hit, chit = Hit(article, 1.0, snippet), Hit(comment, 0.5, snippet)
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="utf-8", errors="strict")
    printer = choose_printer(fmt, stream, Style(style), 80, full=True)
    printer.hits(Results([hit, chit], 2))
    printer.groups(GroupedResults([Group(article, hit, [ThreadEntry(comment, 0, chit)], 1)], 2, 1))
    printer.buckets([Bucket(f"Aut{SURROGATE}", {"article": 1, "comment": 0})], "author")
    if fmt != "csv":
        printer.document(article)
        printer.thread(Thread(article, [ThreadEntry(comment, 0)]), "p-c1")
        printer.stats(Stats(1, 1, [f"src{SURROGATE}.jsonl"], "ix", 10, 2, "whoosh"))
    stream.flush()
    text = raw.getvalue().decode("utf-8")
    assert ("\\ud800" if fmt == "terminal" else "\ufffd") in text
