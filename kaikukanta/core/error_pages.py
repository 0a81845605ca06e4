"""The one place an error that escaped every view is answered: on the API the contract's JSON error body,
on a page the app's own page with the localised message. Django's bare pages ("Bad Request (400)", the
HTML 500) are never shown.

A body over DATA_UPLOAD_MAX_MEMORY_SIZE (or too many fields) is 413 `too_large`; any other suspicious or
malformed request 400 `invalid`."""

import logging

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest

from .errors import Code, Refusal

logger = logging.getLogger(__name__)
API_PREFIX = "/api/"


def _too_large(exception) -> bool:
    return isinstance(exception, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent)


def answer(request: HttpRequest, refusal: Refusal):
    """`refusal` as the door the request came through shows it."""
    if request.path.startswith(API_PREFIX):
        from .api_support import error_response

        return error_response(request, refusal)
    from .pages import refused

    if not hasattr(request, "user"):
        # The error came before authentication (a body too large for the session middleware to read).
        from django.contrib.auth.models import AnonymousUser

        request.user = AnonymousUser()
    try:
        return refused(request, refusal)
    except Exception:  # noqa: BLE001 - the page itself failing (a broken template, the database): a plain page
        logger.exception("the error page could not be rendered")
        from django.http import HttpResponse

        return HttpResponse(refusal.message("fi"), status=refusal.status, content_type="text/plain; charset=utf-8")


def bad_request(request, exception=None):
    return answer(request, Refusal(Code.TOO_LARGE if _too_large(exception) else Code.INVALID))


def permission_denied(request, exception=None):
    return answer(request, Refusal(Code.FORBIDDEN))


def page_not_found(request, exception=None):
    return answer(request, Refusal(Code.NOT_FOUND))


def server_error(request):
    return answer(request, Refusal(Code.SERVER_ERROR))
