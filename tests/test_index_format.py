"""The on-disk format is a contract: an index of an older schema is refused with the --rebuild advice, ours opens."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import FIXTURES, ROOT

from searchkit.cli import main
from searchkit.engine.whoosh.schema import SCHEMA_VERSION

OLD = FIXTURES / "index-v2"  # written by searchkit 0.1.0 (schema 2), never rewritten
CURRENT = FIXTURES / f"index-v{SCHEMA_VERSION}"


def test_an_index_of_the_previous_release_is_refused_with_the_rebuild_advice(runner, tmp_path):
    ix = tmp_path / "old"
    shutil.copytree(OLD, ix)
    for args in (["search", "santé"], ["stats"], ["show", "01d0cccb27fb"], ["count", "santé"]):
        result = runner.invoke(main, [*args, "--index", str(ix)])
        assert result.exit_code == 2, result.output
        assert result.stderr == (
            f"searchkit: the index at {ix} was written by another version of searchkit "
            f"(schema 2, this one reads {SCHEMA_VERSION}): run `searchkit index --rebuild --index {ix}`\n")


def test_rebuild_turns_the_old_index_into_a_current_one(runner, tmp_path):
    ix = tmp_path / "old"
    shutil.copytree(OLD, ix)
    result = runner.invoke(main, ["index", str(ROOT / "corpus"), "--index", str(ix), "--rebuild"])
    assert result.exit_code == 0, result.stderr
    assert json.loads((ix / "searchkit.json").read_text())["schema_version"] == SCHEMA_VERSION
    assert runner.invoke(main, ["search", '"Privacy Shield"', "--index", str(ix)]).exit_code == 0
    assert (ix / "README.md").read_text() == (OLD / "README.md").read_text()  # notes carried over


def test_the_committed_index_of_this_schema_opens_and_answers(runner, tmp_path):
    ix = tmp_path / "current"
    shutil.copytree(CURRENT, ix)
    result = runner.invoke(main, ["search", '"Privacy Shield"', "--index", str(ix), "--json", "--flat"])
    assert result.exit_code == 0, result.stderr
    hit = json.loads(result.stdout.splitlines()[0])
    assert hit["title"] == "Macron a vendu nos données de santé à Microsoft !"
    stats = json.loads(runner.invoke(main, ["stats", "--index", str(ix), "--json"]).stdout)
    assert (stats["articles"], stats["comments"]) == (1, 9)


@pytest.mark.parametrize("content, shown", [('{"schema_version": "2"}', '"2"'), ("[]", "unknown"),
                                            ('"2"', "unknown"), ("null", "unknown"), ("{", "unknown")])
def test_a_corrupt_searchkit_json_is_a_version_message_not_a_traceback(runner, tmp_path, content, shown):
    ix = tmp_path / "ix"
    assert runner.invoke(main, ["index", str(ROOT / "corpus"), "--index", str(ix)]).exit_code == 0
    (ix / "searchkit.json").write_text(content)
    for args in (["search", "santé"], ["stats"], ["index", str(ROOT / "corpus")]):
        result = runner.invoke(main, [*args, "--index", str(ix)])
        assert result.exit_code == 2, (args, result.output)
        assert result.stderr == (
            f"searchkit: the index at {ix} was written by another version of searchkit "
            f"(schema {shown}, this one reads {SCHEMA_VERSION}): run `searchkit index --rebuild --index {ix}`\n")
