"""Uploaded files are bounded as they arrive: a file longer than KAIKUKANTA_MAX_UPLOAD_BYTES is skipped (its
bytes read and dropped, never kept in memory or on disk) and the request marked, so that the view refuses it
with a clear message instead of finding no file. The form's other fields (the CSRF token) still arrive."""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile

TOO_LARGE_ATTRIBUTE = "_kk_upload_too_large"


class BoundedUploadHandler(FileUploadHandler):
    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.KAIKUKANTA_MAX_UPLOAD_BYTES:
            setattr(self.request, TOO_LARGE_ATTRIBUTE, True)
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size):
        return None


def upload_too_large(request) -> bool:
    return getattr(request, TOO_LARGE_ATTRIBUTE, False)
