/* The discussion under a document: names suggested after an `@` as you type a comment, and a
 * question before a comment is deleted. The suggestions come from the programme's own address
 * (`data-mentions` on the field or a box around it), which answers only to people who may take
 * part and names only people and organisations who may read the programme. */
(function () {
  "use strict";

  var MENTION = /(^|[\s(\[])@([A-Za-z0-9][\w.+-]{0,49})?$/;

  function setUp(textarea, url) {
    var box = document.createElement("div");
    box.className = "mention-hints";
    box.hidden = true;
    var list = document.createElement("ul");
    box.appendChild(list);
    textarea.insertAdjacentElement("afterend", box);
    var timer = null;
    var lastQuery = null;

    function openMention() {
      var before = textarea.value.slice(0, textarea.selectionStart);
      var match = MENTION.exec(before);
      if (!match) { return null; }
      var query = match[2] || "";
      return { query: query, start: before.length - query.length };
    }

    function hide() {
      box.hidden = true;
      list.textContent = "";
      lastQuery = null;
    }

    function choose(handle, start) {
      var end = textarea.selectionStart;
      var after = textarea.value.slice(end);
      var inserted = handle + (after.charAt(0) === " " ? "" : " ");
      textarea.value = textarea.value.slice(0, start) + inserted + after;
      var caret = start + inserted.length;
      textarea.focus();
      textarea.setSelectionRange(caret, caret);
      hide();
    }

    function show(names, start) {
      list.textContent = "";
      names.forEach(function (entry) {
        var item = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "button-small button-secondary";
        button.dataset.handle = entry.handle;
        button.textContent = entry.name + " (@" + entry.handle + ")";
        button.addEventListener("click", function () { choose(entry.handle, start); });
        item.appendChild(button);
        list.appendChild(item);
      });
      box.hidden = names.length === 0;
    }

    function lookUp() {
      var mention = openMention();
      if (!mention || !mention.query) { hide(); return; }
      if (mention.query === lastQuery) { return; }
      lastQuery = mention.query;
      fetch(url + "?q=" + encodeURIComponent(mention.query), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { names: [] }; })
        .then(function (data) {
          if (openMention()) { show(data.names, mention.start); }
        })
        .catch(hide);
    }

    textarea.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(lookUp, 200);
    });
    textarea.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { hide(); }
      if (event.key === "ArrowDown" && !box.hidden) {
        var first = box.querySelector("button");
        if (first) { event.preventDefault(); first.focus(); }
      }
    });
    box.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { hide(); textarea.focus(); }
    });
  }

  document.querySelectorAll("[data-mentions]").forEach(function (element) {
    var url = element.dataset.mentions;
    var fields = element.tagName === "TEXTAREA" ? [element] : element.querySelectorAll("textarea");
    fields.forEach(function (textarea) { setUp(textarea, url); });
  });

  document.querySelectorAll("button[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.dataset.confirm)) { event.preventDefault(); }
    });
  });
})();
