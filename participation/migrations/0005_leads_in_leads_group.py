"""Every programme lead in the "Programme leads" group, which opens the Wagtail admin.

`services.lead_appoint` puts a new lead there; this repairs an installation where a lead role
was written another way (by hand, a script, an import) before upgrading. What a lead may do in
the admin, their programme's portal page included, is derived from the lead role itself (see
wiki/portal_permissions.py) and needs no data of its own. Idempotent; nothing to undo.
"""

from django.conf import settings
from django.db import migrations
from django.db.models import Q

LEADS_GROUP = "Programme leads"  # participation.services.LEADS_GROUP


def leads_into_group(apps, schema_editor):
    ProgrammeRole = apps.get_model("participation", "ProgrammeRole")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    leads = User.objects.filter(pk__in=ProgrammeRole.objects.filter(role="lead").values("user_id"))
    if not leads.exists():
        return
    group, _created = Group.objects.get_or_create(name=LEADS_GROUP)
    group.permissions.add(
        *Permission.objects.filter(
            Q(content_type__app_label="wagtailadmin", codename="access_admin")
            | Q(
                content_type__app_label="wagtailcore",
                codename__in=["add_apitoken", "delete_apitoken"],
            )
        )
    )
    for user in leads:
        user.groups.add(group)


class Migration(migrations.Migration):
    dependencies = [
        ("participation", "0004_affiliation_announced"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(leads_into_group, migrations.RunPython.noop)]
