"""Hostile and broken input through the CLI: damaged copies of the real corpora, terminal
escapes in archived text, symlink loops, unreadable files and folders, undecodable names.

Every good file is indexed, every bad one is named with a reason, never a traceback."""

from __future__ import annotations

import builtins
import os
import random
import re
import shutil

import pytest
from conftest import FIXTURES, SAMPLE, SHARED, stored_documents

from searchkit.cli import main

HOSTILE = FIXTURES / "hostile"
SHARED_CORPORA = SHARED / "corpora"
CONTROL = ("\x1b", "\x07", "\x9b", "\x00", "\x08", "\x7f")


def shared_files():
    """Every archive in ../shared/corpora but the 12 MB ELTeC dump, and the bundled sample."""
    files = [p for p in sorted(SHARED_CORPORA.rglob("*"))
             if p.is_file() and not p.name.endswith(".xz") and not p.name.startswith("SOURCES")]
    return files + [SAMPLE]


def damaged_copies(data: bytes, rng: random.Random) -> dict[str, bytes]:
    text = data.decode("utf-8", "replace")
    flipped = bytearray(data)
    for i in rng.sample(range(len(flipped)), min(40, len(flipped))):
        flipped[i] ^= rng.randrange(1, 256)
    return {
        "truncated": data[: rng.randrange(1, len(data))],
        "flipped": bytes(flipped),
        "wrong-charset": text.encode("cp437", "replace"),  # declared (or sniffed) UTF-8, is not
        "utf16": text.encode("utf-16"),
        "empty": b"",
    }


def per_source(index_dir, prefix=""):
    docs = {}
    for d in stored_documents(index_dir):
        docs.setdefault(d.source.removeprefix(prefix), []).append((d.kind, d.title, d.body))
    return {source: sorted(items) for source, items in docs.items()}


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_damaged_copies_are_named_and_every_good_file_is_indexed_whole(runner, tmp_path):
    rng = random.Random(2026)
    root = tmp_path / "corpus"
    good, bad = root / "a-good", root / "b-damaged"  # good files first: duplicates keep them
    names: list[str] = []
    for path in shared_files():
        rel = path.relative_to(SHARED_CORPORA) if SHARED_CORPORA in path.parents else path.name
        target = good / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        flat = str(rel).replace("/", "_")
        stem, dot, ext = flat.rpartition(".")
        for kind, data in damaged_copies(path.read_bytes(), rng).items():
            name = f"{stem}.{kind}.{ext}"
            bad.mkdir(exist_ok=True)
            (bad / name).write_bytes(data)
            names.append(name)

    alone = runner.invoke(main, ["index", str(good), "--index", str(tmp_path / "good-only")])
    assert alone.exit_code == 0, alone.stderr
    result = runner.invoke(main, ["index", str(root), "--index", str(tmp_path / "ix")])

    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.stderr
    indexed = per_source(tmp_path / "ix")
    good_only = per_source(tmp_path / "good-only")
    for source, docs in good_only.items():
        assert indexed.get(f"a-good/{source}") == docs, f"{source} not indexed whole beside damaged copies"
    # The report shows the first 20 messages of each kind; all of them are in the run's log, which it names.
    logs = set(re.findall(r"are listed in (\S+\.log)$", result.stderr, re.M))
    assert logs, "more than 20 damaged copies, yet no log of every message named"
    lines = result.stderr.splitlines() + [line for log in logs for line in open(log, encoding="utf-8").read().splitlines()]
    named = {n for n in names if any(f"b-damaged/{n}" in line for line in lines
                                     if line.startswith(("error:", "warning:", "duplicate:")))}
    silent = [n for n in names if n not in named and f"b-damaged/{n}" not in indexed]
    assert not silent, f"damaged copies neither indexed nor named: {silent}"
    for n in names:
        if ".empty." in n:
            assert any(line.startswith(f"error: b-damaged/{n}: empty file") for line in lines), n
        if ".truncated.xml" in n:  # a cut-off export loses content: an error, not a warning
            assert any(line.startswith("error:") and f"b-damaged/{n}" in line for line in lines), n
    for log in logs:
        os.remove(log)


