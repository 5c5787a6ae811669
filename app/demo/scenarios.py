"""Demo scenarios (演示工单剧本): the paths demo cases take through the process, where each one
is left waiting, and the Chinese form data caseworkers, the hotline, the agency and personnel
units enter on the way. See docs/process.md for the steps and forms."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from app import workdays
from app.timeutil import SHANGHAI

Action = tuple[str, Mapping[str, str]]  # (step, the choices entered: enum fields)


def _handled(klass: str = "general", revisit: str = "satisfied") -> tuple[Action, ...]:
    """Valid (属实): contact, verify, classify, [ledger], rectify, feed back, revisit."""
    ledger = (("ledger", {}),) if klass == "complex" else ()
    return (("contact", {}), ("verify", {"determination": "valid"}),
            ("classify", {"rectify_class": klass}), *ledger,
            ("rectify", {"rectify_outcome": "done"}), ("feedback", {}),
            ("revisit", {"revisit_result": revisit}))


HANDLED = _handled()
HANDLED_SIMPLE = _handled("simple")
HANDLED_COMPLEX = _handled("complex")
EXTENDED = (  # complex, cannot finish in time: extension asked and approved (申请延期)
    ("contact", {}), ("verify", {"determination": "valid"}),
    ("classify", {"rectify_class": "complex"}), ("ledger", {}),
    ("rectify", {"rectify_outcome": "extend"}), ("request_extension", {}),
    ("approve_extension", {"extension_decision": "approved"}),
    ("rectify", {"rectify_outcome": "done"}), ("feedback", {}),
    ("revisit", {"revisit_result": "satisfied"}))
REOPENED = (  # unsatisfied twice: rectified again, then supervised by the agency (督办)
    *_handled(revisit="unsatisfied"), ("rectify_again", {}), ("feedback", {}),
    ("revisit", {"revisit_result": "unsatisfied"}), ("supervise", {}))
CONFIRMED = ("confirm_determination", {"confirm_decision": "confirmed"})  # 部门负责人确认认定
APPEAL_UPHELD = (("contact", {}), ("verify", {"determination": "misjudged"}), CONFIRMED,
                 ("appeal_submit", {}), ("appeal_decide", {"appeal_result": "upheld"}),
                 ("appeal_feedback", {}))  # the confirmed result back to the 12345 hotline
APPEAL_REJECTED = (("contact", {}), ("verify", {"determination": "malicious"}), CONFIRMED,
                   ("appeal_submit", {}), ("appeal_decide", {"appeal_result": "rejected"}),
                   *_handled()[2:])
EXPLAINED = (("contact", {}), ("verify", {"determination": "unreasonable"}), CONFIRMED,
             ("explain", {}), ("revisit", {"revisit_result": "basically_satisfied"}))
EXPLAINED_SUPERVISED = (*EXPLAINED[:4], ("revisit", {"revisit_result": "unsatisfied"}),
                        ("supervise", {}))
STAFF_VALID = (("staff_notify", {}), ("staff_recheck_request", {}),
               ("staff_decide", {"staff_determination": "valid"}),
               ("staff_self_criticism", {}), ("feedback", {}),
               ("revisit", {"revisit_result": "satisfied"}))
STAFF_INVALID = (*STAFF_VALID[:2], ("staff_decide", {"staff_determination": "invalid"}),
                 ("appeal_feedback", {}))  # the result back to the 12345 hotline
DISPATCHED = (("dispatch", {}), *HANDLED)


@dataclass(frozen=True)
class Target:
    """Where a demo case is left: waiting at `stop` (a step of `path`; its `occurrence`-th
    time), or closed when `stop` is None. `age` is the range of working days before today in
    which its rating arrives, so that a case handled at the usual pace is found there; `late`
    leaves the step waiting since long before its deadline; `kind` is the rating it needs:
    item (any bad rating), staff (a window staff member) or nodept (no department named: the
    12345 hotline dispatches it)."""

    label: str
    path: tuple[Action, ...]
    stop: str | None
    age: tuple[int, int]
    kind: str = "item"
    late: bool = False
    warned: str | None = None
    occurrence: int = 1

    @property
    def actions(self) -> tuple[Action, ...]:
        """The actions done before the case is left (all of them for a closed case)."""
        if self.stop is None:
            return self.path
        seen = 0
        for i, (step, _) in enumerate(self.path):
            seen += step == self.stop
            if seen == self.occurrence:
                return self.path[:i]
        raise ValueError(f"{self.label}: no step {self.stop!r} in the path")


CLOSED_AGE = (8, 20)
# In order of priority: a small demo gets the first ones, so every part of the loop shows.
TARGETS = (
    Target("联系评价人", HANDLED, "contact", (0, 1)),
    Target("核实认定", HANDLED, "verify", (1, 3)),
    Target("申诉待审核", APPEAL_UPHELD, "appeal_decide", (2, 5)),
    Target("确认认定", APPEAL_REJECTED, "confirm_determination", (1, 3)),
    Target("办结（满意）", HANDLED, None, CLOSED_AGE),
    Target("整改（超期）", HANDLED, "rectify", (10, 16), late=True),
    Target("整改分类", HANDLED_SIMPLE, "classify", (1, 3)),
    Target("核实认定（临期预警）", HANDLED, "verify", (6, 9), warned="handle"),
    Target("登记整改台账", HANDLED_COMPLEX, "ledger", (1, 4)),
    Target("整改", HANDLED, "rectify", (2, 4)),
    Target("延期待审批", EXTENDED, "approve_extension", (6, 8)),
    Target("反馈结果", HANDLED_SIMPLE, "feedback", (2, 4)),
    Target("回访", HANDLED, "revisit", (4, 6)),
    Target("督办处理", EXPLAINED_SUPERVISED, "supervise", (4, 7)),
    Target("联系评价人（超期）", HANDLED, "contact", (4, 7), late=True),
    Target("登记复核申请", STAFF_VALID, "staff_recheck_request", (1, 2), kind="staff"),
    Target("办结（申诉成立，差评无效）", APPEAL_UPHELD, None, CLOSED_AGE),
    Target("反馈核实结果", APPEAL_UPHELD, "appeal_feedback", (4, 7)),
    Target("核实认定（超期）", HANDLED, "verify", (16, 21), late=True),
    Target("复核认定", STAFF_VALID, "staff_decide", (2, 5), kind="staff"),
    Target("书面检讨及整改", STAFF_VALID, "staff_self_criticism", (4, 7), kind="staff"),
    Target("联系评价人并告知被评价人", STAFF_VALID, "staff_notify", (0, 1), kind="staff"),
    Target("12345派单", DISPATCHED, "dispatch", (0, 0), kind="nodept"),
    Target("办结（立整立改）", HANDLED_SIMPLE, None, CLOSED_AGE),
    Target("解释说明", EXPLAINED, "explain", (1, 3)),
    Target("整改（临期预警）", HANDLED_COMPLEX, "rectify", (7, 10), warned="rectify.complex"),
    Target("重新整改", REOPENED, "rectify_again", (6, 9)),
    Target("回访（超期）", HANDLED_COMPLEX, "revisit", (12, 18), late=True),
    Target("办结（申诉不成立）", APPEAL_REJECTED, None, (12, 20)),
    Target("提出申诉", APPEAL_REJECTED, "appeal_submit", (1, 2)),
    Target("办结（延期后整改）", EXTENDED, None, (15, 21)),
    Target("办结（督办）", REOPENED, None, (14, 21)),
    Target("办结（工作人员差评无效）", STAFF_INVALID, None, CLOSED_AGE, kind="staff"),
    Target("办结（解释说明）", EXPLAINED, None, CLOSED_AGE),
)
FILL = (  # beyond TARGETS, larger demos repeat these: mostly closed, as in real life
    Target("办结（满意）", HANDLED, None, CLOSED_AGE),
    Target("办结（立整立改）", HANDLED_SIMPLE, None, CLOSED_AGE),
    Target("整改", HANDLED, "rectify", (2, 4)),
    Target("办结（基本满意）", _handled(revisit="basically_satisfied"), None, CLOSED_AGE),
    Target("核实认定", HANDLED, "verify", (1, 3)),
    Target("办结（申诉成立，差评无效）", APPEAL_UPHELD, None, CLOSED_AGE),
    Target("回访", HANDLED_SIMPLE, "revisit", (3, 5)),
)


def targets(count: int) -> list[Target]:
    """`count` targets, the most telling first."""
    chosen = list(TARGETS[:count])
    while len(chosen) < count:
        chosen.append(FILL[(len(chosen) - len(TARGETS)) % len(FILL)])
    return chosen


# -- form data --------------------------------------------------------------------------

# By the rating's first tag: (demand 诉求, findings 核实情况, rectification 整改措施)
BY_TAG = {
    "等候时间长": (
        "希望增加高峰时段窗口，缩短排队等候时间",
        "经调取叫号系统记录，当日该事项平均等候时间约95分钟，高峰时段仅开放2个窗口，反映情况属实。",
        "高峰时段增开2个综合窗口，启用网上预约分时段取号，平均等候时间降至30分钟以内。"),
    "办事流程繁琐": (
        "希望简化办理流程，减少跑动次数",
        "经核查，该事项需在两个窗口分别提交材料，存在重复提交情况，反映情况属实。",
        "将该事项调整为综合窗口“一窗受理”，材料一次提交、内部流转，减少跑动一次。"),
    "服务态度差": (
        "希望工作人员耐心解答，改进服务态度",
        "经调阅窗口监控录像，工作人员答复咨询时语气生硬、未主动引导，反映情况属实。",
        "对当事窗口人员进行批评教育，组织窗口服务礼仪和首问负责制专题培训。"),
    "系统卡顿": (
        "希望尽快修复系统，保证材料能在线上传",
        "经技术排查，当日图片上传接口因存储扩容故障响应超时约2小时，反映情况属实。",
        "完成存储扩容和接口优化，上传成功率恢复至99.9%，并增加故障自动告警。"),
    "材料要求多": (
        "希望不再重复提交证明材料",
        "经核查，窗口要求提交的户籍证明可通过数据共享获取，属要求提供可免提交材料，反映情况属实。",
        "将户籍证明等3项材料调整为数据共享核验，不再要求申请人提交纸质证明。"),
    "一次性告知不到位": (
        "希望一次性告知全部所需材料",
        "经核查，首次咨询时工作人员未按一次性告知清单完整告知，致评价人多次往返，反映情况属实。",
        "更新并公示该事项一次性告知清单，窗口人员须对照清单逐项告知并留痕。"),
    "办理时限长": (
        "希望尽快办结并及时告知办理进度",
        "经核查，该件在审核环节积压3个工作日，超出承诺时限，反映情况属实。",
        "督促审核科室当日办结，建立超时件每日通报机制，评价人可通过短信查询进度。"),
    "业务不熟练": (
        "希望工作人员熟悉业务，答复准确",
        "经核查，新入职窗口人员对政策理解不准确，答复前后不一，反映情况属实。",
        "安排业务骨干“传帮带”，组织新政策专题培训并考核，合格后方可独立上岗。"),
}
FINDINGS = {
    "misjudged": "经电话核实，评价人表示业务已顺利办结，对服务满意，评价时误点“不满意”，属误评。",
    "malicious": "经调取监控录像和受理记录，工作人员依法依规受理，评价人因不符合条件的诉求"
                 "未获支持而故意给予差评，属恶意评价。",
    "unreasonable": "评价人要求免于提交法律法规规定的申请材料，于法无据，属诉求不合理。",
}
APPEAL_REASON = {
    "misjudged": "评价人已确认评价时误操作，属误评，申请认定差评无效并引导其追加评价。",
    "malicious": "工作人员依法依规办理，有监控录像和受理记录为证，评价人因诉求未获支持恶意差评，"
                 "申请不予采纳。",
}
APPEAL_OPINION = {
    "upheld": "经审核，申诉理由成立，证明材料充分，该差评认定无效，不计入差评统计。",
    "rejected": "经审核，现有材料不足以证明属恶意评价，申诉不成立，按属实差评处理并整改。",
}
HOTLINE_RESULT = {
    "misjudged": "经核实并经政务服务管理机构确认，该差评系评价人误操作所致，属误评，差评无效。",
    "malicious": "经核实并经政务服务管理机构确认，工作人员依法依规办理，该差评属恶意评价，"
                 "差评结果不予采纳。",
    "staff_invalid": "经人员管理单位调阅监控录像复核，工作人员依规办理，该工作人员差评无效。",
}
FOLLOW_UP_NOTE = ("已电话联系评价人，引导其在政务服务平台个人中心追加评价并说明误评情况，"
                  "评价人表示同意。")
REVISIT_NOTE = {
    "satisfied": "评价人对整改结果表示满意。",
    "basically_satisfied": "评价人表示基本满意，理解相关规定。",
    "unsatisfied": "评价人表示问题仍未解决，不满意。",
}
STAFF_OPINION = {
    "valid": "经调阅监控录像并核实受理记录，工作人员答复时语气生硬、未主动引导，差评有效。",
    "invalid": "经调阅监控录像，工作人员解答耐心、依规办理，评价人所述与事实不符，差评无效。",
}
OWNERS = ("业务科科长", "综合窗口负责人", "信息化科科长")


@dataclass
class Context:
    """What the form data of a case draws on."""

    tag: str
    text: str
    department: str
    staff: str | None
    received_at: datetime
    rnd: random.Random
    person: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    region_code: str | None = None


def _working_day_from(day: date, region: str | None) -> date:
    """`day` when it is a working day, else the next one (an extension asks for one)."""
    if workdays.is_working_day(day, region):
        return day
    return workdays.add_working_days(day, 1, region)


# Fields whose text is the same for every case, by step.
FIXED = {
    "dispatch": {"dispatch_note": "来电人未说明办理部门，经核对办件事项，转事项所属部门办理。"},
    "explain": {"explanation": "已向评价人说明该事项的法定申请材料及其依据，并告知可通过"
                               "网上办理减少跑动，评价人表示理解。"},
    "appeal_submit": {"appeal_evidence": "电话核实录音、窗口监控录像截图、业务受理记录"},
    "request_extension": {
        "extension_reason": "整改涉及省级政务服务平台接口改造，需协调省级部门排期；已于到期前"
                            "电话告知评价人延期原因和预计完成时间。",
        "reviewer_informed": True},
    "approve_extension": {"extension_opinion": "延期理由充分，已告知评价人，同意延期至申请"
                                               "日期，请按期完成整改。"},
    "rectify_again": {"rectify_again_result": "部门负责人约见评价人，安排专人全程跟进，已为其"
                                              "办结业务，并对同类问题开展专项排查。"},
    "supervise": {"supervision_result": "政务服务管理机构约谈责任部门负责人，督促落实整改并再次"
                                        "回访，评价人诉求已依法依规处理完毕。"},
    "staff_notify": {"staff_notified": True},
    "staff_recheck_request": {
        "recheck_statement": "本人当日按规定受理业务，因评价人材料不全多次解释，不存在服务"
                             "态度问题，申请复核。",
        "recheck_evidence": "窗口监控录像、业务受理记录"},
    "staff_self_criticism": {
        "self_criticism": "本人在服务中未能耐心细致解答，态度生硬，深刻检讨，今后严格落实首问"
                          "负责制和服务礼仪规范。",
        "correction": "参加窗口服务礼仪培训，每日对照服务规范自查。"},
}
CONFIRM_OPINION = "核实过程和证据材料完整，同意经办人的认定。"
EXTEND_RESULT = "整改涉及省级政务服务平台接口改造，需协调省级部门排期，无法在期限内完成。"


def form_data(step: str, choices: Mapping[str, str], ctx: Context, when: datetime,
              due_at: datetime | None = None) -> dict[str, Any]:
    """The form a person enters at `step` at `when`: `choices` (enum values), the fixed
    texts, and the texts that depend on the case (`due_at`: the deadline of the task)."""
    demand, findings, rectified = BY_TAG.get(ctx.tag, BY_TAG["等候时间长"])
    rnd = ctx.rnd
    data: dict[str, Any] = {**choices, **FIXED.get(step, {})}
    if step == "dispatch":
        data.update(department_code=ctx.extra["department_code"],
                    department_name=ctx.extra["department_name"])
    elif step == "contact":
        data.update(contact_result="reached", demand=demand,
                    reason=f"电话联系评价人，反映“{ctx.tag}”问题：{ctx.text}")
    elif step == "verify":
        data["findings"] = FINDINGS.get(choices["determination"], findings)
    elif step == "confirm_determination":
        data["confirm_opinion"] = CONFIRM_OPINION
    elif step == "appeal_submit":
        data["appeal_reason"] = APPEAL_REASON[ctx.extra.get("determination", "misjudged")]
    elif step == "appeal_decide":
        data["appeal_opinion"] = APPEAL_OPINION[choices["appeal_result"]]
    elif step == "appeal_feedback":  # 误评: the reviewer guided to a follow-up rating
        determination = ctx.extra.get("determination", "misjudged")
        misjudged = determination == "misjudged"
        data.update(hotline_result=HOTLINE_RESULT.get(determination, HOTLINE_RESULT["malicious"]),
                    hotline_channel="work_order", follow_up_guided=misjudged,
                    hotline_informed_on=when.astimezone(SHANGHAI).date().isoformat())
        if misjudged:
            data["follow_up_note"] = FOLLOW_UP_NOTE
    elif step == "ledger":
        today = when.astimezone(SHANGHAI).date()
        due = (due_at or ctx.received_at + timedelta(days=14)).astimezone(SHANGHAI).date()
        # within the deadline the rectification will have (past it: late_start_days, 5), and
        # a working day, as the ledger's check asks
        promised = due if due >= today else _working_day_from(today + timedelta(days=5),
                                                              ctx.region_code)
        data.update(plan=f"成立专项整改小组，协调{ctx.department}及相关单位分两阶段整改："
                         f"先优化业务流程，再完成系统改造。{rectified}",
                    promised_date=promised.isoformat(),
                    owner=f"{ctx.person}（{rnd.choice(OWNERS)}）")
    elif step == "rectify":
        done = choices["rectify_outcome"] == "done"
        data["rectify_result"] = rectified if done else EXTEND_RESULT
    elif step == "request_extension":
        base = max(due_at or ctx.received_at + timedelta(days=14), when)
        base = base.astimezone(SHANGHAI).date()
        data["requested_until"] = _working_day_from(base + timedelta(days=10),
                                                    ctx.region_code).isoformat()
    elif step == "feedback":
        data.update(feedback_text=f"已将核实情况和整改措施告知评价人：{rectified}"
                                  "已同步反馈12345热线。",
                    feedback_channel=rnd.choice(("phone", "phone", "sms")))
    elif step == "revisit":
        data.update(revisit_channel=rnd.choice(("phone", "phone", "sms")),
                    revisit_note=REVISIT_NOTE[choices["revisit_result"]])
    elif step == "staff_notify":
        data["staff_reason"] = (f"评价人反映窗口工作人员{ctx.staff or ''}服务态度冷淡、"
                                "答复不耐烦。")
    elif step == "staff_decide":
        data["staff_opinion"] = STAFF_OPINION[choices["staff_determination"]]
    return data
