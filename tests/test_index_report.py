"""The closing report of ``index`` on an archive with many bad files: exact counts, the first 20 messages of
each kind, and every message in a log file the report names."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

import pytest
from conftest import CLI_WITH_PEAK_RSS, TESTS

from searchkit.cli import main
from searchkit.ingest.messages import SHOWN

JSON_ERROR = "not valid JSON (Expecting property name enclosed in double quotes at column 2); skipped"


def bad_archive(root, notes: int, broken: int) -> None:
    """``notes`` text files that are no page dump (a warning each), ``broken`` JSON Lines files with a bad line
    (an error each) and one good page dump."""
    root.mkdir()
    for i in range(notes):
        (root / f"note-{i:03d}.txt").write_text(f"une ligne de provenance {i}\n", "utf-8")
    for i in range(broken):
        (root / f"data-{i:03d}.jsonl").write_text(f'{{"id": "p{i}", "title": "T{i}", "body": "B"}}\n{{broken\n',
                                                   "utf-8")
    (root / "billet.txt").write_text("Un billet\n\nSon texte.\n", "utf-8")


def warning(i: int) -> str:
    return f"warning: note-{i:03d}.txt: not a page dump (note-{i:03d}.txt is the name of a notes file); skipped\n"


def error(i: int) -> str:
    return f"error: data-{i:03d}.jsonl:2: {JSON_ERROR}\n"


def test_many_bad_files_show_the_first_twenty_of_each_kind_and_name_the_log_holding_them_all(
        runner, tmp_path, monkeypatch):
    assert SHOWN == 20  # the README's limits table says 20
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    corpus = tmp_path / "corpus"
    bad_archive(corpus, notes=45, broken=23)
    result = runner.invoke(main, ["index", str(corpus), "--index", str(tmp_path / "ix")])
    assert result.exit_code == 2
    [log] = tmp_path.glob("searchkit-index-*.log")
    assert result.stderr == (
        "".join(warning(i) for i in range(20))
        + f"warning: … and 25 more; all 45 warning(s) are listed in {log}\n"
        + "".join(error(i) for i in range(20))
        + f"error: … and 3 more; all 23 error(s) are listed in {log}\n"
        + f"indexed 69 file(s): 24 articles, 0 comments into {tmp_path / 'ix'}\n"
        + "files: 69 added, 0 updated, 0 removed, 0 unchanged\n"
        + "45 warning(s), 23 error(s)\n"
    )
    # Every message, in the order met (files are read by name: data-*, billet.txt, note-*).
    assert log.read_text("utf-8") == "".join(error(i) for i in range(23)) + "".join(warning(i) for i in range(45))


def test_twenty_bad_files_are_all_shown_and_no_log_is_written(runner, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    corpus = tmp_path / "corpus"
    bad_archive(corpus, notes=20, broken=0)
    result = runner.invoke(main, ["index", str(corpus), "--index", str(tmp_path / "ix")])
    assert result.exit_code == 0
    assert result.stderr == (
        "".join(warning(i) for i in range(20))
        + f"indexed 21 file(s): 1 articles, 0 comments into {tmp_path / 'ix'}\n"
        + "files: 21 added, 0 updated, 0 removed, 0 unchanged\n"
        + "20 warning(s), 0 error(s)\n"
    )
    assert list(tmp_path.glob("searchkit-index-*.log")) == []


def test_a_log_that_cannot_be_written_is_said_so_and_the_counts_stay_exact(runner, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "no such folder"))
    corpus = tmp_path / "corpus"
    bad_archive(corpus, notes=21, broken=0)
    result = runner.invoke(main, ["index", str(corpus), "--index", str(tmp_path / "ix")])
    assert result.exit_code == 0
    assert "warning: … and 1 more; they could not be written to a log file (No such file or directory)\n" \
        in result.stderr
    assert result.stderr.endswith("21 warning(s), 0 error(s)\n")


@pytest.mark.slow
def test_one_file_of_300000_bad_lines_holds_no_message_beyond_the_first_twenty(tmp_path, monkeypatch):
    """A reader's messages go to the run's bounded report as they are met, not held for the whole file."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    lines = ['{"id": "p1", "title": "Un billet", "body": "Son texte."}'] + ["{broken"] * 300_000
    (corpus / "dump.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    proc = subprocess.run([sys.executable, "-c", CLI_WITH_PEAK_RSS, "index", str(corpus), "--index", str(tmp_path / "ix")],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=600,
                          env={**os.environ, "PYTHONPATH": str(TESTS), "TMPDIR": str(tmp_path)})
    stderr, _, peak = proc.stderr.rpartition("peak-rss-kib: ")
    assert proc.returncode == 2, stderr
    [log] = tmp_path.glob("searchkit-index-*.log")
    assert stderr.splitlines()[20:] == [
        f"error: … and 299980 more; all 300000 error(s) are listed in {log}",
        f"indexed 1 file(s): 1 articles, 0 comments into {tmp_path / 'ix'}",
        "files: 1 added, 0 updated, 0 removed, 0 unchanged",
        "0 warning(s), 300000 error(s)",
    ]
    assert sum(1 for _ in log.open(encoding="utf-8")) == 300_000
    assert int(peak) / 1024 < 70, f"peak RSS {int(peak) / 1024:.0f} MiB"  # 44 MiB; 93 MiB when the file held its messages
