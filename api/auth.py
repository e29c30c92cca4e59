"""Who is calling the API, and may they? Tokens (Authorization: Bearer) or the session.

The caller's role is the same as on the pages (regions.roles: viewer reads, operator acts).
A token narrows it further by its scope: a `read` token never acts, whatever its owner's role.
The session (the browsable docs) is checked for CSRF on writes by django-ninja.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from api.models import ApiToken
from api.tokens import token_authenticate
from regions.roles import OPERATOR, VIEWER, has_role


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = token_authenticate(token.strip())
        if found is None:
            return None
        request.user = found.user
        request.api_token = found  # type: ignore[attr-defined]
        return found


API_AUTH: list[Any] = [TokenAuth(), SessionAuth()]


def require(request: HttpRequest, role: str) -> None:
    """403 unless the caller holds `role`; acting (operator) also needs an `operate` token."""
    if not has_role(request.user, role):
        raise HttpError(403, f"This needs the {role} role.")
    token: ApiToken | None = getattr(request, "api_token", None)
    if role != VIEWER and token is not None and token.scope != ApiToken.Scope.OPERATE:
        raise HttpError(403, "This token is read-only: create one with the operate scope.")


def can_read(request: HttpRequest) -> None:
    require(request, VIEWER)


def can_operate(request: HttpRequest) -> None:
    require(request, OPERATOR)
