"""The script engine of a case's workflow (脚本引擎): SpiffWorkflow's task-data environment,
restricted. Every condition, script and timer date is checked against the safe subset of
`expressions` (the timer helpers may be called, `+` joins a rule key) before it runs, and it
runs without Python's builtins, so that a diagram stored without the modeler's validation
still cannot import a module or reach one through an object's attributes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from types import CodeType
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment

from app.engine.expressions import Policy, check, source
from app.engine.timing import HELPERS

RUNTIME = Policy(calls=frozenset(HELPERS), plus=True)
NO_BUILTINS: dict[str, Any] = {}


class UnsafeExpression(ValueError):
    """An expression or script outside the safe subset: it is not run."""


@lru_cache(maxsize=2048)
def compiled(text: str, mode: str) -> CodeType:
    """`text` compiled for eval (`mode` "eval") or exec ("exec"), or UnsafeExpression."""
    if not isinstance(text, str):
        raise UnsafeExpression(f"no expression to run: {text!r}")
    found = check(text, mode, RUNTIME)
    if found.refusal is not None:
        refusal = found.refusal
        raise UnsafeExpression(f"{refusal.kind} not allowed ({refusal.detail}, line "
                               f"{refusal.line}) in {text!r}")
    return compile(source(text, mode), "<string>", mode)  # SpiffWorkflow finds lines by name


class SafeEnvironment(TaskDataEnvironment):
    """Evaluates and executes only checked code, with no builtins: task data, the helpers
    given as globals (the timer helpers) and nothing else are in scope. With `bind`, an
    expression sees the helpers `bind` gives for the task data it is evaluated on (a timer
    helper that reads `rectify_class`)."""

    def __init__(self, helpers: dict[str, Any],
                 bind: Callable[[Mapping[str, Any]], Mapping[str, Any]] | None = None) -> None:
        super().__init__(helpers)
        self._bind = bind

    def evaluate(self, expression: str, context: dict[str, Any],
                 external_context: Mapping[str, Any] | None = None) -> Any:
        helpers = self.globals if self._bind is None else self._bind(context)
        scope = {**helpers, **(external_context or {}), **context,
                 "__builtins__": NO_BUILTINS}
        return eval(compiled(expression, "eval"), scope)  # noqa: S307 - checked, no builtins

    def execute(self, script: str, context: dict[str, Any],
                external_context: Mapping[str, Any] | None = None) -> bool:
        self.check_for_overwrite(context, external_context or {})
        code = compiled(script, "exec")
        context.update({**self.globals, **(external_context or {}),
                        "__builtins__": NO_BUILTINS})
        try:
            exec(code, context)  # noqa: S102 - checked, no builtins
        finally:
            self._remove_globals_and_functions_from_context(context, external_context)
        return True


def script_engine(helpers: Mapping[str, Callable[..., Any]],
                  bind: Callable[[Mapping[str, Any]], Mapping[str, Any]] | None = None
                  ) -> PythonScriptEngine:
    """A script engine whose expressions see the task data and `helpers` (or those `bind`
    gives for the task data)."""
    return PythonScriptEngine(environment=SafeEnvironment(dict(helpers), bind))
