"""The /api/v1/ application: one NinjaAPI, its routers, its OpenAPI document and docs page."""

from __future__ import annotations

from ninja import NinjaAPI

from api.auth import API_AUTH
from api.routers import actions, events, identities, regions

DESCRIPTION = """\
The sesops REST API: what the dashboard shows, for scripts, pipelines and bots.

Authenticate with an API token (`Authorization: Bearer sesops_...`), created on the
*API tokens* page of your account. A token acts with its owner's role (viewer reads,
operator acts), narrowed by its scope: a `read` token never acts. In the browser, this
page uses your session (writes carry the CSRF token).
"""

api = NinjaAPI(
    title="sesops API",
    version="1",
    description=DESCRIPTION,
    auth=API_AUTH,
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
)
api.add_router("/", identities.router)
api.add_router("/", regions.router)
api.add_router("/", events.router)
api.add_router("/", actions.router)
