"""core.by_exception: what the receipt and acceptance forms share (marks list, whole numbers, line paging)."""

import pytest
from django.test import RequestFactory

from core.by_exception import line_filters, number, parse_marks, whole
from core.errors import QMError

MSGS = {"code": "bad_marks", "field": "marks", "unreadable": "u", "not_list": "n", "too_many": "t"}


@pytest.mark.parametrize("raw", [None, "", "  ", "[]", []])
def test_no_marks_is_an_empty_list(raw):
    assert parse_marks(raw, maximum=2, **MSGS) == []


def test_marks_are_read_from_json_or_taken_as_a_list():
    assert parse_marks('[{"line": 1}]', maximum=2, **MSGS) == [{"line": 1}]
    assert parse_marks([{"line": 2}], maximum=2, **MSGS) == [{"line": 2}]


@pytest.mark.parametrize(("raw", "message"), [("{oops", "u"), ('{"line": 1}', "n"), ("[1, 2, 3]", "t")])
def test_bad_marks_raise_the_callers_code_field_and_message(raw, message):
    with pytest.raises(QMError) as exc:
        parse_marks(raw, maximum=2, **MSGS)
    assert (exc.value.code, exc.value.message, exc.value.details) == (
        "bad_marks",
        message,
        {"field": "marks"},
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [(3, 3), (" 12 ", 12), (True, None), (2.0, None), ("-1", None), ("x", None), (None, None)],
)
def test_whole_takes_only_whole_numbers(value, expected):
    assert whole(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"), [("5", 5), (" -2 ", -2), ("", None), (None, None), ("1.5", None)]
)
def test_number_reads_an_integer_or_none(value, expected):
    assert number(value) == expected


def test_line_filters_are_bounded_and_the_page_at_least_one():
    request = RequestFactory().get("/", {"q": "x" * 80, "gender": "Z", "size": " 175 ", "page": "-4"})
    f = line_filters(request)
    assert f == {"q": "x" * 50, "item": "", "gender": "", "size": "175", "page": 1}
