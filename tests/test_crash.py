"""Kill tests: ``searchkit index`` SIGKILLed at random moments never leaves a broken index.

A generated corpus of page dumps (big enough for a run to take seconds) is
changed between runs; each run is killed, some at a random moment, some just
after the commit has started. After every kill the index must open, answer a
search, hold exactly the last committed state (the corpus before or after the
run, never a mix, never a comment without its article), and the next run
must finish and equal a clean build. Full builds are big enough to go through
Whoosh worker processes (``index_parallel``), whose inherited lock keeps the
next writer waiting until they have stopped.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import stored_documents

from searchkit.api import open_archive
from searchkit.readers import FileReport, read_file

WORDS = (
    "données santé hébergement plateforme européenne conseil juge référé requête collectif "
    "logiciel libre syndicat médecine générale transferts accord confidentialité ministre "
    "numérique infrastructures françaises arrêté octobre caractère personnel cœur œuvre "
    "élève façon naïf été hôpital sécurité société économie café crème brûlée"
).split()


def page_text(rng: random.Random, number: int, version: int) -> str:
    """A page dump like the real ones: title, body, furniture, numbered comments."""
    words = lambda n: " ".join(rng.choice(WORDS) for _ in range(n))  # noqa: E731
    comments = rng.randint(4, 15)
    lines = [f"Billet {number} version {version} {words(3)}", "",
             "\n\n".join(words(40) for _ in range(4)), "",
             f" {rng.randint(10, 999)} total views,  1 views today", "image_pdf",
             f"{comments} Commentaires", ""]
    for c in range(1, comments + 1):
        lines += [f"  {c}. Lecteur{c} version {version} : {words(12)}", f"     {words(8)}"]
    lines.append("Les commentaires sont fermés.")
    return "\n".join(lines) + "\n"


def write_pages(corpus: Path, rng: random.Random, numbers: range, version: int = 0) -> None:
    """Page dumps ``page<n>.txt`` for each of ``numbers`` into ``corpus`` (made if needed)."""
    corpus.mkdir(exist_ok=True)
    for n in numbers:
        (corpus / f"page{n:05d}.txt").write_text(page_text(rng, n, version), "utf-8")


def signature_of_corpus(corpus: Path) -> dict[str, str]:
    """What a clean build of ``corpus`` must hold: id -> digest of kind, post and text."""
    sig = {}
    for path in sorted(corpus.iterdir()):
        for post in read_file(path, path.name, FileReport(path.name)):
            for doc in post.documents:
                sig[doc.id] = _digest(doc)
    return sig


def signature_of_index(index_dir: Path) -> dict[str, str]:
    docs = list(stored_documents(index_dir))
    articles = {d.id for d in docs if d.kind == "article"}
    orphans = [d.id for d in docs if d.kind == "comment" and d.post_id not in articles]
    assert not orphans, f"comments without their article: {orphans[:5]}"
    return {d.id: _digest(d) for d in docs}


def _digest(doc) -> str:
    return hashlib.sha1(f"{doc.kind}\0{doc.post_id}\0{doc.title}\0{doc.body}".encode()).hexdigest()


def run_index(corpus: Path, index_dir: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "searchkit", "index", str(corpus), "--index", str(index_dir),
         "--wait", "30", *extra],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


def committing(index_dir: Path) -> bool:
    """Whether a writer has started its commit (its pending manifest exists)."""
    pattern = "searchkit-manifest.pending.sqlite"
    return (index_dir / pattern).exists() or any(index_dir.parent.glob(f".{index_dir.name}.rebuild-*/{pattern}"))


def mutate(corpus: Path, rng: random.Random, version: int, next_number: list[int]) -> None:
    """Change half the files, delete two, add two."""
    files = sorted(corpus.iterdir())
    for path in rng.sample(files, len(files) // 2):
        number = int(path.stem[4:])
        path.write_text(page_text(rng, number, version), "utf-8")
    for path in rng.sample(files, 2):
        path.unlink()
    for _ in range(2):
        n = next_number[0]
        next_number[0] += 1
        (corpus / f"page{n:05d}.txt").write_text(page_text(rng, n, version), "utf-8")


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_sigkill_at_random_moments_leaves_last_commit_and_next_run_equals_clean_build(tmp_path):
    rng = random.Random(7)
    corpus = tmp_path / "corpus"
    n_files = 220  # ~2300 documents: a full build is sent to Whoosh worker processes
    write_pages(corpus, rng, range(n_files))
    index_dir = tmp_path / "index"

    started = time.monotonic()
    first = run_index(corpus, index_dir)
    while not committing(index_dir) and first.poll() is None:
        time.sleep(0.005)
    commit_started = time.monotonic()
    assert first.wait() == 0, first.stderr.read().decode()
    full_run = time.monotonic() - started
    commit_time = time.monotonic() - commit_started
    committed = signature_of_index(index_dir)
    assert committed == signature_of_corpus(corpus)

    next_number = [n_files]
    kills = during_commit = 0
    # Durations of a run and of its commit, by kind; a run that outlives its
    # kill time teaches the next kill of its kind to come sooner.
    runs = {"--rebuild": full_run, "": full_run}
    commits = {"--rebuild": commit_time, "": commit_time}
    round_ = 0
    while kills < 22 and round_ < 60:
        round_ += 1
        mutate(corpus, rng, round_, next_number)
        expected_after = signature_of_corpus(corpus)
        kind = "--rebuild" if round_ % 4 == 0 else ""
        proc = run_index(corpus, index_dir, *([kind] if kind else []))
        started = time.monotonic()
        if round_ % 2:
            # Wait for the commit to begin, then kill inside it.
            deadline = started + 10 * runs[kind]
            while not committing(index_dir) and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.002)
            commit_started = time.monotonic()
            time.sleep(rng.uniform(0, commits[kind]))
        else:
            time.sleep(rng.uniform(0.02, runs[kind]))
        was_committing = committing(index_dir)
        proc.send_signal(signal.SIGKILL)
        returncode = proc.wait()
        if returncode == -signal.SIGKILL:
            kills += 1
            during_commit += was_committing
        else:
            assert returncode == 0, proc.stderr.read().decode()
            runs[kind] = (time.monotonic() - started) * 0.9
            if round_ % 2:
                commits[kind] = max(0.01, (time.monotonic() - commit_started) * 0.9)

        state = signature_of_index(index_dir)  # opens; no comment without its article
        assert state in (committed, expected_after), (
            f"round {round_}: the index holds neither the last commit nor the new corpus "
            f"({len(state)} docs, {len(committed)} before, {len(expected_after)} after)"
        )
        with open_archive(index_dir) as s:
            assert s.search("données", limit=1).total > 0
        committed = state

    assert kills >= 20, f"only {kills} runs were killed before they finished"
    assert during_commit >= 5, f"only {during_commit} kills landed during a commit"

    final = run_index(corpus, index_dir)
    assert final.wait() == 0, final.stderr.read().decode()
    clean_dir = tmp_path / "clean"
    clean = run_index(corpus, clean_dir)
    assert clean.wait() == 0, clean.stderr.read().decode()
    final_sig, clean_sig = signature_of_index(index_dir), signature_of_index(clean_dir)
    assert final_sig == clean_sig == signature_of_corpus(corpus)
    with open_archive(index_dir) as a, open_archive(clean_dir) as b:
        assert a.stats().articles == b.stats().articles
        assert a.stats().comments == b.stats().comments
    # What the killed runs left behind has been cleared away.
    leftovers = [p.name for p in index_dir.iterdir()
                 if p.name.startswith(".whoosh-tmp-") or p.name.endswith(".pending.json")]
    assert not leftovers
    assert not list(tmp_path.glob(".index.rebuild-*"))


@pytest.mark.slow
def test_orphan_segment_files_from_a_killed_run_do_not_disturb_the_index(tmp_path, runner):
    from searchkit.cli import main

    rng = random.Random(3)
    corpus = tmp_path / "corpus"
    write_pages(corpus, rng, range(40))
    index_dir = tmp_path / "index"
    assert runner.invoke(main, ["index", str(corpus), "--index", str(index_dir)]).exit_code == 0
    before = signature_of_index(index_dir)
    # What a writer killed mid-segment leaves: segment files no TOC names, a half TOC.
    (index_dir / "MAIN_zzzzorphan0000.trm").write_bytes(os.urandom(4096))
    (index_dir / "MAIN_zzzzorphan0000.pst").write_bytes(b"")
    (index_dir / "_MAIN_99.toc.1700000000.5").write_bytes(os.urandom(100))
    assert signature_of_index(index_dir) == before
    result = runner.invoke(main, ["search", "données", "--index", str(index_dir)])
    assert result.exit_code == 0, result.stderr
    (corpus / "page00000.txt").write_text(page_text(rng, 0, 1), "utf-8")
    result = runner.invoke(main, ["index", str(corpus), "--index", str(index_dir)])
    assert result.exit_code == 0, result.stderr
    names = {p.name for p in index_dir.iterdir()}
    assert not {"MAIN_zzzzorphan0000.trm", "MAIN_zzzzorphan0000.pst", "_MAIN_99.toc.1700000000.5"} & names
    assert signature_of_index(index_dir) == signature_of_corpus(corpus)
