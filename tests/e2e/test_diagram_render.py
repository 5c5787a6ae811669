"""The shipped diagrams (bpmn/*.bpmn) render in the vendored bpmn-js viewer: no import warnings,
every user task drawn, no shape or label overlapping another, no edge through a shape.

The page is built with `page.set_content()` and loads the viewer from the live server's
/static/vendor/bpmn-js/ (copied there by scripts/vendor.sh), so no route is needed."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from lxml import etree

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
      "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
      "dc": "http://www.omg.org/spec/DD/20100524/DC"}
MAX_WIDTH = 2600          # screenshot width cap; larger diagrams are zoomed out to fit

PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<link rel="stylesheet" href="{base}/static/vendor/bpmn-js/diagram-js.css">
<link rel="stylesheet" href="{base}/static/vendor/bpmn-js/bpmn-js.css">
<script src="{base}/static/vendor/bpmn-js/bpmn-viewer.production.min.js"></script>
<style>html, body {{ margin: 0; height: 100%; background: #fff; }}
#canvas {{ width: 100%; height: 100%; }}</style>
</head><body><div id="canvas"></div></body></html>"""

# Import the XML, fit it, and measure what was drawn (labels by their rendered text box).
RENDER = """async ({xml, ids}) => {
  const viewer = new BpmnJS({container: '#canvas'});
  let warnings;
  try {
    ({warnings} = await viewer.importXML(xml));
  } catch (err) {
    return {error: String(err), warnings: (err.warnings || []).map(w => w.message)};
  }
  viewer.get('canvas').zoom('fit-viewport', 'auto');
  const registry = viewer.get('elementRegistry');
  const boxes = [];
  const edges = [];
  for (const el of registry.getAll()) {
    const type = el.type || '';
    if (el.waypoints) {
      edges.push({id: el.id, source: el.source && el.source.id, target: el.target && el.target.id,
                  points: el.waypoints.map(p => [p.x, p.y])});
    } else if (type === 'label') {
      const text = registry.getGraphics(el).querySelector('text');
      if (!text || !text.textContent) continue;
      const b = text.getBBox();
      boxes.push({id: el.id, owner: el.labelTarget.id, label: true,
                  x: el.x + b.x, y: el.y + b.y, w: b.width, h: b.height});
    } else if (!['bpmn:Participant', 'bpmn:Lane', 'bpmn:Process',
                 'bpmn:Collaboration'].includes(type) && el.parent) {
      boxes.push({id: el.id, owner: el.host ? el.host.id : null, label: false,
                  x: el.x, y: el.y, w: el.width, h: el.height});
    }
  }
  const missing = ids.filter(id => !registry.get(id) || !registry.getGraphics(id));
  return {warnings: warnings.map(w => w.message), missing, boxes, edges};
}"""


def _overlap(a, b, pad=0.0):
    return (a["x"] < b["x"] + b["w"] + pad and b["x"] < a["x"] + a["w"] + pad
            and a["y"] < b["y"] + b["h"] + pad and b["y"] < a["y"] + a["h"] + pad)


def _related(a, b):
    """A label and its element, or a boundary event and its task, may touch."""
    return a["owner"] == b["id"] or b["owner"] == a["id"] or (
        a["owner"] is not None and a["owner"] == b["owner"] and not (a["label"] or b["label"]))


def _segment_through(p, q, box):
    """An orthogonal segment passing through the inside of a box (1 px inset)."""
    x0, y0 = box["x"] + 1, box["y"] + 1
    x1, y1 = box["x"] + box["w"] - 1, box["y"] + box["h"] - 1
    (sx0, sx1), (sy0, sy1) = sorted((p[0], q[0])), sorted((p[1], q[1]))
    return sx0 < x1 and x0 < sx1 and sy0 < y1 and y0 < sy1


def _layout_problems(boxes, edges):
    problems = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if not _related(a, b) and _overlap(a, b, 1):
                problems.append(f"{a['id']} overlaps {b['id']}")
    by_id = {b["id"]: b for b in boxes if not b["label"]}
    for e in edges:
        ends = {e["source"], e["target"]}
        ends |= {by_id[x]["owner"] for x in list(ends) if x in by_id and by_id[x]["owner"]}
        for p, q in zip(e["points"], e["points"][1:], strict=False):
            for box in boxes:
                if box["id"] in ends or (box["label"] and box["owner"] == e["id"]):
                    continue
                if _segment_through(p, q, box):
                    problems.append(f"{e['id']} runs through {box['id']}")
    return problems


@pytest.mark.parametrize("name", ["bad_review", "appeal", "staff_review"])
def test_diagram_renders_cleanly(live_server, page, screenshot, name):
    xml = (BPMN_DIR / f"{name}.bpmn").read_text(encoding="utf-8")
    doc = etree.fromstring(xml.encode("utf-8"))
    user_tasks = doc.xpath("//bpmn:userTask/@id", namespaces=NS)
    [participant] = doc.xpath("//bpmn:participant/@id", namespaces=NS)
    [pool] = doc.xpath(f"//bpmndi:BPMNShape[@bpmnElement='{participant}']/dc:Bounds",
                       namespaces=NS)
    width, height = float(pool.get("width")), float(pool.get("height"))
    scale = min(1.0, MAX_WIDTH / width)
    page.set_viewport_size({"width": math.ceil(width * scale) + 40,
                            "height": math.ceil(height * scale) + 40})

    page.set_content(PAGE.format(base=live_server), wait_until="load")
    result = page.evaluate(RENDER, {"xml": xml, "ids": user_tasks})

    assert "error" not in result, result
    assert result["warnings"] == []
    assert user_tasks and result["missing"] == []
    assert _layout_problems(result["boxes"], result["edges"]) == []
    assert page.locator(".djs-element.djs-shape").count() >= len(user_tasks)
    screenshot(page, f"diagram-{name}")
    assert page.foreign_requests == []
