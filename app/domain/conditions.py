"""Display conditions (`show_if`): a tiny expression language over earlier answers.

A condition is read with Python's own parser, then only a whitelist of node types is accepted
and copied into a small tree of our own. Nothing is ever evaluated by Python, so a survey file
cannot run code.

Answer values, keyed by question key: a single choice is its option key (str); a multiple choice
is a set of option keys (or an answers.MultipleChoice); a number or scale answer is an int or
float; a text answer is a str. A missing key, None, "" or an empty set is "no answer", and every
comparison involving no answer is false, `!=` and `not in` included.
"""

from __future__ import annotations

import ast
import operator
import warnings
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass

from app.domain.answers import MultipleChoice

LiteralValue = str | int | float


class ConditionError(ValueError):
    """A condition that cannot be used; the message is written for the survey author."""


@dataclass(frozen=True)
class Name:
    """A question key: stands for that question's answer."""

    key: str


@dataclass(frozen=True)
class Literal:
    value: LiteralValue


@dataclass(frozen=True)
class LiteralList:
    values: tuple[LiteralValue, ...]


Operand = Name | Literal | LiteralList


@dataclass(frozen=True)
class Comparison:
    op: str  # one of OPERATORS' keys, e.g. "==" or "not in"
    left: Operand
    right: Operand

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(o.key for o in (self.left, self.right) if isinstance(o, Name))

    def evaluate(self, answers: Mapping[str, object]) -> bool:
        left, right = _value(self.left, answers), _value(self.right, answers)
        if left is _NO_ANSWER or right is _NO_ANSWER:
            return False
        return OPERATORS[self.op](left, right)


@dataclass(frozen=True)
class Not:
    operand: Node

    def evaluate(self, answers: Mapping[str, object]) -> bool:
        return not self.operand.evaluate(answers)


@dataclass(frozen=True)
class And:
    operands: tuple[Node, ...]

    def evaluate(self, answers: Mapping[str, object]) -> bool:
        return all(o.evaluate(answers) for o in self.operands)


@dataclass(frozen=True)
class Or:
    operands: tuple[Node, ...]

    def evaluate(self, answers: Mapping[str, object]) -> bool:
        return any(o.evaluate(answers) for o in self.operands)


Node = Comparison | Not | And | Or


@dataclass(frozen=True)
class Condition:
    source: str
    tree: Node

    @property
    def names(self) -> frozenset[str]:
        """The question keys the condition refers to."""
        return frozenset(name for c in self.comparisons for name in c.names)

    @property
    def comparisons(self) -> tuple[Comparison, ...]:
        return tuple(_comparisons(self.tree))

    def compared_literals(self) -> tuple[tuple[str, LiteralValue], ...]:
        """(question key, literal) for every literal compared with a question, lists expanded."""
        pairs: list[tuple[str, LiteralValue]] = []
        for comparison in self.comparisons:
            literals = _literals(comparison.left) + _literals(comparison.right)
            pairs.extend((name, literal) for name in comparison.names for literal in literals)
        return tuple(pairs)

    def evaluate(self, answers: Mapping[str, object]) -> bool:
        return self.tree.evaluate(answers)


def parse_condition(expr: str) -> Condition:
    source = expr.strip()
    if not source:
        raise ConditionError("the condition is empty")
    try:
        # Python only warns about some mistakes (an invalid escape such as '\d'); make them
        # errors, so a condition is accepted or refused the same way everywhere.
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            tree = ast.parse(source, mode="eval")
        return Condition(expr, _boolean(tree.body))
    except SyntaxError as error:
        raise ConditionError(f"the condition is not valid: {error.msg}") from None
    except RecursionError:
        raise ConditionError("the condition is nested too deeply to read") from None


def _ordered(compare: Callable[[object, object], bool]) -> Callable[[object, object], bool]:
    """An ordering that is false, not an error, when the answer and the value cannot be ordered
    (a text answer against a number, say)."""

    def safe(left: object, right: object) -> bool:
        try:
            return bool(compare(left, right))
        except TypeError:
            return False

    return safe


def _contains(container: object, item: object) -> bool:
    # A string is not a set of options: "'a' in age_band" must not test for a substring.
    if isinstance(container, (tuple, list, set, frozenset)):
        return item in container
    return False


