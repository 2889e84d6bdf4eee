"""Submission benchmark. Prints one JSON object on its last line:

- aws_calls_per_submission: botocore API calls per POST /v1/reports (target <= 2)
- import_ratio: cold `import app` / cold `import chalice, boto3, pynamodb.models`,
  medians over fresh processes (target <= 1.3)
- submit_throughput_ratio: submissions/s through the Chalice handler vs raw PynamoDB
  saves of what a submission stores (the report item and its first timeline event, two
  plain PutItems, no transaction, no queue), same emulator, sequential (target >= 0.5).
  Also printed: the ratio against a single PutItem of the report alone
  (`submit_vs_single_put_ratio`), the strictest reading of "raw saves".
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
import uuid

from _stack import ROOT, start_emulator

# Kept small on purpose: the emulator's TransactWriteItems deep-copies every table it
# touches (moto), so its latency grows with the number of stored reports (~0.13 ms per
# report here); real DynamoDB does not. Measure from a fresh, near-empty table.
N_CALLS = 20
N_THROUGHPUT = 100
N_IMPORT = 9

BODY = {
    "kind": "complaint",
    "title": "Lampu penerangan jalan mati",
    "description": "Lampu penerangan jalan di Jalan Merdeka mati sejak sepekan, rawan "
    "kecelakaan dan kejahatan pada malam hari.",
    "category": "infrastruktur",
    "region": "32.73",
    "reporter": {"name": "Dewi Lestari", "phone": "081322334455"},
}


def import_seconds(statement: str) -> float:
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip())


def import_ratio() -> tuple[float, float, float]:
    app_times, base_times = [], []
    for _ in range(N_IMPORT):  # interleaved, so drift affects both alike
        app_times.append(import_seconds("import app"))
        base_times.append(import_seconds("import chalice, boto3, pynamodb.models"))
    app_ms, base_ms = statistics.median(app_times) * 1000, statistics.median(base_times) * 1000
    return app_ms / base_ms, app_ms, base_ms


def main() -> None:
    emu = start_emulator()
    try:
        import botocore.client
        from chalice.test import Client

        from app import app
        from chalicelib.adapters.dynamodb_models import ReportEventItem, ReportItem

        calls: list[str] = []
        aws_seconds = [0.0]
        original = botocore.client.BaseClient._make_api_call

        def counting(self, operation, params):
            calls.append(operation)
            started = time.perf_counter()
            try:
                return original(self, operation, params)
            finally:
                aws_seconds[0] += time.perf_counter() - started

        botocore.client.BaseClient._make_api_call = counting
        body = json.dumps(BODY)
        headers = {"Content-Type": "application/json"}
        with Client(app) as client:
            assert client.http.post("/v1/reports", headers=headers, body=body).status_code == 201
            calls.clear()
            for _ in range(N_CALLS):
                client.http.post("/v1/reports", headers=headers, body=body)
            calls_per_submission = len(calls) / N_CALLS
            operations = sorted(set(calls))

            aws_seconds[0] = 0.0
            started = time.perf_counter()
            for _ in range(N_THROUGHPUT):
                r = client.http.post("/v1/reports", headers=headers, body=body)
                assert r.status_code == 201, r.body
            elapsed = time.perf_counter() - started
            handler_rate = N_THROUGHPUT / elapsed
            own_ms = (elapsed - aws_seconds[0]) / N_THROUGHPUT * 1000
            aws_ms = aws_seconds[0] / N_THROUGHPUT * 1000

        from datetime import UTC, datetime

        now = datetime.now(UTC)

        def raw_save(with_event: bool) -> None:
            tracking_id = uuid.uuid4().hex[:10].upper()
            ReportItem(
                tracking_id,
                kind="complaint",
                title=BODY["title"],
                description=BODY["description"],
                channel="api",
                anonymous=False,
                confidential=False,
                category="infrastruktur",
                region="32.73",
                status="unverified",
                created_at=now,
                updated_at=now,
                access_token_hash="0" * 64,
                event_count=1,
            ).save()
            if with_event:
                ReportEventItem(
                    tracking_id,
                    1,
                    at=now,
                    action="submitted",
                    actor_kind="reporter",
                    to_status="unverified",
                ).save()

        rates = {}
        for with_event in (True, False):
            started = time.perf_counter()
            for _ in range(N_THROUGHPUT):
                raw_save(with_event)
            rates[with_event] = N_THROUGHPUT / (time.perf_counter() - started)
        raw_rate, single_put_rate = rates[True], rates[False]
        botocore.client.BaseClient._make_api_call = original
    finally:
        emu.stop()

    ratio, app_ms, base_ms = import_ratio()
    print(f"operations per submission: {operations}")
    print(
        f"handler {handler_rate:.1f}/s vs raw report+event saves {raw_rate:.1f}/s "
        f"(single report PutItem {single_put_rate:.1f}/s)"
    )
    print(f"per submission: {aws_ms:.1f} ms waiting on the emulator, {own_ms:.1f} ms own code")
    print(f"import app {app_ms:.0f} ms vs chalice+boto3+pynamodb {base_ms:.0f} ms")
    print(
        json.dumps(
            {
                "aws_calls_per_submission": round(calls_per_submission, 2),
                "import_ratio": round(ratio, 2),
                "submit_throughput_ratio": round(handler_rate / raw_rate, 2),
                "submit_vs_single_put_ratio": round(handler_rate / single_put_rate, 2),
                "submissions_per_s": round(handler_rate, 1),
                "own_code_ms_per_submission": round(own_ms, 2),
                "emulator_ms_per_submission": round(aws_ms, 2),
                "raw_saves_per_s": round(raw_rate, 1),
                "import_app_ms": round(app_ms, 1),
                "import_baseline_ms": round(base_ms, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
