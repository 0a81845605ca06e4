"""The v1 HTTP API (docs/API.md): one NinjaAPI, one router per domain app."""

from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from kaikukanta.accounts.api import router as accounts_router
from kaikukanta.accounts.bearer import BearerAuth
from kaikukanta.cards.api import router as cards_router
from kaikukanta.core import openapi_docs
from kaikukanta.core.api_support import error_response, install_error_handlers
from kaikukanta.core.errors import Code, Refusal
from kaikukanta.devices.api import devices_router, offline_router
from kaikukanta.devices.conflicts_api import conflicts_router
from kaikukanta.network.api import router as network_router
from kaikukanta.programme.api import router as programme_router
from kaikukanta.stats.api import router as stats_router
from kaikukanta.visits.api import router as visits_router


class Utf8JSONRenderer(JSONRenderer):
    """Finnish and Swedish letters as themselves, not as \\u escapes: the bodies are UTF-8."""

    json_dumps_params = {"ensure_ascii": False}


# The refusals an operation can answer with, beyond what its own decorator declares. Every request can be
# malformed (400), unauthenticated (401), refused by the policy (403), throttled (429) or meet a database
# that cannot be reached (503); an operation naming an object in its path can miss it (404); a write can be
# refused by a business rule (422) or conflict with the stored state (409).
EVERY_OPERATION = (400, 401, 403, 429, 503)
NAMING_AN_OBJECT = (404,)
WRITES = (404, 409, 422)
# Reads whose query names an object (`venue_id`, `area_id`) that may not exist.
QUERY_NAMING_AN_OBJECT = {"/api/v1/devices", "/api/v1/devices/conflicts", "/api/v1/rules"}


def statuses_of(path: str, method: str) -> list[int]:
    statuses = set(EVERY_OPERATION)
    if "{" in path or path in QUERY_NAMING_AN_OBJECT:
        statuses.update(NAMING_AN_OBJECT)
    if method != "get":
        statuses.update(WRITES)
    return sorted(statuses)


def document_errors(schema: dict) -> dict:
    """Every refusal as the one shared `Error` schema, plain operation ids and examples (core/openapi_docs.py)."""
    return openapi_docs.document(schema, statuses_of,
                                 lambda status: MEANINGS_BY_STATUS_DESCRIPTION.get(status, "Refused"))


MEANINGS_BY_STATUS_DESCRIPTION = {
    400: "Malformed request (`invalid`, or a code naming the field)", 401: "Missing, unknown, expired or revoked "
    "token", 403: "The caller may not do this", 404: "No such object in the caller's reach",
    409: "Conflicts with the stored state", 422: "Refused by a business rule", 429: "Too many requests; "
    "`Retry-After` says when to try again", 503: "The database cannot be reached just now; try again",
}


class KaikukantaAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        return openapi_docs.operation_id(operation)

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        return document_errors(super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params))


api = KaikukantaAPI(
    renderer=Utf8JSONRenderer(),
    title="Kaikukanta API",
    version="1",
    description="Register and service API of the culture-and-sport card network. Errors: "
    '`{"error": {"code", "message", "field"?}}`; messages in fi, sv or en by Accept-Language.',
    auth=BearerAuth(),
    urls_namespace="api-v1",
)
install_error_handlers(api)


@api.exception_handler(OverflowError)
def number_out_of_range(request, exc):
    # SQLite's driver refuses an integer beyond 64 bits (an id or filter like 10**40) before the query runs;
    # that is malformed input, not a server error. PostgreSQL compares such a number as numeric and finds nothing.
    return error_response(request, Refusal(Code.INVALID))
# The desk's routers first: a request's path is matched against the patterns in this order.
api.add_router("", cards_router)
api.add_router("", visits_router)
api.add_router("", network_router)
api.add_router("", accounts_router)
api.add_router("", stats_router)
api.add_router("", conflicts_router)
api.add_router("", devices_router)
api.add_router("", offline_router)
api.add_router("", programme_router)
