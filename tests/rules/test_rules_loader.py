"""Validation of rule files: every kind of bad file names its path, line and field."""

from __future__ import annotations

import pytest

from app.rules import RuleFileError, load_book, load_directory
from app.rules.loader import parse_file
from app.rules.schema import uscc_check_char


def fails(directory) -> RuleFileError:
    with pytest.raises(RuleFileError) as info:
        load_directory(directory)
    return info.value


def expect(rules_copy, name: str, line: int, text: str) -> None:
    """The directory fails with exactly one issue: `path:line: text`."""
    err = fails(rules_copy.path)
    assert [str(i) for i in err.issues] == [f"{rules_copy.file(name)}:{line}: {text}"]
    assert (err.path, err.line) == (str(rules_copy.file(name)), line)
    assert str(err) == f"{rules_copy.file(name)}:{line}: {text}"


def test_copies_of_the_shipped_files_load(rules_copy):
    assert [f.data["jurisdiction"] for f in load_directory(rules_copy.path)] == \
        ["jiangsu", "shenzhen"]


def test_negative_working_days(rules_copy):
    rules_copy.edit("jiangsu", "      working_days: 5\n", "      working_days: -5\n")
    expect(rules_copy, "jiangsu", rules_copy.line_of("jiangsu", "working_days: -5"),
           "deadlines.rectify.general.working_days: "
           "Must be greater than or equal to 0 and less than or equal to 250.")


def test_working_days_as_text_is_refused(rules_copy):
    rules_copy.edit("jiangsu", "      working_days: 5\n", '      working_days: "5"\n')
    expect(rules_copy, "jiangsu", rules_copy.line_of("jiangsu", 'working_days: "5"'),
           "deadlines.rectify.general.working_days: Not a valid integer.")


def test_unknown_counted_from(rules_copy):
    rules_copy.edit("shenzhen", "counted_from: step", "counted_from: tomorrow")
    line = rules_copy.line_of("shenzhen", "counted_from: tomorrow")
    err = fails(rules_copy.path)
    assert str(err) == (f"{rules_copy.file('shenzhen')}:{line}: deadlines.rectify.reopen."
                        "counted_from: Must be one of: receipt, step.")


def test_missing_field_points_at_its_parent(rules_copy):
    rules_copy.edit("shenzhen", "  default_level: 非常满意", "  # default_level removed")
    expect(rules_copy, "shenzhen", rules_copy.line_of("shenzhen", "rating:"),
           "rating.default_level: Missing data for required field.")


def test_missing_top_level_field_is_line_one(rules_copy):
    rules_copy.edit("jiangsu", "name: 江苏省\n", "")
    expect(rules_copy, "jiangsu", 1, "name: Missing data for required field.")


def test_unknown_field_in_a_deadline(rules_copy):
    rules_copy.edit("jiangsu", "    warn_before: 2\n", "    warn_befor: 2\n")
    expect(rules_copy, "jiangsu", rules_copy.line_of("jiangsu", "warn_befor: 2"),
           "deadlines.handle.warn_befor: Unknown field.")


def test_unknown_top_level_field(rules_copy):
    rules_copy.edit("jiangsu", "warning:\n", "warnings:\n")
    err = fails(rules_copy.path)
    line = rules_copy.line_of("jiangsu", "warnings:")
    assert [str(i) for i in err.issues] == [
        f"{rules_copy.file('jiangsu')}:1: warning: Missing data for required field.",
        f"{rules_copy.file('jiangsu')}:{line}: warnings: Unknown field.",
    ]


def test_warn_before_longer_than_the_deadline(rules_copy):
    rules_copy.edit("jiangsu", "      warn_before: 3\n", "      warn_before: 30\n")
    expect(rules_copy, "jiangsu", rules_copy.line_of("jiangsu", "warn_before: 30"),
           "deadlines.rectify.complex.warn_before: Must not exceed working_days (15).")


