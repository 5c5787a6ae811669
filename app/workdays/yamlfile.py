"""YAML reading that remembers where each value came from, so that an error in a calendar file can
be reported as `path:line: message`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

Key = tuple[str | int, ...]


class CalendarFileError(Exception):
    """A calendar file (日历文件) is invalid. `str()` is `path:line: message` (`path: message` when
    no line applies, e.g. a missing file)."""

    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        self.path = str(path)
        self.line = line
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.path}: {self.message}"
        return f"{self.path}:{self.line}: {self.message}"


def read_yaml(path: Path) -> tuple[Any, dict[Key, int]]:
    """Parse `path` with the safe loader. Returns the data and the 1-based line of every mapping
    key and sequence item, keyed by its path, e.g. `("holidays", 2, "from")`."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CalendarFileError(path, None, f"无法读取文件: {exc}") from exc
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise CalendarFileError(path, 1, "文件为空")
        lines: dict[Key, int] = {(): node.start_mark.line + 1}
        return _build(loader, node, (), lines, path), lines
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise CalendarFileError(path, line, f"YAML 语法错误: {exc.problem or exc}") from exc
    except yaml.YAMLError as exc:
        raise CalendarFileError(path, None, f"YAML 错误: {exc}") from exc
    finally:
        loader.dispose()


def _build(loader: yaml.SafeLoader, node: yaml.Node, key: Key, lines: dict[Key, int],
           path: Path) -> Any:
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            name = _scalar(loader, key_node, path)
            line = key_node.start_mark.line + 1
            if not isinstance(name, str | int):
                raise CalendarFileError(path, line, "键必须是文字")
            if name in result:
                raise CalendarFileError(path, line, f"重复的键: {name}")
            lines[key + (name,)] = line
            result[name] = _build(loader, value_node, key + (name,), lines, path)
        return result
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            lines[key + (index,)] = item.start_mark.line + 1
            items.append(_build(loader, item, key + (index,), lines, path))
        return items
    return _scalar(loader, node, path)


def _scalar(loader: yaml.SafeLoader, node: yaml.Node, path: Path) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        raise CalendarFileError(path, node.start_mark.line + 1, "此处应为单个值")
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, yaml.constructor.ConstructorError) as exc:
        raise CalendarFileError(path, node.start_mark.line + 1,
                                f"无法识别的值 {node.value!r}: {exc}") from exc


def line_of(lines: dict[Key, int], key: Key) -> int | None:
    """Line of `key`, or of its nearest enclosing entry that has one."""
    while key not in lines and key:
        key = key[:-1]
    return lines.get(key)
