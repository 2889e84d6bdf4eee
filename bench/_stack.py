"""Shared bench helper: an emulator with the resources of infra/ and the seed data."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_emulator():
    from devstack import emulator, resources, seed

    emu = emulator.Emulator(free_port()).start()
    _, app_env = resources.create_all(
        emu.endpoint, parameters=resources.local_parameters("http://127.0.0.1:8000")
    )
    os.environ.update({**emulator.aws_env(emu.endpoint), **app_env, "LOG_LEVEL": "WARNING"})
    seed.seed_directory()
    return emu
