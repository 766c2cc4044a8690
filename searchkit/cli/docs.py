"""``docs/cli.md`` made from the same text as ``--help``: ``python -m searchkit.cli.docs > docs/cli.md``.

A test fails when the checked-in file differs from what this prints, so the
page never drifts from the command line.
"""

from __future__ import annotations

import sys

import click

WIDTH = 80  # columns the help is laid out in, for a page read on GitHub or in a terminal

HEADER = """# The searchkit command line

This page is generated from `searchkit --help` and each command's `--help`
(`python -m searchkit.cli.docs > docs/cli.md`); a test fails when it is stale.
Run the command as `.venv/bin/searchkit` after `make setup`, or as `searchkit`
once the virtual environment is activated (`. .venv/bin/activate`).
"""

COMPLETION = """## Shell completion

Click generates the completion script; load it from your shell's start-up file:

```sh
# bash, in ~/.bashrc
eval "$(_SEARCHKIT_COMPLETE=bash_source searchkit)"
# zsh, in ~/.zshrc
eval "$(_SEARCHKIT_COMPLETE=zsh_source searchkit)"
# fish, in ~/.config/fish/completions/searchkit.fish
_SEARCHKIT_COMPLETE=fish_source searchkit | source
```

Commands, options and the choices of `--kind`, `--by` and `--sort` complete;
paths complete for `index` and `--index`.
"""


def help_text(command: click.Command, name: str, parent: click.Context | None = None) -> str:
    ctx = click.Context(command, info_name=name, parent=parent, terminal_width=WIDTH, max_content_width=WIDTH,
                        help_option_names=["-h", "--help"])
    return command.get_help(ctx)


def render() -> str:
    """The whole page: the group's help, then each command's, then shell completion."""
    from searchkit.cli import main

    parts = [HEADER, "## searchkit\n", "```text\n" + help_text(main, "searchkit") + "\n```\n"]
    parent = click.Context(main, info_name="searchkit")
    for name in main.list_commands(parent):
        command = main.get_command(parent, name)
        assert command is not None
        text = help_text(command, name, parent)
        parts.append(f"## searchkit {name}\n")
        parts.append("```text\n" + text + "\n```\n")
    parts.append(COMPLETION)
    return "\n".join(parts)


if __name__ == "__main__":
    sys.stdout.write(render())