def test_late_start_days_on_a_step_counted_deadline(rules_copy):
    rules_copy.edit("jiangsu", "    counted_from: step\n  supervise:",
                    "    counted_from: step\n    late_start_days: 1\n  supervise:")
    expect(rules_copy, "jiangsu", rules_copy.line_of("jiangsu", "late_start_days: 1",
                                                     after="revisit:"),
           "deadlines.revisit.late_start_days: Only for a deadline counted from receipt: one "
           "counted from the step never starts late.")


def test_late_start_days_must_be_a_working_day_or_more(rules_copy):
    rules_copy.edit("jiangsu", "      late_start_days: 3\n", "      late_start_days: 0\n")
    expect(rules_copy, "jiangsu", rules_copy.line_of("jiangsu", "late_start_days: 0"),
           "deadlines.rectify.general.late_start_days: Must be greater than or equal to 1 "
           "and less than or equal to 250.")


def test_unknown_rating_level(rules_copy):
    rules_copy.edit("jiangsu", "default_level: 满意", "default_level: 很好")
    err = fails(rules_copy.path)
    assert err.line == rules_copy.line_of("jiangsu", "default_level: 很好")
    assert err.message.startswith("rating.default_level: Must be one of: 非常满意, 满意")


def test_bad_unified_social_credit_code(rules_copy):
    rules_copy.edit("shenzhen", "pc:            {code: 11440300MB2D8R104E",
                    "pc:            {code: 11440300MB2D8R104F")
    expect(rules_copy, "shenzhen", rules_copy.line_of("shenzhen", "pc:   "),
           "routing.systems.pc.code: Check character of the unified social credit code "
           "should be 'E', not 'F'.")


def test_letters_outside_the_code_alphabet(rules_copy):
    rules_copy.edit("shenzhen", "sms:           {code: 11440300MB2D8R104E",
                    "sms:           {code: 11440300MS2D8R104E")
    err = fails(rules_copy.path)
    assert err.line == rules_copy.line_of("shenzhen", "sms:   ")
    assert err.message.startswith("routing.systems.sms.code: Not a unified social credit code")


def test_missing_channel_and_unknown_rated_object(rules_copy):
    rules_copy.edit("jiangsu", "    sms:  ", "    # sms:  ")
    rules_copy.edit("jiangsu", "    staff: staff\n", "    staff: staff\n    window: item\n")
    err = fails(rules_copy.path)
    assert [(i.line, i.message) for i in err.issues] == [
        (rules_copy.line_of("jiangsu", "window: item"), "routing.by_object.window: Unknown field."),
        (rules_copy.line_of("jiangsu", "systems:", after="by_object:"),
         "routing.systems.sms: Missing data for required field."),
    ]


def test_bad_region_prefixes(rules_copy):
    rules_copy.edit("jiangsu", '  - "32"\n', '  - "32"\n  - "3a"\n  - "32"\n')
    err = fails(rules_copy.path)
    assert [(i.line, i.message) for i in err.issues] == [
        (rules_copy.line_of("jiangsu", '- "3a"'),
         "regions.1: A region code prefix is 2-12 digits."),
    ]
    rules_copy.edit("jiangsu", '  - "3a"\n', "")
    err = fails(rules_copy.path)
    assert [(i.line, i.message) for i in err.issues] == [
        (rules_copy.line_of("jiangsu", '- "32"', after='- "32"'),
         "regions.1: Prefix '32' is listed twice."),
    ]


def test_unquoted_region_prefix_is_accepted(rules_copy):
    rules_copy.edit("shenzhen", '  - "4403"', "  - 4403")
    assert load_book(rules_copy.path).get("shenzhen").regions == ("4403",)


def test_yaml_syntax_error(rules_copy):
    rules_copy.edit("jiangsu", "grounds: [misjudged, malicious]", "grounds: [misjudged, malicious")
    err = fails(rules_copy.path)
    assert err.path == str(rules_copy.file("jiangsu"))
    assert err.line is not None and err.line >= rules_copy.line_of("jiangsu", "grounds:")
    assert "YAML syntax error" in err.message


