"""Did you mean: close indexed words for a search that found little, through the CLI."""

from __future__ import annotations

import json

import pytest

from searchkit.cli import main


@pytest.fixture(scope="module")
def suggest_index(tmp_path_factory):
    from test_query import build_query_index

    return build_query_index(tmp_path_factory.mktemp("suggest") / "index")


def search(runner, index, *args):
    return runner.invoke(main, ["search", *args, "--index", str(index), "--flat"])


def test_misspelt_word_suggests_the_indexed_one_with_the_command(runner, sample_index):
    result = search(runner, sample_index, "Microsfot")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert f"did you mean: searchkit search Microsoft --index {sample_index}" in result.stderr


def test_suggestion_keeps_the_kind_option(runner, sample_index):
    result = search(runner, sample_index, "Microsfot", "--kind", "comment")
    assert f"did you mean: searchkit search Microsoft --kind comment --index {sample_index}" in result.stderr


def test_missing_letter_is_found(runner, suggest_index):
    result = search(runner, suggest_index, "vacin")
    assert result.exit_code == 1
    assert "did you mean: searchkit search vaccin" in result.stderr


def test_suggestion_shows_the_word_as_written_with_accents(runner, suggest_index):
    result = search(runner, suggest_index, "hebergment")
    assert "did you mean: searchkit search hébergement" in result.stderr


def test_only_the_unknown_word_of_a_query_is_replaced(runner, suggest_index):
    result = search(runner, suggest_index, "rapatriement Microsfot")
    assert "did you mean: searchkit search 'rapatriement Microsoft'" in result.stderr


def test_field_names_and_operators_are_left_alone(runner, suggest_index):
    result = search(runner, suggest_index, "title:Microsfot AND santé")
    assert "did you mean: searchkit search 'title:Microsoft AND santé'" in result.stderr


def test_json_mode_prints_the_suggestion_as_a_json_object_on_stderr(runner, suggest_index):
    result = search(runner, suggest_index, "Microsfot", "--json")
    assert result.exit_code == 1
    assert result.stdout == ""
    record = json.loads(result.stderr.strip().splitlines()[-1])
    assert record["did_you_mean"] == "Microsoft"
    assert record["corrections"] == [{"typed": "Microsfot", "suggested": "Microsoft"}]
    assert record["command"].startswith("searchkit search Microsoft")


def test_no_suggestion_when_the_search_finds_enough(runner, suggest_index):
    result = search(runner, suggest_index, "microsoft")
    assert result.exit_code == 0
    assert "did you mean" not in result.stderr


def test_no_suggestion_when_nothing_is_close(runner, suggest_index):
    result = search(runner, suggest_index, "zzyzx")
    assert result.exit_code == 1
    assert "did you mean" not in result.stderr


def test_suggested_command_finds_hits(runner, suggest_index):
    first = search(runner, suggest_index, "Microsfot", "--json")
    suggested = json.loads(first.stderr.strip().splitlines()[-1])["did_you_mean"]
    assert search(runner, suggest_index, suggested).exit_code == 0
