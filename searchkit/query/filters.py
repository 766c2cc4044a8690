"""What a user narrows a search or a count to, as plain values; no engine here.

The CLI builds a ``Filters`` from its options (dates as people write them,
an author's name, a glob on the source path, cross-queries between articles
and comments) and ``search`` turns it into index queries. Bad values raise
``QueryError`` naming the value, which the CLI reports with exit code 2.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from searchkit.errors import EmptyQueryError, QueryError
from searchkit.model import ARTICLE, COMMENT, KINDS

SORTS = ("relevance", "date", "-date")

# ISO forms first (2021, 2021-02, 2021-02-19), then the French way (19/02/2021, 02/2021).
_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_FRENCH = re.compile(r"^(?:(\d{1,2})/)?(\d{1,2})/(\d{4})$")


@dataclass(frozen=True)
class Period:
    """A day, a month or a year: the span a date as typed stands for."""

    start: datetime
    end: datetime  # exclusive


def parse_period(text: str, option: str = "date") -> Period:
    """The span of days a user means by ``2021``, ``2021-02``, ``2021-02-19`` or ``19/02/2021``.

    >>> p = parse_period("2021-02")
    >>> p.start.date(), p.end.date()
    (datetime.date(2021, 2, 1), datetime.date(2021, 3, 1))
    >>> parse_period("19/02/2021").start.date()
    datetime.date(2021, 2, 19)
    >>> parse_period("2021-13", "--since")
    Traceback (most recent call last):
    ...
    searchkit.errors.QueryError: --since: '2021-13' is not a date: write 2021, 2021-02, 2021-02-19 or 19/02/2021
    """
    value = text.strip()
    m = _ISO.match(value)
    if m:
        year, month, day = m.group(1), m.group(2), m.group(3)
    else:
        m = _FRENCH.match(value)
        day, month, year = (m.group(1), m.group(2), m.group(3)) if m else (None, None, None)
    try:
        if year is None:
            raise ValueError
        y = int(year)
        if month is None:
            start = datetime(y, 1, 1)
            return Period(start, _after(start, lambda: datetime(y + 1, 1, 1)))
        mo = int(month)
        if day is None:
            start = datetime(y, mo, 1)
            return Period(start, _after(start, lambda: datetime(y + (mo == 12), mo % 12 + 1, 1)))
        start = datetime(y, mo, int(day))
        return Period(start, _after(start, lambda: start + timedelta(days=1)))
    except (ValueError, OverflowError):
        raise QueryError(
            f"{option}: {text!r} is not a date: write 2021, 2021-02, 2021-02-19 or 19/02/2021"
        ) from None


def _after(start: datetime, end) -> datetime:
    """The end of a period starting at ``start``; past year 9999, the last instant there is.

    >>> parse_period("9999").end
    datetime.datetime(9999, 12, 31, 23, 59, 59, 999999)
    """
    try:
        return end()
    except (ValueError, OverflowError):
        return datetime.max


@dataclass
class Filters:
    """Everything besides the query text that decides which documents match.

    ``since`` is inclusive and ``until`` exclusive (``--until 2021-02`` keeps
    all of February). ``in_article`` keeps comments whose article matches that
    query; ``with_comments`` keeps articles having a comment that matches it.
    """

    kind: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    author: str | None = None
    source: str | None = None
    in_article: str | None = None
    with_comments: str | None = None

    @classmethod
    def from_options(cls, kind=None, since=None, until=None, author=None, source=None,
                     in_article=None, with_comments=None) -> Filters:
        """Check and convert the CLI's option values.

        >>> f = Filters.from_options(since="2021-02", until="2021-02")
        >>> f.since.isoformat(), f.until.isoformat()
        ('2021-02-01T00:00:00', '2021-03-01T00:00:00')
        >>> Filters.from_options(in_article="santé").kind
        'comment'
        """
        if kind is not None and kind not in KINDS:
            raise QueryError(f"--kind: unknown kind {kind!r}: use one of {', '.join(KINDS)}")
        for option, value in (("--in-article", in_article), ("--with-comments", with_comments)):
            if value is not None and not value.strip():
                raise EmptyQueryError(f"{option} {value!r} holds no word to search for")
        if in_article and with_comments:
            raise QueryError("--in-article keeps comments and --with-comments keeps articles: use one of them")
        if in_article:
            if kind == ARTICLE:
                raise QueryError("--in-article keeps comments: it cannot be used with --kind article")
            kind = COMMENT
        if with_comments:
            if kind == COMMENT:
                raise QueryError("--with-comments keeps articles: it cannot be used with --kind comment")
            kind = ARTICLE
        start = parse_period(since, "--since").start if since else None
        end = parse_period(until, "--until").end if until else None
        if start and end and start >= end:
            raise QueryError(f"--since {since} is after --until {until}: nothing can match")
        return cls(kind=kind, since=start, until=end, author=_blank_to_none(author),
                   source=_blank_to_none(source), in_article=_blank_to_none(in_article),
                   with_comments=_blank_to_none(with_comments))


def _blank_to_none(value: str | None) -> str | None:
    return value if value and value.strip() else None


def check_sort(sort: str) -> str:
    if sort not in SORTS:
        raise QueryError(f"--sort: unknown order {sort!r}: use one of {', '.join(SORTS)}")
    return sort
