"""The shape of a use case as data, without the database.

A use case's data is a dict with the keys of `models.DATA_FIELDS`:

- `steps`: ``[{"id", "actor", "text"}]`` in order (the main success scenario);
- `extensions`: ``[{"id", "at", "condition", "steps": [...]}]``; `at` is the id of the main
  step the extension branches from, so its label ("3a") follows the step when steps move;
- `variants`: ``[{"id", "organisation", "organisation_name", "target", "text"}]``; `target`
  is the id of a step (main or extension) or of an extension.

This module normalises that data, renders it to the markdown template (which is also the
document's body and the export format), parses the template back, compares two versions field
by field and runs the detail check.
"""

import difflib
import re
import secrets
import string
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from participation.text import one_line

from .models import DATA_FIELDS, TEXT_FIELDS, GoalLevel

MAX_MAIN_STEPS = 9
MAX_IMPORT_BYTES = 200_000
MAX_ITEMS = 200

# Section headings of the markdown template, fixed so a file drafted in any language can be
# read back. Dutch headings are understood too.
SECTION_HEADINGS = {
    "scope": "Scope",
    "stakeholders": "Stakeholders and interests",
    "trigger": "Trigger",
    "preconditions": "Preconditions",
    "success_guarantees": "Success guarantees",
    "minimal_guarantees": "Minimal guarantees",
    "steps": "Main success scenario",
    "extensions": "Extensions",
    "frequency": "Frequency",
    "open_issues": "Open issues",
}
SECTION_ORDER = (
    "scope",
    "stakeholders",
    "trigger",
    "preconditions",
    "success_guarantees",
    "minimal_guarantees",
    "steps",
    "extensions",
    "frequency",
    "open_issues",
)
DUTCH_HEADINGS = {
    "scope": "Reikwijdte",
    "stakeholders": "Belanghebbenden en belangen",
    "trigger": "Aanleiding",
    "preconditions": "Voorwaarden vooraf",
    "success_guarantees": "Resultaat bij succes",
    "minimal_guarantees": "Minimale garanties",
    "steps": "Hoofdscenario",
    "extensions": "Uitbreidingen",
    "frequency": "Frequentie",
    "open_issues": "Open punten",
}
META_KEYS = {
    "goal level": "goal_level",
    "doelniveau": "goal_level",
    "primary actor": "primary_actor",
    "primaire actor": "primary_actor",
    "supporting actors": "supporting_actors",
    "ondersteunende actoren": "supporting_actors",
}
GOAL_LEVEL_WORDS = {
    "summary": GoalLevel.SUMMARY,
    "samenvatting": GoalLevel.SUMMARY,
    "user goal": GoalLevel.USER_GOAL,
    "user_goal": GoalLevel.USER_GOAL,
    "gebruikersdoel": GoalLevel.USER_GOAL,
    "subfunction": GoalLevel.SUBFUNCTION,
    "subfunctie": GoalLevel.SUBFUNCTION,
}
GOAL_LEVEL_EXPORT = {
    GoalLevel.SUMMARY: "Summary",
    GoalLevel.USER_GOAL: "User goal",
    GoalLevel.SUBFUNCTION: "Subfunction",
}
FIELD_LABELS = {
    "title": gettext_lazy("Title"),
    "goal_level": gettext_lazy("Goal level"),
    "primary_actor": gettext_lazy("Primary actor"),
    "supporting_actors": gettext_lazy("Supporting actors"),
    "scope": gettext_lazy("Scope"),
    "stakeholders": gettext_lazy("Stakeholders and interests"),
    "trigger": gettext_lazy("Trigger"),
    "preconditions": gettext_lazy("Preconditions"),
    "success_guarantees": gettext_lazy("Success guarantees"),
    "minimal_guarantees": gettext_lazy("Minimal guarantees"),
    "frequency": gettext_lazy("Frequency"),
    "open_issues": gettext_lazy("Open issues"),
}

STEP_LINE = re.compile(r"^\s{0,3}(\d{1,3})[.)]\s+(.*)$")
ACTOR_TEXT = re.compile(r"^([^:*\n]{1,100}?):\s+(\S.*)$")
VARIANT_LINE = re.compile(r"^\s*>\s*Variant\s*\(([^()]{1,200})\):\s*(.*)$", re.IGNORECASE)
EXTENSION_HEADING = re.compile(r"^###\s+(\d{1,3})([a-z]{1,2})[.)]?\s+(.*)$")
META_LINE = re.compile(r"^(?:[-*]\s+)?([A-Za-z ]{2,40}):\s*(.*)$")


