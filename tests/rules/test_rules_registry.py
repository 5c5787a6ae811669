"""RuleBook lookups, the shipped files, and reloading with the last good rules kept in force."""

from __future__ import annotations

import dataclasses
import logging
import re
import threading

import pytest

from app.lastgood import LastGood
from app.rules import (
    Deadline,
    JurisdictionRules,
    RuleBook,
    RuleRegistry,
    RulesUnavailable,
    UnknownRuleKey,
    load_book,
)
from app.rules.schema import CHANNELS, RATED_OBJECTS

RULE_KEYS = {
    "contact", "contact.staff", "handle", "rectify.simple", "rectify.general", "rectify.complex",
    "appeal.submit", "appeal.decision", "appeal.feedback", "verify.confirm",
    "staff.recheck_request", "staff.decision", "feedback", "revisit", "dispatch", "rectify.reopen",
    "extension.decision", "staff.self_criticism", "supervise", "extension.limit",
}


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


# The shipped files

def test_shipped_files_load_with_identical_key_sets(shipped_dir):
    book = load_book(shipped_dir)
    assert book.jurisdictions() == ("jiangsu", "shenzhen")
    assert book.default.key == "shenzhen"
    for rules in book:
        assert set(rules.deadlines) == RULE_KEYS
        assert set(rules.routing.by_object) == set(RATED_OBJECTS)
        assert set(rules.routing.systems) == set(CHANNELS)


def test_shipped_values_from_the_sources(shipped_dir):
    book = load_book(shipped_dir)
    js, sz = book.get("jiangsu"), book.get("shenzhen")
    assert [js.deadline_days(k) for k in ("contact", "rectify.simple", "rectify.general",
                                          "rectify.complex")] == [1, 1, 5, 15]
    assert js.counted_from("rectify.general") == "receipt"
    assert [sz.deadline_days(k) for k in ("contact", "contact.staff", "handle",
                                          "staff.recheck_request")] == [3, 2, 10, 3]
    assert max(sz.deadline_days(k) for k in RULE_KEYS if k.startswith("rectify.")) <= 10
    assert sz.rating.default_level == "非常满意"
    assert (sz.rating.window_natural_days, sz.rating.reminder_hours,
            sz.rating.follow_up_natural_days) == (7, 24, 60)
    assert sz.staff_review.valid_bad_reviews_per_year == 3
    assert sz.routing.responsibility("staff") == "staff"
    assert sz.routing.system_owner("mobile").name == "深圳市政务服务和数据管理局"
    assert js.appeal.decided_by == "同级政务服务管理机构"


def test_jurisdiction_rules_helpers(shipped_dir):
    sz = load_book(shipped_dir).get("shenzhen")
    assert sz.deadline("rectify.complex") == Deadline(10, "receipt", 3, late_start_days=5)
    assert sz.warn_before("rectify.complex") == 3  # its own
    assert sz.warn_before("rectify.general") == sz.warning_lead_days  # the default lead
    with pytest.raises(UnknownRuleKey, match="no deadline rule 'rectify.urgent'"):
        sz.deadline_days("rectify.urgent")
    with pytest.raises(KeyError, match="known: jiangsu, shenzhen"):
        load_book(shipped_dir).get("beijing")
    assert sz.raw["name"] == "深圳市"
    assert len(sz.content_hash) == 64
    assert sz.text.startswith("# 深圳市")
    assert sz.source_path.endswith("shenzhen.yaml")
    with pytest.raises(AttributeError):
        sz.name = "x"  # frozen


def test_default_lead_never_exceeds_the_deadline(rules_copy):
    rules_copy.edit("jiangsu", "lead_working_days: 1", "lead_working_days: 4")
    js = load_book(rules_copy.path).get("jiangsu")
    assert js.warn_before("contact") == 1  # a 1-day deadline
    assert js.warn_before("revisit") == 3
    assert js.warn_before("rectify.general") == 4


# Region lookup

