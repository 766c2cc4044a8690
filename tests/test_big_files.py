"""A file bigger than ``run.HOLD_BYTES`` is read twice: once to check it reads to its end, then post by post.

Until then every file's posts were held in a list while it was indexed, so
one big JSON Lines dump made a run's memory grow with it (a 45 MB file: the
parent peaked at 134 MiB, 77 MiB read twice). Read first, so a file that
cannot be read still keeps its earlier posts.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys

import pytest
from click.testing import CliRunner
from conftest import CORPUS, TESTS, THREADS, stored_documents

from searchkit.api import open_archive
from searchkit.cli import main
from searchkit.ingest import run


def index(*args: object, code: int = 0):
    result = CliRunner().invoke(main, ["index", *map(str, args)])
    assert result.exit_code == code, result.output
    return result


def jsonl(path, words: str, n: int = 3) -> None:
    path.write_text("".join(json.dumps({"id": f"p{i}", "title": f"Billet {i}", "body": f"{words} {i}"}) + "\n"
                            for i in range(n)), "utf-8")


def test_files_past_the_hold_size_are_indexed_as_those_read_whole(tmp_path, monkeypatch):
    index(CORPUS, THREADS, "--index", tmp_path / "whole")
    readings = []
    real = run.read_file

    def counted(path, source, report):
        readings.append(source)
        return real(path, source, report)

    monkeypatch.setattr(run, "HOLD_BYTES", 0)
    monkeypatch.setattr(run, "read_file", counted)
    index(CORPUS, THREADS, "--index", tmp_path / "twice")
    assert sorted(readings) == sorted(2 * list(set(readings)))  # each file read twice
    key = lambda d: d.id  # noqa: E731
    assert sorted(stored_documents(tmp_path / "twice"), key=key) == sorted(stored_documents(tmp_path / "whole"), key=key)


def test_a_big_file_that_cannot_be_read_keeps_its_earlier_posts(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    jsonl(corpus / "dump.jsonl", "ancien texte")
    index(corpus, "--index", tmp_path / "ix")
    jsonl(corpus / "dump.jsonl", "nouveau texte", n=4)
    real = run.read_file

    def failing(path, source, report):
        posts = real(path, source, report)
        yield next(posts)
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(run, "HOLD_BYTES", 0)
    monkeypatch.setattr(run, "read_file", failing)
    result = index(corpus, "--index", tmp_path / "ix", code=2)
    assert "error: dump.jsonl: could not be read (OSError: [Errno 5] Input/output error); skipped\n" in result.stderr
    with open_archive(tmp_path / "ix") as archive:
        assert archive.search("ancien").total == 3 and archive.search("nouveau").total == 0


def test_a_big_file_that_changes_between_its_two_readings_is_said_so_and_read_again(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    jsonl(corpus / "dump.jsonl", "premier texte", n=4)
    real = run.read_file
    readings = []

    def second_fails(path, source, report):
        readings.append(source)
        posts = real(path, source, report)
        if len(readings) == 1:
            yield from posts
            return
        yield next(posts)
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(run, "HOLD_BYTES", 0)
    monkeypatch.setattr(run, "read_file", second_fails)
    result = index(corpus, "--index", tmp_path / "ix", code=2)
    assert ("error: dump.jsonl: could not be read to its end the second time (OSError: [Errno 5] Input/output "
            "error); the posts before are indexed, and it is read again by the next run\n") in result.stderr
    with open_archive(tmp_path / "ix") as archive:
        assert archive.search("premier").total == 1
    monkeypatch.setattr(run, "read_file", real)
    again = index(corpus, "--index", tmp_path / "ix")  # unchanged on disk, yet read again: it had an error
    assert "files: 0 added, 1 updated, 0 removed, 0 unchanged" in again.stderr
    with open_archive(tmp_path / "ix") as archive:
        assert archive.search("premier").total == 4


CHILD = (
    "import atexit, sys\n"
    "from conftest import peak_rss_kib\n"
    "from searchkit.ingest import run\n"
    "run.HOLD_BYTES = 1 << 20\n"
    "atexit.register(lambda: print(f'peak-rss-kib: {peak_rss_kib()}', file=sys.stderr))\n"
    "from searchkit.cli import main\n"
    "main()\n"
)


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_45_mb_file_read_twice_is_indexed_in_bounded_memory(tmp_path):
    rng = random.Random(3)
    words = "maison jardin soleil rivière ville route livre lettre données santé juge ministre café".split()
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    with open(corpus / "big.jsonl", "w", encoding="utf-8") as out:
        for i in range(6000):
            body = " ".join(rng.choice(words) for _ in range(850))
            out.write(json.dumps({"id": f"p{i}", "title": f"Billet {i}", "body": body}) + "\n")
    proc = subprocess.run([sys.executable, "-c", CHILD, "index", str(corpus), "--index", str(tmp_path / "ix")],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=550,
                          env={**os.environ, "PYTHONPATH": str(TESTS)})
    stderr, _, peak = proc.stderr.rpartition("peak-rss-kib: ")
    assert proc.returncode == 0, stderr
    assert "indexed 1 file(s): 6000 articles, 0 comments" in stderr
    assert int(peak) / 1024 < 105, f"peak RSS {int(peak) / 1024:.0f} MiB"  # 77 MiB; 134 MiB held in a list
