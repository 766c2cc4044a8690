"""Where indexing CPU goes: stage profile of the parent and a worker, CPU-second timings, per-field costs.

Usage (from the repository root; indexes go under benchmarks/work/):

    .venv/bin/python benchmarks/index_profile.py time CORPUS [--runs 3] [--code DIR --code DIR]
    .venv/bin/python benchmarks/index_profile.py profile CORPUS
    .venv/bin/python benchmarks/index_profile.py fields CORPUS

``time`` runs ``searchkit index CORPUS --index benchmarks/work/ix-prof --rebuild`` as a
fresh process (``python -m searchkit`` in each ``--code`` folder, interleaved) and
reports wall seconds, CPU seconds (user + system of the command and its worker
processes) and documents per CPU-second. ``profile`` runs the same index in-process
under cProfile (CPU time), the parent and each worker, and prints each one's CPU by
stage (self time of the functions of each stage). ``fields`` writes the corpus in one
process with each field analysed on its own and timed, then reads the index back and
prints, per field, its terms, postings, bytes in the index and analysis CPU.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import resource
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / "work"
INDEX = WORK / "ix-prof"
FIELDS_INDEX = WORK / "ix-fields"

# Stage of a function by (file fragment, function name or "*"), first match wins.
STAGES = [
    ("reading JSON Lines", [("searchkit/readers/", "*"), ("json/", "*"), ("<built-in method _json", "*")]),
    ("dedup fingerprint", [("searchkit/ingest/dedup.py", "*"), ("unicodedata", "*"),
                           ("<built-in method _hashlib", "*"), ("urllib/parse.py", "*")]),
    ("analysis chain", [("searchkit/analysis.py", "*"),
                        ("searchkit/engine/whoosh/schema.py", "__call__"),
                        ("unidecode", "*"), ("Stemmer", "*"), ("<method 'finditer'", "*"),
                        ("<method 'findall'", "*"), ("<method 'difference' of 'set'", "*"),
                        ("<method 'sub' of 're.Pattern'", "*"), ("<method 'search' of 're.Pattern'", "*"),
                        ("<method 'lower'", "*"), ("<method 'encode' of 'str'", "*"),
                        ("<method 'group' of 're.Match'", "*"), ("<method 'start' of 're.Match'", "*"),
                        ("<method 'isascii'", "*"), ("<method 'get' of 'dict'", "*")]),
    ("term counting (fields, formats)", [("whoosh/postings.py", "_postings_of"),
                                         ("whoosh/postings.py", "_whoosh_postings"),
                                         ("whoosh/fields.py", "*"), ("whoosh/formats.py", "*"),
                                         ("whoosh/analysis/", "*"), ("whoosh/compat.py", "*")]),
    ("posting pool (add, sort, spill)", [("whoosh/externalsort.py", "*"), ("heapq", "*"),
                                         ("<built-in method _pickle", "*"),
                                         ("<method 'sort' of 'list'", "*"), ("internals.py", "_write_run"),
                                         ("internals.py", "_read_run"), ("<built-in method _heapq", "*"),
                                         ("whoosh/writing.py", "add"), ("whoosh/writing.py", "iter_postings")]),
    ("stored fields, lengths, columns", [("whoosh/codec/whoosh3.py", "add_field"),
                                         ("whoosh/codec/whoosh3.py", "start_doc"),
                                         ("whoosh/codec/whoosh3.py", "finish_doc"), ("whoosh/columns.py", "*"),
                                         ("whoosh/codec/whoosh3.py", "add_column_value"),
                                         ("whoosh/codec/whoosh3.py", "_get_column"),
                                         ("whoosh/codec/base.py", "add_column_value"),
                                         ("<built-in method zlib", "*")]),
    ("codec: postings and terms", [("whoosh/postings.py", "write_postings"), ("whoosh/postings.py", "_finish_term"),
                                   ("whoosh/codec/", "*"), ("whoosh/filedb/", "*"), ("whoosh/util/", "*"),
                                   ("whoosh/system.py", "*"), ("<built-in method _struct", "*"),
                                   ("<method 'pack' of '_struct", "*"), ("<built-in method builtins.sorted", "*"),
                                   ("<method 'write' of '_io", "*"), ("array", "*")]),
    ("writer (add_document, groups, jobs)", [("whoosh/writing.py", "*"), ("whoosh/multiproc.py", "*"),
                                             ("searchkit/engine/whoosh/", "*"), ("schema.py", "document_fields")]),
]


def stage_of(filename: str, func: str) -> str:
    for stage, rules in STAGES:
        for frag, name in rules:
            if frag in filename and (name == "*" or name == func):
                return stage
    return "other"


def stage_table(stats: pstats.Stats) -> list[tuple[str, float]]:
    by: dict[str, float] = defaultdict(float)
    for (filename, _line, func), (_cc, _nc, tt, _ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        by[stage_of(filename if filename != "~" else func, func)] += tt
    return sorted(by.items(), key=lambda kv: -kv[1])


def print_stages(title: str, stats: pstats.Stats) -> None:
    rows = stage_table(stats)
    total = sum(s for _, s in rows) or 1.0
    print(f"\n{title}: {total:.1f} s profiled")
    for stage, secs in rows:
        print(f"  {stage:40s} {secs:7.2f} s  {100 * secs / total:5.1f} %")


def cmd_time(corpus: str, runs: int, codes: list[str], index: Path) -> None:
    """``runs`` rounds; each round runs the index once with each code tree, interleaved."""
    corpus = os.path.abspath(corpus)
    for n in range(runs):
        for code in codes:
            shutil.rmtree(index, ignore_errors=True)
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            # ``python -m searchkit`` from the code tree's folder imports that tree's package.
            out = subprocess.run([sys.executable, "-m", "searchkit", "index", corpus, "--index", str(index),
                                  "--rebuild"], capture_output=True, text=True, check=True, cwd=code)
            wall = time.perf_counter() - t0
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            docs = _docs(out.stdout + out.stderr)
            load = os.getloadavg()[0]
            print(f"{code}: run {n + 1}: {docs} docs, wall {wall:.1f} s ({docs / wall:.0f} docs/s), "
                  f"CPU {cpu:.1f} s ({docs / cpu:.0f} docs per CPU-second), load {load:.1f}", flush=True)
    shutil.rmtree(index, ignore_errors=True)


def _docs(output: str) -> int:
    import re

    m = re.search(r"(\d+) articles, (\d+) comments", output)
    return int(m.group(1)) + int(m.group(2)) if m else 0


def cmd_profile(corpus: str) -> None:
    from searchkit.engine.whoosh import internals
    from searchkit.ingest.run import index_paths

    outdir = WORK / "profiles"
    shutil.rmtree(outdir, ignore_errors=True)
    outdir.mkdir(parents=True)
    original_run = internals._JobFileTask.run

    def profiled_run(self):  # forked workers inherit this patch
        prof = cProfile.Profile(time.process_time)
        prof.enable()
        try:
            original_run(self)
        finally:
            prof.disable()
            prof.dump_stats(str(outdir / f"worker-{os.getpid()}.prof"))

    internals._JobFileTask.run = profiled_run  # type: ignore[method-assign]
    shutil.rmtree(INDEX, ignore_errors=True)
    prof = cProfile.Profile(time.process_time)
    t0 = time.process_time()
    prof.enable()
    index_paths([Path(corpus)], INDEX, rebuild=True)
    prof.disable()
    print(f"parent CPU {time.process_time() - t0:.1f} s (with profiling)")
    prof.dump_stats(str(outdir / "parent.prof"))
    print_stages("parent", pstats.Stats(str(outdir / "parent.prof")))
    for path in sorted(outdir.glob("worker-*.prof")):
        print_stages(path.stem, pstats.Stats(str(path)))
    shutil.rmtree(INDEX, ignore_errors=True)


def cmd_fields(corpus: str) -> None:
    from whoosh.codec.whoosh3 import W3TermInfo

    from searchkit.engine.whoosh import internals, storage
    from searchkit.engine.whoosh.postings import OnePassAnalysis
    from searchkit.ingest.run import index_paths

    spent: dict[str, float] = defaultdict(float)
    postings: dict[str, int] = defaultdict(int)
    real_make_writer = internals.make_writer

    def one_process_writer(ix, **kwargs):
        kwargs["procs"] = 1
        writer = real_make_writer(ix, **kwargs)
        timed = [field for _, field in writer.schema.items() if field.indexed]
        for name, field in writer.schema.items():
            if field.indexed:
                field.index = _timed(field.index, name, spent, postings)
        real_commit = writer.commit

        def commit(*args, **kwargs):  # the schema is pickled into the index: unwrap first
            for field in timed:
                del field.index
            return real_commit(*args, **kwargs)

        writer.commit = commit
        return writer

    internals.make_writer = one_process_writer  # type: ignore[assignment]
    # Each field analysed on its own (Whoosh's add_document), so that its analysis can be timed.
    OnePassAnalysis._one_pass_fields = lambda self: None  # type: ignore[method-assign]
    shutil.rmtree(FIELDS_INDEX, ignore_errors=True)
    t0 = time.process_time()
    index_paths([Path(corpus)], FIELDS_INDEX, rebuild=True)
    total_cpu = time.process_time() - t0
    ix = storage.open_index(FIELDS_INDEX)
    reader = ix.reader()
    sizes: dict[str, int] = defaultdict(int)
    terms: dict[str, int] = defaultdict(int)
    for leaf, _ in reader.leaf_readers():
        terms_reader = leaf._terms  # the segment's term table: key = field number + term
        for key, value in terms_reader._tindex.items():
            name, _ = terms_reader._keydecoder(key)
            info = W3TermInfo.from_bytes(value)
            extent = 0 if info.is_inlined() else info._length
            sizes[name] += len(key) + len(value) + (extent[0] if isinstance(extent, tuple) else extent)
            terms[name] += 1
    print(f"one process, {total_cpu:.1f} s CPU in all")
    print(f"{'field':14s} {'terms':>9s} {'postings':>10s} {'index MB':>9s} {'analysis+count CPU s':>21s}")
    for name in sorted(sizes, key=lambda n: -sizes[n]):
        print(f"{name:14s} {terms[name]:9d} {postings[name]:10d} {sizes[name] / 1e6:9.2f} {spent[name]:21.2f}")
    cols: dict[str, int] = defaultdict(int)
    for path in FIELDS_INDEX.iterdir():
        if path.suffix == ".col":
            cols[path.name.split(".", 1)[1]] += path.stat().st_size
    for name, size in sorted(cols.items(), key=lambda kv: -kv[1]):
        print(f"column {name:30s} {size / 1e6:9.2f} MB")
    reader.close()


def _timed(index, name, spent, postings):
    def timed(value, **kwargs):
        t0 = time.process_time()
        items = list(index(value, **kwargs))
        spent[name] += time.process_time() - t0
        postings[name] += len(items)
        return items

    return timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["time", "profile", "fields"])
    parser.add_argument("corpus")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--index", default=str(INDEX), help="where ``time`` writes its index (deleted after)")
    parser.add_argument("--code", action="append", help="a folder holding a searchkit package to time "
                        "(repeat to interleave several; default: this repository)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.mode == "time":
        cmd_time(args.corpus, args.runs, args.code or [str(ROOT)], Path(args.index).resolve())
    elif args.mode == "profile":
        cmd_profile(args.corpus)
    else:
        cmd_fields(args.corpus)


if __name__ == "__main__":
    main()
