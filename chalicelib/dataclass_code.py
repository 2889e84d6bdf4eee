"""Dataclass methods compiled when the package is built, not at every cold start.

``@dataclass`` writes the source of each class's ``__init__``, ``__repr__``, ``__eq__``,
``__hash__`` (and, frozen, ``__setattr__`` and ``__delattr__``) and compiles it with
``exec`` when the class is created: some 4 million instructions per class, 14% of the API
function's cold start for the ~90 dataclasses it creates (ours, pydantic's, annotated_types').
Python ships bytecode for modules, not for these.

So ``make package`` (infra/package.py) imports every module of the package once with the
functions' Python version and records each source text dataclasses compiled, with its
code: ``dataclass_code.bin`` next to this module, keyed by the exact text. In Lambda
(``coldstart.begin``) dataclasses' ``exec`` looks the text up there first: the same text
compiled by the same Python version (the file carries the bytecode's magic number and is
ignored under any other) with the same flags and file name (``<string>``) is the same
code object ``exec`` would have compiled, so every class is exactly what it was. Any text
not in the table (a class changed since, a dataclass made at run time, another Python
patch release writing other source) is compiled as before. Outside Lambda, or without
the file, nothing changes.
"""

from __future__ import annotations

import builtins
import importlib.util
import marshal
import os
import sys
from pathlib import Path

TABLE = Path(__file__).with_name("dataclass_code.bin")
_FILENAME = "<string>"  # what exec() names code compiled from a string


def _compile(source: str):
    # dont_inherit: this module's ``from __future__ import annotations`` must not apply
    # (exec, called from dataclasses, compiles with dataclasses' flags: none)
    return compile(source, _FILENAME, "exec", dont_inherit=True)


def load(path: Path | None = None) -> dict[str, bytes] | None:
    """The table (text -> marshalled code), or None when absent or from another Python."""
    path = TABLE if path is None else path
    try:
        data = path.read_bytes()
    except OSError:
        return None
    magic = importlib.util.MAGIC_NUMBER
    if data[: len(magic)] != magic:
        return None
    return marshal.loads(data[len(magic) :])


def install(path: Path | None = None) -> bool:
    """Make dataclasses take compiled code from the table; False when there is none."""
    table = load(path)
    if not table:
        return False
    import dataclasses

    def exec_(source, globals=None, locals=None, /):
        if source.__class__ is str:
            code = table.get(source)
            source = _compile(source) if code is None else marshal.loads(code)
        return builtins.exec(source, globals, locals)

    exec_.table = table
    dataclasses.exec = exec_  # a module global shadows the builtin for dataclasses only
    return True


def uninstall() -> None:
    import dataclasses

    dataclasses.__dict__.pop("exec", None)


def record(root: Path, out: Path) -> int:
    """Import every module of the package under ``root`` (app.py and chalicelib) and write
    the table of the dataclass sources compiled meanwhile; returns how many."""
    import dataclasses

    texts: set[str] = set()

    def recording(source, globals=None, locals=None, /):
        if source.__class__ is str:
            texts.add(source)
            source = _compile(source)
        return builtins.exec(source, globals, locals)

    dataclasses.exec = recording
    try:
        names = ["app"]
        for path in sorted((root / "chalicelib").rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
        for name in names:
            try:
                importlib.import_module(name)
            except Exception as e:  # a module that cannot load here: its classes compile
                print(f"dataclass_code: {name} not imported: {e!r}", file=sys.stderr)
    finally:
        uninstall()
    table = {text: marshal.dumps(_compile(text)) for text in sorted(texts)}
    out.write_bytes(importlib.util.MAGIC_NUMBER + marshal.dumps(table))
    return len(table)


if __name__ == "__main__":  # python -m chalicelib.dataclass_code ROOT OUT (infra/package.py)
    os.environ.setdefault("AWS_DEFAULT_REGION", "ap-southeast-3")
    print(record(Path(sys.argv[1]), Path(sys.argv[2])))
