// The inbox: "select all on this page", the count of ticked rows, bulk buttons only with a tick.
(function () {
  var form = document.getElementById("bulk");
  if (!form) return;
  var all = document.getElementById("check-all");
  var picked = form.querySelector(".picked");
  var boxes = function () { return form.querySelectorAll('input[name="task"]'); };
  function refresh() {
    var n = Array.prototype.filter.call(boxes(), function (b) { return b.checked; }).length;
    if (picked) picked.textContent = n ? (document.documentElement.lang === "en" ? n + " selected" : "已选 " + n + " 项") : "";
    form.querySelectorAll("[data-bulk]").forEach(function (b) { b.disabled = n === 0; });
    if (all) all.checked = n > 0 && n === boxes().length;
  }
  if (all) all.addEventListener("change", function () {
    boxes().forEach(function (b) { b.checked = all.checked; });
    refresh();
  });
  form.addEventListener("change", function (e) { if (e.target.name === "task") refresh(); });
  refresh();
})();
