"""Warm searches through ``searchkit.api.Archive`` timed one by one (wall and CPU), or profiled.

Run by hand, never as a unit test::

    .venv/bin/python benchmarks/query_profile.py benchmarks/work/index-100k            # bench.py's queries
    .venv/bin/python benchmarks/query_profile.py IDX --extra                          # and fuzzy, common words, grouped
    .venv/bin/python benchmarks/query_profile.py IDX --profile "maison"               # cProfile of one query
    .venv/bin/python benchmarks/query_profile.py --code DIR IDX  # DIR/searchkit instead of this checkout's

Each query runs once to warm up, then ``--repeat`` times; p50 and p95 of wall
and CPU (``time.process_time``) milliseconds are printed with the total as shown.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench import QUERIES  # noqa: E402  (the benchmark's own query list; puts this checkout on sys.path)

if len(sys.argv) > 2 and sys.argv[1] == "--code":
    # Another checkout's searchkit (e.g. the code before a change): the editable install's
    # import hook would otherwise find this worktree's, whatever PYTHONPATH says.
    sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in getattr(f, "__module__", "")]
    sys.path.insert(0, str(Path(sys.argv[2]).resolve()))
    del sys.argv[1:3]

# (label, query, kind, grouped): beyond bench.py's list, the other query shapes
# (``jardim~2``, ~2 s CPU a search at 100k, is timed apart with --queries).
EXTRA = [
    ("fuzzy word~", "jardim~", None, False),
    ("very common word", "la", None, False),
    ("common word, --kind comment", "maison", "comment", False),
    ("two-word AND, --kind comment", "maison jardin", "comment", False),
    ("common word, grouped", "maison", None, True),
    ("two-word AND, grouped", "maison jardin", None, True),
    ("OR of words", "maison OR jardin", None, False),
]


def run(archive, text: str, kind: str | None, grouped: bool, snippets: bool):
    from searchkit import api
    from searchkit.api import Filters

    real = api.snippet
    if not snippets:
        api.snippet = lambda *a, **k: []
    try:
        if grouped:
            return archive.search_grouped(text, Filters(kind=kind), limit=10)
        return archive.search(text, Filters(kind=kind), limit=10)
    finally:
        api.snippet = real


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("index")
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--extra", action="store_true", help="also the queries of EXTRA")
    ap.add_argument("--only", help="only the queries whose label contains this")
    ap.add_argument("--profile", metavar="QUERY", help="cProfile this query (with snippets) and print the top 25")
    ap.add_argument("--kind")
    ap.add_argument("--verify", action="store_true",
                    help="check pages against ranking every match (VERIFY x kinds x pages), then exit")
    ap.add_argument("--breakdown", action="store_true",
                    help="CPU ms p50 of each step of bench.py's queries (scan, Whoosh's scoring, documents, snippets)")
    ap.add_argument("--budget", type=int, help="scan.BUDGET for this run (-1: never read postings whole)")
    ap.add_argument("--queries", nargs="*", help="time these queries (no snippets' twin, no kind) instead")
    args = ap.parse_args()
    if args.budget is not None:
        from searchkit.engine.whoosh import scan

        scan.BUDGET = args.budget
    if args.verify:
        raise SystemExit(verify(args.index, args.queries or VERIFY))
    if args.breakdown:
        raise SystemExit(breakdown(args.index, args.repeat))

    from searchkit.api import open_archive

    queries = [(name, text, kind, False, snippets) for name, text, kind, _, snippets in QUERIES]
    if args.extra:
        queries += [(name, text, kind, grouped, True) for name, text, kind, grouped in EXTRA]
    if args.only:
        queries = [q for q in queries if args.only in q[0]]
    if args.queries:
        queries = [(text, text, args.kind, False, True) for text in args.queries]
    with open_archive(args.index) as archive:
        if args.profile:
            run(archive, args.profile, args.kind, False, True)
            prof = cProfile.Profile()
            prof.enable()
            for _ in range(args.repeat):
                run(archive, args.profile, args.kind, False, True)
            prof.disable()
            pstats.Stats(prof).sort_stats("cumulative").print_stats(30)
            pstats.Stats(prof).sort_stats("tottime").print_stats(20)
            return
        for name, text, kind, grouped, snippets in queries:
            res = run(archive, text, kind, grouped, snippets)
            walls, cpus = [], []
            for _ in range(args.repeat):
                w, c = time.perf_counter(), time.process_time()
                run(archive, text, kind, grouped, snippets)
                walls.append((time.perf_counter() - w) * 1000)
                cpus.append((time.process_time() - c) * 1000)
            total = f"{res.total}{'' if res.total_is_exact else '+'}"
            print(f"{name:32s} wall p50 {statistics.median(walls):7.1f} p95 {_p95(walls):7.1f}  "
                  f"cpu p50 {statistics.median(cpus):7.1f} p95 {_p95(cpus):7.1f}  total {total}", flush=True)


VERIFY = ["maison", "maison jardin", "la", "de", "le OR la", "homme OR femme", "la le", "jard*", "j?rdin",
          "jardim~", "maison~2", "title:maison", "maison ANDNOT jardin", "(maison OR jardin) nuit", "coeur",
          "tisserand", "eglise", '"Privacy Shield"', "nuit NOT jour", "jard* maison"]


def verify(index: str, texts: list[str]) -> int:
    """Pages (top 10, 10 at offset 20, 50, 1) and grouped pages against ranking every match; the mismatches."""
    from searchkit.engine.base import Selection
    from searchkit.engine.whoosh.searcher import WhooshEngine
    from searchkit.query import parse

    def ids(docs):
        return [(d.id, s) for d, s in docs]

    bad = 0
    with WhooshEngine(index) as engine:
        for text in texts:
            for kind in (None, "comment", "article"):
                sel = Selection(parse(text), kind=kind)
                every = engine.ranked(sel, "relevance", None)
                every_post = engine.ranked_posts(sel, "relevance", None)
                for limit, offset in [(10, 0), (10, 20), (50, 0), (1, 0)]:
                    page = engine.ranked(sel, "relevance", limit, offset)
                    same = ids(page.docs) == ids(every.docs[offset:offset + limit])
                    total_ok = page.total == every.total if page.total_is_exact else page.total < every.total
                    grouped = engine.ranked_posts(sel, "relevance", limit, offset)
                    same_posts = [(p, ids(h)) for p, h in grouped.posts] == \
                        [(p, ids(h)) for p, h in every_post.posts[offset:offset + limit]]
                    posts_ok = (grouped.total, grouped.total_posts) == (every_post.total, every_post.total_posts) \
                        if grouped.total_is_exact else grouped.total < every_post.total
                    if not (same and total_ok and same_posts and posts_ok):
                        bad += 1
                        print("MISMATCH", text, kind, limit, offset, same, total_ok, same_posts, posts_ok)
                print(f"{text!r:28} kind={kind}: {every.total} matches, shown as {page.total}"
                      f"{'' if page.total_is_exact else '+'}", flush=True)
    print(f"{bad} mismatch(es)")
    return 1 if bad else 0


def breakdown(index: str, repeat: int) -> int:
    """Each bench.py query's CPU split into its steps, p50 over ``repeat`` runs (no profiler overhead)."""
    from searchkit.api import Filters, open_archive
    from searchkit.engine.whoosh import scan
    from searchkit.engine.whoosh.compile import to_whoosh
    from searchkit.engine.whoosh.topk import score_only
    from searchkit.query import marks
    from searchkit.snippets import snippet

    with open_archive(index) as archive:
        engine = archive._engine
        for name, text, kind, _, _ in QUERIES:
            sel = archive.selection(text, Filters(kind=kind))
            steps: dict[str, list[float]] = {}

            def timed(step, fn, steps=steps):
                c = time.process_time()
                out = fn()
                steps.setdefault(step, []).append((time.process_time() - c) * 1000)
                return out

            for _ in range(repeat + 1):
                query = to_whoosh(sel.query)
                allowed = timed("filter set", lambda: engine._allowed(sel))  # noqa: B023
                found = timed("scan: every match read", lambda: scan.approximate(engine.searcher, query, allowed))  # noqa: B023
                if found is not None:
                    cands = scan.candidates(found, 10)
                    best = timed("Whoosh scores the candidates",
                                 lambda: scan.ranked(score_only(engine.searcher, query, cands), 10))  # noqa: B023
                else:
                    best, _ = timed("Whoosh scores every match",
                                    lambda: engine._exhaustive(query, 10, allowed))  # noqa: B023
                docs = timed("stored documents", lambda: [engine._document(d) for d, _ in best])  # noqa: B023
                wanted = marks(sel.query)
                timed("snippets", lambda: [snippet(d.body or d.title, wanted) for d in docs])  # noqa: B023
            parts = "; ".join(f"{k} {statistics.median(v[1:]):.1f}" for k, v in steps.items())
            print(f"{name:28s} {parts}", flush=True)
    return 0


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


if __name__ == "__main__":
    main()
