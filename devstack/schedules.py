"""Run one of the app's scheduled functions once, now, against the running local stack:
`python -m devstack schedule publish_stats` (the pump runs them at their rate: hourly
ones would keep a person waiting). Its AWS calls are recorded under its name, as the
pump's are."""

from __future__ import annotations

import json
import logging
import os


def command(name: str) -> int:
    from . import aws_calls, emulator
    from .pump import EventPump
    from .stack import read_state

    state = read_state()
    os.environ.update(state["app_env"])
    emulator.forget_cached_clients()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s %(message)s")
    aws_calls.install_from_env()
    import app

    pump = EventPump(app.app, None, emulator.REGION)
    schedules = {s.name: s for s in pump.schedules()}
    if name not in schedules:
        print(f"no scheduled function {name!r}; there are: {', '.join(sorted(schedules))}")
        return 2
    result = pump.run_schedule(schedules[name])
    print(json.dumps(result, default=str, ensure_ascii=False))
    return 0
