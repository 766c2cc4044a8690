"""The benchmark's corpus generator (benchmarks/corpus.py).

No timing here (the benchmark is run by hand, see README "Benchmark"): these
check that the generated corpora are what the benchmark's figures assume (the
parallel writer it exercises is tested in test_whoosh_writer.py).
"""

from __future__ import annotations

import json
import sys

import pytest
from conftest import ELTEC, GENERATED_SIZE, ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import corpus as bench_corpus  # noqa: E402

SIZE = GENERATED_SIZE  # the session's `generated` corpus (conftest)

pytestmark = [pytest.mark.slow, pytest.mark.shared]  # each build reads the 54 MB ELTeC text


def posts_of(folder):
    for path in sorted(folder.glob("*.jsonl")):
        with open(path, encoding="utf-8") as fh:
            yield from (json.loads(line) for line in fh)


def test_corpus_has_exactly_the_documents_asked_for(generated):
    folder, manifest = generated
    posts = list(posts_of(folder))
    assert sum(1 + len(p["comments"]) for p in posts) == SIZE == manifest.documents
    assert len(posts) == manifest.posts


def test_corpus_is_the_same_for_the_same_seed(generated, tmp_path):
    folder, manifest = generated
    again = bench_corpus.build(SIZE, tmp_path / "corpus", ELTEC, seed=7)
    assert again.file_names == manifest.file_names
    for name in manifest.file_names:
        assert (tmp_path / "corpus" / name).read_bytes() == (folder / name).read_bytes()


def test_corpus_posts_follow_the_jsonl_schema(generated):
    folder, _ = generated
    for post in posts_of(folder):
        assert set(post) == {"id", "title", "body", "url", "author", "date", "comments"}
        assert 5 <= post["body"].count("\n\n") + 1 <= 15
        assert len(post["comments"]) <= 40
        ids = [c["id"] for c in post["comments"]]
        for c in post["comments"]:
            assert set(c) == {"id", "parent", "author", "date", "body"}
            assert c["parent"] is None or c["parent"] in ids[: ids.index(c["id"])]
            assert c["date"] > post["date"]


def test_manifest_counts_the_documents_holding_the_phrase(generated):
    folder, manifest = generated
    holders = [(p["body"], False) for p in posts_of(folder)]
    holders += [(c["body"], True) for p in posts_of(folder) for c in p["comments"]]
    assert manifest.phrase_docs == sum(bench_corpus.PHRASE in body for body, _ in holders) > 0
    assert manifest.phrase_comments == sum(bench_corpus.PHRASE in body for body, is_c in holders if is_c)


def test_corpus_holds_accentless_and_curly_apostrophe_documents(generated):
    _, manifest = generated
    assert manifest.accentless_docs > 0 and manifest.curly_docs > 0


def test_corpus_posts_are_all_different(tmp_path):
    # searchkit indexes a post found twice once (dedup): the benchmark's counts
    # assume none. Twelve paragraphs for ~10 posts: drawn at random, starts collide.
    import lzma

    source = tmp_path / "tiny.tsv.xz"
    lines = [f"BOOK\tParagraphe numéro {n} d’un roman qui parle de la maison et du jardin." for n in range(12)]
    source.write_bytes(lzma.compress("\n".join(lines).encode("utf-8")))
    bench_corpus.build(200, tmp_path / "corpus", source, seed=1)
    bodies = [p["body"] for p in posts_of(tmp_path / "corpus")]
    assert 5 <= len(bodies) <= 12
    assert len(set(bodies)) == len(bodies)
