"""X-Ray stays out of the way without a daemon, and patches only botocore with one."""

import json
import subprocess
import sys

CHECK = """
import json, sys
from chalicelib.adapters import tracing
tracing.init()
patched = []
if "aws_xray_sdk.core" in sys.modules:
    from aws_xray_sdk.core import patcher
    patched = sorted(patcher._PATCHED_MODULES)
with tracing.subsegment("work", tracking_id="X"):
    pass
print(json.dumps({"imported": "aws_xray_sdk" in sys.modules, "patched": patched}))
"""


def run(env_extra):
    env = {"PATH": "/usr/bin:/bin", "SATUPINTU_STAGE": "dev", **env_extra}
    out = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, env=env, check=True, cwd="."
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_off_without_a_daemon_and_not_even_imported():
    assert run({}) == {"imported": False, "patched": []}


def test_on_with_a_daemon_patches_botocore_only():
    result = run({"AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000"})
    assert result == {"imported": True, "patched": ["botocore"]}


def test_can_be_switched_off_explicitly():
    result = run({"AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000", "SATUPINTU_TRACING": "off"})
    assert result["imported"] is False
