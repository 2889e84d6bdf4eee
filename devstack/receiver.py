"""A real agency webhook receiver on 127.0.0.1 that verifies Standard Webhooks signatures
with the `standardwebhooks` library (not project code). Used by tests and benchmarks, and
handy for trying webhooks by hand."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook


@dataclass
class Received:
    webhook_id: str
    payload: dict
    at: float
    status: int


@dataclass
class Receiver:
    secret: str | None = None
    # statuses to answer with, in order; then `default_status`
    script: list = field(default_factory=list)
    default_status: int = 200
    port: int = 0  # 0: any free port
    requests: list = field(default_factory=list)  # every request, with the answer given
    rejected_signatures: int = 0

    def __post_init__(self):
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                headers = {k.lower(): v for k, v in self.headers.items()}
                status = receiver._answer(body, headers)
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/satupintu"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _answer(self, body: bytes, headers: dict) -> int:
        with self._lock:
            try:
                payload = Webhook(self.secret).verify(body, headers)
            except Exception:
                self.rejected_signatures += 1
                return 401
            status = self.script.pop(0) if self.script else self.default_status
            self.requests.append(Received(headers["webhook-id"], payload, time.time(), status))
            return status

    @property
    def delivered(self) -> list[Received]:
        """Accepted deliveries, one per webhook-id (a receiver dedupes on it)."""
        seen, out = set(), []
        for r in self.requests:
            if 200 <= r.status < 300 and r.webhook_id not in seen:
                seen.add(r.webhook_id)
                out.append(r)
        return out

    def accepted_count(self, webhook_id: str) -> int:
        return sum(1 for r in self.requests if r.webhook_id == webhook_id and r.status < 300)

    def wait_for(self, predicate, timeout: float = 20.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self):
                return True
            time.sleep(0.05)
        return False

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def main(argv=None) -> int:
    """`python -m devstack.receiver --port 9000 --secret whsec_...`: print every verified
    delivery (type, webhook-id, tracking id) until Ctrl-C."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m devstack.receiver")
    parser.add_argument("--port", type=int, default=9000)
    parser.add_argument("--secret", required=True, help="the whsec_... from registration")
    args = parser.parse_args(argv)

    class Printing(Receiver):
        def _answer(self, body, headers):
            status = super()._answer(body, headers)
            if status == 401:
                print("rejected: bad signature", flush=True)
            else:
                r = self.requests[-1]
                print(
                    f"{r.payload['type']}  {r.webhook_id}  "
                    f"{r.payload['data'].get('tracking_id')}  -> {status}",
                    flush=True,
                )
            return status

    receiver = Printing(secret=args.secret, port=args.port)
    print(f"listening on {receiver.url} (Ctrl-C to stop)", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        receiver.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
