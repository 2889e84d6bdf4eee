"""The Chalice app as a WSGI application, through Chalice's own local gateway (the one
`chalice local` and chalice.test.Client use): what a client generator talks to in tests."""

from __future__ import annotations

from http import HTTPStatus
from urllib.parse import quote

from chalice.config import Config
from chalice.local import LocalGateway, LocalGatewayException


def unknown_path() -> dict:
    """What API Gateway answers for a path no route has: the template's gateway response."""
    from devstack.resources import load_template

    body_of_api = load_template()["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]
    props = body_of_api["x-amazon-apigateway-gateway-responses"]["MISSING_AUTHENTICATION_TOKEN"]
    headers = {
        name.removeprefix("gatewayresponse.header."): value.strip("'")
        for name, value in props["responseParameters"].items()
        if isinstance(value, str)
    }
    body = props["responseTemplates"]["application/json"]
    return {"statusCode": int(props["statusCode"]), "headers": headers, "body": body}


def wsgi(app):
    gateway = LocalGateway(app, Config())

    def application(environ, start_response):
        method = environ["REQUEST_METHOD"]
        raw = environ.get("RAW_URI") or quote(
            environ.get("PATH_INFO", "/"), safe="/%:@!$&'()*+,;=-._~"
        )
        path = raw.split("?")[0]
        if environ.get("QUERY_STRING"):
            path += "?" + environ["QUERY_STRING"]
        headers = {
            key[5:].replace("_", "-").lower(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        length = environ.get("CONTENT_LENGTH")
        if length:
            headers["content-length"] = length
        body = environ["wsgi.input"].read(int(length)) if length else b""
        try:
            response = gateway.handle_request(method, path, headers, body)
        except LocalGatewayException as e:
            if e.CODE == 403 and b"Authentication" in (e.body or b""):
                response = unknown_path()  # API Gateway's gateway response
            else:
                response = {"statusCode": e.CODE, "headers": e.headers, "body": e.body}
        status = response["statusCode"]
        out = response.get("body") or b""
        if isinstance(out, str):
            out = out.encode()
        start_response(
            f"{status} {HTTPStatus(status).phrase}",
            [(k, str(v)) for k, v in (response.get("headers") or {}).items()],
        )
        return [out]

    return application
