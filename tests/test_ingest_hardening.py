"""What a hostile folder and an unlucky moment do to `searchkit index`: named, skipped, never a hang or a stray index."""

from __future__ import annotations

import errno
import json
import os
import shutil

import pytest
from conftest import CORPUS, FIXTURES, SAMPLE

from searchkit.cli import main


def index(runner, *args):
    return runner.invoke(main, ["index", *map(str, args)])


@pytest.mark.timeout(60)
def test_fifo_and_devices_in_a_folder_are_named_and_skipped_never_read(runner, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SAMPLE, corpus / "billet.txt")
    os.mkfifo(corpus / "tube.txt")
    (corpus / "zero.html").symlink_to("/dev/zero")
    (corpus / "bruit.warc.gz").symlink_to("/dev/urandom")
    result = index(runner, corpus, "--index", tmp_path / "ix")
    assert result.exit_code == 0, result.stderr
    for name, kind in (("tube.txt", "a named pipe (FIFO)"), ("zero.html", "a device"), ("bruit.warc.gz", "a device")):
        assert f"warning: {corpus / name}: {kind}, not a file to read; skipped\n" in result.stderr
    assert "indexed 1 file(s): 1 articles, 9 comments" in result.stderr


@pytest.mark.timeout(60)
def test_a_fifo_given_on_the_command_line_is_an_error_not_a_folder(runner, tmp_path):
    fifo = tmp_path / "tube.txt"
    os.mkfifo(fifo)
    result = index(runner, fifo, SAMPLE, "--index", tmp_path / "ix")
    assert result.exit_code == 2
    assert f"error: {fifo}: a named pipe (FIFO), not a file to read; skipped\n" in result.stderr
    assert "Not a directory" not in result.stderr


def test_a_mistyped_path_creates_no_index(runner, tmp_path):
    result = index(runner, tmp_path / "corpra", "--index", tmp_path / "x")
    assert result.exit_code == 2
    assert f"error: {tmp_path / 'corpra'}: no such file or directory\n" in result.stderr
    assert not (tmp_path / "x").exists()
    search = runner.invoke(main, ["search", "santé", "--index", str(tmp_path / "x")])
    assert search.exit_code == 2
    assert search.stderr.startswith(f"searchkit: no index at {tmp_path / 'x'}: run `searchkit index PATH")


def test_index_without_argument_where_there_is_no_corpus_creates_nothing(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["index"])
    assert result.exit_code == 2
    assert "error: corpus: no such file or directory\n" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_first_index_failing_on_a_full_disk_leaves_no_index(runner, tmp_path, monkeypatch):
    def disk_full(self, files):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("searchkit.engine.whoosh.writer.WhooshWriter.commit", disk_full)
    ix = tmp_path / "ix"
    result = index(runner, CORPUS, "--index", ix)
    assert result.exit_code == 2
    assert result.stderr == (f"searchkit: cannot write the index at {ix} (No space left on device): "
                             f"nothing was changed, the previous index is intact\n")
    assert not ix.exists()


def test_ctrl_c_right_after_the_commit_exits_130_and_keeps_the_commit(runner, tmp_path, monkeypatch):
    ix = tmp_path / "ix"

    def interrupted(ix):  # Ctrl-C while the manifest of the commit just made is written
        raise KeyboardInterrupt

    monkeypatch.setattr("searchkit.engine.whoosh.storage.index_files", interrupted)
    result = index(runner, CORPUS, "--index", ix)
    assert result.exit_code == 130
    assert "interrupted" in result.stderr and "closed" not in result.stderr
    monkeypatch.undo()
    assert runner.invoke(main, ["search", '"Privacy Shield"', "--index", str(ix)]).exit_code == 0


def test_a_pending_manifest_with_a_list_of_files_is_dropped_not_a_crash(runner, tmp_path):
    ix = tmp_path / "ix"
    assert index(runner, CORPUS, "--index", ix).exit_code == 0
    (ix / "searchkit-manifest.pending.json").write_text(json.dumps({"format": 1, "generation": 99, "files": []}))
    result = index(runner, CORPUS, "--index", ix)
    assert result.exit_code == 0, result.stderr
    assert "files: 0 added, 0 updated, 0 removed, 1 unchanged" in result.stderr


def test_stats_forgets_a_removed_file(runner, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SAMPLE, corpus / "un.txt")
    shutil.copy(FIXTURES / "pagedump" / "one-comment.txt", corpus / "deux.txt")
    ix = tmp_path / "ix"
    assert index(runner, corpus, "--index", ix).exit_code == 0
    (corpus / "deux.txt").unlink()
    result = index(runner, corpus, "--index", ix)
    assert "1 removed" in result.stderr
    stats = json.loads(runner.invoke(main, ["stats", "--index", str(ix), "--json"]).stdout)
    assert stats["sources"] == ["un.txt"]
