"""Process diagrams drawn on the server, for what runs no script: the PDF and Word exports.

The site's pages draw a ```mermaid block in the reader's browser (`wiki.diagrams`). WeasyPrint
and python-docx run no JavaScript, so an export asks a headless Chromium (`STIP_DIAGRAM_BROWSER`,
by default the first `chromium`/`chromium-browser`/`google-chrome` on the PATH) to draw them with
the very Mermaid the site serves (pinned in package.json, `config.vendor`) and the same settings
(`securityLevel: 'strict'`), labels as SVG text. The browser gets a page of its own from a
temporary directory, with a Content-Security-Policy that lets it fetch nothing, and no network.

What comes back is not trusted: the SVG passes a strict allow list (`svg_clean`: drawing
elements and attributes only, references within the picture only, no script, no event handler,
no foreign HTML) before an export shows it. Each drawing is cached by the source's hash and the
renderer's version (Mermaid's file and `DRAWING_VERSION`), failures to parse as well: an annex
built again draws nothing anew.

A source that does not parse comes back as the parser's message; when no browser is at hand, it
does not start, or takes too long, `drawings` says so and the export shows the source with a
note. Nothing here raises into the export.
"""

import base64
import functools
import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import cache

logger = logging.getLogger("stip.wiki")

# Raised when what this module makes of the same source changes (settings, allow list).
DRAWING_VERSION = 1
MERMAID_STATIC = "vendor/mermaid/mermaid.min.js"
RUNNER = Path(__file__).with_name("drawing.js")
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CACHE_SECONDS = 60 * 60 * 24 * 90
MAX_SOURCES = 200  # per browser run; more are drawn in further runs
MAX_SVG_BYTES = 2 * 2**20

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"


@dataclass(frozen=True)
class Drawing:
    """A diagram drawn (`svg`, sanitised, and `png` for Word, each possibly empty), or why not:
    `error` is Mermaid's message for a source that does not parse."""

    svg: str = ""
    png: bytes = b""
    width: int = 0
    height: int = 0
    error: str = ""

    @property
    def drawn(self) -> bool:
        return bool(self.svg)


# --- finding the browser and Mermaid -----------------------------------------------------------


def browser() -> str | None:
    """The browser's executable, or None: drawing is then left out."""
    configured = getattr(settings, "STIP_DIAGRAM_BROWSER", None)
    if configured is not None:
        if not configured:
            return None
        found = shutil.which(configured)
        return found
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def mermaid_file() -> Path | None:
    found = finders.find(MERMAID_STATIC)
    if found:
        return Path(found)
    root = getattr(settings, "STATIC_ROOT", None)
    if root and (Path(root) / MERMAID_STATIC).is_file():
        return Path(root) / MERMAID_STATIC
    return None


@functools.lru_cache(maxsize=4)
def _file_hash(path: str, mtime: float, size: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(2**20), b""):
            digest.update(chunk)
    return digest.hexdigest()[:16]


def renderer_version() -> str | None:
    """What drew a diagram: Mermaid's file (its content) and this module's version."""
    mermaid = mermaid_file()
    if mermaid is None:
        return None
    stat = mermaid.stat()
    runner = RUNNER.stat()
    return (
        f"{DRAWING_VERSION}-{_file_hash(str(mermaid), stat.st_mtime, stat.st_size)}"
        f"-{_file_hash(str(RUNNER), runner.st_mtime, runner.st_size)}"
    )


def _cache_key(version: str, source: str) -> str:
    return f"diagram-drawing:{version}:{hashlib.sha256(source.encode()).hexdigest()}"


# --- drawing -----------------------------------------------------------------------------------


def drawings(sources: list[str]) -> dict[str, Drawing] | None:
    """{source: Drawing} for each distinct source; None when nothing can be drawn on this server
    (no browser, no Mermaid, or the browser failed): then every source is shown as its text."""
    wanted = list(dict.fromkeys(sources))
    if not wanted:
        return {}
    version = renderer_version()
    executable = browser()
    if version is None or executable is None:
        return None
    found: dict[str, Drawing] = {}
    keys = {source: _cache_key(version, source) for source in wanted}
    cached = cache.get_many(list(keys.values()))
    for source, key in keys.items():
        if key in cached:
            found[source] = Drawing(**cached[key])
    missing = [s for s in wanted if s not in found]
    for start in range(0, len(missing), MAX_SOURCES):
        batch = missing[start : start + MAX_SOURCES]
        drawn = _run(executable, batch)
        if drawn is None:  # what was drawn before stays; the rest is shown as text
            return found or None
        found.update(drawn)
        cache.set_many(
            {keys[s]: drawing.__dict__ for s, drawing in drawn.items()}, timeout=CACHE_SECONDS
        )
    return found


