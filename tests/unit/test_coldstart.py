"""In Lambda the API function's cold start runs without garbage collections; the first
event handled, whatever its outcome, turns the collector on again. Elsewhere nothing
changes."""

import json
import subprocess
import sys

CHECK = """
import gc, json, os, sys
import app
after_import = gc.isenabled()


def event(path):
    return {
        "resource": path, "path": path, "httpMethod": "GET",
        "headers": {"Host": "api.example.id"}, "multiValueHeaders": {},
        "queryStringParameters": None, "multiValueQueryStringParameters": None,
        "pathParameters": None, "stageVariables": None,
        "requestContext": {"resourcePath": path, "httpMethod": "GET", "path": path,
                           "stage": "v1", "requestId": "r-1",
                           "identity": {"sourceIp": "127.0.0.1"}},
        "body": None, "isBase64Encoded": False,
    }


status = app.app(event(sys.argv[1]), None)["statusCode"]
print(json.dumps({
    "after_import": after_import,
    "pydantic_plugins": os.environ.get("PYDANTIC_DISABLE_PLUGINS"),
    "status": status,
    "after_first_event": gc.isenabled(),
    "frozen": gc.get_freeze_count() > 0,
}))
"""


def run(path, **env_extra):
    env = {"PATH": "/usr/bin:/bin", "SATUPINTU_STAGE": "dev", "LOG_LEVEL": "ERROR", **env_extra}
    out = subprocess.run(
        [sys.executable, "-c", CHECK, path],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        cwd=".",
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_in_lambda_the_collector_waits_for_the_first_event():
    result = run("/healthz", LAMBDA_TASK_ROOT="/var/task")
    assert result == {
        "after_import": False,
        "pydantic_plugins": "__all__",
        "status": 200,
        "after_first_event": True,
        "frozen": True,
    }


def test_a_failed_first_event_ends_the_cold_start_too():
    result = run("/no/such/route", LAMBDA_TASK_ROOT="/var/task")
    assert result["status"] >= 400
    assert result["after_first_event"] and result["frozen"]


def test_outside_lambda_nothing_changes():
    result = run("/healthz")
    assert result == {
        "after_import": True,
        "pydantic_plugins": None,
        "status": 200,
        "after_first_event": True,
        "frozen": False,
    }


def test_in_lambda_dataclasses_take_the_packaged_methods(tmp_path, monkeypatch):
    """The package's table of compiled dataclass methods (chalicelib/dataclass_code.py)
    is installed by the cold start in Lambda only."""
    import dataclasses
    import gc
    import importlib.util
    import marshal

    from chalicelib import coldstart, dataclass_code

    table = tmp_path / "dataclass_code.bin"
    table.write_bytes(importlib.util.MAGIC_NUMBER + marshal.dumps({"x = 1": b""}))
    monkeypatch.setattr(dataclass_code, "TABLE", table)
    try:
        monkeypatch.delenv("LAMBDA_TASK_ROOT", raising=False)
        coldstart.begin()
        assert "exec" not in vars(dataclasses)

        monkeypatch.setenv("LAMBDA_TASK_ROOT", "/var/task")
        monkeypatch.setenv("PYDANTIC_DISABLE_PLUGINS", "")
        coldstart.begin()
        assert dataclasses.exec.table == {"x = 1": b""}
    finally:
        coldstart.end()
        gc.unfreeze()  # what end() froze: this test process's objects
        dataclass_code.uninstall()
