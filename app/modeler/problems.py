"""A problem of a diagram (问题) and the parsed file problems are marked in; shared by the
checks of `validation` and `formcheck`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from flask import current_app, has_app_context
from flask_babel import gettext
from lxml import etree

from app.engine.definitions import BPMN_NS, CAMUNDA_NS
from app.web.i18n import N_

Element = etree._Element
# Translators: between the items of a list inside a diagram problem (", " in English).
SEP = N_("、")


def bpmn_tag(tag: str) -> str:
    return f"{{{BPMN_NS}}}{tag}"


def camunda_tag(tag: str) -> str:
    return f"{{{CAMUNDA_NS}}}{tag}"


class Term(str):
    """A message parameter that is itself a message id (条件, 函数调用…): it is translated
    with the message."""


class Listed(tuple):
    """A message parameter that is a list: joined with the separator of the message's
    language (、 in Chinese, ", " in English) when the message is shown."""

    def joined(self, separator: str) -> str:
        return separator.join(map(str, self)) or "—"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a diagram (问题): a code of docs/modeler.md, a Chinese message
    template (a message id) with its parameters, and where: file, element id, line."""

    code: str
    template: str
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)
    file: str | None = None
    element: str | None = None
    line: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    @property
    def message(self) -> str:
        """In the current language inside an app with Babel, else the Chinese text."""
        if has_app_context() and "babel" in current_app.extensions:
            params = {k: _shown(v, gettext) for k, v in self.params.items()}
            return gettext(self.template, **params)
        return self.template % {k: _shown(v, str) for k, v in self.params.items()}

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "file": self.file,
                "element": self.element, "line": self.line}


def _shown(value: Any, translate: Any) -> Any:
    """A parameter as the message shows it: a Term translated, a Listed joined."""
    if isinstance(value, Term):
        return translate(value)
    if isinstance(value, Listed):
        return value.joined(translate(SEP))
    return value


class DiagramFile:
    """One parsed file and where its problems go."""

    def __init__(self, name: str, root: Element, out: list[Problem]) -> None:
        self.name, self.root, self.out = name, root, out
        self.lines = {el.get("id"): el.sourceline for el in root.iter() if el.get("id")}

    def add(self, code: str, template: str, node: Element, at: Element | None = None,
            **params: Any) -> None:
        """A problem marked on `node`, at the line of `at` (a child of it) when given."""
        line = (at if at is not None else node).sourceline
        self.out.append(Problem(code, template, params, self.name, node.get("id"), line))

    def iter(self, tag: str) -> Iterator[Element]:
        return self.root.iter(bpmn_tag(tag))


def label_of(node: Element) -> str:
    return node.get("name") or node.get("id") or ""
