"""The Makefile's recipes a newcomer runs: `make clean` then `make demo` works again."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from conftest import ROOT

from searchkit.cli import main

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def test_clean_leaves_only_the_index_readme_and_the_next_index_run_works(runner, tmp_path):
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    (tmp_path / ".venv").mkdir()
    ix = tmp_path / "index"
    ix.mkdir()
    (ix / "README.md").write_text("The default index location.\n")
    assert runner.invoke(main, ["index", str(ROOT / "corpus"), "--index", str(ix)]).exit_code == 0
    assert {"searchkit-manifest.sqlite", "searchkit.lock", "searchkit.json"} <= {p.name for p in ix.iterdir()}
    subprocess.run(["make", "-C", str(tmp_path), "clean"], check=True, capture_output=True)
    assert [p.name for p in ix.iterdir()] == ["README.md"]
    assert not (tmp_path / ".venv").exists()
    result = runner.invoke(main, ["index", str(ROOT / "corpus"), "--index", str(ix)])
    assert result.exit_code == 0, result.stderr
