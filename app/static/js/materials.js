/* Evidence files (证明材料) and comments (备注): shows the chosen file's name next to the
   picker, and keeps a comment the server refused. A comment posted from a task page comes back
   to the task page with the refusal as a message, and the page is drawn anew: the text is kept
   in the tab's sessionStorage when the form is sent and, on the next page of the same case,
   put back into the empty box unless the comment list now holds it (it was added). Loaded by
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

  var form = document.querySelector("form.comment-form");
  var box = form && form.querySelector("textarea");
  if (!box) return;
  var key = "comment-sent:" + form.getAttribute("action");

  function plain(text) { return text.replace(/\r\n?/g, "\n").trim(); }

  var sent = null;
  try { sent = sessionStorage.getItem(key); sessionStorage.removeItem(key); } catch (e) { sent = null; }
  if (sent && !box.value) {
    var added = Array.prototype.some.call(document.querySelectorAll(".comment-body"),
      function (body) { return plain(body.textContent) === plain(sent); });
    if (!added) box.value = sent;
  }
  form.addEventListener("submit", function () {
    try { sessionStorage.setItem(key, box.value); } catch (e) { /* full or off */ }
  });
})();
