"""A readable API reference: the OpenAPI document rendered server-side into plain HTML.

No script, no CDN (machines and some users have no internet beyond the API): headings per
tag, one section per operation with its parameters, body and answers, the schemas as
tables, the webhooks agencies receive. Semantic HTML, a skip link, readable without CSS.
"""

from __future__ import annotations

import html
import json

_CSS = """
body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:0 auto;padding:1rem;color:#1b1b1b}
a{color:#005ea2}a:focus{outline:3px solid #fd0}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem}
code,pre{font-family:ui-monospace,monospace;font-size:.9em}
pre{background:#f0f0f0;padding:.5rem;overflow:auto}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{border:1px solid #aaa;padding:.25rem .5rem;text-align:left;vertical-align:top}
.method{display:inline-block;min-width:4.5rem;font-weight:bold}
section.op{border-top:2px solid #dfe1e2;margin-top:1.5rem}
"""

_e = html.escape


def _anchor(*parts: str) -> str:
    return "-".join(p.strip("/").replace("/", "-").replace("{", "").replace("}", "") for p in parts)


def _type(schema: dict | None) -> str:
    if not schema:
        return "any"
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return f'<a href="#schema-{_e(name)}">{_e(name)}</a>'
    for key in ("oneOf", "anyOf", "allOf"):
        if key in schema:
            sep = " and " if key == "allOf" else " or "
            return sep.join(_type(s) for s in schema[key])
    if "const" in schema:
        return f"<code>{_e(json.dumps(schema['const']))}</code>"
    if "enum" in schema:
        return "one of " + ", ".join(f"<code>{_e(json.dumps(v))}</code>" for v in schema["enum"])
    kind = schema.get("type", "object")
    if kind == "array":
        return "list of " + _type(schema.get("items"))
    text = _e(str(kind))
    if "format" in schema:
        text += f" ({_e(schema['format'])})"
    return text


def _constraints(schema: dict) -> str:
    keys = ("pattern", "minLength", "maxLength", "minimum", "maximum", "minItems", "maxItems")
    bits = [f"{k}: <code>{_e(str(schema[k]))}</code>" for k in keys if k in schema]
    for option in schema.get("anyOf", []):
        bits += [f"{k}: <code>{_e(str(option[k]))}</code>" for k in keys if k in option]
    if "default" in schema:
        bits.append(f"default: <code>{_e(json.dumps(schema['default']))}</code>")
    return "; ".join(bits)


def _parameters(params: list[dict]) -> str:
    rows = "".join(
        f"<tr><td><code>{_e(p['name'])}</code></td><td>{_e(p['in'])}</td>"
        f"<td>{'yes' if p.get('required') else 'no'}</td><td>{_type(p.get('schema'))}</td>"
        f"<td>{_e(p.get('description', ''))} {_constraints(p.get('schema', {}))}</td></tr>"
        for p in params
    )
    return (
        "<table><caption>Parameters</caption><tr><th scope=col>name</th><th scope=col>in</th>"
        f"<th scope=col>required</th><th scope=col>type</th><th scope=col>notes</th></tr>"
        f"{rows}</table>"
    )


def _operation(method: str, path: str, op: dict, level: int = 3) -> str:
    anchor = _anchor(method, path)
    out = [
        f'<section class="op" id="{_e(anchor)}" aria-labelledby="{_e(anchor)}-h">',
        f'<h{level} id="{_e(anchor)}-h"><span class="method">{_e(method.upper())}</span> '
        f"<code>{_e(path)}</code></h{level}>",
        f"<p>{_e(op.get('summary', ''))}</p>",
    ]
    if op.get("description"):
        out.append(f"<p>{_e(op['description'])}</p>")
    security = op.get("security")
    if security:
        names = [" + ".join(req) or "none (anonymous)" for req in security]
        out.append("<p>Credentials: " + _e(" or ".join(names)) + "</p>")
    if op.get("x-roles"):
        out.append("<p>Roles: " + _e(", ".join(op["x-roles"])) + "</p>")
    if op.get("parameters"):
        out.append(_parameters(op["parameters"]))
    body = op.get("requestBody", {}).get("content", {})
    for media, content in body.items():
        out.append(f"<p>Body (<code>{_e(media)}</code>): {_type(content.get('schema'))}</p>")
    rows = []
    for status, response in op.get("responses", {}).items():
        content = response.get("content", {})
        kinds = "; ".join(
            f"<code>{_e(m)}</code> {_type(c.get('schema'))}" for m, c in content.items()
        )
        headers = ", ".join(f"<code>{_e(h)}</code>" for h in response.get("headers", {}))
        rows.append(
            f"<tr><td>{_e(status)}</td><td>{_e(response.get('description', ''))}</td>"
            f"<td>{kinds}</td><td>{headers}</td></tr>"
        )
    out.append(
        "<table><caption>Answers</caption><tr><th scope=col>status</th><th scope=col>meaning</th>"
        "<th scope=col>body</th><th scope=col>headers</th></tr>" + "".join(rows) + "</table>"
    )
    out.append("</section>")
    return "\n".join(out)


