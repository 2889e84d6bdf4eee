"""Cold start of the deployment package. Prints one JSON object on its last line:

- first_request_ms: a fresh Python process with only the unpacked package (plus what the
  Lambda runtime provides: boto3, botocore and their helpers) on its path, bytecode never
  written (the Lambda code directory is read-only), X-Ray tracing on as in the prod stage,
  imports the handler module and serves one real request through the Lambda handler:
  POST /v1/reports (validation, phone number parsing, the DynamoDB transaction and the SQS
  message, against the local emulator).
- bare_imports_ms: the same kind of process importing only the bare dependencies the app
  is built on, from the same package: chalice, boto3, pynamodb.models, pydantic,
  aws_xray_sdk.core.
- cold_start_ratio: first_request_ms / bare_imports_ms (target <= 2).
- the same figures for the package without its .pyc files (`*_no_bytecode`), i.e. what
  every cold start paid before the package shipped bytecode.

Medians over N runs, interleaved so machine drift affects every figure alike.
`python bench/cold_start.py [--zip dist/deployment.zip] [--runs 7]`; without --zip the
package is built first (infra.package: chalice package, slimmed, bytecode compiled).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from _stack import ROOT, start_emulator

BARE = "import chalice, boto3, pynamodb.models, pydantic, aws_xray_sdk.core"

BODY = {
    "kind": "complaint",
    "title": "Lampu penerangan jalan mati",
    "description": "Lampu penerangan jalan di Jalan Merdeka mati sejak sepekan, rawan "
    "kecelakaan dan kejahatan pada malam hari.",
    "category": "infrastruktur",
    "region": "32.73",
    "location": {"lat": -6.9175, "lon": 107.6191},
    "reporter": {"name": "Dewi Lestari", "phone": "081322334455"},
}

# Runs inside the measured process: the Lambda runtime imports the handler's module, then
# calls the handler with an API Gateway proxy event.
FIRST_REQUEST = """
import json, sys, time
started = time.perf_counter()
# Time spent waiting on AWS (here the emulator) is measured apart: botocore's
# Endpoint._send (send the request, read the answer) is wrapped when botocore loads.
waited = [0.0]
class _TimeAws:
    def find_spec(self, name, path=None, target=None):
        if name != "botocore.endpoint":
            return None
        sys.meta_path.remove(self)
        import importlib.util
        spec = importlib.util.find_spec(name)
        load = spec.loader.exec_module
        def exec_module(module):
            load(module)
            send = module.Endpoint._send
            def timed(self, request):
                t = time.perf_counter()
                try:
                    return send(self, request)
                finally:
                    waited[0] += time.perf_counter() - t
            module.Endpoint._send = timed
        spec.loader.exec_module = exec_module
        return spec
sys.meta_path.insert(0, _TimeAws())
import app
event = {
    "resource": "/v1/reports", "path": "/v1/reports", "httpMethod": "POST",
    "headers": {"Content-Type": "application/json", "Host": "api.example.id"},
    "multiValueHeaders": {"Content-Type": ["application/json"], "Host": ["api.example.id"]},
    "queryStringParameters": None, "multiValueQueryStringParameters": None,
    "pathParameters": None, "stageVariables": None,
    "requestContext": {"resourcePath": "/v1/reports", "httpMethod": "POST",
                       "path": "/v1/reports", "stage": "v1", "requestId": "bench-1",
                       "identity": {"sourceIp": "127.0.0.1"}},
    "body": sys.argv[1], "isBase64Encoded": False,
}
class Context:
    aws_request_id = "bench-1"
    function_name = "satupintu-prod"
    memory_limit_in_mb = "512"
    invoked_function_arn = "arn:aws:lambda:ap-southeast-3:123456789012:function:satupintu"
    log_group_name = "/aws/lambda/satupintu-prod"
    log_stream_name = "bench"
    def get_remaining_time_in_millis(self):
        return 30000
