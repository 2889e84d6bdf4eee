"""Test-wide environment: never talk to real AWS.

Set before anything imports chalicelib (settings are read once). Integration and e2e
tests point AWS_ENDPOINT_URL at an emulator they start themselves.
"""

import os

os.environ.update(
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_DEFAULT_REGION="ap-southeast-3",
    AWS_REGION="ap-southeast-3",
    SATUPINTU_STAGE="dev",
)
for leaked in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_XRAY_DAEMON_ADDRESS"):
    os.environ.pop(leaked, None)
# Unit tests must never reach a network endpoint: anything that tries fails fast.
os.environ.setdefault("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
