"""The month histogram as geometry for the SVG template: one stacked bar per month.

The server draws the chart (no chart library, no script): articles and
comments are two stacked rectangles of different colours and patterns,
every month is a link narrowing the search to that month, and undated
documents are counted apart.

>>> from searchkit.records import Bucket
>>> c = month_chart([Bucket("2016-01", {"article": 1, "comment": 3}), Bucket(None, {"article": 2, "comment": 0})],
...                 lambda key: "/search?since=" + key)
>>> len(c.bars), c.undated, c.bars[0].label
(1, 2, '2016-01: 1 article(s), 3 comment(s)')
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

PLOT_HEIGHT = 180  # px of the tallest bar
LEFT, TOP, BOTTOM, RIGHT = 44, 12, 28, 12


@dataclass
class Bar:
    key: str
    href: str
    label: str  # the month and its counts, for the tooltip and screen readers
    x: float
    width: float
    article_y: float
    article_h: float
    comment_y: float
    comment_h: float
    hit_y: float  # the clickable area: the whole column, so a tiny bar is easy to hit


@dataclass
class Chart:
    bars: list[Bar] = field(default_factory=list)
    years: list[tuple[float, str]] = field(default_factory=list)  # (x, label) at each January
    width: float = 0
    height: float = TOP + PLOT_HEIGHT + BOTTOM
    plot_top: float = TOP
    plot_bottom: float = TOP + PLOT_HEIGHT
    left: float = LEFT
    biggest: int = 0
    undated: int = 0
    total: int = 0


def month_chart(buckets, href: Callable[[str], str]) -> Chart:
    """A chart of ``count_by(..., "month")`` buckets; ``href(month)`` is each bar's link."""
    dated = [b for b in buckets if b.key]
    chart = Chart(undated=sum(b.count for b in buckets if not b.key), total=sum(b.count for b in buckets))
    if not dated:
        return chart
    step = max(8.0, min(48.0, 900.0 / len(dated)))
    bar_width = round(step * 0.8, 1)
    chart.biggest = max(b.count for b in dated)
    scale = PLOT_HEIGHT / chart.biggest if chart.biggest else 0
    bottom = TOP + PLOT_HEIGHT
    for i, b in enumerate(dated):
        x = round(LEFT + i * step, 1)
        articles, comments = b.counts.get("article", 0), b.counts.get("comment", 0)
        ah, ch = round(articles * scale, 1), round(comments * scale, 1)
        # A month with any document shows at least one pixel of each kind it has.
        ah = max(ah, 1.0) if articles else 0.0
        ch = max(ch, 1.0) if comments else 0.0
        chart.bars.append(Bar(
            key=b.key, href=href(b.key),
            label=f"{b.key}: {articles} article(s), {comments} comment(s)",
            x=x, width=bar_width,
            article_y=round(bottom - ah, 1), article_h=ah,
            comment_y=round(bottom - ah - ch, 1), comment_h=ch,
            hit_y=TOP,
        ))
        if (i == 0 or b.key.endswith("-01")) and (not chart.years or x - chart.years[-1][0] >= 36):
            chart.years.append((x, b.key[:4]))  # labels closer than their width would overlap
    chart.width = round(LEFT + len(dated) * step + RIGHT, 1)
    return chart
