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


PIECES = st.sampled_from(list("0123456789/.-: hTZ+apmAPMàé") + ["avril ", "June ", "2013", "er ", "12:"])


@given(st.lists(PIECES, max_size=30).map("".join))
def test_any_text_gives_a_datetime_or_none(text):
    value = parse_date(text)
    assert value is None or isinstance(value, datetime)
