"""Wagtail pages: each programme's public portal (an introduction and news), edited in the
Wagtail admin and served under /portal/. The wiki documents themselves are not pages: they are
plain models versioned with django-reversion (see docs/decisions/)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from participation.models import Programme

RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link", "hr"]


class PortalPageForm(WagtailAdminPageForm):
    """A lead edits their portal but cannot hand it to another programme: only superusers
    choose or change a portal's programme."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        if "programme" in self.fields and not (user is not None and user.is_superuser):
            from participation.permissions import Action, programmes_where

            field = self.fields["programme"]
            managed = programmes_where(user, Action.MANAGE_PROGRAMME)
            field.queryset = field.queryset.filter(pk__in=managed)
            field.disabled = self.instance.pk is not None


class ProgrammePortalPage(Page):
    """The public face of a programme: what it is about, who takes part and what is new."""

    programme = models.OneToOneField(
        Programme,
        on_delete=models.PROTECT,
        related_name="portal_page",
        verbose_name=_("programme"),
    )
    intro = RichTextField(_("introduction"), features=RICH_TEXT_FEATURES, blank=True)
    body = StreamField(
        [
            ("heading", blocks.CharBlock(form_classname="title", label=_("Heading"))),
            ("paragraph", blocks.RichTextBlock(features=RICH_TEXT_FEATURES, label=_("Text"))),
            ("quote", blocks.BlockQuoteBlock(label=_("Quote"))),
        ],
        blank=True,
        verbose_name=_("body"),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("programme"),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    subpage_types = ["wiki.NewsPage"]
    template = "wiki/portal/programme_portal_page.html"
    base_form_class = PortalPageForm

    class Meta:
        verbose_name = _("programme portal")
        verbose_name_plural = _("programme portals")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["news"] = (
            NewsPage.objects.live().public().child_of(self).order_by("-date", "-pk")[:10]
        )
        context["memberships"] = self.programme.memberships.select_related("organisation")
        return context

    def permissions_for_user(self, user):
        from .portal_permissions import PortalPermissionTester

        return PortalPermissionTester(user, self)


class NewsPage(Page):
    """A news item of a programme, shown on its portal."""

    date = models.DateField(_("date"))
    body = RichTextField(_("text"), features=RICH_TEXT_FEATURES)

    content_panels = [*Page.content_panels, FieldPanel("date"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("body")]
    parent_page_types = ["wiki.ProgrammePortalPage"]
    subpage_types: list[str] = []
    template = "wiki/portal/news_page.html"

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news items")
