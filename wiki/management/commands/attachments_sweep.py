"""Delete the stored attachment files no attachment refers to (left by an upload whose
transaction was rolled back), once older than STIP_ATTACHMENTS_ORPHAN_HOURS (or --hours).
The worker's beat does this every hour; this is for a deployment without one, or at once."""

from datetime import timedelta

from django.core.management.base import BaseCommand

from wiki.services import attachments_orphans_remove


class Command(BaseCommand):
    help = "Delete stored attachment files that no attachment refers to."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--hours",
            type=float,
            default=None,
            help="Only files older than this (default: STIP_ATTACHMENTS_ORPHAN_HOURS).",
        )

    def handle(self, *args, hours: float | None = None, **options) -> None:
        removed = attachments_orphans_remove(
            older_than=timedelta(hours=hours) if hours is not None else None
        )
        for name in removed:
            self.stdout.write(name)
        self.stdout.write(f"{len(removed)} files removed.")
