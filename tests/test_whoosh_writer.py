"""The Whoosh engine's parallel writer: several processes write what one process writes, posts kept whole.

Indexing a generated corpus (benchmarks/corpus.py, from ELTeC) with job files of
40 documents on 1 and 2 worker processes; results compared, never timed.
"""

from __future__ import annotations

import json

import pytest

from searchkit.cli import main

pytestmark = [pytest.mark.slow, pytest.mark.shared]  # the corpus is built from the 54 MB ELTeC text


def index_with(runner, monkeypatch, folder, ix, workers):
    """Index ``folder`` with ``workers`` processes and job files of 40 documents."""
    import searchkit.engine.whoosh.internals as parallel

    monkeypatch.setattr(parallel, "BATCH_DOCS", 40)
    monkeypatch.setattr(parallel, "worker_count", lambda: workers)
    result = runner.invoke(main, ["index", str(folder), "--index", str(ix)])
    assert result.exit_code == 0, result.stderr
    return ix


def hit_ids(runner, ix, query, *options):
    result = runner.invoke(main, ["search", query, "--index", str(ix), "--json", "--flat", "--limit", "0", *options])
    assert result.exit_code in (0, 1), result.stderr
    return sorted(json.loads(line)["id"] for line in result.stdout.splitlines())


def test_parallel_index_finds_what_one_process_finds(generated, runner, monkeypatch, tmp_path):
    folder, _ = generated
    one = index_with(runner, monkeypatch, folder, tmp_path / "one", workers=1)
    two = index_with(runner, monkeypatch, folder, tmp_path / "two", workers=2)
    for query in ("maison", '"Privacy Shield"', "jard*", "eglise OR chapelle"):
        assert hit_ids(runner, two, query) == hit_ids(runner, one, query)


def test_parallel_index_counts_the_planted_phrase(generated, runner, monkeypatch, tmp_path):
    folder, manifest = generated
    ix = index_with(runner, monkeypatch, folder, tmp_path / "ix", workers=2)
    assert len(hit_ids(runner, ix, '"Privacy Shield"')) == manifest.phrase_docs
    assert len(hit_ids(runner, ix, '"Privacy Shield"', "--kind", "comment")) == manifest.phrase_comments


def test_parallel_index_keeps_each_post_together(generated, runner, monkeypatch, tmp_path):
    # A post is one Whoosh group: its comments follow its article in the same
    # segment, which the cross-queries (--in-article) and threads rely on.
    from searchkit.engine.whoosh.layout import PostLayout
    from searchkit.engine.whoosh.searcher import WhooshEngine

    folder, _ = generated
    ix = index_with(runner, monkeypatch, folder, tmp_path / "ix", workers=2)
    engine = WhooshEngine(str(ix))
    try:
        searcher = engine.searcher
        assert len(searcher.reader().leaf_readers()) > 1  # really written by several workers
        layout = PostLayout(searcher)
        for docnum in range(searcher.doc_count_all()):
            stored = searcher.stored_fields(docnum)
            article = searcher.stored_fields(layout.article_of(docnum))
            assert article["id"] == stored["post_id"]
    finally:
        engine.close()


def test_a_dying_worker_fails_the_run_and_keeps_the_last_commit(generated, runner, monkeypatch, tmp_path):
    import os

    import searchkit.engine.whoosh.internals as parallel

    folder, manifest = generated
    ix = index_with(runner, monkeypatch, folder, tmp_path / "ix", workers=2)

    def die(self, filename, doc_count):
        os._exit(3)

    monkeypatch.setattr(parallel._JobFileTask, "_process_file", die)
    result = runner.invoke(main, ["index", str(folder), "--index", str(ix), "--rebuild"])
    assert result.exit_code == 2
    assert "indexing worker process failed" in result.stderr
    assert len(hit_ids(runner, ix, '"Privacy Shield"')) == manifest.phrase_docs


