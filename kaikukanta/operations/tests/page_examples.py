"""The status page: the national admin's alone. Prepared files: each its owner's alone."""

from django.core.files.base import ContentFile

from kaikukanta.testing import SIGNED_IN, PageExample

REPORT_CALLERS = {"admin", "coordinator", "other_coordinator"}


def _file_of(username: str, *, stored: bool = False):
    def make(network):
        from kaikukanta.operations import files
        from kaikukanta.operations.models import PreparedFile

        owner = network.users[username]
        prepared = PreparedFile.objects.create(owner=owner, kind=PreparedFile.Kind.AREA_EXPORT, area=owner.area,
                                               state=PreparedFile.State.READY, progress=100)
        if stored:
            prepared.stored_name = files.storage().save(f"{prepared.pk}.zip", ContentFile(b"PK\x05\x06" + bytes(18)))
            prepared.save()
        return {"file_id": prepared.pk}
    return make


EXAMPLES = {
    "operations:status": PageExample(allowed={"admin"}),
    "operations:prepared_files": PageExample(allowed=SIGNED_IN),
    # Who may read an area's (or the network's) statistics may have its annual report prepared.
    "operations:start_report": PageExample(allowed=REPORT_CALLERS, method="post"),
    # A coordinator's own area; the national admin without a chosen area is sent to choose one.
    "operations:start_area_export": PageExample(allowed=REPORT_CALLERS, method="post"),
    "operations:prepared_file": PageExample(allowed={"coordinator"}, kwargs=_file_of("coordinator")),
    "operations:download_prepared_file": PageExample(allowed={"coordinator"},
                                                     kwargs=_file_of("coordinator", stored=True)),
}
