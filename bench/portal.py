"""The web portal's weight on first load, in a real browser. Prints one JSON object on its
last line:

- portal_first_load_kb: the heaviest citizen page's first load (empty cache) — the HTML,
  CSS, JS, manifest and anything else the page fetched, plus what the service worker
  fetches when it installs in the background (its script and the four offline pages it
  keeps), bodies gzip-compressed as API Gateway sends them (MinimumCompressionSize,
  .chalice/config.json) plus the response headers (target <= 100);
- worker_install_kb: that service worker part alone;
- portal_first_load_raw_kb: the same uncompressed (what the local stack sends: chalice
  local does not compress);
- pages: each page's figures and how many requests it made.

Runs the local stack and Debian's chromium (apt-get install -y chromium) at a 360 px
phone viewport.
"""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _stack import ROOT, free_port

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PAGES = {
    "home (id)": "/",
    "home (en)": "/en",
    "submit form": "/lapor",
    "track form": "/lacak",
    "public reports": "/publik",
    "statistics": "/statistik",
}


def start_stack(tmp: Path):
    port, emulator_port = free_port(), free_port()
    log = open(tmp / "stack.log", "wb")  # noqa: SIM115 - closed with the process
    command = ["devstack", "run", "--port", str(port), "--emulator-port", str(emulator_port)]
    process = subprocess.Popen(
        [sys.executable, "-m", *command],
        cwd=ROOT,
        env={**os.environ, "SATUPINTU_DEVSTACK_DIR": str(tmp), "PYTHONUNBUFFERED": "1"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while "Ctrl-C" not in (tmp / "stack.log").read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("stack did not start:\n" + (tmp / "stack.log").read_text())
        time.sleep(0.3)
    return process, f"http://127.0.0.1:{port}"


def measure(browser, url: str) -> dict:
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    seen = []
    page.on("requestfinished", lambda request: seen.append(request))
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    raw = compressed = 0
    for request in seen:
        response = request.response()
        body = response.body() if response else b""
        headers = request.sizes()["responseHeadersSize"]
        raw += headers + len(body)
        compressed += headers + min(len(body), len(gzip.compress(body, 6)))
    context.close()
    return {"requests": len(seen), "raw_kb": raw / 1024, "kb": compressed / 1024}


WORKER = ["/sw.js", "/offline", "/en/offline", "/offline?kept=1", "/en/offline?kept=1"]


def worker_install(base: str) -> tuple[float, float]:
    """What the service worker fetches at install besides the assets the page already
    loaded: (compressed KB, raw KB), headers included."""
    import requests

    raw = compressed = 0
    for path in WORKER:
        r = requests.get(base + path, headers={"Accept": "text/html"}, timeout=30)
        r.raise_for_status()
        headers = sum(len(k) + len(v) + 4 for k, v in r.headers.items())
        raw += headers + len(r.content)
        compressed += headers + min(len(r.content), len(gzip.compress(r.content, 6)))
    return compressed / 1024, raw / 1024


def main() -> None:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise SystemExit(f"no chromium at {CHROMIUM}: apt-get install -y chromium")
    with tempfile.TemporaryDirectory() as tmp:
        process, base = start_stack(Path(tmp))
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                pages = {name: measure(browser, base + path) for name, path in PAGES.items()}
                browser.close()
            worker_kb, worker_raw_kb = worker_install(base)
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=30)
    for name, figures in pages.items():
        print(
            f"{name:<15} {figures['requests']} requests, {figures['kb']:.1f} KB "
            f"compressed, {figures['raw_kb']:.1f} KB raw"
        )
    print(f"service worker install: {worker_kb:.1f} KB compressed, {worker_raw_kb:.1f} KB raw")
    heaviest = max(f["kb"] for f in pages.values())
    heaviest_raw = max(f["raw_kb"] for f in pages.values())
    print(
        json.dumps(
            {
                "portal_first_load_kb": round(heaviest + worker_kb, 1),
                "portal_first_load_raw_kb": round(heaviest_raw + worker_raw_kb, 1),
                "worker_install_kb": round(worker_kb, 1),
                "pages": {k: {n: round(v, 1) for n, v in f.items()} for k, f in pages.items()},
            }
        )
    )


if __name__ == "__main__":
    main()
