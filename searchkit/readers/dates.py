"""Dates as archived pages show them, turned into ``datetime`` for the index.

Readers of saved pages meet dates written for people, in French or English,
or machine-readable ones (``time[datetime]``, ``article:published_time``).
``parse_date`` finds the first date (and the time after it, if any) in such a
text. It knows no file, no HTML: readers hand it strings.

Results are naive ``datetime`` values holding the wall-clock time the page
shows: an ISO offset (``+01:00``) is dropped, not converted, so the date
stored is the one a reader of the page saw (and the index holds no mix of
aware and naive values).

Numeric dates are read day first (``09/10/2012`` is 9 October), as French
pages write them, unless that is impossible (``10/25/2012``).
"""

from __future__ import annotations

import re
from datetime import datetime

from unidecode import unidecode

# Month names, folded (lower case, no accents), French then English, with the
# abbreviations blogs print (« janv. », « févr. », « Sept »...).
MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "janvier janv jan january",
        "fevrier fevr fev february feb",
        "mars mar march",
        "avril avr april apr",
        "mai may",
        "juin june jun",
        "juillet juil jul july",
        "aout aou august aug",
        "septembre sept sep september",
        "octobre oct october",
        "novembre nov november",
        "decembre dec december",
    ),
    start=1,
):
    for _name in _names.split():
        MONTHS[_name] = _number

_MONTH = "(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\b\.?"
# A time after the date: « à 22 h 09 min », « at 17:31 », « 02:36 PM », « , 14h05 ».
_TIME = (
    r"(?:\s*(?:,|a|at|@|-|um)?\s*"
    r"(\d{1,2})\s*(?::|h)\s*(\d{2})?(?:\s*min\b)?(?::(\d{2}))?(?:\s*([ap])\.?m\b\.?)?)?"
)
_ISO = re.compile(
    r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?:[t ](\d{2}):(\d{2})(?::(\d{2}))?(?:[.,]\d+)?)?"
)
_DAY_MONTH_YEAR = re.compile(r"(?<!\d)(\d{1,2})(?:er|st|nd|rd|th)?\.?\s+" + _MONTH + r",?\s+(\d{4})(?!\d)" + _TIME)
_MONTH_DAY_YEAR = re.compile(r"\b" + _MONTH + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?!\d)" + _TIME)
_NUMERIC = re.compile(r"(?<!\d)(\d{1,2})([/.-])(\d{1,2})\2(\d{4})(?!\d)" + _TIME)
_NUMERIC_YMD = re.compile(r"(?<!\d)(\d{4})/(\d{1,2})/(\d{1,2})(?!\d)" + _TIME)


def fold(text: str) -> str:
    """Lower case, accents off, every kind of space a plain one.

    >>> fold("Lundi 26 Décembre\\u00a02011")
    'lundi 26 decembre 2011'
    """
    return unidecode(text).lower()


def parse_date(text: str | None) -> datetime | None:
    """The first date (with its time, when given) written in ``text``, else None.

    >>> parse_date("19 avril 2013 à 22 h 09 min")
    datetime.datetime(2013, 4, 19, 22, 9)
    >>> parse_date("lundi 26 décembre 2011")
    datetime.datetime(2011, 12, 26, 0, 0)
    >>> parse_date("2020-01-14T22:05:13+01:00")
    datetime.datetime(2020, 1, 14, 22, 5, 13)
    >>> parse_date("09/10/2012 at 17:31")
    datetime.datetime(2012, 10, 9, 17, 31)
    >>> parse_date("Posted by: Gary Lewis at June 16, 2008 02:36 PM")
    datetime.datetime(2008, 6, 16, 14, 36)
    >>> parse_date("Jan 12, 2018Nov 30, 2018")
    datetime.datetime(2018, 1, 12, 0, 0)
    >>> parse_date("Oct 4, 2019")
    datetime.datetime(2019, 10, 4, 0, 0)
    >>> parse_date("1er mai 2010, 9h05"), parse_date("Juin 2, 2020")
    (datetime.datetime(2010, 5, 1, 9, 5), datetime.datetime(2020, 6, 2, 0, 0))
    >>> parse_date("31 février 2013") is None, parse_date("pas de date") is None
    (True, True)
    """
    if not text:
        return None
    folded = fold(text)
    found: list[tuple[int, datetime]] = []
    for pattern, build in _PATTERNS:
        for m in pattern.finditer(folded):
            value = build(m)
            if value is not None:
                found.append((m.start(), value))
                break
    return min(found, key=lambda pair: pair[0])[1] if found else None


def _make(year, month, day, hour=None, minute=None, second=None, ampm=None) -> datetime | None:
    try:
        hour = int(hour) if hour else 0
        if ampm == "p" and hour < 12:
            hour += 12
        elif ampm == "a" and hour == 12:
            hour = 0
        return datetime(int(year), int(month), int(day), hour, int(minute or 0), int(second or 0))
    except (ValueError, TypeError):
        return None


def _iso(m: re.Match) -> datetime | None:
    return _make(*m.groups())


def _day_month_year(m: re.Match) -> datetime | None:
    day, month, year, *time = m.groups()
    return _make(year, MONTHS[month], day, *time)


def _month_day_year(m: re.Match) -> datetime | None:
    month, day, year, *time = m.groups()
    return _make(year, MONTHS[month], day, *time)


def _numeric(m: re.Match) -> datetime | None:
    first, _, second, year, *time = m.groups()
    day, month = (first, second) if int(second) <= 12 else (second, first)
    return _make(year, month, day, *time)


def _numeric_ymd(m: re.Match) -> datetime | None:
    year, month, day, *time = m.groups()
    return _make(year, month, day, *time)


_PATTERNS = (
    (_ISO, _iso),
    (_DAY_MONTH_YEAR, _day_month_year),
    (_MONTH_DAY_YEAR, _month_day_year),
    (_NUMERIC_YMD, _numeric_ymd),
    (_NUMERIC, _numeric),
)
