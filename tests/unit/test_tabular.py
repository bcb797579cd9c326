"""Tables leaving the app: formula injection neutralised, CSV streamed line by line."""

from __future__ import annotations

import csv
import io

import pytest

from app.domain.tabular import csv_lines, neutralise_formula


@pytest.mark.parametrize("text", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx", '=HYPERLINK("x")'])
def test_text_that_starts_like_a_formula_gets_an_apostrophe(text):
    assert neutralise_formula(text) == "'" + text


@pytest.mark.parametrize("value", ["Learning a language", "e-mail", "", 3, -2.5, None, True])
def test_other_values_stay_as_they_are(value):
    assert neutralise_formula(value) == value


def test_csv_lines_stream_one_line_per_row_with_a_byte_order_mark_first():
    lines = list(csv_lines(["a", "b"], [[1, "=x"], [None, True], ["שלום, עולם", 2.5]]))
    assert len(lines) == 4
    assert lines[0] == "\ufeffa,b\r\n"
    rows = list(csv.reader(io.StringIO("".join(lines).lstrip("\ufeff"))))
    assert rows == [["a", "b"], ["1", "'=x"], ["", "true"], ["שלום, עולם", "2.5"]]


def test_csv_lines_are_lazy():
    def endless():
        while True:
            yield [1, 2]

    stream = csv_lines(["a", "b"], endless())
    assert [next(stream) for _ in range(3)][2] == "1,2\r\n"
