"""Where a fresh ``searchkit search`` process spends its time: whole-process runs, imports, phases.

Three measurements, each of a fresh process, as a user runs
``searchkit search '"Privacy Shield"' --index X --limit 10`` (stdout a file):

* ``runs``: whole-process wall and CPU time (user + system, from ``wait4``),
  commands interleaved round by round so that load drifts hit each alike;
  median, fastest and 90th percentile;
* ``imports``: ``python -X importtime`` repeated; each module's own import time
  is the median over the runs, summed by package (the table of RESULTS.md);
* ``phases``: one driver process doing what ``searchkit search`` does, step by
  step (imports, opening the index, the search with snippets, the output,
  did-you-mean), wall and CPU per step, median over the runs.

Each ``--python`` names an interpreter whose ``searchkit`` is the code to time
(e.g. a venv of a regular install of the code before, and one of the code
after); ``label=path`` gives it a name. Bytecode is cached as for an installed
searchkit (``PYTHONDONTWRITEBYTECODE`` is dropped, one warm-up run first).

    python benchmarks/startup_bench.py --python before=/tmp/v1/bin/python \\
        --python after=.venv/bin/python --index benchmarks/work/index-100k --runs 20
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

QUERY = '"Privacy Shield"'
# The console script's body (what ``pip install`` writes into bin/searchkit).
SCRIPT = "import sys; from searchkit.cli import main; sys.argv[0] = 'searchkit'; sys.exit(main())"

# One process, the steps of ``searchkit search QUERY --limit 10`` into a file (flat
# hits, no colour), each timed in wall and CPU seconds; printed as one line of JSON.
DRIVER = r"""
import json, sys, time
marks = [("start", time.perf_counter(), time.process_time())]
def mark(name):
    marks.append((name, time.perf_counter(), time.process_time()))
# Each module's own import CPU time (what -X importtime gives in wall time, which a
# loaded machine inflates): importlib's _find_and_load, wrapped; children subtracted.
import importlib._bootstrap as _bootstrap
imports, _stack, _find = {}, [], _bootstrap._find_and_load
def _timed_find(name, import_):
    _stack.append(0.0)
    start = time.process_time()
    try:
        return _find(name, import_)
    finally:
        spent = time.process_time() - start
        children = _stack.pop()
        if _stack:
            _stack[-1] += spent
        imports[name] = (spent - children, len(marks))
_bootstrap._find_and_load = _timed_find
import searchkit.cli
mark("import searchkit.cli")
import searchkit.cli.search_cmd
from searchkit import output
from searchkit.api import open_archive
from searchkit.query import Filters
mark("import the search command")
query, index, out = sys.argv[1], sys.argv[2], open(sys.argv[3], "w")
printer = output.choose_printer("terminal", out, output.Style.for_terminal(False), 80, full=False)
mark("printer")
archive = open_archive(index)
mark("open index")
results = archive.search(query, Filters(), sort="relevance", limit=10)
mark("search + snippets")
printer.hits(results)
out.flush()
mark("output")
archive.did_you_mean(query, found=results.total, filters=Filters())
mark("did you mean")
archive.close()
mark("close")
_bootstrap._find_and_load = _find
print(json.dumps({"phases": [(b[0], b[1] - a[1], b[2] - a[2]) for a, b in zip(marks, marks[1:])],
                  "imports": {n: (cpu, marks[k][0]) for n, (cpu, k) in imports.items()}}))
"""


def environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run(cmd: list[str], cwd: str) -> tuple[float, float, int, str]:
    """Wall seconds, CPU seconds, exit code and stderr of one process (stdout to a file)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=environment(), cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        err.seek(0)
        return wall, usage.ru_utime + usage.ru_stime, os.waitstatus_to_exitcode(status), err.read().decode()


def search_cmd(python: str, index: str, *flags: str) -> list[str]:
    return [python, *flags, "-c", SCRIPT, "search", QUERY, "--index", index, "--limit", "10"]


def summary(values: list[float]) -> str:
    ms = sorted(v * 1000 for v in values)
    p90 = ms[min(len(ms) - 1, round(0.9 * (len(ms) - 1)))]
    return f"{statistics.median(ms):7.1f} {ms[0]:7.1f} {p90:7.1f}"


