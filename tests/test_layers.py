"""The apps use only each other's public names.

import-linter (`make check`, contracts in pyproject.toml) keeps the imports between the apps
pointing down and free of cycles; it cannot see names. This walks every module of the apps and
refuses a `_private` name of another app, whether imported (`from wiki.services import _lock`)
or reached through an imported module (`wiki_services._lock`, `wiki.services._lock`).
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("config", "participation", "wiki", "usecases", "timeboxes", "workspace")
# Django's documented model API, underscore and all.
PUBLIC = {"_meta", "_default_manager", "_base_manager"}


def _private(name: str) -> bool:
    dunder = name.startswith("__") and name.endswith("__")
    return name.startswith("_") and not dunder and name not in PUBLIC


def _app_of(module: str) -> str | None:
    top = module.split(".")[0]
    return top if top in APPS else None


def _crossings(path: Path, own: str) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    where = path.relative_to(ROOT)
    found = []
    foreign: dict[str, str] = {}  # local name -> the other app's module (or name) it stands for
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            app = _app_of(node.module)
            if app is None or app == own:
                continue
            for alias in node.names:
                if _private(alias.name):
                    found.append(f"{where}:{node.lineno} imports {node.module}.{alias.name}")
                foreign[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                app = _app_of(alias.name)
                if app is None or app == own:
                    continue
                if any(_private(part) for part in alias.name.split(".")):
                    found.append(f"{where}:{node.lineno} imports {alias.name}")
                if alias.asname:
                    foreign[alias.asname] = alias.name
                else:
                    foreign[alias.name.split(".")[0]] = alias.name.split(".")[0]
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        chain = [node.attr]
        value = node.value
        while isinstance(value, ast.Attribute):
            chain.append(value.attr)
            value = value.value
        if isinstance(value, ast.Name) and value.id in foreign and _private(node.attr):
            dotted = ".".join([value.id, *reversed(chain)])
            found.append(f"{where}:{node.lineno} uses {dotted} ({foreign[value.id]})")
    return found


def test_no_app_uses_a_private_name_of_another():
    crossings = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                crossings += _crossings(path, app)
    assert crossings == []


def test_the_check_sees_a_private_name_of_another_app(tmp_path, monkeypatch):
    """The protection itself: both ways of reaching another app's private name are caught."""
    module = ROOT / "usecases" / "_layers_probe.py"
    source = "from wiki.services import _lock\nfrom wiki import services\nservices._merge(1)\n"
    monkeypatch.setattr(Path, "read_text", lambda self: source)
    found = _crossings(module, "usecases")
    assert [line.split(" ", 1)[1] for line in found] == [
        "imports wiki.services._lock",
        "uses services._merge (wiki.services)",
    ]
