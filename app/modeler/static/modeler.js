/* The modeler's editor page (流程图编辑): loads the deployed version or the draft into the bpmn-js
   Modeler of the bundle (window.HcpModeler, app/static/vendor/modeler/modeler.js), saves drafts,
   asks the server to validate (problems listed and marked on the canvas), to diff against the
   deployed version (listed and coloured) and to deploy (comment dialog; 422 problems, 409 when
   someone else deployed first). Endpoints and answers: docs/modeler.md.

   The results drawer and the marks on the canvas are results.js's (loaded first).
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

  var UI = window.HcpModelerResults;
  var fmt = UI.fmt, el = UI.el;

  function $(sel, scope) { return (scope || root).querySelector(sel); }

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
  var eventBus = modeler.get("eventBus");
  window.hcpModeler = modeler;  // for the browser tests and the console

  var state = { source: null, version: cfg.version, draft: cfg.draft, busy: false };
  var results = UI.attach({ root: root, T: T, cfg: cfg, state: state, modeler: modeler });

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
    chip.title = [state.version.deployed_by_name || state.version.deployed_by, when(state.version.deployed_at), state.version.comment]
      .filter(Boolean).join(" · ");
    var base = state.draft && state.source === "draft"
      ? "v" + state.draft.base_version : state.version.label;
    $('[data-field="source"]').textContent = state.source
      ? fmt(state.source === "draft" ? T.opened_draft : T.opened_deployed, { label: base })
      : T.loading;
    $('[data-field="draft"]').textContent = state.draft
      ? fmt(T.draft_saved_by, { who: state.draft.updated_by_name || state.draft.updated_by, when: when(state.draft.updated_at) })
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
        results.clearProblems(); results.clearDiff();
        markClean();
        root.dataset.state = "ready";
        notify(null, null);
        staleNote();
        if (state.source === "draft") {
          notify("info", fmt(T.draft_opened_note,
                             { who: state.draft.updated_by_name || state.draft.updated_by, when: when(state.draft.updated_at) }));
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

  function validate() {
    return guarded(function () {
      notify("info", T.validating);
      return xmlNow().then(function (xml) {
        return api("POST", cfg.urls.validate, { xml: xml });
      }).then(function (res) {
        if (res.status !== 200 || !res.body) { notify("error", failure(res)); return; }
        results.showProblems(res.body.problems || []);
        notify(res.body.ok ? "success" : "error",
               res.body.ok ? T.valid : fmt(res.body.problems.length === 1 ? T.invalid_one : T.invalid,
                                       { n: res.body.problems.length }));
      });
    });
  }

  function diff() {
    return guarded(function () {
      notify("info", T.diffing);
      return xmlNow().then(function (xml) {
        return api("POST", cfg.urls.diff, { xml: xml });
      }).then(function (res) {
        if (res.status !== 200 || !res.body) { notify("error", failure(res)); return; }
        notify(null, null);
        results.showDiff(res.body);
      });
    });
  }

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
    var text = current ? fmt(T.stale, { label: current.label, who: current.deployed_by_name || current.deployed_by,
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
          results.clearProblems(); results.clearDiff();
          markClean();
          staleNote();
          results.expand(false);
          root.dataset.deployed = b.version.label;
          notify("success", fmt(T.deployed_ok, { label: b.version.label }));
        } else if (res.status === 409) {
          dialog.close();
          stale(b.current);
        } else if (res.status === 422 && b.problems && b.problems.length) {
          dialog.close();
          results.showProblems(b.problems);
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
  results.expand(false);
  renderStatus();
  guarded(function () {
    return load(state.draft && !state.draft.stale ? "draft" : "deployed");
  });
})();
