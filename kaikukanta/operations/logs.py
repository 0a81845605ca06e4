"""Structured logs: JSON lines (python-json-logger) carrying the id of the request they belong to.

Nothing about a holder is ever logged: the access line names the route pattern (`cards/<str:number>`), not
the path, and no query string, body or header other than the request id is written."""

import contextvars
import logging

from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

from kaikukanta.core.log_masking import mask

request_id = contextvars.ContextVar("request_id", default="")


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        if not getattr(record, "request_id", ""):
            record.request_id = request_id.get()
        return True


class JsonFormatter(_JsonFormatter):
    """A JSON line, its whole text (message, traceback, SQL) passed through the log rule's `mask`."""

    def format(self, record):
        return mask(super().format(record))
