"""Timelines at the edges of the calendar: years before 1000 keep four digits, a stray year 9999 cannot flood the terminal."""

from __future__ import annotations

import json

from searchkit.cli import main


def index_dates(runner, tmp_path, dates):
    lines = [json.dumps({"title": f"Billet {n}", "body": "Le jardin du presbytère.", "date": d, "id": f"p{n}"})
             for n, d in enumerate(dates)]
    (tmp_path / "blog.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    ix = tmp_path / "ix"
    assert runner.invoke(main, ["index", str(tmp_path / "blog.jsonl"), "--index", str(ix)]).exit_code == 0
    return ix


def test_a_date_in_year_9999_beside_2013_gives_two_periods_not_a_million_lines(runner, tmp_path):
    ix = index_dates(runner, tmp_path, ["2013-01-05", "9999-12-31"])
    result = runner.invoke(main, ["count", "jardin", "--by", "month", "--json", "--index", str(ix)])
    assert result.exit_code == 0
    assert [json.loads(line)["period"] for line in result.stdout.splitlines()] == ["2013-01", "9999-12"]
    shown = runner.invoke(main, ["count", "jardin", "--by", "month", "--index", str(ix)]).stdout
    assert len(shown.splitlines()) == 3  # the legend and two bars


def test_months_before_year_1000_have_four_digit_years_and_their_gaps(runner, tmp_path):
    ix = index_dates(runner, tmp_path, ["0201-05-01", "0201-07-01"])
    result = runner.invoke(main, ["count", "jardin", "--by", "month", "--json", "--index", str(ix)])
    assert [json.loads(line)["period"] for line in result.stdout.splitlines()] == ["0201-05", "0201-06", "0201-07"]
