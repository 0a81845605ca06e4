"""The v1 HTTP API (../shared/docs/API.md): one NinjaAPI, one router per domain app."""

from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from kaikukanta.accounts.api import router as accounts_router
from kaikukanta.cards.api import router as cards_router
from kaikukanta.core.api_support import BearerAuth, install_error_handlers
from kaikukanta.network.api import router as network_router
from kaikukanta.stats.api import router as stats_router
from kaikukanta.visits.api import router as visits_router


class Utf8JSONRenderer(JSONRenderer):
    """Finnish and Swedish letters as themselves, not as \\u escapes: the bodies are UTF-8."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    renderer=Utf8JSONRenderer(),
    title="Kaikukanta API",
    version="1",
    description="Register and service API of the culture-and-sport card network. Errors: "
    '`{"error": {"code", "message", "field"?}}`; messages in fi, sv or en by Accept-Language.',
    auth=BearerAuth(),
    urls_namespace="api-v1",
)
install_error_handlers(api)
api.add_router("", network_router)
api.add_router("", accounts_router)
api.add_router("", cards_router)
api.add_router("", visits_router)
api.add_router("", stats_router)
