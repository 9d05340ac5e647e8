/* Process diagrams: each `.diagram` figure of the page holds a Mermaid source as a code block
 * (wiki/diagrams.py). This script has a hidden frame of our own origin draw them
 * (static/js/diagram-frame.js) and shows each drawing as a picture, with its source folded
 * below; a diagram that does not parse keeps its source and shows the parser's message.
 * Without this script (or Mermaid) the source is what shows. */
(function () {
  "use strict";

  var script = document.currentScript;
  var labels = script ? script.dataset : {};
  var frame = null;
  var ready = false;
  var waiting = [];
  var figures = {};
  var counter = 0;

  function sourceOf(figure) {
    var code = figure.querySelector("pre.diagram-source code") || figure.querySelector("pre");
    return code ? code.textContent : "";
  }

  function show(result) {
    var figure = figures[result.key];
    if (!figure) { return; }
    delete figures[result.key];
    var pre = figure.querySelector("pre.diagram-source");
    if (result.error) {
      figure.classList.add("diagram-broken");
      var message = document.createElement("p");
      message.className = "diagram-error";
      message.setAttribute("role", "status");
      message.textContent = (labels.failed || "This diagram could not be drawn:") + " " + result.error;
      figure.insertBefore(message, figure.firstChild);
      return;
    }
    var picture = document.createElement("img");
    picture.className = "diagram-picture";
    picture.alt = labels.alt || "Diagram (its source follows)";
    picture.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(result.svg);
    var details = document.createElement("details");
    details.className = "diagram-text";
    var summary = document.createElement("summary");
    summary.textContent = labels.source || "Source of the diagram";
    details.appendChild(summary);
    if (pre) { details.appendChild(pre); }
    figure.appendChild(picture);
    figure.appendChild(details);
    figure.classList.add("diagram-drawn");
  }

  function send(items) {
    if (!items.length) { return; }
    frame.contentWindow.postMessage({ type: "stip-diagrams", items: items }, window.location.origin);
  }

  window.addEventListener("message", function (event) {
    if (!frame || event.source !== frame.contentWindow) { return; }
    if (event.origin !== window.location.origin) { return; }
    var data = event.data || {};
    if (data.type === "stip-diagram-frame-ready") {
      ready = true;
      send(waiting);
      waiting = [];
    } else if (data.type === "stip-diagram") {
      show(data);
    }
  });

  function draw(root) {
    var items = [];
    (root || document).querySelectorAll(".diagram:not([data-diagram-key])").forEach(function (figure) {
      counter += 1;
      var key = "d" + counter;
      figure.dataset.diagramKey = key;
      figures[key] = figure;
      items.push({ key: key, source: sourceOf(figure) });
    });
    if (!items.length || !labels.frame) { return; }
    if (!frame) {
      frame = document.createElement("iframe");
      frame.className = "diagram-frame";
      frame.setAttribute("aria-hidden", "true");
      frame.tabIndex = -1;
      frame.title = labels.frameTitle || "Diagrams";
      frame.src = labels.frame;
      document.body.appendChild(frame);
    }
    if (ready) { send(items); } else { waiting = waiting.concat(items); }
  }

  window.stipDiagrams = { draw: draw };
  draw(document);
}());
