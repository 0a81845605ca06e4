"""What every API module shares: token secrets and digests, strict bodies, error rendering, list paging (the
bearer-token authentication itself is accounts.bearer: it reads users)."""

import hashlib
import logging
import secrets
from typing import ClassVar
from urllib.parse import urlencode

from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils import translation
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from pydantic import ConfigDict, field_validator

from . import reasons
from .bounds import within_int4
from .errors import Code, Refusal
from .language import pick_language

TOKEN_PREFIX = "kk_"
PAGE_SIZE = 100

logger = logging.getLogger(__name__)


class StrictSchema(Schema):
    """A request body that refuses any field it does not name (a holder's name, say) instead of ignoring it."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _integers_fit_the_columns(cls, value, info):
        # The last guard before the database (core/bounds.py): the rules' own bounds are tighter.
        if not within_int4(value):
            raise ValueError("out of range")
        return value


class PatchSchema(StrictSchema):
    """A partial update: only the fields sent change. `null` is accepted only for fields that may be
    cleared; for any other field it is `400 invalid`, not a silent "leave as it is"."""

    clearable: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="after")
    @classmethod
    def _null_only_where_clearable(cls, value, info):
        if value is None and info.field_name not in cls.clearable:
            raise ValueError("may not be null")
        return value

    def changes(self) -> dict:
        return self.model_dump(exclude_unset=True)


def new_token_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def language_of(request: HttpRequest) -> str:
    return pick_language(request.headers.get("Accept-Language"))


def error_response(request: HttpRequest, refusal: Refusal) -> JsonResponse:
    response = JsonResponse(refusal.as_body(language_of(request)), status=refusal.status,
                            json_dumps_params={"ensure_ascii": False})
    if refusal.code == Code.THROTTLED and refusal.detail:
        response["Retry-After"] = refusal.detail
    return response


def _field_of(location) -> str | None:
    parts = [str(p) for p in location if p not in ("body", "payload", "query", "path")]
    return ".".join(parts) or None


def schema_refusal(errors: list[dict], language: str) -> Refusal:
    """`invalid` naming the field of the schemas' first error, with its reason in `language` (core/reasons.py:
    the error's kind and the schema's limits only, never the value sent)."""
    if not errors:
        return Refusal(Code.INVALID)
    with translation.override(language):
        reason = reasons.of_schema(errors[0])
    return Refusal(Code.INVALID, field=_field_of(errors[0].get("loc", ())), reason=reason)


def install_error_handlers(api) -> None:
    @api.exception_handler(Refusal)
    def refused(request, exc: Refusal):
        return error_response(request, exc)

    @api.exception_handler(ValidationError)
    def invalid(request, exc: ValidationError):
        return error_response(request, schema_refusal(exc.errors, language_of(request)))

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return error_response(request, Refusal(Code.UNAUTHENTICATED))

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        code = {400: Code.INVALID, 401: Code.UNAUTHENTICATED, 403: Code.FORBIDDEN, 404: Code.NOT_FOUND,
                429: Code.THROTTLED}.get(exc.status_code, Code.INVALID)
        # django-ninja's one 400 of its own: a body that cannot be parsed.
        unparsed = exc.status_code == 400 and str(exc).startswith("Cannot parse request body")
        return error_response(request, Refusal(code, reason=reasons.NOT_JSON if unparsed else None))

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return error_response(request, Refusal(Code.NOT_FOUND))

    @api.exception_handler(OperationalError)
    @api.exception_handler(InterfaceError)
    def database_unavailable(request, exc):
        # The database restarting or failing over: the request's transaction did not commit (or, if the
        # connection broke during the commit itself, a retry with the same Idempotency-Key finds the visit),
        # so the client is told to try again, in the contract's error body rather than an HTML 500 page.
        # Django closes the broken connection when the request ends; the next request connects afresh.
        logger.warning("database unavailable: %s", exc)
        response = error_response(request, Refusal(Code.UNAVAILABLE))
        response["Retry-After"] = "1"
        return response


def is_id(text: str) -> bool:
    """An id as a query carries it: ASCII digits ("²" and "١" pass `isdigit` but not `int`), within 64 bits."""
    return text.isascii() and text.isdigit() and len(text) <= 18


def keyset_page(request: HttpRequest, queryset, serialize, *, page_size: int = PAGE_SIZE) -> dict:
    """One page of a list ordered by id, with `next` pointing past its last row (stable under inserts)."""
    after = request.GET.get("after")
    if after is not None:
        if not is_id(after):
            raise Refusal(Code.INVALID, field="after")
        queryset = queryset.filter(pk__gt=int(after))
    rows = list(queryset.order_by("pk")[: page_size + 1])
    next_url = None
    if len(rows) > page_size:
        rows = rows[:page_size]
        params = request.GET.copy()
        params["after"] = str(rows[-1].pk)
        next_url = request.build_absolute_uri(request.path + "?" + urlencode(params, doseq=True))
    return {"results": [serialize(row) for row in rows], "next": next_url}
