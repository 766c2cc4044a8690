"""A damaged, unwritable or full index: a clear message and exit 2, never a traceback,
and the previous index intact."""

from __future__ import annotations

import os
import shutil

import pytest
from conftest import CORPUS, FIXTURES, stored_documents

from searchkit.cli import main


@pytest.fixture
def built(runner, tmp_path):
    ix = tmp_path / "ix"
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    shutil.copy(FIXTURES / "pagedump" / "one-comment.txt", corpus / "molière.txt")
    result = runner.invoke(main, ["index", str(corpus), "--index", str(ix)])
    assert result.exit_code == 0, result.stderr
    return corpus, ix


def biggest_segment_file(ix):
    return max((p for p in ix.iterdir() if p.name.startswith("MAIN_") and p.suffix != ""
                and "WRITELOCK" not in p.name), key=lambda p: p.stat().st_size)


def toc(ix):
    return next(p for p in ix.iterdir() if p.name.startswith("_MAIN_") and p.name.endswith(".toc"))


def assert_damage_reported(runner, corpus, ix):
    for args in (["search", "santé"], ["stats"], ["index", str(corpus)]):
        result = runner.invoke(main, [*args, "--index", str(ix)])
        assert result.exit_code == 2, (args, result.output)
        assert f"the index at {ix} is damaged" in result.stderr, result.stderr
        assert "searchkit index --rebuild" in result.stderr
        assert "Traceback" not in result.stderr
        assert result.exception is None or isinstance(result.exception, SystemExit)


def assert_rebuild_repairs(runner, corpus, ix):
    result = runner.invoke(main, ["index", str(corpus), "--index", str(ix), "--rebuild"])
    assert result.exit_code == 0, result.stderr
    assert runner.invoke(main, ["search", "santé", "--index", str(ix)]).exit_code == 0


def test_truncated_segment_file_is_reported_then_rebuild_repairs(runner, built):
    corpus, ix = built
    seg = biggest_segment_file(ix)
    with open(seg, "r+b") as fh:
        fh.truncate(seg.stat().st_size // 2)
    assert_damage_reported(runner, corpus, ix)
    assert_rebuild_repairs(runner, corpus, ix)


def test_deleted_segment_file_is_reported_then_rebuild_repairs(runner, built):
    corpus, ix = built
    biggest_segment_file(ix).unlink()
    assert_damage_reported(runner, corpus, ix)
    assert_rebuild_repairs(runner, corpus, ix)


def test_garbled_table_of_contents_is_reported_then_rebuild_repairs(runner, built):
    corpus, ix = built
    path = toc(ix)
    data = bytearray(path.read_bytes())
    data[20:220] = os.urandom(200)
    path.write_bytes(bytes(data))
    assert_damage_reported(runner, corpus, ix)
    assert_rebuild_repairs(runner, corpus, ix)


def test_deleted_table_of_contents_is_reported_not_taken_for_no_index(runner, built):
    corpus, ix = built
    toc(ix).unlink()
    assert_damage_reported(runner, corpus, ix)
    assert_rebuild_repairs(runner, corpus, ix)


def test_disk_full_during_commit_fails_clearly_and_keeps_previous_index(runner, built, monkeypatch):
    corpus, ix = built
    before = sorted((d.id, d.body) for d in stored_documents(ix))
    (corpus / "nouveau.txt").write_bytes((FIXTURES / "pagedump" / "no-comments.txt").read_bytes())
    from searchkit.engine.whoosh.internals import SyncedFileStorage

    real_create = SyncedFileStorage.create_file

    def create_file(self, name, *args, **kwargs):
        if name.endswith(".pst"):  # the postings file, written as the commit begins
            raise OSError(28, "No space left on device")
        return real_create(self, name, *args, **kwargs)

    monkeypatch.setattr(SyncedFileStorage, "create_file", create_file)
    result = runner.invoke(main, ["index", str(corpus), "--index", str(ix)])
    assert result.exit_code == 2
    assert f"cannot write the index at {ix} (No space left on device)" in result.stderr
    assert "previous index is intact" in result.stderr
    assert "Traceback" not in result.stderr
    monkeypatch.undo()
    assert sorted((d.id, d.body) for d in stored_documents(ix)) == before
    assert runner.invoke(main, ["search", "santé", "--index", str(ix)]).exit_code == 0
    # Once there is room again, the same run goes through.
    result = runner.invoke(main, ["index", str(corpus), "--index", str(ix)])
    assert result.exit_code == 0, result.stderr
    assert "1 added" in result.stderr


def test_read_only_index_folder_fails_clearly_and_keeps_previous_index(runner, built, monkeypatch):
    corpus, ix = built
    before = sorted((d.id, d.body) for d in stored_documents(ix))
    (corpus / "nouveau.txt").write_bytes((FIXTURES / "pagedump" / "no-comments.txt").read_bytes())
    if os.geteuid() == 0:
        # root writes through any mode bits: fail every write inside the index instead.
        real_open = os.open

        def read_only_open(path, flags, *args, **kwargs):
            if str(path).startswith(str(ix)) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
                raise OSError(30, "Read-only file system", str(path))
            return real_open(path, flags, *args, **kwargs)

        monkeypatch.setattr(os, "open", read_only_open)
        message = "Read-only file system"
    else:
        ix.chmod(0o555)
        message = "Permission denied"
    try:
        result = runner.invoke(main, ["index", str(corpus), "--index", str(ix)])
    finally:
        monkeypatch.undo()
        ix.chmod(0o755)
    assert result.exit_code == 2
    assert f"cannot write the index at {ix} ({message})" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted((d.id, d.body) for d in stored_documents(ix)) == before
