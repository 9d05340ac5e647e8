"""Thin Celery tasks around the wiki services."""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def attachments_orphans_remove_task() -> int:
    return len(services.attachments_orphans_remove())
