"""Reading and checking rule files (规则文件) from disk.

`load_directory(dir)` parses every `*.yaml` file, validates each with
`schema.JurisdictionSchema`, runs the cross-file checks and returns `ParsedFile`s, or raises
`RuleFileError` listing every problem as `path:line: field: message` (a `.yml` file is one: it
would not be read). `ignored_files(dir)` names the other entries, which are not read either.
Line numbers come from the composed YAML nodes: an error's field path is followed through the
node tree to the key where the field is written (or to its parent when the field is missing).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml
from marshmallow import ValidationError

from app.filewatch import entries, misnamed_yaml
from app.rules.schema import JurisdictionSchema
from app.yamldoc import compose, display_path, error_line, flatten_messages, locate

SUFFIX = ".yaml"


@dataclass(frozen=True)
class Issue:
    """One problem in one file; `line` is 1-based, None when the problem has no line."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else \
            f"{self.path}: {self.message}"


class RuleFileError(Exception):
    """A rule file (or the rule directory) is not acceptable. `str()` gives one
    `path:line: message` line per issue; `path`, `line`, `message` are those of the first."""

    def __init__(self, issues: Iterable[Issue]) -> None:
        self.issues = sorted(issues, key=lambda i: (i.path, i.line or 0))
        if not self.issues:
            raise ValueError("RuleFileError needs at least one issue")
        super().__init__("\n".join(str(issue) for issue in self.issues))

    @property
    def path(self) -> str:
        return self.issues[0].path

    @property
    def line(self) -> int | None:
        return self.issues[0].line

    @property
    def message(self) -> str:
        return self.issues[0].message


@dataclass(frozen=True)
class ParsedFile:
    """A rule file that passed its own validation: the loaded data plus where it came from."""

    path: Path
    display_path: str
    text: str
    content_hash: str
    data: dict
    node: yaml.Node

    def line_of(self, *field_path) -> int:
        return locate(self.node, field_path)

    def issue(self, field_path: tuple, message: str) -> Issue:
        field = ".".join(str(p) for p in field_path)
        return Issue(self.display_path, self.line_of(*field_path), f"{field}: {message}")


def list_rule_files(directory: Path | str) -> list[Path]:
    """The rule files of a directory: `*.yaml`, skipping hidden and editor lock files."""
    return [p for p in entries(Path(directory)) if p.is_file() and p.name.endswith(SUFFIX)]


def watched_files(directory: Path | str) -> list[Path]:
    """What a reload watches: every entry but hidden, editor and README files, so that a new
    `.yml` or stray file is reported as soon as it appears."""
    return entries(Path(directory))


def ignored_files(directory: Path | str) -> list[str]:
    """Entries that are neither rule files nor misnamed ones: not read, worth a warning."""
    return [display_path(p) for p in entries(Path(directory))
            if not (p.is_file() and (p.name.endswith(SUFFIX) or misnamed_yaml(p, SUFFIX)))]


def _misnamed_issues(directory: Path) -> list[Issue]:
    """A `.yml` (or `.YAML`) file looks like a rule file but is not read: say so."""
    return [Issue(display_path(p), None, f"not read: rule files are named <jurisdiction>"
                                         f"{SUFFIX}; rename it to {p.stem}{SUFFIX}")
            for p in entries(directory) if p.is_file() and misnamed_yaml(p, SUFFIX)]


def _duplicate_keys(node: yaml.Node, display: str, path: tuple = ()) -> Iterator[Issue]:
    """YAML silently keeps the last of two equal keys; a rule file must not rely on that."""
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else None
            line = key.start_mark.line + 1
            if name is not None and key.tag != "tag:yaml.org,2002:merge":
                if name in seen:
                    field = ".".join(str(p) for p in path + (name,))
                    yield Issue(display, line, f"{field}: duplicate key (first at line "
                                               f"{seen[name]}); remove one of them.")
                seen.setdefault(name, line)
            yield from _duplicate_keys(value, display, path + (name,))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _duplicate_keys(item, display, path + (index,))


def _compose(text: str, display: str) -> tuple[yaml.Node | None, object]:
    """The document's node tree and its Python value."""
    loader = yaml.SafeLoader("")
    try:
        node = compose(text)
        return node, (loader.construct_document(node) if node is not None else None)
    except yaml.MarkedYAMLError as exc:
        what = " ".join(part for part in (exc.context, exc.problem) if part)
        raise RuleFileError([Issue(display, error_line(exc),
                                   f"YAML syntax error: {what}")]) from exc
    except yaml.YAMLError as exc:
        raise RuleFileError([Issue(display, None, f"YAML error: {exc}")]) from exc
    except (ValueError, TypeError, OverflowError) as exc:  # e.g. a date like 2022-13-01
        bad = _unreadable_scalar(node)
        line = bad.start_mark.line + 1 if bad is not None else None
        what = f" {bad.value!r}" if bad is not None else ""
        raise RuleFileError([Issue(display, line, f"cannot read value{what}: {exc}")]) from exc
    finally:
        loader.dispose()


