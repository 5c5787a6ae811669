// The inbox: "select all on this page", the count of ticked rows, and each bulk button enabled
// only while a ticked row is one it applies to (a row's data-actions, app/inbox/bulk.py).
(function () {
  var form = document.getElementById("bulk");
  if (!form) return;
  var all = document.getElementById("check-all");
  var picked = form.querySelector(".picked");
  var boxes = function () { return form.querySelectorAll('input[name="task"]'); };
  function ticked() { return Array.prototype.filter.call(boxes(), function (b) { return b.checked; }); }
  function refresh() {
    var on = ticked(), n = on.length;
    if (picked) picked.textContent = n ? (document.documentElement.lang === "en" ? n + " selected" : "已选 " + n + " 项") : "";
    form.querySelectorAll("[data-bulk]").forEach(function (b) {
      var action = b.getAttribute("data-bulk");
      b.disabled = !on.some(function (box) {
        return (" " + (box.getAttribute("data-actions") || "") + " ").indexOf(" " + action + " ") >= 0;
      });
    });
    if (all) all.checked = n > 0 && n === boxes().length;
  }
  if (all) all.addEventListener("change", function () {
    boxes().forEach(function (b) { b.checked = all.checked; });
    refresh();
  });
  form.addEventListener("change", function (e) { if (e.target.name === "task") refresh(); });
  refresh();
})();
