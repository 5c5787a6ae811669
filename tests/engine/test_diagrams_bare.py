"""The shipped diagrams (bpmn/*.bpmn) against docs/process.md, run on bare SpiffWorkflow.

Nothing from app/: the diagrams are parsed with CamundaParser, the timer helpers are stand-ins
that answer "ten days from now" (or the end of an approved extension date), and every branch of
the process is walked by completing user tasks with form data. time_machine moves the clock so
that boundary timers fall due; `refresh_timers()` then `do_engine_steps()` fires them.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import time_machine
from lxml import etree
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.defaults import BoundaryEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.camunda.parser import CamundaParser
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG
from SpiffWorkflow.util.task import TaskState

ROOT = Path(__file__).resolve().parents[2]
BPMN_DIR = ROOT / "bpmn"
CONTRACT = ROOT / "docs" / "process.md"
FILES = {"bad_review": "bad_review.bpmn", "appeal": "appeal.bpmn",
         "staff_review": "staff_review.bpmn"}
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
      "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
      "dc": "http://www.omg.org/spec/DD/20100524/DC",
      "di": "http://www.omg.org/spec/DD/20100524/DI",
      "camunda": "http://camunda.org/schema/1.0/bpmn",
      "xsi": "http://www.w3.org/2001/XMLSchema-instance"}

CST = timezone(timedelta(hours=8))
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=CST)   # a Monday morning in Beijing
DUE = timedelta(days=10)                      # stand-in deadline: ten days after the task began
LEAD = timedelta(days=1)                      # stand-in warning lead

# user task -> (lane, argument list of its warning()/overdue() timers; None = no timers)
RECTIFY_KEY = '"rectify." + rectify_class, extended_until'
TASKS = {
    "dispatch": ("12345热线", '"dispatch"'),
    "contact": ("责任部门", '"contact"'),
    "verify": ("责任部门", '"handle"'),
    "confirm_determination": ("责任部门", '"verify.confirm"'),
    "explain": ("责任部门", '"feedback"'),
    "classify": ("责任部门", '"handle"'),
    "ledger": ("责任部门", '"rectify.complex"'),
    "rectify": ("责任部门", RECTIFY_KEY),
    "request_extension": ("责任部门", RECTIFY_KEY),
    "approve_extension": ("政务服务管理机构", '"extension.decision"'),
    "feedback": ("责任部门", '"feedback", extended_until'),
    "revisit": ("12345热线", '"revisit"'),
    "rectify_again": ("责任部门", '"rectify.reopen"'),
    "supervise": ("政务服务管理机构", '"supervise"'),
    "appeal_submit": ("责任部门", '"appeal.submit"'),
    "appeal_decide": ("政务服务管理机构", '"appeal.decision"'),
    "appeal_feedback": ("责任部门", '"appeal.feedback"'),
    "staff_notify": ("人员管理单位", '"contact.staff"'),
    "staff_recheck_request": ("人员管理单位", None),
    "staff_decide": ("人员管理单位", '"staff.decision"'),
    "staff_self_criticism": ("人员管理单位", '"staff.self_criticism"'),
}
START_DATA = {
    "case_number": "CP-20260302-0001", "jurisdiction": "jiangsu", "region_code": "320102000000",
    "responsibility": "item", "rated_object": "item", "dispatch": "auto",
    "department_code": "11320102MB0000000X", "department_name": "玄武区行政审批局",
    "level": "不满意", "tags": ["办事效率低"], "received_at": "2026-03-02T01:00:00+00:00",
    "extended_until": None, "reopened": False, "determination": None, "rectify_class": None,
    "appeal_result": None, "staff_determination": None,
}
# what a caseworker enters on each form (overridden per test where the branch depends on it)
FORM_DATA = {
    "dispatch": {"department_code": "11320102MB0000000X", "department_name": "玄武区行政审批局"},
    "contact": {"contact_result": "reached", "reason": "窗口排队太久", "demand": "增加窗口"},
    "verify": {"determination": "valid", "findings": "情况属实"},
    "confirm_determination": {"confirm_decision": "confirmed", "confirm_opinion": "同意"},
    "explain": {"explanation": "该事项依法须本人到场办理"},
    "classify": {"rectify_class": "general"},
    "ledger": {"plan": "增设窗口", "promised_date": "2026-03-20", "owner": "王*"},
    "rectify": {"rectify_outcome": "done", "rectify_result": "已增设两个窗口"},
    "request_extension": {"extension_reason": "需财政审批", "requested_until": "2026-04-30",
                          "reviewer_informed": True},
    "approve_extension": {"extension_decision": "approved", "extension_opinion": ""},
    "feedback": {"feedback_text": "已整改并告知", "feedback_channel": "phone"},
    "revisit": {"revisit_result": "satisfied", "revisit_channel": "phone"},
    "rectify_again": {"rectify_again_result": "再次整改完成"},
    "supervise": {"supervision_result": "已督办并约谈"},
    "appeal_submit": {"appeal_reason": "评价人误操作", "appeal_evidence": "通话录音"},
    "appeal_decide": {"appeal_result": "upheld", "appeal_opinion": "证据充分"},
    "appeal_feedback": {"hotline_result": "申诉成立，差评无效", "hotline_channel": "work_order",
                        "hotline_informed_on": "2026-03-05", "follow_up_guided": True,
                        "follow_up_note": "已短信引导评价人追加评价"},
    "staff_notify": {"staff_reason": "态度生硬", "staff_notified": True},
    "staff_recheck_request": {"recheck_statement": "本人当时按规定答复",
                              "recheck_evidence": "监控录像"},
    "staff_decide": {"staff_determination": "valid", "staff_opinion": "经核实属实"},
    "staff_self_criticism": {"self_criticism": "书面检讨一份", "correction": "参加礼仪培训"},
}


# ---- fixtures and the driver ------------------------------------------------------------

@pytest.fixture(scope="module")
def specs():
    parser = CamundaParser(validator=BpmnValidator())   # also checks the files against the XSD
    parser.add_bpmn_files([str(BPMN_DIR / name) for name in FILES.values()])
    return parser.get_spec("bad_review"), parser.get_subprocess_specs("bad_review")


@pytest.fixture()
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


class Case:
    """One bad_review workflow, driven the way the application drives it."""

    def __init__(self, specs, clock, **start):
        spec, subprocess_specs = specs
        self.clock = clock
        self.calls: list[tuple[str, str, str | None]] = []
        self.fired: list[str] = []
        env = TaskDataEnvironment({"deadline": self._helper("deadline"),
                                   "warning": self._helper("warning"),
                                   "overdue": self._helper("overdue")})
        self.engine = PythonScriptEngine(environment=env)
        self.wf = BpmnWorkflow(spec, subprocess_specs, script_engine=self.engine)
        self.wf.get_next_task(spec_name="Start").set_data(**{**START_DATA, **start})
        self.step()

    def _helper(self, kind):
        def helper(key, until=None):
            self.calls.append((kind, key, until))
            if until:
                due = datetime.fromisoformat(f"{until}T23:59:59+08:00")
            else:
                due = datetime.now(CST) + DUE
            instant = {"deadline": due, "warning": due - LEAD,
                       "overdue": due + timedelta(seconds=1)}[kind]
            return instant.isoformat()
        return helper

    def step(self):
        self.wf.do_engine_steps(did_complete_task=self._observe)

    def _observe(self, task):
        if isinstance(task.task_spec, BoundaryEvent):
            self.fired.append(task.task_spec.name)

    def ready(self) -> list[str]:
        tasks = self.wf.get_tasks(state=TaskState.READY, manual=True)
        return sorted(t.task_spec.name for t in tasks)

    def complete(self, name, **data):
        tasks = [t for t in self.wf.get_tasks(state=TaskState.READY, manual=True)
                 if t.task_spec.name == name]
        assert len(tasks) == 1, f"{name} is not the ready task: {self.ready()}"
        tasks[0].set_data(**{**FORM_DATA[name], **data})
        tasks[0].run()
        self.step()
        return self

    def walk(self, *names, **data):
        for name in names:
            self.complete(name, **data.get(name, {}))
        return self

    def advance(self, delta):
        self.clock.shift(delta)
        self.wf.refresh_timers()
        self.step()

    def timers(self) -> dict[str, str]:
        """Pending timers by boundary event id (PendingBpmnEvent carries no task name)."""
        return {t.task_spec.name: t.internal_data["event_value"]
                for t in self.wf.event_manager.tasks.values()}

    def ends(self) -> list[str]:
        """End events reached in the top-level process (not in its call activities)."""
        return sorted(t.task_spec.name for t in self.wf.get_tasks(state=TaskState.COMPLETED)
                      if t.workflow is self.wf and t.task_spec.name.startswith("end_"))

    def ran(self, name) -> int:
        return len(self.wf.get_tasks(state=TaskState.COMPLETED, spec_name=name))


@pytest.fixture()
def case(specs, clock):
    return lambda **start: Case(specs, clock, **start)


FRONT = ("contact", "verify")
TAIL = ("feedback", "revisit")


# ---- the files against the contract -----------------------------------------------------

def _contract_forms() -> dict[str, list[tuple]]:
    """The Forms table of docs/process.md: task -> [(id, type, label, required, options)]."""
    forms: dict[str, list[tuple]] = {}
    text = CONTRACT.read_text(encoding="utf-8").split("## Forms", 1)[1]
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 6 or cells[2] not in ("string", "enum", "date", "boolean"):
            continue
        task, field, ftype, label, required, values = cells
        options = [tuple(v.strip() for v in pair.split(":", 1)) for pair in values.split(";")
                   if pair.strip()]
        forms.setdefault(task, []).append((field, ftype, label, required == "yes", options))
    return forms


def test_forms_match_the_contract_table(specs):
    spec, subprocesses = specs
    user_tasks = {name: ts for s in (spec, *subprocesses.values())
                  for name, ts in s.task_specs.items() if type(ts).__name__ == "UserTask"}
    contract = _contract_forms()
    assert set(user_tasks) == set(contract) == set(TASKS)
    for name, ts in user_tasks.items():
        fields = [(f.id, f.type, f.label,
                   any(v.name == "required" and v.config == "true" for v in f.validation),
                   [(o.id, o.name) for o in getattr(f, "options", [])])
                  for f in ts.form.fields]
        assert fields == contract[name], name
        assert ts.lane == TASKS[name][0], name
        assert ts.documentation and len(ts.documentation) > 20, name


@pytest.mark.parametrize("process", FILES)
def test_file_structure(process):
    doc = etree.parse(str(BPMN_DIR / FILES[process]))
    assert doc.getroot().nsmap["camunda"] == NS["camunda"]
    [participant] = doc.xpath("//bpmn:collaboration/bpmn:participant", namespaces=NS)
    [proc] = doc.xpath("//bpmn:process", namespaces=NS)
    assert participant.get("processRef") == proc.get("id") == process
    assert proc.get("isExecutable") == "true"
    skip = {"laneSet", "sequenceFlow", "documentation", "extensionElements"}
    nodes = {el.get("id"): el for el in proc if etree.QName(el).localname not in skip}
    refs = [r.text for r in proc.xpath("bpmn:laneSet/bpmn:lane/bpmn:flowNodeRef", namespaces=NS)]
    assert sorted(refs) == sorted(nodes), "every flow node in exactly one lane"
    lanes = {lane.get("name") for lane in proc.xpath("bpmn:laneSet/bpmn:lane", namespaces=NS)}
    assert lanes <= {"12345热线", "责任部门", "政务服务管理机构", "人员管理单位"}
    # each step is told apart by its name (the case page draws and lists them by name)
    activities = [el.get("name") for el in nodes.values()
                  if etree.QName(el).localname in ("userTask", "scriptTask", "callActivity")]
    assert len(activities) == len(set(activities)), sorted(activities)

    shapes = {s.get("bpmnElement"): s for s in doc.xpath("//bpmndi:BPMNShape", namespaces=NS)}
    edges = {e.get("bpmnElement"): e for e in doc.xpath("//bpmndi:BPMNEdge", namespaces=NS)}
    lane_ids = proc.xpath("bpmn:laneSet/bpmn:lane/@id", namespaces=NS)
    assert set(shapes) == set(nodes) | set(lane_ids) | {participant.get("id")}
    for horizontal in [participant.get("id"), *lane_ids]:
        assert shapes[horizontal].get("isHorizontal") == "true"
    flows = proc.xpath("bpmn:sequenceFlow", namespaces=NS)
    assert set(edges) == {f.get("id") for f in flows}
    assert all(len(e.xpath("di:waypoint", namespaces=NS)) >= 2 for e in edges.values())

    def bounds(el_id):
        b = shapes[el_id].find("dc:Bounds", NS)
        return [float(b.get(k)) for k in ("x", "y", "width", "height")]

    for el_id, el in nodes.items():
        kind = etree.QName(el).localname
        if kind == "exclusiveGateway":
            outgoing = [f for f in flows if f.get("sourceRef") == el_id]
            if len(outgoing) > 1:
                assert el.get("default") in {f.get("id") for f in outgoing}, el_id
                for f in outgoing:
                    if f.get("id") == el.get("default"):
                        continue
                    [cond] = f.xpath("bpmn:conditionExpression", namespaces=NS)
                    assert cond.get(f"{{{NS['xsi']}}}type") == "bpmn:tFormalExpression"
                    compile(cond.text, f.get("id"), "eval")
        if kind == "boundaryEvent":
            x, y, w, h = bounds(el_id)
            tx, ty, tw, th = bounds(el.get("attachedToRef"))
            assert tx <= x + w / 2 <= tx + tw, el_id
            assert y + h / 2 == ty + th, f"{el_id} sits on the bottom edge of its task"
        if kind == "userTask":
            _assert_timers(el_id, nodes, flows)


def _assert_timers(task, nodes, flows):
    key = TASKS[task][1]
    boundaries = {el.get("id"): el for el in nodes.values()
                  if el.get("attachedToRef") == task}
    if key is None:
        assert all(b.get("cancelActivity", "true") == "true" for b in boundaries.values())
        return
    pairs = (("warn", "超期预警", "warning"), ("overdue", "超期督办", "overdue"))
    for suffix, name, helper in pairs:
        b = boundaries[f"{task}_{suffix}"]
        assert b.get("name") == name and b.get("cancelActivity") == "false"
        [expr] = b.xpath("bpmn:timerEventDefinition/bpmn:timeDate", namespaces=NS)
        assert re.sub(r"\s+", " ", expr.text.strip()) == f"{helper}({key})"
        [flow] = [f for f in flows if f.get("sourceRef") == b.get("id")]
        end = nodes[flow.get("targetRef")]
        assert end.get("id") == f"{task}_{suffix}_end"
        assert etree.QName(end).localname == "endEvent" and len(end) == 1   # a none end event


# ---- walks through every branch ---------------------------------------------------------

def test_auto_dispatch_goes_straight_to_contact(case):
    c = case(dispatch="auto")
    assert c.ready() == ["contact"]
    assert c.ran("dispatch") == 0


def test_hotline_dispatch_then_contact(case):
    c = case(dispatch="hotline")
    assert c.ready() == ["dispatch"]
    c.complete("dispatch")
    assert c.ready() == ["contact"]
    assert ("warning", "dispatch", None) in c.calls


@pytest.mark.parametrize("rectify_class", ["simple", "general", "complex"])
def test_valid_review_is_rectified_and_closed(case, rectify_class):
    c = case().walk(*FRONT, "classify", classify={"rectify_class": rectify_class})
    if rectify_class == "complex":
        assert c.ready() == ["ledger"]
        c.complete("ledger")
    assert c.ready() == ["rectify"]
    assert ("overdue", f"rectify.{rectify_class}", None) in c.calls
    c.walk("rectify", *TAIL)
    assert c.wf.completed and c.ends() == ["end_closed"]
    assert c.ran("ledger") == (rectify_class == "complex")
    assert c.wf.data["rectify_class"] == rectify_class


@pytest.mark.parametrize("determination", ["misjudged", "malicious"])
def test_upheld_appeal_invalidates_the_review(case, determination):
    c = case().walk(*FRONT, "confirm_determination", verify={"determination": determination})
    assert c.ready() == ["appeal_submit"]
    [sub] = c.wf.get_active_subprocesses()
    assert sub.spec.name == "appeal"
    assert sub.get_next_task(state=TaskState.READY).data["case_number"] == START_DATA["case_number"]
    c.walk("appeal_submit", "appeal_decide")
    # the confirmed result goes back to the 12345 hotline before the case ends (art. 27)
    assert c.ready() == ["appeal_feedback"] and not c.wf.completed
    assert ("overdue", "appeal.feedback", None) in c.calls
    c.complete("appeal_feedback")
    assert c.wf.completed and c.ends() == ["end_invalid"]
    # the call activity hands the subprocess' whole data back to the parent
    assert c.wf.data["appeal_result"] == "upheld"
    assert c.wf.data["appeal_reason"] == FORM_DATA["appeal_submit"]["appeal_reason"]


def test_rejected_appeal_is_handled_as_valid(case):
    c = case().walk(*FRONT, "confirm_determination", "appeal_submit", "appeal_decide",
                    verify={"determination": "malicious"},
                    appeal_decide={"appeal_result": "rejected"})
    assert c.ready() == ["classify"]
    c.walk("classify", "rectify", *TAIL)
    assert c.ends() == ["end_closed"]


def test_unreasonable_demand_is_explained_then_revisited(case):
    c = case().walk(*FRONT, "confirm_determination", verify={"determination": "unreasonable"})
    assert c.ready() == ["explain"]
    c.complete("explain")
    assert c.ready() == ["revisit"]
    # unsatisfied after an explanation: no reopening, straight to supervision
    c.complete("revisit", revisit_result="unsatisfied")
    assert c.ready() == ["supervise"]
    c.complete("supervise")
    assert c.ends() == ["end_closed"] and c.ran("reopen") == 0 and c.ran("classify") == 0


def test_approved_extension_moves_the_rectify_deadline(case):
    c = case().walk(*FRONT, "classify", classify={"rectify_class": "complex"})
    c.walk("ledger", "rectify", rectify={"rectify_outcome": "extend"})
    assert c.ready() == ["request_extension"]
    c.complete("request_extension", requested_until="2026-04-30")
    assert c.ready() == ["approve_extension"]
    c.complete("approve_extension", extension_decision="approved")
    assert c.ready() == ["rectify"]
    assert c.wf.get_next_task(spec_name="rectify", state=TaskState.READY).data[
        "extended_until"] == "2026-04-30"
    assert c.calls[-2:] == [("warning", "rectify.complex", "2026-04-30"),
                            ("overdue", "rectify.complex", "2026-04-30")]
    # the first rectify's timers were cancelled; the new instance waits on the extension date
    assert c.timers() == {"rectify_warn": "2026-04-29T23:59:59+08:00",
                          "rectify_overdue": "2026-05-01T00:00:00+08:00"}
    c.walk("rectify", *TAIL)
    assert c.ends() == ["end_closed"] and c.wf.data["extended_until"] == "2026-04-30"


def test_rejected_extension_keeps_the_deadline(case):
    c = case().walk(*FRONT, "classify", "rectify", "request_extension", "approve_extension",
                    rectify={"rectify_outcome": "extend"},
                    approve_extension={"extension_decision": "rejected"})
    assert c.ready() == ["rectify"]
    assert c.ran("apply_extension") == 0
    assert c.wf.get_next_task(spec_name="rectify", state=TaskState.READY).data[
        "extended_until"] is None
    assert c.calls[-1] == ("overdue", "rectify.general", None)
    c.walk("rectify", *TAIL)
    assert c.ends() == ["end_closed"]


def test_unsatisfied_revisit_reopens_once_then_escalates(case):
    c = case().walk(*FRONT, "classify", "rectify", "feedback", "revisit",
                    revisit={"revisit_result": "unsatisfied"})
    assert c.ready() == ["rectify_again"]
    assert c.wf.get_next_task(spec_name="rectify_again", state=TaskState.READY).data["reopened"]
    assert ("warning", "rectify.reopen", None) in c.calls
    c.walk("rectify_again", "feedback")
    assert c.ready() == ["revisit"]
    c.complete("revisit", revisit_result="unsatisfied")
    assert c.ready() == ["supervise"]
    c.complete("supervise")
    assert c.wf.completed and c.ends() == ["end_closed"]
    assert c.ran("feedback") == 2 and c.ran("revisit") == 2 and c.ran("reopen") == 1


@pytest.mark.parametrize(("decision", "end"), [("valid", "end_closed"), ("invalid", "end_invalid")])
def test_staff_review_with_recheck(case, decision, end):
    c = case(responsibility="staff", rated_object="staff")
    assert c.ready() == ["staff_notify"]
    c.walk("staff_notify", "staff_recheck_request", "staff_decide",
           staff_decide={"staff_determination": decision})
    if decision == "valid":
        assert c.ready() == ["staff_self_criticism"]
        c.complete("staff_self_criticism")
        assert c.ready() == ["feedback"]
        c.walk(*TAIL)
    else:  # 差评无效: the result goes back to the 12345 hotline first (art. 27-28)
        assert c.ready() == ["appeal_feedback"]
        c.complete("appeal_feedback")
    assert c.wf.completed and c.ends() == [end]
    assert c.wf.data["staff_determination"] == decision
    assert c.ran("contact") == 0


def test_staff_review_without_recheck_request(case):
    c = case(responsibility="staff").walk("staff_notify")
    assert c.ready() == ["staff_recheck_request"]
    assert ("deadline", "staff.recheck_request", None) in c.calls
    c.advance(DUE - timedelta(hours=1))
    assert c.ready() == ["staff_recheck_request"] and c.fired == []
    c.advance(timedelta(hours=2))
    assert c.fired == ["recheck_window"]
    assert c.ran("no_recheck") == 1
    assert c.wf.get_tasks(spec_name="staff_recheck_request")[0].state == TaskState.CANCELLED
    assert c.ready() == ["staff_self_criticism"]
    c.complete("staff_self_criticism")
    assert c.ready() == ["feedback"]
    assert c.wf.data.get("staff_determination") is None   # not finished yet: data lives on tasks
    c.walk(*TAIL)
    assert c.ends() == ["end_closed"] and c.wf.data["staff_determination"] == "valid"


# ---- boundary timers -------------------------------------------------------------------

def test_warning_and_overdue_timers_do_not_interrupt_the_task(case):
    c = case()
    due = T0 + DUE
    assert c.timers() == {"contact_warn": (due - LEAD).isoformat(),
                          "contact_overdue": (due + timedelta(seconds=1)).isoformat()}
    assert sorted(e.name for e in c.wf.waiting_events()) == ["超期督办", "超期预警"]
    c.advance(DUE - LEAD - timedelta(minutes=1))
    assert c.fired == []
    c.advance(timedelta(minutes=2))
    assert c.fired == ["contact_warn"] and c.ready() == ["contact"]
    assert c.ran("contact_warn_end") == 1 and list(c.timers()) == ["contact_overdue"]
    c.advance(LEAD)
    assert c.fired == ["contact_warn", "contact_overdue"] and c.ready() == ["contact"]
    assert c.timers() == {} and not c.wf.completed
    c.complete("contact")
    assert c.ready() == ["verify"] and sorted(c.timers()) == ["verify_overdue", "verify_warn"]
    # the timer branches ended at none end events; the case itself runs on to its end
    c.walk("verify", "classify", "rectify", *TAIL)
    assert c.wf.completed and c.ends() == ["end_closed"]


def test_unfired_timers_are_cancelled_when_the_task_completes(case):
    c = case().complete("contact")
    cancelled = {t.task_spec.name for t in c.wf.get_tasks(state=TaskState.CANCELLED)}
    assert {"contact_warn", "contact_overdue"} <= cancelled
    assert c.fired == [] and sorted(c.timers()) == ["verify_overdue", "verify_warn"]


def test_timers_inside_a_call_activity(case):
    c = case().walk(*FRONT, "confirm_determination", verify={"determination": "misjudged"})
    assert sorted(c.timers()) == ["appeal_submit_overdue", "appeal_submit_warn"]
    c.advance(DUE + timedelta(hours=1))
    assert c.fired == ["appeal_submit_warn", "appeal_submit_overdue"]
    assert c.ready() == ["appeal_submit"]
    c.walk("appeal_submit", "appeal_decide", appeal_decide={"appeal_result": "rejected"})
    assert c.ready() == ["classify"]
    assert c.wf.get_next_task(spec_name="classify", state=TaskState.READY).data[
        "appeal_result"] == "rejected"


def test_state_survives_a_serializer_round_trip(case):
    c = case().walk(*FRONT, "confirm_determination", verify={"determination": "malicious"})
    c.advance(DUE - LEAD + timedelta(hours=1))
    assert c.fired == ["appeal_submit_warn"]
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(CAMUNDA_CONFIG))
    pending = c.timers()
    c.wf = serializer.deserialize_json(serializer.serialize_json(c.wf))
    c.wf.script_engine = c.engine          # the script engine is not part of the document
    overdue_at = (T0 + DUE + timedelta(seconds=1)).isoformat()
    assert c.timers() == pending == {"appeal_submit_overdue": overdue_at}
    assert c.ready() == ["appeal_submit"]
    c.advance(LEAD)
    assert c.fired == ["appeal_submit_warn", "appeal_submit_overdue"]
    c.walk("appeal_submit", "appeal_decide", appeal_decide={"appeal_result": "rejected"})
    assert c.ready() == ["classify"]


def test_a_timer_already_due_when_armed_fires_in_the_same_engine_step(case):
    c = case().walk(*FRONT, "classify", "rectify", "request_extension",
                    rectify={"rectify_outcome": "extend"},
                    request_extension={"requested_until": "2026-03-01"})   # already past
    c.complete("approve_extension")
    assert c.ready() == ["rectify"]
    assert sorted(c.fired) == ["rectify_overdue", "rectify_warn"]
    assert c.timers() == {}


def test_task_data_must_not_shadow_a_timer_helper(specs, clock):
    """A data key named like a helper hides the helper: the timer expression calls a string."""
    with pytest.raises(WorkflowTaskException, match=r'expression .warning\("contact"\).'):
        Case(specs, clock, warning="2026-03-03")
