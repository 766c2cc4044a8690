"""SIGTERM (``timeout``, ``kill``, a service manager) stops ``searchkit index`` as cleanly as Ctrl-C.

Python's default for SIGTERM ends the process on the spot: the index then
kept its last commit, but the Whoosh worker processes went on writing for
more than 20 s and left their job files. Now the run cancels, its workers
end with it, and it says so with exit code 143.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest
from test_crash import run_index, signature_of_corpus, signature_of_index, write_pages

from searchkit.engine.whoosh.internals import JOB_EXT


def children(pid: int) -> set[int]:
    try:
        return {int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}
    except FileNotFoundError:
        return set()


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_sigterm_cancels_the_run_its_workers_end_and_the_last_commit_stays(tmp_path):
    import random

    rng = random.Random(11)
    corpus = tmp_path / "corpus"
    write_pages(corpus, rng, range(220))  # ~2,300 documents: a full build goes through Whoosh's worker processes
    index_dir = tmp_path / "index"
    first = run_index(corpus, index_dir)
    assert first.wait() == 0, first.stderr.read()
    committed = signature_of_index(index_dir)

    write_pages(corpus, rng, range(220, 700), version=1)  # a rebuild long enough to be stopped in the middle
    run = run_index(corpus, index_dir, "--rebuild")
    workers: set[int] = set()
    deadline = time.monotonic() + 120
    while len(workers) < 2 and run.poll() is None and time.monotonic() < deadline:
        workers |= children(run.pid)
        time.sleep(0.01)
    assert run.poll() is None and workers, "the rebuild ended before its workers could be seen"
    run.send_signal(signal.SIGTERM)

    assert run.wait(timeout=60) == 143
    assert run.stderr.read().decode().splitlines()[-1] == "searchkit: terminated; the index keeps its last committed state"
    deadline = time.monotonic() + 10
    while any(alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [w for w in workers if alive(w)], "worker processes outlived the terminated run"
    assert signature_of_index(index_dir) == committed
    assert not list(tmp_path.rglob(f"*{JOB_EXT}")), "job files were left behind"

    again = run_index(corpus, index_dir)  # the lock is free and the next run completes
    assert again.wait() == 0, again.stderr.read()
    assert signature_of_index(index_dir) == signature_of_corpus(corpus)