def test_bad_indentation(rules_copy):
    rules_copy.edit("shenzhen", "    counted_from: receipt\n", "      counted_from: receipt\n")
    err = fails(rules_copy.path)
    assert err.line == rules_copy.line_of("shenzhen", "counted_from: receipt")
    assert err.message.startswith("YAML syntax error")


def test_duplicate_key(rules_copy):
    rules_copy.edit("jiangsu", "    general:", "    simple:\n      working_days: 2\n"
                                               "      counted_from: receipt\n    general:")
    first = rules_copy.line_of("jiangsu", "simple:")
    second = rules_copy.line_of("jiangsu", "simple:", after="simple:")
    expect(rules_copy, "jiangsu", second,
           f"deadlines.rectify.simple: duplicate key (first at line {first}); "
           "remove one of them.")


def test_deadline_that_is_not_a_mapping(rules_copy):
    rules_copy.edit("jiangsu", "  revisit:", "  revisit: 3\n  revisit_old:")
    expect(rules_copy, "jiangsu", rules_copy.line_of("jiangsu", "revisit: 3"),
           "deadlines.revisit: Expected a deadline (working_days, counted_from) or a group "
           "of deadlines.")


def test_badly_spelt_rule_key(rules_copy):
    rules_copy.edit("jiangsu", "  revisit:", "  Revisit:")
    expect(rules_copy, "jiangsu", rules_copy.line_of("jiangsu", "Revisit:"),
           "deadlines.Revisit: Rule keys are lower-case words (a-z, 0-9, _) joined by dots.")


def test_dotted_and_nested_keys_are_the_same_rules(rules_copy):
    nested = load_book(rules_copy.path).get("jiangsu").deadlines
    text = rules_copy.text("jiangsu")
    start, end = text.index("  rectify:"), text.index("  extension:")
    rules_copy.write("jiangsu", text[:start] +
                     "  rectify.simple: {working_days: 1, counted_from: receipt, "
                     "late_start_days: 1}\n"
                     "  rectify.general: {working_days: 5, counted_from: receipt, "
                     "late_start_days: 3}\n"
                     "  rectify:\n"
                     "    complex: {working_days: 15, counted_from: receipt, warn_before: 3, "
                     "late_start_days: 5}\n"
                     "    reopen: {working_days: 5, counted_from: step}\n"
                     + text[end:])
    assert load_book(rules_copy.path).get("jiangsu").deadlines == nested


def test_rule_key_defined_twice(rules_copy):
    rules_copy.edit("jiangsu", "  revisit:", "  contact.staff: {working_days: 1, "
                                             "counted_from: receipt}\n  revisit:")
    err = fails(rules_copy.path)
    assert err.line == rules_copy.line_of("jiangsu", "contact.staff: {")
    assert err.message == "deadlines.contact.staff: Rule key 'contact.staff' is defined twice."


def test_bad_effective_from(rules_copy):
    rules_copy.edit("jiangsu", "effective_from: 2022-10-01", "effective_from: 2022-13-01")
    expect(rules_copy, "jiangsu", rules_copy.line_of("jiangsu", "effective_from:"),
           "cannot read value '2022-13-01': month must be in 1..12")


def test_effective_from_that_is_not_a_date(rules_copy):
    rules_copy.edit("jiangsu", "effective_from: 2022-10-01", "effective_from: 十月")
    expect(rules_copy, "jiangsu", rules_copy.line_of("jiangsu", "effective_from:"),
           "effective_from: Not a valid date.")


def test_every_issue_is_listed(rules_copy):
    rules_copy.edit("jiangsu", "lead_working_days: 1", "lead_working_days: -1")
    rules_copy.edit("shenzhen", "reminder_hours: 24", "reminder_hours: 0")
    err = fails(rules_copy.path)
    assert [(i.path, i.line) for i in err.issues] == [
        (str(rules_copy.file("jiangsu")), rules_copy.line_of("jiangsu", "lead_working_days")),
        (str(rules_copy.file("shenzhen")), rules_copy.line_of("shenzhen", "reminder_hours")),
    ]
    assert len(str(err).splitlines()) == 2


