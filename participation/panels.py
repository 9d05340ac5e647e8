"""Places in a page where apps above the page's own app take part, without that app naming them.

A page names a place ("wiki.document.after_tabs") and shows what the apps registered for it,
each in its `AppConfig.ready`:

- `panel_register(place, template, order=…)`: a template included there, with the page's
  context (`{% panels "place" %}`);
- `nav_entry_register(place, url_name, label, order=…)`: a link in a navigation, its address
  reversed with the page's programme and left out when the route does not exist
  (`{% nav_entries "place" programme as entries %}`);
- `data_attribute_register(place, name, url_name)`: a `data-<name>` attribute with an address
  for a script, such as the editor's glossary source (`{% data_attributes "place" programme %}`);
- `html_filter_register(place, function, order=…)`: a function `(html, programme) -> html` that
  the page's sanitised HTML goes through, such as marking glossary terms
  (`{% html_filtered "place" html programme %}`); a page that passes `reader=request.user`
  calls it as `(html, programme, reader=user)`.

Entries are shown in `order`, then in the order they were registered. The places each app
offers are listed in docs/architecture.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_panels: dict[str, list[tuple[int, int, str]]] = {}
_nav_entries: dict[str, list[tuple[int, int, NavEntry]]] = {}
_data_attributes: dict[str, list[tuple[int, int, DataAttribute]]] = {}
_html_filters: dict[str, list[tuple[int, int, Callable[[str, Any], str]]]] = {}
_counter = 0


@dataclass(frozen=True)
class NavEntry:
    url_name: str
    label: Any  # a (lazy) translated string


@dataclass(frozen=True)
class DataAttribute:
    name: str
    url_name: str


def _add(registry: dict, place: str, order: int, item) -> None:
    global _counter
    _counter += 1
    entries = [entry for entry in registry.get(place, []) if entry[2] != item]
    entries.append((order, _counter, item))
    registry[place] = sorted(entries, key=lambda entry: entry[:2])


def panel_register(place: str, template: str, *, order: int = 100) -> None:
    """Include `template` at `place`. Registering the same template again moves it."""
    _add(_panels, place, order, template)


def nav_entry_register(place: str, url_name: str, label, *, order: int = 100) -> None:
    _add(_nav_entries, place, order, NavEntry(url_name, label))


def data_attribute_register(place: str, name: str, url_name: str, *, order: int = 100) -> None:
    _add(_data_attributes, place, order, DataAttribute(name, url_name))


def html_filter_register(place: str, function: Callable[[str, Any], str], *, order=100) -> None:
    _add(_html_filters, place, order, function)


def panels_at(place: str) -> list[str]:
    return [template for _order, _n, template in _panels.get(place, [])]


def nav_entries_at(place: str) -> list[NavEntry]:
    return [entry for _order, _n, entry in _nav_entries.get(place, [])]


def data_attributes_at(place: str) -> list[DataAttribute]:
    return [attribute for _order, _n, attribute in _data_attributes.get(place, [])]


def html_filters_at(place: str) -> list[Callable[[str, Any], str]]:
    return [function for _order, _n, function in _html_filters.get(place, [])]