def _unreadable_scalar(root: yaml.Node) -> yaml.ScalarNode | None:
    """The first scalar that cannot be constructed (PyYAML raises such errors without a mark)."""
    probe = yaml.SafeLoader("")
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            try:
                probe.construct_object(node)
            except (ValueError, TypeError, OverflowError):
                return node
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))
        elif isinstance(node, yaml.MappingNode):
            stack.extend(n for pair in reversed(node.value) for n in reversed(pair))
    return None


def parse_file(path: Path | str) -> ParsedFile:
    """Read, parse and validate one rule file (no cross-file checks)."""
    path = Path(path)
    display = display_path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RuleFileError([Issue(display, None, f"cannot read: {exc.strerror}")]) from exc
    return parse_bytes(raw, path, display)


def parse_bytes(raw: bytes, path: Path, display: str) -> ParsedFile:
    """Parse and validate the content of a rule file (`parse_file` without the reading: also
    a version kept in `rule_versions`)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RuleFileError([Issue(display, None, "not UTF-8 text; save the file as UTF-8")]) \
            from exc
    node, data = _compose(text, display)
    if not isinstance(data, dict):
        raise RuleFileError([Issue(display, 1, "the file must be a mapping of fields "
                                               "(jurisdiction: ..., name: ..., ...)")])
    issues = list(_duplicate_keys(node, display))
    try:
        loaded = JurisdictionSchema().load(data)
    except ValidationError as exc:
        for field_path, message in flatten_messages(exc.messages):
            field = ".".join(str(p) for p in field_path)
            issues.append(Issue(display, locate(node, field_path),
                                f"{field}: {message}" if field else message))
    if issues:
        raise RuleFileError(issues)
    return ParsedFile(path, display, text, hashlib.sha256(raw).hexdigest(), loaded, node)


def load_directory(directory: Path | str) -> list[ParsedFile]:
    """Parse and check every rule file of `directory`; RuleFileError lists all problems."""
    directory = Path(directory)
    if not directory.is_dir():
        raise RuleFileError([Issue(display_path(directory), None, "rule directory not found")])
    files, issues = list_rule_files(directory), _misnamed_issues(directory)
    if not files:
        raise RuleFileError(issues or [Issue(display_path(directory), None,
                                             f"no rule files (*{SUFFIX}) in this directory")])
    parsed = []
    for path in files:
        try:
            parsed.append(parse_file(path))
        except RuleFileError as exc:
            issues.extend(exc.issues)
    issues.extend(_file_name_issues(parsed))
    if not issues:  # cross-file checks only make sense once every file is sound on its own
        issues.extend(_cross_file_issues(parsed, display_path(directory)))
    if issues:
        raise RuleFileError(issues)
    return parsed


def _file_name_issues(parsed: list[ParsedFile]) -> Iterator[Issue]:
    for rule_file in parsed:
        key = rule_file.data["jurisdiction"]
        if key != rule_file.path.stem:
            yield rule_file.issue(("jurisdiction",), f"{key!r} does not match the file name; "
                                                     f"expected {rule_file.path.stem!r}.")


def _cross_file_issues(parsed: list[ParsedFile], directory: str) -> Iterator[Issue]:
    defaults = [f for f in parsed if f.data["default"]]
    if not defaults:
        yield Issue(directory, None, "no rule file says default: true; exactly one must "
                                     "(its rules apply to regions no file claims).")
    for extra in defaults[1:]:
        yield extra.issue(("default",), f"{defaults[0].path.name} is already the default; "
                                        "exactly one file may say default: true.")
    claimed: dict[str, str] = {}
    for rule_file in parsed:
        for index, prefix in enumerate(rule_file.data["regions"]):
            if prefix in claimed:
                yield rule_file.issue(("regions", index), f"region prefix {prefix!r} is "
                                                          f"already claimed by {claimed[prefix]}.")
            claimed.setdefault(prefix, rule_file.path.name)
    keys = {f.path.name: set(f.data["deadlines"]) for f in parsed}
    every = set().union(*keys.values())
    for rule_file in parsed:
        for missing in sorted(every - keys[rule_file.path.name]):
            where = ", ".join(name for name, ks in keys.items() if missing in ks)
            yield rule_file.issue(("deadlines",), f"rule key {missing!r} is missing "
                                                  f"(defined in {where}); every file must "
                                                  "define the same keys.")
