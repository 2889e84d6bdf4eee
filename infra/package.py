"""Build the deployable artefacts: `python -m infra.package OUT_DIR [--stage prod]`.

Runs `chalice package --merge-template infra/resources.json`, then removes from the zip
what the Lambda Python runtime already provides (boto3, botocore and their helpers,
pulled in by PynamoDB) so the package stays small, and adds compiled bytecode.

Bytecode: Lambda's code directory is read-only, so a module without a usable .pyc is
compiled again at every cold start. Every .py in the package gets a
`__pycache__/<name>.cpython-3XX.pyc` compiled by the runtime's Python version (the
`Runtime` of the packaged functions, which chalice derives from the Python running it)
in the *unchecked-hash* mode: the runtime loads it without comparing it with the source's
timestamp (zips carry 1980-01-01 dates, so timestamp-based .pyc files would never match)
or hashing the source. Stale .pyc files copied from the work tree are replaced.

Dataclass methods: the same interpreter imports the package's modules once and records
the methods' code that ``@dataclass`` compiles from source when a class is created
(``chalicelib/dataclass_code.bin``; see chalicelib/dataclass_code.py).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROVIDED_BY_LAMBDA = (
    "boto3",
    "botocore",
    "s3transfer",
    "jmespath",
    "dateutil",
    "urllib3",
    "six",
    "python_dateutil",
)


# Pulled in by twilio for its REST client, which the functions never use: they import
# only twilio.request_validator and twilio.twiml (a test imports them from the package).
UNUSED_AT_RUNTIME = (
    "twilio/rest/",
    "twilio/base/",
    "twilio/http/",
    "twilio/jwt/",
    "twilio/credential/",
    "twilio/auth_strategy/",
    "aiohttp/",
    "aiohttp_retry/",
    "aiohappyeyeballs/",
    "aiosignal/",
    "frozenlist/",
    "multidict/",
    "propcache/",
    "yarl/",
    "requests/",
)


def _provided(name: str) -> bool:
    top = name.split("/", 1)[0]
    base = top.split("-", 1)[0].removesuffix(".py").lower()
    return base in PROVIDED_BY_LAMBDA or name.startswith(UNUSED_AT_RUNTIME)


def slim(zip_path: Path) -> tuple[int, int]:
    before = zip_path.stat().st_size
    slim_path = zip_path.with_suffix(".slim.zip")
    with (
        zipfile.ZipFile(zip_path) as src,
        zipfile.ZipFile(slim_path, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            if not _provided(info.filename):
                dst.writestr(info, src.read(info.filename))
    slim_path.replace(zip_path)
    return before, zip_path.stat().st_size


def runtime_of(template: Path) -> str:
    """The one Python runtime of the packaged functions, e.g. 'python3.11'."""
    resources = json.loads(template.read_text())["Resources"].values()
    runtimes = {
        r["Properties"]["Runtime"]
        for r in resources
        if r.get("Type") == "AWS::Serverless::Function" and "Runtime" in r.get("Properties", {})
    }
    if len(runtimes) != 1 or not re.fullmatch(r"python3\.\d+", next(iter(runtimes))):
        raise SystemExit(f"expected one Python runtime in {template}, found {sorted(runtimes)}")
    return runtimes.pop()


def interpreter_for(runtime: str) -> str:
    """A Python of the runtime's version: bytecode is specific to a minor version."""
    version = runtime.removeprefix("python")
    if f"{sys.version_info.major}.{sys.version_info.minor}" == version:
        return sys.executable
    found = shutil.which(runtime)
    if not found:
        raise SystemExit(
            f"the functions run {runtime}, but this is Python {sys.version.split()[0]} and "
            f"no {runtime} is on PATH: bytecode must be compiled by the runtime's version"
        )
    return found


