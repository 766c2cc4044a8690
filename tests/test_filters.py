"""Filters and sorting through the CLI: --since/--until, --author, --source, --sort."""

import json
import shutil

import pytest
from click.testing import CliRunner
from conftest import SAMPLE, THREADS

from searchkit.cli import main


def run(runner, index, *args):
    return runner.invoke(main, [*args, "--index", str(index)])


def found(runner, index, query, *args):
    result = run(runner, index, "search", query, "--flat", "--json", "-n", "0", *args)
    assert result.exit_code in (0, 1), result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def authors_and_numbers(hits):
    return sorted((h["author"], h["number"] or 0) for h in hits)


@pytest.fixture(scope="module")
def mixed_index(tmp_path_factory):
    """The sample page dump (undated) and the threads WXR fixture (dated) in one index."""
    corpus = tmp_path_factory.mktemp("mixed")
    shutil.copy(SAMPLE, corpus / SAMPLE.name)
    (corpus / "blogs").mkdir()
    shutil.copy(THREADS / "sante-numerique.xml", corpus / "blogs" / "sante-numerique.xml")
    ix = corpus.parent / (corpus.name + "-index")
    result = CliRunner().invoke(main, ["index", str(corpus), "--index", str(ix)])
    assert result.exit_code == 0, result.output
    return ix


def test_since_and_until_a_month_keep_the_whole_month(runner, threads_index):
    hits = found(runner, threads_index, "vaccin", "--since", "2020-06", "--until", "2020-06")
    assert authors_and_numbers(hits) == [("Marie Dubois", 4), ("Paul", 3)]


def test_until_a_day_keeps_that_whole_day(runner, threads_index):
    hits = found(runner, threads_index, "trahison OR formule", "--until", "2020-06-11")
    assert authors_and_numbers(hits) == [("Marie Dubois", 1), ("Paul", 3)]


def test_since_a_year(runner, threads_index):
    hits = found(runner, threads_index, "vaccin", "--since", "2021")
    assert {h["date"][:4] for h in hits} == {"2021"}
    assert len(hits) == 3


def test_dates_written_day_first_the_french_way(runner, threads_index):
    hits = found(runner, threads_index, "vaccin", "--since", "12/06/2020", "--until", "12/06/2020")
    assert authors_and_numbers(hits) == [("Marie Dubois", 4)]


def test_a_bad_date_exits_2_naming_the_value(runner, threads_index):
    result = run(runner, threads_index, "search", "vaccin", "--since", "2021-13")
    assert result.exit_code == 2
    assert "--since: '2021-13' is not a date" in result.stderr
    assert "Traceback" not in result.output


def test_since_after_until_exits_2(runner, threads_index):
    result = run(runner, threads_index, "search", "vaccin", "--since", "2021", "--until", "2020-12")
    assert result.exit_code == 2
    assert "--since 2021 is after --until 2020-12" in result.stderr


def test_date_filters_leave_out_undated_documents(runner, mixed_index):
    everything = found(runner, mixed_index, "données")
    dated = found(runner, mixed_index, "données", "--since", "2000")
    assert any(h["date"] is None for h in everything)
    assert dated and all(h["date"] for h in dated)


def test_author_keeps_only_that_authors_documents(runner, threads_index):
    hits = found(runner, threads_index, "vaccin", "--author", "paul")
    assert {h["author"] for h in hits} == {"Paul"}
    assert len(hits) == 2


def test_author_ignores_case_and_accents_and_needs_the_words_in_order(runner, threads_index):
    assert authors_and_numbers(found(runner, threads_index, "trahison OR formule", "--author", "MARIE DUBOIS")) == [
        ("Marie Dubois", 1), ("Marie Dubois", 4)]
    assert found(runner, threads_index, "trahison OR formule", "--author", "Dubois Marie") == []


def test_source_glob_keeps_matching_files(runner, mixed_index):
    everything = found(runner, mixed_index, "données")
    xml = found(runner, mixed_index, "données", "--source", "*.xml")
    txt = found(runner, mixed_index, "données", "--source", "*.txt")
    assert {h["source"] for h in xml} == {"blogs/sante-numerique.xml"}
    assert {h["source"] for h in txt} == {SAMPLE.name}
    assert len(xml) + len(txt) == len(everything)


def test_source_glob_on_the_folder_path(runner, mixed_index):
    assert {h["source"] for h in found(runner, mixed_index, "données", "--source", "blogs/*")} == {
        "blogs/sante-numerique.xml"}


def test_source_matching_no_file_exits_2(runner, mixed_index):
    result = run(runner, mixed_index, "search", "données", "--source", "*.warc")
    assert result.exit_code == 2
    assert "no indexed source matches '*.warc'" in result.stderr


def test_sort_date_is_oldest_first_with_undated_last(runner, mixed_index):
    hits = found(runner, mixed_index, "données OR vaccin OR Microsoft", "--sort", "date")
    dates = [h["date"] for h in hits]
    dated = [d for d in dates if d]
    assert dated == sorted(dated) and len(set(dated)) > 2
    assert dates[:len(dated)] == dated and None in dates


def test_sort_minus_date_is_newest_first_with_undated_last(runner, mixed_index):
    hits = found(runner, mixed_index, "données OR vaccin OR Microsoft", "--sort", "-date")
    dates = [h["date"] for h in hits]
    dated = [d for d in dates if d]
    assert dated == sorted(dated, reverse=True)
    assert dates[:len(dated)] == dated and None in dates


def test_sort_date_with_limit_keeps_the_oldest(runner, threads_index):
    hits = found(runner, threads_index, "vaccin", "--sort", "date")
    first_two = run(runner, threads_index, "search", "vaccin", "--flat", "--json", "--sort", "date", "-n", "2")
    assert [json.loads(line)["id"] for line in first_two.stdout.splitlines()] == [h["id"] for h in hits[:2]]


def test_filters_combine(runner, threads_index):
    hits = found(runner, threads_index, "vaccin", "--author", "Paul", "--since", "2021", "--kind", "comment")
    assert [(h["author"], h["date"][:10]) for h in hits] == [("Paul", "2021-01-05")]
