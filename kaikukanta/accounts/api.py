"""Account endpoints: users and their API tokens."""

import datetime
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field, StrictBool, StrictInt, StrictStr, StringConstraints

from kaikukanta.accounts.caller import Caller
from kaikukanta.core.api_support import PatchSchema, StrictSchema, keyset_page

from . import selectors, services
from .models import User

router = Router(tags=["accounts"])

RoleName = Literal["national_admin", "area_coordinator", "distributor", "venue"]
Language = Literal["fi", "sv", "en"]
Username = Annotated[StrictStr, StringConstraints(min_length=1, max_length=150)]
Password = Annotated[StrictStr, Field(description="Checked by the password validators; without one the user "
                                                  "has no password and works with API tokens only.")]


class UserIn(StrictSchema):
    username: Username
    password: Password | None = None
    role: RoleName
    organisation_id: StrictInt | None = Field(None, description="Required for distributor and venue users.")
    area_id: StrictInt | None = Field(None, description="Required for area coordinators.")
    language: Language = "fi"


class UserPatch(PatchSchema):
    password: Password | None = None
    current_password: StrictStr | None = Field(
        None, description="Required to change one's own password (a token alone cannot). A manager's new "
                          "password for someone else is a reset: it ends that user's sessions and revokes "
                          "their tokens.")
    language: Language | None = None
    active: StrictBool | None = Field(None, description="false locks the user out of every call.")


class UserOut(Schema):
    id: int
    username: str
    role: str
    area_id: int | None
    organisation_id: int | None
    language: str
    active: bool


class UserPage(Schema):
    results: list[UserOut]
    next: str | None


class UserFilter(Schema):
    role: RoleName | None = None
    organisation_id: int | None = None


class TokenIn(StrictSchema):
    expires_at: datetime.datetime | None = Field(
        None, description="With an offset, in the future, at most the longest token lifetime (365 days unless "
                  "configured) away. Default: that lifetime.")


class TokenOut(Schema):
    token: str = Field(description="The secret, shown only this once.")
    id: int
    user_id: int
    expires_at: datetime.datetime | None


def _user_body(user: User) -> dict:
    return {"id": user.pk, "username": user.username, "role": user.role, "area_id": user.area_id,
            "organisation_id": user.organisation_id, "language": user.language, "active": user.is_active}


@router.post("/users", response={201: UserOut})
def create_user(request: HttpRequest, payload: UserIn):
    """Create a user. The national admin manages everyone; a coordinator the distributor and venue users of
    its area's sites. Errors: 400 invalid (username, password, role, a missing or superfluous area_id or
    organisation_id, a site of the wrong kind), 403 forbidden, 409 username_taken."""
    user = services.create_user(Caller.api(request), **payload.model_dump())
    return Status(201, _user_body(user))


@router.get("/users", response=UserPage)
def list_users(request: HttpRequest, filters: Query[UserFilter]):
    """Users the caller may manage, and itself."""
    users = selectors.user_list(request.user, role=filters.role, organisation_id=filters.organisation_id)
    return keyset_page(request, users, _user_body)


@router.get("/users/{user_id}", response=UserOut)
def get_user(request: HttpRequest, user_id: int):
    """Errors: 403 forbidden, 404 not_found."""
    return _user_body(selectors.user_for(request.user, user_id))


@router.patch("/users/{user_id}", response=UserOut)
def update_user(request: HttpRequest, user_id: int, payload: UserPatch):
    """Errors: 400 invalid, 400 current_password_wrong (one's own password without the right current one),
    403 forbidden, 404 not_found. `"active": false` also revokes the user's tokens and ends their sessions."""
    return _user_body(services.update_user(Caller.api(request), user_id, **payload.changes()))


@router.post("/users/{user_id}/tokens", response={201: TokenOut})
def create_token(request: HttpRequest, user_id: int, payload: TokenIn | None = None):
    """A new API token for the user, by whoever may manage that user or the user itself.
    Errors: 400 invalid (expires_at not in the future), 403 forbidden, 404 not_found."""
    expires_at = payload.expires_at if payload is not None else None
    issued = services.issue_token(Caller.api(request), user_id, expires_at=expires_at)
    return Status(201, {"token": issued.secret, "id": issued.token.pk, "user_id": issued.token.user_id,
                 "expires_at": issued.token.expires_at})


@router.delete("/users/{user_id}/tokens/{token_id}", response={204: None})
def revoke_token_by_id(request: HttpRequest, user_id: int, token_id: int):
    """Revoke one of the user's tokens by its id (its owner, or whoever may manage the owner); the secret
    never travels in a URL. Revoking a revoked token again answers 204 and changes nothing.
    Errors: 403 forbidden, 404 not_found (no such token of that user)."""
    services.revoke_token_by_id(Caller.api(request), token_id, user_id=user_id)
    return Status(204, None)


@router.delete("/tokens/{token}", response={204: None})
def revoke_token(request: HttpRequest, token: str):
    """Revoke a token (its owner, or whoever may manage the owner). Errors: 403 forbidden, 404 not_found."""
    services.revoke_token(Caller.api(request), token)
    return Status(204, None)
