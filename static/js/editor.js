/* Stip's markdown editor: toolbar, live preview rendered by the server, and a warning before
 * leaving with unsaved changes. Plain JS, no framework; everything also works without it. */
(function () {
  "use strict";

  var PREVIEW_DELAY_MS = 600;

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  /* Wrap the selection in `before`/`after`, or insert `placeholder` wrapped when nothing is
   * selected, and select the inner text so the person can type over it. */
  function wrap(textarea, before, after, placeholder) {
    var start = textarea.selectionStart;
    var end = textarea.selectionEnd;
    var value = textarea.value;
    var inner = value.slice(start, end) || placeholder;
    textarea.value = value.slice(0, start) + before + inner + after + value.slice(end);
    textarea.focus();
    textarea.setSelectionRange(start + before.length, start + before.length + inner.length);
  }

  /* Put `prefix` before every line that the selection touches. */
  function prefixLines(textarea, prefix) {
    var value = textarea.value;
    var start = value.lastIndexOf("\n", textarea.selectionStart - 1) + 1;
    var end = textarea.selectionEnd;
    var block = value.slice(start, end) || "";
    var lines = block.split("\n").map(function (line) {
      return line.indexOf(prefix) === 0 ? line : prefix + line;
    });
    var replaced = lines.join("\n");
    textarea.value = value.slice(0, start) + replaced + value.slice(end);
    textarea.focus();
    textarea.setSelectionRange(start, start + replaced.length);
  }

  var ACTIONS = {
    bold: function (t) { wrap(t, "**", "**", "bold"); },
    italic: function (t) { wrap(t, "*", "*", "italic"); },
    heading: function (t) { prefixLines(t, "## "); },
    list: function (t) { prefixLines(t, "- "); },
    link: function (t, button) { wrap(t, "[", "](https://)", button.dataset.placeholder || "link"); },
    wikilink: function (t, button) { wrap(t, "[[", "]]", button.dataset.placeholder || "Title"); }
  };

  function setUpEditor(editor) {
    var form = editor.closest("form");
    var textarea = editor.querySelector("textarea[data-editor]");
    var toolbar = editor.querySelector(".editor-toolbar");
    var preview = editor.querySelector("[data-preview]");
    var status = editor.querySelector("[data-preview-status]");
    if (!form || !textarea) { return; }

    if (toolbar) {
      toolbar.hidden = false;
      toolbar.addEventListener("click", function (event) {
        var button = event.target.closest("button[data-md]");
        if (!button) { return; }
        var action = ACTIONS[button.dataset.md];
        if (action) {
          action(textarea, button);
          textarea.dispatchEvent(new Event("input", { bubbles: true }));
        }
      });
    }

    var timer = null;
    var pending = null;
    function refreshPreview() {
      if (!preview) { return; }
      if (pending) { pending.abort(); }
      pending = new AbortController();
      var body = new FormData();
      body.append("body", textarea.value);
      if (editor.dataset.document) { body.append("document", editor.dataset.document); }
      fetch(editor.dataset.previewUrl, {
        method: "POST",
        body: body,
        headers: { "X-CSRFToken": csrfToken(form) },
        credentials: "same-origin",
        signal: pending.signal
      }).then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      }).then(function (html) {
        /* The server sanitised this HTML with the same rules as a saved page. */
        preview.innerHTML = html;
        status.textContent = "";
        if (window.stipDiagrams) { window.stipDiagrams.draw(preview); }
      }).catch(function (error) {
        if (error.name !== "AbortError") {
          status.textContent = status.dataset.failed || "Preview unavailable.";
        }
      });
    }
    var length = setUpLengthLimit(editor, form, textarea);
    textarea.addEventListener("input", function () {
      window.clearTimeout(timer);
      if (length.tooLong()) { return; }  // the server would refuse it; the message says why
      timer = window.setTimeout(refreshPreview, PREVIEW_DELAY_MS);
    });

    setUpLinkHints(editor, textarea);
    setUpGlossaryHints(editor, textarea);
  }

  /* The text's limit is the textarea's maxlength (the server's STIP_MAX_TEXT_LENGTH). Typing
   * stops there, but a toolbar action or a text the server gave back can go past it: then the
   * editor says so and the form is not sent, so nothing typed is lost to a refused request.
   * Characters are counted as the server counts them (code points, not UTF-16 units). */
  function setUpLengthLimit(editor, form, textarea) {
    var limit = textarea.maxLength > 0 ? textarea.maxLength : 0;
    var status = editor.querySelector("[data-length-status]");
    var language = document.documentElement.lang || undefined;

    function characters() {
      var units = textarea.value.length;
      return units > limit ? Array.from(textarea.value).length : units;
    }
    function tooLong() { return limit > 0 && characters() > limit; }
    function say(template, count) {
      return template
        .replace("{length}", count.toLocaleString(language))
        .replace("{limit}", limit.toLocaleString(language));
    }
    function show() {
      if (!status || !limit) { return; }
      var count = characters();
      if (count > limit) {
        status.textContent = say(status.dataset.tooLong, count);
        status.setAttribute("role", "alert");
        status.classList.add("errorlist");
        textarea.setAttribute("aria-invalid", "true");
        status.hidden = false;
      } else if (count > limit * 0.9) {
        status.textContent = say(status.dataset.near, count);
        status.removeAttribute("role");
        status.classList.remove("errorlist");
        textarea.removeAttribute("aria-invalid");
        status.hidden = false;
      } else {
        status.hidden = true;
        textarea.removeAttribute("aria-invalid");
      }
    }

    textarea.addEventListener("input", show);
    form.addEventListener("submit", function (event) {
      if (!tooLong()) { return; }
      event.preventDefault();
      event.stopImmediatePropagation();  // still unsaved: keep the warning before leaving
      show();
      textarea.focus();
    });
    show();
    return { tooLong: tooLong };
  }

  /* While the person types `[[Part of a title`, offer the programme's matching documents;
   * choosing one completes the link. */
  function setUpLinkHints(editor, textarea) {
    var box = editor.querySelector("[data-link-hints]");
    var status = editor.querySelector("[data-link-hints-status]");
    if (!box || !editor.dataset.titlesUrl) { return; }
    var list = box.querySelector("ul");
    var timer = null;
    var lastQuery = null;

    function openLink() {
      var before = textarea.value.slice(0, textarea.selectionStart);
      var match = /\[\[([^\[\]|\n]{0,80})$/.exec(before);
      return match ? { query: match[1], start: before.length - match[1].length } : null;
    }

    function hide() {
      box.hidden = true;
      list.textContent = "";
      lastQuery = null;
    }

    function choose(title, start) {
      var end = textarea.selectionStart;
      var after = textarea.value.slice(end);
      var closing = after.indexOf("]]") === 0 ? "" : "]]";
      textarea.value = textarea.value.slice(0, start) + title + closing + after;
      var caret = start + title.length + 2;
      textarea.focus();
      textarea.setSelectionRange(caret, caret);
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
      hide();
    }

    function show(documents, start) {
      list.textContent = "";
      documents.forEach(function (doc) {
        var item = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "button-small button-secondary";
        button.textContent = doc.title;
        button.addEventListener("click", function () { choose(doc.title, start); });
        item.appendChild(button);
        list.appendChild(item);
      });
      box.hidden = documents.length === 0;
      if (status) {
        status.textContent = (status.dataset.template || "%(count)s").replace(
          "%(count)s", String(documents.length));
      }
    }

    function lookUp() {
      var link = openLink();
      if (!link) { hide(); return; }
      if (link.query === lastQuery) { return; }
      lastQuery = link.query;
      var url = editor.dataset.titlesUrl + "?q=" + encodeURIComponent(link.query);
      fetch(url, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { documents: [] }; })
        .then(function (data) {
          if (openLink()) { show(data.documents, link.start); }
        })
        .catch(hide);
    }

    textarea.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(lookUp, 250);
    });
    textarea.addEventListener("keyup", function (event) {
      if (event.key === "Escape") { hide(); }
    });
    box.addEventListener("keyup", function (event) {
      if (event.key === "Escape") { hide(); textarea.focus(); }
    });
  }

  /* Ask before leaving a form with changes that were not saved. */
  // Glossary terms (and organisations' own words for them) as you type: the word at the cursor,
  // when the programme's glossary knows it, is shown with its definition.
  function setUpGlossaryHints(editor, textarea) {
    var hint = editor.querySelector("[data-glossary-hint]");
    if (!hint || !editor.dataset.glossaryUrl) { return; }
    var known = {};
    fetch(editor.dataset.glossaryUrl, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : { terms: [] }; })
      .then(function (data) {
        data.terms.forEach(function (entry) {
          entry.words.forEach(function (word) { known[word.toLocaleLowerCase()] = entry; });
        });
        // Someone may have typed a term before the glossary arrived: look at it now.
        if (document.activeElement === textarea) { update(); }
      })
      .catch(function () { known = {}; });

    function wordAtCursor() {
      var before = textarea.value.slice(0, textarea.selectionStart);
      var match = before.match(/[\p{L}\p{N}][\p{L}\p{N}' -]*$/u);
      if (!match) { return null; }
      var candidate = match[0];
      // Try the longest ending first, so "roster maker" wins over "maker".
      var words = candidate.split(/\s+/);
      for (var start = 0; start < words.length; start++) {
        var phrase = words.slice(start).join(" ").trim().toLocaleLowerCase();
        if (known[phrase]) { return known[phrase]; }
      }
      return null;
    }

    function update() {
      var entry = wordAtCursor();
      if (!entry) { hint.hidden = true; hint.textContent = ""; return; }
      hint.textContent = "";
      var label = document.createElement("strong");
      label.textContent = (hint.dataset.label || "Glossary") + ": " + entry.term;
      var link = document.createElement("a");
      link.href = entry.url;
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = entry.definition;
      hint.appendChild(label);
      hint.appendChild(document.createTextNode(" — "));
      hint.appendChild(link);
      hint.hidden = false;
    }

    textarea.addEventListener("input", update);
    textarea.addEventListener("keyup", update);
    textarea.addEventListener("click", update);
  }

  function setUpUnsavedWarning(form) {
    var dirty = form.hasAttribute("data-dirty");
    var submitting = false;
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("submit", function () { submitting = true; });
    window.addEventListener("beforeunload", function (event) {
      if (dirty && !submitting) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  }

  document.querySelectorAll(".editor[data-preview-url]").forEach(setUpEditor);
  document.querySelectorAll("form[data-unsaved-warning]").forEach(setUpUnsavedWarning);
})();
