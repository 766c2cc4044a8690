"""Posting blocks read by ``engine.whoosh.blocks``: the same ids, weights, values and moves as Whoosh's own reader.

The index is generated here (posts with many comments, words at chosen
rates and term frequencies), so that common words hold several 128-posting
blocks, in the positions field (whose blocks are cut before their values)
and in the stemmed one (whose blocks have no values to cut before).
"""

from __future__ import annotations

import json
import random
import zlib
from itertools import accumulate
from pickle import dumps, loads

import pytest
from conftest import build_index

from searchkit.engine.whoosh import blocks
from searchkit.engine.whoosh.searcher import WhooshEngine

WORDS = ("maison", "jardin", "nuit", "jour", "privacy", "shield", "rare")


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    rng = random.Random(5)
    posts = []
    for p in range(40):
        comments = []
        for c in range(30):
            words = [w for w in WORDS[:-1] if rng.random() < 0.5] * rng.randint(1, 3)
            rng.shuffle(words)
            comments.append({"id": f"c{p}-{c}", "author": "x", "date": "2020-01-02T00:00:00",
                             "body": " ".join(["le", "texte", *words, "fin"])})
        posts.append({"id": f"p{p}", "url": f"https://b.example/{p}", "title": f"Billet {p} maison",
                      "author": "y", "date": "2020-01-01T00:00:00", "body": "rare mot " * (p % 3 + 1),
                      "comments": comments})
    folder = tmp_path_factory.mktemp("blocks-corpus")
    (folder / "posts.jsonl").write_text("\n".join(json.dumps(p) for p in posts) + "\n", encoding="utf-8")
    with WhooshEngine(str(build_index(tmp_path_factory, "blocks", folder))) as e:
        yield e


def _terms(engine):
    for sub, _ in engine.searcher.leaf_searchers():
        reader = sub.reader()
        for fieldname in ("body", "body_exact", "title_exact", "title_stem"):
            for btext in reader.lexicon(fieldname):
                yield reader, fieldname, btext


def _whoosh_blocks(reader, fieldname, btext):
    """(ids, weights, values) of each block, read by Whoosh's own matcher."""
    terms = reader._terms
    info = terms.term_info(fieldname, btext)
    offset, length = info.extent()
    leaf = blocks.W3LeafMatcher(terms._postfile, offset, length, reader.schema[fieldname].format)
    out = []
    while leaf.is_active():
        leaf._read_ids()
        leaf._read_weights()
        leaf._read_values()
        out.append((list(leaf._ids), list(leaf._weights), tuple(leaf._values)))
        if leaf._lastblock:
            break
        leaf._next_block()
    return out


def test_blocks_hold_what_whoosh_reads(engine):
    multi_block = cut = 0
    for reader, fieldname, btext in _terms(engine):
        found = blocks.blocks(reader, fieldname, btext)
        expected = _whoosh_blocks(reader, fieldname, btext)
        assert [(b.ids(), list(b.weights())) for b in found] == [(i, w) for i, w, _ in expected], (fieldname, btext)
        assert [b.maxid for b in found] == [i[-1] for i, _, _ in expected]
        fixed = reader.schema[fieldname].format.fixed_value_size()
        if fixed is None or fixed < 0:  # a variable-size format's values: as pickled, one byte string each
            assert [b.values() for b in found] == [v for _, _, v in expected]
            cut += sum(b._cut() is not None for b in found)  # read from the block's head, before its values
        multi_block += len(found) > 1
    assert multi_block >= 10 and cut >= 10  # the test reaches both the cut and several blocks a term


