/* Drops the tab's drafts (taskdraft.js) of the tasks a submission has just completed: the
   first page drawn after it names them in data-tasks (app/inbox/drafts.py). Loaded by
   layout.html only then. */
(function () {
  "use strict";
  var script = document.currentScript;
  var ids = script && script.dataset.tasks ? script.dataset.tasks.split(" ") : [];
  ids.forEach(function (id) {
    try { sessionStorage.removeItem("task-draft:" + id); } catch (e) { /* nothing kept */ }
  });
})();
