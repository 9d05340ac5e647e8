/* Runs in the hidden diagram frame (wiki/diagram_frame.html): draws the diagram sources the
 * page of the same origin sends with Mermaid and sends back SVG, or the parser's message. */
(function () {
  "use strict";

  var parent = window.parent;
  if (!window.mermaid || parent === window) { return; }

  window.mermaid.initialize({
    startOnLoad: false,
    securityLevel: "strict",
    theme: "neutral",
    flowchart: { htmlLabels: false },
    suppressErrorRendering: true
  });

  var counter = 0;

  /* An SVG that keeps its size when shown as a picture: width and height from its viewBox. */
  function sized(svg) {
    var doc = new DOMParser().parseFromString(svg, "image/svg+xml");
    var root = doc.documentElement;
    var box = (root.getAttribute("viewBox") || "").split(/[\s,]+/).map(Number);
    if (box.length === 4 && box[2] > 0 && box[3] > 0) {
      root.setAttribute("width", String(Math.ceil(box[2])));
      root.setAttribute("height", String(Math.ceil(box[3])));
      root.style.removeProperty("max-width");
    }
    return new XMLSerializer().serializeToString(root);
  }

  function draw(item) {
    counter += 1;
    var id = "stip-diagram-" + counter;
    return window.mermaid.parse(item.source).then(function () {
      return window.mermaid.render(id, item.source);
    }).then(function (result) {
      return { key: item.key, svg: sized(result.svg) };
    }).catch(function (error) {
      var leftover = document.getElementById("d" + id);
      if (leftover) { leftover.remove(); }
      var message = (error && (error.message || error.str)) || String(error);
      return { key: item.key, error: message };
    });
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== window.location.origin || event.source !== parent) { return; }
    var data = event.data || {};
    if (data.type !== "stip-diagrams" || !Array.isArray(data.items)) { return; }
    /* One after the other: Mermaid draws in one shared place of the frame. */
    data.items.reduce(function (previous, item) {
      return previous.then(function () {
        return draw(item).then(function (result) {
          result.type = "stip-diagram";
          parent.postMessage(result, window.location.origin);
        });
      });
    }, Promise.resolve());
  });

  parent.postMessage({ type: "stip-diagram-frame-ready" }, window.location.origin);
}());
