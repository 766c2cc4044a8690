"""The file state on disk: many files index in bounded memory, incremental runs over thousands of files stay
right, a crash around the commit keeps the manifest consistent, and a manifest of an older release is migrated."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import asdict

import pytest
from conftest import CLI_WITH_PEAK_RSS, CORPUS, FIXTURES, TESTS, stored_documents

from searchkit.cli import main
from searchkit.engine.whoosh import manifest

WORDS = ["maison", "jardin", "soleil", "rivière", "ville", "route", "livre", "lettre"]


def tiny_corpus(root, n: int, first: int = 0, numbered: bool = True) -> None:
    """``n`` page dumps of one short article each, 1,000 to a folder; ``numbered``: a word of its own in each."""
    for i in range(first, first + n):
        folder = root / f"d{i // 1000:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        words = [WORDS[(i >> k) % len(WORDS)] for k in range(8)]
        body = " ".join(words) + (f" n{i}." if numbered else ".")
        title = f"Billet {i}" if numbered else f"Billet {words[0]} {words[1]}"
        (folder / f"billet-{i:06d}.txt").write_text(f"{title}\n\n{body}\n", "utf-8")


def index(runner, corpus, ix, *extra):
    return runner.invoke(main, ["index", str(corpus), "--index", str(ix), *extra])


def entries(ix) -> dict:
    m = manifest.open_manifest(ix)
    assert m is not None
    try:
        return dict(m.entries())
    finally:
        m.close()


def test_an_incremental_run_over_thousands_of_files_adds_changes_and_removes_the_right_ones(runner, tmp_path):
    corpus, ix = tmp_path / "corpus", tmp_path / "ix"
    tiny_corpus(corpus, 4500)  # more than one batch of the scratch and manifest tables (2,000 rows)
    result = index(runner, corpus, ix)
    assert result.exit_code == 0, result.stderr
    assert "files: 4500 added, 0 updated, 0 removed, 0 unchanged" in result.stderr
    for i in range(0, 4500, 3):  # change one file in three
        (corpus / f"d{i // 1000:03d}" / f"billet-{i:06d}.txt").write_text(f"Billet {i}\n\nchangé {i}.\n", "utf-8")
    shutil.rmtree(corpus / "d004")  # 500 files gone
    tiny_corpus(corpus, 2100, first=10000)  # 2,100 new ones
    result = index(runner, corpus, ix)
    assert result.exit_code == 0, result.stderr
    changed = len(range(0, 4000, 3))
    assert f"files: 2100 added, {changed} updated, 500 removed, {4000 - changed} unchanged" in result.stderr
    docs = {d.source: d.body for d in stored_documents(ix)}
    assert len(docs) == 4000 - 0 + 2100
    assert docs["d000/billet-000003.txt"] == "changé 3."
    assert "d004/billet-004100.txt" not in docs and docs["d012/billet-012099.txt"].endswith(" n12099.")
    state = entries(ix)
    assert set(state) == set(docs)
    assert state["d000/billet-000003.txt"].size == len("Billet 3\n\nchangé 3.\n".encode())
    result = index(runner, corpus, ix)
    assert "files: 0 added, 0 updated, 0 removed, 6100 unchanged" in result.stderr


def test_a_run_killed_between_whoosh_commit_and_manifest_keeps_the_commit_and_its_file_state(runner, tmp_path,
                                                                                            monkeypatch):
    corpus, ix = tmp_path / "corpus", tmp_path / "ix"
    tiny_corpus(corpus, 30)
    assert index(runner, corpus, ix).exit_code == 0
    tiny_corpus(corpus, 5, first=100)

    def killed(*args):  # the process dies once Whoosh committed, before the manifest is made current
        raise KeyboardInterrupt

    monkeypatch.setattr("searchkit.engine.whoosh.storage.write_meta", killed)
    assert index(runner, corpus, ix).exit_code == 130
    monkeypatch.undo()
    assert (ix / manifest.PENDING_FILE).exists()
    result = index(runner, corpus, ix)  # the pending manifest of the commit made is kept
    assert result.exit_code == 0, result.stderr
    assert "files: 0 added, 0 updated, 0 removed, 35 unchanged" in result.stderr
    assert not (ix / manifest.PENDING_FILE).exists()
    assert len(stored_documents(ix)) == 35


def test_a_corrupt_manifest_means_every_file_is_read_again_not_a_crash(runner, tmp_path):
    corpus, ix = tmp_path / "corpus", tmp_path / "ix"
    tiny_corpus(corpus, 20)
    assert index(runner, corpus, ix).exit_code == 0
    (ix / manifest.MANIFEST_FILE).write_bytes(b"SQLite format 3\x00" + b"\xff" * 500)
    assert runner.invoke(main, ["search", "maison", "--index", str(ix)]).exit_code == 0
    result = index(runner, corpus, ix)
    assert result.exit_code == 0, result.stderr
    assert "files: 20 added" in result.stderr
    assert len(stored_documents(ix)) == 20
    assert len(entries(ix)) == 20


def test_the_json_manifest_of_an_older_release_is_migrated_without_reading_a_file_again(runner, tmp_path,
                                                                                       monkeypatch):
    """The committed schema 3 index holds a JSON manifest, as written before 0.2."""
    ix, corpus = tmp_path / "ix", tmp_path / "seed"
    shutil.copytree(FIXTURES / "index-v3", ix)
    shutil.copytree(CORPUS, corpus, copy_function=shutil.copy2)
    assert (ix / manifest.LEGACY_FILE).exists() and not (ix / manifest.MANIFEST_FILE).exists()
    # The paths recorded are those of the machine that wrote the fixture: make them this corpus's.
    data = json.loads((ix / manifest.LEGACY_FILE).read_text())
    for source, entry in data["files"].items():
        entry["path"] = str(corpus / source)
    (ix / manifest.LEGACY_FILE).write_text(json.dumps(data))
    monkeypatch.setattr("searchkit.ingest.run.read_file", lambda *a: pytest.fail("a file was read again"))
    result = index(runner, corpus, ix)
    assert result.exit_code == 0, result.stderr
    assert "files: 0 added, 0 updated, 0 removed, 1 unchanged" in result.stderr
    assert not (ix / manifest.LEGACY_FILE).exists()
    state = entries(ix)
    assert list(state) == ["000_caa8075c1ef2035a.txt"]
    assert state["000_caa8075c1ef2035a.txt"].post_ids == ["01d0cccb27fb"]
    assert state["000_caa8075c1ef2035a.txt"].path == str(corpus / "000_caa8075c1ef2035a.txt")


def test_a_stale_json_manifest_beside_ours_is_removed_and_ours_trusted(runner, tmp_path):
    corpus, ix = tmp_path / "corpus", tmp_path / "ix"
    tiny_corpus(corpus, 3)
    assert index(runner, corpus, ix).exit_code == 0
    generation = manifest.open_manifest(ix).generation
    files = {s: asdict(e) for s, e in entries(ix).items()}
    del files["d000/billet-000002.txt"]  # not the same file state as ours
    (ix / manifest.LEGACY_FILE).write_text(json.dumps({"format": 1, "generation": generation, "files": files}))
    result = index(runner, corpus, ix)
    assert "files: 0 added, 0 updated, 0 removed, 3 unchanged" in result.stderr
    assert not (ix / manifest.LEGACY_FILE).exists()


def test_the_committed_index_with_an_sqlite_manifest_opens_and_updates(runner, tmp_path):
    ix, corpus = tmp_path / "ix", tmp_path / "seed"
    shutil.copytree(FIXTURES / "index-v3-manifest2", ix)
    shutil.copytree(CORPUS, corpus)
    # The paths recorded are those of the machine that wrote the fixture: make them this corpus's.
    with sqlite3.connect(ix / manifest.MANIFEST_FILE) as db:
        db.execute("UPDATE files SET path = ? || '/' || source", (str(corpus),))
    db.close()
    result = runner.invoke(main, ["search", '"Privacy Shield"', "--index", str(ix), "--json", "--flat"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[0])["title"] == "Macron a vendu nos données de santé à Microsoft !"
    result = index(runner, corpus, ix)
    assert result.exit_code == 0, result.stderr
    assert "files: 0 added, 0 updated, 0 removed, 1 unchanged" in result.stderr


def test_a_noop_run_asks_the_same_number_of_questions_for_300_files_as_for_30(runner, tmp_path, monkeypatch):
    """The unchanged-file check is a join of the files walked with the manifest, not look-ups a file.

    Six SQLite look-ups a file made a no-op run over 100,000 files cost 13.1 s of CPU (4.9 s with the
    JSON manifest held in memory); the CPU itself is a benchmark figure (benchmarks/RESULTS.md), what
    is asserted here is that the number of queries a no-op run makes does not grow with the files.
    """
    real_connect = sqlite3.connect

    def queries_of_a_noop_run(n: int) -> int:
        corpus, ix = tmp_path / f"corpus{n}", tmp_path / f"ix{n}"
        tiny_corpus(corpus, n)
        assert index(runner, corpus, ix).exit_code == 0
        statements: list[str] = []

        def traced(*args, **kwargs):
            conn = real_connect(*args, **kwargs)
            conn.set_trace_callback(statements.append)
            return conn

        monkeypatch.setattr(sqlite3, "connect", traced)
        try:
            result = index(runner, corpus, ix)
        finally:
            monkeypatch.setattr(sqlite3, "connect", real_connect)
        assert result.exit_code == 0, result.stderr
        assert f"files: 0 added, 0 updated, 0 removed, {n} unchanged" in result.stderr
        return sum(s.lstrip().upper().startswith("SELECT") for s in statements)

    assert queries_of_a_noop_run(300) == queries_of_a_noop_run(30)


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_fifty_thousand_tiny_files_index_in_bounded_memory(tmp_path):
    """The parent's peak holds no record per file: ~2 KB a file before (~145 MB here), flat now.

    No file has a word of its own: the analysis caches' growth with the vocabulary is another matter.
    """
    corpus, ix = tmp_path / "corpus", tmp_path / "ix"
    tiny_corpus(corpus, 50_000, numbered=False)
    proc = subprocess.run([sys.executable, "-c", CLI_WITH_PEAK_RSS, "index", str(corpus), "--index", str(ix)],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=850,
                          env={**os.environ, "PYTHONPATH": str(TESTS)})
    stderr, _, peak = proc.stderr.rpartition("peak-rss-kib: ")
    assert proc.returncode == 0, stderr
    assert "files: 50000 added" in stderr
    assert int(peak) / 1024 < 100, f"peak RSS {int(peak) / 1024:.0f} MiB"  # 48 MiB at 10,000 files (67 before)
