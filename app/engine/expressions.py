"""Expressions of the diagrams (流程表达式): gateway conditions, script tasks and timer dates.

They are Python, read by SpiffWorkflow's script engine; a diagram may only use a safe subset:
process variables and literals (strings, numbers, True/False/None, tuples, lists and sets of
them), comparisons (`==`, `!=`, `<`, `<=`, `>`, `>=`, `in`, `not in`, `is None`), `and`, `or`,
`not`, and in scripts assignments of such expressions to plain names, one per line. Nothing
else: no calls, attribute access, subscripts, imports, dunder names, lambdas, comprehensions,
arithmetic. At run time (`scripting`) the timer helpers may also be called and `+` joins a rule
key (`"rectify." + rectify_class`). The modeler refuses a diagram outside the subset; the
engine refuses to run such an expression, and runs the others without Python's builtins.
"""

from __future__ import annotations

import ast
import textwrap
from dataclasses import dataclass, field

# The process variables the application puts into a new case (docs/process.md, "Data the
# application puts into a new case"; app/cases/lifecycle.start_data).
START_VARIABLES = frozenset({
    "case_number", "jurisdiction", "region_code", "responsibility", "rated_object", "dispatch",
    "department_code", "department_name", "level", "tags", "received_at", "extended_until",
    "reopened", "determination", "rectify_class", "appeal_result", "staff_determination",
})
COMPARISONS = (ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn,
               ast.Is, ast.IsNot)
LITERALS = (str, int, float, bool, type(None))
# What a refused construct is called (`Refusal.kind`); anything else is "other".
KINDS: dict[type, str] = {
    ast.Call: "call", ast.Attribute: "attribute", ast.Subscript: "subscript",
    ast.Slice: "subscript", ast.Import: "import", ast.ImportFrom: "import",
    ast.Lambda: "lambda", ast.ListComp: "comprehension", ast.SetComp: "comprehension",
    ast.DictComp: "comprehension", ast.GeneratorExp: "comprehension", ast.BinOp: "arithmetic",
    ast.AugAssign: "arithmetic", ast.NamedExpr: "walrus", ast.IfExp: "ternary",
    ast.JoinedStr: "fstring", ast.Dict: "dict",
}


@dataclass(frozen=True)
class Policy:
    """What may be used besides the subset: functions that may be called (by name, positional
    and keyword arguments only) and whether `+` may join two values."""

    calls: frozenset[str] = frozenset()
    plus: bool = False


STRICT = Policy()


@dataclass(frozen=True)
class Refusal:
    """Why a text is refused: `kind` is "syntax" or the construct not allowed ("call",
    "attribute", "import", "dunder", …); `detail` the syntax error's message, the dunder name
    or the construct's Python name (Call, For…); `line` the line within the text."""

    kind: str
    detail: str
    line: int = 1


@dataclass(frozen=True)
class Checked:
    """A text checked against a policy: its tree (None on a syntax error), the first construct
    refused (or None), the names it reads and those it assigns."""

    tree: ast.AST | None
    refusal: Refusal | None
    reads: frozenset[str] = field(default_factory=frozenset)
    assigns: frozenset[str] = field(default_factory=frozenset)


def source(text: str, mode: str) -> str:
    """The text as it is run: an expression without the blank lines and indentation around it
    (as an editor may lay out the XML), a script dedented; lines keep their numbers."""
    if mode == "eval":
        return "\n" * _leading_lines(text) + text.strip()
    return textwrap.dedent(text)


def _leading_lines(text: str) -> int:
    return text[:len(text) - len(text.lstrip())].count("\n")


