"""app.yamldoc: composing YAML with line numbers, locating field paths, flattening messages."""

import ast
from pathlib import Path

import pytest
import yaml

from app.yamldoc import compose, error_line, flatten_messages, locate

DOC = """\
# comment
name: x
items:
  - a: 1
    b: 2
  - c: 3
0x10: hex
"""


def test_compose_returns_nodes_or_none_for_empty_text():
    assert isinstance(compose(DOC), yaml.MappingNode)
    assert compose("") is None
    assert compose("# only a comment\n") is None


def test_compose_syntax_error_has_a_line():
    with pytest.raises(yaml.MarkedYAMLError) as info:
        compose("a: 1\nb: [1\n")
    assert error_line(info.value) == 3


def test_locate_follows_keys_and_indexes():
    node = compose(DOC)
    assert locate(node, ("name",)) == 2
    assert locate(node, ("items",)) == 3
    assert locate(node, ("items", 1)) == 6
    assert locate(node, ("items", 0, "b")) == 5


def test_locate_falls_back_to_the_deepest_existing_ancestor():
    node = compose(DOC)
    assert locate(node, ("items", 0, "missing")) == 4
    assert locate(node, ("items", 7)) == 3
    assert locate(node, ("items", "a")) == 3
    assert locate(node, ("name", "deeper")) == 2
    assert locate(node, ("missing",)) == 1
    assert locate(node, ()) == 1
    assert locate(node, ("missing",), root_line=2) == 2
    assert locate(None, ("name",)) == 1


def test_locate_key_test_is_pluggable():
    node = compose(DOC)
    assert locate(node, (16,)) == 1  # by default keys match as written
    loader = yaml.SafeLoader("")
    by_value = lambda key, part: loader.construct_object(key) == part  # noqa: E731
    assert locate(node, (16,), same_key=by_value) == 7


def test_flatten_messages_keeps_order_and_puts_schema_messages_on_the_parent():
    messages = {"a": ["bad"], "b": {0: {"c": ["x", "y"]}, "_schema": ["whole"]},
                "_schema": ["top"]}
    assert list(flatten_messages(messages)) == [
        (("a",), "bad"), (("b", 0, "c"), "x"), (("b", 0, "c"), "y"), (("b",), "whole"),
        ((), "top")]
    assert list(flatten_messages("plain", ("p",))) == [(("p",), "plain")]


def test_imports_nothing_from_flask():
    import app.yamldoc as module
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    names = [alias.name for n in ast.walk(tree) if isinstance(n, ast.Import) for alias in n.names]
    names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert names and not [name for name in names if name.split(".")[0] == "flask"]
