/* Attaching files in the editor: drop or paste a file on the text, or choose one. The file is
 * sent to the server, which checks it and adds it to the document as a new version; the answer
 * gives the markdown that refers to it, which goes in at the cursor. A refusal is shown and
 * the text stays as it was. */
(function () {
  "use strict";

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function say(status, template, name) {
    status.textContent = (template || "").replace("{name}", name || "");
  }

  function insert(textarea, text) {
    var start = textarea.selectionStart;
    var end = textarea.selectionEnd;
    var value = textarea.value;
    var before = start > 0 && value[start - 1] !== "\n" ? "\n" : "";
    var piece = before + text + "\n";
    textarea.value = value.slice(0, start) + piece + value.slice(end);
    textarea.setSelectionRange(start + piece.length, start + piece.length);
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  /* A pasted picture comes as "image.png" (from a screenshot, always the same name): it gets a
   * name of its own, so a second paste does not replace the first. */
  var pasted = 0;
  function pastedName(file) {
    var name = file.name || "";
    if (name && !/^image\.[a-z]+$/i.test(name)) { return file; }
    var extension = (file.type.split("/")[1] || "png").replace("jpeg", "jpg").replace(/[^a-z0-9]/gi, "");
    var now = new Date();
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    pasted += 1;
    var stamp = now.getFullYear() + pad(now.getMonth() + 1) + pad(now.getDate()) + "-" +
      pad(now.getHours()) + pad(now.getMinutes()) + pad(now.getSeconds());
    return new File([file], "pasted-" + stamp + "-" + pasted + "." + extension, { type: file.type });
  }

  function setUp(box) {
    var form = box.closest("form");
    var textarea = form && form.querySelector("textarea[data-editor]");
    var status = box.querySelector("[data-attach-status]");
    var input = box.querySelector("[data-attach-input]");
    if (!textarea) { return; }
    box.hidden = false;

    function send(file) {
      if (!file) { return; }
      say(status, box.dataset.uploading, file.name);
      var body = new FormData();
      body.append("file", file, file.name || "file");
      fetch(box.dataset.attachUrl, {
        method: "POST",
        body: body,
        headers: { "X-CSRFToken": csrfToken(form), "Accept": "application/json" },
        credentials: "same-origin"
      }).then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      }).then(function (answer) {
        if (!answer.ok) {
          status.textContent = answer.data.error || box.dataset.failed;
          return;
        }
        insert(textarea, answer.data.markdown);
        if (box.dataset.attachField) {
          /* A document being created: the form carries the staged file to its first version. */
          var hidden = document.createElement("input");
          hidden.type = "hidden";
          hidden.name = box.dataset.attachField;
          hidden.value = answer.data.id;
          box.appendChild(hidden);
          var staged = box.querySelector("[data-attach-staged]");
          var names = box.querySelector("[data-attach-staged-names]");
          if (staged && names) {
            names.textContent = (names.textContent ? names.textContent + ", " : "") + answer.data.name;
            staged.hidden = false;
          }
        }
        /* On an existing document the attachment is a new version: the edit goes on from it. */
        var base = form.querySelector("input[name=base_version]");
        if (base && answer.data.base_version) { base.value = answer.data.base_version; }
        say(status, box.dataset.attached, answer.data.name);
      }).catch(function () {
        status.textContent = box.dataset.failed;
      });
    }

    input.addEventListener("change", function () {
      Array.prototype.forEach.call(input.files, send);
      input.value = "";
    });
    textarea.addEventListener("dragover", function (event) {
      if (event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") >= 0) {
        event.preventDefault();
      }
    });
    textarea.addEventListener("drop", function (event) {
      var files = event.dataTransfer && event.dataTransfer.files;
      if (files && files.length) {
        event.preventDefault();
        Array.prototype.forEach.call(files, send);
      }
    });
    textarea.addEventListener("paste", function (event) {
      var files = event.clipboardData && event.clipboardData.files;
      if (files && files.length) {
        event.preventDefault();
        Array.prototype.forEach.call(files, function (file) { send(pastedName(file)); });
      }
    });
  }

  document.querySelectorAll(".editor-attach[data-attach-url]").forEach(setUp);
}());
