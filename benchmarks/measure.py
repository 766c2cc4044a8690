"""Timing and memory helpers shared by bench.py and bench_opensearch.py: processes, RSS sampling, percentiles."""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def run_measured(cmd: list[str], env=None) -> tuple[float, int, str, str, float]:
    """Wall seconds, exit code, stdout, stderr and CPU seconds of one process."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return (wall, proc.returncode, out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"),
                usage.ru_utime + usage.ru_stime)


def tree_rss_mb(pid: int) -> tuple[float, float]:
    """Resident memory now of a process tree, in MB: (largest process, sum) (Linux /proc)."""
    sizes, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
                    break
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return max(sizes, default=0.0), sum(sizes)


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a running process has used so far, all its threads (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime (fields 14 and 15 of stat)


@dataclass
class Measured:
    """One process run by ``run_with_rss``; ``watched_*`` are about another process (a server) meanwhile."""

    wall: float
    rss: float  # peak RSS MB of the largest process of the tree
    code: int
    err: str
    cpu: float  # user + system seconds, children included
    rss_sum: float  # peak RSS MB summed over the tree (forked workers share pages: overstates)
    watched_rss: float = 0.0  # peak RSS MB of the watched process
    watched_cpu: float = 0.0  # CPU seconds the watched process used during the run


def run_with_rss(cmd: list[str], errfile: Path, watch: int | None = None) -> Measured:
    """Run ``cmd`` and sample its process tree's RSS from /proc every 0.05 s (``wait4``'s maxrss
    would count the memory of the benchmark process itself, copied at fork); ``watch`` is the pid
    of a server whose peak RSS and CPU seconds during the run are measured too."""
    start = time.perf_counter()
    peaks = [0.0, 0.0, 0.0]
    watch_cpu0 = cpu_seconds(watch) if watch else 0.0
    with open(os.devnull, "wb") as devnull, open(errfile, "wb") as err:
        proc = subprocess.Popen(cmd, stdout=devnull, stderr=err)
        done = threading.Event()

        def sample():
            while not done.wait(0.05):
                largest, total = tree_rss_mb(proc.pid)
                peaks[0], peaks[1] = max(peaks[0], largest), max(peaks[1], total)
                if watch:
                    peaks[2] = max(peaks[2], tree_rss_mb(watch)[0])

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        done.set()
        sampler.join()
    wall = time.perf_counter() - start
    return Measured(wall, peaks[0], os.waitstatus_to_exitcode(status), errfile.read_text("utf-8", "replace"),
                    usage.ru_utime + usage.ru_stime, peaks[1], peaks[2],
                    (cpu_seconds(watch) - watch_cpu0) if watch else 0.0)


def timed(fn, repeat: int, warmup: int = 2) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of ``repeat`` calls (CPU time drifts less on a busy machine)."""
    for _ in range(warmup):
        fn()
    walls, cpus = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn()
        cpus.append(time.process_time() - c)
        walls.append(time.perf_counter() - t)
    return walls, cpus


def timed_search(archive, text: str, kind, snippets: bool, repeat: int) -> tuple[list[float], list[float]]:
    """``timed`` runs of a top-10 search as ``searchkit search`` makes it; without ``snippets``,
    ranking and stored fields only (``searchkit.api.snippet`` stood in for by an empty one)."""
    from searchkit import api as sk_api
    from searchkit.query import Filters

    def run():
        return archive.search(text, Filters(kind=kind), limit=10)

    if snippets:
        return timed(run, repeat)
    real = sk_api.snippet
    sk_api.snippet = lambda *a, **k: []
    try:
        return timed(run, repeat)
    finally:
        sk_api.snippet = real


def p50(xs: list[float]) -> float:
    return statistics.median(xs)


def p95(xs: list[float]) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(0.95 * (len(xs) - 1)))]


def dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, as `uptime` shows them."""
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())
