"""The local stack's clock (dev only, never deployed): `python -m devstack clock +12d`.

The stack's API server and event pump read "now" as real time plus an offset kept in a
file of the stack's state dir (``SATUPINTU_CLOCK_FILE``; ``bootstrap.ShiftedClock`` reads
it on every call). Moving the clock forward and running the scheduler at once lets a
person watch a warning, an escalation and an auto-completion happen in minutes.

    python -m devstack clock          the current offset and the stack's time
    python -m devstack clock +12d     move forward 12 days (also +3h, +90m, +1d12h, +45s)
    python -m devstack clock reset    back to real time
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

_STEP = re.compile(r"\+?((?:\d+[dhms])+)")
_PART = re.compile(r"(\d+)([dhms])")
_UNIT = {"d": 86400, "h": 3600, "m": 60, "s": 1}
MAX_OFFSET = timedelta(days=3660)  # ten years is more than any deadline needs


class BadStep(ValueError):
    pass


def parse_step(text: str) -> timedelta:
    """``+12d``, ``+3h``, ``+90m``, ``+1d12h``... -> a forward step."""
    raw = text.strip().lower()
    if raw.startswith("-"):
        raise BadStep(
            "the clock only moves forward (the timeline would run backwards); "
            "`reset` goes back to real time on a fresh stack"
        )
    match = _STEP.fullmatch(raw)
    if not match:
        raise BadStep(f"not a step: {text!r} (try +12d, +3h, +90m, +1d12h)")
    seconds = sum(int(n) * _UNIT[unit] for n, unit in _PART.findall(match.group(1)))
    if seconds == 0:
        raise BadStep("a step of zero moves nothing")
    if seconds > MAX_OFFSET.total_seconds():
        raise BadStep(f"{text!r} is too far (at most {MAX_OFFSET.days} days)")
    return timedelta(seconds=seconds)


def read_offset(path: Path) -> timedelta:
    """What the stack reads (a missing or unreadable file is real time)."""
    try:
        return timedelta(seconds=float(Path(path).read_text().strip() or 0))
    except (OSError, ValueError):
        return timedelta(0)


def write_offset(path: Path, offset: timedelta) -> None:
    if offset < timedelta(0) or offset > MAX_OFFSET:
        raise BadStep(f"offset out of range: {offset}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(f"{offset.total_seconds():.0f}\n")
    os.replace(tmp, path)  # readers never see a half-written file


def describe(offset: timedelta) -> str:
    days, rest = divmod(int(offset.total_seconds()), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [f"{n}{u}" for n, u in ((days, "d"), (hours, "h"), (minutes, "m"), (seconds, "s")) if n]
    return "+" + "".join(parts) if parts else "+0 (real time)"


def stack_time(offset: timedelta, tz: str = "Asia/Jakarta", now: datetime | None = None) -> str:
    at = (now or datetime.now(UTC)) + offset
    return at.astimezone(ZoneInfo(tz)).strftime("%A %d %B %Y %H:%M %Z")


def command(step: str | None) -> int:
    """The `clock` subcommand against the running stack."""
    import sys

    from .stack import read_state

    state = read_state()
    path = Path(state["clock_file"]) if "clock_file" in state else None
    if path is None:
        print("this stack was started without a movable clock: restart it", file=sys.stderr)
        return 2
    offset = read_offset(path)
    if step is None:
        print(f"clock offset {describe(offset)}; stack time {stack_time(offset)}")
        return 0
    try:
        offset = timedelta(0) if step == "reset" else offset + parse_step(step)
        write_offset(path, offset)
    except BadStep as error:
        print(f"clock: {error}", file=sys.stderr)
        return 2
    print(f"clock offset {describe(offset)}; stack time {stack_time(offset)}")
    run = run_scheduler(state)
    print(
        f"scheduler: {run.warned} warned, {run.overdue} overdue, {run.completed} completed"
        + (f", {run.skipped} skipped" if run.skipped else "")
        + (f", {run.failed} failed (see the log)" if run.failed else "")
        + (f", {run.not_published} not published (see the log)" if run.not_published else "")
        + (f", {run.remaining} left for the next run" if run.remaining else "")
    )
    return 0 if not run.failed else 1


def run_scheduler(state: dict):
    """One scheduler run in this process, with the running stack's environment (so its
    clock file, tables and queues)."""
    import logging

    from . import emulator

    os.environ.update(state["app_env"])
    emulator.forget_cached_clients()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s %(message)s")
    from chalicelib import bootstrap

    from . import aws_calls

    aws_calls.install_from_env()
    with aws_calls.invoking("check_deadlines"):  # what the hourly function does
        return bootstrap.scheduler()
