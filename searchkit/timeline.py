"""Counts of matching documents for ``searchkit count``: histogram, table, JSON, CSV.

``search.Searcher.count_by`` counts (without scoring) and hands over plain
``Bucket`` records, one per period, author, source or kind; this module only
lays them out. The month and year histogram draws one bar per period, empty
periods included so gaps show, articles and comments in two different
characters (``█`` and ``░``), so they stay apart without colour too.
"""

from __future__ import annotations

import math

from searchkit.model import ARTICLE, COMMENT, KINDS

BAR_CHARS = {ARTICLE: "█", COMMENT: "░"}
BAR_COLOURS = {ARTICLE: "cyan", COMMENT: "yellow"}
NO_KEY = {"month": "(no date)", "year": "(no date)", "author": "(no author)", "source": "(none)", "kind": "(none)"}


def key_name(by: str) -> str:
    """The JSON/CSV name of the key column: ``period`` for months and years."""
    return "period" if by in ("month", "year") else by


def bucket_record(bucket, by: str) -> dict:
    """
    >>> from searchkit.records import Bucket
    >>> bucket_record(Bucket("2012-03", {"article": 1, "comment": 4}), "month")
    {'period': '2012-03', 'count': 5, 'article': 1, 'comment': 4}
    """
    return {key_name(by): bucket.key, "count": bucket.count, **{k: bucket.counts.get(k, 0) for k in KINDS}}


def write_csv(buckets, by: str, stream) -> None:
    import csv

    writer = csv.writer(stream)
    columns = [key_name(by), "count", *KINDS]
    writer.writerow(columns)
    for b in buckets:
        record = bucket_record(b, by)
        writer.writerow(["" if record[c] is None else record[c] for c in columns])


def bar_lengths(counts: dict[str, int], scale: float) -> dict[str, int]:
    """Characters per kind for one bar; a kind with any document gets at least one.

    >>> bar_lengths({"article": 1, "comment": 40}, 0.5)
    {'article': 1, 'comment': 20}
    """
    return {k: (max(1, round(n * scale)) if n else 0) for k, n in counts.items()}


def render_histogram(buckets, by: str, colour: bool, width: int = 80) -> str:
    """One bar per period, articles then comments, with the counts after it.

    >>> from searchkit.records import Bucket
    >>> print(render_histogram([Bucket("2012", {"article": 2, "comment": 4}),
    ...                         Bucket("2013", {"article": 0, "comment": 0}),
    ...                         Bucket("2014", {"article": 1, "comment": 0})], "year", False, 60))
    █ article  ░ comment
    2012  ██░░░░  6 (2 a, 4 c)
    2013          0
    2014  █       1 (1 a, 0 c)
    """
    from searchkit.output import safe, styler

    style = styler(colour)
    label_width = max((len(b.key or NO_KEY[by]) for b in buckets), default=4)
    biggest = max((b.count for b in buckets), default=0)
    room = max(10, width - label_width - 22)
    scale = 1.0 if biggest <= room else room / biggest
    bars = [bar_lengths(b.counts, scale) for b in buckets]
    bar_width = max((sum(x.values()) for x in bars), default=0)
    legend = "  ".join(style(BAR_CHARS[k], fg=BAR_COLOURS[k]) + f" {k}" for k in KINDS)
    if scale < 1:
        legend += f"  (one character ≈ {math.ceil(1 / scale)} documents)"
    lines = [legend]
    for bucket, lengths in zip(buckets, bars):
        label = safe(bucket.key) if bucket.key else NO_KEY[by]
        bar = "".join(style(BAR_CHARS[k] * lengths.get(k, 0), fg=BAR_COLOURS[k]) for k in KINDS if lengths.get(k))
        pad = " " * (bar_width - sum(lengths.values()))
        detail = (f" ({bucket.counts.get(ARTICLE, 0)} a, {bucket.counts.get(COMMENT, 0)} c)"
                  if bucket.count else "")
        lines.append(f"{label:<{label_width}}  {bar}{pad}  {bucket.count}{detail}".rstrip())
    return "\n".join(lines)


def render_table(buckets, by: str) -> str:
    """Counts per author, source or kind: total, articles, comments, then the key.

    >>> from searchkit.records import Bucket
    >>> print(render_table([Bucket("Alice", {"article": 0, "comment": 3})], "author"))
    count  article  comment  author
        3        0        3  Alice
    """
    from searchkit.output import safe

    lines = [f"{'count':>5}  {'article':>7}  {'comment':>7}  {by}"]
    for b in buckets:
        key = safe(b.key) if b.key else NO_KEY[by]
        lines.append(f"{b.count:>5}  {b.counts.get(ARTICLE, 0):>7}  {b.counts.get(COMMENT, 0):>7}  {key}")
    return "\n".join(lines)