@pytest.mark.parametrize(("text", "line", "message"), [
    ("", 1, "the file must be a mapping of fields"),
    ("- a\n- b\n", 1, "the file must be a mapping of fields"),
    ("a: 1\n---\nb: 2\n", 2, "YAML syntax error"),
])
def test_not_a_rule_file(rules_copy, text, line, message):
    rules_copy.write("jiangsu", text)
    err = fails(rules_copy.path)
    assert err.line == line
    assert err.message.startswith(message)


def test_not_utf8(rules_copy):
    rules_copy.file("jiangsu").write_bytes(rules_copy.text("jiangsu").encode("gb18030"))
    err = fails(rules_copy.path)
    assert str(err) == f"{rules_copy.file('jiangsu')}: not UTF-8 text; save the file as UTF-8"


def test_byte_order_mark_is_accepted(rules_copy):
    raw = rules_copy.file("jiangsu").read_bytes()
    rules_copy.file("jiangsu").write_bytes(b"\xef\xbb\xbf" + raw)
    parsed = parse_file(rules_copy.file("jiangsu"))
    assert parsed.data["name"] == "江苏省"


# Cross-file checks

def test_jurisdiction_must_match_file_name(rules_copy):
    rules_copy.edit("jiangsu", "jurisdiction: jiangsu", "jurisdiction: suzhou")
    expect(rules_copy, "jiangsu", rules_copy.line_of("jiangsu", "jurisdiction: suzhou"),
           "jurisdiction: 'suzhou' does not match the file name; expected 'jiangsu'.")


def test_two_defaults(rules_copy):
    rules_copy.edit("jiangsu", "default: false", "default: true")
    expect(rules_copy, "shenzhen", rules_copy.line_of("shenzhen", "default: true"),
           "default: jiangsu.yaml is already the default; exactly one file may say "
           "default: true.")


def test_no_default(rules_copy):
    rules_copy.edit("shenzhen", "\ndefault: true", "\ndefault: false")
    err = fails(rules_copy.path)
    assert str(err) == (f"{rules_copy.path}: no rule file says default: true; exactly one must "
                        "(its rules apply to regions no file claims).")


def test_region_claimed_twice(rules_copy):
    rules_copy.edit("shenzhen", '  - "4403"\n', '  - "4403"\n  - "32"\n')
    expect(rules_copy, "shenzhen", rules_copy.line_of("shenzhen", '- "32"'),
           "regions.1: region prefix '32' is already claimed by jiangsu.yaml.")


def test_missing_rule_key_is_reported_against_that_file(rules_copy):
    rules_copy.edit("shenzhen", "  revisit:", "  revisit_later:")
    err = fails(rules_copy.path)
    deadlines_sz = rules_copy.line_of("shenzhen", "deadlines:")
    deadlines_js = rules_copy.line_of("jiangsu", "deadlines:")
    assert [str(i) for i in err.issues] == [
        f"{rules_copy.file('jiangsu')}:{deadlines_js}: deadlines: rule key 'revisit_later' is "
        "missing (defined in shenzhen.yaml); every file must define the same keys.",
        f"{rules_copy.file('shenzhen')}:{deadlines_sz}: deadlines: rule key 'revisit' is "
        "missing (defined in jiangsu.yaml); every file must define the same keys.",
    ]


def test_cross_file_checks_wait_for_sound_files(rules_copy):
    rules_copy.edit("shenzhen", "\ndefault: true", "\ndefault: false")
    rules_copy.edit("jiangsu", "dispatch: auto", "dispatch: fax")
    err = fails(rules_copy.path)
    assert [i.message for i in err.issues] == [
        "routing.dispatch: Must be one of: auto, hotline."]


def test_empty_and_missing_directories(tmp_path):
    assert str(fails(tmp_path)) == f"{tmp_path}: no rule files (*.yaml) in this directory"
    assert str(fails(tmp_path / "nope")) == f"{tmp_path / 'nope'}: rule directory not found"


