"""What a Whoosh indexing worker holds: tracemalloc of one worker's writer, before and during its final flush.

One ``FastSegmentWriter`` (the writer a worker runs) is fed every other document
of a corpus (a worker's share with two workers); snapshots by file are taken
after adding, just before the final flush, and in the middle of writing the
postings. Usage: ``python benchmarks/worker_trace.py CORPUS_DIR MAX_DOCUMENTS``.
"""

import glob
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import searchkit.engine.whoosh.postings as postings
from searchkit.engine.whoosh import internals, storage
from searchkit.engine.whoosh.schema import document_fields
from searchkit.engine.whoosh.writer import POOL_LIMIT_MB
from searchkit.readers import FileReport, read_file

corpus, limit = sys.argv[1], int(sys.argv[2])
files = sorted(glob.glob(f"{corpus}/*.jsonl"))

def top(snap, n=12):
    stats = snap.statistics("filename")
    total = sum(s.size for s in stats)
    print(f"  total traced {total / 2**20:.1f} MiB")
    for s in stats[:n]:
        where = s.traceback[0].filename.split("site-packages/")[-1]
        print(f"  {s.size / 2**20:8.1f} MiB  {s.count:>9} blocks  {where}")

tracemalloc.start(1)
mid = {}
real_write = postings.write_postings
def traced_write(fieldwriter, schema, columns, items):
    def watched(items):
        for n, item in enumerate(items):
            if n == 3_000_000 and "snap" not in mid:
                mid["snap"] = tracemalloc.take_snapshot()
                mid["peak"] = tracemalloc.get_traced_memory()
            yield item
    return real_write(fieldwriter, schema, columns, watched(items))
internals.write_postings = traced_write
with tempfile.TemporaryDirectory() as tmp:
    ix = storage.create_index(Path(tmp) / "ix")
    w = internals.FastSegmentWriter(ix, limitmb=POOL_LIMIT_MB)
    n = 0
    t = time.process_time()
    for f in files:
        for post in read_file(Path(f), Path(f).name, FileReport(f)):
            for d in post.documents:
                if n % 2 == 0:  # a worker gets every other batch: half the documents
                    w.add_document(**document_fields(d))
                n += 1
        if n >= limit:
            break
    cur, peak = tracemalloc.get_traced_memory()
    print(f"added {n // 2} documents in {time.process_time() - t:.0f} CPU-s; "
          f"traced now {cur / 2**20:.1f} MiB, peak {peak / 2**20:.1f} MiB")
    snap = tracemalloc.take_snapshot()
    print("before the final flush, by file:")
    top(snap)
    tracemalloc.reset_peak()
    w.commit()
    cur, peak = tracemalloc.get_traced_memory()
    print(f"final flush: peak {peak / 2**20:.1f} MiB traced")
    if "snap" in mid:
        print(f"in the middle of writing the postings (traced {mid['peak'][0] / 2**20:.1f} MiB):")
        top(mid["snap"])
