"""Operator tools (not deployed): directory import, DLQ redrive. `python -m ops --help`."""
