"""Checks of gateway conditions and script tasks (条件与脚本): each must parse and keep to the
safe subset of app/engine/expressions.py, and read only process variables: the start data of a
case, the form fields of the version's user tasks and the names its scripts assign."""

from __future__ import annotations

import ast
import difflib
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from app.engine.expressions import START_VARIABLES, Checked, Refusal, check
from app.engine.timing import HELPERS
from app.modeler.problems import DiagramFile, Element, Listed, Problem, Term, bpmn_tag, camunda_tag
from app.web.i18n import N_

EXPR_MAX = 80  # characters of an expression quoted in a message
CONDITION, EXPRESSION, SCRIPT = Term(N_("条件")), Term(N_("表达式")), Term(N_("脚本"))
# Refusal.kind → what the message says is not allowed
WHAT = {
    "call": N_("函数调用"), "attribute": N_("属性访问"), "subscript": N_("下标或切片"),
    "import": N_("导入"), "dunder": N_("以双下划线开头的名称"), "lambda": N_("lambda 函数"),
    "comprehension": N_("推导式"), "arithmetic": N_("算术运算"), "walrus": N_("赋值表达式"),
    "ternary": N_("条件表达式"), "fstring": N_("格式化字符串"), "dict": N_("字典"),
    "identity": N_("is 比较普通值"),
    "statement": N_("赋值以外的语句"), "target": N_("变量名以外的赋值目标"),
    "helper": N_("计时函数名作为变量名"),
}
OTHER = N_("这种写法")
ALLOWED_IN_EXPRESSIONS = Term(N_("只能使用流程变量、常量、比较（==、!=、<、<=、>、>=、in、not in、"
                                  "is None）以及 and、or、not。"))
ALLOWED = {CONDITION: ALLOWED_IN_EXPRESSIONS, EXPRESSION: ALLOWED_IN_EXPRESSIONS,
           SCRIPT: Term(N_("脚本每行只能把一个表达式赋给变量，如 reopened = True；表达式的写法与"
                           "条件相同。"))}


@dataclass(frozen=True)
class Source:
    """An expression in a file: the element it is marked on, the node holding the text, which
    kind it is (CONDITION, EXPRESSION or SCRIPT) and the text."""

    f: DiagramFile
    element: Element
    node: Element
    kind: Term
    text: str


def sources(f: DiagramFile) -> Iterator[Source]:
    """The conditions (of sequence flows, conditional events, multi-instance loops) and scripts
    of a file; empty conditions are the gateway check's business."""
    for tag in ("conditionExpression", "condition", "completionCondition", "loopCardinality"):
        kind = EXPRESSION if tag == "loopCardinality" else CONDITION
        for node in f.iter(tag):
            if (node.text or "").strip():
                yield Source(f, _owner(node), node, kind, node.text)
    for task in f.iter("scriptTask"):
        node = task.find(bpmn_tag("script"))
        yield Source(f, task, node if node is not None else task, SCRIPT,
                     node.text if node is not None and node.text else "")


def _owner(node: Element) -> Element:
    """The flow, event or activity an expression belongs to (not its event definition or
    loop characteristics, which the canvas does not show)."""
    owner = node.getparent()
    while owner.getparent() is not None and etree.QName(owner).localname.endswith(
            ("EventDefinition", "LoopCharacteristics")):
        owner = owner.getparent()
    return owner


def known_variables(files: list[DiagramFile]) -> set[str]:
    """Start data, form fields and the names scripts assign, over the whole version."""
    known = set(START_VARIABLES)
    for f in files:
        known.update(n.get("id") for n in f.root.iter(camunda_tag("formField")) if n.get("id"))
        for source in sources(f):
            if source.kind == SCRIPT:
                known.update(check(source.text, "exec").assigns)
    return known


class ExpressionCheck:
    """Checks every condition and script of the files against the variables they define."""

    def __init__(self, files: list[DiagramFile]) -> None:
        self.files = files
        self.known = known_variables(files)

    def check(self) -> None:
        for f in self.files:
            for source in sources(f):
                self._one(source)

    def _one(self, source: Source) -> None:
        if source.kind == SCRIPT and not source.text.strip():
            return self._add(source, "script.missing", 0, N_("脚本任务“%(task)s”没有脚本。"),
                             task=source.element.get("name") or source.element.get("id") or "")
        checked = check(source.text, "exec" if source.kind == SCRIPT else "eval")
        refusal = checked.refusal or _helper_assigned(checked)
        if refusal is not None:
            return self._refused(source, refusal)
        for name in sorted(checked.reads - self.known):
            self._unknown(source, name, _first_line(source.text, name))

    def _refused(self, source: Source, refusal: Refusal) -> None:
        params = {"kind": source.kind, "expr": _quote(source.text, refusal.line)}
        if refusal.kind == "syntax":
            return self._add(source, "expression.syntax", refusal.line,
                             N_("%(kind)s“%(expr)s”有语法错误（第 %(at)s 行）：%(detail)s"),
                             at=refusal.line, detail=refusal.detail, **params)
        self._add(source, "expression.not_allowed", refusal.line,
                  N_("%(kind)s“%(expr)s”中不允许使用%(what)s（%(node)s）。%(allowed)s"),
                  what=Term(WHAT.get(refusal.kind, OTHER)), node=refusal.detail,
                  allowed=ALLOWED[source.kind], **params)

    def _unknown(self, source: Source, name: str, line: int) -> None:
        close = difflib.get_close_matches(name, sorted(self.known), n=3, cutoff=0.7)
        params = {"kind": source.kind, "expr": _quote(source.text, line), "name": name}
        if close:
            return self._add(source, "expression.unknown_variable", line,
                             N_("%(kind)s“%(expr)s”使用了未知变量 %(name)s；相近的变量："
                                "%(suggestions)s。"), suggestions=Listed(close), **params)
        self._add(source, "expression.unknown_variable", line,
                  N_("%(kind)s“%(expr)s”使用了未知变量 %(name)s：它不是工单的初始数据、表单字段，"
                     "也不是脚本赋值的变量。"), **params)

    def _add(self, source: Source, code: str, line: int, template: str,
             **params: object) -> None:
        """A problem marked on the source's element, at `line` of its text (0: the element)."""
        at = source.node.sourceline if line else source.element.sourceline
        where = (at or 0) + max(line - 1, 0) or None
        source.f.out.append(Problem(code, template, params, source.f.name,
                                    source.element.get("id"), where))


def _helper_assigned(checked: Checked) -> Refusal | None:
    """A script must not assign a timer helper's name: it would hide the helper."""
    if checked.tree is None or not checked.assigns & set(HELPERS):
        return None
    hidden = next(n for n in ast.walk(checked.tree) if isinstance(n, ast.Name)
                  and isinstance(n.ctx, ast.Store) and n.id in HELPERS)
    return Refusal("helper", hidden.id, hidden.lineno)


def _first_line(text: str, name: str) -> int:
    lines = text.splitlines() or [""]
    return next((i for i, line in enumerate(lines, 1) if name in line), 1)


def _quote(text: str, line: int) -> str:
    """The line of `text` a problem is on, shortened for a message."""
    lines = text.splitlines() or [""]
    shown = " ".join(lines[min(max(line, 1), len(lines)) - 1].split())
    return shown if len(shown) <= EXPR_MAX else shown[:EXPR_MAX - 1] + "…"
