"""Thin Celery tasks around the timebox services. Beat runs the sweeper every minute (see
CELERY_BEAT_SCHEDULE); nothing is scheduled ahead with eta or countdown, so a deadline lives only
in the database and a restarted worker catches up on the next beat. Tasks are acknowledged when
they start (CELERY_TASK_ACKS_LATE is off: a worker holding unacknowledged messages does not
survive a broker outage); one lost with a worker that died mid-task is done by the next sweep."""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def timeboxes_sweep_task() -> dict:
    report = services.timeboxes_sweep()
    return {
        "opened": report.opened,
        "reminders": report.reminders,
        "skipped": len(report.skipped),
        "frozen": report.frozen,
        "closed": report.closed,
        "delivered": report.delivered,
    }


@shared_task(ignore_result=True)
def notices_deliver_task() -> int:
    return services.notices_deliver()


@shared_task(ignore_result=True, soft_time_limit=30 * 60, time_limit=31 * 60)
def baseline_export_build_task(export_id: int) -> str | None:
    export = services.baseline_export_build(export_id=export_id)
    return export.status if export is not None else None


@shared_task(ignore_result=True)
def baseline_exports_sweep_task() -> int:
    return services.baseline_exports_sweep()
