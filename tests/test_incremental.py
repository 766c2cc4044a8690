"""Incremental indexing: a re-run reads only new and changed files, drops vanished ones,
replaces a changed post with all its comments, and ``--rebuild`` swaps a new index in whole."""

from __future__ import annotations

import json
import os

import pytest
from conftest import stored_documents

from searchkit.cli import main
from searchkit.engine.whoosh import manifest


def page(title: str, body: str, comments: list[str]) -> str:
    """A page dump as the real archives have them."""
    lines = [title, "", body, "", " 12 total views,  1 views today", "", "image_pdf", "",
             f"{len(comments)} Commentaires", ""]
    for n, text in enumerate(comments, 1):
        lines += [f"  {n}. {text}", ""]
    lines.append("Les commentaires sont fermés.")
    return "\n".join(lines) + "\n"


def forbid(monkeypatch, *targets: str, why: str) -> None:
    """Make each of ``targets`` (dotted paths) fail the test if it is called."""
    def forbidden(*args, **kwargs):
        raise AssertionError(why)

    for target in targets:
        monkeypatch.setattr(target, forbidden)


@pytest.fixture
def corpus(tmp_path):
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "molière.txt").write_text(page(
        "Les œuvres de Molière au programme", "Le ministère publie la liste des œuvres.",
        ["Enfin une bonne nouvelle pour l’école !", "Et Racine ?", "Tartuffe, toujours."]), "utf-8")
    (root / "café.txt").write_text(page(
        "Le café du coin ferme", "Après quarante ans, le patron prend sa retraite.",
        ["Quel dommage, j’y prenais mon crème."]), "utf-8")
    (root / "vélo.txt").write_text(page(
        "Pistes cyclables : le conseil vote", "Douze kilomètres de pistes d’ici 2025.", []), "utf-8")
    return root


def index(runner, corpus, ix, *extra):
    return runner.invoke(main, ["index", str(corpus), "--index", str(ix), *extra])


def docs_of(ix, source):
    return sorted((d.kind, d.id, d.body) for d in stored_documents(ix) if d.source == source)


def manifest_entry(ix, source):
    """The manifest's entry for ``source`` (None if it has none)."""
    m = manifest.open_manifest(ix)
    assert m is not None, "no readable manifest"
    try:
        return m.get(source)
    finally:
        m.close()


def bump_mtime(path):
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))


def test_first_run_counts_every_file_as_added(runner, corpus, tmp_path):
    result = index(runner, corpus, tmp_path / "ix")
    assert result.exit_code == 0, result.stderr
    assert "files: 3 added, 0 updated, 0 removed, 0 unchanged" in result.stderr


def test_rerun_on_unchanged_corpus_opens_no_file(runner, corpus, tmp_path, monkeypatch):
    ix = tmp_path / "ix"
    assert index(runner, corpus, ix).exit_code == 0
    forbid(monkeypatch, "searchkit.ingest.run.read_file", "searchkit.ingest.plan.file_hash", why="a file was opened on a no-op re-run")
    result = index(runner, corpus, ix)
    assert result.exit_code == 0, result.stderr
    assert "files: 0 added, 0 updated, 0 removed, 3 unchanged" in result.stderr


def test_touched_but_identical_file_is_hashed_not_read(runner, corpus, tmp_path, monkeypatch):
    ix = tmp_path / "ix"
    assert index(runner, corpus, ix).exit_code == 0
    bump_mtime(corpus / "café.txt")
    forbid(monkeypatch, "searchkit.ingest.run.read_file", why="an identical file was read again")
    result = index(runner, corpus, ix)
    assert result.exit_code == 0, result.stderr
    assert "files: 0 added, 0 updated, 0 removed, 3 unchanged" in result.stderr
    # The new mtime is remembered: the next run does not even hash it.
    forbid(monkeypatch, "searchkit.ingest.plan.file_hash", why="an identical file was hashed again")
    assert index(runner, corpus, ix).exit_code == 0


