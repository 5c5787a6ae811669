/* A field marked data-select-on-focus (the new API token, shown once) has its whole text
   selected when it takes the focus, ready to copy. A file, not an onfocus attribute: the
   site's Content-Security-Policy runs no inline handler. */
(function () {
  "use strict";
  document.querySelectorAll("[data-select-on-focus]").forEach(function (field) {
    field.addEventListener("focus", function () { field.select(); });
    if (document.activeElement === field) { field.select(); }  // focused before this ran
  });
})();
