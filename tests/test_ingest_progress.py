"""Indexing shows its progress, phase by phase, on a terminal only."""

from __future__ import annotations

import os
import pty
import subprocess
import sys

from conftest import CORPUS, ROOT


def run_in_pty(args, cwd):
    """Run a command with stderr on a pseudo-terminal; return what the terminal showed."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=follower, cwd=cwd)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 4096)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(leader)
    return proc.returncode, b"".join(chunks).decode("utf-8", "replace")


def test_a_terminal_sees_the_reading_and_the_writing_phases(tmp_path):
    code, shown = run_in_pty([sys.executable, "-m", "searchkit", "index", str(CORPUS), "--index", str(tmp_path / "ix")],
                             ROOT)
    assert code == 0, shown
    assert "reading 1 file(s)" in shown
    assert "writing the index (10 documents)" in shown
    assert "indexed 1 file(s): 1 articles, 9 comments" in shown


def test_a_pipe_sees_no_bars(tmp_path):
    result = subprocess.run([sys.executable, "-m", "searchkit", "index", str(CORPUS), "--index", str(tmp_path / "ix")],
                            capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 0
    assert "reading" not in result.stderr and "writing the index" not in result.stderr
