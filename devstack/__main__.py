"""`python -m devstack run` starts the local stack; `python -m devstack token USER`
prints a bearer token for a demo account of the running stack; `python -m devstack clock
+12d` moves the running stack's clock forward and runs the deadline scheduler;
`python -m devstack schedule NAME` runs one scheduled function now; `python -m devstack
outbox` prints the e-mails and channel messages it sent; `python -m devstack
open-data` runs the daily open-data export now."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading


def _run(args) -> int:
    from .stack import LocalStack

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(name)s %(message)s", datefmt="%H:%M:%S"
    )
    for noisy in ("botocore", "pynamodb", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    stack = LocalStack(
        api_port=args.port,
        emulator_port=args.emulator_port,
        workers=args.workers,
        schedule_scale=args.schedule_scale,
    )
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    try:
        stack.start()
        print(stack.banner(), flush=True)
        while not stopping.wait(0.5):
            if stack.api_process.poll() is not None:
                print("the API server exited", file=sys.stderr)
                return 1
    except KeyboardInterrupt:
        pass
    finally:
        print("\nstopping the local stack...", flush=True)
        stack.stop()
        print("stopped.", flush=True)
    return 0


def _token(args) -> int:
    from . import resources, seed
    from .stack import read_state

    state = read_state()
    idp = resources._client("cognito-idp", state["endpoint"])
    try:
        token = seed.id_token(
            idp, state["user_pool_id"], state["client_id"], args.username, args.password
        )
    except idp.exceptions.NotAuthorizedException:
        print(f"unknown demo account or wrong password: {args.username}", file=sys.stderr)
        return 2
    except idp.exceptions.UserNotFoundException:
        print(f"unknown demo account: {args.username}", file=sys.stderr)
        return 2
    print(token)
    return 0


def _outbox(args) -> int:
    from . import outbox
    from .stack import read_state

    state = read_state()
    print(
        outbox.main(
            state["endpoint"],
            to=args.to,
            last=args.last,
            channel=args.channel,
            channel_outbox=state.get("channel_outbox"),
        )
    )
    return 0


def _open_data(args) -> int:
    """The daily export, now, in this process with the running stack's environment (its
    AWS calls recorded as the export function's, like `clock` does for the scheduler)."""
    import json
    import os

    from . import aws_calls, emulator
    from .stack import read_state

    os.environ.update(read_state()["app_env"])
    emulator.forget_cached_clients()
    from chalicelib import bootstrap

    aws_calls.install_from_env()
    with aws_calls.invoking("export_open_data"):
        print(json.dumps(bootstrap.export_open_data(), indent=2))
    return 0


def outbox_channels() -> tuple[str, ...]:
    from .outbox import CHANNELS

    return CHANNELS


def main(argv=None) -> int:
    from .seed import DEMO_PASSWORD

    parser = argparse.ArgumentParser(prog="python -m devstack")
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("run", help="start the local stack (default)")
    run.add_argument("--port", type=int, default=8000, help="API port (default 8000)")
    run.add_argument("--emulator-port", type=int, default=4566)
    run.add_argument("--workers", type=int, default=1, help="pump workers per queue")
    run.add_argument(
        "--schedule-scale",
        type=float,
        default=1.0,
        help="multiply schedule intervals (e.g. 0.05 in tests)",
    )
    token = sub.add_parser("token", help="print a bearer token for a demo account")
    token.add_argument("username")
    token.add_argument("--password", default=DEMO_PASSWORD)
    clock = sub.add_parser("clock", help="show or move the stack's clock, then run the scheduler")
    clock.add_argument("step", nargs="?", help="+12d, +3h, +90m, or reset (none: show)")
    schedule = sub.add_parser("schedule", help="run one scheduled function now")
    schedule.add_argument("name", help="e.g. publish_stats, check_deadlines, sweep_outbox")
    mail = sub.add_parser(
        "outbox", help="print the e-mails and SMS/WhatsApp/Messenger/X messages sent, newest last"
    )
    mail.add_argument("--to", help="only those sent to this address, number or account id")
    mail.add_argument("--last", type=int, help="only the last N (of each kind)")
    mail.add_argument("--channel", choices=outbox_channels(), help="only this channel")
    sub.add_parser("open-data", help="run the daily open-data export now")
    args = parser.parse_args(argv)
    if args.command == "open-data":
        return _open_data(args)
    if args.command == "clock":
        from .clock import command

        return command(args.step)
    if args.command == "schedule":
        from .schedules import command

        return command(args.name)
    if args.command == "token":
        return _token(args)
    if args.command == "outbox":
        return _outbox(args)
    if args.command is None:
        args = parser.parse_args(["run", *(argv or [])])
    return _run(args)


if __name__ == "__main__":
    sys.exit(main())
