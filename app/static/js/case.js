/* The case page (工单详情): draws the process diagram with bpmn-js (vendored, no other host),
   marking the current step(s) and done steps, its names in the page's language (data-labels:
   element id → name, written into the XML before it is drawn); reveals the reviewer's phone
   number in place.
   The diagram element reports data-state="ready" (and data-marked, the current ids) when drawn,
   or "error". */
(function () {
  "use strict";

  function setupDiagram(root) {
    var msg = root.querySelector("[data-diagram-msg]");
    var templates = root.querySelectorAll("template[data-process]");
    if (!window.BpmnJS || !templates.length) {
      root.dataset.state = "error";
      return;
    }
    var viewer = new window.BpmnJS({ container: root });
    var canvas = viewer.get("canvas");

    function mark(ids, css) {
      ids.forEach(function (id) {
        try { canvas.addMarker(id, css); } catch (e) { /* not in this diagram */ }
      });
    }

    var READABLE = 0.7, FOCUS = 0.9;  // below READABLE the fitted diagram's text is too small

    function focus(ids) {
      var registry = viewer.get("elementRegistry");
      var el = ids.map(function (id) { return registry.get(id); }).filter(Boolean)[0];
      if (!el) { return false; }
      var outer = canvas.viewbox().outer;
      var w = outer.width / FOCUS, h = outer.height / FOCUS;
      canvas.viewbox({ x: el.x + el.width / 2 - w / 2, y: el.y + el.height / 2 - h / 2,
                       width: w, height: h });
      return true;
    }

    var CHAR_WIDTH = 6.5;  // about a Latin character of the viewer's 11 px label font

    function has(labels, id) { return !!id && Object.prototype.hasOwnProperty.call(labels, id); }

    // An external label (event, gateway, flow) sized for Chinese, widened about its centre to
    // its name's longest word, so that no word is broken inside (lines still wrap between them).
    function widen(di, name) {
      var bounds = di.querySelector("BPMNLabel > Bounds");
      var width = bounds && parseFloat(bounds.getAttribute("width"));
      var longest = Math.max.apply(null, name.split(/\s+/).map(function (w) { return w.length; }));
      var needed = Math.ceil(longest * CHAR_WIDTH);
      if (!width || width >= needed) { return; }
      bounds.setAttribute("x", String(parseFloat(bounds.getAttribute("x")) - (needed - width) / 2));
      bounds.setAttribute("width", String(needed));
    }

    // The diagram's XML with its names in the page's language (labels: element id -> name).
    function translated(xml, labels) {
      if (!Object.keys(labels).length) { return xml; }
      var doc = new DOMParser().parseFromString(xml, "application/xml");
      if (doc.getElementsByTagName("parsererror").length) { return xml; }
      Array.prototype.forEach.call(doc.getElementsByTagName("*"), function (el) {
        if (has(labels, el.getAttribute("id")) && el.hasAttribute("name")) {
          el.setAttribute("name", labels[el.getAttribute("id")]);
        } else if (has(labels, el.getAttribute("bpmnElement"))) {
          widen(el, labels[el.getAttribute("bpmnElement")]);
        }
      });
      return new XMLSerializer().serializeToString(doc);
    }

    var latest = 0;  // the last diagram asked for: one asked for earlier no longer draws

    function show(process) {
      var t = root.querySelector('template[data-process="' + process + '"]');
      var current = JSON.parse(t.dataset.current), done = JSON.parse(t.dataset.done);
      var labels = JSON.parse(t.dataset.labels || "{}");
      var asked = ++latest;
      function stale() { return asked !== latest; }
      root.dataset.state = "loading";
      return fetch(t.dataset.src, { credentials: "same-origin" })
        .then(function (r) {
          if (!r.ok) { throw new Error(r.status); }
          return r.text();
        })
        .then(function (xml) { return stale() || viewer.importXML(translated(xml, labels)); })
        .then(function () {
          if (stale()) { return; }
          canvas.zoom("fit-viewport", "auto");
          if (canvas.zoom() < READABLE) { focus(current); }
          root.currentIds = current;
          mark(done, "cp-done");
          mark(current, "cp-current");
          if (msg) { msg.hidden = true; }
          root.dataset.marked = current.join(" ");
          root.dataset.process = process;
          root.dataset.state = "ready";
        })
        .catch(function () {
          if (stale()) { return; }
          if (msg) { msg.hidden = false; msg.textContent = root.getAttribute("data-error") || "!"; }
          root.dataset.state = "error";
        });
    }

    var panel = root.closest(".diagram-panel");
    setupTabs(panel, show);
    panel.querySelectorAll("[data-zoom]").forEach(function (button) {
      button.addEventListener("click", function () {
        var how = button.dataset.zoom;
        if (how === "fit") { canvas.zoom("fit-viewport", "auto"); return; }
        if (how === "current") { focus(root.currentIds || []); return; }
        canvas.zoom(canvas.zoom() * (how === "in" ? 1.25 : 0.8));
      });
    });
    show(templates[0].dataset.process);
  }

  // The diagram tabs (主流程 / 申诉 / 工作人员差评核查), the WAI-ARIA tabs pattern as in the
  // modeler's results: the selected tab alone in the Tab order (roving tabindex); Left/Right
  // (wrapping), Home and End move to a tab and show its diagram; the one tabpanel is labelled
  // by the selected tab.
  function setupTabs(panel, show) {
    var tabs = Array.prototype.slice.call(panel.querySelectorAll('[role="tab"][data-diagram]'));
    var pane = panel.querySelector('[role="tabpanel"]');
    function select(tab, focus) {
      if (tab.getAttribute("aria-selected") === "true") {
        if (focus) { tab.focus(); }
        return;
      }
      tabs.forEach(function (t) {
        var on = t === tab;
        t.classList.toggle("active", on);
        t.setAttribute("aria-selected", on ? "true" : "false");
        t.tabIndex = on ? 0 : -1;
      });
      if (pane) { pane.setAttribute("aria-labelledby", tab.id); }
      if (focus) { tab.focus(); }
      show(tab.dataset.diagram);
    }
    tabs.forEach(function (tab, i) {
      tab.addEventListener("click", function () { select(tab); });
      tab.addEventListener("keydown", function (e) {
        var to = e.key === "ArrowRight" ? i + 1 : e.key === "ArrowLeft" ? i - 1
          : e.key === "Home" ? 0 : e.key === "End" ? tabs.length - 1 : null;
        if (to === null || e.altKey || e.ctrlKey || e.metaKey) { return; }
        e.preventDefault();
        select(tabs[(to + tabs.length) % tabs.length], true);
      });
    });
  }

  function setupReveal(form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button");
      button.disabled = true;
      fetch(form.action, {
        method: "POST", credentials: "same-origin", body: new FormData(form),
        headers: { "Accept": "application/json" }
      }).then(function (r) {
        if (!r.ok) { throw new Error(r.status); }
        return r.json();
      }).then(function (data) {
        var line = form.closest(".phone-line");
        var phone = line.querySelector("[data-phone]");
        phone.textContent = data.phone;
        phone.classList.add("revealed");
        var note = line.querySelector("[data-reveal-note]");
        if (note) { note.textContent = note.dataset.done || note.textContent; }
        form.remove();
      }).catch(function () {
        form.submit();  // the page answers without the script (403 page when not allowed)
      });
    });
  }

  document.querySelectorAll("[data-case-diagram]").forEach(setupDiagram);
  document.querySelectorAll("form[data-reveal]").forEach(setupReveal);
})();
