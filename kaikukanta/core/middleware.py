import contextvars
import re

from csp.constants import HEADER as CSP_HEADER
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.db import DataError
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django_otp.middleware import OTPMiddleware

from .api_support import error_response, language_of
from .errors import Code, Refusal

API_PREFIX = "/api/"
_CODES_BY_STATUS = {404: Code.NOT_FOUND, 405: Code.METHOD_NOT_ALLOWED}


class ApiErrorBodyMiddleware:
    """Answers that never reach an API operation (an unknown path, a method the path does not have)
    get the contract's error body too, instead of Django's HTML pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        response = self.get_response(request)
        code = _CODES_BY_STATUS.get(response.status_code)
        if (code is None or not request.path.startswith(API_PREFIX)
                or response.get("Content-Type", "").startswith("application/json")):
            return response
        rendered = error_response(request, Refusal(code))
        if "Allow" in response:
            rendered["Allow"] = response["Allow"]
        return rendered


class DebugNotFoundMiddleware:
    """With DEBUG on (`make run`), Django answers an unknown address with its technical 404 page, which lists
    every URL pattern of the project; the app's own 404 (`core/error_pages.py`) is what every user sees in
    production, so it is shown in development too. The app's own pages are marked by `core.pages.refused`,
    so only Django's page is replaced. Under /api/ ApiErrorBodyMiddleware gives the JSON body already."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        response = self.get_response(request)
        if (settings.DEBUG and response.status_code == 404 and not request.path.startswith(API_PREFIX)
                and not getattr(response, "kaikukanta_page", False)):
            from .error_pages import page_not_found

            return page_not_found(request)
        return response


_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


class HostileInputMiddleware:
    """A NUL byte in a query, form or JSON value is refused as `400 invalid` naming the parameter, before
    any view: PostgreSQL cannot store or compare it (the driver raises), and no text of the register has
    one. Reading the body here also turns an oversized one into the 413 of `core/error_pages.py`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        field = self._nul_field(request)
        if field is not None:
            from .error_pages import answer

            return answer(request, Refusal(Code.INVALID, field=field))
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception):
        """A number beyond what the database holds (an id of 10**30 in a filter: SQLite's driver refuses it,
        PostgreSQL answers "out of range") or a value the column cannot take is malformed input, not a fault
        of the server."""
        if isinstance(exception, OverflowError | DataError):
            from .error_pages import answer

            return answer(request, Refusal(Code.INVALID))
        return None

    @staticmethod
    def _nul_field(request: HttpRequest) -> str | None:
        for values in (request.GET, request.POST if request.method == "POST" else {}):
            for name, value in values.lists() if hasattr(values, "lists") else ():
                if "\x00" in name or any("\x00" in item for item in value):
                    return name.replace("\x00", "")
        if request.content_type == "application/json" and request.method in ("POST", "PUT", "PATCH"):
            body = request.body
            # The substring test first: on a body without one it takes 0.3 µs, the expression's search 1.8 µs.
            if b"\x00" in body or (b"\\u0000" in body and _JSON_NUL.search(body)):
                return "body"
        return None


# What a view may set on its response to change or drop the policy (django-csp's decorators).
_PER_RESPONSE_POLICY = ("_csp_config", "_csp_update", "_csp_replace", "_csp_exempt",
                        "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro", "_csp_exempt_ro")


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware with the header built once per policy rather than on every response.

    django-csp assembles the header from the settings for each response, twice (enforced and report-only):
    about 0.1 ms, 8 % of the desk's card check. Nothing here uses nonces or per-view policies, so for a
    response without them the header changes only when the settings do; anything else is left to django-csp."""

    def __init__(self, get_response):
        super().__init__(get_response)
        self._built_for = None
        self._header = ""

    def process_response(self, request, response):
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", None)
        if (getattr(request, "_csp_nonce", None) is not None or settings.DEBUG or not policy
                or policy.get("EXCLUDE_URL_PREFIXES") or getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
                or any(hasattr(response, name) for name in _PER_RESPONSE_POLICY)):
            return super().process_response(request, response)
        if policy is not self._built_for:
            self._header, self._built_for = build_policy(), policy
        if CSP_HEADER not in response:
            response[CSP_HEADER] = self._header
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


