"""What the imports page reads: the jobs a user may see, and a job's progress, errors and summary."""

import time

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kaikukanta.accounts.policy import Action, allowed, scope_filter
from kaikukanta.core.errors import Code, Refusal
from kaikukanta.network.models import Area, Organisation

from . import jobs
from .models import ImportJob, JobState
from .reasons import reason

RECENT_JOBS = 10


def jobs_visible_to(user):
    return ImportJob.objects.filter(scope_filter(user, area="area_id", site={})).select_related("area")


def recent_jobs(user) -> list[ImportJob]:
    return list(jobs_visible_to(user)[:RECENT_JOBS])


def areas_for_upload(user):
    """The areas the user may import for: its own for a coordinator, every area for the national admin."""
    return [area for area in Area.objects.order_by("name") if allowed(user, Action.RUN_IMPORT, area)]


def job_for(user, job_id: int) -> ImportJob:
    job = jobs_visible_to(user).filter(pk=job_id).first()
    if job is None or not allowed(user, Action.RUN_IMPORT, job):
        raise Refusal(Code.NOT_FOUND)
    return job


def progress(job: ImportJob, now: float | None = None) -> dict:
    """Rows checked and written, the share done (None when unknown) and the seconds left (None when unknown)."""
    live = jobs.progress_of(job.pk) if job.running else None
    checked, written = job.rows_checked, job.rows_written
    fraction = 1.0 if job.state in (JobState.CHECKED, JobState.COMMITTED, JobState.REFUSED) else None
    seconds_left = None
    if live:
        fraction = live.get("fraction")
        if live["phase"] == "check":
            checked = live["rows"]
        else:
            written = live["rows"]
        elapsed = (now or time.time()) - live["started"]
        if fraction and fraction > 0.0:
            seconds_left = max(0, round(elapsed * (1 - fraction) / fraction))
    percent = round(fraction * 100) if fraction is not None else None
    return {"checked": checked, "written": written, "percent": percent, "seconds_left": seconds_left,
            "time_left": _duration(seconds_left), "phase": live["phase"] if live else None}


def _duration(seconds: int | None) -> str:
    if seconds is None:
        return ""
    minutes, seconds = divmod(seconds, 60)
    if minutes:
        return _("%(minutes)s min %(seconds)s s") % {"minutes": minutes, "seconds": seconds}
    return _("%(seconds)s s") % {"seconds": seconds}


def bad_rows(job: ImportJob) -> list[dict]:
    language = get_language() or "fi"
    return [{"line": error["line"], "column": error.get("field") or "", "reason": reason(error, language)}
            for error in job.errors]


def summary(job: ImportJob) -> list[dict]:
    """Rows by site, with the site's name, largest first; only for a job whose every row is good."""
    if job.error_count or job.state not in (JobState.CHECKED, JobState.COMMITTED):
        return []
    counts = {int(site): count for site, count in job.summary.get("sites", {}).items() if str(site).isdigit()}
    names = dict(Organisation.objects.filter(pk__in=counts).values_list("pk", "name"))
    return sorted(({"site": names.get(site, str(site)), "rows": count} for site, count in counts.items()),
                  key=lambda entry: (-entry["rows"], entry["site"]))
