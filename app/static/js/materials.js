/* Evidence files (证明材料) form: shows the chosen file's name next to the picker. Loaded by
   the partial cases/_materials.html, so it works on every page that includes it. */
(function () {
  "use strict";
  document.querySelectorAll(".file-pick input[type=file]").forEach(function (input) {
    var shown = input.closest(".file-pick").querySelector("[data-file-chosen]");
    var empty = shown.textContent;
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      shown.textContent = file ? file.name : empty;
      shown.classList.toggle("picked", Boolean(file));
    });
  });
})();
