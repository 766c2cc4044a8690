"""Counts by month or year laid out as a timeline: every period from the first to the last, gaps included.

A histogram needs its empty periods, so they are filled in, unless the span
is absurd (a stray date in year 9999 beside 2013): past
``MAX_TIMELINE_PERIODS`` periods only the periods holding documents are
listed, in time order.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from searchkit.records import Bucket

MAX_TIMELINE_PERIODS = 1200  # 100 years of months


def period_of(when: datetime, by: str) -> str:
    """
    >>> period_of(datetime(201, 5, 1), "month"), period_of(datetime(2013, 2, 1), "year")
    ('0201-05', '2013')
    """
    return f"{when.year:04d}-{when.month:02d}" if by == "month" else f"{when.year:04d}"


def periods_between(first: str, last: str, by: str) -> list[str]:
    """
    >>> periods_between("2012-11", "2013-02", "month")
    ['2012-11', '2012-12', '2013-01', '2013-02']
    >>> periods_between("2005", "2007", "year")
    ['2005', '2006', '2007']
    """
    if by == "year":
        return [f"{y:04d}" for y in range(int(first), int(last) + 1)]
    y, m = map(int, first.split("-"))
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def span(first: str, last: str, by: str) -> int:
    """How many periods lie from ``first`` to ``last`` inclusive.

    >>> span("0001-01", "9999-12", "month"), span("2011", "2013", "year")
    (119988, 3)
    """
    if by == "year":
        return int(last) - int(first) + 1
    (y1, m1), (y2, m2) = map(int, first.split("-")), map(int, last.split("-"))
    return (y2 - y1) * 12 + (m2 - m1) + 1


def timeline(counts: dict[str | None, dict[str, int]], by: str, kinds: list[str],
             since: datetime | None = None, until: datetime | None = None) -> list[Bucket]:
    """Buckets in time order, empty periods between the first and the last included.

    With ``since``/``until`` the timeline spans what was asked, so empty
    periods at either end show too. Undated documents come last (key None).

    >>> [b.key for b in timeline({"2012": {"article": 1}, "2014": {"article": 2}}, "year", ["article"])]
    ['2012', '2013', '2014']
    """
    periods = sorted(k for k in counts if k is not None)
    if since:
        periods.insert(0, period_of(since, by))
    if until:
        periods.append(period_of(until - timedelta(microseconds=1), by))
    buckets = []
    if periods:
        first, last = min(periods), max(periods)
        if span(first, last, by) <= MAX_TIMELINE_PERIODS:
            keys = periods_between(first, last, by)
        else:
            keys = sorted(k for k in counts if k is not None)
        for period in keys:
            buckets.append(Bucket(period, counts.get(period, dict.fromkeys(kinds, 0))))
    if None in counts:
        buckets.append(Bucket(None, counts[None]))
    return buckets