def measure_runs(pythons: dict[str, str], index: str, runs: int, cwd: str) -> None:
    cmds = {label: search_cmd(py, index) for label, py in pythons.items()}
    for label, py in pythons.items():  # a bare interpreter, for reference
        cmds[f"{label}: python -c pass"] = [py, "-c", "pass"]
    for cmd in cmds.values():  # warm-up: bytecode written, files in the page cache
        _, _, code, err = run(cmd, cwd)
        if code not in (0, 1):
            raise SystemExit(f"{cmd} failed ({code}): {err}")
    walls, cpus = defaultdict(list), defaultdict(list)
    for i in range(runs):
        order = list(cmds.items())
        if i % 2:
            order.reverse()  # alternate who goes first
        for label, cmd in order:
            wall, cpu, _, _ = run(cmd, cwd)
            walls[label].append(wall)
            cpus[label].append(cpu)
    print(f"\n{runs} runs each, interleaved; load average {os.getloadavg()[0]:.2f} at the end")
    print(f"{'command':40} {'wall ms: median    min    p90':30}   {'CPU ms: median    min    p90'}")
    for label in cmds:
        print(f"{label:40} {summary(walls[label]):30}   {summary(cpus[label])}")


_IMPORT_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \| ( *)(\S+)$")


def group_of(module: str) -> str:
    top = module.split(".")[0]
    if top == "searchkit":
        parts = module.split(".")
        return ".".join(parts[:3]) if parts[:2] == ["searchkit", "engine"] else ".".join(parts[:2])
    if top in ("whoosh", "click"):
        return ".".join(module.split(".")[:2]) if top == "whoosh" else top
    return top


def measure_imports(pythons: dict[str, str], index: str, runs: int, cwd: str, top: int) -> None:
    per_label: dict[str, dict[str, float]] = {}
    for label, py in pythons.items():
        selfs: dict[str, list[int]] = defaultdict(list)
        run(search_cmd(py, index), cwd)
        for _ in range(runs):
            _, _, _, err = run(search_cmd(py, index, "-X", "importtime"), cwd)
            for line in err.splitlines():
                m = _IMPORT_LINE.match(line)
                if m:
                    selfs[m.group(4)].append(int(m.group(1)))
        per_label[label] = {mod: statistics.median(v + [0] * (runs - len(v))) / 1000 for mod, v in selfs.items()}
    labels = list(per_label)
    print(f"\nimport time, ms (median of {runs} runs of each module's own time, summed by group); "
          f"load average {os.getloadavg()[0]:.2f}")
    groups: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for label, mods in per_label.items():
        for mod, ms in mods.items():
            g = group_of(mod)
            groups[g][label] += ms
            counts[g][label] += 1
    rows = sorted(groups.items(), key=lambda kv: -max(kv[1].values()))
    print("| group | " + " | ".join(f"{lb} ms (modules)" for lb in labels) + " |")
    print("|---|" + "---|" * len(labels))
    for g, by in rows[:top]:
        print(f"| {g} | " + " | ".join(f"{by.get(lb, 0):.1f} ({counts[g].get(lb, 0)})" for lb in labels) + " |")
    rest = rows[top:]
    print("| (others) | " + " | ".join(
        f"{sum(by.get(lb, 0) for _, by in rest):.1f} ({sum(counts[g].get(lb, 0) for g, _ in rest)})"
        for lb in labels) + " |")
    print("| **total** | " + " | ".join(
        f"**{sum(per_label[lb].values()):.1f}** ({len(per_label[lb])})" for lb in labels) + " |")