response = app.app(event, Context())
elapsed = time.perf_counter() - started
assert response["statusCode"] == 201, response
traced = "aws_xray_sdk.core" in sys.modules
print(json.dumps({"seconds": elapsed, "aws_seconds": waited[0], "traced": traced}))
"""

BARE_IMPORTS = f"""
import json, time
started = time.perf_counter()
{BARE}
print(json.dumps({{"seconds": time.perf_counter() - started}}))
"""

# What the Lambda Python runtime provides, so the package leaves it out (infra/package.py).
sys.path.insert(0, str(ROOT))
from infra.package import PROVIDED_BY_LAMBDA  # noqa: E402


def build(out: Path) -> Path:
    from infra.package import package

    package(out)
    return out / "deployment.zip"


def unpack(zip_path: Path, into: Path, *, bytecode: bool) -> Path:
    with zipfile.ZipFile(zip_path) as z:
        for info in z.infolist():
            if bytecode or not info.filename.endswith(".pyc"):
                z.extract(info, into)
    return into


def runtime_dir(into: Path) -> Path:
    """boto3 and friends from this environment (compiled, as the runtime ships them)."""
    import importlib.util

    into.mkdir()
    for name in PROVIDED_BY_LAMBDA:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            continue
        origin = Path(spec.origin)
        source = origin.parent if origin.name == "__init__.py" else origin
        (into / source.name).symlink_to(source)
        if source.suffix == ".py":
            # a one-file module (six): its bytecode is in its directory's __pycache__
            cached = Path(importlib.util.cache_from_source(str(source)))
            if cached.exists():
                (into / "__pycache__").mkdir(exist_ok=True)
                (into / "__pycache__" / cached.name).symlink_to(cached)
    return into


def run(code: str, path: list[Path], env: dict, *args: str) -> dict:
    out = subprocess.run(
        # -S: no site-packages (only the package and the runtime's libraries);
        # -B: never write bytecode (the Lambda code directory is read-only).
        [sys.executable, "-S", "-B", "-c", code, *args],
        env={**env, "PYTHONPATH": os.pathsep.join(str(p) for p in path)},
        cwd=path[0],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if out.returncode != 0:
        raise RuntimeError(f"measured process failed:\n{out.stdout}\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def lambda_env(task: Path) -> dict[str, str]:
    """The prod stage's settings and what Lambda sets for a traced function (no daemon is
    needed: segments go out as UDP datagrams)."""
    return {
        **os.environ,
        "SATUPINTU_STAGE": "prod",
        "TOKEN_SECRET": "bench-only-token-secret",
        "LOG_LEVEL": "WARNING",
        "LAMBDA_TASK_ROOT": str(task),
        "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000",
        "_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793;"
        "Parent=53995c3f42cd8ad8;Sampled=1",
        "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--zip", type=Path, help="a built deployment.zip (default: build)")
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()

    body = json.dumps(BODY)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        zip_path = args.zip or build(tmp / "dist")
        compiled = unpack(zip_path, tmp / "task", bytecode=True)
        source_only = unpack(zip_path, tmp / "task-no-bytecode", bytecode=False)
        runtime = runtime_dir(tmp / "runtime")
        pyc = sum(1 for _ in compiled.rglob("*.pyc"))
        measured = {
            "first": (FIRST_REQUEST, compiled),
            "first_no_bytecode": (FIRST_REQUEST, source_only),
            "bare": (BARE_IMPORTS, compiled),
            "bare_no_bytecode": (BARE_IMPORTS, source_only),
        }
        seconds: dict[str, list[float]] = {key: [] for key in measured}
        seconds["first_own"] = []
        traced = True
        emu = start_emulator()
        try:
            for _ in range(args.runs):
                for key, (code, task) in measured.items():
                    result = run(code, [task, runtime], lambda_env(task), body)
                    seconds[key].append(result["seconds"])
                    traced = traced and result.get("traced", True)
                    if key == "first":
                        seconds["first_own"].append(result["seconds"] - result["aws_seconds"])
        finally:
            emu.stop()

    ms = {key: statistics.median(values) * 1000 for key, values in seconds.items()}
    print(f"package: {pyc} .pyc files, Python {sys.version.split()[0]}, {args.runs} runs")
    print(
        f"first request {ms['first']:.0f} ms ({ms['first'] - ms['first_own']:.0f} ms of it "
        f"waiting on the emulator; without bytecode {ms['first_no_bytecode']:.0f} ms) "
        f"vs bare imports {ms['bare']:.0f} ms ({BARE.removeprefix('import ')})"
    )
    print(
        json.dumps(
            {
                "cold_start_ratio": round(ms["first"] / ms["bare"], 2),
                "first_request_ms": round(ms["first"], 1),
                "bare_imports_ms": round(ms["bare"], 1),
                # the same without the time the emulator takes to answer (DynamoDB and SQS
                # answer in milliseconds; the local emulator is one busy Python process)
                "cold_start_ratio_own": round(ms["first_own"] / ms["bare"], 2),
                "first_request_own_ms": round(ms["first_own"], 1),
                # what every cold start paid while the package shipped no bytecode
                "cold_start_ratio_no_bytecode": round(ms["first_no_bytecode"] / ms["bare"], 2),
                "first_request_no_bytecode_ms": round(ms["first_no_bytecode"], 1),
                "bare_imports_no_bytecode_ms": round(ms["bare_no_bytecode"], 1),
                "pyc_files": pyc,
                "tracing": traced,
                "runs": args.runs,
            }
        )
    )


if __name__ == "__main__":
    main()
