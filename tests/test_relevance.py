"""The relevance evaluation (eval/relevance.py) on the shared corpora: searchkit at or above FTS5."""

from __future__ import annotations

import sys

import pytest
from conftest import ROOT, SHARED

sys.path.insert(0, str(ROOT / "eval"))

import relevance  # noqa: E402

pytestmark = pytest.mark.shared  # reads ../shared/corpora (the real-data tier)


def test_judgments_cover_the_query_types_the_issue_asks_for():
    queries = relevance.load_judgments()
    types = " ".join(q["type"] for q in queries)
    assert len(queries) >= 30
    for kind in ("accent left out", "with accents", "phrase", "boolean", "prefix", "comment-only", "article-only"):
        assert kind in types, kind
    assert all(q["relevant"] and q["verified"] for q in queries)


def test_fts5_query_translation_keeps_the_operators_and_quotes_words():
    assert relevance.fts5_query('concert NOT festival "zone euro" l\'or vinyl*') == \
        '"concert" NOT "festival" "zone euro" "l\'or" "vinyl"*'


def test_eval_doctests_pass():
    import doctest

    assert doctest.testmod(relevance).failed == 0


@pytest.mark.slow
def test_searchkit_is_at_or_above_fts5_on_every_metric():
    report = relevance.evaluate(SHARED / "corpora", stemmers=("snowball",))
    ours = report["systems"]["searchkit (snowball)"]["mean"]
    fts5 = next(v["mean"] for k, v in report["systems"].items() if k.startswith("FTS5"))
    for metric in relevance.METRICS:
        assert ours[metric] >= fts5[metric] - 1e-9, (metric, ours, fts5)
