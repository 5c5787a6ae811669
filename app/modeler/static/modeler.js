/* The modeler's editor page (流程图编辑): loads the deployed version or the draft into the bpmn-js
   Modeler of the bundle (window.HcpModeler, app/static/vendor/modeler/modeler.js), saves drafts,
   asks the server to validate (problems listed and marked on the canvas), to diff against the
   deployed version (listed and coloured) and to deploy (comment dialog; 422 problems, 409 when
   someone else deployed first). Endpoints and answers: docs/modeler.md.

   Texts come translated from the template (#modeler-strings), settings from #modeler-config.
   For tests the root element reports data-state (loading | ready | error), data-busy while a
   request runs, data-validated (ok | problems), data-diffed and data-deployed (the new label). */
(function () {
  "use strict";

  var root = document.getElementById("modeler");
  if (!root) { return; }
  var cfg = JSON.parse(document.getElementById("modeler-config").textContent);
  var T = JSON.parse(document.getElementById("modeler-strings").textContent);
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  function fmt(text, vars) {
    return String(text).replace(/{(\w+)}/g, function (all, key) {
      return vars && vars[key] !== undefined && vars[key] !== null ? String(vars[key]) : all;
    });
  }

  function $(sel, scope) { return (scope || root).querySelector(sel); }

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

  var whenFormat = new Intl.DateTimeFormat(cfg.lang === "en" ? "en-GB" : "zh-CN", {
    timeZone: "Asia/Shanghai", year: "numeric", month: cfg.lang === "en" ? "short" : "long",
    day: "numeric", hour: "2-digit", minute: "2-digit", hour12: false,
  });

  function when(iso) {
    if (!iso) { return ""; }
    var d = new Date(iso);
    return isNaN(d.getTime()) ? iso : whenFormat.format(d);
  }

  // ---- the modeler ------------------------------------------------------------------------
  var canvasMsg = $("[data-canvas-msg]");
  if (!window.HcpModeler) {
    root.dataset.state = "error";
    canvasMsg.textContent = fmt(T.load_failed, { error: "modeler.js" });
    return;
  }
  var modeler = window.HcpModeler.create({
    container: document.getElementById("mod-canvas"),
    panel: document.getElementById("mod-props"),
    lang: cfg.lang,
  });
  var canvas = modeler.get("canvas");
  var registry = modeler.get("elementRegistry");
  var overlays = modeler.get("overlays");
  var selection = modeler.get("selection");
  var eventBus = modeler.get("eventBus");
  var translate = modeler.get("translate");
  window.hcpModeler = modeler;  // for the browser tests and the console

  var state = { source: null, version: cfg.version, draft: cfg.draft, busy: false };

  // ---- unsaved changes: a token per command-stack position --------------------------------
  var stack = { ids: [], pos: 0, saved: "base", next: 1 };
  function token() { return stack.pos === 0 ? "base" : stack.ids[stack.pos - 1]; }
  function isDirty() { return token() !== stack.saved; }
  function markClean() { stack.saved = token(); renderStatus(); }
  eventBus.on("commandStack.changed", function (e) {
    if (e.trigger === "execute") {
      stack.ids.length = stack.pos;
      stack.ids.push("c" + stack.next++);
      stack.pos++;
    } else if (e.trigger === "undo") {
      stack.pos = Math.max(0, stack.pos - 1);
    } else if (e.trigger === "redo") {
      stack.pos = Math.min(stack.ids.length, stack.pos + 1);
    } else if (e.trigger === "clear") {
      stack.ids = []; stack.pos = 0; stack.saved = "base";
    }
    renderStatus();
  });
  window.addEventListener("beforeunload", function (e) {
    if (isDirty()) {
      e.preventDefault();
      e.returnValue = T.leave_warning;
      return T.leave_warning;
    }
  });

  // ---- status line and alerts -------------------------------------------------------------
  function renderStatus() {
    $('[data-field="version-label"]').textContent = state.version.label;
    var chip = $('[data-status="version"]');
    chip.title = [state.version.deployed_by, when(state.version.deployed_at), state.version.comment]
      .filter(Boolean).join(" · ");
    var base = state.draft && state.source === "draft"
      ? "v" + state.draft.base_version : state.version.label;
    $('[data-field="source"]').textContent = state.source
      ? fmt(state.source === "draft" ? T.opened_draft : T.opened_deployed, { label: base })
      : T.loading;
    $('[data-field="draft"]').textContent = state.draft
      ? fmt(T.draft_saved_by, { who: state.draft.updated_by, when: when(state.draft.updated_at) })
      : T.no_draft;
    var openDraft = $('[data-action="open-draft"]');
    openDraft.disabled = !state.draft || state.busy;
    $('[data-field="dirty"]').hidden = !isDirty();
    root.dataset.dirty = isDirty() ? "1" : "0";
  }

  var alerts = $("[data-alerts]");
  /* One message at a time, except the ones kept (`keep`: a stale draft's warning). */
  function notify(kind, text, opts) {
    opts = opts || {};
    Array.prototype.slice.call(alerts.children).forEach(function (a) {
      if (!a.dataset.keep || (opts.keep && a.dataset.keep === opts.keep)) { a.remove(); }
    });
    if (!text) { return null; }
    var box = el("div", { className: "alert alert-" + kind, role: kind === "error" ? "alert" : null },
                 [el("span", { text: text })]);
    if (opts.keep) { box.dataset.keep = opts.keep; }
    if (opts.kind) { box.dataset.kind = opts.kind; }
    (opts.actions || []).forEach(function (a) {
      var b = el("button", { type: "button", className: "btn btn-small", text: a.label });
      b.addEventListener("click", a.run);
      box.appendChild(b);
    });
    var close = el("button", { type: "button", className: "mod-close", "aria-label": T.close,
                               title: T.close, text: "×" });
    close.addEventListener("click", function () { box.remove(); });
    box.appendChild(close);
    alerts.appendChild(box);
    if ((kind === "success" || kind === "info") && !opts.keep) {
      setTimeout(function () { if (!box.contains(document.activeElement)) { box.remove(); } }, 8000);
    }
    return box;
  }

  // ---- requests ---------------------------------------------------------------------------
  function setBusy(busy) {
    state.busy = busy;
    root.dataset.busy = busy ? "1" : "0";
    Array.prototype.forEach.call(root.querySelectorAll(".mod-tools button"), function (b) {
      if (b.dataset.action !== "open-draft" && b.dataset.action !== "fit") { b.disabled = busy; }
    });
    renderStatus();
  }

  /* fetch JSON; resolves { status, body } (body null when the answer is not JSON). */
  function api(method, url, payload) {
    var headers = { "Accept": "application/json" };
    if (method !== "GET") { headers["X-CSRFToken"] = csrf; }
    if (payload !== undefined) { headers["Content-Type"] = "application/json"; }
    return fetch(url, {
      method: method, headers: headers, credentials: "same-origin",
      body: payload === undefined ? undefined : JSON.stringify(payload),
    }).then(function (r) {
      var type = r.headers.get("Content-Type") || "";
      if (r.status === 204) { return { status: 204, body: null }; }
      if (type.indexOf("application/json") < 0) { return { status: r.status, body: null, html: true }; }
      return r.json().then(function (body) { return { status: r.status, body: body }; });
    });
  }

  /* The message of a failed answer. */
  function failure(res) {
    if (res.html || res.status === 400 && !res.body) { return T.session_expired; }
    if (res.status === 403) { return T.forbidden; }
    var b = res.body || {};
    var details = [];
    Object.keys(b.errors || {}).forEach(function (k) { details = details.concat(b.errors[k]); });
    return fmt(T.request_failed, { error: [b.message || res.status].concat(details).join(" ") });
  }

  function xmlNow() {
    return modeler.saveXML({ format: true }).then(function (r) { return r.xml; });
  }

  /* Run `work` with the toolbar disabled; network errors become a message. */
  function guarded(work) {
    if (state.busy) { return Promise.resolve(); }
    setBusy(true);
    return Promise.resolve().then(work).catch(function (err) {
      notify("error", err && err.name === "TypeError" ? T.network_failed
        : err && err.message || String(err));
    }).then(function () { setBusy(false); });
  }

  // ---- loading ----------------------------------------------------------------------------
  function load(from) {
    root.dataset.state = "loading";
    canvasMsg.hidden = false;
    canvasMsg.textContent = T.loading;
    return api("GET", cfg.urls.xml + "?from=" + encodeURIComponent(from)).then(function (res) {
      if (res.status !== 200 || !res.body) { throw new Error(failure(res)); }
      return modeler.importXML(res.body.xml).then(function () {
        state.source = res.body.source;
        state.version = res.body.version;
        state.draft = res.body.draft;
        canvasMsg.hidden = true;
        fitView();
        clearProblems(); clearDiff();
        markClean();
        root.dataset.state = "ready";
        notify(null, null);
        staleNote();
        if (state.source === "draft") {
          notify("info", fmt(T.draft_opened_note,
                             { who: state.draft.updated_by, when: when(state.draft.updated_at) }));
        }
      });
    }).catch(function (err) {
      root.dataset.state = "error";
      canvasMsg.hidden = false;
      canvasMsg.textContent = fmt(T.import_failed, { error: err && err.message || err });
      throw err;
    });
  }

  /* The whole diagram, unless that makes its text unreadable (a tablet): then its top left
     (where it starts) at a readable scale, clear of the palette. */
  var READABLE = 0.4, START_SCALE = 0.65, PALETTE = 130;
  function fitView() {
    canvas.zoom("fit-viewport", "auto");
    var vb = canvas.viewbox();
    if (vb.scale >= READABLE) { return; }
    var w = vb.outer.width / START_SCALE, h = vb.outer.height / START_SCALE;
    canvas.viewbox({ x: vb.inner.x - PALETTE / START_SCALE, y: vb.inner.y - 20 / START_SCALE,
                     width: w, height: h });
  }

  function staleNote() {
    if (state.draft && state.draft.stale) {
      notify("warning", fmt(T.stale_draft, { base: "v" + state.draft.base_version,
                                             label: state.version.label }), { keep: "stale-draft" });
    } else {
      notify(null, null, { keep: "stale-draft" });
    }
  }

  function open(from) {
    if (isDirty() && !window.confirm(T.discard_confirm)) { return Promise.resolve(); }
    return guarded(function () { return load(from); });
  }

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

  function validate() {
    return guarded(function () {
      notify("info", T.validating);
      return xmlNow().then(function (xml) {
        return api("POST", cfg.urls.validate, { xml: xml });
      }).then(function (res) {
        if (res.status !== 200 || !res.body) { notify("error", failure(res)); return; }
        showProblems(res.body.problems || []);
        notify(res.body.ok ? "success" : "error",
               res.body.ok ? T.valid : fmt(T.invalid, { n: res.body.problems.length }));
      });
    });
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

  function diff() {
    return guarded(function () {
      notify("info", T.diffing);
      return xmlNow().then(function (xml) {
        return api("POST", cfg.urls.diff, { xml: xml });
      }).then(function (res) {
        if (res.status !== 200 || !res.body) { notify("error", failure(res)); return; }
        notify(null, null);
        showDiff(res.body);
      });
    });
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

  // ---- drafts -----------------------------------------------------------------------------
  function saveDraft() {
    return guarded(function () {
      notify("info", T.saving);
      var saving = token();
      return xmlNow().then(function (xml) {
        return api("PUT", cfg.urls.draft, { xml: xml });
      }).then(function (res) {
        if (res.status !== 200 || !res.body) { notify("error", failure(res)); return; }
        state.draft = res.body.draft;
        stack.saved = saving;
        renderStatus();
        staleNote();
        notify("success", T.saved);
      });
    });
  }

  // ---- deploy -----------------------------------------------------------------------------
  var dialog = document.getElementById("deploy-dialog");
  function fieldError(name, text) {
    var p = dialog.querySelector('[data-error="' + name + '"]');
    p.hidden = !text;
    p.textContent = text || "";
    var wrap = dialog.querySelector('[data-field-wrap="' + name + '"]');
    if (wrap) { wrap.classList.toggle("has-error", !!text); }
    var input = dialog.querySelector('[name="' + name + '"]');
    if (input) { input.setAttribute("aria-invalid", text ? "true" : "false"); }
  }

  function stale(current) {
    var text = current ? fmt(T.stale, { label: current.label, who: current.deployed_by,
                                         when: when(current.deployed_at) }) : T.stale_plain;
    notify("warning", text, { kind: "stale", actions: [
      { label: T.reload, run: function () { window.location.reload(); } }] });
    root.dataset.stale = current ? current.label : "1";
  }

  function deploy(comment) {
    return guarded(function () {
      fieldError("comment", null); fieldError("form", null);
      return xmlNow().then(function (xml) {
        return api("POST", cfg.urls.deploy, { xml: xml, comment: comment,
                                              base_version: state.version.id });
      }).then(function (res) {
        var b = res.body || {};
        if (res.status === 201) {
          dialog.close();
          state.version = b.version;
          state.draft = null;
          state.source = "deployed";
          clearProblems(); clearDiff();
          markClean();
          staleNote();
          expandResults(false);
          root.dataset.deployed = b.version.label;
          notify("success", fmt(T.deployed_ok, { label: b.version.label }));
        } else if (res.status === 409) {
          dialog.close();
          stale(b.current);
        } else if (res.status === 422 && b.problems && b.problems.length) {
          dialog.close();
          showProblems(b.problems);
          notify("error", b.message || T.deploy_refused);
        } else if (res.status === 422 && b.errors) {
          var errs = b.errors;
          if (errs.comment) { fieldError("comment", errs.comment.join(" ")); }
          var other = Object.keys(errs).filter(function (k) { return k !== "comment"; })
            .map(function (k) { return errs[k].join(" "); });
          if (other.length || !errs.comment) { fieldError("form", [b.message].concat(other).join(" ")); }
        } else {
          fieldError("form", failure(res));
        }
      });
    });
  }

  if (dialog) {
    var form = dialog.querySelector("[data-deploy-form]");
    var comment = dialog.querySelector("#deploy-comment");
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var text = comment.value.trim();
      if (!text) {
        fieldError("comment", T.comment_required);
        comment.focus();
        return;
      }
      deploy(text);
    });
    dialog.querySelector('[data-action="cancel-deploy"]').addEventListener("click", function () {
      dialog.close();
    });
    dialog.addEventListener("close", function () {
      var opener = $('[data-action="deploy"]');
      if (opener) { opener.focus(); }
    });
  }

  function openDeploy() {
    fieldError("comment", null); fieldError("form", null);
    dialog.showModal();
    dialog.querySelector("#deploy-comment").focus();
  }

  // ---- toolbar ----------------------------------------------------------------------------
  var actions = {
    "open-deployed": function () { return open("deployed"); },
    "open-draft": function () { return open("draft"); },
    "save": saveDraft,
    "validate": validate,
    "diff": diff,
    "deploy": openDeploy,
    "fit": function () { canvas.zoom("fit-viewport", "auto"); },
  };
  root.querySelector(".mod-tools").addEventListener("click", function (e) {
    var b = e.target.closest("button[data-action]");
    if (b && !b.disabled && actions[b.dataset.action]) { actions[b.dataset.action](); }
  });
  document.addEventListener("keydown", function (e) {
    if ((e.ctrlKey || e.metaKey) && !e.altKey && (e.key === "s" || e.key === "S")) {
      e.preventDefault();
      saveDraft();
    }
  });
  window.addEventListener("resize", function () { canvas.resized(); });

  // ---- start: the draft when there is a current one, else the deployed version -------------
  expandResults(false);
  renderStatus();
  guarded(function () {
    return load(state.draft && !state.draft.stale ? "draft" : "deployed");
  });
})();