def test_terminal_escapes_in_archived_comments_never_reach_the_terminal(runner, tmp_path):
    ix = tmp_path / "ix"
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("ansi-comments.txt", "ansi-comments.jsonl"):
        shutil.copyfile(HOSTILE / name, corpus / name)
    assert runner.invoke(main, ["index", str(corpus), "--index", str(ix)]).exit_code == 0
    for fmt in ([], ["--json"], ["--csv"], ["--flat"], ["--group"]):
        result = runner.invoke(main, ["search", "rouge OR terminal OR chariot", "--index", str(ix), *fmt])
        assert result.exit_code == 0, result.output
        out = result.stdout.replace("\r\n", "\n")
        assert "rouge" in out
        leaked = [c for c in CONTROL + ("\r",) if c in out]
        assert not leaked, f"{fmt}: raw control characters {leaked!r} in the output"


def test_terminal_escapes_in_file_names_are_shown_escaped(runner, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "evil\x1b]0;pwned\x07.txt").write_bytes(b"\x00\x01\x02binary")
    result = runner.invoke(main, ["index", str(corpus), "--index", str(tmp_path / "ix")])
    assert result.exit_code == 2
    assert "evil\\x1b]0;pwned\\x07.txt: binary content" in result.stderr
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr


def test_symlink_loops_are_reported_and_not_followed(runner, tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "blog").mkdir(parents=True)
    shutil.copyfile(SAMPLE, corpus / "blog" / "billet.txt")
    (corpus / "blog" / "boucle").symlink_to("..", target_is_directory=True)
    (corpus / "lien-fou.txt").symlink_to("lien-fou.txt")  # a file link pointing at itself
    result = runner.invoke(main, ["index", str(corpus), "--index", str(tmp_path / "ix")])
    assert result.exit_code == 2
    assert "blog/boucle: symlink loop, not followed" in result.stderr
    assert "lien-fou.txt: cannot read" in result.stderr
    assert {d.source for d in stored_documents(tmp_path / "ix")} == {"blog/billet.txt"}


def test_unreadable_file_is_named_and_the_others_indexed(runner, tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copyfile(SAMPLE, corpus / "lisible.txt")
    secret = corpus / "secret.txt"
    shutil.copyfile(FIXTURES / "pagedump" / "one-comment.txt", secret)
    if os.geteuid() == 0:  # root reads through mode bits: refuse the open instead
        real_open = builtins.open

        def guarded_open(file, *args, **kwargs):
            if str(file) == str(secret):
                raise PermissionError(13, "Permission denied", str(file))
            return real_open(file, *args, **kwargs)

        monkeypatch.setattr(builtins, "open", guarded_open)
    else:
        secret.chmod(0)
    result = runner.invoke(main, ["index", str(corpus), "--index", str(tmp_path / "ix")])
    monkeypatch.undo()
    secret.chmod(0o644)
    assert result.exit_code == 2
    assert "error: secret.txt: cannot read (Permission denied)" in result.stderr
    assert {d.source for d in stored_documents(tmp_path / "ix")} == {"lisible.txt"}


def test_unreadable_folder_is_named_and_the_others_indexed(runner, tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    (corpus / "privé").mkdir(parents=True)
    shutil.copyfile(SAMPLE, corpus / "public.txt")
    shutil.copyfile(SAMPLE, corpus / "privé" / "caché.txt")
    if os.geteuid() == 0:
        real_scandir = os.scandir

        def guarded_scandir(path="."):
            if os.fsdecode(path).endswith("privé"):
                raise PermissionError(13, "Permission denied", os.fsdecode(path))
            return real_scandir(path)

        monkeypatch.setattr(os, "scandir", guarded_scandir)
    else:
        (corpus / "privé").chmod(0)
    result = runner.invoke(main, ["index", str(corpus), "--index", str(tmp_path / "ix")])
    monkeypatch.undo()
    (corpus / "privé").chmod(0o755)
    assert result.exit_code == 2
    assert "privé: cannot read folder (Permission denied)" in result.stderr
    assert {d.source for d in stored_documents(tmp_path / "ix")} == {"public.txt"}


def test_file_name_that_is_not_utf8_is_named_and_skipped(runner, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copyfile(SAMPLE, corpus / "bon.txt")
    latin1_name = os.path.join(os.fsencode(corpus), b"caf\xe9.txt")  # written by an old latin-1 system
    with open(latin1_name, "wb") as fh:
        fh.write(SAMPLE.read_bytes())
    result = runner.invoke(main, ["index", str(corpus), "--index", str(tmp_path / "ix")])
    assert result.exit_code == 2
    assert "caf\\udce9.txt: file name is not valid UTF-8, skipped" in result.stderr
    assert "Traceback" not in result.stderr
    assert {d.source for d in stored_documents(tmp_path / "ix")} == {"bon.txt"}