def test_changed_file_replaces_its_post_with_all_its_comments(runner, corpus, tmp_path):
    ix = tmp_path / "ix"
    assert index(runner, corpus, ix).exit_code == 0
    before = docs_of(ix, "molière.txt")
    assert [k for k, _, _ in before].count("comment") == 3
    (corpus / "molière.txt").write_text(page(
        "Les œuvres de Molière au programme", "Le ministère publie la liste des œuvres.",
        ["Seul commentaire restant, réécrit."]), "utf-8")
    bump_mtime(corpus / "molière.txt")
    result = index(runner, corpus, ix)
    assert result.exit_code == 0, result.stderr
    assert "files: 0 added, 1 updated, 0 removed, 2 unchanged" in result.stderr
    after = docs_of(ix, "molière.txt")
    comments = [body for kind, _, body in after if kind == "comment"]
    assert comments == ["Seul commentaire restant, réécrit."]
    assert [k for k, _, _ in after].count("article") == 1
    assert docs_of(ix, "café.txt") and docs_of(ix, "vélo.txt")


def test_moved_corpus_is_recognised_by_content_and_not_read_again(runner, corpus, tmp_path, monkeypatch):
    ix = tmp_path / "ix"
    assert index(runner, corpus, ix).exit_code == 0
    moved = corpus.rename(tmp_path / "déménagé")
    forbid(monkeypatch, "searchkit.ingest.run.read_file", why="a moved but identical file was read again")
    result = index(runner, moved, ix)
    assert result.exit_code == 0, result.stderr
    assert "files: 0 added, 0 updated, 0 removed, 3 unchanged" in result.stderr
    assert manifest_entry(ix, "café.txt").path == str(moved / "café.txt")


def test_vanished_file_is_removed_from_the_index(runner, corpus, tmp_path):
    ix = tmp_path / "ix"
    assert index(runner, corpus, ix).exit_code == 0
    assert runner.invoke(main, ["search", "retraite", "--index", str(ix)]).exit_code == 0
    (corpus / "café.txt").unlink()
    result = index(runner, corpus, ix)
    assert result.exit_code == 0, result.stderr
    assert "files: 0 added, 0 updated, 1 removed, 2 unchanged" in result.stderr
    assert runner.invoke(main, ["search", "retraite", "--index", str(ix)]).exit_code == 1
    assert manifest_entry(ix, "café.txt") is None


def test_indexing_another_folder_keeps_the_first_folders_files(runner, corpus, tmp_path):
    ix = tmp_path / "ix"
    other = tmp_path / "autre"
    other.mkdir()
    (other / "marché.txt").write_text(page("Le marché du dimanche", "Fromages et primeurs.", []), "utf-8")
    assert index(runner, corpus, ix).exit_code == 0
    result = index(runner, other, ix)
    assert result.exit_code == 0, result.stderr
    assert "files: 1 added, 0 updated, 0 removed, 0 unchanged" in result.stderr
    sources = {d.source for d in stored_documents(ix)}
    assert sources == {"molière.txt", "café.txt", "vélo.txt", "marché.txt"}


def test_unlistable_folder_keeps_its_files_indexed(runner, tmp_path, corpus, monkeypatch):
    ix = tmp_path / "ix"
    sub = corpus / "archives"
    sub.mkdir()
    (sub / "ancien.txt").write_text(page("Un ancien billet", "Texte d’autrefois.", []), "utf-8")
    assert index(runner, corpus, ix).exit_code == 0
    real_walk = os.walk

    def walk_failing_on_archives(top, onerror=None, **kwargs):
        for dirpath, dirnames, filenames in real_walk(top, onerror=onerror, **kwargs):
            if "archives" in dirnames:  # as if permission were denied on it
                dirnames.remove("archives")
                onerror(PermissionError(13, "Permission denied", str(sub)))
            yield dirpath, dirnames, filenames

    monkeypatch.setattr("searchkit.ingest.walk.os.walk", walk_failing_on_archives)
    result = index(runner, corpus, ix)
    assert result.exit_code == 2
    assert "archives: cannot read folder (Permission denied)" in result.stderr
    assert "0 removed" in result.stderr
    assert "archives/ancien.txt" in {d.source for d in stored_documents(ix)}


def test_file_turned_unreadable_keeps_its_last_version_and_is_retried(runner, corpus, tmp_path):
    ix = tmp_path / "ix"
    assert index(runner, corpus, ix).exit_code == 0
    before = docs_of(ix, "café.txt")
    (corpus / "café.txt").write_bytes(b"\x00\x01\x02" * 500)  # a binary blob now
    for _ in range(2):  # reported on every run until it is fixed
        result = index(runner, corpus, ix)
        assert result.exit_code == 2
        assert "error: café.txt: binary content" in result.stderr
        assert docs_of(ix, "café.txt") == before


