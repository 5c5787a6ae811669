"""Fixtures for the rules tests: a copy of the shipped rule files to break at will (the real
files are never edited by tests). Under --import-mode=importlib test modules cannot import
helpers from here, so the helpers are methods of the fixture's object."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from app.config import ROOT

SHIPPED = ROOT / "rules"


class RulesCopy:
    """A temporary rule directory with editing helpers."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def file(self, name: str) -> Path:
        return self.path / f"{name}.yaml"

    def text(self, name: str) -> str:
        return self.file(name).read_text(encoding="utf-8")

    def write(self, name: str, text: str) -> None:
        path = self.file(name)
        existed = path.exists()
        path.write_text(text, encoding="utf-8")
        if existed:
            self._touch_later(path)

    def edit(self, name: str, old: str, new: str) -> None:
        """Replace the first occurrence of `old` (which must be there)."""
        text = self.text(name)
        assert old in text, f"{old!r} not in {name}.yaml"
        self.write(name, text.replace(old, new, 1))

    def line_of(self, name: str, needle: str, after: str | None = None) -> int:
        """1-based number of the first line that starts (after indentation) with `needle`,
        after the first such line for `after` when given. Comments never match."""
        lines = self.text(name).splitlines()
        start = 0
        if after is not None:
            start = next(i for i, line in enumerate(lines) if line.lstrip().startswith(after)) + 1
        for number, line in enumerate(lines[start:], start + 1):
            if line.lstrip().startswith(needle):
                return number
        raise AssertionError(f"{needle!r} not in {name}.yaml")

    @staticmethod
    def _touch_later(path: Path) -> None:
        """Move the mtime on, so a watcher sees the change even on coarse-mtime filesystems."""
        st = path.stat()
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


@pytest.fixture()
def rules_copy(tmp_path) -> RulesCopy:
    target = tmp_path / "rules"
    target.mkdir()
    for path in SHIPPED.glob("*.yaml"):
        shutil.copy(path, target / path.name)
    return RulesCopy(target)


@pytest.fixture()
def shipped_dir() -> Path:
    return SHIPPED