def test_other_files_are_ignored(rules_copy):
    (rules_copy.path / "README.md").write_text("# 说明", encoding="utf-8")
    (rules_copy.path / ".#jiangsu.yaml").write_text("broken: [", encoding="utf-8")
    (rules_copy.path / "jiangsu.yaml~").write_text("broken: [", encoding="utf-8")
    assert load_book(rules_copy.path).jurisdictions() == ("jiangsu", "shenzhen")


def test_yml_files_are_errors_even_at_startup(rules_copy):
    (rules_copy.path / "zhejiang.YML").write_text("jurisdiction: zhejiang", encoding="utf-8")
    assert str(fails(rules_copy.path)) == (f"{rules_copy.path / 'zhejiang.YML'}: not read: rule "
                                           "files are named <jurisdiction>.yaml; rename it to "
                                           "zhejiang.yaml")
    for path in rules_copy.path.glob("*.yaml"):
        path.rename(path.with_suffix(".yml"))
    assert [i.path for i in fails(rules_copy.path).issues] == [
        str(rules_copy.path / name) for name in ("jiangsu.yml", "shenzhen.yml", "zhejiang.YML")]


def test_relative_display_path(rules_copy, monkeypatch):
    monkeypatch.chdir(rules_copy.path.parent)
    rules_copy.edit("jiangsu", "lead_working_days: 1", "lead_working_days: x")
    err = fails("rules")
    line = rules_copy.line_of("jiangsu", "lead_working_days")
    assert str(err) == f"rules/jiangsu.yaml:{line}: warning.lead_working_days: " \
                       "Not a valid integer."


def test_uscc_check_character():
    # A published example of a valid unified social credit code (GB 32100-2015 check).
    assert uscc_check_char("91350100M000100Y4") == "3"


# -- within_rectify (反馈随整改时限) ---------------------------------------------------------

def test_the_shipped_feedback_rules_say_whether_the_reply_is_due_with_the_rectification(
        rules_copy):
    book = load_book(rules_copy.path)
    assert book.get("jiangsu").deadline("feedback").within_rectify is True
    assert book.get("shenzhen").deadline("feedback").within_rectify is False
    assert book.get("jiangsu").deadline("revisit").within_rectify is False  # not given: off


def test_within_rectify_on_a_receipt_counted_deadline(rules_copy):
    rules_copy.edit("jiangsu", "      late_start_days: 3\n",
                    "      late_start_days: 3\n      within_rectify: true\n")
    expect(rules_copy, "jiangsu", rules_copy.line_of("jiangsu", "within_rectify: true"),
           "deadlines.rectify.general.within_rectify: Only for a deadline counted from the "
           "step: it caps the step's own working days at the rectification's deadline.")


@pytest.mark.parametrize("value", ["1", '"true"', "是", "null"])
def test_within_rectify_must_be_true_or_false(rules_copy, value):
    rules_copy.edit("jiangsu", "    within_rectify: true ", f"    within_rectify: {value} ")
    expect(rules_copy, "jiangsu", rules_copy.line_of("jiangsu", f"within_rectify: {value}"),
           "deadlines.feedback.within_rectify: " + (
               "Field may not be null." if value == "null" else "Not a valid boolean."))


def test_a_bad_within_rectify_keeps_the_last_good_rules(rules_copy):
    from app.rules import RuleRegistry

    registry = RuleRegistry(rules_copy.path, reload_seconds=0)
    first = registry.current()
    rules_copy.edit("jiangsu", "    within_rectify: true ", "    within_rectify: 1 ")
    assert registry.current() is first
    assert registry.last_error.startswith(
        f"{rules_copy.file('jiangsu')}:{rules_copy.line_of('jiangsu', 'within_rectify: 1')}: "
        "deadlines.feedback.within_rectify: Not a valid boolean.")
    assert first.get("jiangsu").deadline("feedback").within_rectify is True
