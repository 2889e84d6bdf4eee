"""Public directory: categories and agencies (so clients can offer choices)."""

from __future__ import annotations

from chalice import Blueprint

from .. import bootstrap
from ..services.ports import InvalidCursor
from .endpoint import endpoint, json_response
from .endpoint import schemas as s
from .problems import invalid_field

bp = Blueprint(__name__)
_ERR = ("ProblemOut", "Problem details (RFC 9457).")


@endpoint(
    bp,
    "/v1/categories",
    "GET",
    summary="The category taxonomy",
    tags=("directory",),
    responses={200: ("CategoryList", "All categories.")},
)
def list_categories(call):
    items = [
        s.CategoryOut(
            code=c.code,
            name=c.name,
            name_en=c.name_en,
            scope=c.scope,
            description=c.description,
            description_en=c.description_en,
        )
        for c in bootstrap.directory().categories()
    ]
    return json_response(s.CategoryList(items=items), headers={"Cache-Control": "max-age=300"})


@endpoint(
    bp,
    "/v1/agencies",
    "GET",
    summary="The agency directory, a page at a time",
    tags=("directory",),
    query="AgencyListQuery",
    responses={200: ("AgencyPage", "A page of agencies."), 422: _ERR},
)
def list_agencies(call):
    try:
        page = bootstrap.directory().agencies(call.query.limit, call.query.cursor)
    except InvalidCursor:
        raise invalid_field(
            "cursor", "not a cursor from this API", "invalid_cursor", where="query string"
        ) from None
    items = [agency_out(a) for a in page.items]
    return json_response(
        s.AgencyPage(items=items, next_cursor=page.next_cursor),
        headers={"Cache-Control": "max-age=60"},
    )


def agency_out(a, model: str = "AgencyOut"):
    """The directory entry as clients see it; ``AgencyAdminOut`` adds admin-only fields."""
    fields = dict(
        id=a.id,
        name=a.name,
        short_name=a.short_name,
        type=a.type,
        parent_id=a.parent_id,
        region_code=a.region_code,
        categories=list(a.categories),
        website=a.website,
        email=a.email,
    )
    if model == "AgencyAdminOut":
        fields.update(active=a.active, sqs_queue_url=a.sqs_queue_url)
    return getattr(s, model)(**fields)
