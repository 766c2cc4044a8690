"""A fresh ``searchkit search`` loads what a search needs and nothing else (modules, not timings).

What a module costs to import is in benchmarks/RESULTS.md ("Fresh-process
start-up"); these tests keep the modules that were cut from coming back: the
other commands, the indexer and its ``multiprocessing``, the readers and their
libraries, the web server, the OpenSearch client, and the Whoosh modules a
search never uses. Each check runs the real command in a child process and
looks at ``sys.modules`` as it exits.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import CORPUS, ROOT

# Prints, as the command exits, which of the modules named in argv[1] (comma-separated) were loaded.
CLI_REPORTING_MODULES = (
    "import atexit, sys\n"
    "watched = sys.argv.pop(1).split(',')\n"
    "atexit.register(lambda: print('loaded:', ','.join(m for m in watched if m in sys.modules), file=sys.stderr))\n"
    "from searchkit.cli import main\n"
    "main()\n"
)

# Never needed to answer a search on a folder index.
NOT_FOR_A_SEARCH = [
    # the other commands, the indexer, the readers, the web server, OpenSearch
    "searchkit.cli.count_cmd", "searchkit.cli.index_cmd", "searchkit.cli.show_cmd", "searchkit.cli.stats_cmd",
    "searchkit.ingest", "searchkit.readers", "searchkit.web", "searchkit.web.command", "searchkit.engine.opensearch",
    "searchkit.engine.whoosh.internals", "searchkit.engine.whoosh.writer", "searchkit.engine.whoosh.lock",
    "searchkit.engine.whoosh.upkeep",
    # what those bring: archive parsing, encodings, the network, processes
    "lxml", "warcio", "ftfy", "charset_normalizer", "multiprocessing", "socket", "asyncio", "urllib.request",
    "http.client", "email", "ssl",
    # Whoosh's writer, and what Whoosh imports for queries and highlights searchkit never makes
    "whoosh.writing", "whoosh.multiproc", "whoosh.lang.morph_en", "html",
]


def loaded(args: list[str], watched: list[str]) -> tuple[subprocess.CompletedProcess, list[str]]:
    """Run ``searchkit ARGS`` in a fresh process: the process, and which ``watched`` modules it loaded."""
    proc = subprocess.run([sys.executable, "-c", CLI_REPORTING_MODULES, ",".join(watched), *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    line = [ln for ln in proc.stderr.splitlines() if ln.startswith("loaded:")]
    assert line, proc.stderr
    return proc, [m for m in line[-1].removeprefix("loaded:").strip().split(",") if m]


@pytest.mark.timeout(120)
@pytest.mark.parametrize("extra", [[], ["--json"], ["--kind", "comment"], ["--count"]])
def test_a_search_loads_neither_the_indexer_nor_the_web_nor_opensearch(sample_index, extra):
    proc, found = loaded(["search", '"Privacy Shield"', "--index", str(sample_index), "--limit", "10", *extra],
                         NOT_FOR_A_SEARCH)
    assert proc.returncode in (0, 1), proc.stderr
    if extra != ["--kind", "comment"]:  # the phrase is in the article: the search answered
        assert proc.returncode == 0 and proc.stdout.strip()
    assert found == []


@pytest.mark.timeout(120)
def test_the_same_check_sees_what_indexing_loads(tmp_path):
    # The check above must be able to fail: indexing does load the writer and its processes.
    watched = ["searchkit.engine.whoosh.internals", "searchkit.engine.whoosh.writer", "multiprocessing",
               "whoosh.writing", "searchkit.cli.index_cmd", "searchkit.web.command"]
    proc, found = loaded(["index", str(CORPUS), "--index", str(tmp_path / "ix")], watched)
    assert proc.returncode == 0, proc.stderr
    assert found == watched[:-1]


@pytest.mark.timeout(120)
def test_ca_cert_loads_the_opensearch_client_only_when_given(sample_index, tmp_path):
    cert = tmp_path / "ca.pem"
    cert.write_text("not used: the index is a folder\n")
    search = ["search", '"Privacy Shield"', "--index", str(sample_index)]
    assert loaded(search, ["searchkit.engine.opensearch.connection"])[1] == []
    proc, found = loaded([*search, "--ca-cert", str(cert)], ["searchkit.engine.opensearch.connection"])
    assert proc.returncode == 0, proc.stderr
    assert found == ["searchkit.engine.opensearch.connection"]


def test_the_ca_cert_of_one_command_is_not_kept_for_the_next(sample_index, tmp_path, runner):
    from searchkit.cli import main
    from searchkit.engine.opensearch import connection

    cert = tmp_path / "ca.pem"
    cert.write_text("x\n")
    try:
        runner.invoke(main, ["stats", "--index", str(sample_index), "--ca-cert", str(cert)])
        assert connection.ca_cert_option == str(cert)
        runner.invoke(main, ["stats", "--index", str(sample_index)])
        assert connection.ca_cert_option is None
    finally:
        connection.ca_cert_option = None


def test_every_command_is_listed_and_runs_without_its_module_imported_first():
    code = ("import sys\nfrom searchkit.cli import main\n"
            "print(sorted(m for m in sys.modules if m.startswith(('searchkit.cli.', 'searchkit.web'))))\n"
            "import click\nctx = click.Context(main)\n"
            "print(main.list_commands(ctx), [main.get_command(ctx, n).name for n in main.list_commands(ctx)])\n"
            "print(main.get_command(ctx, 'nope'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    before, listed, missing = out.stdout.splitlines()
    assert before == "['searchkit.cli.app', 'searchkit.cli.help']"
    names = "['count', 'index', 'search', 'serve', 'show', 'stats']"
    assert listed == f"{names} {names}"
    assert missing == "None"


def test_whooshs_stand_ins_are_gone_and_call_the_real_functions():
    code = ("import sys, searchkit.engine.whoosh.searcher\n"
            "print(sorted(m for m in ('whoosh.lang.morph_en', 'html', 'urllib.request') if m in sys.modules))\n"
            "from whoosh.query import terms\nfrom whoosh import compat\n"
            "print(sorted(terms.variations('rendering'))[:3], compat.htmlescape('<a & \"b\">'))\n"
            "import html, whoosh.lang.morph_en as real\n"
            "print(html.unescape('&lt;'), real.variations('rendering') == terms.variations('rendering'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.splitlines() == [
        "[]",
        "['render', 'rendering', 'renderinged'] &lt;a &amp; &quot;b&quot;&gt;",
        "< True",
    ]