def check(text: str, mode: str, policy: Policy = STRICT) -> Checked:
    """Parse `text` as an expression (`mode` "eval": a condition, a timer date) or a script
    ("exec") and check it against `policy`."""
    try:
        tree = ast.parse(source(text, mode), mode=mode)
    except (SyntaxError, ValueError) as exc:
        line = getattr(exc, "lineno", None) or 1
        return Checked(None, Refusal("syntax", getattr(exc, "msg", None) or str(exc), line))
    body = [tree.body] if isinstance(tree, ast.Expression) else tree.body
    check_one = _expression if mode == "eval" else _statement
    refusal = next((r for node in body if (r := check_one(node, policy))), None)
    names = [n for n in ast.walk(tree) if isinstance(n, ast.Name)]
    return Checked(tree, refusal,
                   frozenset(n.id for n in names if isinstance(n.ctx, ast.Load)),
                   frozenset(n.id for n in names if isinstance(n.ctx, ast.Store)))


def _refuse(node: ast.AST, kind: str | None = None, detail: str | None = None) -> Refusal:
    return Refusal(kind or KINDS.get(type(node), "other"), detail or type(node).__name__,
                   getattr(node, "lineno", 1))


def _name(node: ast.Name) -> Refusal | None:
    return _refuse(node, "dunder", node.id) if node.id.startswith("__") else None


def _statement(node: ast.stmt, policy: Policy) -> Refusal | None:
    """A script line: `name = expression` (several names allowed: `a = b = …`)."""
    if not isinstance(node, ast.Assign):
        kind = "import" if isinstance(node, ast.Import | ast.ImportFrom) else None
        return _refuse(node, kind or KINDS.get(type(node), "statement"))
    for target in node.targets:
        if not isinstance(target, ast.Name):
            return _refuse(target, KINDS.get(type(target), "target"))
        if found := _name(target):
            return found
    return _expression(node.value, policy)


def _expression(node: ast.expr, policy: Policy) -> Refusal | None:
    """The first construct of `node` outside the subset, depth first, or None."""
    children = _children(node, policy)
    if isinstance(children, Refusal):
        return children
    return next((r for child in children if (r := _expression(child, policy))), None)


def _children(node: ast.expr, policy: Policy) -> list[ast.expr] | Refusal:
    """The sub-expressions to check when `node` itself is allowed, else its refusal."""
    if isinstance(node, ast.Constant):
        return [] if isinstance(node.value, LITERALS) else _refuse(node)
    if isinstance(node, ast.Name):
        return _name(node) or []
    if isinstance(node, ast.BoolOp):
        return list(node.values)
    if isinstance(node, ast.UnaryOp):
        return _unary(node)
    if isinstance(node, ast.Compare):
        return _compare(node)
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return list(node.elts)
    if isinstance(node, ast.BinOp) and policy.plus and isinstance(node.op, ast.Add):
        return [node.left, node.right]
    if isinstance(node, ast.Call) and _may_call(node, policy):
        return [*node.args, *(k.value for k in node.keywords)]
    return _refuse(node)


def _unary(node: ast.UnaryOp) -> list[ast.expr] | Refusal:
    """`not x`, and a sign on a number (-1)."""
    if isinstance(node.op, ast.Not):
        return [node.operand]
    number = isinstance(node.operand, ast.Constant) and type(node.operand.value) in (int, float)
    if isinstance(node.op, ast.USub | ast.UAdd) and number:
        return []
    return _refuse(node, "arithmetic")


def _compare(node: ast.Compare) -> list[ast.expr] | Refusal:
    """Comparisons; `is` / `is not` only against None, True or False."""
    for op, right in zip(node.ops, node.comparators, strict=True):
        if not isinstance(op, COMPARISONS):
            return _refuse(node)
        singleton = isinstance(right, ast.Constant) and any(
            right.value is value for value in (None, True, False))
        if isinstance(op, ast.Is | ast.IsNot) and not singleton:
            return _refuse(node, "identity", type(op).__name__)
    return [node.left, *node.comparators]


def _may_call(node: ast.Call, policy: Policy) -> bool:
    return (isinstance(node.func, ast.Name) and node.func.id in policy.calls
            and not any(isinstance(a, ast.Starred) for a in node.args)
            and all(k.arg is not None for k in node.keywords))