def test_head_refuses_what_it_cannot_cut():
    ids, weights, values = (3, 4, 1, 9), (1.0, 2.0, 1.0, 1.0), (b"\x00a", b"\x00b", b"c", b"d")
    data = dumps((ids, weights, values), 2)
    assert blocks.head(data, False, 4) == (ids, weights)
    assert blocks.head(zlib.compress(data), True, 4) == (ids, weights)
    assert blocks.head(data, False, 5) is None  # a count that disagrees with the ids
    # No byte-string values (a frequency format's None): nothing to cut, the whole data gives them.
    assert blocks.head(zlib.compress(dumps((ids, weights, None), 2)), True, 4) == (ids, weights)
    # The marker's bytes standing inside the ids: the cut there does not parse.
    fake = dumps(((1, 2, 3, 4), 1.0, (b"x", b"y", b"z", b"w")), 2)
    trap = fake[:3] + b"(c_codecs\nencode\n" + fake[3:]
    assert blocks.head(trap, False, 4) is None


def test_whole_block_decodes_as_pickle_does():
    for values in [(b"\x00\x01\xff", b"\xc3\xa9", b"", b"x"), (b"one",), None, b"\x00\x00\x00\x01" * 4]:
        count = 1 if values == (b"one",) else 4
        data = dumps(((7,) * count, (1.5,) * count, values), 2)
        assert blocks.whole(data, count) == loads(data)


def test_skip_to_moves_as_whoosh_does(engine):
    rng = random.Random(3)
    checked = 0
    for reader, fieldname, btext in _terms(engine):
        info = reader._terms.term_info(fieldname, btext)
        if info.is_inlined():
            continue
        offset, length = info.extent()
        args = (reader._terms._postfile, offset, length, reader.schema[fieldname].format)
        ours, theirs = blocks.LeafMatcher(*args), blocks.W3LeafMatcher(*args)
        target = 0
        while theirs.is_active():
            target += rng.choice((0, 1, 2, 7, 60, 300))
            theirs.skip_to(target)
            ours.skip_to(target)
            assert ours.is_active() == theirs.is_active()
            if not theirs.is_active():
                break
            assert (ours.id(), ours.weight(), ours.value()) == (theirs.id(), theirs.weight(), theirs.value())
            checked += 1
    assert checked > 100


def test_searches_read_through_the_fast_matcher(engine):
    leaf, _ = engine.searcher.reader().leaf_readers()[0]
    assert isinstance(leaf.postings("body_exact", b"maison"), blocks.LeafMatcher)
    ids = [d for d, _ in engine.searcher.reader().postings("body_exact", b"maison").items_as("weight")]
    assert ids == sorted(ids) and len(ids) > 128


def test_ids_are_the_sums_of_the_deltas(engine):
    reader, fieldname, btext = next(t for t in _terms(engine) if t[1] == "body_exact" and t[2] == b"maison")
    first = blocks.blocks(reader, fieldname, btext)[0]
    raw = first._raw[first._start:first._end]
    deltas = loads(zlib.decompress(raw) if first._compressed else raw)[0]
    assert first.ids() == list(accumulate(deltas))


def test_kept_term_infos_answer_as_whoosh(engine):
    leaf, _ = engine.searcher.reader().leaf_readers()[0]
    assert isinstance(leaf._terms, blocks.Terms)
    raw = leaf._terms._terms
    asked = [("body_exact", b"maison"), ("body", b"maison"), ("title_exact", b"billet"), ("body_exact", b"absent"),
             ("nofield", b"maison")]
    for _ in range(2):  # asked again: from what was kept
        for fieldname, btext in asked:
            there = (fieldname, btext) in raw
            assert ((fieldname, btext) in leaf._terms) == there
            if fieldname in leaf.schema:
                assert ((fieldname, btext) in leaf) == there
                assert leaf.doc_frequency(fieldname, btext) == (raw.doc_frequency(fieldname, btext) if there else 0)
                assert leaf.frequency(fieldname, btext) == (raw.frequency(fieldname, btext) if there else 0)
            if there:
                assert vars(leaf._terms.term_info(fieldname, btext)) == vars(raw.term_info(fieldname, btext))
            else:
                with pytest.raises(blocks.TermNotFound):
                    leaf._terms.term_info(fieldname, btext)
