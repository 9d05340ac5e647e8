/* Who else is here, and word of a save while you edit (wiki.live; the choice of short polling
 * is explained in docs/decisions/live-presence-by-polling.md). Each open document page or
 * editor asks the server every few seconds, saying that it is still open; the answer says who
 * else is there and whether someone saved. When the server does not answer, the live parts go
 * quiet and ask less often; editing and saving never wait for them. */
(function () {
  "use strict";

  var HIDDEN_FACTOR = 10;  // a page in a background tab asks ten times less often
  var MAX_WAIT_MS = 30000;
  var QUIET_AFTER_FAILURES = 3;

  function pageId() {
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b % 36).toString(36); }).join("");
  }

  /* Ask `ask()` every `interval` ms, less often when the page is hidden or the server fails;
   * `ask` returns a promise that rejects on failure, or resolves to false to stop for good. */
  function poll(interval, ask, onQuiet) {
    var failures = 0;
    var timer = null;
    var busy = false;
    var stopped = false;

    function wait() {
      var ms = document.hidden ? interval * HIDDEN_FACTOR : interval;
      if (failures) { ms = Math.max(ms, interval * Math.pow(2, failures)); }
      return Math.min(ms, MAX_WAIT_MS);
    }
    function schedule() {
      window.clearTimeout(timer);
      if (!stopped) { timer = window.setTimeout(run, wait()); }
    }
    function run() {
      if (busy || stopped) { return; }
      busy = true;
      ask().then(function (goOn) {
        failures = 0;
        if (goOn === false) { stopped = true; onQuiet(); }
      }, function () {
        failures = Math.min(failures + 1, 6);
        if (failures >= QUIET_AFTER_FAILURES) { onQuiet(); }
      }).then(function () { busy = false; schedule(); });
    }
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden) { run(); }
    });
    run();
  }

  /* The answer's JSON; false for "you may not" (404, 403), which ends the asking. */
  function answer(response) {
    if (response.status === 403 || response.status === 404) { return false; }
    if (!response.ok) { throw new Error(String(response.status)); }
    return response.json();
  }

  function setUpPresence(section) {
    var interval = parseInt(section.dataset.liveInterval, 10) || 1000;
    var editing = section.hasAttribute("data-live-editing");
    var csrf = section.dataset.liveCsrf || "";
    var form = editing ? document.querySelector("form.edit-form") : null;
    var baseInput = form ? form.querySelector("input[name=base_version]") : null;
    var people = section.querySelector("[data-live-people]");
    var notice = editing ? document.querySelector("[data-live-saved]")
                         : section.querySelector("[data-live-saved]");
    var page = pageId();
    var shownPeople = null;
    var shownVersion = null;

    function base() { return baseInput ? baseInput.value : section.dataset.liveBase; }

    function showPeople(html, count) {
      if (html !== shownPeople) { people.innerHTML = html; shownPeople = html; }
      section.hidden = !(count > 0 || (notice && !notice.hidden && !editing));
    }

    function quiet() {
      people.innerHTML = "";
      shownPeople = null;
      section.hidden = true;
    }

    function ask() {
      var body = new FormData();
      body.append("page", page);
      body.append("editing", editing ? "1" : "0");
      body.append("base", base() || "");
      return fetch(section.dataset.liveUrl, {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "X-CSRFToken": csrf }
      }).then(answer).then(function (data) {
        if (data === false) { return false; }
        if (notice) { showSaved(data.saved); }
        showPeople(data.people, data.count);
        return true;
      });
    }

    function showSaved(saved) {
      if (!saved) {
        // Merged (or saved in this page): the notice stays while it reports the merge.
        if (!editing || !notice.hasAttribute("data-merged-shown")) { notice.hidden = true; }
        shownVersion = null;
        return;
      }
      if (saved.version === shownVersion) { return; }
      shownVersion = saved.version;
      notice.querySelector("[data-live-saved-text]").textContent = saved.text;
      var diff = notice.querySelector("[data-live-saved-diff]");
      if (diff) { diff.href = saved.diff_url; }
      if (editing) { resetMerge(); }
      notice.hidden = false;
      if (!editing) { section.hidden = false; }
    }

    function resetMerge() {
      notice.removeAttribute("data-merged-shown");
      notice.querySelector("[data-live-merge]").hidden = false;
      notice.querySelector("[data-live-merge-status]").textContent = "";
      notice.querySelector("[data-live-overlap]").innerHTML = "";
    }

    if (editing && notice && form) { setUpMerge(notice, form, baseInput, csrf); }
    poll(interval, ask, quiet);

    window.addEventListener("pagehide", function () {
      if (!navigator.sendBeacon || !section.dataset.liveLeaveUrl) { return; }
      var body = new FormData();
      body.append("page", page);
      body.append("csrfmiddlewaretoken", csrf);
      navigator.sendBeacon(section.dataset.liveLeaveUrl, body);
    });
  }

  /* The offer to merge the saved change into the editor's text, three ways as a save merges.
   * The editor's text is only replaced by the merge of itself with their change, and only when
   * nobody typed while the merge was made; on overlap it stays and both texts are shown. */
  function setUpMerge(notice, form, baseInput, csrf) {
    var button = notice.querySelector("[data-live-merge]");
    var status = notice.querySelector("[data-live-merge-status]");
    var overlap = notice.querySelector("[data-live-overlap]");
    var textarea = form.querySelector("textarea[name=body]");
    var title = form.querySelector("input[name=title]");

    button.addEventListener("click", function () {
      var sentBody = textarea.value;
      var sentTitle = title ? title.value : "";
      var body = new FormData();
      body.append("title", sentTitle);
      body.append("body", sentBody);
      body.append("base_version", baseInput ? baseInput.value : "");
      button.disabled = true;
      fetch(notice.dataset.liveMergeUrl, {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "X-CSRFToken": csrf }
      }).then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      }).then(function (data) {
        if (textarea.value !== sentBody || (title && title.value !== sentTitle)) {
          status.textContent = notice.dataset.typed;
          return;
        }
        if (data.overlap) {
          overlap.innerHTML = data.html;  // rendered and escaped by the server
          status.textContent = "";
          return;
        }
        textarea.value = data.body;
        if (title) { title.value = data.title; }
        if (baseInput && data.base_version) { baseInput.value = String(data.base_version); }
        overlap.innerHTML = "";
        button.hidden = true;
        status.textContent = notice.dataset.merged;
        notice.setAttribute("data-merged-shown", "");
        textarea.dispatchEvent(new Event("input", { bubbles: true }));
      }).catch(function () {
        status.textContent = notice.dataset.failed;
      }).then(function () { button.disabled = false; });
    });
  }

  function setUpProgramme(section) {
    var interval = parseInt(section.dataset.liveInterval, 10) || 1000;
    var list = section.querySelector("[data-live-list]");
    var shown = null;
    poll(Math.max(interval * 5, 5000), function () {
      return fetch(section.dataset.liveUrl, { credentials: "same-origin" })
        .then(answer).then(function (data) {
          if (data === false) { return false; }
          if (data.html !== shown) { list.innerHTML = data.html; shown = data.html; }
          section.hidden = false;
          return true;
        });
    }, function () { section.hidden = true; shown = null; });
  }

  document.querySelectorAll("[data-live]").forEach(setUpPresence);
  document.querySelectorAll("[data-live-programme]").forEach(setUpProgramme);
})();
