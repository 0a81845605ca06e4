"""Bearer-token authentication of the API: the token, its owner and the owner's site in one statement."""

import functools
import hmac
from datetime import timedelta

from django.db import connection
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from kaikukanta.core import sql
from kaikukanta.core.api_support import token_digest
from kaikukanta.core.errors import Code, Refusal

from .models import User
from .policy import SITE_ACTIVE_ATTRIBUTE, account_usable

LAST_USED_RESOLUTION = timedelta(minutes=5)


class BearerAuth(HttpBearer):
    """Tokens are long random secrets, so a SHA-256 digest looked up by index is enough (no slow hash per request)."""

    def authenticate(self, request: HttpRequest, token: str):
        digest = token_digest(token)
        row = sql.fetch_one(_token_owner_sql(), [digest])
        if row is None:
            return None
        token_id, stored_digest, expires_at, last_used_at, revoked_at, organisation_active, *values = row
        split = len(_TOKEN_OWNER_USER_FIELDS)
        user_values, organisation_values = values[:split], values[split:]
        if not hmac.compare_digest(stored_digest, digest):
            return None
        now = timezone.now()
        expires_at = sql.as_datetime(expires_at)
        if expires_at is not None and expires_at <= now:
            return None
        user = User.from_db(connection.alias, _TOKEN_OWNER_USER_FIELDS, user_values)
        setattr(user, SITE_ACTIVE_ATTRIBUTE, bool(organisation_active))
        if not user.is_active:
            return None
        if not account_usable(user):
            # Staff of a site taken out of the network: `403 forbidden`, as API.md says, whether or not the
            # deactivation has revoked the token (it has, unless the flag was set some other way).
            raise Refusal(Code.FORBIDDEN)
        if revoked_at is not None:
            return None
        if user.organisation_id is not None:
            # The site read in the same statement, so the caller's site (accounts.caller) costs no query.
            organisation_model = User._meta.get_field("organisation")
            organisation_model.set_cached_value(user, organisation_model.related_model.from_db(
                connection.alias, _organisation_fields(), organisation_values))
        last_used_at = sql.as_datetime(last_used_at)
        if last_used_at is None or now - last_used_at > LAST_USED_RESOLUTION:
            sql.execute("UPDATE accounts_apitoken SET last_used_at = %s WHERE id = %s", [now, token_id])
        request.user = user
        return user


# The owner's fields in the model's field order, as Model.from_db expects them.
_TOKEN_OWNER_USER_FIELDS = ["id", "is_superuser", "username", "is_staff", "is_active", "role", "area_id",
                            "organisation_id", "language"]
_TOKEN_OWNER_SQL = """
    SELECT t.id, t.digest, t.expires_at, t.last_used_at, t.revoked_at, o.active,
           u.id, u.is_superuser, u.username, u.is_staff, u.is_active, u.role, u.area_id, u.organisation_id, u.language,
           {organisation_columns}
    FROM accounts_apitoken t
    JOIN accounts_user u ON u.id = t.user_id
    LEFT JOIN network_organisation o ON o.id = u.organisation_id
    WHERE t.digest = %s
"""


@functools.cache
def _organisation_columns() -> list:
    from django.apps import apps

    return list(apps.get_model("network", "Organisation")._meta.concrete_fields)


def _organisation_fields() -> list[str]:
    return [field.attname for field in _organisation_columns()]


@functools.cache
def _token_owner_sql() -> str:
    return _TOKEN_OWNER_SQL.format(
        organisation_columns=", ".join(f"o.{field.column}" for field in _organisation_columns()))
