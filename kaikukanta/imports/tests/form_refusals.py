"""The imports page's form (core/tests/test_form_refusals.py)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from kaikukanta.testing import FormRefusal


def _upload(name: str, content: bytes, **fields):
    return lambda network: {"kind": "cards", "area": network.area.pk,
                            "file": SimpleUploadedFile(name, content), **fields}


REFUSALS = {
    "imports:page": [
        FormRefusal("coordinator", lambda network: {"kind": "cards"}, "file"),
        FormRefusal("coordinator", _upload("kortit.xls", b"\xd0\xcf\x11\xe0"), "file"),
        FormRefusal("coordinator", _upload("kortit.csv", b""), "file"),
        FormRefusal("coordinator", _upload("kortit.csv", b"a,b\n1,2\n", kind="people"), "kind"),
        FormRefusal("admin", _upload("kortit.csv", b"a,b\n1,2\n", area="999999"), "area"),
    ],
}
WITHOUT_REFUSALS = {}