def _variant(base: JurisdictionRules, key: str, regions: tuple[str, ...],
             default: bool = False) -> JurisdictionRules:
    return dataclasses.replace(base, key=key, regions=regions, default=default)


def test_for_region_longest_prefix_then_default(shipped_dir):
    base = load_book(shipped_dir).get("jiangsu")
    book = RuleBook([_variant(base, "guangdong", ("44",)),
                     _variant(base, "shenzhen", ("4403",), default=True),
                     _variant(base, "nanshan", ("440305",)), _variant(base, "jiangsu", ("32",))])
    assert book.for_region("440305001000").key == "nanshan"
    assert book.for_region("440304000000").key == "shenzhen"
    assert book.for_region("440100000000").key == "guangdong"
    assert book.for_region("320500000000").key == "jiangsu"
    assert book.for_region("110000000000").key == "shenzhen"  # default
    assert book.for_region("").key == "shenzhen"
    assert book.for_region(None).key == "shenzhen"
    assert book.for_region(" 320100000000 ").key == "jiangsu"


def test_book_needs_exactly_one_default(shipped_dir):
    base = load_book(shipped_dir).get("jiangsu")
    with pytest.raises(ValueError):
        RuleBook([_variant(base, "a", ("11",)), _variant(base, "b", ("12",))])


# Reloading

def test_first_load_of_a_bad_directory_has_no_rules_until_fixed(rules_copy, caplog):
    rules_copy.edit("jiangsu", "working_days: 5", "working_days: -5")
    registry = RuleRegistry(rules_copy.path, reload_seconds=0)
    assert not registry.available
    assert re.search(r"jiangsu.yaml:\d+: deadlines.rectify.general", registry.last_error)
    with pytest.raises(RulesUnavailable, match=r"no rules in force.*\n.*jiangsu.yaml:\d+"):
        registry.current()
    assert "no last good copy" in caplog.text
    rules_copy.edit("jiangsu", "working_days: -5", "working_days: 5")  # fixed: no restart
    assert registry.current().get("jiangsu").deadline_days("rectify.general") == 5
    assert registry.last_error is None


def test_first_load_of_a_bad_directory_takes_the_last_good_copy(rules_copy, tmp_path):
    kept = LastGood(tmp_path / "last-good")
    RuleRegistry(rules_copy.path, reload_seconds=0, last_good=kept)  # a good start keeps them
    rules_copy.edit("jiangsu", "working_days: 5", "working_days: -5")
    registry = RuleRegistry(rules_copy.path, reload_seconds=0, last_good=kept)  # a restart
    assert registry.current().get("jiangsu").deadline_days("rectify.general") == 5
    assert re.search(r"jiangsu.yaml:\d+: deadlines.rectify.general", registry.last_error)
    rules_copy.edit("jiangsu", "working_days: -5", "working_days: 6")  # fixed: in force
    assert registry.current().get("jiangsu").deadline_days("rectify.general") == 6
    assert registry.last_error is None
    assert "working_days: 6" in (tmp_path / "last-good" / "jiangsu.yaml").read_text("utf-8")


def test_a_bad_edit_is_not_kept_as_the_last_good_copy(rules_copy, tmp_path):
    kept = LastGood(tmp_path / "last-good")
    registry = RuleRegistry(rules_copy.path, reload_seconds=0, last_good=kept)
    rules_copy.edit("jiangsu", "working_days: 5", "working_days: -5")
    registry.current()
    assert registry.last_error is not None
    assert "working_days: -5" not in (tmp_path / "last-good" / "jiangsu.yaml").read_text("utf-8")


