"""`flask calendar ...` output contract, run through click's CliRunner after configure()."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from app import workdays
from app.workdays.cli import calendar_cli


def _run(*args: str):
    return CliRunner().invoke(calendar_cli, list(args))


@pytest.mark.parametrize(("args", "out"), [
    (("add", "2025-01-27", "5"), "2025-02-10\n"),
    (("add", "2025-01-27", "0"), "2025-01-27\n"),
    (("add", "2025-02-10", "-5"), "2025-01-27\n"),
    (("add", "2026-12-31", "6"), "2027-01-08 provisional\n"),
    (("add", "2025-03-28", "1", "--region", "450102000000"), "2025-04-02\n"),
])
def test_add(configured, args, out):
    result = _run(*args)
    assert result.exit_code == 0, result.output
    assert result.stdout == out


@pytest.mark.parametrize("args", [
    ("add", "2025-13-01", "5"), ("add", "27.01.2025", "5"), ("add", "2025-01-27", "five"),
    ("add", "2025-01-27"), ("add", "2025-01-27", "1", "--region", "abc"),
])
def test_add_usage_errors(configured, args):
    result = _run(*args)
    assert result.exit_code == 2
    assert result.stdout == ""


def test_year(configured):
    result = _run("year", "2025")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 365
    assert lines[:3] == ["2025-01-01 off", "2025-01-02 work", "2025-01-03 work"]
    assert "2025-01-26 work" in lines and "2025-10-08 off" in lines
    assert lines[-1] == "2025-12-31 work"
    assert "2025-03-31 work" in lines
    local = _run("year", "2025", "--region", "450102000000").stdout.splitlines()
    assert "2025-03-31 off" in local and "2025-04-01 off" in local
    assert len(_run("year", "2024").stdout.splitlines()) == 366


def test_year_without_file(configured):
    result = _run("year", "2027")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "calendars/cn/2027.yaml" in result.stderr


def test_check(configured):
    result = _run("check")
    assert result.exit_code == 0
    assert result.stdout == "covered through 2026-12-31\n"


def test_check_reports_an_invalid_file(tmp_calendars, keep_default):
    workdays.configure(tmp_calendars, reload_seconds=0)
    path = tmp_calendars / "45" / "2025.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("from: 2025-03-31", "from: 2024-03-31"), encoding="utf-8")
    result = _run("check")
    assert result.exit_code == 1
    assert result.stdout == ""
    line = next(i for i, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if "2024-03-31" in text)
    assert result.stderr.startswith(f"{path}:{line}: holidays[0].from: 2024-03-31 is not in 2025")


def test_check_another_directory(tmp_calendars, configured):
    (tmp_calendars / "cn" / "2025.yaml").unlink()
    result = _run("check", "--dir", str(tmp_calendars))
    assert result.exit_code == 1
    assert "cn/2025.yaml: missing: the files cover 2024-2026" in result.stderr


def test_check_warns_of_files_it_does_not_read(tmp_calendars, configured):
    (tmp_calendars / "cn" / "2027.yaml.draft").write_text("year: 2027", encoding="utf-8")
    result = _run("check", "--dir", str(tmp_calendars))
    assert result.exit_code == 0
    assert result.stdout == "covered through 2026-12-31\n"
    assert result.stderr == (f"warning: {tmp_calendars / 'cn' / '2027.yaml.draft'}: not a "
                             "calendar file (<folder>/<year>.yaml), not read\n")
