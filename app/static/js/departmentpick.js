/* Dispatch (派单): picking a department's code from the list fills in its registered name,
   and a code typed in lower case is written in capitals, as codes are registered. The server
   checks both again. Loaded by inbox/task.html when the form offers the department list. */
(function () {
  "use strict";
  var code = document.querySelector("input[list=departments]");
  var name = document.getElementById("f-department_name");
  var list = document.getElementById("departments");
  if (!code || !list) return;
  var filled = "";  // the name this script put in, replaced when another code is picked
  code.addEventListener("input", function () {
    var upper = code.value.toUpperCase();
    if (upper !== code.value) code.value = upper;
    var match = Array.prototype.find.call(list.options, function (o) { return o.value === upper; });
    if (match && name && (name.value === "" || name.value === filled)) {
      name.value = filled = match.textContent;
      name.dispatchEvent(new Event("input", { bubbles: true }));  // kept in the draft too
    }
  });
})();
