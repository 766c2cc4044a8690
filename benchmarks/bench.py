"""searchkit on both engines (Whoosh and OpenSearch) against SQLite FTS5 and ripgrep on the same French documents.

Run by hand, never as a unit test (see README, "Benchmark")::

    .venv/bin/python benchmarks/bench.py                  # 10k and 100k documents
    .venv/bin/python benchmarks/bench.py --sizes 100k     # one size
    .venv/bin/python benchmarks/bench.py --1m             # 10k, 100k and 1M
    .venv/bin/python benchmarks/bench.py --no-opensearch  # Whoosh, FTS5 and ripgrep only

For each size it builds (once, deterministically) a JSON Lines corpus from the
ELTeC novels (``corpus.py``) under ``benchmarks/work/``, then measures:

* ``searchkit index`` into a folder (a fresh process, as a user runs it):
  docs/s, CPU seconds, peak RSS (sampled: its largest process, and the sum
  with its workers), index size, the number of segments and the bytes of
  each field (``whoosh_fields.py``); then a re-run on the unchanged corpus;
* warm queries through ``searchkit.api.Archive`` in this process, p50 and
  p95 over repeated runs, each returning the top 10 with snippets and the
  total count, as ``searchkit search`` does;
* the whole-process time of ``searchkit search '"Privacy Shield"' --limit 10``;
* the same documents in SQLite FTS5 (``unicode61 remove_diacritics 2``,
  ``bm25``, ``snippet()``) and ripgrep (``rg -i -F -c``, when installed);
* the same on OpenSearch (``bench_opensearch.py``): a local node started for
  the size (Java 17 and Maven needed, else pass ``--no-opensearch``), the
  index given as its URL, the node's own CPU seconds and peak RSS beside
  searchkit's, and checks that both engines find the same documents.

Every figure is printed beside FTS5's or ripgrep's with the ratio (ours /
theirs: below 1 we are faster), and OpenSearch's beside Whoosh's, since
absolute times on a shared machine drift (the load average is logged every
minute to ``work/load-<time>.log``); the phrase counts are checked against
the number planted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import bench_opensearch  # noqa: E402
from measure import dir_bytes, load_average, p50, p95, run_measured, run_with_rss, timed, timed_search  # noqa: E402

import corpus as bench_corpus  # noqa: E402

SOURCE = ROOT.parent / "shared" / "corpora" / "eltec-fra-paragraphs.tsv.xz"
SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
SEARCHKIT = [sys.executable, "-m", "searchkit"]

# (label, searchkit query, kind, FTS5 MATCH expression, with snippets)
QUERIES = [
    ("common word", "maison", None, "maison", True),
    ("common word, no snippets", "maison", None, "maison", False),
    ("rare word", "tisserand", None, "tisserand", True),
    ("accent-folded word", "eglise", None, "eglise", True),
    ("two-word AND", "maison jardin", None, "maison AND jardin", True),
    ('phrase "Privacy Shield"', '"Privacy Shield"', None, '"privacy shield"', True),
    ("phrase, --kind comment", '"Privacy Shield"', "comment", '"privacy shield"', True),
    ("prefix jard*", "jard*", None, "jard*", True),
]
TARGETS = {  # at 100k documents on 2 cores (issue 6)
    "index docs/s": "≥ 1200",
    "index peak RSS MB": "≤ 400",
    "re-run unchanged s": "≤ 2",
    "common word": "top-10 with snippets ≤ 40 ms",
    'phrase "Privacy Shield"': "p50 ≤ 10 ms",
    "common word, no snippets": "p50 ≤ 20 ms",
    "cold search process s": "≤ 0.15",
}


# --- SQLite FTS5 --------------------------------------------------------------


def fts5_build(corpus_dir: Path, db: Path) -> int:
    """Load every document of the corpus into an FTS5 table; returns the count."""
    if db.exists():
        db.unlink()
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, kind UNINDEXED, title, body, "
                "tokenize = 'unicode61 remove_diacritics 2')")
    n = 0
    with con:
        for path in sorted(corpus_dir.glob("*.jsonl")):
            with open(path, encoding="utf-8") as fh:
                for line in fh:
                    post = json.loads(line)
                    rows = [(post["id"], "article", post["title"], post["body"])]
                    rows += [(c["id"], "comment", "", c["body"]) for c in post["comments"]]
                    con.executemany("INSERT INTO docs(id, kind, title, body) VALUES (?, ?, ?, ?)", rows)
                    n += len(rows)
    con.close()
    return n


def fts5_query(con: sqlite3.Connection, match: str, kind: str | None, snippets: bool):
    where = "docs MATCH ?" + (" AND kind = ?" if kind else "")
    args = (match, kind) if kind else (match,)
    cols = "id, snippet(docs, 3, '[', ']', '…', 24)" if snippets else "id"
    top = con.execute(f"SELECT {cols} FROM docs WHERE {where} ORDER BY bm25(docs) LIMIT 10", args).fetchall()
    total = con.execute(f"SELECT count(*) FROM docs WHERE {where}", args).fetchone()[0]
    return top, total


# --- one size -----------------------------------------------------------------


def bench_size(label: str, size: int, work: Path, repeat: int, opensearch: bool, reuse: bool = False) -> dict:
    print(f"\n## {label} documents", flush=True)
    corpus_dir = work / f"corpus-{label}"
    t = time.perf_counter()
    manifest = bench_corpus.ensure(size, corpus_dir, SOURCE)
    print(f"corpus: {manifest.documents} documents ({manifest.articles} articles, {manifest.comments} comments) "
          f"in {manifest.files} files, {manifest.bytes / 2**20:.1f} MiB; phrase planted in "
          f"{manifest.phrase_docs} documents ({manifest.phrase_comments} comments, {manifest.phrase_posts} posts) "
          f"[{time.perf_counter() - t:.1f} s]", flush=True)
    r: dict = {"size": label, "documents": manifest.documents, "corpus_mib": manifest.bytes / 2**20, "rows": []}
    rows = r["rows"]
    checks = r.setdefault("checks", [])

    def row(name, ours, theirs, unit, other="FTS5", fmt="{:.1f}", cpu=None, detail=""):
        ratio = (ours / theirs) if ours is not None and theirs else None
        cpu_ratio = (cpu[0] / cpu[1]) if cpu and cpu[1] else None
        rows.append({"metric": name, "searchkit": ours, "other": theirs, "vs": other, "unit": unit, "ratio": ratio,
                     "cpu": cpu, "cpu_ratio": cpu_ratio, "target": detail or TARGETS.get(name, ""), "fmt": fmt})
        o = fmt.format(ours) if ours is not None else "—"
        th = fmt.format(theirs) if theirs is not None else "—"
        print(f"  {name:<28} {o:>10} {unit:<5} {other} {th:>10}  ratio {ratio:.2f}" if ratio else
              f"  {name:<28} {o:>10} {unit:<5} {other} {th:>10}", flush=True)

    def check(name, got, want):
        ok = got == want
        checks.append({"check": name, "got": got, "want": want, "ok": ok})
        print(f"  check {name}: {got} (expected {want}) {'OK' if ok else 'MISMATCH'}", flush=True)

    # Indexing: a fresh `searchkit index` process, then FTS5 in a fresh process.
    index_dir = work / f"index-{label}"
    errfile = work / ".stderr"
    db = work / f"fts5-{label}.db"
    n = manifest.documents
    if reuse and index_dir.exists():
        # The index of an earlier run (or one built by hand) is kept: only the
        # query rows are measured, the indexing rows are that run's.
        print(f"  (reusing {index_dir}: no indexing rows)", flush=True)
        if not db.exists():
            fts5_build(corpus_dir, db)
    else:
        load_before = load_average()
        m = run_with_rss([*SEARCHKIT, "index", str(corpus_dir), "--index", str(index_dir), "--rebuild"], errfile)
        if m.code != 0:
            print(m.err, file=sys.stderr)
            raise SystemExit(f"searchkit index failed with exit code {m.code}")
        print(f"  (searchkit index: load average {load_before} → {load_average()})", flush=True)
        db.unlink(missing_ok=True)
        f = run_with_rss([sys.executable, __file__, "--fts5-build", str(corpus_dir), str(db)], errfile)
        if f.code != 0:
            print(f.err, file=sys.stderr)
            raise SystemExit("FTS5 build failed")
        row("index docs/s", n / m.wall, n / f.wall, "doc/s", fmt="{:.0f}", cpu=(n / m.cpu, n / f.cpu))
        row("index wall s", m.wall, f.wall, "s", cpu=(m.cpu, f.cpu))
        row("index peak RSS MB", m.rss, f.rss, "MB", fmt="{:.0f}")
        row("index peak RSS, sum of processes MB", m.rss_sum, f.rss_sum, "MB", fmt="{:.0f}")
    row("index size MB", dir_bytes(index_dir) / 1e6, db.stat().st_size / 1e6, "MB")
    fields = whoosh_fields(index_dir)
    if fields:
        r["segments"] = fields["segments"]
        r["fields"] = fields["fields"]
        row("segments", fields["segments"], None, "", fmt="{:.0f}")
        for name, sizes in sorted(fields["fields"].items(), key=lambda kv: -sum(kv[1][k] for k in FIELD_BYTES)):
            row(f"index size, field {name} MB", sum(sizes[k] for k in FIELD_BYTES) / 1e6, None, "MB", fmt="{:.2f}",
                detail=f"{sizes['terms']} terms; terms {sizes['terms_bytes'] / 1e6:.2f} + postings "
                       f"{sizes['postings_bytes'] / 1e6:.2f} + columns {sizes['column_bytes'] / 1e6:.2f} MB")
    if not reuse:
        m2 = run_with_rss([*SEARCHKIT, "index", str(corpus_dir), "--index", str(index_dir)], errfile)
        row("re-run unchanged s", m2.wall, None, "s", fmt="{:.2f}", cpu=(m2.cpu, None))

    # Warm queries, in this process.
    from searchkit.api import Filters, open_archive

    con = sqlite3.connect(db)
    with open_archive(index_dir) as s:
        for name, text, kind, match, snippets in QUERIES:
            ours = timed_search(s, text, kind, snippets, repeat)
            theirs = timed(lambda match=match, kind=kind, snippets=snippets: fts5_query(con, match, kind, snippets),
                           repeat)
            row(name, p50(ours[0]) * 1000, p50(theirs[0]) * 1000, "ms p50",
                cpu=(p50(ours[1]) * 1000, p50(theirs[1]) * 1000))
            row(name + " (p95)", p95(ours[0]) * 1000, p95(theirs[0]) * 1000, "ms p95")
        check("searchkit indexed documents", s.stats().documents, manifest.documents)
        r["phrase_ids"] = sorted(h.doc.id for h in s.search('"Privacy Shield"', limit=None).hits)
        check('searchkit "Privacy Shield" hits', len(r["phrase_ids"]), manifest.phrase_docs)
        # Exact counts by kind, for the OpenSearch checks: the same query must find the same documents.
        r["counts"] = {name: s.count(text, Filters(kind=kind)) for name, text, kind, _m, _s in QUERIES}
        check('searchkit "Privacy Shield" --kind comment',
              s.search('"Privacy Shield"', Filters(kind="comment"), limit=1).total, manifest.phrase_comments)
    check('FTS5 "privacy shield" hits', fts5_query(con, '"privacy shield"', None, False)[1], manifest.phrase_docs)
    con.close()

    # Cold processes: `searchkit search` as a user types it, ripgrep over the raw corpus.
    cmd = [*SEARCHKIT, "search", '"Privacy Shield"', "--limit", "10", "--index", str(index_dir)]
    if shutil.which("searchkit", path=str(Path(sys.executable).parent)):
        cmd = [str(Path(sys.executable).parent / "searchkit"), *cmd[3:]]
    # As an installed searchkit runs: with its bytecode cached (this machine's
    # environment may set PYTHONDONTWRITEBYTECODE); the first run writes it.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    run_measured(cmd, env)
    cold, cold_cpu = [], []
    for _ in range(max(5, repeat // 2)):
        w, code, _out, _err, c = run_measured(cmd, env)
        cold.append(w)
        cold_cpu.append(c)
    rg = shutil.which("rg")
    rg_times, rg_cpu, rg_count = [], [], None
    if rg:
        for _ in range(max(5, repeat // 4)):
            w, _, out, _, c = run_measured([rg, "-i", "-F", "-c", "privacy shield", str(corpus_dir)])
            rg_times.append(w)
            rg_cpu.append(c)
        rg_count = sum(int(line.rsplit(":", 1)[1]) for line in out.splitlines() if ":" in line)
    row("cold search process s", p50(cold), p50(rg_times) if rg_times else None, "s",
        other="rg" if rg else "rg (not installed)", fmt="{:.3f}",
        cpu=(p50(cold_cpu), p50(rg_cpu) if rg_cpu else None))
    check("cold `searchkit search` exit code", code, 0)
    if rg_count is not None:
        check("rg -c 'privacy shield' lines (posts)", rg_count, manifest.phrase_posts)
    if opensearch:
        r["opensearch"] = bench_opensearch.bench_size(label, corpus_dir, manifest, work, repeat, r, QUERIES,
                                                     SEARCHKIT, cmd[:-6])
    return r


FIELD_BYTES = ("terms_bytes", "postings_bytes", "column_bytes")


def whoosh_fields(index_dir: Path) -> dict | None:
    """Segments and bytes per field of the Whoosh index (``whoosh_fields.py``, in a subprocess)."""
    done = subprocess.run([sys.executable, str(HERE / "whoosh_fields.py"), str(index_dir)], capture_output=True,
                          text=True, timeout=1800)
    if done.returncode != 0:
        print(f"  (index size per field not measured: {done.stderr.strip().splitlines()[-1:]})", flush=True)
        return None
    found = json.loads(done.stdout)
    print(f"  (segments and sizes per field read in {found['seconds']:.1f} s)", flush=True)
    return found


# --- report -------------------------------------------------------------------


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 2**20:.1f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{os.cpu_count()} CPU(s), {cpu}{mem}; Python {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}; load average at start {load:.2f}")


def markdown(results: list[dict]) -> str:
    lines = []
    for r in results:
        lines.append(f"\n### {r['size']} documents ({r['corpus_mib']:.1f} MiB of JSON Lines)\n")
        lines.append("| measure | searchkit | other | ratio | CPU: searchkit / other (ratio) | target at 100k |")
        lines.append("|---|---:|---:|---:|---:|---|")
        for row in r["rows"]:
            fmt = row["fmt"]
            ours = fmt.format(row["searchkit"]) + f" {row['unit']}" if row["searchkit"] is not None else "—"
            theirs = (fmt.format(row["other"]) + f" ({row['vs']})") if row["other"] is not None else f"— ({row['vs']})"
            ratio = f"{row['ratio']:.2f}" if row["ratio"] else ""
            cpu = ""
            if row["cpu"]:
                a, b = row["cpu"]
                cpu = fmt.format(a) + (" / " + fmt.format(b) if b is not None else "")
                cpu += f" ({row['cpu_ratio']:.2f})" if row["cpu_ratio"] else ""
            lines.append(f"| {row['metric']} | {ours} | {theirs} | {ratio} | {cpu} | {row['target']} |")
        if "opensearch" in r:
            lines += bench_opensearch.markdown(r["size"], r["opensearch"])
        for c in r["checks"]:
            got, want = (c["got"], c["want"]) if not isinstance(c["got"], list) else (len(c["got"]), len(c["want"]))
            lines.append(f"\ncheck: {c['check']} = {got}, expected {want}: {'OK' if c['ok'] else 'MISMATCH'}")
    return "\n".join(lines)


def log_load(path: Path, stop: threading.Event) -> None:
    """Append the time and the load averages to ``path`` every minute until ``stop`` is set (the machine is shared)."""
    with open(path, "a", encoding="utf-8") as out:
        while True:
            out.write(f"{time.strftime('%H:%M:%S', time.gmtime())} UTC  load average: {load_average()}\n")
            out.flush()
            if stop.wait(60):
                return


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10k,100k", help="comma-separated: 10k, 100k, 1m (default 10k,100k)")
    ap.add_argument("--1m", dest="million", action="store_true", help="add the 1M-document size (long)")
    ap.add_argument("--repeat", type=int, default=20, help="timed runs per warm query (default 20)")
    ap.add_argument("--work", type=Path, default=HERE / "work", help="corpora, indexes, results (git-ignored)")
    ap.add_argument("--no-opensearch", dest="opensearch", action="store_false",
                    help="leave out OpenSearch (by default a local node is started for each size)")
    ap.add_argument("--reuse-index", dest="reuse", action="store_true",
                    help="keep an existing work/index-<size> (queries only: no Whoosh indexing rows)")
    ap.add_argument("--fts5-build", nargs=2, metavar=("CORPUS", "DB"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.fts5_build:
        fts5_build(Path(args.fts5_build[0]), Path(args.fts5_build[1]))
        return 0
    if not SOURCE.exists():
        raise SystemExit(f"{SOURCE} not found: the benchmark builds its corpora from it")
    labels = [s.strip().lower() for s in args.sizes.split(",") if s.strip()]
    if args.million and "1m" not in labels:
        labels.append("1m")
    for label in labels:
        if label not in SIZES:
            raise SystemExit(f"unknown size {label!r}: use {', '.join(SIZES)}")
    args.work.mkdir(parents=True, exist_ok=True)
    if args.opensearch and (why := bench_opensearch.available()):
        raise SystemExit(f"cannot start OpenSearch ({why}): pass --no-opensearch to measure without it")
    stamp = time.strftime("%Y%m%d-%H%M%S")
    print(f"machine: {machine()}")
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(f"load average, every minute: {args.work / f'load-{stamp}.log'}", flush=True)
    stop = threading.Event()
    threading.Thread(target=log_load, args=(args.work / f"load-{stamp}.log", stop), daemon=True).start()
    try:
        results = [bench_size(label, SIZES[label], args.work, args.repeat, args.opensearch, args.reuse)
                   for label in labels]
    finally:
        stop.set()
    table = markdown(results)
    print("\n" + table)
    (args.work / f"results-{stamp}.json").write_text(json.dumps({"machine": machine(), "results": results}, indent=1))
    (args.work / f"results-{stamp}.md").write_text(f"machine: {machine()}\n{table}\n")
    failed = [c for r in results for c in r["checks"] if not c["ok"]]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