def _page(sources: list[str]) -> str:
    """The browser's page: Mermaid and the runner from files beside it, the sources as JSON,
    and a policy that lets it load nothing else."""
    data = json.dumps(sources).replace("<", "\\u003c")
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; "
        "script-src file:; style-src 'unsafe-inline'; img-src data:; font-src data:\">"
        "<script src='mermaid.min.js'></script>"
        "</head><body><pre id='stip-result'></pre>"
        f"<script type='application/json' id='stip-sources'>{data}</script>"
        "<script src='drawing.js'></script>"
        "</body></html>"
    )


RESULT = re.compile(r"<pre id=\"stip-result\" data-done=\"1\">([A-Za-z0-9+/=]*)</pre>")


def _run(executable: str, sources: list[str]) -> dict[str, Drawing] | None:
    mermaid = mermaid_file()
    if mermaid is None:
        return None
    timeout = getattr(settings, "STIP_DIAGRAM_TIMEOUT_SECONDS", 60)
    with tempfile.TemporaryDirectory(prefix="stip-drawing-") as directory:
        page = Path(directory) / "draw.html"
        page.write_text(_page(sources), encoding="utf-8")
        shutil.copyfile(mermaid, Path(directory) / "mermaid.min.js")
        shutil.copyfile(RUNNER, Path(directory) / "drawing.js")
        command = [
            executable,
            "--headless",
            "--disable-gpu",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--proxy-server=127.0.0.1:9",
            f"--user-data-dir={directory}/profile",
            f"--virtual-time-budget={int(timeout * 1000)}",
            "--dump-dom",
            page.as_uri(),
        ]
        as_root = hasattr(os, "geteuid") and os.geteuid() == 0
        if as_root or not getattr(settings, "STIP_DIAGRAM_BROWSER_SANDBOX", True):
            # Chromium's sandbox refuses to run as root, and needs user namespaces that many
            # containers lack; the page it draws loads nothing and runs only our scripts.
            command.insert(1, "--no-sandbox")
        try:
            finished = subprocess.run(  # noqa: S603 - the configured browser, our own arguments
                command,
                capture_output=True,
                timeout=timeout,
                check=False,
                cwd=directory,
                env={**os.environ, "HOME": directory},
            )
        except (OSError, subprocess.SubprocessError) as error:
            logger.warning("Diagrams could not be drawn: the browser failed (%s)", error)
            return None
    match = RESULT.search(finished.stdout.decode("utf-8", "replace"))
    if match is None:
        logger.warning(
            "Diagrams could not be drawn: the browser gave no result (exit %s)",
            finished.returncode,
        )
        return None
    try:
        items = json.loads(base64.b64decode(match.group(1)).decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(items, list) or len(items) != len(sources):
        logger.warning("Diagrams could not be drawn: %s", str(items)[:200])
        return None
    return {source: _drawing(item) for source, item in zip(sources, items, strict=True)}


def _drawing(item) -> Drawing:
    if not isinstance(item, dict):
        return Drawing(error="?")
    if item.get("error"):
        return Drawing(error=str(item["error"])[:2000])
    svg = svg_clean(str(item.get("svg") or ""))
    if not svg:
        return Drawing(error="")
    png = b""
    try:
        png = base64.b64decode(str(item.get("png") or ""), validate=True)
    except ValueError:
        png = b""
    if not png.startswith(b"\x89PNG\r\n\x1a\n"):
        png = b""
    return Drawing(
        svg=svg, png=png, width=int(item.get("width") or 0), height=int(item.get("height") or 0)
    )


# --- the SVG allow list ------------------------------------------------------------------------

ELEMENTS = {
    "svg",
    "g",
    "defs",
    "style",
    "title",
    "desc",
    "path",
    "rect",
    "circle",
    "ellipse",
    "line",
    "polyline",
    "polygon",
    "text",
    "tspan",
    "marker",
    "linearGradient",
    "radialGradient",
    "stop",
    "clipPath",
    "mask",
    "pattern",
    "symbol",
    "use",
    "filter",
    "feDropShadow",
    "feGaussianBlur",
    "feOffset",
    "feFlood",
    "feComposite",
    "feBlend",
    "feMerge",
    "feMergeNode",
    "feColorMatrix",
}
ATTRIBUTES = {
    "id", "class", "style", "role", "viewBox", "width", "height", "x", "y", "x1", "y1", "x2",
    "y2", "cx", "cy", "r", "rx", "ry", "d", "points", "transform", "fill", "fill-opacity",
    "fill-rule", "stroke", "stroke-width", "stroke-opacity", "stroke-dasharray",
    "stroke-dashoffset", "stroke-linecap", "stroke-linejoin", "stroke-miterlimit", "opacity",
    "font-family", "font-size", "font-weight", "font-style", "text-anchor",
    "dominant-baseline", "alignment-baseline", "baseline-shift", "letter-spacing", "dx", "dy",
    "rotate", "textLength", "lengthAdjust", "marker-start", "marker-mid", "marker-end",
    "markerWidth", "markerHeight", "markerUnits", "refX", "refY", "orient", "offset",
    "stop-color", "stop-opacity", "gradientUnits", "gradientTransform", "spreadMethod", "fx",
    "fy", "clip-path", "clipPathUnits", "mask", "maskUnits", "maskContentUnits",
    "patternUnits", "patternContentUnits", "patternTransform", "preserveAspectRatio",
    "filter", "filterUnits", "primitiveUnits", "stdDeviation", "flood-color",
    "flood-opacity", "in", "in2", "result", "mode", "operator", "k1", "k2", "k3", "k4",
    "values", "type", "visibility", "display", "href", "aria-roledescription",
    "aria-label", "aria-labelledby", "aria-describedby", "xml:space",
}  # fmt: skip
# A reference may point into the picture only: url(#id) or href="#id".
OUTSIDE_URL = re.compile(r"url\(\s*(?!['\"]?#)[^)]*\)", re.IGNORECASE)
CSS_DANGER = re.compile(r"@import|expression\s*\(|javascript:|behavior\s*:|-moz-binding", re.I)


def _local(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        namespace, _sep, name = tag[1:].partition("}")
        return namespace, name
    return "", tag


def _css(text: str) -> str:
    text = CSS_DANGER.sub("", text)
    return OUTSIDE_URL.sub("none", text).replace("<", "")


def svg_clean(svg: str) -> str:
    """The SVG with only drawing elements and attributes left (`ELEMENTS`, `ATTRIBUTES`),
    references within the picture only, the style sheet without imports or outside URLs; ""
    when it is not an SVG that parses. No DOCTYPE or entity is taken."""
    if not svg or len(svg) > MAX_SVG_BYTES or "<!DOCTYPE" in svg or "<!ENTITY" in svg:
        return ""
    try:
        root = etree.fromstring(svg)  # noqa: S314 - no DOCTYPE, so no entity (checked above)
    except etree.ParseError:
        return ""
    if _local(root.tag) != (SVG_NS, "svg"):
        return ""

    def clean(element: etree.Element) -> None:
        for child in list(element):
            namespace, name = _local(child.tag) if isinstance(child.tag, str) else ("", "")
            if namespace != SVG_NS or name not in ELEMENTS:
                element.remove(child)
                continue
            clean(child)
        for attribute in list(element.attrib):
            namespace, name = _local(attribute)
            value = element.attrib[attribute]
            if namespace == XLINK_NS and name == "href":
                name = "href"
            elif namespace == "http://www.w3.org/XML/1998/namespace" and name == "space":
                name = "xml:space"
            elif namespace:
                del element.attrib[attribute]
                continue
            outside = name == "href" and not value.startswith("#")
            if outside or (name not in ATTRIBUTES and not name.startswith("data-")):
                del element.attrib[attribute]
            elif name == "style" or "url(" in value.lower():
                element.attrib[attribute] = _css(value)
        if _local(element.tag)[1] == "style":
            element.text = _css(element.text or "")
            for child in list(element):
                element.remove(child)
        elif element.text and _local(element.tag)[1] not in ("text", "tspan", "title", "desc"):
            element.text = element.text if not element.text.strip() else None

    clean(root)
    etree.register_namespace("", SVG_NS)
    etree.register_namespace("xlink", XLINK_NS)
    return etree.tostring(root, encoding="unicode")


def data_url(drawing: Drawing) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(drawing.svg.encode()).decode("ascii")


def png_data_url(drawing: Drawing) -> str:
    if not drawing.png:
        return ""
    return "data:image/png;base64," + base64.b64encode(drawing.png).decode("ascii")
