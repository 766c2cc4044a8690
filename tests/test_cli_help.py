"""`--help` for each command (examples, query fields, dates, exit codes), docs/cli.md and shell completion."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from searchkit.cli import main
from searchkit.cli.docs import render

SCRIPT = str(Path(sys.executable).parent / "searchkit")  # the installed command, as a shell runs it
COMMANDS = ["index", "search", "show", "count", "stats"]


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_help_has_examples_running_that_command(runner, command):
    result = runner.invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert "Examples:" in result.stdout
    examples = result.stdout.split("Examples:")[1]
    assert f"searchkit {command}" in examples


@pytest.mark.parametrize("command", ["search", "count"])
def test_query_commands_explain_fields_dates_and_fuzzy(runner, command):
    out = runner.invoke(main, [command, "--help"]).stdout
    for text in ("title:Microsoft", "date:2021-02..2021-06", "microsft~", "2021-02-19", '"Privacy Shield"',
                 "searchkit search -- -bitcoin"):
        assert text in out, text


def test_top_level_help_lists_exit_codes_environment_and_uncut_commands(runner):
    out = runner.invoke(main, ["--help"]).stdout
    assert "Exit codes:" in out and "130 interrupted" in out
    assert "SEARCHKIT_INDEX" in out and "NO_COLOR" in out
    assert "_SEARCHKIT_COMPLETE=bash_source searchkit" in out
    commands = out.split("Commands:")[1]
    assert "…" not in commands and "..." not in commands
    assert "  search  Ranked search; hits gathered by post on a terminal.\n" in commands


def test_docs_cli_md_is_what_the_generator_prints():
    on_disk = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert on_disk == render(), "docs/cli.md is stale: run python -m searchkit.cli.docs > docs/cli.md"


def test_docs_cli_md_holds_every_command_help_and_completion():
    page = render()
    for command in COMMANDS:
        assert f"## searchkit {command}\n" in page
        assert f"Usage: searchkit {command} [OPTIONS]" in page
    assert 'eval "$(_SEARCHKIT_COMPLETE=bash_source searchkit)"' in page


def test_bash_completion_script_is_generated():
    env = {**os.environ, "_SEARCHKIT_COMPLETE": "bash_source"}
    result = subprocess.run([SCRIPT], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "_SEARCHKIT_COMPLETE=bash_complete" in result.stdout


def test_completion_offers_the_commands_and_the_choices_of_by():
    def complete(words):
        env = {**os.environ, "_SEARCHKIT_COMPLETE": "bash_complete", "COMP_WORDS": words,
               "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1))}
        return subprocess.run([SCRIPT], env=env, capture_output=True, text=True,
                              timeout=60).stdout

    assert {"plain,search", "plain,count", "plain,index"} <= set(complete("searchkit se").split() +
                                                                  complete("searchkit ").split())
    assert "plain,month" in complete("searchkit count x --by ").split()
