"""Formulas as text that is also the computation: what ``--explain`` prints is what ran.

A formula is a Python expression over named inputs using ``+ - * /``, parentheses and the
functions ``ceil``, ``floor``, ``max`` and ``min``. It is parsed once and evaluated on numbers;
anything else (attributes, calls to other functions, names without a value) is refused.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Mapping

_OPERATORS: dict[type, Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
_FUNCTIONS: dict[str, Callable[..., float]] = {
    "ceil": math.ceil,
    "floor": math.floor,
    "max": max,
    "min": min,
}


def evaluate(formula: str, values: Mapping[str, float]) -> float:
    """The value of ``formula`` with ``values`` for its names."""
    tree = ast.parse(formula, mode="eval")
    return float(_evaluate(tree.body, values, formula))


def _evaluate(node: ast.AST, values: Mapping[str, float], formula: str) -> float:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return node.value
    if isinstance(node, ast.Name):
        if node.id not in values:
            raise ValueError(f"formula {formula!r} uses {node.id!r}, which has no value")
        return values[node.id]
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        left = _evaluate(node.left, values, formula)
        right = _evaluate(node.right, values, formula)
        return _OPERATORS[type(node.op)](left, right)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_evaluate(node.operand, values, formula)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in _FUNCTIONS
        and not node.keywords
    ):
        arguments = [_evaluate(argument, values, formula) for argument in node.args]
        return _FUNCTIONS[node.func.id](*arguments)
    raise ValueError(f"formula {formula!r}: {ast.unparse(node)!r} is not allowed")


def substitute(formula: str, values: Mapping[str, float]) -> str:
    """The formula with each name replaced by its value: ``ceil(40 / (2100 * 1 * 0.7))``."""
    tree = ast.parse(formula, mode="eval")

    class _Numbers(ast.NodeTransformer):
        def visit_Name(self, node: ast.Name) -> ast.AST:
            if node.id in values:
                return ast.Name(id=number(values[node.id]), ctx=node.ctx)
            return node

    return ast.unparse(_Numbers().visit(tree))


def number(value: float) -> str:
    """A number as a person reads it in a formula: no exponent, at most 6 significant digits."""
    if math.isfinite(value) and float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = f"{value:.6g}"
    if "e" in text:
        text = f"{value:.12f}".rstrip("0").rstrip(".")
    return text


def money(value: float) -> str:
    """Dollars as a person reads them: ``$1,234.57``, ``$12.34``, ``$0.00044``."""
    if value != 0 and abs(value) < 0.01:
        digits = 1 - math.floor(math.log10(abs(value)))  # two significant digits
        return f"${value:.{digits}f}"
    return f"${value:,.2f}"