def test_lost_manifest_means_every_file_is_read_again_with_the_same_result(runner, corpus, tmp_path):
    ix = tmp_path / "ix"
    assert index(runner, corpus, ix).exit_code == 0
    before = sorted((d.id, d.body) for d in stored_documents(ix))
    (ix / manifest.MANIFEST_FILE).unlink()
    result = index(runner, corpus, ix)
    assert result.exit_code == 0, result.stderr
    assert "3 added" in result.stderr
    assert sorted((d.id, d.body) for d in stored_documents(ix)) == before


def test_pending_manifest_of_a_commit_that_never_happened_is_dropped(runner, corpus, tmp_path):
    ix = tmp_path / "ix"
    assert index(runner, corpus, ix).exit_code == 0
    good = manifest.open_manifest(ix)
    bogus = manifest.Working(ix, None)  # as if killed before Whoosh's commit: no file, next generation
    bogus.set_generation(good.generation + 1)
    good.close()
    bogus.publish(ix, manifest.PENDING_FILE)
    result = index(runner, corpus, ix)
    assert result.exit_code == 0, result.stderr
    assert "files: 0 added, 0 updated, 0 removed, 3 unchanged" in result.stderr
    assert not (ix / manifest.PENDING_FILE).exists()


def test_rebuild_swaps_in_a_new_index_and_leaves_nothing_beside_it(runner, corpus, tmp_path):
    ix = tmp_path / "ix"
    assert index(runner, corpus, ix).exit_code == 0
    result = index(runner, corpus, ix, "--rebuild")
    assert result.exit_code == 0, result.stderr
    assert "files: 3 added, 0 updated, 0 removed, 0 unchanged" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus", "ix"]
    assert len(list(stored_documents(ix))) == 3 + 4


def test_failed_rebuild_leaves_the_old_index_intact(runner, corpus, tmp_path, monkeypatch):
    ix = tmp_path / "ix"
    assert index(runner, corpus, ix).exit_code == 0
    before = sorted((d.id, d.body) for d in stored_documents(ix))
    (corpus / "vélo.txt").unlink()

    def disk_full(self, files=None):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("searchkit.engine.whoosh.writer.WhooshWriter.commit", disk_full)
    result = index(runner, corpus, ix, "--rebuild")
    assert result.exit_code == 2
    assert "No space left on device" in result.stderr
    assert "previous index is intact" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted((d.id, d.body) for d in stored_documents(ix)) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus", "ix"]


def test_incompatible_index_asks_for_rebuild_which_then_works(runner, corpus, tmp_path):
    ix = tmp_path / "ix"
    assert index(runner, corpus, ix).exit_code == 0
    meta = json.loads((ix / "searchkit.json").read_text())
    meta["schema_version"] = 0
    (ix / "searchkit.json").write_text(json.dumps(meta))
    result = index(runner, corpus, ix)
    assert result.exit_code == 2
    assert "searchkit index --rebuild" in result.stderr
    search = runner.invoke(main, ["search", "café", "--index", str(ix)])
    assert search.exit_code == 2 and "--rebuild" in search.stderr
    assert index(runner, corpus, ix, "--rebuild").exit_code == 0
    assert runner.invoke(main, ["search", "café", "--index", str(ix)]).exit_code == 0


def test_refuses_to_write_an_index_into_a_folder_of_other_files(runner, corpus, tmp_path):
    before = sorted(p.name for p in corpus.iterdir())
    for extra in ((), ("--rebuild",)):
        result = index(runner, corpus, corpus, *extra)
        assert result.exit_code == 2
        assert "not a searchkit index" in result.stderr
        assert sorted(p.name for p in corpus.iterdir()) == before


@pytest.mark.slow
def test_noop_rerun_on_a_thousand_files_reads_and_hashes_none(runner, tmp_path, monkeypatch):
    # The time this takes is a benchmark figure (benchmarks/), not a test assertion.
    import random

    from test_crash import page_text

    rng = random.Random(5)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for n in range(1000):
        (corpus / f"page{n:05d}.txt").write_text(page_text(rng, n, 0)[:1500], "utf-8")
    ix = tmp_path / "ix"
    assert index(runner, corpus, ix).exit_code == 0
    forbid(monkeypatch, "searchkit.ingest.run.read_file", "searchkit.ingest.plan.file_hash", why="a file was opened on a no-op re-run")
    result = index(runner, corpus, ix)
    assert result.exit_code == 0
    assert "files: 0 added, 0 updated, 0 removed, 1000 unchanged" in result.stderr


