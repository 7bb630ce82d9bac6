"""Wire Celery to the Flask app: every task runs inside an application context."""

from __future__ import annotations

from pathlib import Path

from celery import Celery, Task
from celery.schedules import crontab
from flask import Flask

THESAURUS_CHECK_SECONDS = 600.0


def celery_init_app(app: Flask) -> Celery:
    """Create the Celery app for this Flask app and register our tasks."""

    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    _make_broker_folders(app.config["CELERY"])
    celery = Celery(app.name, task_cls=FlaskTask)
    celery.config_from_object(app.config["CELERY"])
    celery.conf.beat_schedule = beat_schedule(app)
    celery.set_default()
    app.extensions["celery"] = celery
    import worker.tasks  # noqa: F401  (registers the shared tasks)

    return celery


def _make_broker_folders(config: dict) -> None:
    """The filesystem transport (the development broker) needs its folders to exist."""
    options = config.get("broker_transport_options") or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


def beat_schedule(app: Flask) -> dict:
    """Periodic work: relay the outbox, retry stalled email, remind and archive postings,
    re-match after thesaurus changes."""
    every = float(app.config["MARKET_OUTBOX_RELAY_SECONDS"])
    return {
        "relay-outbox": {"task": "worker.tasks.relay_outbox", "schedule": every},
        "requeue-stale-emails": {"task": "worker.tasks.requeue_stale_emails", "schedule": every},
        # Both are idempotent; hourly archiving takes an expired posting down soon after
        # midnight, daily reminders arrive in office hours (Celery's timezone: Asia/Shanghai).
        "archive-expired-postings": {
            "task": "worker.tasks.archive_expired_postings",
            "schedule": crontab(minute=5),
        },
        # Hourly in office hours, so a registration made the day before is still reminded;
        # the notification key keeps it to one reminder per registration.
        "remind-event-registrants": {
            "task": "worker.tasks.remind_event_registrants",
            "schedule": crontab(minute=20, hour="8-20"),
        },
        # 对接 deadline reminders go out days ahead; hourly in office hours suffices, and the
        # docking's reminded_for keeps it to one reminder per deadline.
        "remind-docking-deadlines": {
            "task": "worker.tasks.remind_docking_deadlines",
            "schedule": crontab(minute=40, hour="8-20"),
        },
        "remind-expiring-postings": {
            "task": "worker.tasks.remind_expiring_postings",
            "schedule": crontab(minute=0, hour=9),
        },
        # Digest emails at the start of office hours: daily at 9:00, weekly on Monday at 9:30.
        # The digest's period (the day, the ISO week) makes a second run in it send nothing.
        "daily-digests": {
            "task": "worker.tasks.send_digests",
            "schedule": crontab(minute=0, hour=9),
            "args": ("daily",),
        },
        "weekly-digests": {
            "task": "worker.tasks.send_digests",
            "schedule": crontab(minute=30, hour=9, day_of_week=1),
            "args": ("weekly",),
        },
        # A cheap version comparison; the bureau's synonym changes reach stored matches
        # within ten minutes, in batches.
        "rematch-for-thesaurus": {
            "task": "worker.tasks.rematch_for_thesaurus",
            "schedule": THESAURUS_CHECK_SECONDS,
        },
    }
