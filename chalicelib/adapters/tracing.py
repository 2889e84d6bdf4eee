"""AWS X-Ray tracing behind one small module, so it can be swapped for OpenTelemetry/ADOT
(aws-xray-sdk reaches end of support on 2027-02-25).

Tracing is on only when an X-Ray daemon is configured (Lambda with tracing enabled sets
AWS_XRAY_DAEMON_ADDRESS); otherwise the SDK is not even imported. Only botocore is
patched, which covers boto3 and PynamoDB calls.
"""

from __future__ import annotations

import contextlib
import os

_state = {"initialised": False, "recorder": None}


def enabled() -> bool:
    return bool(os.environ.get("AWS_XRAY_DAEMON_ADDRESS")) and (
        os.environ.get("SATUPINTU_TRACING", "on") != "off"
    )


def init() -> None:
    if _state["initialised"]:
        return
    _state["initialised"] = True
    if not enabled():
        return
    from aws_xray_sdk.core import patch, xray_recorder

    xray_recorder.configure(context_missing="LOG_ERROR", service="satupintu")
    patch(["botocore"])
    _state["recorder"] = xray_recorder


@contextlib.contextmanager
def subsegment(name: str, **annotations):
    recorder = _state["recorder"]
    if recorder is None:
        yield
        return
    with recorder.in_subsegment(name) as segment:
        for key, value in annotations.items():
            if segment is not None:
                segment.put_annotation(key, value)
        yield
