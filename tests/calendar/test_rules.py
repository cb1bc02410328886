"""The working-day calendar, pure: deadlines against the State Council's 2026 schedule (chinese-calendar) across
each holiday and its make-up workdays, the filing day never counting, the provisional year (2027 here, which
chinese-calendar 1.11 does not know) from the statutory holidays of the 2024 rules, the bureau's table over both,
and a table file refused for each kind of bad line."""

from __future__ import annotations

from datetime import date

import pytest

from pubdata.calendar import rules
from pubdata.calendar.rules import PROVISIONAL, Deadline, WorkCalendar

OFFICIAL = WorkCalendar()


def due(day: str, working_days: int = 5, calendar: WorkCalendar = OFFICIAL) -> Deadline:
    return calendar.add_working_days(date.fromisoformat(day), working_days)


@pytest.mark.parametrize(
    ("filed", "expected"),
    [
        # Spring Festival: 15–23 February off; Saturdays 14 and 28 February are make-up workdays.
        ("2026-02-13", "2026-02-27"),  # Sat 14 (1); 16–23 off; 24, 25, 26, 27
        ("2026-02-12", "2026-02-26"),  # 13, Sat 14; 24, 25, 26
        ("2026-02-24", "2026-03-02"),  # 25, 26, 27, Sat 28 (4), Mon 2 March
        ("2026-02-14", "2026-02-28"),  # filed on a make-up Saturday: it never counts; 24–27, Sat 28
        ("2026-02-15", "2026-02-28"),  # filed on a Sunday inside the holiday
        # Labour Day: 1–5 May off; Saturday 9 May works.
        ("2026-04-29", "2026-05-09"),  # 30 April; 6, 7, 8; Sat 9
        # Mid-Autumn: Friday 25 September off; Sunday 20 September works.
        ("2026-09-18", "2026-09-24"),  # Sun 20 (1); 21, 22, 23, 24
        ("2026-09-21", "2026-09-29"),  # 22, 23, 24; 25 off; Sat 26 off; 28, 29
        # National Day: 1–7 October off; Saturday 10 October works.
        ("2026-09-30", "2026-10-13"),  # 8, 9, Sat 10, 12, 13
        ("2026-10-01", "2026-10-13"),  # filed on the holiday itself
        ("2026-10-10", "2026-10-16"),  # filed on the make-up Saturday: 12–16
        # An ordinary weekend filing: Saturday 7 November counts from Monday.
        ("2026-11-07", "2026-11-13"),
    ],
)
def test_deadlines_follow_the_2026_official_calendar_with_its_make_up_workdays(filed, expected):
    assert due(filed) == Deadline(date.fromisoformat(expected), provisional=False)


def test_the_filing_day_never_counts_and_zero_days_is_the_day_itself():
    assert due("2026-11-09", 1).due == date(2026, 11, 10)  # a Monday: Tuesday is the first day
    assert due("2026-11-09", 0).due == date(2026, 11, 9)
    with pytest.raises(ValueError):
        due("2026-11-09", -1)


def test_the_2027_statutory_holidays_come_from_the_lunar_calendar_and_the_2024_rules():
    holidays = rules.statutory_holidays(2027)
    assert len(holidays) == 13  # the 2024 amendment: 13 days
    by_name: dict[str, list[str]] = {}
    for day, name in sorted(holidays.items()):
        by_name.setdefault(name, []).append(day.isoformat())
    assert by_name == {
        "new_year": ["2027-01-01"],
        "spring_festival": ["2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08"],  # 除夕 to 初三
        "qingming": ["2027-04-05"],
        "labour_day": ["2027-05-01", "2027-05-02"],
        "dragon_boat": ["2027-06-09"],
        "mid_autumn": ["2027-09-15"],
        "national_day": ["2027-10-01", "2027-10-02", "2027-10-03"],
    }
    # The same rule reproduces the lunar and solar-term days of a year the State Council has published.
    assert {day for day, name in rules.statutory_holidays(2026).items() if name == "spring_festival"} == {
        date(2026, 2, 16),
        date(2026, 2, 17),
        date(2026, 2, 18),
        date(2026, 2, 19),
    }
    assert [day for day, name in rules.statutory_holidays(2026).items() if name == "mid_autumn"] == [date(2026, 9, 25)]


