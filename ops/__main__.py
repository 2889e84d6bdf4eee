"""`python -m ops import-agencies FILE` · `python -m ops redrive QUEUE` ·
`python -m ops rebuild-stats` · `python -m ops open311-key create|revoke NAME`, `list`.

Uses the normal AWS credentials and region; with --local it talks to the running local
stack (`make run`) instead.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

QUEUES = ("dispatch", "report-submitted", "notifications", "attachment-uploads", "channel-inbox")


def _use_local_stack() -> None:
    from devstack.emulator import aws_env
    from devstack.stack import read_state

    state = read_state()
    os.environ.update(aws_env(state["endpoint"]))
    os.environ.setdefault("SATUPINTU_STAGE", state["app_env"]["SATUPINTU_STAGE"])


def _import(args) -> int:
    from tqdm import tqdm

    from chalicelib.adapters.directory import DynamoDirectory

    from .agencies import CsvError, import_agencies, read_csv

    directory = DynamoDirectory()
    known = {c.code for c in directory.categories()} or None
    try:
        agencies = read_csv(args.file, known)
    except (CsvError, OSError) as e:
        print(f"not imported: {e}", file=sys.stderr)
        return 2
    if args.dry_run:
        print(f"{len(agencies)} agencies are valid; nothing written (--dry-run)")
        return 0
    count = import_agencies(
        agencies, directory, progress=lambda rows: tqdm(rows, desc="agencies", unit="agency")
    )
    print(f"{count} agencies imported or updated")
    return 0


def _redrive(args) -> int:
    import boto3

    from chalicelib.config import resource_name, stage_from_env

    from .redrive import redrive

    sqs = boto3.client("sqs")
    name = resource_name(stage_from_env(), args.queue) if args.queue in QUEUES else args.queue
    source = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    dlq = sqs.get_queue_url(QueueName=f"{name}-dlq")["QueueUrl"]
    moved = redrive(sqs, source, dlq, args.max)
    print(json.dumps({"queue": name, "redriven": moved}))
    return 0


def _rebuild_stats(args) -> int:
    import boto3
    from tqdm import tqdm

    from chalicelib.config import settings
    from chalicelib.domain.calendar import WorkingCalendar

    from .stats import rebuild

    cfg = settings()
    client = boto3.client("dynamodb")
    with tqdm(desc="timeline items read", unit="item") as bar:
        result = rebuild(
            client,
            cfg.report_events_table,
            cfg.stats_table,
            WorkingCalendar(cfg.time_zone),
            scanned=bar.update,
            written=lambda chunks: tqdm(chunks, desc="counters written", unit="batch"),
        )
    print(json.dumps(result))
    return 0


def _open311_key(args) -> int:
    from datetime import UTC, datetime

    from chalicelib.adapters.api_clients import DynamoApiClients
    from chalicelib.services import open311

    clients, now = DynamoApiClients(), datetime.now(UTC)
    if args.action == "list":
        for c in sorted(clients.all(), key=lambda c: (c.name, c.created_at)):
            state = "active" if c.active else f"revoked {c.revoked_at:%Y-%m-%d}"
            print(f"{c.name}\t{c.created_at:%Y-%m-%d}\t{c.key_hash[:12]}\t{state}")
        return 0
    if not args.name:
        print(f"open311-key {args.action} needs the client application's NAME", file=sys.stderr)
        return 2
    if args.action == "create":
        try:
            key = open311.issue_key(clients, args.name, now)
        except ValueError as e:
            print(f"not created: {e}", file=sys.stderr)
            return 2
        # Shown once: only its SHA-256 is stored.
        print(json.dumps({"client": args.name, "api_key": key}))
        return 0
    revoked = open311.revoke_keys(clients, args.name, now)
    print(json.dumps({"client": args.name, "revoked": revoked}))
    return 0 if revoked else 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops")
    parser.add_argument("--local", action="store_true", help="use the running local stack")
    parser.add_argument(
        "--stage",
        help="the stage whose resources to use (dev, prod); default $SATUPINTU_STAGE",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    imp = sub.add_parser("import-agencies", help="import/update agencies from CSV")
    imp.add_argument("file", type=Path)
    imp.add_argument("--dry-run", action="store_true")
    red = sub.add_parser("redrive", help="move a dead-letter queue back to its queue")
    red.add_argument("queue", help=f"{' | '.join(QUEUES)} or a queue name")
    red.add_argument("--max", type=int, default=None)
    sub.add_parser(
        "rebuild-stats",
        help="recompute every statistics counter from the timeline (pause the projector first)",
    )
    key = sub.add_parser(
        "open311-key", help="issue, revoke or list the api_keys of Open311 client applications"
    )
    key.add_argument("action", choices=("create", "revoke", "list"))
    key.add_argument("name", nargs="?", help="the client application (letters, digits, - _)")
    args = parser.parse_args(argv)
    if args.stage:
        os.environ["SATUPINTU_STAGE"] = args.stage
    if args.local:
        _use_local_stack()
    commands = {
        "import-agencies": _import,
        "redrive": _redrive,
        "rebuild-stats": _rebuild_stats,
        "open311-key": _open311_key,
    }
    return commands[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
