"""XML bombs and external entities through ``searchkit index``: never expanded, refused
quickly, memory flat, no local file read into the index."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from conftest import CLI_WITH_PEAK_RSS, FIXTURES, TESTS

from searchkit.index import stored_documents

HOSTILE = FIXTURES / "hostile"
BOMBS = ["billion-laughs.xml", "quadratic-blowup.xml", "external-entity.xml", "late-doctype-bomb.xml"]


def index_in_subprocess(path, ix):
    """Run ``searchkit index`` and return (exit code, stderr, seconds, peak RSS in MiB)."""
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", CLI_WITH_PEAK_RSS, "index", str(path), "--index", str(ix)],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          env={**os.environ, "PYTHONPATH": str(TESTS)})
    stderr, _, peak = proc.stderr.rpartition("peak-rss-kib: ")
    return proc.returncode, stderr, time.monotonic() - started, int(peak) / 1024


@pytest.mark.parametrize("name", BOMBS)
def test_xml_bomb_is_refused_fast_with_flat_memory_and_named(tmp_path, name):
    code, stderr, seconds, peak_mib = index_in_subprocess(HOSTILE / name, tmp_path / "ix")
    assert code == 2
    assert f"error: {name}: refused" in stderr
    assert "DTD" in stderr
    assert "Traceback" not in stderr
    assert seconds < 15
    assert peak_mib < 250, f"peak memory {peak_mib:.0f} MiB: something was expanded"


def test_bombs_beside_a_good_file_do_not_stop_it_being_indexed(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in BOMBS:
        (corpus / name).write_bytes((HOSTILE / name).read_bytes())
    (corpus / "molière.txt").write_bytes((FIXTURES / "pagedump" / "one-comment.txt").read_bytes())
    code, stderr, _, _ = index_in_subprocess(corpus, tmp_path / "ix")
    assert code == 2
    assert all(f"error: {name}: refused" in stderr for name in BOMBS)
    assert {d.source for d in stored_documents(tmp_path / "ix")} == {"molière.txt"}


def test_entities_in_an_html_page_are_not_expanded_nor_files_read(tmp_path):
    ix = tmp_path / "ix"
    code, stderr, seconds, peak_mib = index_in_subprocess(HOSTILE / "entity-bomb.html", ix)
    assert code in (0, 2), stderr
    assert "Traceback" not in stderr
    assert seconds < 15 and peak_mib < 250
    texts = " ".join(f"{d.title} {d.body}" for d in stored_documents(ix)) if code == 0 else ""
    assert "lollol" not in texts  # &lol9; stayed an unexpanded reference, at most
    assert "root:" not in texts and "/bin/" not in texts  # /etc/passwd was never read
    assert len(texts) < 10_000
