"""The places in pages where the apps above take part (participation.panels)."""

from django.template import Context, Template

from participation import panels


def _render(source: str, **context) -> str:
    return Template("{% load panels %}" + source).render(Context(context))


def test_a_link_whose_route_does_not_exist_is_left_out(monkeypatch):
    monkeypatch.setattr(panels, "_nav_entries", {})
    panels.nav_entry_register("test.nav", "nowhere:list", "Nowhere", order=1)
    panels.nav_entry_register("test.nav", "home", "Home", order=2)
    html = _render(
        '{% nav_entries "test.nav" as entries %}'
        "{% for e in entries %}<a href='{{ e.url }}'>{{ e.label }}</a>{% endfor %}"
    )
    assert html == "<a href='/'>Home</a>"


def test_panels_render_in_order_with_the_page_context(monkeypatch, tmp_path, settings):
    (tmp_path / "one.html").write_text("[one {{ name }}]")
    (tmp_path / "two.html").write_text("[two]")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    monkeypatch.setattr(panels, "_panels", {})
    panels.panel_register("test.place", "two.html", order=20)
    panels.panel_register("test.place", "one.html", order=10)
    assert _render('{% panels "test.place" %}', name="Ada") == "[one Ada][two]"


def test_html_filters_and_data_attributes_of_a_place(monkeypatch):
    monkeypatch.setattr(panels, "_html_filters", {})
    monkeypatch.setattr(panels, "_data_attributes", {})
    panels.html_filter_register("test.prose", lambda html, programme: html.replace("a", "b"))
    panels.data_attribute_register("test.editor", "home-url", "home")
    panels.data_attribute_register("test.editor", "gone-url", "nowhere:list")
    assert _render('{% html_filtered "test.prose" "<p>a</p>" %}') == "<p>b</p>"
    assert _render('<div{% data_attributes "test.editor" %}>') == '<div data-home-url="/">'
