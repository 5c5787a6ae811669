"""YAML documents that keep their line numbers, shared by the rule files (app.rules) and the
calendar files (app.workdays): composing a document to nodes, finding the line a field path points
to, flattening marshmallow's nested error messages, and the path an error names. Knows nothing
of Flask, and leaves the wording of errors to its callers."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml

FieldPath = tuple[str | int, ...]


def display_path(path: Path | str) -> str:
    """A data file's path as errors show it: relative to the working directory (the project,
    as the app runs) when inside it, else absolute."""
    absolute = Path(os.path.abspath(path))
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(absolute)


def compose(text: str) -> yaml.Node | None:
    """The node tree of a single-document YAML text (None when it is empty). Raises
    `yaml.YAMLError` (`yaml.MarkedYAMLError` when the position is known)."""
    loader = yaml.SafeLoader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def error_line(exc: yaml.MarkedYAMLError) -> int | None:
    """1-based line a YAML error points to, None when it has no position."""
    mark = exc.problem_mark or exc.context_mark
    return mark.line + 1 if mark else None


def same_text(key: yaml.Node, part: Any) -> bool:
    """Whether a mapping key is written as `part` (the default key test of `locate`)."""
    return isinstance(key, yaml.ScalarNode) and key.value == str(part)


def locate(node: yaml.Node | None, field_path: Iterable, root_line: int = 1,
           same_key: Callable[[yaml.Node, Any], bool] = same_text) -> int:
    """1-based line of the key (or list item) a field path points to; the deepest existing
    ancestor's line when part of the path is missing, `root_line` for a missing top-level field.
    Mapping keys are matched with `same_key(key node, path part)`, list items by index."""
    line, current = root_line, node
    for part in field_path:
        if isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                if same_key(key, part):
                    line, current = key.start_mark.line + 1, value
                    break
            else:
                return line
        elif (isinstance(current, yaml.SequenceNode) and isinstance(part, int)
              and 0 <= part < len(current.value)):
            current = current.value[part]
            line = current.start_mark.line + 1
        else:
            return line
    return line


def flatten_messages(messages: Any, path: FieldPath = ()) -> Iterator[tuple[FieldPath, str]]:
    """marshmallow's nested `ValidationError.messages` as (field path, message) pairs, in order;
    `_schema` (whole-object) messages belong to the enclosing path."""
    if isinstance(messages, dict):
        for key, value in messages.items():
            yield from flatten_messages(value, path if key == "_schema" else path + (key,))
    elif isinstance(messages, list):
        for message in messages:
            yield from flatten_messages(message, path)
    else:
        yield path, str(messages)
