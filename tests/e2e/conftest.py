"""The whole local stack, started exactly as `make run` starts it, driven over HTTP."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests

from chalicelib.stats import cells, periods
from tests.stats_fakes import Life, cells_of

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Stack:
    def __init__(self, tmp: Path):
        self.api_port, self.emulator_port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.api_port}"
        self.emulator = f"http://127.0.0.1:{self.emulator_port}"
        # Every AWS call of every function is recorded (devstack/aws_calls.py) and checked
        # against that function's role (tests/e2e/test_least_privilege.py).
        self.calls = tmp / "aws-calls"
        self.env = {
            **os.environ,
            "SATUPINTU_DEVSTACK_DIR": str(tmp),
            "PYTHONUNBUFFERED": "1",
            "SATUPINTU_AWS_CALL_LOG": str(self.calls),
        }
        for key in ("AWS_ENDPOINT_URL", "REPORT_SUBMITTED_QUEUE_URL"):
            self.env.pop(key, None)
        self.log = tmp / "stack.log"
        self.process = None

    def start(self):
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "devstack",
                    "run",
                    "--port",
                    str(self.api_port),
                    "--emulator-port",
                    str(self.emulator_port),
                    "--schedule-scale",  # schedules every few seconds, not minutes
                    "0.03",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("stack exited:\n" + self.log.read_text())
            if "Ctrl-C" in self.log.read_text():
                return self
            time.sleep(0.2)
        raise TimeoutError("stack did not start:\n" + self.log.read_text())

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=30)

    def token(self, username: str) -> str:
        out = subprocess.run(
            [sys.executable, "-m", "devstack", "token", username],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
        return out.stdout.strip()

    def dynamodb(self):
        import boto3

        return boto3.client(
            "dynamodb",
            endpoint_url=self.emulator,
            region_name="ap-southeast-3",
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    stack = Stack(tmp_path_factory.mktemp("devstack")).start()
    yield stack
    code = stack.stop()
    log = stack.log.read_text()
    assert code == 0, log
    assert "stopped." in log
    assert_calls_allowed(stack)


def assert_calls_allowed(stack) -> None:
    """Every AWS call the stack's functions made, against the role of the function that
    made it (tests/e2e/test_least_privilege.py explains)."""
    from devstack.aws_calls import read_log
    from tests import iam

    violations = iam.check(read_log(stack.calls), iam.load_template())
    assert not violations, "calls the functions' roles would deny:\n" + "\n".join(
        map(str, violations)
    )


@pytest.fixture
def http():
    with requests.Session() as session:
        yield session


def report_body(**overrides):
    body = {
        "kind": "complaint",
        "title": "Sampah menumpuk di TPS Cicadas",
        "description": "Sampah di TPS Cicadas tidak diangkut selama dua minggu dan baunya "
        "sampai ke rumah warga.",
        "category": "sampah-kebersihan",
        "region": "32.73",
        "reporter": {"name": "Asep Sunandar", "phone": "+62 812 2233 4455"},
    }
    body.update(overrides)
    return json.dumps(body)


# ---------------------------------------------------------------- last month's statistics

STATS_TABLE = "satupintu-dev-stats"


def today():
    return datetime.now(UTC).astimezone(ZoneInfo("Asia/Jakarta")).date()


@pytest.fixture(scope="session")
def month():
    return periods.previous_month(today())


@pytest.fixture(scope="session")
def seeded(stack, month):
    """Last month: 24 reports of infrastructure in Kota Bandung for its city government,
    half of them answered, and 3 about health in Kabupaten Bandung (a small cell). Once a
    session: the statistics and the dashboard's tests read the same cells (seeding them
    twice would make the small cell big enough to publish)."""
    lives = []
    for n in range(24):
        day = month.start + timedelta(days=n % 20)
        life = Life(day).dispose(day, "pemkot-bandung")
        if n % 2:
            life.respond(day + timedelta(days=1))
        lives.append(life)
    for _ in range(3):
        lives.append(Life(month.start, category="kesehatan", region="32.04"))
    dynamodb = stack.dynamodb()
    for (pk, sk), counters in cells_of(lives).items():
        if sk == cells.NOW:
            continue  # gauges belong to the reports that are really open
        names = {f"#n{i}": name for i, name in enumerate(counters)}
        dynamodb.update_item(
            TableName=STATS_TABLE,
            Key={"pk": {"S": pk}, "sk": {"S": sk}},
            UpdateExpression="ADD " + ", ".join(f"#n{i} :v{i}" for i in range(len(names))),
            ExpressionAttributeNames=names,
            ExpressionAttributeValues={
                f":v{i}": {"N": str(n)} for i, n in enumerate(counters.values())
            },
        )
    return lives


# ---------------------------------------------------------------- a real browser

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


def _missing(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"{reason}: CI must run the browser tests (.ci/run installs chromium)")
    pytest.skip(f"{reason}: apt-get install -y chromium (CI installs it and runs these tests)")


@pytest.fixture(scope="module")
def chromium():
    if not Path(CHROMIUM).exists():
        _missing(f"no chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed (requirements-dev.txt)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()
