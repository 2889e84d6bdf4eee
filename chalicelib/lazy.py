"""Import a module on first attribute access (cold starts pay only for what they use)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType


def lazy_module(name: str) -> ModuleType:
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module


def submodule_alone(name: str) -> ModuleType:
    """Import ``package.sub`` without running ``package/__init__.py`` when that __init__
    imports far more than the submodule needs (holidays.countries imports all of its
    ~250 countries). The submodule must import what it uses by absolute names. It is
    registered under its own name, so a later ``import package`` reuses it."""
    if name in sys.modules:
        return sys.modules[name]
    parent, _, child = name.rpartition(".")
    if parent in sys.modules:  # the package is loaded anyway: the ordinary way
        return importlib.import_module(name)
    grandparent, _, folder = parent.rpartition(".")
    base = Path(importlib.import_module(grandparent).__file__).parent
    spec = importlib.util.spec_from_file_location(name, base / folder / f"{child}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module
