/* Runs in the headless browser `wiki.drawing` starts, on a page of its own with no network:
 * draws each Mermaid source of the page's #stip-sources (a JSON list) with the same settings as
 * the site (static/js/diagram-frame.js), SVG text labels instead of HTML ones, and writes the
 * results into #stip-result as base64 JSON: [{svg, png, width, height} or {error}], in order. */
(function () {
  "use strict";

  var result = document.getElementById("stip-result");

  function done(items) {
    var text = JSON.stringify(items);
    result.textContent = btoa(unescape(encodeURIComponent(text)));
    result.setAttribute("data-done", "1");
  }

  if (!window.mermaid) {
    done({ missing: "mermaid" });
    return;
  }

  window.mermaid.initialize({
    startOnLoad: false,
    securityLevel: "strict",
    theme: "neutral",
    htmlLabels: false,
    flowchart: { htmlLabels: false },
    suppressErrorRendering: true
  });

  function sized(svg) {
    var doc = new DOMParser().parseFromString(svg, "image/svg+xml");
    var root = doc.documentElement;
    var box = (root.getAttribute("viewBox") || "").split(/[\s,]+/).map(Number);
    var width = 0, height = 0;
    if (box.length === 4 && box[2] > 0 && box[3] > 0) {
      width = Math.ceil(box[2]);
      height = Math.ceil(box[3]);
      root.setAttribute("width", String(width));
      root.setAttribute("height", String(height));
      root.style.removeProperty("max-width");
    }
    return { svg: new XMLSerializer().serializeToString(root), width: width, height: height };
  }

  /* The drawing as a PNG at twice its size, for a Word document (which shows no SVG). */
  function raster(drawn) {
    return new Promise(function (resolve) {
      if (!drawn.width || !drawn.height) { resolve(""); return; }
      var picture = new Image();
      picture.onload = function () {
        try {
          var canvas = document.createElement("canvas");
          canvas.width = drawn.width * 2;
          canvas.height = drawn.height * 2;
          var context = canvas.getContext("2d");
          context.fillStyle = "#ffffff";
          context.fillRect(0, 0, canvas.width, canvas.height);
          context.drawImage(picture, 0, 0, canvas.width, canvas.height);
          resolve(canvas.toDataURL("image/png").split(",")[1] || "");
        } catch (error) {
          resolve("");
        }
      };
      picture.onerror = function () { resolve(""); };
      picture.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(drawn.svg);
    });
  }

  function draw(source, n) {
    var id = "stip-drawing-" + n;
    return window.mermaid.parse(source).then(function () {
      return window.mermaid.render(id, source);
    }).then(function (rendered) {
      var drawn = sized(rendered.svg);
      return raster(drawn).then(function (png) {
        drawn.png = png;
        return drawn;
      });
    }).catch(function (error) {
      var leftover = document.getElementById("d" + id);
      if (leftover) { leftover.remove(); }
      return { error: String((error && (error.message || error.str)) || error) };
    });
  }

  var sources = JSON.parse(document.getElementById("stip-sources").textContent);
  var items = [];
  sources.reduce(function (previous, source, n) {
    return previous.then(function () {
      return draw(source, n).then(function (item) { items.push(item); });
    });
  }, Promise.resolve()).then(function () { done(items); });
}());
