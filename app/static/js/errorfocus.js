// A form sent back with errors (提交未成功): the page title says so and the focus goes to the
// first field marked invalid, or to the message when no field is, so that keyboard and
// screen-reader users start where the problem is.
(function () {
  "use strict";
  var alert = document.querySelector(".alert-error[data-form-errors]");
  if (!alert) return;
  document.title = alert.getAttribute("data-title-prefix") + document.title;
  var form = alert.closest("form") || document;
  (form.querySelector('[aria-invalid="true"]') || alert).focus();
})();