def compile_bytecode(zip_path: Path, python: str = sys.executable) -> int:
    """Add unchecked-hash .pyc files for every .py in the zip; returns how many."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        with zipfile.ZipFile(zip_path) as src:
            infos = [i for i in src.infolist() if not i.filename.endswith((".pyc", ".pyo"))]
            for info in infos:
                src.extract(info, root)
        # Compiled by the target interpreter (a subprocess: it may be another version).
        subprocess.run(
            [
                python,
                "-c",
                "import compileall, py_compile, sys; "
                "compileall.compile_dir(sys.argv[1], quiet=1, workers=0, "
                "invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)",
                str(root),
            ],
            check=False,  # a vendored file that does not compile stays source-only
        )
        compiled = sorted(p for p in root.rglob("__pycache__/*.pyc"))
        tmp_zip = zip_path.with_suffix(".pyc.zip")
        with (
            zipfile.ZipFile(zip_path) as src,
            zipfile.ZipFile(tmp_zip, "w", zipfile.ZIP_DEFLATED) as dst,
        ):
            for info in infos:
                dst.writestr(info, src.read(info.filename))
            for pyc in compiled:
                name = pyc.relative_to(root).as_posix()
                entry = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                entry.external_attr = 0o644 << 16
                entry.compress_type = zipfile.ZIP_DEFLATED
                dst.writestr(entry, pyc.read_bytes())
    tmp_zip.replace(zip_path)
    return len(compiled)


def precompile_dataclasses(
    zip_path: Path, python: str = sys.executable, stage: str = "prod"
) -> int:
    """Add chalicelib/dataclass_code.bin, recorded by the target interpreter importing the
    package (with this environment's boto3 behind it, as the runtime provides it); returns
    how many methods it holds. A module that cannot be imported is reported (its classes
    then compile at cold start, as before)."""
    name = "chalicelib/dataclass_code.bin"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        with zipfile.ZipFile(zip_path) as src:
            src.extractall(root)
        out = root / "table.bin"
        provided = importlib.util.find_spec("botocore")  # where the runtime's libraries are
        path = [str(root)]
        if provided is not None and provided.origin:
            path.append(str(Path(provided.origin).parent.parent))
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(path),
            "PYTHONDONTWRITEBYTECODE": "1",
            "SATUPINTU_STAGE": stage,
        }
        env.pop("LAMBDA_TASK_ROOT", None)
        result = subprocess.run(
            [python, "-s", "-m", "chalicelib.dataclass_code", str(root), str(out)],
            cwd=root,
            env=env,
            stdout=subprocess.PIPE,  # stderr: what could not be imported, for the builder
            text=True,
            check=True,
        )
        tmp_zip = zip_path.with_suffix(".dc.zip")
        with (
            zipfile.ZipFile(zip_path) as src,
            zipfile.ZipFile(tmp_zip, "w", zipfile.ZIP_DEFLATED) as dst,
        ):
            for info in src.infolist():
                if info.filename != name:
                    dst.writestr(info, src.read(info.filename))
            entry = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, out.read_bytes())
    tmp_zip.replace(zip_path)
    return int(result.stdout.strip().splitlines()[-1])


def lock_stage(template: Path, stage: str) -> None:
    """Pin the packaged template's Stage parameter to the stage it was packaged for.

    `chalice package --stage S` loads the app with S's environment (SATUPINTU_STAGE), so the
    SQS event sources name S's queues (``satupintu-S-dispatch``...). A template deployed
    with another Stage would create other queues and subscribe to missing ones: only S is
    allowed, and it is the default.

    Written without indentation: CloudFormation refuses a template over 1,000,000 bytes,
    and the API definition is most of it (1,018 KB indented with 97 paths × 7 methods;
    see also ``one_method_per_path``)."""
    data = json.loads(template.read_text())
    parameter = data["Parameters"]["Stage"]
    parameter["Default"] = stage
    parameter["AllowedValues"] = [stage]
    one_method_per_path(data["Resources"]["RestAPI"]["Properties"]["DefinitionBody"])
    template.write_text(json.dumps(data, separators=(",", ":")) + "\n")


EVERY_METHOD = {"get", "post", "put", "patch", "delete", "head", "options"}
ANY_METHOD = "x-amazon-apigateway-any-method"


def one_method_per_path(api: dict) -> int:
    """Each path's seven methods as API Gateway's one ANY method, where all seven send the
    request to the same function the same way (every path does: the app declares the
    methods a route lacks, to answer 405 and OPTIONS itself). The function sees the real
    method and routes it as before; the definition shrinks sevenfold (145 paths: 586 KB ->
    about 85 KB), which keeps the template far from CloudFormation's 1 MB and API Gateway's
    limits as the portal's pages grow. Returns how many paths were collapsed."""
    collapsed = 0
    for path, methods in api["paths"].items():
        if set(methods) != EVERY_METHOD:
            continue
        integrations = {
            json.dumps(
                [m.get("x-amazon-apigateway-integration"), m.get("parameters")], sort_keys=True
            )
            for m in methods.values()
        }
        if len(integrations) != 1:
            continue
        api["paths"][path] = {ANY_METHOD: methods["get"]}
        collapsed += 1
    return collapsed


def package(out: Path, stage: str = "prod") -> None:
    env = {
        **os.environ,
        "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "ap-southeast-3"),
    }
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from chalice.cli import main; sys.exit(main())",
            "package",
            "--stage",
            stage,
            "--pkg-format",
            "cloudformation",
            "--merge-template",
            "infra/resources.json",
            str(out),
        ],
        cwd=ROOT,
        env=env,
        check=True,
    )
    lock_stage(out / "sam.json", stage)
    before, after = slim(out / "deployment.zip")
    runtime = runtime_of(out / "sam.json")
    python = interpreter_for(runtime)
    compiled = compile_bytecode(out / "deployment.zip", python)
    methods = precompile_dataclasses(out / "deployment.zip", python, stage)
    final = (out / "deployment.zip").stat().st_size
    print(
        f"{out}/sam.json and {out}/deployment.zip "
        f"({before / 1e6:.1f} MB -> {after / 1e6:.1f} MB without the runtime's boto3, "
        f"{final / 1e6:.1f} MB with {compiled} .pyc files and {methods} dataclass "
        f"methods compiled for {runtime})"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m infra.package")
    parser.add_argument("out", type=Path)
    parser.add_argument("--stage", default="prod")
    args = parser.parse_args()
    package(args.out.resolve(), args.stage)
