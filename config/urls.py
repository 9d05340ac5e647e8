from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls

from config.api import api
from participation import login_views
from participation import views as participation_views
from participation.login_forms import DjangoAdminLoginForm
from workspace import views as workspace_views

admin.site.login_form = DjangoAdminLoginForm

urlpatterns = [
    path("i18n/setlang/", participation_views.set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("accounts/login/", login_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", login_views.logout, name="logout"),
    path("accounts/3rdparty/", login_views.connections),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", api.urls),
    path("", include("participation.urls")),
    # allauth after Stip's own account pages (log-in, log-out, sign-up win): identity
    # providers (/accounts/oidc/, /accounts/saml/), two-factor log-in (/accounts/2fa/).
    path("accounts/", include("allauth.urls")),
    path("p/", include("usecases.urls")),
    path("p/", include("timeboxes.urls")),
    path("", workspace_views.home, name="home"),
    path("", include("workspace.urls")),
    path("", include("wiki.urls")),
    path("portal/", include(wagtail_urls)),
]

handler400 = "config.views.bad_request"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
