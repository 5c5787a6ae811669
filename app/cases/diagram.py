"""The case's process diagram (流程图) as the case page shows it: the BPMN files of the case's
process version, the step(s) the case waits at (current) and those already done.

A step of a called process (申诉, 工作人员差评核查) also marks the call activity that called it
in the main diagram; the called process gets its own diagram once the case has entered it.
The names the viewer draws (lanes, steps, gateways, events, flows) come with their
translations in the page's language (`labels`), which the viewer writes into the XML before
drawing it; the XML itself is served as deployed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from lxml import etree

from app.cases.models import Case
from app.cases.records import CaseTask
from app.processes.models import ProcessVersion

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
_SAFE = etree.XMLParser(resolve_entities=False, no_network=True)


@dataclass(frozen=True)
class ProcessFile:
    """A process of a version: its id, name, file, call activities (id → called process) and
    the names of its file's elements (id → name: lanes, steps, events, flows ...)."""

    process_id: str
    name: str
    file: str
    calls: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DiagramView:
    """One diagram to draw, with the elements to mark."""

    process_id: str
    name: str
    current: tuple[str, ...]
    done: tuple[str, ...]
    labels: dict[str, str] = field(default_factory=dict)


_outlines: dict[str, dict[str, ProcessFile]] = {}  # by the version's content hash
_lock = threading.Lock()


def outline(version: ProcessVersion) -> dict[str, ProcessFile]:
    """Process id → ProcessFile for every process of the version (versions never change, so
    this is parsed once per content: by hash, not row id, which tests emptying the tables
    give again to other files)."""
    with _lock:
        found = _outlines.get(version.content_hash)
    if found is None:
        found = {}
        for name, text in sorted(version.files.items()):
            root = etree.fromstring(text.encode("utf-8"), _SAFE)
            names = _names(root)
            for proc in root.iter(f"{BPMN}process"):
                calls = {c.get("id"): c.get("calledElement")
                         for c in proc.iter(f"{BPMN}callActivity")}
                found[proc.get("id")] = ProcessFile(proc.get("id"), proc.get("name") or
                                                    proc.get("id"), name, calls, names)
        with _lock:
            _outlines[version.content_hash] = found
    return found


def _names(root: etree._Element) -> dict[str, str]:
    """Id → name of every named BPMN element of a file."""
    return {el.get("id"): el.get("name") for el in root.iter(f"{BPMN}*")
            if el.get("id") and el.get("name")}


def labels(proc: ProcessFile, translate: Callable[[str], str]) -> dict[str, str]:
    """Id → translated name of the elements whose name `translate` changes (none in Chinese,
    the diagrams' own language; a name the catalog lacks stays as written)."""
    out = {}
    for element_id, name in proc.names.items():
        shown = translate(name)
        if shown != name:
            out[element_id] = shown
    return out


def xml(version: ProcessVersion, process_id: str) -> str | None:
    """The BPMN XML of the file holding `process_id`, or None."""
    found = outline(version).get(process_id)
    return version.files[found.file] if found else None


def _marks(proc: ProcessFile, tasks: Iterable[CaseTask]) -> tuple[set[str], set[str]]:
    current: set[str] = set()
    done: set[str] = set()
    for task in tasks:
        target = current if task.state == "open" else done if task.state == "done" else None
        if target is None:
            continue
        if task.process_id == proc.process_id:
            target.add(task.step)
        for activity, called in proc.calls.items():
            if called == task.process_id:
                target.add(activity)
    return current, done - current


def views(case: Case, tasks: list[CaseTask],
          translate: Callable[[str], str] | None = None) -> list[DiagramView]:
    """The main diagram first, then each called process the case has entered; with
    `translate`, the labels of each in the page's language."""
    version = case.process_version
    if version is None:
        return []
    processes = outline(version)
    entered = {t.process_id for t in tasks}
    shown = [version.process_key] + sorted(p for p in entered
                                           if p in processes and p != version.process_key)
    out = []
    for process_id in shown:
        if process_id not in processes:
            continue
        proc = processes[process_id]
        current, done = _marks(proc, tasks)
        out.append(DiagramView(process_id, proc.name, tuple(sorted(current)),
                               tuple(sorted(done)), labels(proc, translate) if translate else {}))
    return out
