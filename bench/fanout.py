"""Fan-out benchmark on the local stack. Prints one JSON object on its last line:

- e2e_p50_ms / e2e_p95_ms: from POST /v1/reports until a real webhook receiver (verifying
  signatures with the standardwebhooks library) has report.assigned, over N_REPORTS
  routable reports arriving at a steady STEADY_RATE per second (target p95 <= 2000 ms);
- aws_calls_per_report: botocore calls made by the app (API handler, router,
  dispatcher) from submission to delivery; the pump's own polling is what Lambda does
  and is not counted (target <= 8);
- throughput with 1 and 4 event-pump workers per queue: reports delivered per second
  when N_REPORTS arrive at once from 4 concurrent clients (a burst; the single emulator
  process is the bottleneck, so the burst's own latencies are queueing time).
"""

from __future__ import annotations

import json
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from _stack import free_port

N_REPORTS = 200
N_COUNTED = 30
CLIENTS = 4
STEADY_RATE = 5.0  # reports per second; LAPOR!-scale traffic is far below this

BODY = {
    "kind": "complaint",
    "title": "Drainase tersumbat di Jalan Cicadas",
    "description": "Saluran drainase di Jalan Cicadas tersumbat sampah sehingga jalan "
    "tergenang setiap hujan.",
    "category": "infrastruktur",
    "region": "32.73",
    "reporter": {"name": "Yayan Ruhiyan", "email": "yayan@example.id"},
}


def start_stack(workers: int):
    from devstack.stack import LocalStack

    stack = LocalStack(api_port=free_port(), emulator_port=free_port(), workers=workers)
    stack.start()
    return stack


def register_receiver(stack):
    import requests

    from devstack import resources, seed
    from devstack.receiver import Receiver
    from devstack.stack import read_state

    state = read_state()
    idp = resources._client("cognito-idp", state["endpoint"])
    token = seed.id_token(
        idp, state["user_pool_id"], state["client_id"], "agencyadmin.pemkot-bandung"
    )
    receiver = Receiver()
    r = requests.post(
        f"{stack.api_url}/v1/admin/agencies/pemkot-bandung/webhooks",
        json={"url": receiver.url, "events": ["report.assigned"]},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    r.raise_for_status()
    receiver.secret = r.json()["secret"]
    return receiver


def count_calls(stack, receiver) -> float:
    """Submissions through the Chalice handler in this process, routing and dispatch by
    the pump (also in this process): every botocore call but the pump's polling."""
    import botocore.client
    from chalice.test import Client

    from app import app

    pump_client = stack.pump.sqs
    calls = []
    original = botocore.client.BaseClient._make_api_call

    def counting(self, operation, params):
        if self is not pump_client:
            calls.append(operation)
        return original(self, operation, params)

    botocore.client.BaseClient._make_api_call = counting
    body = json.dumps(BODY)
    try:
        with Client(app) as client:
            client.http.post(
                "/v1/reports", headers={"Content-Type": "application/json"}, body=body
            )  # warm: caches, clients
            assert receiver.wait_for(lambda r: len(r.delivered) >= 1, 30)
            time.sleep(1)
            calls.clear()
            before = len(receiver.delivered)
            for _ in range(N_COUNTED):
                client.http.post(
                    "/v1/reports", headers={"Content-Type": "application/json"}, body=body
                )
            assert receiver.wait_for(lambda r: len(r.delivered) >= before + N_COUNTED, 60)
            time.sleep(1)  # let the last delivery's log writes finish
    finally:
        botocore.client.BaseClient._make_api_call = original
    by_op = {op: calls.count(op) / N_COUNTED for op in sorted(set(calls))}
    print("aws calls per report:", by_op)
    return len(calls) / N_COUNTED


def run_load(stack, receiver, rate: float | None = None) -> dict:
    import requests

    sent: dict[str, float] = {}
    lock = threading.Lock()
    body = json.dumps(BODY)

    def one(_):
        started = time.time()
        r = requests.post(
            f"{stack.api_url}/v1/reports",
            data=body,
            headers={"Content-Type": "application/json"},
            timeout=30,
        )
        r.raise_for_status()
        with lock:
            sent[r.json()["tracking_id"]] = started

    t0 = time.time()
    with ThreadPoolExecutor(CLIENTS) as pool:
        if rate is None:
            list(pool.map(one, range(N_REPORTS)))
        else:
            futures = []
            for n in range(N_REPORTS):
                time.sleep(max(0.0, t0 + n / rate - time.time()))
                futures.append(pool.submit(one, n))
            for f in futures:
                f.result()

    def all_arrived(rc):
        got = {d.payload["data"]["tracking_id"] for d in rc.delivered}
        return set(sent) <= got

    assert receiver.wait_for(all_arrived, 300), "not every report reached the receiver"
    arrival = {d.payload["data"]["tracking_id"]: d.at for d in receiver.delivered}
    latencies = sorted((arrival[t] - s) * 1000 for t, s in sent.items())
    return {
        "p50": statistics.median(latencies),
        "p95": latencies[int(len(latencies) * 0.95) - 1],
        "throughput": N_REPORTS / (max(arrival[t] for t in sent) - t0),
    }


def main() -> None:
    burst = {}
    for workers in (1, 4):
        stack = start_stack(workers)
        try:
            receiver = register_receiver(stack)
            if workers == 1:
                steady = run_load(stack, receiver, rate=STEADY_RATE)
                print(
                    f"steady {STEADY_RATE}/s: p50 {steady['p50']:.0f} ms, "
                    f"p95 {steady['p95']:.0f} ms"
                )
                calls = count_calls(stack, receiver)
            burst[workers] = run_load(stack, receiver)
            print(
                f"burst, {workers} worker(s): {burst[workers]['throughput']:.1f} reports/s "
                f"(p95 {burst[workers]['p95']:.0f} ms including queueing)"
            )
            receiver.close()
        finally:
            stack.stop()
    print(
        json.dumps(
            {
                "e2e_p50_ms": round(steady["p50"], 1),
                "e2e_p95_ms": round(steady["p95"], 1),
                "steady_rate_per_s": STEADY_RATE,
                "aws_calls_per_report": round(calls, 2),
                "throughput_1_worker_per_s": round(burst[1]["throughput"], 1),
                "throughput_4_workers_per_s": round(burst[4]["throughput"], 1),
                "reports": N_REPORTS,
            }
        )
    )


if __name__ == "__main__":
    main()
