"""Relevance evaluation: searchkit against SQLite FTS5 on the same documents and judged queries.

Indexes the published posts and approved comments of three real blogs from
``../shared/corpora`` (WXR exports, read by ``eval/wxr_minimal.py``), runs
every query of ``eval/judgments.json`` through searchkit (``Archive.search``,
what the CLI runs) and through SQLite FTS5 (``unicode61 remove_diacritics 2``,
ranked by ``bm25`` with the title weighted ×2 like searchkit's), and reports
Recall@10, MRR@10 and nDCG@10 (binary gains), averaged over the queries.

searchkit is run once per stemmer asked for (``--stemmer snowball light``):
Snowball (what the index uses) and the minimal plural/feminine stemmer, to
decide between them on the data.

Usage, from the repository root::

    .venv/bin/python eval/relevance.py                       # the table
    .venv/bin/python eval/relevance.py --per-query           # and each query
    .venv/bin/python eval/relevance.py --json                # for programs

The query syntax is searchkit's; for FTS5 each bare word becomes a quoted
FTS5 string (so ``l'assurance`` or ``États-Unis`` are not FTS5 syntax
errors), ``word*`` a prefix string, quoted phrases stay phrases, and the
capitalised operators AND/OR/NOT are FTS5's own.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sqlite3
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from wxr_minimal import read_posts  # noqa: E402

from searchkit import analysis  # noqa: E402
from searchkit.api import Filters, open_archive  # noqa: E402
from searchkit.ingest import index_posts  # noqa: E402

CORPORA = ("alienlebarge-wordpress.xml", "bitcoinfrance-wordpress.xml", "thecoffeeworkshop-wordpress.xml")
DEFAULT_CORPUS_DIR = ROOT.parent / "shared" / "corpora"
JUDGMENTS = HERE / "judgments.json"
K = 10
METRICS = ("recall@10", "mrr", "ndcg@10")


# --- documents and judgments --------------------------------------------------


def load_posts(corpus_dir: Path):
    posts = []
    for name in CORPORA:
        posts.extend(read_posts(corpus_dir / name))
    return posts


def load_judgments(path: Path = JUDGMENTS) -> list[dict]:
    return json.loads(path.read_text("utf-8"))["queries"]


# --- the two systems ------------------------------------------------------------


def searchkit_runs(posts, queries, stemmer: str, workdir: Path) -> dict[str, list[str]]:
    """Ranked ids (best ``K``) per query id, from a fresh searchkit index."""
    analysis.use_stemmer(stemmer)
    try:
        index_dir = workdir / f"index-{stemmer}"
        index_posts(posts, index_dir, rebuild=True)
        with open_archive(index_dir) as s:
            return {q["id"]: [h.doc.id for h in s.search(q["query"], Filters(kind=q["kind"]), limit=K).hits]
                    for q in queries}
    finally:
        analysis.use_stemmer("snowball")


_FTS_TOKEN = re.compile(r'"[^"]*"|\(|\)|[^\s()"]+')


def fts5_query(text: str) -> str:
    """searchkit's query syntax written for FTS5.

    >>> fts5_query('"base de données" OR l\\'assurance NOT donn*')
    '"base de données" OR "l\\'assurance" NOT "donn"*'
    """
    out = []
    for tok in _FTS_TOKEN.findall(text):
        if tok in ("AND", "OR", "NOT", "(", ")") or tok.startswith('"'):
            out.append(tok)
        elif tok.endswith("*"):
            out.append('"' + tok.rstrip("*").replace('"', "") + '"*')
        else:
            out.append('"' + tok.replace('"', "") + '"')
    return " ".join(out)


def fts5_runs(posts, queries) -> dict[str, list[str]]:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, kind UNINDEXED, title, body,"
               " tokenize = 'unicode61 remove_diacritics 2')")
    rows = []
    for post in posts:
        for doc in post.documents:
            # Like searchkit, only articles are searched by their title.
            rows.append((doc.id, doc.kind, doc.title if doc.kind == "article" else "", doc.body))
    db.executemany("INSERT INTO docs VALUES (?, ?, ?, ?)", rows)
    runs = {}
    for q in queries:
        sql = "SELECT id FROM docs WHERE docs MATCH ?"
        args: list = [fts5_query(q["query"])]
        if q["kind"]:
            sql += " AND kind = ?"
            args.append(q["kind"])
        sql += f" ORDER BY bm25(docs, 0, 0, 2.0, 1.0) LIMIT {K}"
        runs[q["id"]] = [r[0] for r in db.execute(sql, args)]
    return runs


# --- metrics ----------------------------------------------------------------------


def metrics(ranked: list[str], relevant: set[str]) -> dict[str, float]:
    """Recall@10, reciprocal rank (within 10) and nDCG@10 with binary gains.

    >>> m = metrics(["a", "x", "b"], {"a", "b", "c", "d"})
    >>> m["recall@10"], m["mrr"], round(m["ndcg@10"], 3)
    (0.5, 1.0, 0.586)
    """
    top = ranked[:K]
    hits = [1.0 if d in relevant else 0.0 for d in top]
    recall = sum(hits) / len(relevant) if relevant else 0.0
    rr = next((1.0 / (i + 1) for i, h in enumerate(hits) if h), 0.0)
    dcg = sum(h / math.log2(i + 2) for i, h in enumerate(hits))
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(len(relevant), K)))
    return {"recall@10": recall, "mrr": rr, "ndcg@10": dcg / ideal if ideal else 0.0}


def evaluate(corpus_dir: Path = DEFAULT_CORPUS_DIR, stemmers=("snowball", "light")) -> dict:
    """Every system's mean metrics and per-query figures."""
    posts = load_posts(corpus_dir)
    queries = load_judgments()
    systems: dict[str, dict[str, list[str]]] = {}
    with tempfile.TemporaryDirectory(prefix="searchkit-eval-") as tmp:
        for stemmer in stemmers:
            systems[f"searchkit ({stemmer})"] = searchkit_runs(posts, queries, stemmer, Path(tmp))
    systems["FTS5 (unicode61 remove_diacritics 2, bm25)"] = fts5_runs(posts, queries)
    report = {"documents": sum(len(p.documents) for p in posts), "queries": len(queries), "systems": {}}
    for name, runs in systems.items():
        per_query = {q["id"]: metrics(runs[q["id"]], set(q["relevant"])) for q in queries}
        mean = {m: sum(v[m] for v in per_query.values()) / len(per_query) for m in METRICS}
        report["systems"][name] = {"mean": mean, "per_query": per_query}
    return report


def render(report: dict, per_query: bool = False) -> str:
    lines = [f"{report['queries']} judged queries over {report['documents']} documents", "",
             "| system | Recall@10 | MRR | nDCG@10 |", "|---|---|---|---|"]
    for name, data in report["systems"].items():
        m = data["mean"]
        lines.append(f"| {name} | {m['recall@10']:.3f} | {m['mrr']:.3f} | {m['ndcg@10']:.3f} |")
    if per_query:
        names = list(report["systems"])
        lines += ["", "| query | " + " | ".join(f"{n} nDCG@10" for n in names) + " |",
                  "|---|" + "---|" * len(names)]
        for qid in next(iter(report["systems"].values()))["per_query"]:
            cells = [f"{report['systems'][n]['per_query'][qid]['ndcg@10']:.2f}" for n in names]
            lines.append(f"| {qid} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpora", type=Path, default=DEFAULT_CORPUS_DIR, help="directory of the shared corpora")
    ap.add_argument("--stemmer", nargs="+", default=["snowball", "light"], choices=["snowball", "light"])
    ap.add_argument("--per-query", action="store_true", help="also nDCG@10 of each query")
    ap.add_argument("--json", action="store_true", help="the whole report as JSON")
    args = ap.parse_args(argv)
    report = evaluate(args.corpora, tuple(args.stemmer))
    print(json.dumps(report, indent=1) if args.json else render(report, args.per_query))
    return 0


if __name__ == "__main__":
    sys.exit(main())
