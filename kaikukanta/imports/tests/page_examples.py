"""The imports pages: the national admin and the area's own coordinator; nobody else, not the other area's
coordinator for this area's job (it sees the page itself, for its own area)."""

from kaikukanta.imports.models import ImportJob
from kaikukanta.testing import PageExample

OWN_AREA = {"admin", "coordinator"}


def _job(network):
    job = ImportJob.objects.create(kind="cards", area=network.area, created_by=network.users["coordinator"],
                                   file_name="kortit.csv", file_format="csv")
    return {"job_id": job.pk}


EXAMPLES = {
    "imports:page": PageExample(allowed={"admin", "coordinator", "other_coordinator"}),
    "imports:job": PageExample(allowed=OWN_AREA, kwargs=_job),
    "imports:job_status": PageExample(allowed=OWN_AREA, kwargs=_job),
    "imports:commit": PageExample(allowed=OWN_AREA, kwargs=_job, method="post"),
    "imports:cancel": PageExample(allowed=OWN_AREA, kwargs=_job, method="post"),
}
