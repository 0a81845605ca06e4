"""The WSGI application the server runs (kaikukanta/wsgi.py): a whole answer is handed over in one piece,
a streamed one as it streams, and either way Django's end-of-request work runs once."""

import io
import sys

import pytest
from django.core.signals import request_finished
from django.http import StreamingHttpResponse

from kaikukanta import wsgi

pytestmark = pytest.mark.django_db


def environ(path: str) -> dict:
    return {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "testserver",
            "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "testserver", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr}


@pytest.fixture
def finished():
    sent = []

    def receiver(**kwargs):
        sent.append(kwargs)

    request_finished.connect(receiver)
    yield sent
    request_finished.disconnect(receiver)


def test_a_whole_answer_is_one_piece_and_the_request_is_finished_once(finished):
    started = []
    body = wsgi.application(environ("/api/v1/cards/1234567890"), lambda status, headers: started.append(status))
    assert isinstance(body, list) and len(body) == 1
    assert started == ["401 Unauthorized"]
    assert b'"unauthenticated"' in body[0]
    assert len(finished) == 1


def test_a_streamed_answer_is_left_to_stream(monkeypatch, finished):
    produced = []

    def rows():
        for row in (b"a\n", b"b\n"):
            produced.append(row)
            yield row

    def streaming(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/csv")])
        return StreamingHttpResponse(rows())

    monkeypatch.setattr(wsgi, "django_application", streaming)
    body = wsgi.application(environ("/anything"), lambda status, headers: None)
    assert not isinstance(body, list) and produced == []
    assert b"".join(body) == b"a\nb\n"
    body.close()
    assert len(finished) == 1
