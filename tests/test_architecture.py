"""The engine seam holds: Whoosh only in its engine package, light imports, no oversized modules."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest
from conftest import ROOT

PACKAGE = ROOT / "searchkit"
ENGINE = PACKAGE / "engine" / "whoosh"


def imported_modules(path):
    tree = ast.parse(path.read_text("utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def test_no_module_outside_the_whoosh_engine_imports_whoosh():
    leaks = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if ENGINE in path.parents:
            continue
        leaks += [f"{path.relative_to(ROOT)}: {m}" for m in imported_modules(path)
                  if m == "whoosh" or m.startswith("whoosh.")]
    assert leaks == []


def test_the_scan_finds_a_whoosh_import(tmp_path):
    # The scan above must be able to fail: it sees every form of import.
    probe = tmp_path / "probe.py"
    probe.write_text("import whoosh.query\nfrom whoosh import fields\n\ndef f():\n    from whoosh.index import open_dir\n")
    assert list(imported_modules(probe)) == ["whoosh.query", "whoosh", "whoosh.index"]


@pytest.mark.parametrize("module", ["searchkit.cli", "searchkit.api", "searchkit.query", "searchkit.engine.whoosh.searcher"])
def test_importing_searchkit_leaves_asyncio_and_urllib_request_unloaded(module):
    code = (f"import sys, {module}\n"
            "print(sorted(m for m in ('asyncio', 'urllib.request') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_the_opensearch_engine_does_not_load_whoosh():
    code = "import sys, searchkit.engine.opensearch.session, searchkit.api\nprint('whoosh' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"


def test_no_module_is_over_400_lines():
    # A little slack over the house's "~400": a module past 450 lines holds more than one job.
    long = [f"{p.relative_to(ROOT)} ({n})" for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text("utf-8").splitlines())) > 450]
    assert long == []


def test_every_module_starts_with_a_one_line_docstring():
    missing = [str(p.relative_to(ROOT)) for p in PACKAGE.rglob("*.py")
               if not (ast.get_docstring(ast.parse(p.read_text("utf-8"))) or "").strip()]
    assert missing == []
