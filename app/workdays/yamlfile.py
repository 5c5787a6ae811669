"""YAML reading that remembers where each value came from, so that an error in a calendar file can
be reported as `path:line: message`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from app.yamldoc import compose, display_path, error_line, locate

Key = tuple[str | int, ...]


class CalendarFileError(Exception):
    """A calendar file (日历文件) is invalid. `str()` is `path:line: message` (`path: message` when
    no line applies, e.g. a missing file), the path relative to the working directory and the
    message in English, as for rule files."""

    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        self.path = display_path(path)
        self.line = line
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.path}: {self.message}"
        return f"{self.path}:{self.line}: {self.message}"


def read_yaml(path: Path) -> tuple[Any, yaml.Node]:
    """Parse `path` with the safe loader. Returns the data and its node tree, which `line_of`
    follows to a path's line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CalendarFileError(path, None, f"cannot read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise CalendarFileError(path, None, "not UTF-8 text; save the file as UTF-8") from exc
    loader = yaml.SafeLoader("")
    try:
        node = compose(text)
        if node is None:
            raise CalendarFileError(path, 1, "the file is empty")
        return _build(loader, node, path), node
    except yaml.MarkedYAMLError as exc:
        raise CalendarFileError(path, error_line(exc),
                                f"YAML syntax error: {exc.problem or exc}") from exc
    except yaml.YAMLError as exc:
        raise CalendarFileError(path, None, f"YAML error: {exc}") from exc
    finally:
        loader.dispose()


def _build(loader: yaml.SafeLoader, node: yaml.Node, path: Path) -> Any:
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            name = _scalar(loader, key_node, path)
            line = key_node.start_mark.line + 1
            if not isinstance(name, str | int):
                raise CalendarFileError(path, line, "a key must be text")
            if name in result:
                raise CalendarFileError(path, line, f"{name}: duplicate key; remove one of them.")
            result[name] = _build(loader, value_node, path)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(loader, item, path) for item in node.value]
    return _scalar(loader, node, path)


def _scalar(loader: yaml.SafeLoader, node: yaml.Node, path: Path) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        raise CalendarFileError(path, node.start_mark.line + 1, "a key must be a single value")
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, yaml.constructor.ConstructorError) as exc:
        raise CalendarFileError(path, node.start_mark.line + 1,
                                f"cannot read value {node.value!r}: {exc}") from exc


def line_of(node: yaml.Node, key: Key) -> int:
    """Line of `key`, or of its nearest enclosing entry that has one (the document's first line
    for the top level). Keys match by their value, as in the data: `0x10` is the key 16."""
    loader = yaml.SafeLoader("")

    def same_value(key_node: yaml.Node, part: Any) -> bool:
        return isinstance(key_node, yaml.ScalarNode) and loader.construct_object(key_node) == part

    try:
        return locate(node, key, node.start_mark.line + 1, same_value)
    finally:
        loader.dispose()
