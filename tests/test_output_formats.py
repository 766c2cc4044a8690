"""Output of `search`: terminal view, JSON Lines, CSV, --count; colours and NO_COLOR."""

import csv
import io
import json
import re

import pytest

from searchkit.cli import main
from searchkit.output import CSV_COLUMNS

ESC = "\x1b["
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def run(runner, index, *args):
    return runner.invoke(main, [*args, "--index", str(index)])


@pytest.fixture
def on_a_terminal(monkeypatch):
    """Standard output seen as a terminal, 80 columns, NO_COLOR unset."""
    monkeypatch.setattr("searchkit.output.stdout_is_terminal", lambda: True)
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.delenv("NO_COLOR", raising=False)
    return monkeypatch


def test_csv_has_a_header_and_one_row_per_hit(runner, threads_index):
    result = run(runner, threads_index, "search", "vaccin", "--csv")
    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert tuple(rows[0]) == CSV_COLUMNS
    hits = [json.loads(line) for line in run(runner, threads_index, "search", "vaccin", "--json").stdout.splitlines()]
    assert [r[0] for r in rows[1:]] == [h["id"] for h in hits]


def test_csv_keeps_commas_quotes_and_accents(runner, threads_index):
    result = run(runner, threads_index, "search", "gratuit", "--csv")
    (row,) = csv.DictReader(io.StringIO(result.stdout))
    assert row["snippet"] == "Le vaccin est gratuit, il faut le rappeler."
    assert row["title"] == "Vaccins : la campagne commence"
    assert row["parent_id"] == "" and row["number"] == "2" and row["date"] == "2021-03-01T09:45:00"


def test_bitcoinfrance_csv_of_all_hits_reads_back_whole(runner, bitcoinfrance_index):
    result = run(runner, bitcoinfrance_index, "search", "bitcoin", "--csv", "--limit", "0")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    counts = json.loads(run(runner, bitcoinfrance_index, "search", "bitcoin", "--count", "--json").stdout)
    assert len(rows) == counts["total"] > 100
    assert sum(r["kind"] == "comment" for r in rows) == counts["comment"]
    assert all(r["id"] and r["source"] == "bitcoinfrance-wordpress.xml" for r in rows)
    assert len({r["id"] for r in rows}) == len(rows)


def test_json_lines_one_object_per_hit(runner, threads_index):
    result = run(runner, threads_index, "search", "vaccin", "--json", "--sort", "date")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 5
    assert [r["date"] for r in records] == sorted(r["date"] for r in records)
    assert {"id", "kind", "post_id", "parent_id", "title", "author", "date", "url", "source",
            "snippet"} <= set(records[0])


def test_count_prints_hits_per_kind(runner, threads_index):
    result = run(runner, threads_index, "search", "vaccin", "--count")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == ["article  1", "comment  4", "total    5"]


def test_count_json_and_nothing_found(runner, threads_index):
    # Every kind key is there, even the one --kind left out (issue 13).
    counted = run(runner, threads_index, "search", "vaccin", "--count", "--json", "--kind", "comment")
    assert json.loads(counted.stdout) == {"article": 0, "comment": 4, "total": 4}
    empty = run(runner, threads_index, "search", "blockchain", "--count")
    assert empty.exit_code == 1
    assert "total    0" in empty.stdout


def test_two_output_formats_at_once_are_refused(runner, threads_index):
    result = run(runner, threads_index, "search", "vaccin", "--csv", "--count")
    assert result.exit_code == 2
    assert "choose one output: --csv cannot go with --json or --count" in result.stderr


def test_terminal_view_wraps_each_snippet_in_three_lines_of_80_columns(runner, bitcoinfrance_index, on_a_terminal):
    # Wrapped to the terminal width with the hanging indent (issue 13), not one long line.
    on_a_terminal.setenv("NO_COLOR", "1")
    result = run(runner, bitcoinfrance_index, "search", "monnaie OR banque", "--flat", "--kind", "comment", "-n", "30")
    blocks = ANSI.sub("", result.stdout).strip("\n").split("\n\n")
    assert len(blocks) == 30
    for block in blocks:
        lines = block.splitlines()
        assert 3 <= len(lines) <= 5, block  # title, who/when/id, then at most three snippet lines
        assert all(len(line) <= 80 for line in lines), block
        assert all(line.startswith("  ") for line in lines[1:]), block
    # Long comments were cut, not printed whole.
    assert any(block.endswith("…") for block in blocks)


def test_colours_on_a_terminal(runner, threads_index, on_a_terminal):
    assert ESC in run(runner, threads_index, "search", "vaccin", "--flat").stdout
    assert ESC in run(runner, threads_index, "search", "vaccin", "--group").stdout


def test_no_color_is_honoured_on_a_terminal_for_the_histogram(runner, threads_index, on_a_terminal):
    on_a_terminal.setenv("NO_COLOR", "1")
    result = run(runner, threads_index, "count", "vaccin", "--by", "month")
    assert result.exit_code == 0
    assert result.stdout and ESC not in result.stdout


@pytest.mark.parametrize("mode", ["--flat", "--group"])
def test_no_color_keeps_the_matches_in_bold_and_nothing_else(runner, threads_index, on_a_terminal, mode):
    # NO_COLOR forbids colours, not bold: the matches keep a mark (issue 13).
    on_a_terminal.setenv("NO_COLOR", "1")
    result = run(runner, threads_index, "search", "vaccin", mode)
    assert result.exit_code == 0
    assert "\x1b[1mvaccin\x1b[0m" in result.stdout
    assert set(re.findall(r"\x1b\[[0-9;]*m", result.stdout)) == {"\x1b[1m", "\x1b[0m"}


def test_an_empty_no_color_does_not_turn_colours_off(runner, threads_index, on_a_terminal):
    on_a_terminal.setenv("NO_COLOR", "")  # no-color.org: set *and not empty*
    assert "\x1b[31m" in run(runner, threads_index, "search", "vaccin", "--flat").stdout


def test_show_thread_honours_no_color(runner, threads_index, on_a_terminal):
    hit = json.loads(run(runner, threads_index, "search", "formule", "--json").stdout)
    assert ESC in run(runner, threads_index, "show", hit["id"], "--thread").stdout
    on_a_terminal.setenv("NO_COLOR", "1")
    assert ESC not in run(runner, threads_index, "show", hit["id"], "--thread").stdout


@pytest.mark.parametrize("fmt", ["--json", "--csv"])
def test_machine_formats_are_never_coloured(runner, threads_index, on_a_terminal, fmt):
    result = run(runner, threads_index, "search", "vaccin", fmt)
    assert result.stdout and ESC not in result.stdout


def test_piped_output_has_no_colour(runner, threads_index, monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    result = run(runner, threads_index, "search", "vaccin", "--group")
    assert result.stdout and ESC not in result.stdout
