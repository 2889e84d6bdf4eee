"""Start and stop the whole local stack: emulator, resources, seed, API, event pump."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from . import aws_calls, emulator, resources, seed

ROOT = Path(__file__).resolve().parent.parent
# Tests run their own stack beside a developer's `make run`: they pass another state dir.
STATE_DIR = Path(os.environ.get("SATUPINTU_DEVSTACK_DIR", ROOT / ".devstack"))
STATE_FILE = STATE_DIR / "state.json"
CLOCK_FILE = STATE_DIR / "clock"  # the offset `python -m devstack clock` moves (seconds)
# What the fake messaging providers accepted (SMS, WhatsApp, Messenger, X): the outbox.
CHANNEL_OUTBOX = STATE_DIR / "channel-outbox.jsonl"

log = logging.getLogger("devstack")


@dataclass
class LocalStack:
    api_port: int = 8000
    emulator_port: int = 4566
    host: str = "127.0.0.1"
    workers: int = 1
    schedule_scale: float = 1.0
    app_env: dict = field(default_factory=dict)
    accounts: list = field(default_factory=list)
    counts: tuple = (0, 0)

    def __post_init__(self):
        self.emulator = emulator.Emulator(self.emulator_port, self.host)
        self.api_process: subprocess.Popen | None = None
        self.pump = None
        self.providers = None
        self.signin = None

    @property
    def api_url(self) -> str:
        return f"http://{self.host}:{self.api_port}"

    def start(self) -> LocalStack:
        if emulator.port_in_use(self.host, self.api_port):
            raise RuntimeError(f"port {self.api_port} is taken: is another stack running?")
        STATE_DIR.mkdir(parents=True, exist_ok=True)
        aws_calls.install_from_env()  # the pump names the function it invokes
        from .providers import FakeProviders

        CHANNEL_OUTBOX.unlink(missing_ok=True)  # a fresh stack has sent nothing yet
        self.providers = FakeProviders(host=self.host, record=CHANNEL_OUTBOX).start()
        with open(STATE_DIR / "emulator.log", "wb") as emulator_log:
            self.emulator.start(emulator_log)  # the child keeps its own copy of the fd
        created, app_env = resources.create_all(
            self.emulator.endpoint, parameters=resources.local_parameters(self.api_url)
        )
        self.app_env = {
            **emulator.aws_env(self.emulator.endpoint),
            **app_env,
            "SATUPINTU_STAGE": "dev",
            "SATUPINTU_CLOCK_FILE": str(CLOCK_FILE),
            # Every channel sender talks to the fake providers (only the dev stage reads it).
            "CHANNEL_API_URL": self.providers.url,
        }
        CLOCK_FILE.write_text("0\n")  # a fresh stack starts at real time
        # This process hosts the event pump, which imports the app: same environment.
        os.environ.update(self.app_env)
        emulator.forget_cached_clients()
        self.counts = seed.seed_directory()
        seed.seed_open311_key()
        idp = resources._client("cognito-idp", self.emulator.endpoint)
        pool_id, client_id = created.refs["StaffUserPool"], created.refs["StaffUserPoolClient"]
        self.accounts = seed.seed_accounts(idp, pool_id)
        # The console signs in at the pool's hosted UI: locally, its stand-in.
        from .signin import HostedSignIn

        self.signin = HostedSignIn(idp, pool_id, host=self.host).start()
        self.app_env["STAFF_SIGNIN_URL"] = self.signin.url
        os.environ["STAFF_SIGNIN_URL"] = self.signin.url
        STATE_FILE.write_text(
            json.dumps(
                {
                    "endpoint": self.emulator.endpoint,
                    "api": self.api_url,
                    "user_pool_id": pool_id,
                    "client_id": client_id,
                    "clock_file": str(CLOCK_FILE),
                    "channel_outbox": str(CHANNEL_OUTBOX),
                    "providers": self.providers.url,
                    "signin": self.signin.url,
                    "app_env": self.app_env,  # for commands that act as the app
                }
            )
        )
        self._start_api()
        self._start_pump()
        return self

    def _start_api(self) -> None:
        env = {**os.environ, **self.app_env, "PYTHONUNBUFFERED": "1"}
        self.api_process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                # The API server is one function: its AWS calls are api_handler's.
                "import sys, devstack.aws_calls as calls; calls.install_from_env('api_handler'); "
                "from chalice.cli import main; sys.exit(main())",
                "local",
                "--host",
                self.host,
                "--port",
                str(self.api_port),
                "--stage",
                "dev",
                "--no-autoreload",
            ],
            cwd=ROOT,
            env=env,
        )
        emulator.wait_for_port(self.host, self.api_port, timeout=60)

    def _start_pump(self) -> None:
        import app as chalice_app
        from devstack.pump import EventPump

        sqs = resources._client("sqs", self.emulator.endpoint)
        self.pump = EventPump(
            chalice_app.app,
            sqs,
            emulator.REGION,
            workers=self.workers,
            schedule_scale=self.schedule_scale,
        ).start()

    def stop(self) -> None:
        if self.pump:
            self.pump.stop()
        if self.api_process and self.api_process.poll() is None:
            self.api_process.terminate()
            try:
                self.api_process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.api_process.kill()
        self.emulator.stop()
        if self.providers:
            self.providers.stop()
        if self.signin:
            self.signin.stop()
        STATE_FILE.unlink(missing_ok=True)

    def banner(self) -> str:
        lines = [
            "",
            "  Satu Pintu local stack is up",
            "  ---------------------------",
            f"  Web portal     {self.api_url}/   (English: {self.api_url}/en)",
            f"  Staff console  {self.api_url}/staf   (sign in with a demo account below)",
            f"  API            {self.api_url}   (OpenAPI: {self.api_url}/openapi.json)",
            f"  Public         {self.api_url}/v1/public/reports   {self.api_url}/v1/open-data",
            f"  AWS emulator   {self.emulator.endpoint}   (moto; region {emulator.REGION})",
            f"  Seeded         {self.counts[0]} categories, {self.counts[1]} agencies",
            "",
            f"  Demo staff accounts (password {seed.DEMO_PASSWORD}):",
        ]
        for a in self.accounts:
            agency = f"  agency {a.agency_id}" if a.agency_id else ""
            lines.append(f"    {a.username:<36} {a.role:<15}{agency}")
        lines += [
            "",
            "  Bearer token:   .venv/bin/python -m devstack token admin",
            "  Move the clock: .venv/bin/python -m devstack clock +12d   (runs the scheduler)",
            "  Sent messages:  .venv/bin/python -m devstack outbox   (e-mail, SMS, WhatsApp, "
            "Messenger, X)",
            f"  Fake providers: {self.providers.url}   (Twilio, Graph API and X API stand-ins)",
            "  Open data now:  .venv/bin/python -m devstack open-data",
            f"  Open311:        {self.api_url}/open311/v2/services.json   "
            f"(api_key {seed.DEMO_OPEN311_KEY})",
            f"  Try:            curl -s {self.api_url}/v1/categories",
            "  Stop:           Ctrl-C",
            "",
        ]
        return "\n".join(lines)


def read_state() -> dict:
    if not STATE_FILE.exists():
        raise SystemExit("The local stack is not running: start it with `make run`.")
    return json.loads(STATE_FILE.read_text())
