"""One rule for every paged page: any `?page=` value gives a page to show."""

import pytest

from trivia.pagination import window


@pytest.mark.parametrize(
    "raw, expected",
    [
        (None, 1),
        ("", 1),
        ("abc", 1),
        ("0", 1),
        ("-4", 1),
        ("+2", 1),
        ("2", 2),
        (" 3 ", 3),
        ("99", 4),
        ("1e3", 1),
        ("9" * 400, 4),
        ("²", 1),  # str.isdigit() says yes; int() says no
        ("１", 1),  # full-width digits: int() would read 1
        ("١", 1),  # Arabic-Indic digits: int() would read 1
    ],
)
def test_page_numbers_are_clamped_to_the_pages_there_are(raw, expected):
    assert window(raw, total=100, per_page=25).number == expected


def test_an_empty_list_still_has_one_page():
    page = window("7", total=0, per_page=25)
    assert (page.number, page.count, page.offset) == (1, 1, 0)


def test_the_window_slices_the_page_asked_for():
    page = window("3", total=60, per_page=25)
    assert (page.count, page.bounds) == (3, slice(50, 75))
