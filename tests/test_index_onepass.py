"""Faster indexing writes the same index: one analysis per text for both fields, the cached fingerprint.

The writer's one-pass analysis and postings loop (``engine/whoosh/postings.py``)
must write the files Whoosh's own ``add_document`` and flush write, byte for byte; ``index_terms`` must
give the terms and positions of the ``EXACT`` and ``STEMMED`` chains; the
duplicate fingerprint must equal unidecode's.
"""

from __future__ import annotations

import hashlib
import unicodedata
from pathlib import Path

import pytest
from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st
from test_analysis_golden import TEXTS
from unidecode import unidecode

from searchkit.analysis import EXACT, STEMMED, index_terms
from searchkit.ingest import dedup
from searchkit.ingest.run import index_paths, index_posts
from searchkit.model import ARTICLE, Document, Post

# French-looking text with what the analysis treats specially: elisions, compounds,
# acronyms, ligatures, accents, emoji, digits, odd apostrophes and spaces.
PIECES = ["l’", "d'", "qu’", "jusqu’à", "e-mail", "crypto-monnaie", "a-b-c-d-e", "R.G.P.D.", "U.S.A",
          "Œuvre", "cœur", "ÉTÉ", "données", "jeux", "travaux", "👍", "2021", "-", "‐", "\u00a0", "«", "»",
          " ", "\n", "aujourd’hui", "lʼAssurance", "l`État", "ß", "ﬁ", "北京", "x"]
french_text = st.lists(st.sampled_from(PIECES) | st.text(max_size=6), max_size=40).map("".join)


def chain_positions(chain, text):
    found: dict[bytes, list[int]] = {}
    for tok in chain(text):
        found.setdefault(tok.text.encode(), []).append(tok.pos)
    return found


@pytest.mark.parametrize("key", sorted(TEXTS))
def test_index_terms_are_the_chains_terms_on_the_golden_texts(key):
    text = TEXTS[key][1]
    assert index_terms(text) == (chain_positions(EXACT, text), chain_positions(STEMMED, text))


@settings(max_examples=300, deadline=None)
@given(french_text)
def test_index_terms_are_the_chains_terms(text):
    assert index_terms(text) == (chain_positions(EXACT, text), chain_positions(STEMMED, text))


@settings(max_examples=300, deadline=None)
@given(french_text)
def test_the_fingerprint_folds_as_unidecode_does(text):
    expected = dedup._NON_WORD.sub(" ", unidecode(unicodedata.normalize("NFC", text)).casefold()).strip()
    assert dedup.normalise_text(text) == expected


def index_files(folder: Path) -> dict[str, str]:
    """Each index file's digest, by its name without the random segment id."""
    return {p.name.split(".", 1)[1]: hashlib.sha1(p.read_bytes()).hexdigest()
            for p in folder.iterdir() if p.name.startswith("MAIN_") and not p.name.endswith("WRITELOCK")}


def tricky_posts() -> list[Post]:
    body = " ".join(PIECES) + " Le R.G.P.D. et l’e-mail du Conseil d’État, crypto-monnaie et cryptomonnaie."
    article = Document("t1", ARTICLE, "t1", "L’e-mail des États-Unis", body, "tricky", author="Zoé d’Arc",
                       tags=["vie-privée", "RGPD"], categories=["Actualités"])
    # More than a block (128 postings) of the same words at the same positions.
    comments = [Document(f"t1-c{i}", "comment", "t1", article.title, f"Merci ! {body[: 40 * (i % 5)]} réponse {i}",
                         "tricky", author="Anonyme", parent_id="t1") for i in range(1, 300)]
    return [Post(article, comments)]


def test_the_fast_writer_writes_the_files_whoosh_writes(tmp_path, monkeypatch):
    from whoosh.writing import SegmentWriter

    from searchkit.engine.whoosh import internals, postings

    index_paths([ROOT / "corpus"], tmp_path / "one-pass")
    index_posts(tricky_posts(), tmp_path / "one-pass-tricky")
    # Whoosh's own add_document and flush:
    monkeypatch.setattr(postings.OnePassAnalysis, "_one_pass_fields", lambda self: None)
    monkeypatch.setattr(internals._FastFlush, "_flush_segment", SegmentWriter._flush_segment)
    index_paths([ROOT / "corpus"], tmp_path / "whoosh")
    index_posts(tricky_posts(), tmp_path / "whoosh-tricky")

    one_pass = index_files(tmp_path / "one-pass")
    assert {"pst", "trm", "_stored.col", "_body_exact_len.col", "_tags_len.col"} <= set(one_pass)
    assert one_pass == index_files(tmp_path / "whoosh")
    assert index_files(tmp_path / "one-pass-tricky") == index_files(tmp_path / "whoosh-tricky")


def test_dates_indexed_at_the_day_keep_their_time_and_their_boundaries(tmp_path, runner):
    # The index holds each date at midnight; what is shown and sorted keeps the second.
    import json
    from datetime import datetime

    from searchkit.cli import main

    def article(n, when):
        return Post(Document(f"d{n}", ARTICLE, f"d{n}", f"Titre {n}", "Le jardin de la maison.", "dates",
                             date=when), [])

    late = datetime(2021, 1, 5, 23, 59, 59)
    early = datetime(2021, 1, 5, 0, 0, 1)
    index_posts([article(1, early), article(2, late), article(3, datetime(2021, 1, 6)),
                 article(4, datetime(2021, 1, 4, 23, 59, 59))], tmp_path / "ix")

    def found(*options):
        result = runner.invoke(main, ["search", "jardin", "--index", str(tmp_path / "ix"), "--json", "--flat",
                                      *options])
        assert result.exit_code in (0, 1), result.stderr
        return [json.loads(line) for line in result.stdout.splitlines()]

    assert [d["id"] for d in found("--since", "2021-01-05", "--until", "2021-01-05", "--sort", "date")] == ["d1", "d2"]
    assert [d["id"] for d in found("--since", "2021-01-06")] == ["d3"]
    assert [d["id"] for d in found("--until", "2021-01-04")] == ["d4"]
    assert {d["id"]: d["date"] for d in found("--sort", "-date")}["d2"].startswith("2021-01-05T23:59:59")
    assert [d["id"] for d in found("--sort", "-date")] == ["d3", "d2", "d1", "d4"]
