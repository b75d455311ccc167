"""Every task of ours is safe with Redis' redelivery: limits and retry delays below the visibility timeout."""

from django.conf import settings

from config.celery import app

OUR_APPS = tuple(f"{label}." for label in settings.QUALIPREF_APPS)
# The names the engagements' and reports' tasks had inside the core: messages already queued and the beat
# schedule of a running deployment name them so.
NAMES_FROM_THE_CORE = {
    "qualipref.engagements.tasks.refresh_monthly_indicators": "engagements.tasks",
    "qualipref.engagements.tasks.refresh_all_monthly_indicators": "engagements.tasks",
    "qualipref.reports.tasks.build_audit_report": "reports.tasks",
    "qualipref.reports.tasks.request_scheduled_audit_report": "reports.tasks",
    "qualipref.reports.tasks.schedule_audit_reports": "reports.tasks",
    "qualipref.reports.tasks.sweep_audit_reports": "reports.tasks",
}


def our_tasks():
    app.loader.import_default_modules()
    return {name: task for name, task in app.tasks.items() if name.startswith(OUR_APPS)}


def test_tasks_are_discovered():
    assert "qualipref.tasks.refresh_next_audit" in our_tasks()


def test_tasks_are_acknowledged_late_and_requeued_when_a_worker_dies():
    for name, task in our_tasks().items():
        assert task.acks_late, name
        assert task.reject_on_worker_lost, name


def test_time_limits_and_retry_delays_stay_below_the_visibility_timeout():
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    for name, task in our_tasks().items():
        time_limit = task.time_limit or app.conf.task_time_limit
        assert time_limit and time_limit < visibility, name
        backoff_max = getattr(task, "retry_backoff_max", 0) or 0
        assert backoff_max < visibility, name
        assert (task.default_retry_delay or 0) < visibility, name


def test_beat_schedule_names_real_tasks():
    tasks = our_tasks()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in tasks


def test_engagements_and_reports_tasks_keep_the_names_they_had_in_the_core():
    tasks = our_tasks()
    for name, module in NAMES_FROM_THE_CORE.items():
        assert name in tasks, name
        assert tasks[name].run.__module__ == module, name