def test_reload_good_bad_fixed(rules_copy, caplog):
    registry = RuleRegistry(rules_copy.path, reload_seconds=0)
    first = registry.current()
    assert registry.current() is first  # unchanged files: same book
    assert first.get("jiangsu").deadline_days("rectify.general") == 5

    rules_copy.edit("jiangsu", "working_days: 5", "working_days: 6")
    second = registry.current()
    assert second is not first
    assert second.get("jiangsu").deadline_days("rectify.general") == 6
    assert second.get("shenzhen") is first.get("shenzhen")  # untouched file: same object
    assert second.get("jiangsu").loaded_at > first.get("jiangsu").loaded_at

    caplog.set_level(logging.INFO, logger="app.rules")
    rules_copy.edit("jiangsu", "working_days: 6", "working_days: -6")
    assert registry.current() is second  # the last good rules stay in force
    assert registry.last_error.startswith(f"{rules_copy.file('jiangsu')}:")
    assert "deadlines.rectify.general.working_days" in registry.last_error
    assert registry.last_error_at is not None
    errors = [r for r in caplog.records if r.name == "app.rules" and r.levelno == logging.ERROR]
    assert len(errors) == 1 and "deadlines.rectify.general" in errors[0].getMessage()
    registry.current()
    assert len([r for r in caplog.records if r.levelno == logging.ERROR]) == 1  # logged once

    rules_copy.edit("jiangsu", "working_days: -6", "working_days: 7")
    third = registry.current()
    assert third.get("jiangsu").deadline_days("rectify.general") == 7
    assert registry.last_error is None and registry.last_error_at is None
    assert registry.loaded_at == third.loaded_at


def test_reload_waits_for_the_interval(rules_copy):
    clock = FakeClock()
    registry = RuleRegistry(rules_copy.path, reload_seconds=2, clock=clock)
    first = registry.current()
    clock.now = 5
    assert registry.current() is first  # checked: nothing changed
    rules_copy.edit("jiangsu", "working_days: 5", "working_days: 6")
    clock.now = 6
    assert registry.current() is first  # checked less than 2 s ago
    clock.now = 7.5
    assert registry.current().get("jiangsu").deadline_days("rectify.general") == 6


def _zhejiang(rules_copy) -> str:
    return (rules_copy.text("jiangsu").replace("jurisdiction: jiangsu", "jurisdiction: zhejiang")
            .replace('  - "32"', '  - "33"').replace("name: 江苏省", "name: 浙江省"))


def test_a_new_file_is_noticed(rules_copy):
    registry = RuleRegistry(rules_copy.path, reload_seconds=0)
    rules_copy.write("zhejiang", _zhejiang(rules_copy))
    assert registry.current().jurisdictions() == ("jiangsu", "shenzhen", "zhejiang")
    assert registry.current().for_region("330100000000").name == "浙江省"


def test_removing_a_file_in_force_is_refused_until_a_restart(rules_copy, caplog):
    registry = RuleRegistry(rules_copy.path, reload_seconds=0)
    caplog.set_level(logging.INFO, logger="app.rules")
    rules_copy.file("jiangsu").unlink()
    book = registry.current()
    assert book.jurisdictions() == ("jiangsu", "shenzhen")  # the last good rules stay
    assert book.for_region("320100000000").key == "jiangsu"
    assert registry.last_error == (
        f"{rules_copy.file('jiangsu')}: file missing: jurisdiction 'jiangsu' (江苏省, regions "
        "32) is in force; put the file back. To retire the jurisdiction, remove its file and "
        "restart the app.")
    assert not any("cleared" in r.getMessage() for r in caplog.records)
    assert RuleRegistry(rules_copy.path).current().jurisdictions() == ("shenzhen",)  # restart


def test_removing_the_default_file_names_it(rules_copy):
    """Without shenzhen.yaml no file says default: true; the error names the file gone too."""
    registry = RuleRegistry(rules_copy.path, reload_seconds=0)
    rules_copy.file("shenzhen").unlink()
    assert registry.current().jurisdictions() == ("jiangsu", "shenzhen")
    assert registry.last_error.splitlines()[1] == (
        f"{rules_copy.file('shenzhen')}: file missing: jurisdiction 'shenzhen' (深圳市, regions "
        "4403) is in force; put the file back. To retire the jurisdiction, remove its file and "
        "restart the app.")
    assert "no rule file says default: true" in registry.last_error


