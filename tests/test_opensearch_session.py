"""``searchkit index … --index URL`` on a real node: one writer at a time, the rebuild swap, interrupted runs."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from searchkit import engine
from searchkit.api import open_archive
from searchkit.cli import main
from searchkit.engine.opensearch.lock import CONTROL_INDEX
from searchkit.engine.opensearch.writer import OpenSearchWriter
from searchkit.engine.whoosh.lock import describe_holder
from searchkit.errors import DocumentNotFoundError, IndexLockedError
from searchkit.model import Document, Post
from tests.conftest import CORPUS, FIXTURES

pytestmark = pytest.mark.opensearch

THREADS = FIXTURES / "threads"


@pytest.fixture(scope="module")
def client(os_client):
    return os_client


@pytest.fixture
def url(fresh_index_url):
    return fresh_index_url


def index(*args, code: int = 0):
    result = CliRunner().invoke(main, ["index", *map(str, args)])
    assert result.exit_code == code, result.output
    return result


def articles(url: str) -> int:
    with open_archive(url) as archive:
        return archive.stats().articles


def physical(client, url: str) -> list[str]:
    name = url.rsplit("/", 1)[1]
    return sorted(i for i in client.indices.get(index=f"{name}-*", expand_wildcards="all") if not i.endswith(".files"))


def post(n: int) -> Post:
    article = Document(id=f"new{n}", kind="article", post_id=f"new{n}", title=f"Nouveau {n}", body="Un texte neuf.",
                       source="generated")
    return Post(article, [])


def test_a_second_writer_waits_then_fails_naming_the_first(url, client):
    index(CORPUS, "--index", url)
    with engine.open_writer(url, wait=0):
        holder = client.get(index=CONTROL_INDEX, id=url.rsplit("/", 1)[1])["_source"]
        assert holder["pid"] == os.getpid() and holder["host"] == socket.gethostname()
        result = index(CORPUS, "--index", url, "--wait", "0.5", code=2)
    assert result.stderr == (
        f"searchkit: the index at {url} is being written by another searchkit process ({describe_holder(holder)}); "
        f"waited 0.5s: try again when it is done, or wait longer with --wait SECONDS\n")
    # Released on leaving: the next run goes through at once.
    assert "files: 0 added, 0 updated, 0 removed, 1 unchanged" in index(CORPUS, "--index", url, "--wait", "0").stderr


def test_a_lock_whose_holder_died_is_taken_over_with_a_note(url, client):
    index(CORPUS, "--index", url)
    name = url.rsplit("/", 1)[1]
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    # Killed on this host (its pid is gone): taken over at once, though it has not expired.
    here = {"pid": dead.pid, "host": socket.gethostname(), "started": "2026-01-02T03:04:05Z",
            "expires": time.time() + 3600}
    client.index(index=CONTROL_INDEX, id=name, body=here, refresh=True)
    result = index(CORPUS, "--index", url, "--wait", "0")
    assert (f"note: the previous writer (pid {dead.pid} on {socket.gethostname()}, writing since "
            "2026-01-02T03:04:05Z) ended without finishing; its lock was taken over and the index kept its last "
            "commit") in result.stderr.splitlines()
    # On another machine: only its expiry tells it died.
    elsewhere = {"pid": 4242, "host": "elsewhere", "started": "2026-01-02T03:04:05Z", "expires": time.time() + 3600}
    client.index(index=CONTROL_INDEX, id=name, body=elsewhere, refresh=True)
    result = index(CORPUS, "--index", url, "--wait", "0.3", code=2)
    assert "(pid 4242 on elsewhere, writing since 2026-01-02T03:04:05Z); waited 0.3s" in result.stderr
    client.index(index=CONTROL_INDEX, id=name, body={**elsewhere, "expires": time.time() - 1}, refresh=True)
    result = index(CORPUS, "--index", url, "--wait", "0")
    assert "note: the previous writer (pid 4242 on elsewhere, writing since 2026-01-02T03:04:05Z) ended" \
        in result.stderr
    assert not client.exists(index=CONTROL_INDEX, id=name)  # released at the end of the run


def test_two_sessions_cannot_hold_the_lock_at_once(url):
    with engine.open_writer(url, wait=0), pytest.raises(IndexLockedError), engine.open_writer(url, wait=0.2):
        pass


def test_rebuild_is_swapped_in_at_commit_and_searches_never_see_it_half_built(url, client):
    index(CORPUS, THREADS, "--index", url)
    before = articles(url)
    old = physical(client, url)
    with engine.open_writer(url, rebuild=True) as session:
        state = session.file_state()
        assert session.fresh and list(state.sources()) == []
        session.discard(state)
        writer = session.writer()
        assert isinstance(writer, OpenSearchWriter)
        writer.add_post(post(1))
        writer.flush()  # sent to the cluster, not committed
        assert articles(url) == before
        writer.commit({})
        assert articles(url) == 1
    assert physical(client, url) != old and len(physical(client, url)) == 1  # the old build is deleted


def test_an_interrupted_rebuild_keeps_the_last_commit_and_leaves_nothing(url, client):
    index(CORPUS, THREADS, "--index", url)
    before, old = articles(url), physical(client, url)
    with pytest.raises(KeyboardInterrupt), engine.open_writer(url, rebuild=True) as session:
        writer = session.writer()
        assert isinstance(writer, OpenSearchWriter)
        writer.add_post(post(1))
        writer.flush()
        raise KeyboardInterrupt
    assert articles(url) == before and physical(client, url) == old
    assert "files: 0 added, 0 updated, 0 removed, 2 unchanged" in index(CORPUS, THREADS, "--index", url).stderr


def test_an_interrupted_incremental_run_is_not_searchable_and_the_next_run_puts_it_right(url, client):
    index(CORPUS, THREADS, "--index", url)
    before = articles(url)
    with open_archive(url) as archive:
        thread = archive.count_by("santé OR microsoft", "source")
    files = engine.open_engine(url).files()
    with pytest.raises(RuntimeError), engine.open_writer(url) as session:
        writer = session.writer()
        assert isinstance(writer, OpenSearchWriter)
        writer.delete_source("sante-numerique.xml")
        writer.add_post(post(2))
        writer.flush()
        raise RuntimeError("killed")
    # What was sent is in the index but not searchable (refresh stays off); the file state is the last commit's.
    assert articles(url) == before and engine.open_engine(url).files() == files
    result = index(CORPUS, THREADS, "--index", url)
    assert ("note: the previous run was interrupted: the 2 file(s) it had begun to write are read again"
            in result.stderr.splitlines())
    assert "files: 0 added, 1 updated, 0 removed, 1 unchanged" in result.stderr.splitlines()
    assert articles(url) == before
    with open_archive(url) as archive:
        assert archive.count_by("santé OR microsoft", "source") == thread
        with pytest.raises(DocumentNotFoundError):
            archive.document("new2")
    assert "files: 0 added, 0 updated, 0 removed, 2 unchanged" in index(CORPUS, THREADS, "--index", url).stderr


def test_a_killed_rebuilds_leftover_index_is_removed_by_the_next_run(url, client):
    from searchkit.engine.opensearch.settings import index_body

    index(CORPUS, "--index", url)
    name = url.rsplit("/", 1)[1]
    client.indices.create(index=f"{name}-20260101-000000-000000", body=index_body())
    client.indices.create(index=f"{name}-20260101-000000-000000.files")
    kept = physical(client, url)
    index(CORPUS, "--index", url)
    assert physical(client, url) == [i for i in kept if "20260101" not in i]
    assert not client.indices.exists(index=f"{name}-20260101-000000-000000.files")


def test_touched_but_identical_files_are_remembered_without_writing(url, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_bytes((CORPUS / "000_caa8075c1ef2035a.txt").read_bytes())
    index(corpus, "--index", url)
    os.utime(corpus / "a.txt", (time.time() + 10, time.time() + 10))
    index(corpus, "--index", url)
    entry = engine.open_engine(url).files()["a.txt"]
    assert entry.mtime_ns == (corpus / "a.txt").stat().st_mtime_ns


@pytest.mark.shared
def test_a_writer_killed_during_a_rebuild_leaves_the_last_commit_and_its_lock_is_taken_over(url, client):
    import signal

    from tests.conftest import CORPORA

    index(CORPUS, "--index", url)
    before, kept = articles(url), physical(client, url)
    name = url.rsplit("/", 1)[1]
    writer = subprocess.Popen([sys.executable, "-m", "searchkit", "index", str(CORPORA), "--index", url, "--rebuild"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while len(physical(client, url)) < 2 and writer.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)  # until its new build exists
        assert writer.poll() is None, "the run ended before it could be killed"
        os.kill(writer.pid, signal.SIGKILL)
    finally:
        writer.wait()
    assert client.exists(index=CONTROL_INDEX, id=name)  # its lock stays behind
    assert articles(url) == before  # searches still see the last commit
    result = index(CORPUS, "--index", url, "--wait", "0")
    assert f"note: the previous writer (pid {writer.pid} on {socket.gethostname()}" in result.stderr
    assert physical(client, url) == kept  # the half-built index is gone
    assert articles(url) == before


def file_versions(client, url: str) -> dict[str, int]:
    """Each file-state entry's document version in the cluster (it grows each time the entry is written)."""
    name = physical(client, url)[0] + ".files"
    found = client.search(index=name, body={"query": {"match_all": {}}, "size": 100, "version": True})
    return {h["_id"]: h["_version"] for h in found["hits"]["hits"]}


def test_a_run_writes_back_only_the_file_entries_it_changed(url, client, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("a", "b", "c"):
        (corpus / f"{name}.jsonl").write_text(
            f'{{"id": "{name}1", "title": "Billet {name}", "body": "Un texte sur {name}."}}\n', "utf-8")
    index(corpus, "--index", url)
    first = file_versions(client, url)
    assert sorted(first) == ["a.jsonl", "b.jsonl", "c.jsonl"]

    (corpus / "b.jsonl").write_text('{"id": "b1", "title": "Billet b", "body": "Un autre texte."}\n', "utf-8")
    (corpus / "c.jsonl").unlink()
    result = index(corpus, "--index", url)
    assert "1 updated, 1 removed, 1 unchanged" in result.output
    after = file_versions(client, url)
    assert after == {"a.jsonl": first["a.jsonl"], "b.jsonl": first["b.jsonl"] + 1}

    index(corpus, "--index", url)  # nothing changed: nothing written
    assert file_versions(client, url) == after
    with open_archive(url) as archive:
        assert archive.search("autre").total == 1 and archive.search("texte").total == 2
