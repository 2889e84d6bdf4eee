"""Open data: the daily exports of the public feed and statistics, with stable URLs."""

from __future__ import annotations

from chalice import Blueprint, Response

from .. import bootstrap
from ..lazy import lazy_module
from .endpoint import endpoint, json_response
from .endpoint import schemas as s
from .problems import Problem

# Loaded when a route first uses them: a cold start pays only for what its request needs.
open_data = lazy_module("chalicelib.services.open_data")

bp = Blueprint(__name__)
_ERR = ("ProblemOut", "Problem details (RFC 9457).")
LINK_SECONDS = 300
CACHE = "public, max-age=300"


def _url(day: str, name: str) -> str:
    return f"/v1/open-data/{day}/{name}"


@endpoint(
    bp,
    "/v1/open-data",
    "GET",
    summary="Open data: the daily exports (CSV and JSON) and their data dictionary",
    description="Every day the public feed and the published statistics are exported as CSV "
    "and JSON, under the same privacy rules as the feed. Each file has a stable URL that "
    "redirects to it; /v1/open-data/latest/{file} is always the newest.",
    tags=("public",),
    responses={200: ("OpenDataOut", "The exports, newest first.")},
)
def list_open_data(call):
    index = open_data.read_index(bootstrap.get("open_data_store"))
    exports = [
        s.OpenDataExportOut(
            date=e["date"],
            generated_at=e["generated_at"],
            files=[s.OpenDataFileOut(url=_url(e["date"], f["name"]), **f) for f in e["files"]],
        )
        for e in index["exports"]
    ]
    latest = exports[0].date if exports else None
    out = s.OpenDataOut(
        licence=index["licence"],
        latest=latest,
        dictionary_url=_url("latest", open_data.DICTIONARY) if latest else None,
        exports=exports,
    )
    return json_response(out, headers={"Cache-Control": CACHE})


@endpoint(
    bp,
    "/v1/open-data/{export_date}/{file_name}",
    "GET",
    summary="One open-data file (302 to it)",
    tags=("public",),
    responses={
        302: (None, "Location: a link to the file, valid for 5 minutes."),
        404: _ERR,
    },
)
def open_data_file(call):
    store = bootstrap.get("open_data_store")
    exports = open_data.read_index(store)["exports"]
    day, name = call.params["export_date"], call.params["file_name"]
    if day == "latest":
        day = exports[0]["date"] if exports else None
    export = next((e for e in exports if e["date"] == day), None)
    if export is None:
        raise Problem(404, "export-not-found", "No open-data export of that date.")
    if name not in {f["name"] for f in export["files"]}:
        raise Problem(404, "file-not-found", "No such file in that export.")
    url = store.link(open_data.key_of(day, name), LINK_SECONDS)
    # shorter than the link lives, so a cached redirect never points at a dead link
    headers = {"Location": url, "Cache-Control": "public, max-age=60"}
    return Response(body="", status_code=302, headers=headers)
