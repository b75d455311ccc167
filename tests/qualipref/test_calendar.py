import datetime

import pytest

from qualipref.calendar import add_working_days, is_working_day, working_days_between

from .factories import PrefectureFactory

D = datetime.date


@pytest.mark.parametrize(
    ("subdivision", "day", "working"),
    [
        ("974", D(2026, 12, 21), True),  # Monday
        ("974", D(2025, 12, 19), True),  # Friday before the 20 December weekend
        ("974", D(2027, 12, 20), False),  # Abolition of slavery, a Monday in La Réunion
        ("", D(2027, 12, 20), True),  # …an ordinary Monday in Paris
        ("57", D(2026, 4, 3), False),  # Good Friday in Moselle
        ("", D(2026, 4, 3), True),
        ("67", D(2026, 12, 28), True),
        ("67", D(2027, 12, 27), True),
        ("68", D(2026, 4, 3), False),  # Haut-Rhin shares Alsace-Moselle's Good Friday
        ("", D(2026, 5, 14), False),  # Ascension Thursday
        ("", D(2026, 11, 28), False),  # Saturday
    ],
)
def test_is_working_day(subdivision, day, working):
    assert is_working_day(day, subdivision) is working


def test_fifteen_working_days_from_a_plain_monday():
    # 2 November 2026 (Monday) + 15 working days, with 11 November (Wednesday) off.
    assert add_working_days(D(2026, 11, 2), 15, "") == D(2026, 11, 24)


def test_reunion_skips_20_december_and_christmas():
    # Friday 18 Dec 2026 + 3: Mon 21, Tue 22, Wed 23 (20 Dec is a Sunday in 2026).
    assert add_working_days(D(2026, 12, 18), 3, "974") == D(2026, 12, 23)
    # 2027: 20 December is a Monday, off in La Réunion only.
    assert add_working_days(D(2027, 12, 17), 1, "974") == D(2027, 12, 21)
    assert add_working_days(D(2027, 12, 17), 1, "") == D(2027, 12, 20)
    # Christmas 2026 is a Friday: Thu 24 + 1 working day is Monday 28.
    assert add_working_days(D(2026, 12, 24), 1, "974") == D(2026, 12, 28)


def test_alsace_moselle_skips_26_december_and_good_friday():
    # 2025: Christmas Thursday, Saint Stephen Friday.
    assert add_working_days(D(2025, 12, 24), 1, "57") == D(2025, 12, 29)
    assert add_working_days(D(2025, 12, 24), 1, "") == D(2025, 12, 26)
    # Thursday 2 April 2026 + 1: Good Friday 3, Easter Monday 6 are off in Moselle.
    assert add_working_days(D(2026, 4, 2), 1, "57") == D(2026, 4, 7)


def test_zero_days_moves_a_holiday_to_the_next_working_day():
    assert add_working_days(D(2026, 12, 25), 0, "") == D(2026, 12, 28)
    assert add_working_days(D(2026, 12, 23), 0, "") == D(2026, 12, 23)


def test_negative_days_are_refused():
    with pytest.raises(ValueError, match="positive"):
        add_working_days(D(2026, 1, 5), -1, "")


def test_working_days_between_counts_like_add_working_days():
    start = D(2026, 12, 10)
    end = add_working_days(start, 15, "974")
    assert working_days_between(start, end, "974") == 15
    assert working_days_between(end, start, "974") == 0


@pytest.mark.django_db
def test_a_prefecture_uses_its_own_subdivision():
    reunion = PrefectureFactory(reunion=True)
    paris = PrefectureFactory(department_code="75", slug="paris", holiday_subdivision="")
    assert add_working_days(D(2027, 12, 17), 1, reunion) == D(2027, 12, 21)
    assert add_working_days(D(2027, 12, 17), 1, paris) == D(2027, 12, 20)
