"""Indexing memory against the number of files and documents: tiny corpora, RSS of every process, tracemalloc.

Run by hand, never as a unit test::

    .venv/bin/python benchmarks/memory_profile.py tiny 100000 benchmarks/work/tiny-100k
    .venv/bin/python benchmarks/memory_profile.py rss -- .venv/bin/searchkit index DIR --index IX
    .venv/bin/python benchmarks/memory_profile.py trace DIR IX      # the parent's allocations

``tiny`` writes N page dumps of one short article each (40 words drawn from 12, as the
"Many small files" run of RESULTS.md), 1,000 to a folder. ``rss`` runs a command and
prints its wall and CPU seconds and its peak RSS (largest process and the sum over its
process tree, sampled by bench.py's sampler). ``trace`` indexes in this process under
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
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

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
    import bench  # its sampler: largest process and the sum over the tree, every 0.05 s

    wall, largest, code, err, cpu, total = bench.run_with_rss(cmd)
    print(f"exit {code}  wall {wall:.1f} s  cpu {cpu:.1f} s  peak RSS largest {largest:.0f} MB  "
          f"summed {total:.0f} MB")
    if code:
        print(err[-2000:])


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


if __name__ == "__main__":
    verb, args = sys.argv[1], sys.argv[2:]
    if verb == "tiny":
        tiny(int(args[0]), Path(args[1]))
    elif verb == "rss":
        rss(args[1:] if args[0] == "--" else args)
    elif verb == "trace":
        trace(Path(args[0]), Path(args[1]))
    else:
        sys.exit(__doc__)
