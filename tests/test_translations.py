"""Dutch ships complete: every message of the catalogue is translated, and the compiled
catalogue is the one Django serves."""

from pathlib import Path

from django.utils import translation

LOCALE = Path(__file__).resolve().parent.parent / "locale" / "nl" / "LC_MESSAGES"


def _entries(po_text: str):
    """(msgid, msgstr, flags) of each entry of a .po file, msgid_plural folded into msgid."""
    entries, flags, current, field = [], "", {}, None
    for line in [*po_text.splitlines(), ""]:
        if line.startswith("#,"):
            flags = line
        elif line.startswith(("msgid ", "msgid_plural ", "msgstr")):
            key = line.split(" ", 1)[0]
            if key == "msgid" and current:
                entries.append((current.get("msgid", ""), current, flags))
                current, flags = {}, ""
            field = key
            current[field] = current.get(field, "") + line.split(" ", 1)[1].strip()[1:-1]
        elif line.startswith('"') and field:
            current[field] += line.strip()[1:-1]
        elif not line.strip() and current:
            entries.append((current.get("msgid", ""), current, flags))
            current, flags, field = {}, "", None
    return entries


def test_dutch_catalogue_has_no_untranslated_or_fuzzy_entry():
    po = (LOCALE / "django.po").read_text(encoding="utf-8")
    missing = []
    for msgid, fields, flags in _entries(po):
        if not msgid:
            continue
        translations = [v for k, v in fields.items() if k.startswith("msgstr")]
        if "fuzzy" in flags or not translations or not all(translations):
            missing.append(msgid)
    assert missing == [], f"{len(missing)} untranslated Dutch messages, e.g. {missing[:10]}"


def test_compiled_dutch_catalogue_is_served():
    assert (LOCALE / "django.mo").exists()
    with translation.override("nl"):
        assert translation.gettext("Log in") != "Log in"
