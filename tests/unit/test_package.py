"""infra/package.py ships bytecode the Lambda runtime loads without compiling anything."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from infra import package

RUNTIME = f"python{sys.version_info.major}.{sys.version_info.minor}"
TAG = sys.implementation.cache_tag  # e.g. cpython-311


def make_zip(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for name, data in files.items():
            z.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data)
    return path


def test_every_module_gets_unchecked_hash_bytecode(tmp_path):
    stale = b"not bytecode at all"
    zip_path = make_zip(
        tmp_path / "deployment.zip",
        {
            "app.py": b"import pkg.mod\nVALUE = pkg.mod.VALUE\n",
            "pkg/__init__.py": b"",
            "pkg/mod.py": b"VALUE = 1\n",
            f"pkg/__pycache__/mod.{TAG}.pyc": stale,  # from a work tree: replaced
            "pkg/data.json": b"{}",
            "broken.py": b"def (:\n",  # a vendored file that does not compile stays source
        },
    )

    compiled = package.compile_bytecode(zip_path)

    with zipfile.ZipFile(zip_path) as z:
        names = set(z.namelist())
        pycs = {n: z.read(n) for n in names if n.endswith(".pyc")}
    assert compiled == 3
    assert set(pycs) == {
        f"__pycache__/app.{TAG}.pyc",
        f"pkg/__pycache__/__init__.{TAG}.pyc",
        f"pkg/__pycache__/mod.{TAG}.pyc",
    }
    assert {"app.py", "pkg/mod.py", "pkg/data.json", "broken.py"} <= names  # sources kept
    for data in pycs.values():
        assert data[:4] == importlib.util.MAGIC_NUMBER  # this runtime's bytecode
        flags = int.from_bytes(data[4:8], "little")
        assert flags == 0b01, "hash-based, source not checked (unchecked-hash)"
        assert data != stale


def test_the_runtime_loads_the_shipped_bytecode_without_looking_at_the_source(tmp_path):
    """Lambda's code directory is read-only: what it cannot load from a .pyc it compiles
    again at every cold start. An unchecked-hash .pyc is used as is, whatever the source's
    timestamp (zips say 1980) — shown here by changing the source after compiling."""
    zip_path = make_zip(tmp_path / "deployment.zip", {"mod.py": b"VALUE = 'from bytecode'\n"})
    package.compile_bytecode(zip_path)
    task = tmp_path / "task"
    with zipfile.ZipFile(zip_path) as z:
        z.extractall(task)
    (task / "mod.py").write_text("VALUE = 'compiled again'\n")

    out = subprocess.run(
        [sys.executable, "-S", "-B", "-c", "import mod; print(mod.VALUE)"],
        cwd=task,
        env={"PYTHONPATH": str(task)},
        capture_output=True,
        text=True,
        check=True,
    )

    assert out.stdout.strip() == "from bytecode"


def sam(tmp_path, *runtimes):
    resources = {
        f"F{i}": {"Type": "AWS::Serverless::Function", "Properties": {"Runtime": r}}
        for i, r in enumerate(runtimes)
    }
    path = tmp_path / "sam.json"
    path.write_text(json.dumps({"Resources": resources}))
    return path


def test_bytecode_is_compiled_by_the_functions_runtime_version(tmp_path, monkeypatch):
    assert package.runtime_of(sam(tmp_path, RUNTIME, RUNTIME)) == RUNTIME
    assert package.interpreter_for(RUNTIME) == sys.executable
    with pytest.raises(SystemExit):
        package.runtime_of(sam(tmp_path, "python3.11", "python3.12"))

    other = "python3.99"
    monkeypatch.setattr(package.shutil, "which", lambda name: None)
    with pytest.raises(SystemExit, match=r"python3\.99"):
        package.interpreter_for(other)
    monkeypatch.setattr(package.shutil, "which", lambda name: f"/usr/bin/{name}")
    assert package.interpreter_for(other) == "/usr/bin/python3.99"


def test_twilio_works_without_its_rest_client_and_http_libraries(tmp_path):
    """What the slimmed package keeps of twilio is what the SMS webhook imports."""
    import twilio

    source = Path(twilio.__file__).parent
    for path in source.rglob("*.py"):
        relative = "twilio/" + path.relative_to(source).as_posix()
        if not package._provided(relative):
            (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, tmp_path / relative)
    assert package._provided("twilio/rest/api/__init__.py")
    assert package._provided("aiohttp/client.py") and package._provided("requests/api.py")
    assert not package._provided("twilio/request_validator.py")
    code = (
        "from twilio.request_validator import RequestValidator\n"
        "from twilio.twiml.messaging_response import MessagingResponse\n"
        "r = MessagingResponse(); r.message('ok')\n"
        "v = RequestValidator('token')\n"
        "sig = v.compute_signature('https://x/y', {'a': '1'})\n"
        "assert v.validate('https://x/y', {'a': '1'}, sig)\n"
        "print(str(r))"
    )
    out = subprocess.run(
        [sys.executable, "-S", "-c", code],
        env={"PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert "<Message>ok</Message>" in out.stdout


def test_a_path_whose_seven_methods_reach_the_function_alike_becomes_one_any_method():
    from infra.package import ANY_METHOD, EVERY_METHOD, one_method_per_path

    def method(uri="fn", params=None):
        return {
            "x-amazon-apigateway-integration": {"type": "aws_proxy", "uri": uri},
            "parameters": params or [],
            "responses": {},
        }

    api = {
        "paths": {
            "/same": {m: method() for m in EVERY_METHOD},
            "/different": {**{m: method() for m in EVERY_METHOD}, "post": method("other")},
            "/fewer": {"get": method(), "post": method()},
        }
    }
    assert one_method_per_path(api) == 1
    assert list(api["paths"]["/same"]) == [ANY_METHOD]
    assert set(api["paths"]["/different"]) == EVERY_METHOD  # left as it is
    assert set(api["paths"]["/fewer"]) == {"get", "post"}
