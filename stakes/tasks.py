"""Thin Celery tasks around the stakes services. Beat runs the sweeper every minute (see
CELERY_BEAT_SCHEDULE): reminders and deadlines live in the database, as with timeboxes."""

from celery import shared_task

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def proposals_sweep_task() -> dict:
    report = services.proposals_sweep()
    return {
        "reminders": report.reminders,
        "skipped": len(report.skipped),
        "decided": report.decided,
    }