def _schema(name: str, schema: dict) -> str:
    out = [f'<section id="schema-{_e(name)}"><h3>{_e(name)}</h3>']
    if schema.get("description"):
        out.append(f"<p>{_e(schema['description'])}</p>")
    required = set(schema.get("required", []))
    props = schema.get("properties", {})
    if props:
        rows = "".join(
            f"<tr><td><code>{_e(k)}</code></td><td>{'yes' if k in required else 'no'}</td>"
            f"<td>{_type(v)}</td><td>{_e(v.get('description', ''))} {_constraints(v)}</td></tr>"
            for k, v in props.items()
        )
        out.append(
            "<table><tr><th scope=col>field</th><th scope=col>required</th>"
            f"<th scope=col>type</th><th scope=col>notes</th></tr>{rows}</table>"
        )
    elif "enum" in schema:
        out.append(f"<p>{_type(schema)}</p>")
    out.append("</section>")
    return "\n".join(out)


def render(doc: dict) -> str:
    info = doc["info"]
    by_tag: dict[str, list] = {}
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            by_tag.setdefault(op.get("tags", ["other"])[0], []).append((method, path, op))
    toc = []
    body = []
    for tag, ops in by_tag.items():
        toc.append(f'<li><a href="#tag-{_e(tag)}">{_e(tag)}</a><ul>')
        body.append(f'<h2 id="tag-{_e(tag)}">{_e(tag)}</h2>')
        for method, path, op in ops:
            toc.append(
                f'<li><a href="#{_e(_anchor(method, path))}">{_e(method.upper())} '
                f"<code>{_e(path)}</code></a></li>"
            )
            body.append(_operation(method, path, op))
        toc.append("</ul></li>")
    webhooks = [
        _operation("post", f"(your webhook URL) — {event}", ops["post"])
        for event, ops in doc.get("webhooks", {}).items()
    ]
    schemas = [_schema(n, s) for n, s in sorted(doc["components"]["schemas"].items())]
    servers = "".join(
        f"<li><code>{_e(s['url'])}</code> — {_e(s.get('description', ''))}</li>"
        for s in doc.get("servers", [])
    )
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(info["title"])} {_e(info["version"])} — reference</title>
<style>{_CSS}</style>
</head>
<body>
<a class="skip" href="#main">Skip to the reference</a>
<header>
<h1>{_e(info["title"])} <small>{_e(info["version"])}</small></h1>
<p>{_e(info.get("description", ""))}</p>
<p>Machine-readable: <a href="openapi.json">openapi.json</a> (OpenAPI {_e(doc["openapi"])}).</p>
<h2>Servers</h2><ul>{servers}</ul>
<nav aria-label="Operations"><h2>Contents</h2><ul>{"".join(toc)}
<li><a href="#webhooks">webhooks (what agencies receive)</a></li>
<li><a href="#schemas">schemas</a></li></ul></nav>
</header>
<main id="main">
{"".join(body)}
<h2 id="webhooks">Webhooks: what agencies receive</h2>
{"".join(webhooks)}
<h2 id="schemas">Schemas</h2>
{"".join(schemas)}
</main>
</body>
</html>
"""