def test_renaming_a_file_to_yml_is_refused_with_its_name(rules_copy):
    registry = RuleRegistry(rules_copy.path, reload_seconds=0)
    rules_copy.file("jiangsu").rename(rules_copy.path / "jiangsu.yml")
    assert registry.current().jurisdictions() == ("jiangsu", "shenzhen")
    assert registry.last_error == (f"{rules_copy.path / 'jiangsu.yml'}: not read: rule files "
                                   "are named <jurisdiction>.yaml; rename it to jiangsu.yaml")


def test_a_new_yml_file_is_reported_at_once(rules_copy):
    registry = RuleRegistry(rules_copy.path, reload_seconds=0)
    (rules_copy.path / "zhejiang.yml").write_text(_zhejiang(rules_copy), encoding="utf-8")
    registry.current()
    assert registry.last_error.endswith("zhejiang.yml: not read: rule files are named "
                                        "<jurisdiction>.yaml; rename it to zhejiang.yaml")


def test_other_files_are_named_as_not_read(rules_copy, caplog):
    caplog.set_level(logging.WARNING, logger="app.rules")
    (rules_copy.path / "README.md").write_text("# 说明", encoding="utf-8")
    (rules_copy.path / "notes.txt").write_text("x", encoding="utf-8")
    registry = RuleRegistry(rules_copy.path, reload_seconds=0)
    assert registry.ignored == (str(rules_copy.path / "notes.txt"),)
    (rules_copy.path / "old").mkdir()
    registry.current()
    assert registry.ignored == (str(rules_copy.path / "notes.txt"), str(rules_copy.path / "old"))
    assert registry.last_error is None
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2 and warnings[1].endswith(f"notes.txt, {rules_copy.path / 'old'}")


def test_a_reload_check_may_refuse_sound_files(rules_copy):
    seen = []

    def check(book, parsed):
        seen.append((book.jurisdictions(), [f.path.name for f in parsed]))
        yield parsed[0].issue(("deadlines",), "refused by the check")

    registry = RuleRegistry(rules_copy.path, reload_seconds=0, reload_check=check)
    assert seen == []  # not at the first load
    rules_copy.edit("jiangsu", "working_days: 5", "working_days: 6")
    assert registry.current().get("jiangsu").deadline_days("rectify.general") == 5
    assert seen == [(("jiangsu", "shenzhen"), ["jiangsu.yaml", "shenzhen.yaml"])]
    assert registry.last_error == (f"{rules_copy.file('jiangsu')}:"
                                   f"{rules_copy.line_of('jiangsu', 'deadlines:')}: "
                                   "deadlines: refused by the check")


def test_explicit_reload(rules_copy):
    registry = RuleRegistry(rules_copy.path, reload_seconds=3600)
    assert registry.reload() is False  # nothing changed
    rules_copy.edit("jiangsu", "working_days: 5", "working_days: 6")
    assert registry.reload() is True
    assert registry.current().get("jiangsu").deadline_days("rectify.general") == 6
    assert registry.reload(force=True) is True


def test_concurrent_readers_during_edits(rules_copy):
    registry = RuleRegistry(rules_copy.path, reload_seconds=0)
    seen, failures = set(), []

    def read() -> None:
        try:
            for _ in range(50):
                seen.add(registry.current().get("jiangsu").deadline_days("rectify.general"))
        except Exception as exc:  # pragma: no cover - reported below
            failures.append(exc)

    threads = [threading.Thread(target=read) for _ in range(6)]
    for thread in threads:
        thread.start()
    for days in (6, 7, 8):
        rules_copy.edit("jiangsu", f"working_days: {days - 1}\n", f"working_days: {days}\n")
    for thread in threads:
        thread.join()
    assert not failures
    assert registry.current().get("jiangsu").deadline_days("rectify.general") == 8
    assert seen <= {5, 6, 7, 8}
