"""The ``searchkit`` group: the one place where errors become a message and an exit code.

Exit codes follow ripgrep: 0 something matched, 1 nothing did, 2 error, 130
interrupted (Ctrl-C), 143 terminated (SIGTERM: ``timeout``, ``kill``, a service
manager), both after the same clean cancel. A ``SearchkitError`` from the library becomes ``searchkit:
<message>`` on stderr and its exit code here, in ``Main.invoke``, and nowhere
else. Standard output is flushed here too, so a full disk shows as an error
(exit 2) rather than as a traceback when the interpreter exits.
"""

from __future__ import annotations

import importlib
import signal
import sys
import threading

import click

from searchkit import __version__
from searchkit.cli import help as texts
from searchkit.errors import IndexMissingError, SearchkitError
from searchkit.output.streams import OutputError, ReaderGone, flush_stdout, note, silence

INDEX_HINTS = {
    "DEFAULT": "index is the default folder: give another with --index, or set SEARCHKIT_INDEX once for every command",
    "ENVIRONMENT": "the index folder came from SEARCHKIT_INDEX",
}


# Each command's module, imported when the command is run, listed or completed: a
# fresh `searchkit search` then skips the indexer, the web server and the other
# commands (see benchmarks/RESULTS.md, "Fresh-process start-up"). A module
# registers its command on ``main`` as it is imported (``@main.command``), or
# holds it under the command's name (``serve``).
COMMANDS = {
    "count": "searchkit.cli.count_cmd",
    "index": "searchkit.cli.index_cmd",
    "search": "searchkit.cli.search_cmd",
    "serve": "searchkit.web.command",
    "show": "searchkit.cli.show_cmd",
    "stats": "searchkit.cli.stats_cmd",
}


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program stands so that it cancels as on Ctrl-C.

    Python's default for SIGTERM ends the process at once: an index run then
    left its worker processes writing for a while and its job files behind.
    """


def _terminate(signum, frame):
    raise Terminated


class Main(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            module = importlib.import_module(COMMANDS[cmd_name])
            if cmd_name not in self.commands:
                self.add_command(getattr(module, cmd_name))
        return self.commands.get(cmd_name)

    def invoke(self, ctx: click.Context):
        # Only the main thread may set handlers (a test runner may call us from another).
        main_thread = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGTERM, _terminate) if main_thread else None
        try:
            return self._invoke(ctx)
        finally:
            if main_thread:
                signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)

    def _invoke(self, ctx: click.Context):
        try:
            try:
                result = super().invoke(ctx)
            except (SystemExit, click.exceptions.Exit):
                flush_stdout()
                raise
            flush_stdout()
            return result
        except SearchkitError as exc:
            if isinstance(exc, OutputError):
                silence(sys.stdout)  # what is still buffered must not fail again at exit
            note(f"searchkit: {exc}")
            hint = INDEX_HINTS.get(ctx.meta.get("searchkit.index_source", ""))
            if isinstance(exc, IndexMissingError) and hint:
                note(f"searchkit: {hint}")
            ctx.exit(exc.exit_code)
        except ReaderGone:  # the reader went away (| head): not an error worth a word
            silence(sys.stdout)
            ctx.exit(0)
        except Terminated:
            note("searchkit: terminated; the index keeps its last committed state")
            ctx.exit(143)
        except KeyboardInterrupt:
            note("searchkit: interrupted; the index keeps its last committed state")
            ctx.exit(130)


CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(cls=Main, context_settings=CONTEXT, help=texts.MAIN)
@click.version_option(__version__, prog_name="searchkit")
def main():
    pass
