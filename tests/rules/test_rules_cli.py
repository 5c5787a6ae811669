"""`flask rules check` and `flask rules show`."""

from __future__ import annotations


def test_check_ok(app):
    result = app.test_cli_runner().invoke(args=["rules", "check"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "ok: 2 jurisdictions (jiangsu, shenzhen)\n"


def test_check_reads_the_disk_not_the_registry(app, rules_copy):
    rules_copy.edit("jiangsu", "default_level: 满意", "default_level: 好")
    line = rules_copy.line_of("jiangsu", "default_level:")
    result = app.test_cli_runner().invoke(args=["rules", "check", "--dir", str(rules_copy.path)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(
        f"{rules_copy.file('jiangsu')}:{line}: rating.default_level: Must be one of:")


def test_check_warns_of_files_it_does_not_read(app, rules_copy):
    (rules_copy.path / "jiangsu.yaml.bak").write_text("x", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["rules", "check", "--dir", str(rules_copy.path)])
    assert result.exit_code == 0
    assert result.stdout == "ok: 2 jurisdictions (jiangsu, shenzhen)\n"
    assert result.stderr == (f"warning: {rules_copy.path / 'jiangsu.yaml.bak'}: not a rule file "
                             "(<jurisdiction>.yaml), not read\n")


def test_check_lists_every_problem(app, rules_copy):
    rules_copy.edit("jiangsu", "\ndefault: false", "\ndefault: maybe")
    rules_copy.edit("shenzhen", "reminder_hours: 24", "reminder_hours: -1")
    result = app.test_cli_runner().invoke(args=["rules", "check", "--dir", str(rules_copy.path)])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{rules_copy.file('jiangsu')}:"
                               f"{rules_copy.line_of('jiangsu', 'default:')}: default: ")
    assert lines[1].startswith(f"{rules_copy.file('shenzhen')}:"
                               f"{rules_copy.line_of('shenzhen', 'reminder_hours')}: "
                               "rating.reminder_hours: ")


def test_show_all(app):
    result = app.test_cli_runner().invoke(args=["rules", "show"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "jiangsu  江苏省\n" in out
    assert "shenzhen  深圳市  (default)\n" in out
    assert "rectify.general" in out and "contact.staff" in out
    assert "from receipt" in out and "dispatch auto" in out
    assert "11440300MB2D8R104E  深圳市政务服务和数据管理局" in out


def test_show_one(app):
    result = app.test_cli_runner().invoke(args=["rules", "show", "jiangsu"])
    assert result.exit_code == 0
    assert "江苏省" in result.stdout and "深圳市" not in result.stdout
    general = next(line for line in result.stdout.splitlines() if "rectify.general" in line)
    assert general.split() == ["rectify.general", "5", "from", "receipt", "warn", "1",
                               "(default)", "begun", "late:", "3", "from", "the", "step"]


def test_show_unknown(app):
    result = app.test_cli_runner().invoke(args=["rules", "show", "beijing"])
    assert result.exit_code == 1
    assert result.stderr == "unknown jurisdiction 'beijing'; known: jiangsu, shenzhen\n"


def test_show_says_which_rule_is_due_with_the_rectification(app):
    """反馈随整改时限: Jiangsu's feedback (within_rectify), not Shenzhen's."""
    out = app.test_cli_runner().invoke(args=["rules", "show"]).stdout
    jiangsu, shenzhen = out.split("shenzhen  深圳市")
    line = next(x for x in jiangsu.splitlines() if x.strip().startswith("feedback "))
    assert line.endswith("never after rectify.<class> (within_rectify)")
    assert "within_rectify" not in shenzhen
