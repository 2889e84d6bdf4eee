"""The web portal: server-rendered pages for citizens (submit, track, reply, rate).

Same Chalice app, same services as the JSON API under /v1. Loaded only by the portal's
routes (``chalicelib/api/portal.py``), so Jinja2 never joins the API's cold start.
"""
