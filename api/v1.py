"""The /api/v1/ application: one NinjaAPI, its routers, its OpenAPI document and docs page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from ninja import NinjaAPI
from ninja.errors import ValidationError
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
from pydantic import TypeAdapter

from api.auth import API_AUTH
from api.routers import actions, events, identities, regions

DESCRIPTION = """\
The sesops REST API: what the dashboard shows, for scripts, pipelines and bots.

Authenticate with an API token (`Authorization: Bearer sesops_...`), created on the
*API tokens* page of your account. A token acts with its owner's role (viewer reads,
operator acts), narrowed by its scope: a `read` token never acts. In the browser, this
page uses your session (writes carry the CSRF token).
"""

_TIME = TypeAdapter(datetime)


class _Encoder(NinjaJSONEncoder):
    """Times as pydantic writes them (microseconds, "Z"), like `ses_report --format json`:
    Django's encoder would cut them to milliseconds."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime):
            return _TIME.dump_python(o, mode="json")
        return super().default(o)


class _Renderer(JSONRenderer):
    encoder_class = _Encoder


class _OneValueParser(Parser):
    """A parameter that takes one value, given twice (`?cursor=a&cursor=b`), is refused with a
    422 naming it: django-ninja would silently keep the last value, so a script that built
    its query wrong would page or filter on something it did not mean."""

    def parse_querydict(
        self, data: MultiValueDict, list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        repeated = [k for k in data if k not in list_fields and len(data.getlist(k)) > 1]
        if repeated:
            raise ValidationError(
                [
                    {
                        "type": "repeated",
                        "loc": ["query", key],
                        "msg": f"{key} is given {len(data.getlist(key))} times: pass it once",
                    }
                    for key in repeated
                ]
            )
        return super().parse_querydict(data, list_fields, request)


api = NinjaAPI(
    title="sesops API",
    version="1",
    description=DESCRIPTION,
    auth=API_AUTH,
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
    renderer=_Renderer(),
    parser=_OneValueParser(),
)
api.add_router("/", identities.router)
api.add_router("/", regions.router)
api.add_router("/", events.router)
api.add_router("/", actions.router)
