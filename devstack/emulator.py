"""The embedded AWS emulator: moto in server mode, on 127.0.0.1 only."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

REGION = "ap-southeast-3"

# Credentials for the emulator only; moto accepts any.
LOCAL_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
}


def aws_env(endpoint: str) -> dict[str, str]:
    """Environment that points boto3 and PynamoDB (botocore) at the emulator."""
    return {**LOCAL_AWS_ENV, "AWS_ENDPOINT_URL": endpoint}


def wait_for_port(host: str, port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            s.settimeout(0.5)
            if s.connect_ex((host, port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listening on {host}:{port} after {timeout}s")


def port_in_use(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.3)
        return s.connect_ex((host, port)) == 0


class Emulator:
    """moto_server as a child process (its own GIL, so the API stays responsive)."""

    def __init__(self, port: int, host: str = "127.0.0.1"):
        self.host, self.port = host, port
        self.endpoint = f"http://{host}:{port}"
        self.process: subprocess.Popen | None = None

    def start(self, log_file=None) -> Emulator:
        if port_in_use(self.host, self.port):
            raise RuntimeError(f"port {self.port} is taken: is another stack running?")
        env = {**os.environ, **LOCAL_AWS_ENV}
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "devstack.emulator_server", self.host, str(self.port)],
            stdout=log_file or subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            env=env,
        )
        wait_for_port(self.host, self.port)
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()


def forget_cached_clients() -> None:
    """The app caches settings, boto3 clients and PynamoDB connections per process; drop
    them so the next use reads the environment (a new emulator endpoint) again."""
    from pynamodb.models import Model

    from chalicelib import bootstrap, config
    from chalicelib.adapters import aws_clients, dynamodb_models, jwt_verifier, s3_store, secrets

    config.settings.cache_clear()
    aws_clients.client.cache_clear()
    aws_clients.boto3_session.cache_clear()
    aws_clients.botocore_session.cache_clear()  # its credentials and config
    s3_store._s3.cache_clear()
    secrets.forget()
    jwt_verifier.default_verifier.cache_clear()
    dynamodb_models.shared_connection.cache_clear()
    bootstrap.reset()
    for value in vars(dynamodb_models).values():
        if isinstance(value, type) and issubclass(value, Model) and value is not Model:
            value._connection = None
