"""chalicelib.api.schemas loads a group of models when one of them is first used; its
index of names must match the modules."""

import importlib
import json
import subprocess
import sys

from pydantic import BaseModel

from chalicelib.api import schemas


def test_every_model_is_indexed_under_the_module_that_defines_it():
    for group, names in schemas.GROUPS.items():
        module = importlib.import_module(f"chalicelib.api.schemas.{group}")
        defined = {
            name
            for name, value in vars(module).items()
            if isinstance(value, type)
            and issubclass(value, BaseModel)
            and value.__module__ == module.__name__
        }
        assert defined <= set(names), f"{group}: not indexed: {sorted(defined - set(names))}"
        for name in names:
            assert name in vars(module), f"{group} does not define {name}"
            assert getattr(schemas, name) is getattr(module, name)


def test_no_name_is_indexed_twice():
    names = [name for group in schemas.GROUPS.values() for name in group]
    assert len(names) == len(set(names))


def test_every_indexed_name_is_listed_and_unknown_names_are_attribute_errors():
    assert {n for group in schemas.GROUPS.values() for n in group} <= set(dir(schemas))
    assert not hasattr(schemas, "NoSuchModel")


def test_a_model_loads_its_group_only():
    check = (
        "import json, sys\n"
        "from chalicelib.api import schemas\n"
        "schemas.SubmitReportIn\n"
        "print(json.dumps(sorted(m for m in sys.modules "
        "if m.startswith('chalicelib.api.schemas.'))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", check],
        capture_output=True,
        text=True,
        check=True,
        cwd=".",
        env={"PATH": "/usr/bin:/bin", "SATUPINTU_STAGE": "dev"},
    )
    assert json.loads(out.stdout) == [
        "chalicelib.api.schemas.base",
        "chalicelib.api.schemas.citizen",
    ]
