"""What the command line accepts: several words as one query, words starting with -, the index set
once (SEARCHKIT_INDEX), filters kept in the did-you-mean line, and the messages for each mistake."""

import json

import pytest

from searchkit.cli import main


def ids(result):
    return [json.loads(line)["id"] for line in result.stdout.splitlines()]


def test_several_words_are_one_query(runner, threads_index):
    apart = runner.invoke(main, ["search", "vaccin", "gratuit", "--json", "--index", str(threads_index)])
    quoted = runner.invoke(main, ["search", "vaccin gratuit", "--json", "--index", str(threads_index)])
    assert apart.exit_code == 0, apart.output
    assert ids(apart) == ids(quoted) and len(ids(apart)) == 1


def test_several_words_count_as_one_query_too(runner, threads_index):
    result = runner.invoke(main, ["count", "vaccin", "gratuit", "--json", "--index", str(threads_index)])
    assert [json.loads(line) for line in result.stdout.splitlines()] == [
        {"kind": "article", "count": 0, "article": 0, "comment": 0},
        {"kind": "comment", "count": 1, "article": 0, "comment": 1}]


@pytest.mark.parametrize("args, word", [
    (["-bitcoin"], "-bitcoin"),
    (["monnaie", "-bitcoin"], "-bitcoin"),
])
def test_a_word_starting_with_a_dash_says_how_to_search_it(runner, threads_index, args, word):
    result = runner.invoke(main, ["search", *args, "--index", str(threads_index)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"searchkit: {word} is not an option: to search for it, put -- before the query "
        f"(searchkit search -- {word}); to leave out bitcoin, write NOT bitcoin\n")


def test_count_says_it_with_its_own_name(runner, threads_index):
    result = runner.invoke(main, ["count", "-vaccin", "--index", str(threads_index)])
    assert result.exit_code == 2
    assert result.stderr == ("searchkit: -vaccin is not an option: to search for it, put -- before the query "
                             "(searchkit count -- -vaccin); to leave out vaccin, write NOT vaccin\n")


def test_after_a_double_dash_a_dash_word_is_searched(runner, threads_index):
    result = runner.invoke(main, ["search", "--index", str(threads_index), "--json", "--", "-vaccin"])
    assert result.exit_code in (0, 1), result.output
    assert "is not an option" not in result.stderr


def test_a_mistyped_long_option_is_still_clicks_error(runner, threads_index):
    result = runner.invoke(main, ["search", "vaccin", "--limt", "3", "--index", str(threads_index)])
    assert result.exit_code == 2
    assert "No such option '--limt'" in result.stderr


def test_searchkit_index_sets_the_index_for_every_command(runner, threads_index, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no ./index here
    monkeypatch.setenv("SEARCHKIT_INDEX", str(threads_index))
    assert runner.invoke(main, ["search", "vaccin", "--json"]).exit_code == 0
    assert runner.invoke(main, ["count", "vaccin"]).exit_code == 0
    assert json.loads(runner.invoke(main, ["stats", "--json"]).stdout)["index"] == str(threads_index)
    hit = json.loads(runner.invoke(main, ["search", "formule", "--json"]).stdout)
    assert runner.invoke(main, ["show", hit["id"]]).exit_code == 0


def test_index_option_wins_over_the_environment(runner, threads_index, monkeypatch, tmp_path):
    monkeypatch.setenv("SEARCHKIT_INDEX", str(tmp_path / "elsewhere"))
    assert runner.invoke(main, ["search", "vaccin", "--index", str(threads_index)]).exit_code == 0


def test_no_index_at_the_default_says_how_to_choose_one(runner, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SEARCHKIT_INDEX", raising=False)
    result = runner.invoke(main, ["search", "vaccin"])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "searchkit: index is the default folder: give another with --index, or set SEARCHKIT_INDEX once for "
        "every command")


def test_no_index_where_the_environment_points_says_so(runner, monkeypatch, tmp_path):
    monkeypatch.setenv("SEARCHKIT_INDEX", str(tmp_path / "nowhere"))
    result = runner.invoke(main, ["stats"])
    assert result.exit_code == 2
    assert f"no index at {tmp_path / 'nowhere'}" in result.stderr
    assert result.stderr.splitlines()[-1] == "searchkit: the index folder came from SEARCHKIT_INDEX"


def test_did_you_mean_keeps_every_filter_given(runner, sample_index):
    result = runner.invoke(main, ["search", "Microsfot", "--flat", "--source", "*.txt", "--kind", "comment",
                                  "--index", str(sample_index)])
    assert (f"did you mean: searchkit search Microsoft --kind comment --source '*.txt' --index {sample_index}"
            in result.stderr)
    # A suggestion is offered only when, with the same filters, it finds something (issue 13).
    nothing = runner.invoke(main, ["search", "Microsfot", "--flat", "--since", "2014", "--until", "2030",
                                   "--author", "x", "--index", str(sample_index)])
    assert "did you mean" not in nothing.stderr


def test_did_you_mean_keeps_in_article(runner, sample_index):
    result = runner.invoke(main, ["search", "Microsfot", "--in-article", "santé", "--json",
                                  "--index", str(sample_index)])
    record = json.loads(result.stderr.strip().splitlines()[-1])
    assert record["command"] == f"searchkit search Microsoft --in-article santé --index {sample_index}"


@pytest.mark.parametrize("option", ["--in-article", "--with-comments"])
def test_a_blank_cross_query_is_an_error_not_a_kind(runner, threads_index, option):
    result = runner.invoke(main, ["search", "vaccin", option, " ", "--index", str(threads_index)])
    assert result.exit_code == 2
    assert result.stderr == f"searchkit: {option} ' ' holds no word to search for\n"


def test_full_without_a_machine_format_is_refused(runner, threads_index):
    result = runner.invoke(main, ["search", "vaccin", "--full", "--index", str(threads_index)])
    assert result.exit_code == 2
    assert result.stderr == "searchkit: --full adds the whole text to --json or --csv records: add one of them\n"


def test_count_refuses_two_formats(runner, threads_index):
    result = runner.invoke(main, ["count", "vaccin", "--json", "--csv", "--index", str(threads_index)])
    assert result.exit_code == 2
    assert result.stderr == "searchkit: choose one output among --json and --csv\n"
