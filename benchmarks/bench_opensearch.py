"""The OpenSearch side of bench.py: one local node, the same corpus and queries as the Whoosh rows, side by side.

For each size, ``bench.py --opensearch`` (the default) calls :func:`bench_size`
after the Whoosh and FTS5 part. It starts a fresh single node from
``tools/opensearch/node.py`` on free ports, its data under
``<work>/opensearch-<size>`` (deleted afterwards), heap :data:`HEAP`, and
measures, as for Whoosh:

* ``searchkit index <corpus> --index http://127.0.0.1:<port>/bench-<size> --rebuild``
  (a fresh process): docs/s, wall and CPU seconds of searchkit, CPU seconds
  of the node meanwhile, peak RSS of searchkit's process tree (largest and
  summed) and of the node, index size and segments; then a re-run on the
  unchanged corpus;
* each query type warm through ``searchkit.api`` (p50, p95, CPU);
* a fresh ``searchkit search '"Privacy Shield"'`` process;
* checks: the documents, the planted phrase's hits (all and comments) equal
  the manifest's and the very ids Whoosh found, and each query's exact count
  by kind is the same on both engines.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import time
from pathlib import Path

from measure import cpu_seconds, dir_bytes, load_average, p50, p95, run_measured, run_with_rss, timed_search

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# 2 GB of the machine's 24: the indexing buffer (10 % of heap) holds ~200 MB of
# segments before a flush, and the rest of the RAM stays for the page cache
# (Lucene's files) and for the other processes on this shared machine.
HEAP = "2g"


def node_module():
    """tools/opensearch/node.py, loaded by path (it is a script, not a package)."""
    spec = importlib.util.spec_from_file_location("searchkit_node", ROOT / "tools" / "opensearch" / "node.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def available() -> str | None:
    """None when a node can be started here, else why not."""
    missing = node_module().missing_tools()
    return f"{' and '.join(missing)} not found on PATH" if missing else None


def start_node(work: Path, label: str):
    node = node_module()
    node.build()
    home = work / f"opensearch-{label}"
    shutil.rmtree(home, ignore_errors=True)
    http, transport = node.free_ports(2)
    t = time.perf_counter()
    n = node.start_node("bench-1", http, transport, home, cluster_name="searchkit-bench", heap=HEAP)
    n.wait_for("green", timeout=300)
    print(f"opensearch: node at {n.url}, pid {n.pid}, heap {HEAP}, green in {time.perf_counter() - t:.1f} s",
          flush=True)
    return n, home


def index_facts(client, alias: str) -> tuple[float, int]:
    """(store size MB of the primaries, Lucene segments) of the index behind ``alias``."""
    stats = client.indices.stats(index=alias, metric="store,segments")["_all"]["primaries"]
    return stats["store"]["size_in_bytes"] / 1e6, stats["segments"]["count"]


def bench_size(label: str, corpus_dir: Path, manifest, work: Path, repeat: int, whoosh: dict, queries: list,
               index_cmd: list[str], search_cmd: list[str]) -> dict:
    """Measure OpenSearch on one size; ``whoosh`` is bench.py's result for the same size (rows, ids, counts);
    ``index_cmd`` and ``search_cmd`` start searchkit as bench.py does for Whoosh."""
    from searchkit.api import Filters, open_archive

    print(f"\n### OpenSearch, {label} documents (load average {load_average()})", flush=True)
    w_rows = {row["metric"]: row for row in whoosh["rows"]}
    rows: list[dict] = []
    checks = whoosh["checks"]
    n_docs = manifest.documents

    def row(name, os_value, w_value=None, unit="", fmt="{:.1f}", cpu=None, note=""):
        if w_value is None and name in w_rows:
            w_value = w_rows[name]["searchkit"]
        ratio = os_value / w_value if os_value is not None and w_value else None
        rows.append({"metric": name, "whoosh": w_value, "opensearch": os_value, "unit": unit, "ratio": ratio,
                     "cpu": cpu, "fmt": fmt, "note": note})
        o = fmt.format(os_value) if os_value is not None else "—"
        wv = fmt.format(w_value) if w_value is not None else "—"
        print(f"  {name:<36} OpenSearch {o:>9} {unit:<6} Whoosh {wv:>9}" + (f"  ratio {ratio:.2f}" if ratio else "")
              + (f"  CPU {cpu}" if cpu else ""), flush=True)

    def check(name, got, want):
        ok = got == want
        checks.append({"check": name, "got": got, "want": want, "ok": ok})
        shown = (f"{len(got)} (expected {len(want)}, {'the same' if ok else 'not the same'})" if isinstance(got, list)
                 else f"{got} (expected {want})")
        print(f"  check {name}: {shown} {'OK' if ok else 'MISMATCH'}", flush=True)

    node, home = start_node(work, label)
    try:
        url = f"{node.url}/bench-{label}"
        errfile = work / ".stderr-opensearch"
        uptime = [load_average()]
        m = run_with_rss([*index_cmd, "index", str(corpus_dir), "--index", url, "--rebuild"], errfile,
                         watch=node.pid)
        uptime.append(load_average())
        if m.code != 0:
            print(m.err, file=sys.stderr)
            raise SystemExit(f"searchkit index {url} failed with exit code {m.code}")
        # With bench.py --reuse-index the Whoosh index was not built in this run: no Whoosh indexing figures.
        w_cpu = w_rows["index wall s"]["cpu"][0] if "index wall s" in w_rows else None
        whoosh_rate = f", Whoosh {n_docs / w_cpu:.0f}" if w_cpu else ""
        row("index docs/s", n_docs / m.wall, unit="doc/s", fmt="{:.0f}",
            cpu=f"docs per CPU-s: searchkit {n_docs / m.cpu:.0f}, searchkit + node "
                f"{n_docs / (m.cpu + m.watched_cpu):.0f}{whoosh_rate}")
        row("index wall s", m.wall, unit="s",
            cpu=f"CPU s: searchkit {m.cpu:.1f} + node {m.watched_cpu:.1f} = {m.cpu + m.watched_cpu:.1f}"
                + (f"; Whoosh {w_cpu:.1f}" if w_cpu else ""), note=f"load {uptime[0]} → {uptime[1]}")
        row("index peak RSS MB", m.rss, unit="MB", fmt="{:.0f}", note="searchkit's largest process")
        row("index peak RSS, sum of processes MB", m.rss_sum, unit="MB", fmt="{:.0f}", note="searchkit's tree")
        row("node peak RSS MB (while indexing)", m.watched_rss, None, "MB", fmt="{:.0f}", note=f"heap {HEAP}")

        from opensearchpy import OpenSearch

        client = OpenSearch(node.url, timeout=120)
        size_mb, segments = index_facts(client, f"bench-{label}")
        row("index size MB", size_mb, unit="MB")
        row("segments", segments, whoosh.get("segments"), "", fmt="{:.0f}")
        m2 = run_with_rss([*index_cmd, "index", str(corpus_dir), "--index", url], errfile)
        row("re-run unchanged s", m2.wall, unit="s", fmt="{:.2f}", cpu=f"CPU s {m2.cpu:.2f}")

        with open_archive(url) as s:
            for name, text, kind, _match, snippets in queries:
                node_cpu = cpu_seconds(node.pid)
                got = timed_search(s, text, kind, snippets, repeat)
                # The node's CPU per search (a mean: /proc counts in clock ticks), beside this process's.
                node_ms = (cpu_seconds(node.pid) - node_cpu) * 1000 / (repeat + 2)
                w_cpu_ms = w_rows[name]["cpu"][0]
                row(name, p50(got[0]) * 1000, unit="ms p50",
                    cpu=f"CPU ms: searchkit p50 {p50(got[1]) * 1000:.1f} + node mean {node_ms:.1f}; "
                        f"Whoosh p50 {w_cpu_ms:.1f}")
                row(name + " (p95)", p95(got[0]) * 1000, unit="ms p95")
            check("OpenSearch indexed documents", s.stats().documents, n_docs)
            ids = sorted(h.doc.id for h in s.search('"Privacy Shield"', limit=None).hits)
            check('OpenSearch "Privacy Shield" hits', len(ids), manifest.phrase_docs)
            check('OpenSearch "Privacy Shield" --kind comment',
                  s.search('"Privacy Shield"', Filters(kind="comment"), limit=1).total, manifest.phrase_comments)
            check('"Privacy Shield": the same ids as Whoosh', ids, whoosh["phrase_ids"])
            for name, text, kind, _match, _snippets in queries:
                if name.endswith("no snippets"):
                    continue
                check(f"count {text!r}{' --kind ' + kind if kind else ''}: the same as Whoosh",
                      s.count(text, Filters(kind=kind)), whoosh["counts"][name])

        cmd = [*search_cmd, "search", '"Privacy Shield"', "--limit", "10", "--index", url]
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        run_measured(cmd, env)
        cold, cold_cpu, code = [], [], 0
        for _ in range(max(5, repeat // 2)):
            wall, code, _out, _err, cpu = run_measured(cmd, env)
            cold.append(wall)
            cold_cpu.append(cpu)
        row("cold search process s", p50(cold), unit="s", fmt="{:.3f}", cpu=f"CPU s p50 {p50(cold_cpu):.3f}")
        check("cold `searchkit search --index URL` exit code", code, 0)
        row("node RSS MB after the searches", node_rss(node.pid), None, "MB", fmt="{:.0f}")
        row("node data folder MB", dir_bytes(home / "data") / 1e6, None, "MB")
    finally:
        node.stop()
        shutil.rmtree(home, ignore_errors=True)
    return {"rows": rows, "heap": HEAP}


def node_rss(pid: int) -> float:
    from measure import tree_rss_mb

    return tree_rss_mb(pid)[0]


def markdown(label: str, result: dict) -> list[str]:
    lines = [f"\n#### OpenSearch (one node, heap {result['heap']}) beside Whoosh, {label} documents\n",
             "| measure | Whoosh | OpenSearch | OpenSearch / Whoosh | CPU | note |", "|---|---:|---:|---:|---|---|"]
    for row in result["rows"]:
        fmt = row["fmt"]
        w = fmt.format(row["whoosh"]) + f" {row['unit']}" if row["whoosh"] is not None else "—"
        o = fmt.format(row["opensearch"]) + f" {row['unit']}" if row["opensearch"] is not None else "—"
        ratio = f"{row['ratio']:.2f}" if row["ratio"] else ""
        lines.append(f"| {row['metric']} | {w} | {o} | {ratio} | {row['cpu'] or ''} | {row['note']} |")
    return lines
