// The baseline page: shows how far an export that is being made is, and offers the download
// when it is ready. Without JavaScript the page says so after a reload.
(function () {
  "use strict";
  var INTERVAL = 2000;

  function poll(item) {
    var url = item.getAttribute("data-status-url");
    var progress = item.querySelector("progress");
    var message = item.querySelector(".export-message");
    var link = item.querySelector(".export-download");
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (state) {
          if (!state) { window.setTimeout(tick, INTERVAL * 3); return; }
          item.setAttribute("data-status", state.status);
          if (message && message.textContent !== state.message) message.textContent = state.message;
          if (progress) progress.value = state.percent;
          if (state.status === "ready" && state.download_url) {
            if (progress) progress.remove();
            if (link) {
              link.href = state.download_url;
              link.textContent = link.getAttribute("data-label") || link.textContent;
              link.hidden = false;
            }
            return;
          }
          if (state.status === "failed") { window.location.reload(); return; }
          window.setTimeout(tick, INTERVAL);
        })
        .catch(function () { window.setTimeout(tick, INTERVAL * 3); });
    }
    window.setTimeout(tick, INTERVAL);
  }

  document.querySelectorAll('.export[data-status="pending"], .export[data-status="building"]')
    .forEach(poll);
})();
