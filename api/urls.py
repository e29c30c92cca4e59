"""/api/v1/ (REST API, OpenAPI document, docs page), /account/tokens/, /metrics."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, path

from api import views_metrics, views_tokens
from api.v1 import api
from regions.roles import VIEWER, require_role


def _token_or_session(pattern: URLPattern) -> URLPattern:
    """The API authenticates each call itself (token or session, 401 otherwise): exempt it
    from the site's login redirect. The docs page stays behind the login."""
    if pattern.name == "openapi-view":
        return URLPattern(  # a page like the others: declares the role it needs
            pattern.pattern,
            require_role(VIEWER)(pattern.callback),
            pattern.default_args,
            pattern.name,
        )
    view = pattern.callback

    @wraps(view)
    def exempt(*args, **kwargs):
        return view(*args, **kwargs)

    return URLPattern(
        pattern.pattern, login_not_required(exempt), pattern.default_args, pattern.name
    )


api_patterns, api_app, api_namespace = api.urls

urlpatterns = [
    path("api/v1/", ([_token_or_session(p) for p in api_patterns], api_app, api_namespace)),
    path("account/tokens/", views_tokens.tokens_page, name="api_tokens"),
    path("account/tokens/<int:pk>/revoke/", views_tokens.revoke, name="api_token_revoke"),
    path("metrics", views_metrics.metrics, name="metrics"),
]
