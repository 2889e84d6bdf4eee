"""The API function's cold start runs without garbage collections.

A new Lambda process loads its modules and serves its first request (where most of the
loading happens: pydantic, botocore, PynamoDB, X-Ray); that creates some 125,000 objects,
nearly all of which live as long as the process. The cyclic garbage collector, triggered
every 700 allocations, traverses them again and again: 5% of the first request's
instructions in bench/cold_start.py and more of its time (7-15% in A/B runs), to free
almost nothing (845 unreachable objects after the first request, the same peak memory).

So in Lambda (LAMBDA_TASK_ROOT is set) app.py turns the collector off before it imports
anything else, and the first event the app handles, whatever its outcome, turns it on
again after moving everything alive to the permanent generation (``gc.freeze``: the
collections of warm invocations no longer traverse what the cold start loaded; reference
counting still frees those objects). Elsewhere (tests, the local stack) nothing changes.
The queue and schedule functions import their handler modules, not app.py: their cold
starts keep the collector on.

The package ships no pydantic plugin, so in Lambda pydantic is also told not to look for
any (``PYDANTIC_DISABLE_PLUGINS``, unless the function's environment sets it): looking
reads the entry points of every installed distribution when the first model is built
(~10 ms).

And dataclasses take their methods' code from the package (chalicelib/dataclass_code.py:
compiled by ``make package``, not at every cold start; 14% of the first request).
"""

from __future__ import annotations

import gc
import os

_state = {"cold": False}


def begin() -> None:
    if "LAMBDA_TASK_ROOT" in os.environ and gc.isenabled() and not _state["cold"]:
        gc.disable()
        _state["cold"] = True
        os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
        from . import dataclass_code

        dataclass_code.install()  # the package's compiled dataclass methods, if any


def end() -> None:
    if _state["cold"]:
        _state["cold"] = False
        gc.freeze()
        gc.enable()


def middleware(event, get_response):
    """Registered for every kind of event: the first one handled ends the cold start."""
    try:
        return get_response(event)
    finally:
        end()
