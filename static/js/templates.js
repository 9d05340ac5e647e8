/* The new-document form: choosing another kind starts the text from that kind's template, as
 * long as the text is still a template (or empty); a text someone typed is never replaced. */
(function () {
  "use strict";

  var data = document.getElementById("document-templates");
  var kind = document.querySelector("form select[name=kind]");
  var text = document.querySelector("form textarea[name=body]");
  if (!data || !kind || !text) { return; }
  var templates = JSON.parse(data.textContent);

  function untouched() {
    if (text.value.trim() === "") { return true; }
    return Object.keys(templates).some(function (key) { return templates[key] === text.value; });
  }

  kind.addEventListener("change", function () {
    if (!untouched()) { return; }
    text.value = templates[kind.value] || "";
    text.dispatchEvent(new Event("input", { bubbles: true }));
  });
}());
