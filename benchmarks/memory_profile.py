"""Indexing memory against the number of files and documents: tiny corpora, RSS of every process, tracemalloc.

Run by hand, never as a unit test::

    .venv/bin/python benchmarks/memory_profile.py tiny 100000 benchmarks/work/tiny-100k
    .venv/bin/python benchmarks/memory_profile.py rss -- .venv/bin/searchkit index DIR --index IX
    .venv/bin/python benchmarks/memory_profile.py trace DIR IX      # the parent's allocations
    .venv/bin/python benchmarks/memory_profile.py vocab benchmarks/work/corpus-1m 72  # analysis caches

``tiny`` writes N page dumps of one short article each (40 words drawn from 12, as the
"Many small files" run of RESULTS.md), 1,000 to a folder. ``rss`` runs a command and
prints its wall and CPU seconds and its peak RSS (largest process, the sum over its
process tree, and each process's own peak: the parent's and the workers', sampled every 0.05 s
from /proc as bench.py does). ``trace`` indexes in this process under
tracemalloc and prints, just before the commit and at the end, the lines holding the most
memory: what grows with the corpus.
"""

from __future__ import annotations

import random
import sys
import time
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent

WORDS = ["maison", "jardin", "soleil", "rivière", "ville", "route", "livre", "lettre", "fenêtre", "table",
         "chemin", "école"]


def tiny(n: int, out: Path, seed: int = 14) -> None:
    rng = random.Random(seed)
    for i in range(n):
        folder = out / f"d{i // 1000:04d}"
        if i % 1000 == 0:
            folder.mkdir(parents=True, exist_ok=True)
        body = " ".join(rng.choice(WORDS) for _ in range(40))
        (folder / f"billet-{i:07d}.txt").write_text(f"Billet {i}\n\n{body}.\n", "utf-8")


def rss(cmd: list[str]) -> None:
    """Wall, CPU, and peak RSS: the largest process, the tree summed, and each process's own peak."""
    import os
    import subprocess
    import threading

    peaks: dict[int, float] = {}
    tree = [0.0]

    def rss_of(pid: int) -> float:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def pids(root: int) -> list[int]:
        found, todo = [], [root]
        while todo:
            p = todo.pop()
            found.append(p)
            try:
                for task in Path(f"/proc/{p}/task").iterdir():
                    todo += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                pass
        return found

    started = time.perf_counter()
    with open(os.devnull, "wb") as devnull:
        proc = subprocess.Popen(cmd, stdout=devnull, stderr=subprocess.PIPE)
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.05):
                total = 0.0
                for p in pids(proc.pid):
                    try:
                        r = rss_of(p)
                    except OSError:
                        continue
                    peaks[p] = max(peaks.get(p, 0.0), r)
                    total += r
                tree[0] = max(tree[0], total)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        err = proc.stderr.read() if proc.stderr else b""
        _, status, usage = os.wait4(proc.pid, 0)
        done.set()
        sampler.join()
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    parent = peaks.pop(proc.pid, 0.0)
    workers = sorted(peaks.values(), reverse=True)
    print(f"exit {code}  wall {wall:.1f} s  cpu {usage.ru_utime + usage.ru_stime:.1f} s  "
          f"peak RSS largest {max([parent, *workers]):.0f} MB  summed {tree[0]:.0f} MB  parent {parent:.0f} MB  "
          f"workers {' '.join(f'{w:.0f}' for w in workers[:6])} MB")
    if code:
        print(err.decode("utf-8", "replace")[-2000:])


def trace(corpus: Path, ix: Path, top: int = 12) -> None:
    from searchkit.engine.whoosh import writer as whoosh_writer
    from searchkit.ingest.run import index_paths

    def show(label: str) -> None:
        snap = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(False, tracemalloc.__file__)])
        current, peak = tracemalloc.get_traced_memory()
        print(f"--- {label}: traced now {current / 2**20:.1f} MiB, peak {peak / 2**20:.1f} MiB")
        for stat in snap.statistics("lineno")[:top]:
            frame = stat.traceback[0]
            print(f"{stat.size / 2**20:8.1f} MiB {stat.count:9d} blocks  {frame.filename.split('site-packages/')[-1]}"
                  f":{frame.lineno}")

    commit = whoosh_writer.WhooshWriter.commit

    def commit_traced(self, *args, **kwargs):
        show("before the commit (every file read)")
        return commit(self, *args, **kwargs)

    whoosh_writer.WhooshWriter.commit = commit_traced  # type: ignore[method-assign]
    tracemalloc.start(1)
    started = time.perf_counter()
    summary = index_paths([corpus], ix)
    show(f"after the run ({time.perf_counter() - started:.0f} s, {summary.files_read} files read)")


def vocab(corpus: Path, files: int, every: int = 100_000) -> None:
    """Distinct surface forms met every ``every`` documents of a JSON Lines corpus, and what the analysis
    caches hold for them (``analysis.Chain._cache``: one entry per form and chain, up to ``CACHE_LIMIT``)."""
    import json

    from searchkit import analysis

    sample = []
    forms: set[str] = set()
    docs = 0
    for path in sorted(corpus.glob("*.jsonl"))[:files]:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                post = json.loads(line)
                for text in [post.get("title") or "", post.get("body") or "",
                             *[c.get("body") or "" for c in post.get("comments", [])]]:
                    for m in analysis.WORD.finditer(text):
                        forms.add(m.group())
                    docs += 1 if text is not post.get("title") else 0
                    if docs % every == 0 and docs:
                        print(f"{docs:>9} documents: {len(forms):>9} distinct surface forms")
                        if not sample:
                            sample = list(forms)[:20_000]
    tracemalloc.start()
    chain = analysis.STEMMED
    chain._cache.clear()
    before = tracemalloc.get_traced_memory()[0]
    for form in sample:
        chain.terms_of(form)
    per_entry = (tracemalloc.get_traced_memory()[0] - before) / max(len(sample), 1)
    print(f"{docs} documents, {len(forms)} forms; a cache entry ~{per_entry:.0f} B: both chains would hold "
          f"~{2 * min(len(forms), analysis.Chain.CACHE_LIMIT) * per_entry / 2**20:.0f} MiB per process")


if __name__ == "__main__":
    verb, args = sys.argv[1], sys.argv[2:]
    if verb == "tiny":
        tiny(int(args[0]), Path(args[1]))
    elif verb == "rss":
        rss(args[1:] if args[0] == "--" else args)
    elif verb == "vocab":
        vocab(Path(args[0]), int(args[1]))
    elif verb == "trace":
        trace(Path(args[0]), Path(args[1]))
    else:
        sys.exit(__doc__)
