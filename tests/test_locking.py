"""One writer at a time: a second one waits then names the first; a dead writer's lock is
taken over; searches run during a write and see the last commit."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest
from conftest import CORPUS
from test_crash import page_text

from searchkit.cli import main
from searchkit.engine.whoosh.lock import IndexLock


def cli(*args):
    return [sys.executable, "-m", "searchkit", *map(str, args)]


def test_second_writer_gives_up_after_wait_naming_index_and_holder(runner, tmp_path):
    ix = tmp_path / "ix"
    with IndexLock(ix):
        started = time.monotonic()
        result = runner.invoke(main, ["index", str(CORPUS), "--index", str(ix), "--wait", "0.4"])
        waited = time.monotonic() - started
    assert result.exit_code == 2
    assert f"the index at {ix} is being written by another searchkit process" in result.stderr
    assert f"pid {os.getpid()}" in result.stderr
    assert "--wait SECONDS" in result.stderr
    assert "Traceback" not in result.stderr
    assert waited >= 0.4


def test_second_writer_proceeds_when_the_first_finishes_within_wait(runner, tmp_path):
    ix = tmp_path / "ix"
    lock = IndexLock(ix)
    lock.acquire()
    threading.Timer(0.5, lock.release).start()
    result = runner.invoke(main, ["index", str(CORPUS), "--index", str(ix), "--wait", "10"])
    assert result.exit_code == 0, result.stderr
    assert "note:" not in result.stderr  # a cleanly released lock is not stale


def test_lock_of_a_killed_writer_is_taken_over(runner, tmp_path):
    ix = tmp_path / "ix"
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from searchkit.engine.whoosh.lock import IndexLock
        IndexLock(Path({str(ix)!r})).acquire()
        print("locked", flush=True)
        time.sleep(60)
    """)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    result = runner.invoke(main, ["index", str(CORPUS), "--index", str(ix), "--wait", "0"])
    assert result.exit_code == 0, result.stderr
    assert f"note: the previous writer (pid {holder.pid}" in result.stderr
    assert "its lock was taken over" in result.stderr


@pytest.fixture
def big_corpus(tmp_path):
    rng = random.Random(11)
    root = tmp_path / "corpus"
    root.mkdir()
    for n in range(150):
        (root / f"page{n:05d}.txt").write_text(page_text(rng, n, 0), "utf-8")
    return root


@pytest.mark.slow
def test_two_writer_processes_second_exits_2_naming_the_first(tmp_path, big_corpus):
    ix = tmp_path / "ix"
    first = subprocess.Popen(cli("index", big_corpus, "--index", ix), stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20
        while not (ix / "searchkit.lock").exists() or not (ix / "searchkit.lock").read_text():
            assert time.monotonic() < deadline and first.poll() is None
            time.sleep(0.01)
        second = subprocess.run(cli("index", big_corpus, "--index", ix, "--wait", "0.2"),
                                capture_output=True, text=True, timeout=60)
    finally:
        assert first.wait(timeout=120) == 0
    assert second.returncode == 2
    assert f"pid {first.pid}" in second.stderr
    assert str(ix) in second.stderr
    assert "Traceback" not in second.stderr


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["update", "rebuild"])
def test_searches_run_during_a_write_and_see_the_last_commit(tmp_path, big_corpus, mode):
    ix = tmp_path / "ix"
    subprocess.run(cli("index", big_corpus, "--index", ix), check=True, capture_output=True)
    rng = random.Random(12)
    for n in range(150, 750):  # new posts carrying a word the old commit has not; enough to outlast two searches
        text = page_text(rng, n, 1).replace("Billet", "Zythum", 1)
        (big_corpus / f"page{n:05d}.txt").write_text(text, "utf-8")
    extra = ["--rebuild"] if mode == "rebuild" else []  # rebuild: the folders are swapped
    writer = subprocess.Popen(cli("index", big_corpus, "--index", ix, *extra), stderr=subprocess.PIPE)
    during = []
    while writer.poll() is None:
        old = subprocess.run(cli("search", "données", "--index", ix, "--json", "-n", "1"),
                             capture_output=True, text=True)
        new = subprocess.run(cli("search", "zythum", "--index", ix, "--json", "-n", "1"),
                             capture_output=True, text=True)
        if writer.poll() is None:
            during.append((old.returncode, new.returncode, old.stderr + new.stderr))
    assert writer.returncode == 0, writer.stderr.read().decode()
    assert len(during) >= 2, "the write ended before searches could overlap it"
    for old_rc, new_rc, stderr in during:
        assert old_rc == 0, stderr  # the last commit is always searchable
        assert new_rc in (0, 1), stderr  # 1 before the writer's commit, 0 after
    assert during[0][1] == 1  # the first searches saw the old commit only
    after = subprocess.run(cli("search", "zythum", "--index", ix), capture_output=True, text=True)
    assert after.returncode == 0


@pytest.mark.slow
def test_searches_never_fail_while_rebuilds_swap_the_index_folder(tmp_path, big_corpus):
    from searchkit.api import open_archive

    ix = tmp_path / "ix"
    subprocess.run(cli("index", big_corpus, "--index", ix), check=True, capture_output=True)
    failures, searches, stop = [], [0], threading.Event()

    def search_loop():
        while not stop.is_set():
            try:
                with open_archive(ix) as s:
                    assert s.search("données", limit=3).total > 0
                searches[0] += 1
            except Exception as exc:  # noqa: BLE001 - any failure is the finding
                failures.append(repr(exc))

    threads = [threading.Thread(target=search_loop) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        for _ in range(3):
            subprocess.run(cli("index", big_corpus, "--index", ix, "--rebuild"), check=True, capture_output=True)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not failures, failures[:3]
    assert searches[0] > 10
