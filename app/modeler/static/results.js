/* The modeler page's results and canvas marks (流程图编辑): the drawer under the canvas with the
   server's validation problems, the diff against the deployed version and the bpmnlint findings,
   each entry selecting and centring its element; red marks and badges for problems, green and
   amber ones for added and changed elements. Used by modeler.js (loaded after this file) as
   `HcpModelerResults.attach({ root, T, cfg, state, modeler })`; `fmt` and `el` are shared. */
(function () {
  "use strict";

  function fmt(text, vars) {
    return String(text).replace(/{(\w+)}/g, function (all, key) {
      return vars && vars[key] !== undefined && vars[key] !== null ? String(vars[key]) : all;
    });
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") { node.textContent = attrs[k]; }
      else if (k === "className") { node.className = attrs[k]; }
      else if (attrs[k] !== null && attrs[k] !== undefined) { node.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) {
      if (c !== null && c !== undefined) {
        node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
      }
    });
    return node;
  }

  function attach(ctx) {
    var root = ctx.root, T = ctx.T, cfg = ctx.cfg, state = ctx.state, modeler = ctx.modeler;
    var canvas = modeler.get("canvas");
    var registry = modeler.get("elementRegistry");
    var overlays = modeler.get("overlays");
    var selection = modeler.get("selection");
    var eventBus = modeler.get("eventBus");
    var translate = modeler.get("translate");
    function $(sel) { return root.querySelector(sel); }

    // ---- elements on the canvas -------------------------------------------------------------
    /* The shape for an id: the element itself, or the pool of a process id. */
    function shapeFor(id) {
      if (!id) { return null; }
      var found = registry.get(id);
      if (found) { return found; }
      return registry.filter(function (e) {
        var bo = e.businessObject;
        return e.type === "bpmn:Participant" && bo && bo.processRef && bo.processRef.id === id;
      })[0] || null;
    }

    function nameOf(id) {
      var shape = shapeFor(id);
      var bo = shape && shape.businessObject;
      return bo && bo.name ? bo.name : "";
    }

    function bounds(shape) {
      if (!shape.waypoints) { return shape; }
      var xs = shape.waypoints.map(function (p) { return p.x; });
      var ys = shape.waypoints.map(function (p) { return p.y; });
      var x = Math.min.apply(null, xs), y = Math.min.apply(null, ys);
      return { x: x, y: y, width: Math.max.apply(null, xs) - x, height: Math.max.apply(null, ys) - y };
    }

    /* Select the element and centre it, zoomed in to a readable scale. */
    function reveal(id) {
      var shape = shapeFor(id);
      if (!shape) { return false; }
      selection.select(shape);
      if (shape === canvas.getRootElement()) { return true; }
      var box = bounds(shape), vb = canvas.viewbox();
      var scale = Math.min(Math.max(vb.scale, 0.9), 1.2);
      var w = vb.outer.width / scale, h = vb.outer.height / scale;
      canvas.viewbox({ x: box.x + box.width / 2 - w / 2, y: box.y + box.height / 2 - h / 2,
                       width: w, height: h });
      return true;
    }

    function elementButton(id, label, extra) {
      var b = el("button", { type: "button", className: "mod-item", "data-element": id },
                 [el("span", { className: "mod-item-name", text: label || id })]
                   .concat(label && label !== id ? [el("span", { className: "mono sub", text: id })] : [])
                   .concat(extra || []));
      b.addEventListener("click", function () { reveal(id); });
      return b;
    }

    var marks = { problems: [], diff: [] };
    function mark(kind, id, css, badge) {
      var shape = shapeFor(id);
      if (!shape) { return; }
      canvas.addMarker(shape, css);
      var overlay = null;
      if (badge) {
        overlay = overlays.add(shape, "hcp-" + kind, {
          position: shape.waypoints ? { top: -12, left: -12 } : { top: -10, right: 10 },
          html: el("span", { className: "mod-badge mod-badge-" + css, title: badge.title,
                             "aria-hidden": "true", text: badge.text }),
        });
      }
      marks[kind].push({ shape: shape, css: css, overlay: overlay });
    }
    function unmark(kind) {
      marks[kind].forEach(function (m) {
        if (registry.get(m.shape.id)) { canvas.removeMarker(m.shape, m.css); }
        if (m.overlay) { overlays.remove(m.overlay); }
      });
      marks[kind] = [];
    }

    // ---- results tabs -----------------------------------------------------------------------
    var tabs = Array.prototype.slice.call(root.querySelectorAll("[data-tab]"));
    function showTab(name, focus) {
      tabs.forEach(function (t) {
        var on = t.dataset.tab === name;
        t.setAttribute("aria-selected", on ? "true" : "false");
        t.tabIndex = on ? 0 : -1;
        $('[data-pane="' + t.dataset.tab + '"]').hidden = !on;
        if (on && focus) { t.focus(); }
      });
      expandResults(true);
    }
    tabs.forEach(function (t, i) {
      t.addEventListener("click", function () { showTab(t.dataset.tab); });
      t.addEventListener("keydown", function (e) {
        var d = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
        if (e.key === "Home") { d = -i; } else if (e.key === "End") { d = tabs.length - 1 - i; }
        if (d) {
          e.preventDefault();
          showTab(tabs[(i + d + tabs.length) % tabs.length].dataset.tab, true);
        }
      });
    });
    var collapse = $('[data-action="toggle-results"]');
    function expandResults(open) {
      root.classList.toggle("results-collapsed", !open);
      collapse.setAttribute("aria-expanded", open ? "true" : "false");
      collapse.textContent = open ? T.collapse : T.expand;
      $(".mod-panes").hidden = !open;
      canvas.resized();
    }
    collapse.addEventListener("click", function () {
      expandResults(collapse.getAttribute("aria-expanded") !== "true");
    });
    function setCount(name, n) { $('[data-count="' + name + '"]').textContent = n === null ? "–" : String(n); }

    // ---- validation problems ----------------------------------------------------------------
    function clearProblems() {
      unmark("problems");
      $('[data-list="problems"]').textContent = "";
      $('[data-empty="problems"]').hidden = false;
      setCount("problems", null);
      delete root.dataset.validated;
    }

    function showProblems(problems) {
      clearProblems();
      var list = $('[data-list="problems"]');
      $('[data-empty="problems"]').hidden = problems.length > 0;
      if (!problems.length) {
        list.appendChild(el("li", { className: "mod-ok", text: T.no_problems }));
      }
      var perElement = {};
      problems.forEach(function (p) {
        var here = !p.file || p.file === cfg.file;
        var meta = [el("span", { className: "mod-code mono", text: p.code })];
        if (p.line) { meta.push(el("span", { className: "sub", text: fmt(T.problem_line, { line: p.line }) })); }
        if (!here) { meta.push(el("span", { className: "sub", text: fmt(T.problem_other_file, { file: p.file }) })); }
        var msg = el("span", { className: "mod-msg", text: p.message });
        var item;
        if (here && p.element && shapeFor(p.element)) {
          item = elementButton(p.element, nameOf(p.element) || p.element, [msg].concat(meta));
          perElement[p.element] = (perElement[p.element] || []).concat([p.message]);
        } else if (!here && cfg.fileUrls && cfg.fileUrls[p.file]) {
          item = el("div", { className: "mod-item" }, [msg].concat(meta).concat([
            el("a", { href: cfg.fileUrls[p.file], text: fmt(T.open_file, { file: p.file }) })]));
        } else {
          item = el("div", { className: "mod-item" },
                    (p.element ? [el("span", { className: "mono sub", text: p.element })] : []).concat([msg]).concat(meta));
        }
        list.appendChild(el("li", { className: "mod-problem-item", "data-code": p.code,
                                    "data-element": p.element || "" }, [item]));
      });
      Object.keys(perElement).forEach(function (id) {
        mark("problems", id, "mod-problem", {
          text: perElement[id].length > 1 ? String(perElement[id].length) : "!",
          title: perElement[id].join("\n"),
        });
      });
      setCount("problems", problems.length);
      root.dataset.validated = problems.length ? "problems" : "ok";
      showTab("problems");
    }

    // ---- diff -------------------------------------------------------------------------------
    function clearDiff() {
      unmark("diff");
      $('[data-list="diff"]').textContent = "";
      $('[data-empty="diff"]').hidden = false;
      setCount("diff", null);
      delete root.dataset.diffed;
    }

    function shown(value) {
      if (value === null || value === undefined || value === "") { return T.empty_value; }
      return typeof value === "string" ? value : JSON.stringify(value);
    }

    /* "userTask" -> "User task" -> the bundle's translation (用户任务). */
    function typeLabel(type) {
      if (!type) { return ""; }
      var words = type.replace(/^bpmn:/, "").replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
      return translate(words.charAt(0).toUpperCase() + words.slice(1));
    }

    function diffGroup(kind, entries) {
      var ul = el("ul", { className: "mod-list" });
      entries.forEach(function (d) {
        var label = d.name || nameOf(d.id) || d.id;
        var type = el("span", { className: "mod-type", text: typeLabel(d.type) });
        var item = kind === "removed"
          ? el("div", { className: "mod-item" }, [el("span", { className: "mod-item-name", text: label }),
                                                 el("span", { className: "mono sub", text: d.id }), type])
          : elementButton(d.id, label, [type]);
        var li = el("li", { className: "mod-diff-item", "data-element": d.id }, [item]);
        if (d.changes && d.changes.length) {
          var rows = d.changes.map(function (c) {
            return el("tr", { "data-field": c.field }, [
              el("th", { scope: "row", text: c.label || c.field }),
              el("td", { className: "mod-old" }, [el("del", { text: shown(c.old) })]),
              el("td", { className: "mod-arrow", "aria-hidden": "true", text: "→" }),
              el("td", { className: "mod-new" }, [el("ins", { text: shown(c.new) })]),
            ]);
          });
          li.appendChild(el("table", { className: "mod-changes" }, [
            el("thead", {}, [el("tr", {}, [el("th", { scope: "col", text: T.field }),
                                           el("th", { scope: "col", text: T.old }),
                                           el("td", {}), el("th", { scope: "col", text: T.new })])]),
            el("tbody", {}, rows)]));
        }
        ul.appendChild(li);
        if (kind !== "removed") {
          mark("diff", d.id, kind === "added" ? "mod-added" : "mod-changed",
               { text: kind === "added" ? "+" : "~", title: T[kind] });
        }
      });
      return el("section", { className: "mod-diff-group mod-diff-" + kind, "data-kind": kind }, [
        el("h3", {}, [T[kind] + " ", el("span", { className: "count", text: String(entries.length) })]),
        kind === "removed" ? el("p", { className: "sub", text: T.removed_note }) : null,
        ul]);
    }

    function showDiff(d) {
      clearDiff();
      var box = $('[data-list="diff"]');
      var added = d.added || [], removed = d.removed || [], changed = d.changed || [];
      var n = added.length + removed.length + changed.length;
      $('[data-empty="diff"]').hidden = true;
      var head = el("div", { className: "mod-diff-head" }, [
        el("p", { text: n ? fmt(T.diff_done, { label: d.base && d.base.label || state.version.label,
                                               added: added.length, removed: removed.length,
                                               changed: changed.length }) : T.diff_none }),
      ]);
      if (d.layout_changed) { head.appendChild(el("p", { className: "sub", text: T.layout_changed })); }
      if (n) {
        var clear = el("button", { type: "button", className: "btn btn-small btn-link", text: T.clear_marks });
        clear.addEventListener("click", function () { unmark("diff"); });
        head.appendChild(clear);
      }
      box.appendChild(head);
      var groups = el("div", { className: "mod-diff-groups" });
      if (changed.length) { groups.appendChild(diffGroup("changed", changed)); }
      if (added.length) { groups.appendChild(diffGroup("added", added)); }
      if (removed.length) { groups.appendChild(diffGroup("removed", removed)); }
      box.appendChild(groups);
      setCount("diff", n);
      root.dataset.diffed = String(n);
      showTab("diff");
    }

    // ---- lint (bpmnlint through bpmn-js-bpmnlint): shown, never blocking ---------------------
    eventBus.on("linting.completed", function (e) {
      var list = $('[data-list="lint"]');
      list.textContent = "";
      var n = 0;
      Object.keys(e.issues || {}).forEach(function (id) {
        e.issues[id].forEach(function (issue) {
          n++;
          var target = issue.actualElementId || id;
          var sev = issue.category === "error" ? "error" : "warning";
          list.appendChild(el("li", { className: "mod-lint-item lint-" + sev, "data-rule": issue.rule },
            [elementButton(target, nameOf(target) || target, [
              el("span", { className: "mod-sev mod-sev-" + sev, text: T["lint_" + sev] }),
              el("span", { className: "mod-msg", text: translate(issue.message) }),
              el("span", { className: "mono sub", text: issue.rule })])]));
        });
      });
      if (!n) { list.appendChild(el("li", { className: "mod-ok", text: T.lint_none })); }
      setCount("lint", n);
    });

    return { showProblems: showProblems, clearProblems: clearProblems, showDiff: showDiff,
             clearDiff: clearDiff, expand: expandResults, reveal: reveal };
  }

  window.HcpModelerResults = { attach: attach, fmt: fmt, el: el };
})();