def measure_phases(pythons: dict[str, str], index: str, runs: int, cwd: str, top: int) -> None:
    import json

    results: dict[str, list[dict]] = defaultdict(list)
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "out.txt")
        for i in range(runs + 1):
            for label, py in pythons.items():
                proc = subprocess.run([py, "-c", DRIVER, QUERY, index, out], capture_output=True, text=True,
                                      env=environment(), cwd=cwd, check=True)
                if i:  # the first is a warm-up
                    results[label].append(json.loads(proc.stdout.splitlines()[-1]))
    labels = list(results)
    print(f"\nphases of one process, ms (median of {runs} runs: wall / CPU / CPU importing modules); "
          f"load average {os.getloadavg()[0]:.2f}")
    names = [name for name, _, _ in results[labels[0]][0]["phases"]]
    print("| step | " + " | ".join(labels) + " |")
    print("|---|" + "---|" * len(labels))
    for i, name in enumerate(names):
        cells = []
        for lb in labels:
            wall = statistics.median(r["phases"][i][1] for r in results[lb]) * 1000
            cpu = statistics.median(r["phases"][i][2] for r in results[lb]) * 1000
            imp = statistics.median(sum(c for c, phase in r["imports"].values() if phase == name)
                                    for r in results[lb]) * 1000
            cells.append(f"{wall:.1f} / {cpu:.1f} / {imp:.1f}")
        print(f"| {name} | " + " | ".join(cells) + " |")
    # Import CPU by group: each module's own CPU time, median over the runs, summed.
    groups: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    late: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for lb in labels:
        mods = {name for r in results[lb] for name in r["imports"]}
        for mod in mods:
            cpus = [r["imports"][mod][0] if mod in r["imports"] else 0.0 for r in results[lb]]
            g = group_of(mod)
            groups[g][lb] += statistics.median(cpus) * 1000
            counts[g][lb] += 1
            phase = results[lb][0]["imports"].get(mod, (0, "?"))[1]
            if phase not in ("import searchkit.cli", "import the search command"):
                late[g][lb].add(phase)
    print(f"\nimport CPU, ms (each module's own CPU time, median of {runs} runs, summed by group; "
          f"after 'during': imported by that step, not at start)")
    print("| group | " + " | ".join(f"{lb} ms (modules)" for lb in labels) + " |")
    print("|---|" + "---|" * len(labels))
    rows = sorted(groups.items(), key=lambda kv: -max(kv[1].values()))

    def cell(g: str, lb: str) -> str:
        if not counts[g].get(lb):
            return "—"
        during = f", during {'/'.join(sorted(late[g][lb]))}" if late[g][lb] else ""
        return f"{groups[g][lb]:.1f} ({counts[g][lb]}{during})"

    for g, _ in rows[:top]:
        print(f"| {g} | " + " | ".join(cell(g, lb) for lb in labels) + " |")
    rest = [g for g, _ in rows[top:]]
    print("| (others) | " + " | ".join(
        f"{sum(groups[g].get(lb, 0) for g in rest):.1f} ({sum(counts[g].get(lb, 0) for g in rest)})"
        for lb in labels) + " |")
    print("| **total** | " + " | ".join(
        f"**{sum(groups[g].get(lb, 0) for g in groups):.1f}** ({sum(counts[g].get(lb, 0) for g in groups)})"
        for lb in labels) + " |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--python", action="append", required=True, metavar="LABEL=PATH",
                    help="an interpreter whose searchkit to time (repeat to compare)")
    ap.add_argument("--index", required=True, help="the index folder to search")
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--import-runs", type=int, default=10)
    ap.add_argument("--top", type=int, default=20, help="import groups to show")
    ap.add_argument("--only", choices=["runs", "imports", "phases"], action="append")
    args = ap.parse_args()
    pythons = dict(p.split("=", 1) if "=" in p else (p, p) for p in args.python)
    index = str(Path(args.index).resolve())
    cwd = tempfile.gettempdir()  # not the source tree: its searchkit/ must not shadow the one timed
    only = args.only or ["runs", "imports", "phases"]
    print(f"searchkit search {QUERY} --index {args.index} --limit 10; python {sys.version.split()[0]}")
    if "runs" in only:
        measure_runs(pythons, index, args.runs, cwd)
    if "imports" in only:
        measure_imports(pythons, index, args.import_runs, cwd, args.top)
    if "phases" in only:
        measure_phases(pythons, index, args.runs, cwd, args.top)


if __name__ == "__main__":
    main()
