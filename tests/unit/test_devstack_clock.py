"""The local stack's movable clock: offsets, the file both processes read, the command."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.bootstrap import ShiftedClock
from devstack import clock


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+12d", timedelta(days=12)),
        ("12d", timedelta(days=12)),
        ("+3h", timedelta(hours=3)),
        ("+90m", timedelta(minutes=90)),
        ("+45s", timedelta(seconds=45)),
        ("+1d12h", timedelta(days=1, hours=12)),
        (" +2D ", timedelta(days=2)),
    ],
)
def test_steps(text, expected):
    assert clock.parse_step(text) == expected


@pytest.mark.parametrize("text", ["", "+", "12", "+12x", "+d", "+1.5d", "tomorrow", "+0d", "+1w"])
def test_what_is_not_a_step(text):
    with pytest.raises(clock.BadStep):
        clock.parse_step(text)


def test_the_clock_never_moves_back():
    with pytest.raises(clock.BadStep, match="only moves forward"):
        clock.parse_step("-1d")


def test_absurd_steps_are_refused():
    with pytest.raises(clock.BadStep, match="too far"):
        clock.parse_step("+99999d")


def test_the_file_written_is_what_the_app_clock_reads(tmp_path):
    path = tmp_path / "clock"
    clock.write_offset(path, timedelta(days=12, hours=3))

    assert clock.read_offset(path) == timedelta(days=12, hours=3)
    shifted = ShiftedClock(str(path)).now() - datetime.now(UTC)
    assert abs(shifted - timedelta(days=12, hours=3)) < timedelta(seconds=5)


def test_a_missing_or_garbled_file_is_real_time(tmp_path):
    assert clock.read_offset(tmp_path / "none") == timedelta(0)
    (tmp_path / "bad").write_text("soon")
    assert clock.read_offset(tmp_path / "bad") == timedelta(0)


def test_describe_and_stack_time():
    assert clock.describe(timedelta(0)) == "+0 (real time)"
    assert clock.describe(timedelta(days=12, minutes=30)) == "+12d30m"
    at = datetime(2026, 3, 30, 17, 0, tzinfo=UTC)  # Tuesday 00:00 in Jakarta
    assert clock.stack_time(timedelta(hours=1), now=at) == "Tuesday 31 March 2026 01:00 WIB"


@pytest.fixture
def running_stack(tmp_path, monkeypatch):
    """A state file as a running stack writes it (the scheduler run itself stubbed)."""
    from devstack import stack

    state = {"clock_file": str(tmp_path / "clock"), "app_env": {}}
    (tmp_path / "state.json").write_text(json.dumps(state))
    monkeypatch.setattr(stack, "STATE_FILE", tmp_path / "state.json")
    runs = []

    def fake_run(state):
        from chalicelib.services.scheduler import SchedulerRun

        runs.append(clock.read_offset(state["clock_file"]))
        return SchedulerRun(warned=2, overdue=1, completed=0)

    monkeypatch.setattr(clock, "run_scheduler", fake_run)
    return tmp_path / "clock", runs


def test_the_command_moves_the_clock_and_runs_the_scheduler(running_stack, capsys):
    path, runs = running_stack

    assert clock.command("+12d") == 0
    assert clock.command("+3h") == 0

    assert clock.read_offset(path) == timedelta(days=12, hours=3)
    assert runs == [timedelta(days=12), timedelta(days=12, hours=3)]  # after each move
    out = capsys.readouterr().out
    assert "clock offset +12d3h" in out
    assert "scheduler: 2 warned, 1 overdue, 0 completed" in out


def test_without_a_step_it_only_shows_the_clock(running_stack, capsys):
    path, runs = running_stack
    clock.write_offset(path, timedelta(hours=5))

    assert clock.command(None) == 0

    assert runs == []
    assert "clock offset +5h" in capsys.readouterr().out


def test_reset_goes_back_to_real_time_and_a_bad_step_changes_nothing(running_stack, capsys):
    path, runs = running_stack
    clock.write_offset(path, timedelta(days=3))

    assert clock.command("+3x") == 2
    assert runs == []  # nothing moved, nothing run
    assert clock.read_offset(path) == timedelta(days=3)
    assert clock.command("reset") == 0
    assert clock.read_offset(path) == timedelta(0)


def test_the_clock_is_dev_only(monkeypatch, tmp_path):
    from chalicelib import config

    monkeypatch.setenv("SATUPINTU_CLOCK_FILE", str(tmp_path / "clock"))
    for stage, expected in (("dev", str(tmp_path / "clock")), ("prod", None)):
        monkeypatch.setenv("SATUPINTU_STAGE", stage)
        if stage == "prod":
            monkeypatch.setenv("TOKEN_SECRET", "x" * 32)
        config.settings.cache_clear()
        try:
            assert config.settings().clock_file == expected
        finally:
            config.settings.cache_clear()