# Raised by whatever hands holder data out during the request (cards.selectors.record_holder_read, the one
# function that writes the `holder_data.read` audit row), read by NoStoreMiddleware.
_holder_data_sent = contextvars.ContextVar("kk_holder_data_sent", default=False)


def mark_holder_data() -> None:
    """This request's response carries holder data: no cache (browser, proxy) may keep it."""
    _holder_data_sent.set(True)


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every response that carries holder data (marked with
    `mark_holder_data`) and on every download or export (any response with a Content-Disposition: CSV,
    XLSX, PDF, the area export), so that a shared computer's browser cache or a proxy keeps none of it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        token = _holder_data_sent.set(False)
        try:
            response = self.get_response(request)
            sent = _holder_data_sent.get()
        finally:
            _holder_data_sent.reset(token)
        if sent or response.has_header("Content-Disposition"):
            patch_cache_control(response, no_store=True)
        return response


def bearer_api_request(request: HttpRequest) -> bool:
    """An API request carrying a bearer token: it is authenticated by the token alone (core.api_support), so
    sessions, CSRF, the second factor, messages and login throttling have nothing to do for it."""
    return (request.path_info.startswith(API_PREFIX)
            and request.META.get("HTTP_AUTHORIZATION", "")[:7].lower() == "bearer ")


def pages_only(wrapped: type, hooks: tuple[str, ...] = ()) -> type:
    """A subclass of the middleware `wrapped` that runs it for every request except a bearer API request, which
    goes straight on to the next middleware. Measured on the desk's card check: the page-only middleware cost
    about 0.3 ms of the 1.4 ms of CPU a check takes in Django. A bearer request gets `request.user` anonymous
    until the token names its owner, as AuthenticationMiddleware would have left it. `hooks` names the class's
    process_view / process_exception / process_template_response, which are skipped the same way."""

    def __call__(self, request):
        if bearer_api_request(request):
            if not hasattr(request, "user"):
                from django.contrib.auth.models import AnonymousUser

                request.user = AnonymousUser()
            return self.get_response(request)
        return wrapped.__call__(self, request)

    namespace = {"__call__": __call__, "__doc__": f"{wrapped.__name__}, for every request but a bearer API one."}
    for hook in hooks:
        def delegate(self, request, *args, _hook=hook):
            if bearer_api_request(request):
                return None
            return getattr(wrapped, _hook)(self, request, *args)
        namespace[hook] = delegate
    return type(f"Page{wrapped.__name__}", (wrapped,), namespace)


# The page-only middleware of settings.MIDDLEWARE, skipped for bearer API requests (see pages_only). CSRF's
# and django-axes' middleware stay as they are: API views are CSRF-exempt and axes only reads an attribute after the
# view, so they cost little, and Django's deployment check and axes' system check name them.
PageSessionMiddleware = pages_only(SessionMiddleware)
PageAuthenticationMiddleware = pages_only(AuthenticationMiddleware)
PageOTPMiddleware = pages_only(OTPMiddleware)
PageMessageMiddleware = pages_only(MessageMiddleware)


class LanguageMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware for pages; a bearer API request gets the language its messages are written in
    (Accept-Language alone, `api_support.language_of`, as every API answer reads it) activated without the
    page's look-ups of cookie, session and URL prefix, and the same answer headers (`Content-Language`, `Vary:
    Accept-Language`). Measured per fresh request: 26 µs in LocaleMiddleware, 19 µs here (README)."""

    def __call__(self, request):
        if not bearer_api_request(request):
            return super().__call__(request)
        language = language_of(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", language)
        return response
