"""Variants of searchkit's OpenSearch bulk path, measured on one corpus against one local node.

Run by hand (see RESULTS.md, "OpenSearch and Whoosh at 100k and 1M")::

    .venv/bin/python benchmarks/bench_bulk.py benchmarks/work/corpus-100k
    .venv/bin/python benchmarks/bench_bulk.py benchmarks/work/corpus-100k --variants one,two \
        --warmup benchmarks/work/corpus-10k

Each variant is one fresh ``searchkit index <corpus> --index <url> --rebuild``
process whose writer is adjusted before it starts (``VARIANTS``); the node
(heap as in bench_opensearch) is started once and each variant's index is
deleted after it. Printed per variant: docs/s, wall, searchkit's CPU seconds,
the node's CPU seconds meanwhile, peak RSS of searchkit and of the node, and
the load average before and after (the machine is shared).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import bench_opensearch  # noqa: E402
from measure import load_average, run_with_rss  # noqa: E402

import corpus as bench_corpus  # noqa: E402


def _chunk(n: int):
    def apply():
        from searchkit.engine.opensearch import writer
        writer.CHUNK_DOCS = n
    return apply


def _translog_async():
    from searchkit.engine.opensearch import writer
    body = writer.index_body

    def index_body(shards=1, replicas=0):
        got = body(shards, replicas)
        got["settings"]["index"]["translog"] = {"durability": "async", "sync_interval": "30s"}
        return got
    writer.index_body = index_body


def _apply(*steps):
    def apply():
        for step in steps:
            step()
    return apply


def _senders(n: int):
    def apply():
        from searchkit.engine.opensearch import writer
        writer.SENDERS = n
    return apply


def _dry():
    """Chunks built and serialised as the client would send them, never sent: searchkit's own cost alone."""
    from opensearchpy.serializer import JSONSerializer

    from searchkit.engine.opensearch import writer

    dumps = JSONSerializer().dumps

    def send(self, chunk):
        for act, _, _ in chunk:
            meta = {k: v for k, v in act.items() if k != "_source"}
            dumps(meta)
            dumps(act["_source"])
        return len(chunk), []
    writer.OpenSearchWriter._send = send


# "one": one bulk request at a time, 500 documents each (the bulk path before this benchmark).
VARIANTS = {
    "one": _senders(1),
    "one-chunk2000": _apply(_senders(1), _chunk(2000)),
    "one-translog-async": _apply(_senders(1), _translog_async),
    "two": _senders(2),
    "two-chunk2000": _apply(_senders(2), _chunk(2000)),
    "two-translog-async": _apply(_senders(2), _translog_async),
    "three": _senders(3),
    "dry": _apply(_senders(1), _dry),
}


def child(variant: str, argv: list[str], profile: Path | None) -> None:
    VARIANTS[variant]()
    from searchkit.cli import main
    sys.argv = ["searchkit", *argv]
    if profile is None:
        main()
        return
    # cProfile sees this thread only: profile a variant with one sender, which sends from here.
    import cProfile
    import io
    import pstats
    prof = cProfile.Profile()
    try:
        prof.runcall(main)
    except SystemExit:
        pass
    finally:
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(25)
        profile.write_text(out.getvalue())


def hot_threads(url: str, out: Path, done) -> None:
    """The node's hottest threads every 10 s while a variant runs (what the node spends its CPU on)."""
    import urllib.request
    with open(out, "w", encoding="utf-8") as fh:
        while not done.wait(10):
            try:
                with urllib.request.urlopen(f"{url}/_nodes/hot_threads?threads=3&interval=1s&snapshots=10",
                                            timeout=30) as got:
                    fh.write(got.read().decode("utf-8", "replace") + "\n")
            except OSError as exc:
                fh.write(f"({exc})\n")


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:  # one variant's `searchkit` process: --child VARIANT PROFILE|- ARGS...
        child(argv[1], argv[3:], None if argv[2] == "-" else Path(argv[2]))
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--variants", default=",".join(VARIANTS), help=f"comma-separated, of {', '.join(VARIANTS)}")
    ap.add_argument("--work", type=Path, default=HERE / "work")
    ap.add_argument("--warmup", type=Path, help="index this (small) corpus once first, unmeasured: the node's JIT "
                    "compiles its hot paths during the first ~20k documents")
    ap.add_argument("--profile", action="store_true",
                    help="cProfile searchkit (work/profile-<variant>.txt) and sample the node's hot threads "
                         "(work/hot-<variant>.txt)")
    args = ap.parse_args(argv)
    manifest = bench_corpus.load_manifest(args.corpus)
    n_docs = manifest.documents if manifest else None
    node, home = bench_opensearch.start_node(args.work, f"bulk-{os.getpid()}")  # runs may overlap
    from opensearchpy import OpenSearch
    client = OpenSearch(node.url, timeout=120)
    out = []
    errfile = args.work / f".stderr-bulk-{os.getpid()}"  # one per run: runs may overlap
    try:
        if args.warmup:
            warm = run_with_rss([sys.executable, __file__, "--child", "one", "-", "index", str(args.warmup), "--index",
                                 f"{node.url}/bulk-warmup", "--rebuild"], errfile, watch=node.pid)
            print(f"warm-up on {args.warmup}: wall {warm.wall:.1f} s, node CPU {warm.watched_cpu:.1f} s", flush=True)
            client.indices.delete(index="bulk-*")
        for variant in args.variants.split(","):
            url = f"{node.url}/bulk-{variant}"
            load0 = load_average()
            profile = args.work / f"profile-{variant}.txt" if args.profile else None
            done = threading.Event()
            if args.profile:
                threading.Thread(target=hot_threads, args=(node.url, args.work / f"hot-{variant}.txt", done),
                                 daemon=True).start()
            m = run_with_rss([sys.executable, __file__, "--child", variant, str(profile or "-"), "index",
                              str(args.corpus), "--index", url, "--rebuild"], errfile,
                             watch=node.pid)
            done.set()
            if m.code != 0:
                print(m.err, file=sys.stderr)
                raise SystemExit(f"variant {variant} failed")
            docs = client.count(index=f"bulk-{variant}")["count"]
            got = {"variant": variant, "docs": docs, "docs_per_s": docs / m.wall, "wall": m.wall, "cpu": m.cpu,
                   "node_cpu": m.watched_cpu, "rss": m.rss, "node_rss": m.watched_rss, "load": [load0, load_average()]}
            out.append(got)
            print(f"{variant:<20} {docs} docs{'' if docs == n_docs else ' (NOT ' + str(n_docs) + ')'}: "
                  f"{got['docs_per_s']:.0f} docs/s, wall {m.wall:.1f} s, CPU searchkit {m.cpu:.1f} s + node "
                  f"{m.watched_cpu:.1f} s ({docs / (m.cpu + m.watched_cpu):.0f} docs/CPU-s), peak RSS searchkit "
                  f"{m.rss:.0f} MB, node {m.watched_rss:.0f} MB; load {load0} → {load_average()}", flush=True)
            client.indices.delete(index="bulk-*")
    finally:
        node.stop()
        shutil.rmtree(home, ignore_errors=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (args.work / f"bulk-{stamp}.json").write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