def test_two_files_with_one_source_name_in_one_run_are_both_indexed(runner, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    (a / "billet.txt").write_text(page("Premier blog", "Texte du premier.", []), "utf-8")
    (b / "billet.txt").write_text(page("Second blog", "Texte du second.", []), "utf-8")
    result = runner.invoke(main, ["index", str(a), str(b), str(a), "--index", str(tmp_path / "ix")])
    assert result.exit_code == 0, result.stderr
    assert f"note: {b / 'billet.txt'}: another file is indexed as billet.txt; this one is indexed as b/billet.txt\n" \
        in result.stderr
    assert result.stderr.count("another file is indexed") == 1  # a folder given twice is read once
    docs = stored_documents(tmp_path / "ix")
    assert sorted((d.source, d.title) for d in docs) == [("b/billet.txt", "Second blog"), ("billet.txt", "Premier blog")]


def test_another_folders_file_with_an_indexed_files_name_is_indexed_beside_it(runner, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    (a / "billet.txt").write_text(page("Premier blog", "Texte du premier.", []), "utf-8")
    (b / "billet.txt").write_text(page("Second blog", "Texte du second.", []), "utf-8")
    ix = tmp_path / "ix"
    assert index(runner, a, ix).exit_code == 0
    result = index(runner, b, ix)
    assert result.exit_code == 0
    assert "this one is indexed as b/billet.txt" in result.stderr
    assert sorted(d.title for d in stored_documents(ix)) == ["Premier blog", "Second blog"]
    again = index(runner, b, ix)  # the longer name sticks: nothing changed, nothing re-read
    assert "files: 0 added, 0 updated, 0 removed, 1 unchanged" in again.stderr
    assert "another file" not in again.stderr


@pytest.mark.parametrize("held", ["in OpenSearch's run copy", "in an SQLite manifest (folder index)"])
def test_the_plan_is_the_same_from_either_engines_file_state(tmp_path, held):
    from searchkit.engine.base import FileEntry
    from searchkit.engine.opensearch.filestate import ClusterFileState
    from searchkit.ingest.plan import plan
    from searchkit.ingest.run import Summary
    from searchkit.ingest.scratch import Scratch
    from searchkit.ingest.walk import walk

    root, other = tmp_path / "blog", tmp_path / "other"
    root.mkdir(), other.mkdir()
    for name in ("same.txt", "touched.txt", "new.txt", "billet.txt"):
        (root / name).write_text(page(name, "Texte.", []), "utf-8")
    (other / "billet.txt").write_text(page("Autre", "Texte.", []), "utf-8")

    def entry(path, **changes):
        st = path.stat() if path.exists() else os.stat(tmp_path)
        return FileEntry(**{"path": str(path), "size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": "x",
                            "post_ids": ["p"], **changes})

    files = {
        "same.txt": entry(root / "same.txt"),
        "touched.txt": entry(root / "touched.txt", mtime_ns=1),  # another mtime, another hash: read again
        "gone.txt": entry(root / "gone.txt", size=1, mtime_ns=1),  # under the folder walked: removed
        "elsewhere.txt": entry(tmp_path / "elsewhere.txt", size=1, mtime_ns=1),  # not under it: kept
        "billet.txt": entry(other / "billet.txt"),  # this name is another file's, still there
    }
    if held.startswith("in OpenSearch"):
        state = ClusterFileState(sorted(files.items()))
    else:
        ix = tmp_path / "ix"
        ix.mkdir()
        state = manifest.Working(ix, None)
        for source, e in files.items():
            state.put(source, e)
    summary = Summary()
    with Scratch() as scratch:
        with scratch.knowing(state):
            walk([root], summary, scratch, state)
            todo = plan(state, scratch, [root], [])
        to_read = sorted((source, new) for _, source, new, _ in scratch.to_read())
        removed = list(scratch.removed())
    if isinstance(state, manifest.Working):
        state.discard()
    else:
        state.close()
    assert (todo.unchanged, todo.to_read, todo.removed) == (1, 3, 1)
    assert to_read == [("blog/billet.txt", True), ("new.txt", True), ("touched.txt", False)]
    assert removed == ["gone.txt"]
    assert list(summary.notes) == [f"{root / 'billet.txt'}: another file is indexed as billet.txt; "
                             "this one is indexed as blog/billet.txt"]
