"""bench.py's query rows on an existing OpenSearch index: wall and CPU of searchkit, and the node's CPU per search.

    .venv/bin/python benchmarks/opensearch_queries.py http://127.0.0.1:9200/bench-100k --node-pid 1234

Each query type is timed warm through ``searchkit.api`` (``measure.timed_search``:
top 10 with snippets unless the row says otherwise), then the rows are printed
as a Markdown table. Run it with another checkout first on ``PYTHONPATH`` to
measure that code against the same index (a before/after on one node).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import QUERIES  # noqa: E402
from measure import cpu_seconds, load_average, p50, p95, timed_search  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="the index URL (http://host:port/name)")
    parser.add_argument("--node-pid", type=int, help="the node's pid, to read its CPU seconds from /proc")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)

    import searchkit
    from searchkit.api import Filters, open_archive

    print(f"searchkit from {Path(searchkit.__file__).parent}; load average {load_average()}")
    print("| query | p50 (p95) ms | searchkit CPU ms p50 | node CPU ms mean | total shown |")
    print("|---|---:|---:|---:|---|")
    with open_archive(args.url) as archive:
        for name, text, kind, _match, snippets in QUERIES:
            node0 = cpu_seconds(args.node_pid) if args.node_pid else 0.0
            walls, cpus = timed_search(archive, text, kind, snippets, args.repeat)
            node_ms = (cpu_seconds(args.node_pid) - node0) * 1000 / (args.repeat + 2) if args.node_pid else 0.0
            found = archive.search(text, Filters(kind=kind), limit=10)
            total = f"{'' if found.total_is_exact else 'more than '}{found.total}"
            print(f"| {name} | {p50(walls) * 1000:.1f} ({p95(walls) * 1000:.1f}) | {p50(cpus) * 1000:.1f} "
                  f"| {node_ms:.1f} | {total} |", flush=True)
    print(f"load average after: {load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
