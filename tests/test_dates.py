"""parse_date: the date formats met in saved French and English blog pages."""

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from searchkit.readers.dates import parse_date


def test_french_date_with_wordpress_time_in_hours_and_minutes():
    assert parse_date("19 avril 2013 à 22 h 09 min") == datetime(2013, 4, 19, 22, 9)


def test_french_date_with_weekday_and_no_time_is_midnight():
    assert parse_date("lundi 26 décembre 2011") == datetime(2011, 12, 26)


def test_french_month_without_accent_and_first_of_month():
    assert parse_date("1er fevrier 2010") == datetime(2010, 2, 1)


def test_french_abbreviated_month_with_dot():
    assert parse_date("3 janv. 2015, 14h05") == datetime(2015, 1, 3, 14, 5)


def test_blogger_comment_time_without_min():
    assert parse_date("26 décembre 2011 à 13 h 47") == datetime(2011, 12, 26, 13, 47)


def test_iso_datetime_keeps_the_wall_clock_time_and_drops_the_offset():
    assert parse_date("2020-01-14T22:05:13+01:00") == datetime(2020, 1, 14, 22, 5, 13)


def test_iso_date_alone():
    assert parse_date("2013-04-19") == datetime(2013, 4, 19)


def test_numeric_date_is_read_day_first():
    assert parse_date("09/10/2012 at 17:31") == datetime(2012, 10, 9, 17, 31)


def test_numeric_date_is_read_month_first_when_day_first_is_impossible():
    assert parse_date("10/25/2012") == datetime(2012, 10, 25)


def test_english_month_day_year_with_pm_time():
    assert parse_date("June 16, 2008 02:36 PM") == datetime(2008, 6, 16, 14, 36)


def test_twelve_am_is_midnight():
    assert parse_date("June 16, 2008 12:05 AM") == datetime(2008, 6, 16, 0, 5)


def test_english_abbreviated_month():
    assert parse_date("Oct 4, 2019") == datetime(2019, 10, 4)


def test_french_month_name_in_english_order():
    assert parse_date("Juin 2, 2020") == datetime(2020, 6, 2)


def test_date_found_inside_a_longer_line():
    line = "Posted by: Gary Lewis at June 16, 2008 02:36 PM"
    assert parse_date(line) == datetime(2008, 6, 16, 14, 36)


def test_first_of_two_glued_dates_wins():
    assert parse_date("Jan 12, 2018Nov 30, 2018") == datetime(2018, 1, 12)


@pytest.mark.parametrize("text", ["31 février 2013", "32/01/2012", "pas de date ici", "", None, "81 Commentaires"])
def test_no_date_gives_none(text):
    assert parse_date(text) is None


MOIS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
        "novembre", "décembre"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
# The ways archived pages write a date and time, each inside the line a page puts it in.
WRITTEN = [
    lambda d: f"Publié le {d.day} {MOIS[d.month - 1]} {d.year} à {d.hour} h {d.minute:02d} min par Anne",
    lambda d: f"{d.day} {MOIS[d.month - 1]} {d.year} à {d.hour:02d}h{d.minute:02d}",
    lambda d: f"{d:%Y-%m-%dT%H:%M:00}+02:00",
    lambda d: f"{d:%d/%m/%Y} at {d:%H:%M}",
    lambda d: f"Posted by: Gary at {MONTHS[d.month - 1]} {d.day}, {d.year} {d:%I:%M %p}",
]


@given(st.datetimes(min_value=datetime(1995, 1, 1), max_value=datetime(2035, 12, 31)).map(
           lambda d: d.replace(second=0, microsecond=0)),
       st.sampled_from(range(len(WRITTEN))))
def test_a_date_written_as_pages_write_it_reads_back_exactly(value, form):
    assert parse_date(WRITTEN[form](value)) == value


@given(st.dates(min_value=datetime(1995, 1, 1).date(), max_value=datetime(2035, 12, 31).date()),
       st.sampled_from(["lundi ", "", "le "]))
def test_a_french_date_without_time_is_that_day_at_midnight(day, before):
    text = f"{before}{day.day} {MOIS[day.month - 1]} {day.year}"
    assert parse_date(text) == datetime(day.year, day.month, day.day)
