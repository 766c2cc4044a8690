"""Counts of ``searchkit count`` for a person: the month/year histogram and the table.

The histogram draws one bar per period, empty periods included so gaps show,
articles and comments in two different characters (``█`` and ``░``), so they
stay apart without colour too. When the biggest bar would not fit, every bar
is scaled and the legend says how many documents one character stands for.
"""

from __future__ import annotations

from searchkit.model import ARTICLE, COMMENT, KINDS
from searchkit.output.records import bucket_key
from searchkit.output.text import Style, safe
from searchkit.records import Bucket

BAR_CHARS = {ARTICLE: "█", COMMENT: "░"}
BAR_COLOURS = {ARTICLE: "cyan", COMMENT: "yellow"}
NO_KEY = {"month": "(no date)", "year": "(no date)", "author": "(no author)", "source": "(none)", "kind": "(none)"}


def bar_lengths(counts: dict[str, int], scale: float) -> dict[str, int]:
    """Characters per kind for one bar; a kind with any document gets at least one.

    >>> bar_lengths({"article": 1, "comment": 40}, 0.5)
    {'article': 1, 'comment': 20}
    """
    return {k: (max(1, round(n * scale)) if n else 0) for k, n in counts.items()}


def per_character(scale: float) -> str:
    """Documents one character stands for, as a person reads it.

    >>> per_character(50 / 310), per_character(0.25)
    ('6.2', '4')
    """
    value = 1 / scale
    return f"{value:.0f}" if abs(value - round(value)) < 0.05 else f"{value:.1f}"


def _label(bucket: Bucket, by: str) -> str:
    key = bucket_key(bucket, by)
    return safe(key) if key else NO_KEY[by]


def render_histogram(buckets: list[Bucket], by: str, style: Style, width: int = 80) -> str:
    """One bar per period, articles then comments, with the counts after it.

    >>> print(render_histogram([Bucket("2012", {"article": 2, "comment": 4}),
    ...                         Bucket("2013", {"article": 0, "comment": 0}),
    ...                         Bucket("2014", {"article": 1, "comment": 0})], "year", Style(), 60))
    █ article  ░ comment
    2012  ██░░░░  6 (2 a, 4 c)
    2013          0
    2014  █       1 (1 a, 0 c)
    """
    labels = [_label(b, by) for b in buckets]
    label_width = max((len(label) for label in labels), default=4)
    biggest = max((b.count for b in buckets), default=0)
    room = max(10, width - label_width - 22)
    scale = 1.0 if biggest <= room else room / biggest
    bars = [bar_lengths(b.counts, scale) for b in buckets]
    bar_width = max((sum(x.values()) for x in bars), default=0)
    legend = "  ".join(style(BAR_CHARS[k], fg=BAR_COLOURS[k]) + f" {k}" for k in KINDS)
    if scale < 1:
        legend += f"  (one character ≈ {per_character(scale)} documents)"
    lines = [legend]
    for bucket, label, lengths in zip(buckets, labels, bars, strict=True):
        bar = "".join(style(BAR_CHARS[k] * lengths.get(k, 0), fg=BAR_COLOURS[k]) for k in KINDS if lengths.get(k))
        pad = " " * (bar_width - sum(lengths.values()))
        detail = (f" ({bucket.counts.get(ARTICLE, 0)} a, {bucket.counts.get(COMMENT, 0)} c)"
                  if bucket.count else "")
        lines.append(f"{label:<{label_width}}  {bar}{pad}  {bucket.count}{detail}".rstrip())
    return "\n".join(lines)


def render_table(buckets: list[Bucket], by: str) -> str:
    """Counts per author, source or kind: total, articles, comments, then the key.

    >>> print(render_table([Bucket("Alice", {"article": 0, "comment": 3})], "author"))
    count  article  comment  author
        3        0        3  Alice
    """
    lines = [f"{'count':>5}  {'article':>7}  {'comment':>7}  {by}"]
    for b in buckets:
        lines.append(f"{b.count:>5}  {b.counts.get(ARTICLE, 0):>7}  {b.counts.get(COMMENT, 0):>7}  {_label(b, by)}")
    return "\n".join(lines)
