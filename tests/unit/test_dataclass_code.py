"""Dataclass methods compiled when the package is built: every class must come out
exactly as when dataclasses compiles its methods itself."""

from __future__ import annotations

import importlib.util
import json
import marshal
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from chalicelib import dataclass_code

ROOT = Path(__file__).resolve().parents[2]

# Imports every chalicelib module (with the table from argv[1] installed, or none) and
# prints, for every dataclass defined in them, its generated methods' code.
FINGERPRINTS = r"""
import dataclasses, hashlib, importlib, inspect, json, marshal, sys
from pathlib import Path
from chalicelib import dataclass_code
calls = {"hits": 0, "misses": 0}
if sys.argv[1] != "-":
    assert dataclass_code.install(Path(sys.argv[1]))
    installed = dataclasses.exec

    def counted(source, g=None, l=None, /):
        calls["hits" if source in installed.table else "misses"] += 1
        return installed(source, g, l)

    dataclasses.exec = counted


def canonical(code):
    # what makes two code objects equal (marshal bytes also depend on refcounts)
    consts = tuple(canonical(c) if hasattr(c, "co_code") else repr(c) for c in code.co_consts)
    return repr((
        code.co_code, consts, code.co_names, code.co_varnames, code.co_freevars,
        code.co_cellvars, code.co_argcount, code.co_posonlyargcount, code.co_kwonlyargcount,
        code.co_flags, code.co_firstlineno, code.co_linetable, code.co_exceptiontable,
        code.co_filename, code.co_name, code.co_qualname, code.co_stacksize,
    ))


names = []
root = Path("chalicelib")
for path in sorted(root.rglob("*.py")):
    parts = path.with_suffix("").parts
    names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
prints = {}
for name in names:
    module = importlib.import_module(name)
    for attr, cls in sorted(vars(module).items()):
        if not (inspect.isclass(cls) and dataclasses.is_dataclass(cls)):
            continue
        if cls.__module__ != name:
            continue
        for method in ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__", "__delattr__"):
            fn = cls.__dict__.get(method)
            fn = getattr(fn, "__wrapped__", fn)
            code = getattr(fn, "__code__", None)
            if code is not None:
                prints[f"{name}.{attr}.{method}"] = [
                    hashlib.sha256(canonical(code).encode()).hexdigest(),
                    repr(fn.__annotations__),
                ]
print(json.dumps({"prints": prints, **calls}))
"""


def _run(code: str, *args: str) -> dict:
    env = {**os.environ, "SATUPINTU_STAGE": "dev", "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("LAMBDA_TASK_ROOT", None)
    out = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _record(out: Path) -> int:
    env = {**os.environ, "SATUPINTU_STAGE": "dev", "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("LAMBDA_TASK_ROOT", None)
    result = subprocess.run(
        [sys.executable, "-m", "chalicelib.dataclass_code", str(ROOT), str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "not imported" not in result.stderr, result.stderr
    return int(result.stdout.strip().splitlines()[-1])


def test_every_dataclass_is_the_same_with_the_recorded_code(tmp_path):
    table = tmp_path / "dataclass_code.bin"
    recorded = _record(table)
    assert recorded > 200  # ours, pydantic's, annotated_types'...

    with_table = _run(FINGERPRINTS, str(table))
    without = _run(FINGERPRINTS, "-")

    assert with_table["prints"] == without["prints"]
    assert len(without["prints"]) > 100  # chalicelib's dataclasses and their methods
    assert with_table["misses"] == 0 and with_table["hits"] > 200


def test_a_text_not_in_the_table_compiles_as_dataclasses_would(tmp_path):
    """Not with the flags of the module holding the hook (its ``from __future__ import
    annotations`` would turn annotations into strings)."""
    import dataclasses

    table = tmp_path / "table.bin"
    table.write_bytes(importlib.util.MAGIC_NUMBER + marshal.dumps({"x = 1": b"?"}))
    assert dataclass_code.install(table)
    try:

        @dataclasses.dataclass(frozen=True)
        class Point:
            x: int
            y: int = 0

        assert dataclasses.exec.table == {"x = 1": b"?"}
    finally:
        dataclass_code.uninstall()
    assert "exec" not in vars(dataclasses)
    assert Point.__init__.__annotations__["return"] is None  # not the string "None"
    assert (
        Point(1) == Point(1, 0)
        and repr(Point(2, 3))
        == "test_a_text_not_in_the_table_compiles_as_dataclasses_would.<locals>.Point(x=2, y=3)"
    )
    assert hash(Point(1)) == hash((1, 0))


def test_code_from_the_table_is_used(tmp_path):
    import dataclasses

    texts = []

    def recording(source, globals_=None, locals_=None, /):
        texts.append(source)
        return exec(source, globals_, locals_)

    dataclasses.exec = recording
    try:

        @dataclasses.dataclass
        class Pair:
            a: int
            b: str = "b"

    finally:
        dataclass_code.uninstall()
    # the same class again, its methods' code from a table whose __init__ is marked
    marked = {
        text: marshal.dumps(
            compile(
                text.replace("self.b=b", "self.b=b + '!'"), "<string>", "exec", dont_inherit=True
            )
        )
        for text in texts
    }
    table = tmp_path / "table.bin"
    table.write_bytes(importlib.util.MAGIC_NUMBER + marshal.dumps(marked))
    assert dataclass_code.install(table)
    try:

        @dataclasses.dataclass
        class Pair:
            a: int
            b: str = "b"

    finally:
        dataclass_code.uninstall()
    assert Pair(1).b == "b!"


def test_a_table_from_another_python_or_none_is_ignored(tmp_path):
    import dataclasses

    other = tmp_path / "other.bin"
    other.write_bytes(b"\x00\x00\r\n" + marshal.dumps({}))
    assert dataclass_code.load(other) is None
    assert not dataclass_code.install(other)
    assert not dataclass_code.install(tmp_path / "missing.bin")
    assert "exec" not in vars(dataclasses)
    assert not dataclass_code.TABLE.exists()  # only the package has one


def test_the_package_ships_the_table_its_runtime_records(tmp_path):
    from infra import package

    zip_path = tmp_path / "deployment.zip"
    module = (
        b"from dataclasses import dataclass\n\n"
        b"@dataclass(frozen=True)\nclass Thing:\n    name: str\n"
    )
    with zipfile.ZipFile(zip_path, "w") as z:
        z.writestr("app.py", b"import chalicelib.thing\n")
        z.writestr("chalicelib/__init__.py", b"")
        z.writestr("chalicelib/thing.py", module)
        z.writestr(
            "chalicelib/dataclass_code.py", (ROOT / "chalicelib/dataclass_code.py").read_bytes()
        )

    methods = package.precompile_dataclasses(zip_path)

    with zipfile.ZipFile(zip_path) as z:
        data = z.read("chalicelib/dataclass_code.bin")
        assert z.read("chalicelib/thing.py") == module  # the rest unchanged
    table = tmp_path / "table.bin"
    table.write_bytes(data)
    loaded = dataclass_code.load(table)
    assert methods == len(loaded) >= 5  # __init__, __repr__, __eq__, __setattr__, ...
    assert any("def __init__(self,name:_type_name)" in text for text in loaded)