OPERATORS: dict[str, Callable[[object, object], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": _ordered(operator.lt),
    "<=": _ordered(operator.le),
    ">": _ordered(operator.gt),
    ">=": _ordered(operator.ge),
    "in": lambda item, container: _contains(container, item),
    "not in": lambda item, container: not _contains(container, item),
}

MEMBERSHIP = frozenset({"in", "not in"})

_AST_OPERATORS: dict[type[ast.cmpop], str] = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.In: "in",
    ast.NotIn: "not in",
}

_NO_ANSWER = object()


def _value(operand: Operand, answers: Mapping[str, object]) -> object:
    if isinstance(operand, Literal):
        return operand.value
    if isinstance(operand, LiteralList):
        return operand.values
    answer = answers.get(operand.key)
    if isinstance(answer, MultipleChoice):
        answer = answer.options
    if answer is None or (isinstance(answer, Collection) and len(answer) == 0):
        return _NO_ANSWER
    return answer


def _comparisons(node: Node) -> Iterator[Comparison]:
    if isinstance(node, Comparison):
        yield node
    elif isinstance(node, Not):
        yield from _comparisons(node.operand)
    else:
        for operand in node.operands:
            yield from _comparisons(operand)


def _literals(operand: Operand) -> tuple[LiteralValue, ...]:
    if isinstance(operand, Literal):
        return (operand.value,)
    if isinstance(operand, LiteralList):
        return operand.values
    return ()


# What the author wrote, in words, for the expressions a condition may not contain.
_FORBIDDEN = {
    ast.Call: "calling a function",
    ast.Attribute: "a dot after a name",
    ast.Subscript: "indexing with [ ]",
    ast.Lambda: "a lambda",
    ast.BinOp: "arithmetic",
    ast.IfExp: "if/else",
    ast.NamedExpr: "an assignment",
    ast.JoinedStr: "an f-string",
    ast.Set: "a set in { }",
    ast.Dict: "a mapping in { }",
}


def _forbidden(node: ast.expr) -> ConditionError:
    what = _FORBIDDEN.get(type(node), "this kind of expression")
    return ConditionError(
        f"'{ast.unparse(node)}' is not allowed in a condition ({what}); use question keys, "
        "text and number values, lists of values, comparisons, and, or, not"
    )


def _boolean(node: ast.expr) -> Node:
    if isinstance(node, ast.BoolOp):
        operands = tuple(_boolean(value) for value in node.values)
        return And(operands) if isinstance(node.op, ast.And) else Or(operands)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return Not(_boolean(node.operand))
    if isinstance(node, ast.Compare):
        return _comparison(node)
    if isinstance(node, (ast.Name, ast.Constant)):
        raise ConditionError(
            f"'{ast.unparse(node)}' is not a comparison; compare an answer with a value, "
            "for example took_part == 'yes'"
        )
    raise _forbidden(node)


def _comparison(node: ast.Compare) -> Comparison:
    source = ast.unparse(node)
    if len(node.ops) > 1:
        raise ConditionError(
            f"'{source}' chains comparisons; write them separately joined by 'and', "
            "for example age >= 18 and age <= 65"
        )
    op = _AST_OPERATORS.get(type(node.ops[0]))
    if op is None:
        raise ConditionError(f"'{source}' uses 'is'; use == or != instead")
    left, right = _operand(node.left), _operand(node.comparators[0])
    if isinstance(left, LiteralList) or (isinstance(right, LiteralList) and op not in MEMBERSHIP):
        raise ConditionError(f"in '{source}', a list can only come after 'in' or 'not in'")
    if op in MEMBERSHIP and isinstance(right, Literal):
        raise ConditionError(
            f"in '{source}', '{op}' needs a list of values or a multiple choice question "
            "after it, for example age_band in ['age_16_25', 'age_26_40']"
        )
    if not isinstance(left, Name) and not isinstance(right, Name):
        raise ConditionError(f"'{source}' compares two values; one side must be a question key")
    return Comparison(op, left, right)


def _operand(node: ast.expr) -> Operand:
    if isinstance(node, ast.Name):
        return Name(node.id)
    if isinstance(node, (ast.List, ast.Tuple)):
        return LiteralList(tuple(_literal(element) for element in node.elts))
    return Literal(_literal(node))


def _literal(node: ast.expr) -> LiteralValue:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _literal(node.operand)
        if isinstance(value, (int, float)):
            return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, int, float)):
        if not isinstance(node.value, bool):
            return node.value
    if isinstance(node, (ast.Constant, ast.Name, ast.List, ast.Tuple, ast.UnaryOp)):
        raise ConditionError(
            f"'{ast.unparse(node)}' is not allowed here; values are text in quotes or numbers"
        )
    raise _forbidden(node)
