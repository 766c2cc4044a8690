"""``searchkit serve`` under load: page and API latency, then concurrent clients. Run by hand.

    .venv/bin/python benchmarks/web_bench.py               # the 100k corpus (built and indexed once)
    .venv/bin/python benchmarks/web_bench.py --size 10k    # quicker

It builds the benchmark corpus (``corpus.py``, as ``bench.py`` does) and its
index under ``benchmarks/work/`` unless they are there, starts ``searchkit
serve`` on a free port, warms it, then from this process (a client on the same
machine, keep-alive connections):

* p50 and p95 of the search page (top 10 posts grouped, snippets, per-kind
  counts, did-you-mean) and of ``/api/search`` (top 10 hits with snippets);
* N concurrent clients (default 20) for S seconds (default 30) over a mix of
  pages and API calls: requests per second, latency, and every error.
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpus as bench_corpus  # noqa: E402

SOURCE = HERE.parent.parent / "shared" / "corpora" / "eltec-fra-paragraphs.tsv.xz"
SIZES = {"10k": 10_000, "100k": 100_000}
SEARCHKIT = [sys.executable, "-m", "searchkit"]
QUERIES = ["maison", '"Privacy Shield"', "maison jardin", "tisserand", "eglise"]
TARGETS = {"search page": 60.0, "api search": 40.0}  # p50 ms, issue 12


def ensure_index(label: str, work: Path) -> Path:
    corpus_dir, index_dir = work / f"corpus-{label}", work / f"index-{label}"
    manifest = bench_corpus.ensure(SIZES[label], corpus_dir, SOURCE)
    print(f"corpus: {manifest.documents} documents in {corpus_dir}", flush=True)
    if not (index_dir / "searchkit.json").exists():
        t = time.perf_counter()
        subprocess.run([*SEARCHKIT, "index", str(corpus_dir), "--index", str(index_dir)], check=True,
                       stderr=subprocess.DEVNULL)
        print(f"indexed in {time.perf_counter() - t:.0f} s", flush=True)
    return index_dir


def get(conn: http.client.HTTPConnection, path: str) -> tuple[int, bytes]:
    conn.request("GET", path)
    answer = conn.getresponse()
    return answer.status, answer.read()


def latencies(port: int, paths: list[str], repeat: int) -> list[float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    out = []
    for _ in range(repeat):
        for path in paths:
            t = time.perf_counter()
            status, _ = get(conn, path)
            out.append((time.perf_counter() - t) * 1000)
            if status != 200:
                raise SystemExit(f"{path}: HTTP {status}")
    conn.close()
    return out


def load(port: int, paths: list[str], clients: int, seconds: float) -> dict:
    stop = time.perf_counter() + seconds
    times: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        i = n
        while time.perf_counter() < stop:
            path = paths[i % len(paths)]
            i += 1
            t = time.perf_counter()
            try:
                status, _ = get(conn, path)
                problem = None if status == 200 else f"{path}: HTTP {status}"
            except Exception as exc:  # noqa: BLE001 (every failure counts as an error)
                problem = f"{path}: {exc!r}"
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            with lock:
                times.append((time.perf_counter() - t) * 1000)
                if problem:
                    errors.append(problem)
        conn.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"requests": len(times), "rps": len(times) / seconds, "p50": statistics.median(times),
            "p95": statistics.quantiles(times, n=20)[-1], "errors": len(errors), "first_errors": errors[:5]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", choices=list(SIZES), default="100k")
    ap.add_argument("--work", type=Path, default=HERE / "work")
    ap.add_argument("--repeat", type=int, default=20, help="runs of each query for the p50")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=30.0)
    args = ap.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    index_dir = ensure_index(args.size, args.work)
    server = subprocess.Popen([*SEARCHKIT, "serve", "--index", str(index_dir), "--port", "0"],
                              stdout=subprocess.PIPE, text=True)
    try:
        match = re.search(r":(\d+)/ ", server.stdout.readline())
        assert match, "searchkit serve did not print its URL"
        port = int(match.group(1))
        pages = [f"/search?q={quote(q)}" for q in QUERIES]
        apis = [f"/api/search?q={quote(q)}" for q in QUERIES]
        one = json.loads(get(http.client.HTTPConnection("127.0.0.1", port), apis[0])[1])
        doc = one["hits"][0]["id"]
        latencies(port, pages + apis, 2)  # warm: caches, first-use imports
        results = {}
        for name, paths in (("search page", pages), ("api search", apis)):
            xs = latencies(port, paths, args.repeat)
            results[name] = (statistics.median(xs), statistics.quantiles(xs, n=20)[-1])
        mix = pages + apis + [f"/doc/{doc}", f"/api/thread/{doc}", f"/timeline?q={quote(QUERIES[1])}",
                              f"/api/search/grouped?q={quote(QUERIES[2])}", "/search?q=maison&kind=comment&page=3"]
        loaded = load(port, mix, args.clients, args.seconds)
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"\n{args.size} documents, {len(QUERIES)} queries x {args.repeat} runs, warm server\n")
    print("| measure | p50 ms | p95 ms | target p50 |\n|---|---|---|---|")
    for name, (p50, p95) in results.items():
        print(f"| {name} | {p50:.1f} | {p95:.1f} | ≤ {TARGETS[name]:.0f} |")
    print(f"\n{args.clients} concurrent clients for {args.seconds:.0f} s over {len(mix)} URLs: "
          f"{loaded['requests']} requests ({loaded['rps']:.1f}/s), p50 {loaded['p50']:.0f} ms, "
          f"p95 {loaded['p95']:.0f} ms, {loaded['errors']} error(s)")
    for e in loaded["first_errors"]:
        print(f"  error: {e}")
    return 1 if loaded["errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
