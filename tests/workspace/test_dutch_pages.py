"""The demo's pages as a Dutch reader sees them: every page a demo person reaches by following
links, read for English that slipped through (a translated message shown untranslated, an
English month) and for the same title shown twice or markup shown as text."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.django_db

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "nl" / "LC_MESSAGES" / "django.po"
# Words that are the same, or meant to stand, in a Dutch page: the language switch names
# English in English; "Import" and "Log in" (… om mee te praten) are Dutch too.
SAME_IN_DUTCH = {"English", "Import", "Log in"}
ENGLISH_MONTH = re.compile(
    r"\b\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b"
    r"|\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}\b"
    r"|\b(?:January|February|March|April|June|July|August|September|October|November|December)\b"
)
SKIPPED = ("/static/", "/media/", "/admin/", "/django-admin/", "/api/", "/accounts/logout/")
LIMIT = 250


def english_messages() -> list[str]:
    """The catalogue's English texts whose Dutch differs: a phrase, or one capitalised word of
    five letters or more (shorter words are too often Dutch as well)."""
    texts = []
    for block in CATALOGUE.read_text().split("\n\n"):
        if "msgid_plural" in block or "#, fuzzy" in block:
            continue
        match = re.search(r'^msgid ((?:".*"\n)+)msgstr ((?:".*"\n?)+)', block, re.MULTILINE)
        if not match:
            continue
        msgid, msgstr = (
            "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', part)).replace('\\"', '"')
            for part in match.groups()
        )
        if not msgid or not msgstr or msgid == msgstr or msgid in SAME_IN_DUTCH:
            continue
        if any(c in msgid for c in "%{<\\"):
            continue
        if len(msgid.split()) >= 2 or (len(msgid) >= 5 and msgid.isalpha() and msgid[0].isupper()):
            texts.append(msgid)
    return texts


class Page(HTMLParser):
    """The words a reader sees (text, and the labels of controls), and the page's links."""

    HIDDEN = {"script", "style", "textarea", "pre", "code", "template"}

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self.links: list[str] = []
        self.headings: list[str] = []
        self._hidden = 0
        self._heading: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self._hidden += 1
        if tag == "h1":
            self._heading = []
        for name, value in attrs:
            if name in ("title", "aria-label", "placeholder", "alt") and value:
                self.words.append(value)
            if tag == "a" and name == "href" and value and value.startswith("/"):
                self.links.append(value.split("#")[0])

    def handle_endtag(self, tag):
        if tag in self.HIDDEN:
            self._hidden -= 1
        if tag == "h1" and self._heading is not None:
            self.headings.append(" ".join("".join(self._heading).split()))
            self._heading = None

    def handle_data(self, data):
        if not self._hidden:
            self.words.append(data)
        if self._heading is not None:
            self._heading.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.words).split())


def walk(client: Client, start: list[str]) -> dict[str, tuple[str, Page]]:
    """Every page reached from `start` by following links, as far as LIMIT pages."""
    seen: dict[str, tuple[str, Page]] = {}
    queue = list(start)
    while queue and len(seen) < LIMIT:
        address = queue.pop(0)
        if address in seen or address.startswith(SKIPPED):
            continue
        if re.search(r"\.(csv|json|pdf|docx|zip|html|md)$|/export", address):
            continue
        response = client.get(address)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        page = Page()
        page.feed(html)
        seen[address] = (html, page)
        queue.extend(link for link in page.links if link not in seen)
    return seen


@pytest.mark.parametrize("username", ["lead", "amarantis", None])
def test_demo_pages_in_dutch_show_no_english(demo, username):
    client = Client()
    if username:
        client.force_login(get_user_model().objects.get(username=username))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    pages = walk(client, ["/", "/dashboard/", "/p/triple-a/", "/search/?q=rooster"])
    assert len(pages) > (60 if username else 20)
    messages = english_messages()
    leaks = {}
    for address, (html, page) in pages.items():
        text = page.text
        found = [m for m in messages if m in text] + ENGLISH_MONTH.findall(text)
        if "&lt;p&gt;" in html or "&lt;ul&gt;" in html or "&lt;li&gt;" in html:
            found.append("markup shown as text")
        twice = {h for h in page.headings if page.headings.count(h) > 1}
        if twice:
            found.append(f"heading twice: {twice}")
        if found:
            leaks[address] = found
    assert leaks == {}