def new_id(prefix: str) -> str:
    alphabet = string.ascii_lowercase + string.digits
    return prefix + "".join(secrets.choice(alphabet) for _ in range(8))


def clean_text(text: str) -> str:
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


def _clean_step(step: dict) -> dict:
    return {
        "id": str(step.get("id") or new_id("s")),
        "actor": one_line(step.get("actor", "")),
        "text": one_line(step.get("text", "")),
    }


def empty_data() -> dict:
    data: dict = dict.fromkeys(TEXT_FIELDS, "")
    data.update(
        goal_level=GoalLevel.USER_GOAL,
        primary_actor="",
        supporting_actors=[],
        steps=[],
        extensions=[],
        variants=[],
    )
    return data


def normalise(data: dict) -> dict:
    """The canonical form of use case data: trimmed text, one-line steps, ids everywhere,
    no empty steps, no variants pointing at something that is gone."""
    result = empty_data()
    for name in TEXT_FIELDS:
        result[name] = clean_text(data.get(name, ""))
    goal = data.get("goal_level") or GoalLevel.USER_GOAL
    result["goal_level"] = goal if goal in GoalLevel.values else GoalLevel.USER_GOAL
    result["primary_actor"] = one_line(data.get("primary_actor", ""))
    actors = [one_line(a) for a in data.get("supporting_actors") or []]
    result["supporting_actors"] = list(dict.fromkeys(a for a in actors if a))
    result["steps"] = [_clean_step(s) for s in data.get("steps") or [] if one_line(s.get("text"))]
    step_ids = {s["id"] for s in result["steps"]}
    extensions = []
    for extension in data.get("extensions") or []:
        condition = one_line(extension.get("condition", ""))
        steps = [_clean_step(s) for s in extension.get("steps") or [] if one_line(s.get("text"))]
        if not condition and not steps:
            continue
        extensions.append(
            {
                "id": str(extension.get("id") or new_id("e")),
                "at": str(extension.get("at") or ""),
                "condition": condition,
                "steps": steps,
            }
        )
    # Extensions are kept in the order of the steps they branch from (3a before 4a), those of
    # one step in the order given (3a, 3b); those whose step is gone come last.
    positions = {s["id"]: n for n, s in enumerate(result["steps"])}
    extensions.sort(key=lambda e: positions.get(e["at"], len(positions)))
    result["extensions"] = extensions
    targets = step_ids | {e["id"] for e in extensions}
    targets |= {s["id"] for e in extensions for s in e["steps"]}
    result["variants"] = [
        {
            "id": str(v.get("id") or new_id("v")),
            "organisation": v.get("organisation"),
            "organisation_name": one_line(v.get("organisation_name", "")),
            "target": str(v.get("target")),
            "text": clean_text(v.get("text", "")),
        }
        for v in data.get("variants") or []
        if str(v.get("target")) in targets and clean_text(v.get("text", ""))
    ]
    return result


# Labels ------------------------------------------------------------------------------------


def extension_labels(data: dict) -> dict[str, str]:
    """{extension id: "3a"}; an extension whose step is gone is labelled "?"."""
    numbers = {s["id"]: n for n, s in enumerate(data.get("steps") or [], start=1)}
    seen: dict[str, int] = {}
    labels = {}
    for extension in data.get("extensions") or []:
        number = numbers.get(extension.get("at"))
        if number is None:
            labels[extension["id"]] = "?"
            continue
        count = seen.get(extension["at"], 0)
        seen[extension["at"]] = count + 1
        labels[extension["id"]] = f"{number}{_letters(count)}"
    return labels


