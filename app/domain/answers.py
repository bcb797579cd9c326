"""How an answer is stored: one or more cells (option, value, value2, text).

An answer to a question arrives as a plain value:
- agreement scale: an int (1..n) or None for "don't know";
- importance/current pair: a tuple (importance, current), each an int 1..5 or None;
- single choice: the option key;
- multiple choice: a frozenset of option keys, optionally with an "other" text (MultipleChoice);
- text: a str;  number: an int or float.
A multiple choice becomes one cell per ticked option, so counting options is a GROUP BY.
"""

from __future__ import annotations

from dataclasses import dataclass

OTHER_OPTION = "_other"


@dataclass(frozen=True)
class MultipleChoice:
    options: frozenset[str]
    other_text: str | None = None

    def __contains__(self, option: object) -> bool:
        return option in self.options


@dataclass(frozen=True)
class AnswerCell:
    option: str = ""
    value: float | None = None
    value2: float | None = None
    text: str | None = None


def encode(question_type: str, answer: object) -> list[AnswerCell]:
    if question_type == "agreement":
        return [AnswerCell(value=_number_or_none(answer))]
    if question_type == "importance_current":
        importance, current = answer  # type: ignore[misc]
        return [AnswerCell(value=_number_or_none(importance), value2=_number_or_none(current))]
    if question_type == "single_choice":
        return [AnswerCell(option=str(answer))]
    if question_type == "multiple_choice":
        choice = answer if isinstance(answer, MultipleChoice) else MultipleChoice(frozenset(answer))  # type: ignore[arg-type]
        cells = [AnswerCell(option=key) for key in sorted(choice.options)]
        if choice.other_text:
            cells.append(AnswerCell(option=OTHER_OPTION, text=choice.other_text))
        return cells
    if question_type == "text":
        return [AnswerCell(text=str(answer))]
    if question_type == "number":
        return [AnswerCell(value=float(answer))]  # type: ignore[arg-type]
    raise ValueError(f"unknown question type {question_type!r}")


def decode(question_type: str, cells: list[AnswerCell]) -> object:
    """The plain value back from its cells (the inverse of encode)."""
    if question_type == "multiple_choice":
        options = frozenset(c.option for c in cells if c.option != OTHER_OPTION)
        other = next((c.text for c in cells if c.option == OTHER_OPTION), None)
        return MultipleChoice(options, other)
    (cell,) = cells
    if question_type == "agreement":
        return _int_or_none(cell.value)
    if question_type == "importance_current":
        return (_int_or_none(cell.value), _int_or_none(cell.value2))
    if question_type == "single_choice":
        return cell.option
    if question_type == "text":
        return cell.text
    if question_type == "number":
        value = cell.value
        return int(value) if value is not None and value.is_integer() else value
    raise ValueError(f"unknown question type {question_type!r}")


def _number_or_none(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def _int_or_none(value: float | None) -> int | None:
    return None if value is None else int(value)
