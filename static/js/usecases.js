/* Use case editing form: add, remove and reorder steps and extensions in the page.
 * Without this script the same buttons post the form and the server does it (see
 * usecases/forms.py); with it, nothing is sent until "Save use case". No inline script. */
(function () {
  "use strict";

  function randomId(prefix) {
    return prefix + Math.random().toString(36).slice(2, 10);
  }

  function renumber(fieldset) {
    var prefix = fieldset.getAttribute("data-rows");
    var rows = fieldset.querySelectorAll("[data-row-list] > [data-row]");
    var pattern = new RegExp("^(id_)?" + prefix + "-(\\d+|__prefix__)-");
    rows.forEach(function (row, index) {
      row.querySelectorAll("[name], [id], [for]").forEach(function (element) {
        ["name", "id", "for"].forEach(function (attribute) {
          var value = element.getAttribute(attribute);
          if (value && pattern.test(value)) {
            element.setAttribute(attribute, value.replace(pattern, "$1" + prefix + "-" + index + "-"));
          }
        });
      });
      row.querySelectorAll("button[data-action]").forEach(function (button) {
        var action = button.getAttribute("data-action");
        button.value = action + ":" + prefix + ":" + index;
      });
    });
    var total = fieldset.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    if (total) {
      total.value = String(rows.length);
    }
  }

  function addRow(fieldset) {
    var template = fieldset.querySelector("template[data-empty-row]");
    var list = fieldset.querySelector("[data-row-list]");
    var fragment = template.content.cloneNode(true);
    var row = fragment.querySelector("[data-row]");
    list.appendChild(fragment);
    var hiddenId = row.querySelector("input[type=hidden][name$='-id']");
    if (hiddenId && !hiddenId.value) {
      hiddenId.value = randomId(fieldset.getAttribute("data-rows") === "steps" ? "s" : "e");
    }
    renumber(fieldset);
    var first = row.querySelector("input:not([type=hidden]), select, textarea");
    if (first) {
      first.focus();
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-usecase-form] button[data-action]");
    if (!button) {
      return;
    }
    var fieldset = button.closest("fieldset[data-rows]");
    if (!fieldset) {
      return;
    }
    event.preventDefault();
    var action = button.getAttribute("data-action");
    if (action === "add") {
      addRow(fieldset);
      return;
    }
    var row = button.closest("[data-row]");
    if (action === "up" && row.previousElementSibling) {
      row.parentNode.insertBefore(row, row.previousElementSibling);
    } else if (action === "down" && row.nextElementSibling) {
      row.parentNode.insertBefore(row.nextElementSibling, row);
    } else if (action === "remove") {
      var next = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      renumber(fieldset);
      var target = next ? next.querySelector("input:not([type=hidden])") : fieldset.querySelector("button[data-action=add]");
      if (target) {
        target.focus();
      }
      return;
    }
    renumber(fieldset);
    button.focus();
  });
})();

/* The detail check while typing: the form is posted (nothing is saved) to the check address and
 * the warnings shown above the form are replaced by the answer, a server-rendered fragment. */
(function () {
  "use strict";
  var form = document.querySelector("[data-usecase-form][data-check-url]");
  var target = document.querySelector("[data-warnings]");
  if (!form || !target || !window.fetch) {
    return;
  }
  var timer = null;
  var last = "";

  function check() {
    var body = new FormData(form);
    body.delete("row");
    var key = new URLSearchParams(body).toString();
    if (key === last) {
      return;
    }
    last = key;
    fetch(form.getAttribute("data-check-url"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    })
      .then(function (response) {
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html !== null) {
          target.innerHTML = html;
        }
      })
      .catch(function () {});
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(check, 700);
  }

  form.addEventListener("input", later);
  form.addEventListener("change", later);
  form.addEventListener("click", function (event) {
    if (event.target.closest("button[data-action]")) {
      later();
    }
  });
})();
