"""Every word the shipped diagrams show (step titles, form labels, options, the steps'
instructions, the names the case page's diagram draws) and every timeline label is marked for
translation, so the English interface has it."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from app.cases.events import KIND_LABELS
from app.cases.models import CLASS_LABELS, DETERMINATION_LABELS
from app.engine.definitions import ProcessDefinition
from app.inbox.taskpage import instructions
from app.processes.terms import EARLIER, INSTRUCTIONS, TERMS

ROOT = Path(__file__).resolve().parents[2]
BPMN = ROOT / "bpmn"


def test_every_label_of_the_shipped_diagrams_is_listed():
    files = {p.name: p.read_text(encoding="utf-8") for p in BPMN.glob("*.bpmn")}
    definition = ProcessDefinition("bad_review", files)
    shown = set()
    for info in definition.tasks.values():
        shown.add(info.title)
        for field in info.form:
            shown.add(field.label)
            shown.update(name for _, name in field.options)
    assert shown - set(TERMS) == set()


def test_class_determination_and_timeline_labels_are_listed():
    labels = {*CLASS_LABELS.values(), *DETERMINATION_LABELS.values(), *KIND_LABELS.values()}
    assert labels <= set(TERMS)


def test_every_steps_instructions_of_the_shipped_diagrams_are_listed():
    """As the task page shows them: the documentation without its rule clauses."""
    files = {p.name: p.read_text(encoding="utf-8") for p in BPMN.glob("*.bpmn")}
    definition = ProcessDefinition("bad_review", files)
    shown = {instructions(info.documentation) for info in definition.tasks.values()}
    assert shown - {None} - set(INSTRUCTIONS) == set()
    assert len(shown - {None}) == len(INSTRUCTIONS)


def test_every_name_the_diagram_viewer_draws_is_listed():
    model = "{http://www.omg.org/spec/BPMN/20100524/MODEL}*"
    names = {el.get("name") for path in BPMN.glob("*.bpmn")
             for el in etree.parse(str(path)).getroot().iter(model) if el.get("name")}
    assert names - set(TERMS) == set()


def test_the_reviewer_is_评价人_in_every_word_users_read():
    """The glossary's and the Shenzhen rules' word for the reviewer, never 服务对象 (QA #12): in
    the diagrams, the rule files and every page, form, script and demo text of the app. Only
    the catalog of earlier releases' words (EARLIER) keeps 服务对象, for old cases."""
    read = [*BPMN.glob("*.bpmn"), *(ROOT / "rules").iterdir(),
            *(p for ext in ("py", "html", "js") for p in (ROOT / "app").rglob(f"*.{ext}")
              if "vendor" not in p.parts and p != ROOT / "app/processes/terms.py")]
    assert [str(p.relative_to(ROOT)) for p in read if "服务对象" in p.read_text("utf-8")] == []
    assert [t for t in (*TERMS, *INSTRUCTIONS) if "服务对象" in t] == []
    assert EARLIER and all("服务对象" in t for t in EARLIER)