def test_a_deadline_into_2027_is_provisional_weekdays_less_statutory_holidays_without_make_up_days():
    assert not rules.official_knows(2027), "chinese-calendar learnt 2027: the provisional tests need a later year"
    assert OFFICIAL.source(2027) == PROVISIONAL
    # Monday 28 December 2026: 29, 30, 31 (official), 1 January off, Mon 4, Tue 5 (provisional).
    assert due("2026-12-28") == Deadline(date(2027, 1, 5), provisional=True)
    # Spring Festival 2027 (5–8 February, a Friday to a Monday): no make-up Saturday is assumed.
    assert due("2027-02-03") == Deadline(date(2027, 2, 12), provisional=True)  # 4; 9, 10, 11, 12
    # A deadline that ends before the unknown year is not provisional.
    assert due("2026-12-21") == Deadline(date(2026, 12, 28), provisional=False)


def test_the_bureaus_table_comes_before_chinese_calendar_and_the_provisional_rule():
    text = "日期,类型,名称\n2027-01-01,放假,元旦\n2027-02-05,放假,春节\n2027-02-06,放假,春节\n"
    text += "2027-02-07,放假,春节\n2027-02-08,放假,春节\n2027-02-09,放假,春节\n2027-02-10,放假,春节\n"
    text += "2027-02-11,放假,春节\n2027-02-20,上班,春节\n"
    table, problems = rules.parse_table(2027, text)
    assert problems == []
    calendar = WorkCalendar({2027: table})
    assert calendar.source(2027) == rules.TABLE
    # 3 February 2027: 4; 5–11 off; Fri 12, Sat 20 is not reached: 12, 15, 16, 17.
    assert calendar.add_working_days(date(2027, 2, 3), 5) == Deadline(date(2027, 2, 17), provisional=False)
    assert calendar.day(date(2027, 2, 20)) == rules.Day(date(2027, 2, 20), True, rules.TABLE, "春节")
    # A table for 2026 overrides chinese-calendar for 2026.
    table_2026, _ = rules.parse_table(2026, "2026-11-09,holiday,试行\n")
    assert not WorkCalendar({2026: table_2026}).is_workday(date(2026, 11, 9))
    assert OFFICIAL.is_workday(date(2026, 11, 9))


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("2027-02-30,放假,春节", "calendar.problem_date"),
        ("2027-2-5,放假,春节", "calendar.problem_date"),
        ("五月一日,放假,劳动节", "calendar.problem_date"),
        ("2026-12-31,放假,元旦", "calendar.problem_year"),
        ("2027-05-01,放假,劳动节\n2027-05-01,放假,劳动节", "calendar.problem_duplicate"),
        ("2027-05-03,休假,劳动节", "calendar.problem_kind"),
        ("2027-05-06,上班,劳动节", "calendar.problem_weekday"),  # a Thursday needs no make-up
        ("", "calendar.problem_empty"),
        ("日期,类型,名称\n", "calendar.problem_empty"),
    ],
)
def test_a_table_file_with_a_bad_line_names_it(text, problem):
    table, problems = rules.parse_table(2027, text)
    assert [found.problem for found in problems] == [problem]


def test_every_bad_line_is_named_with_its_number():
    text = "date,kind,name\n2027-05-01,holiday,劳动节\n2027-13-01,holiday,x\n2028-01-01,holiday,y\n"
    _, problems = rules.parse_table(2027, text)
    assert [(found.line, found.problem) for found in problems] == [
        (3, "calendar.problem_date"),
        (4, "calendar.problem_year"),
    ]


def test_deadline_inputs_are_bounded_by_the_years_the_calendar_holds():
    assert rules.deadline_problem(date(2026, 1, 1), 5) is None
    assert rules.deadline_problem(date(1999, 12, 31), 5)[0] == "calendar.year-range"
    assert rules.deadline_problem(date(2026, 1, 1), 0)[0] == "calendar.days-range"
    assert rules.deadline_problem(date(2026, 1, 1), rules.MAX_WORKING_DAYS + 1)[0] == "calendar.days-range"