def _letters(n: int) -> str:
    letters = string.ascii_lowercase
    return letters[n] if n < 26 else letters[n // 26 - 1] + letters[n % 26]


def item_labels(data: dict) -> dict[str, str]:
    """A human label for every step and extension id: "3", "3a", "3a1"."""
    labels = {s["id"]: str(n) for n, s in enumerate(data.get("steps") or [], start=1)}
    ext_labels = extension_labels(data)
    for extension in data.get("extensions") or []:
        label = ext_labels[extension["id"]]
        labels[extension["id"]] = label
        for n, step in enumerate(extension["steps"], start=1):
            labels[step["id"]] = f"{label}{n}"
    return labels


def variants_by_target(data: dict) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for variant in data.get("variants") or []:
        grouped.setdefault(variant["target"], []).append(variant)
    return grouped


# Markdown ----------------------------------------------------------------------------------


def _step_line(number: int, step: dict, indent: str = "") -> str:
    text = f"{step['actor']}: {step['text']}" if step["actor"] else step["text"]
    return f"{indent}{number}. {text}"


def _variant_lines(variants: list[dict]) -> list[str]:
    return [
        f"   > Variant ({v['organisation_name']}): {one_line(v['text'])}" for v in variants or []
    ]


def to_markdown(title: str, data: dict) -> str:
    """The use case in the markdown template: the document's body and the export format."""
    variants = variants_by_target(data)
    lines = [f"# {one_line(title)}", ""]
    lines.append(f"- Goal level: {GOAL_LEVEL_EXPORT[GoalLevel(data['goal_level'])]}")
    if data["primary_actor"]:
        lines.append(f"- Primary actor: {data['primary_actor']}")
    if data["supporting_actors"]:
        lines.append(f"- Supporting actors: {', '.join(data['supporting_actors'])}")
    labels = extension_labels(data)
    for name in SECTION_ORDER:
        if name == "steps":
            if not data["steps"]:
                continue
            lines += ["", f"## {SECTION_HEADINGS[name]}", ""]
            for n, step in enumerate(data["steps"], start=1):
                lines.append(_step_line(n, step))
                lines += _variant_lines(variants.get(step["id"]))
        elif name == "extensions":
            if not data["extensions"]:
                continue
            lines += ["", f"## {SECTION_HEADINGS[name]}"]
            for extension in data["extensions"]:
                lines += ["", f"### {labels[extension['id']]}. {extension['condition']}"]
                lines += _variant_lines(variants.get(extension["id"]))
                lines.append("")
                for n, step in enumerate(extension["steps"], start=1):
                    lines.append(_step_line(n, step))
                    lines += _variant_lines(variants.get(step["id"]))
        elif data[name]:
            lines += ["", f"## {SECTION_HEADINGS[name]}", "", data[name]]
    return "\n".join(lines).rstrip() + "\n"


def reading_text(markdown: str) -> str:
    """The stored template with its fixed English words (section headings, the goal level and
    actor lines) in the reader's language; the rest of the text as it is."""
    headings = {heading: name for name, heading in SECTION_HEADINGS.items()}
    meta = {"Goal level": "goal_level", "Primary actor": "primary_actor"}
    meta["Supporting actors"] = "supporting_actors"
    goal_levels = {word: level for level, word in GOAL_LEVEL_EXPORT.items()}
    lines = []
    for line in (markdown or "").split("\n"):
        if line.startswith("## ") and line[3:].strip() in headings:
            name = headings[line[3:].strip()]
            label = FIELD_LABELS.get(name) or (
                _("Main success scenario") if name == "steps" else _("Extensions")
            )
            line = f"## {label}"
        elif line.startswith("- ") and ": " in line:
            key, value = line[2:].split(": ", 1)
            if key in meta:
                if key == "Goal level" and value.strip() in goal_levels:
                    value = str(goal_levels[value.strip()].label)
                line = f"- {FIELD_LABELS[meta[key]]}: {value}"
        lines.append(line)
    return "\n".join(lines)


class MarkdownError(ValueError):
    """The file does not follow the template; `line` is 1-based."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(_("Line %(line)d: %(message)s") % {"line": line, "message": message})
        self.line = line


def _heading_names() -> dict[str, str]:
    names = {}
    for key, heading in SECTION_HEADINGS.items():
        names[heading.casefold()] = key
    for key, heading in DUTCH_HEADINGS.items():
        names[heading.casefold()] = key
    return names


def _parse_step(text: str) -> dict:
    match = ACTOR_TEXT.match(text.strip())
    if match:
        return {"id": new_id("s"), "actor": match.group(1).strip(), "text": match.group(2)}
    return {"id": new_id("s"), "actor": "", "text": text.strip()}


def from_markdown(text: str, organisations: dict[str, int] | None = None) -> tuple[str, dict]:
    """Read the markdown template back into (title, data).

    `organisations` maps organisation names (casefolded) to ids, for variant lines. Raises
    `MarkdownError` naming the first line that does not fit; nothing is returned half-read.
    """
    if len(text.encode("utf-8")) > MAX_IMPORT_BYTES:
        raise MarkdownError(1, _("the file is too large for a use case."))
    organisations = organisations or {}
    headings = _heading_names()
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    data = empty_data()
    title = ""
    section: str | None = None
    buffers: dict[str, list[str]] = {}
    current_extension: dict | None = None
    last_target: str | None = None
    first_content = True

    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip()
        if first_content:
            if not line.strip():
                continue
            if not line.startswith("# ") or not line[2:].strip():
                raise MarkdownError(number, _("start with the title, like “# Make the roster”."))
            title = line[2:].strip()
            first_content = False
            continue
        if line.startswith("## "):
            name = headings.get(line[3:].strip().casefold())
            if name is not None:
                if name in buffers or (name == "steps" and data["steps"]):
                    raise MarkdownError(number, _("this section appears twice."))
                section, current_extension, last_target = name, None, None
                if name in TEXT_FIELDS:
                    buffers[name] = []
                continue
        if section is None:
            if not line.strip():
                continue
            match = META_LINE.match(line)
            key = META_KEYS.get(match.group(1).strip().casefold()) if match else None
            if key is None:
                raise MarkdownError(
                    number,
                    _("expected a line like “Goal level: User goal” or a section heading."),
                )
            value = match.group(2).strip()
            if key == "goal_level":
                level = GOAL_LEVEL_WORDS.get(value.casefold())
                if level is None:
                    raise MarkdownError(
                        number, _("the goal level must be Summary, User goal or Subfunction.")
                    )
                data["goal_level"] = level
            elif key == "primary_actor":
                data["primary_actor"] = value
            else:
                data["supporting_actors"] = [a.strip() for a in value.split(",") if a.strip()]
            continue
        if section in TEXT_FIELDS:
            buffers[section].append(line)
            continue
        if not line.strip():
            continue
        variant = VARIANT_LINE.match(line)
        if variant:
            if last_target is None:
                raise MarkdownError(number, _("a variant must follow the step it belongs to."))
            name = variant.group(1).strip()
            organisation = organisations.get(name.casefold())
            if organisation is None:
                raise MarkdownError(
                    number,
                    _("“%(name)s” is not an organisation of this programme.") % {"name": name},
                )
            data["variants"].append(
                {
                    "id": new_id("v"),
                    "organisation": organisation,
                    "organisation_name": name,
                    "target": last_target,
                    "text": variant.group(2).strip(),
                }
            )
            continue
        if section == "extensions":
            heading = EXTENSION_HEADING.match(line)
            if heading:
                step_number = int(heading.group(1))
                if not 1 <= step_number <= len(data["steps"]):
                    raise MarkdownError(
                        number,
                        _("extension %(label)s branches from a step that does not exist.")
                        % {"label": heading.group(1) + heading.group(2)},
                    )
                current_extension = {
                    "id": new_id("e"),
                    "at": data["steps"][step_number - 1]["id"],
                    "condition": heading.group(3).strip(),
                    "steps": [],
                }
                data["extensions"].append(current_extension)
                last_target = current_extension["id"]
                continue
            step = STEP_LINE.match(line)
            if step and current_extension is not None:
                parsed = _parse_step(step.group(2))
                current_extension["steps"].append(parsed)
                last_target = parsed["id"]
                continue
            raise MarkdownError(
                number, _("expected an extension like “### 2a. Condition” or a numbered step.")
            )
        if section == "steps":
            step = STEP_LINE.match(line)
            if step:
                parsed = _parse_step(step.group(2))
                data["steps"].append(parsed)
                last_target = parsed["id"]
                continue
            raise MarkdownError(number, _("expected a numbered step like “1. Teacher: …”."))
    if first_content:
        raise MarkdownError(1, _("the file is empty."))
    if len(data["steps"]) + sum(len(e["steps"]) + 1 for e in data["extensions"]) > MAX_ITEMS:
        raise MarkdownError(len(lines), _("too many steps for one use case."))
    for name, buffer in buffers.items():
        data[name] = "\n".join(buffer)
    return title, normalise(data)


def _match(new_items: list[dict], old_items: list[dict], same) -> dict[str, str]:
    """{new id: old id}: exact matches first, then what is left at the same position."""
    mapping: dict[str, str] = {}
    unused = {o["id"]: o for o in old_items}
    for item in new_items:
        for old in list(unused.values()):
            if same(item, old):
                mapping[item["id"]] = old["id"]
                del unused[old["id"]]
                break
    for n, item in enumerate(new_items):
        if item["id"] in mapping or n >= len(old_items):
            continue
        if old_items[n]["id"] in unused:
            mapping[item["id"]] = old_items[n]["id"]
            del unused[old_items[n]["id"]]
    return mapping


def adopt_ids(new: dict, old: dict) -> dict:
    """Give the steps, extensions and variants read from Markdown the ids of the ones they
    continue in `old`, so the diff reports changes (not everything removed and added) and
    variants stay attached."""
    new, old = normalise(new), normalise(old)

    def same_step(a, b):
        return (a["actor"], a["text"]) == (b["actor"], b["text"])

    ids = _match(new["steps"], old["steps"], same_step)
    old_extensions = {e["id"]: e for e in old["extensions"]}
    at = {e["id"]: ids.get(e["at"], e["at"]) for e in new["extensions"]}
    ids |= _match(
        new["extensions"],
        old["extensions"],
        lambda a, b: (at[a["id"]], a["condition"]) == (b["at"], b["condition"]),
    )
    for extension in new["extensions"]:
        previous = old_extensions.get(ids.get(extension["id"], ""), {"steps": []})
        ids |= _match(extension["steps"], previous["steps"], same_step)
    old_variants = {(v["target"], v["organisation"]): v["id"] for v in old["variants"]}
    for step in new["steps"]:
        step["id"] = ids.get(step["id"], step["id"])
    for extension in new["extensions"]:
        extension["at"] = at[extension["id"]]
        extension["id"] = ids.get(extension["id"], extension["id"])
        for step in extension["steps"]:
            step["id"] = ids.get(step["id"], step["id"])
    for variant in new["variants"]:
        variant["target"] = ids.get(variant["target"], variant["target"])
        key = (variant["target"], variant["organisation"])
        variant["id"] = old_variants.get(key, variant["id"])
    return normalise(new)


def comparable(data: dict) -> dict:
    """The data without generated ids: two use cases that read the same compare equal."""
    labels = item_labels(data)
    result = {name: data[name] for name in DATA_FIELDS if name not in LISTS}
    result["steps"] = [(s["actor"], s["text"]) for s in data["steps"]]
    result["extensions"] = [
        (labels[e["id"]], e["condition"], [(s["actor"], s["text"]) for s in e["steps"]])
        for e in data["extensions"]
    ]
    result["variants"] = sorted(
        (labels.get(v["target"], "?"), v["organisation"], v["text"]) for v in data["variants"]
    )
    return result


LISTS = ("steps", "extensions", "variants")


# Field-level diff --------------------------------------------------------------------------


@dataclass
class FieldChange:
    name: str
    label: str
    old: object
    new: object


@dataclass
class ItemChange:
    """One step, extension or variant that was added, removed, changed or moved."""

    kind: str  # "added", "removed", "changed", "moved" (or "moved+changed")
    old_label: str = ""
    new_label: str = ""
    old: dict | None = None
    new: dict | None = None
    steps: list["ItemChange"] = field(default_factory=list)

    @property
    def moved(self) -> bool:
        return "moved" in self.kind

    @property
    def changed(self) -> bool:
        return "changed" in self.kind


@dataclass
class UseCaseDiff:
    fields: list[FieldChange] = field(default_factory=list)
    steps: list[ItemChange] = field(default_factory=list)
    extensions: list[ItemChange] = field(default_factory=list)
    variants: list[ItemChange] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        return not (self.fields or self.steps or self.extensions or self.variants)


def _compare_items(old_items, new_items, old_labels, new_labels, same, nested=None):
    old_by_id = {i["id"]: i for i in old_items}
    new_by_id = {i["id"]: i for i in new_items}
    common_old = [i["id"] for i in old_items if i["id"] in new_by_id]
    common_new = [i["id"] for i in new_items if i["id"] in old_by_id]
    matcher = difflib.SequenceMatcher(None, common_old, common_new, autojunk=False)
    in_place = set()
    for block in matcher.get_matching_blocks():
        in_place.update(common_old[block.a : block.a + block.size])
    changes = []
    for item in new_items:
        old = old_by_id.get(item["id"])
        if old is None:
            changes.append(ItemChange("added", new_label=new_labels.get(item["id"], ""), new=item))
            continue
        kinds = []
        if item["id"] not in in_place:
            kinds.append("moved")
        inner = nested(old, item) if nested else []
        if not same(old, item) or inner:
            kinds.append("changed")
        if kinds:
            changes.append(
                ItemChange(
                    "+".join(kinds),
                    old_label=old_labels.get(item["id"], ""),
                    new_label=new_labels.get(item["id"], ""),
                    old=old,
                    new=item,
                    steps=inner,
                )
            )
    for item in old_items:
        if item["id"] not in new_by_id:
            changes.append(
                ItemChange("removed", old_label=old_labels.get(item["id"], ""), old=item)
            )
    return changes


def diff(old: dict, new: dict, *, old_title: str = "", new_title: str = "") -> UseCaseDiff:
    """Compare two versions of a use case field by field and step by step."""
    old, new = normalise(old), normalise(new)
    result = UseCaseDiff()
    if old_title != new_title:
        result.fields.append(FieldChange("title", str(FIELD_LABELS["title"]), old_title, new_title))
    for name in DATA_FIELDS:
        if name in LISTS or old[name] == new[name]:
            continue
        result.fields.append(FieldChange(name, str(FIELD_LABELS[name]), old[name], new[name]))
    old_labels, new_labels = item_labels(old), item_labels(new)

    def same_step(a, b):
        return a["actor"] == b["actor"] and a["text"] == b["text"]

    def same_extension(a, b):
        return a["condition"] == b["condition"] and old_labels.get(a["id"]) == new_labels.get(
            b["id"]
        )

    def extension_steps(a, b):
        return _compare_items(a["steps"], b["steps"], old_labels, new_labels, same_step)

    result.steps = _compare_items(old["steps"], new["steps"], old_labels, new_labels, same_step)
    result.extensions = _compare_items(
        old["extensions"],
        new["extensions"],
        old_labels,
        new_labels,
        same_extension,
        extension_steps,
    )
    result.variants = [
        change
        for change in _compare_items(
            old["variants"],
            new["variants"],
            old_labels,
            new_labels,
            lambda a, b: a["text"] == b["text"] and a["target"] == b["target"],
        )
        if change.kind != "moved"
    ]
    for change in result.variants:
        for side, labels in (("old", old_labels), ("new", new_labels)):
            variant = getattr(change, side)
            if variant is not None:
                setattr(change, f"{side}_label", labels.get(variant["target"], "?"))
    return result


# Detail check ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DetailWarning:
    code: str
    message: str


def detail_warnings(
    data: dict, technical_words: list[str], *, title: str = ""
) -> list[DetailWarning]:
    """What makes this use case too detailed. Advice only: nothing is ever refused for it."""
    warnings = []
    steps = data.get("steps") or []
    if len(steps) > MAX_MAIN_STEPS:
        warnings.append(
            DetailWarning(
                "too_many_steps",
                _(
                    "The main scenario has %(count)d steps. More than %(max)d usually means the "
                    "use case is too detailed: split it or describe the steps at a higher level."
                )
                % {"count": len(steps), "max": MAX_MAIN_STEPS},
            )
        )
    if data.get("goal_level") == GoalLevel.SUBFUNCTION:
        warnings.append(
            DetailWarning(
                "subfunction",
                _(
                    "The goal level is subfunction. Use cases in Stip describe goals of users "
                    "(or summaries); a subfunction is usually a step of another use case."
                ),
            )
        )
    labels = extension_labels(data)
    for extension in data.get("extensions") or []:
        if labels.get(extension["id"]) == "?":
            warnings.append(
                DetailWarning(
                    "orphan_extension",
                    _(
                        "The extension “%(condition)s” branches from a step that was removed. "
                        "Choose the step it belongs to."
                    )
                    % {"condition": extension["condition"]},
                )
            )
    if technical_words:
        pattern = re.compile(
            r"(?<!\w)(" + "|".join(re.escape(w) for w in technical_words) + r")(?!\w)",
            re.IGNORECASE,
        )
        labels = item_labels(data)
        places = [(_("the title"), title)]
        places += [(_("step %(label)s") % {"label": labels[s["id"]]}, s["text"]) for s in steps]
        for extension in data.get("extensions") or []:
            label = labels[extension["id"]]
            places.append((_("extension %(label)s") % {"label": label}, extension["condition"]))
            places += [
                (_("step %(label)s") % {"label": labels[s["id"]]}, s["text"])
                for s in extension["steps"]
            ]
        for place, text in places:
            found = list(dict.fromkeys(m.group(1).casefold() for m in pattern.finditer(text)))
            if found:
                warnings.append(
                    DetailWarning(
                        "technical_words",
                        _(
                            "%(place)s uses %(words)s: too technical for a use case. Say what "
                            "the person wants to achieve, not how the system looks or works."
                        )
                        % {
                            "place": place[:1].upper() + place[1:],
                            "words": ", ".join(f"“{w}”" for w in found),
                        },
                    )
                )
    return warnings
