/* The task form's draft (办理表单草稿): what a person has typed or chosen is kept in the tab's
   sessionStorage as they go, so that adding a comment or an evidence file (which reloads the
   page) loses nothing, nor does a submission the server refuses. Restored into an empty form
   on the next load of the same task. Submitting keeps it until the server says what became
   of the task (the form's data-draft): "edit", the form again (a refused one shows what was
   posted, data-posted, and is not overwritten); "keep", not the user's to complete now
   (someone else's claim, or a refused submission shown read-only); "done", finished: the
   draft goes (so does a completed submission's, draftsdone.js). A draft carries the case's
   version it was typed on (data-case-version): restored on a later one, the case changed
   meanwhile and the page says the draft is stale (#draft-stale, else #draft-restored); either
   note's button (data-draft-discard) drops it and empties the form in one click.
   Loaded by inbox/task.html. */
(function () {
  "use strict";
  var form = document.getElementById("task-form");
  if (!form || !form.dataset.draftKey) return;
  var key = "task-draft:" + form.dataset.draftKey;
  var version = form.dataset.caseVersion || "";
  if (form.dataset.draft === "done") {
    try { sessionStorage.removeItem(key); } catch (e) { /* nothing kept */ }
    return;
  }
  if (form.dataset.draft !== "edit") return;
  var SKIP = { csrf_token: true, next: true };

  function fields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && !SKIP[el.name] && !el.disabled && el.type !== "hidden" &&
        el.type !== "submit" && el.type !== "button";
    });
  }

  function read() {
    var out = {};
    fields().forEach(function (el) {
      if (el.type === "radio") { if (el.checked) out[el.name] = el.value; }
      else if (el.type === "checkbox") { out[el.name] = el.checked; }
      else { out[el.name] = el.value; }
    });
    return out;
  }

  function blank() {
    return fields().every(function (el) {
      if (el.type === "radio" || el.type === "checkbox") return !el.checked || el.defaultChecked;
      return el.value === el.defaultValue;
    });
  }

  function restore(saved) {
    fields().forEach(function (el) {
      if (!(el.name in saved)) return;
      var value = saved[el.name];
      if (el.type === "radio") el.checked = el.value === value;
      else if (el.type === "checkbox") el.checked = Boolean(value);
      else el.value = value;
    });
  }

  function save() {
    try {
      sessionStorage.setItem(key, JSON.stringify({ version: version, values: read() }));
    } catch (e) { /* full or off */ }
  }

  function notes() {
    return Array.prototype.slice.call(document.querySelectorAll(".draft-note"));
  }

  function discard() {
    try { sessionStorage.removeItem(key); } catch (e) { /* nothing kept */ }
    form.reset();  // the form as drawn: restoring happens into an untouched one only
    notes().forEach(function (note) { note.hidden = true; });
    var first = fields()[0];
    if (first) first.focus();
  }

  function load() {
    var saved = null;
    try { saved = JSON.parse(sessionStorage.getItem(key) || "null"); } catch (e) { saved = null; }
    if (!saved || typeof saved !== "object") return null;
    if (!("values" in saved)) return { version: null, values: saved };  // kept before versions
    return saved;
  }

  var saved = load();
  if (saved && form.dataset.posted !== "1" && blank()) {
    restore(saved.values || {});
    var stale = saved.version != null && String(saved.version) !== version;
    var note = document.getElementById(stale ? "draft-stale" : "draft-restored");
    if (note) note.hidden = false;
  }
  document.querySelectorAll("[data-draft-discard]").forEach(function (button) {
    button.addEventListener("click", discard);
  });
  form.addEventListener("input", save);
  form.addEventListener("change", save);
})();
