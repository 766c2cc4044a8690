"""The end-to-end flow through the CLI: index the bundled corpus, search it, stats."""

import json
import shutil

import pytest
from conftest import CORPUS, FIXTURES, ROOT

from searchkit.cli import main

PRIVACY_HIT_TERMINAL = "« Privacy Shield »"


def search(runner, index, *args):
    return runner.invoke(main, ["search", *args, "--index", str(index)])


def ids(result):
    return [json.loads(line)["id"] for line in result.stdout.splitlines()]


def test_index_reports_counts_and_the_declared_count_warning(runner, tmp_path):
    result = runner.invoke(main, ["index", str(CORPUS), "--index", str(tmp_path / "ix")])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "warning: 000_caa8075c1ef2035a.txt: declared 11 comments, found 9" in result.stderr
    assert "indexed 1 file(s): 1 articles, 9 comments" in result.stderr
    assert "1 warning(s), 0 error(s)" in result.stderr


def test_phrase_ranks_sample_article_first_with_phrase_highlighted(runner, sample_index):
    result = search(runner, sample_index, '"Privacy Shield"', "--json")
    assert result.exit_code == 0
    first = json.loads(result.stdout.splitlines()[0])
    assert first["kind"] == "article"
    assert first["title"] == "Macron a vendu nos données de santé à Microsoft !"
    assert "l’accord « Privacy Shield » qui organisait" in first["snippet"]
    assert first["highlights"] == ["Privacy Shield"]  # the phrase is marked whole


def test_terminal_output_is_plain_text_when_piped(runner, sample_index):
    result = search(runner, sample_index, '"Privacy Shield"')
    assert result.exit_code == 0
    assert "\x1b[" not in result.stdout
    assert PRIVACY_HIT_TERMINAL in result.stdout
    assert result.stdout.startswith("article  Macron a vendu nos données de santé à Microsoft !\n")
    assert result.stderr == "1 hit(s)\n"


def test_json_lines_have_the_documented_keys(runner, sample_index):
    result = search(runner, sample_index, "Microsoft", "--json", "--limit", "3")
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    for line in lines:
        record = json.loads(line)
        assert {"id", "kind", "post_id", "title", "author", "date", "url", "source", "score",
                "snippet"} <= set(record)


def test_kind_comment_returns_only_comments_including_the_microsoft_one(runner, sample_index):
    result = search(runner, sample_index, "Microsoft", "--kind", "comment", "--json", "-n", "50")
    assert result.exit_code == 0
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert records and {r["kind"] for r in records} == {"comment"}
    assert any("Nos données n’appartiennent pas à Microsoft" in r["snippet"] for r in records)


def test_comments_do_not_match_on_their_article_title(runner, sample_index):
    # "vendu" is in the title and in comment 9 only: other comments must not match.
    result = search(runner, sample_index, "vendu", "--kind", "comment", "--json")
    assert [r.split("-c")[-1] for r in ids(result)] == ["9"]


@pytest.mark.parametrize("query", ["donnees", "DONNÉES", "données"])
def test_accents_and_case_do_not_matter(runner, sample_index, query):
    result = search(runner, sample_index, query, "--json", "-n", "100")
    reference = search(runner, sample_index, "données", "--json", "-n", "100")
    assert result.exit_code == 0
    assert sorted(ids(result)) == sorted(ids(reference))
    assert len(ids(result)) == 4  # the article and comments 5 (WhatsApp), 6 and 8


def test_straight_apostrophe_finds_typographic_one(runner, sample_index):
    result = search(runner, sample_index, "l'assurance", "--json")
    assert result.exit_code == 0
    record = json.loads(result.stdout.splitlines()[0])
    assert "l’Assurance maladie" in record["snippet"]
    assert "Assurance" in record["highlights"]


def test_phrase_with_elision_and_no_accent(runner, sample_index):
    result = search(runner, sample_index, "\"conseil d'etat\"", "--json", "-n", "50")
    assert result.exit_code == 0
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert records[0]["kind"] == "article"
    assert "Conseil d’Etat" in records[0]["snippet"]
    assert any(r["kind"] == "comment" and "Le Conseil d’Etat?" in r["snippet"] for r in records)


def test_prefix_finds_both_words(runner, sample_index):
    result = search(runner, sample_index, "rapatri*", "--json")
    assert result.exit_code == 0
    record = json.loads(result.stdout.splitlines()[0])
    assert {"rapatrier", "rapatriement"} <= set(record["highlights"])


def test_word_found_nowhere_exits_1(runner, sample_index):
    result = search(runner, sample_index, "zygomatique")
    assert result.exit_code == 1
    assert result.stdout == ""


def test_search_without_index_exits_2_and_says_what_to_run(runner, tmp_path):
    result = search(runner, tmp_path / "nowhere", "Microsoft")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "no index at" in result.stderr
    assert "run `searchkit index" in result.stderr
    assert "Traceback" not in result.stderr


def test_stats_json_counts_articles_and_comments(runner, sample_index):
    result = runner.invoke(main, ["stats", "--index", str(sample_index), "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert (data["articles"], data["comments"]) == (1, 9)
    assert data["sources"] == ["000_caa8075c1ef2035a.txt"]


def test_bad_files_are_named_and_the_rest_indexed_with_exit_2(runner, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURES / "pagedump", corpus)
    result = runner.invoke(main, ["index", str(corpus), "--index", str(tmp_path / "ix")])
    assert result.exit_code == 2
    assert "error: empty.txt: empty file; skipped" in result.stderr
    assert "error: image.txt: binary content, not a text page dump; skipped" in result.stderr
    assert "indexed 3 file(s): 3 articles, 4 comments" in result.stderr
    assert "Traceback" not in result.stderr
    found = search(runner, tmp_path / "ix", "molière", "--json")
    assert found.exit_code == 0


def fresh_clone_layout(root):
    """corpus/ and index/ as a fresh clone has them: the sample, and index/README.md only."""
    shutil.copytree(CORPUS, root / "corpus")
    (root / "index").mkdir()
    shutil.copy(ROOT / "index" / "README.md", root / "index" / "README.md")


def test_main_job_on_a_fresh_clone_layout_indexes_and_finds_the_phrase(runner, tmp_path, monkeypatch):
    # `make demo`: `searchkit index corpus/ --index index/` then the phrase search
    fresh_clone_layout(tmp_path)
    monkeypatch.chdir(tmp_path)
    indexed = runner.invoke(main, ["index"])
    assert indexed.exit_code == 0, indexed.stderr
    found = runner.invoke(main, ["search", '"Privacy Shield"'])
    assert found.exit_code == 0
    assert PRIVACY_HIT_TERMINAL in found.stdout


def test_rebuild_keeps_the_index_folder_readme(runner, tmp_path, monkeypatch):
    fresh_clone_layout(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(main, ["index"]).exit_code == 0
    rebuilt = runner.invoke(main, ["index", "--rebuild"])
    assert rebuilt.exit_code == 0, rebuilt.stderr
    assert (tmp_path / "index" / "README.md").read_text() == (ROOT / "index" / "README.md").read_text()
