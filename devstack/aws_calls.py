"""Records the AWS calls each function of the app makes, as IAM sees them.

The local stack runs the functions in two kinds of process: the API server is the
``api_handler`` function (every call it makes is that function's), and the event pump
plays Lambda for the other functions (it names the function around each invocation with
``invoking(name)``). ``python -m devstack clock`` runs ``check_deadlines`` in its own
process. When ``SATUPINTU_AWS_CALL_LOG`` names a directory, each such process appends one
JSON line per AWS call to ``<dir>/calls-<pid>.jsonl``:

    {"function": "on_dispatch_job", "call": "dynamodb.BatchGetItem",
     "requests": [["dynamodb:BatchGetItem", "arn:aws:dynamodb:...:table/satupintu-..."], ...]}

``requests`` are the (IAM action, resource ARN) pairs AWS authorizes for that call:
``TransactWriteItems`` needs ``PutItem``/``UpdateItem``/... on each table it writes,
``SendMessageBatch`` needs ``sqs:SendMessage``, a presigned S3 form or link needs
``s3:PutObject``/``s3:GetObject`` from the role that signed it, and so on. A call this
module does not know is recorded with the action ``unmapped:<service>:<operation>``, which
no policy allows: the test that checks the log against the functions' policies fails until
the mapping (and the policy) learn it. Calls made outside any function (the pump's own
polling, seeding, resource creation) are not recorded.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import os
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

ENV = "SATUPINTU_AWS_CALL_LOG"
ACCOUNT_ID = "123456789012"  # the emulator's account (devstack.resources.ACCOUNT_ID)

_function: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "satupintu_function", default=None
)
_process_function: str | None = None
_installed = False
_write_lock = threading.Lock()


@contextlib.contextmanager
def invoking(function: str):
    """The AWS calls made inside this block (in this thread) are ``function``'s."""
    token = _function.set(function)
    try:
        yield
    finally:
        _function.reset(token)


def current_function() -> str | None:
    return _function.get() or _process_function


def install_from_env(process_function: str | None = None) -> bool:
    """Record this process's calls if ``SATUPINTU_AWS_CALL_LOG`` is set. Every call of the
    process is ``process_function``'s unless made inside ``invoking(...)``."""
    global _process_function, _installed
    directory = os.environ.get(ENV)
    if not directory:
        return False
    _process_function = process_function
    if _installed:
        return True
    Path(directory).mkdir(parents=True, exist_ok=True)
    _patch_botocore()
    _installed = True
    return True


def _log_path() -> Path:
    return Path(os.environ[ENV]) / f"calls-{os.getpid()}.jsonl"


def _write(function: str, call: str, requests: list[tuple[str, str]]) -> None:
    line = json.dumps({"function": function, "call": call, "requests": requests}) + "\n"
    with _write_lock, open(_log_path(), "a", encoding="utf-8") as f:
        f.write(line)


def _record(service: str, operation: str, params: dict, region: str, presigned=False) -> None:
    function = current_function()
    if function is None:
        return
    call = f"{service}.{operation}" + (" (presigned)" if presigned else "")
    _write(function, call, iam_requests(service, operation, params, region))


# -- botocore hooks ----------------------------------------------------------------------


def _patch_botocore() -> None:
    import botocore.session
    import botocore.signers

    original_init = botocore.session.Session.__init__

    def init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        self.register("before-parameter-build", _before_parameter_build)

    # Every session made from now on records (the app makes its one session lazily).
    botocore.session.Session.__init__ = init

    original_post = botocore.signers.generate_presigned_post

    def generate_presigned_post(self, Bucket, Key, *args, **kwargs):
        _record(
            "s3",
            "PutObject",
            {"Bucket": Bucket, "Key": Key},
            self.meta.region_name,
            presigned=True,
        )
        return original_post(self, Bucket, Key, *args, **kwargs)

    # Looked up by name when botocore builds the S3 client class.
    botocore.signers.generate_presigned_post = generate_presigned_post


def _before_parameter_build(params, model, context, **_):
    service = model.service_model.endpoint_prefix
    operation = model.name
    presigned = bool(context.get("is_presign_request"))
    if presigned and operation == "CreateBucket":
        return  # generate_presigned_post builds its URL from CreateBucket: recorded above
    region = context.get("client_region") or os.environ.get("AWS_REGION") or "ap-southeast-3"
    _record(service, operation, params, region, presigned=presigned)


# -- API call -> what IAM authorizes ------------------------------------------------------

_DYNAMODB_SAME_NAME = {
    "GetItem",
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "Query",
    "Scan",
    "DescribeTable",
}
_TRANSACT_WRITE = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}
_SQS = {
    "SendMessage": "SendMessage",
    "SendMessageBatch": "SendMessage",
    "ReceiveMessage": "ReceiveMessage",
    "DeleteMessage": "DeleteMessage",
    "DeleteMessageBatch": "DeleteMessage",
    "ChangeMessageVisibility": "ChangeMessageVisibility",
    "ChangeMessageVisibilityBatch": "ChangeMessageVisibility",
    "GetQueueAttributes": "GetQueueAttributes",
    "PurgeQueue": "PurgeQueue",
}


def _table(region: str, name: str, index: str | None = None) -> str:
    arn = f"arn:aws:dynamodb:{region}:{ACCOUNT_ID}:table/{name}"
    return f"{arn}/index/{index}" if index else arn


def _queue_arn(url: str, region: str) -> str:
    # https://sqs.<region>.amazonaws.com/<account>/<name>, or the emulator's
    # http://127.0.0.1:<port>/<account>/<name>
    parts = urlsplit(url)
    account, name = parts.path.strip("/").split("/")[-2:]
    host = parts.hostname or ""
    if host.startswith("sqs.") and host.endswith(".amazonaws.com"):
        region = host.split(".")[1]
    return f"arn:aws:sqs:{region}:{account}:{name}"


def _object(bucket: str, key: str) -> str:
    return f"arn:aws:s3:::{bucket}/{key}"


def _copy_source(source) -> tuple[str, str, str | None]:
    if isinstance(source, dict):
        return source["Bucket"], source["Key"], source.get("VersionId")
    path, _, query = str(source).partition("?versionId=")
    bucket, _, key = unquote(path).lstrip("/").partition("/")
    return bucket, key, query or None


def iam_requests(service: str, operation: str, params: dict, region: str) -> list[list[str]]:
    """The (action, resource ARN) pairs IAM authorizes for one API call."""
    out: list[list[str]] = []

    def need(action: str, resource: str) -> None:
        if [action, resource] not in out:
            out.append([action, resource])

    if service == "dynamodb":
        if operation in _DYNAMODB_SAME_NAME:
            need(
                f"dynamodb:{operation}",
                _table(region, params["TableName"], params.get("IndexName")),
            )
        elif operation in ("BatchGetItem", "BatchWriteItem"):
            for table in params["RequestItems"]:
                need(f"dynamodb:{operation}", _table(region, table))
        elif operation == "TransactWriteItems":
            for item in params["TransactItems"]:
                ((kind, body),) = item.items()
                need(f"dynamodb:{_TRANSACT_WRITE[kind]}", _table(region, body["TableName"]))
        elif operation == "TransactGetItems":
            for item in params["TransactItems"]:
                need("dynamodb:GetItem", _table(region, item["Get"]["TableName"]))
        else:
            need(f"unmapped:{service}:{operation}", "*")
    elif service == "streams.dynamodb":
        if operation in ("DescribeStream", "GetShardIterator"):
            need(f"dynamodb:{operation}", params["StreamArn"])
        elif operation == "GetRecords":
            # the emulator's iterators start with the stream's ARN (AWS's are opaque)
            need("dynamodb:GetRecords", params["ShardIterator"].split("|", 1)[0])
        elif operation == "ListStreams":
            need("dynamodb:ListStreams", "*")
        else:
            need(f"unmapped:{service}:{operation}", "*")
    elif service == "sqs":
        if operation in _SQS:
            need(f"sqs:{_SQS[operation]}", _queue_arn(params["QueueUrl"], region))
        elif operation == "GetQueueUrl":
            owner = params.get("QueueOwnerAWSAccountId", ACCOUNT_ID)
            need("sqs:GetQueueUrl", f"arn:aws:sqs:{region}:{owner}:{params['QueueName']}")
        else:
            need(f"unmapped:{service}:{operation}", "*")
    elif service == "s3":
        bucket = params.get("Bucket", "")
        versioned = bool(params.get("VersionId"))
        if operation in ("GetObject", "HeadObject"):
            action = "s3:GetObjectVersion" if versioned else "s3:GetObject"
            need(action, _object(bucket, params["Key"]))
        elif operation == "PutObject":
            need("s3:PutObject", _object(bucket, params["Key"]))
        elif operation == "CopyObject":
            src_bucket, src_key, src_version = _copy_source(params["CopySource"])
            action = "s3:GetObjectVersion" if src_version else "s3:GetObject"
            need(action, _object(src_bucket, src_key))
            need("s3:PutObject", _object(bucket, params["Key"]))
        elif operation == "DeleteObject":
            action = "s3:DeleteObjectVersion" if versioned else "s3:DeleteObject"
            need(action, _object(bucket, params["Key"]))
        elif operation == "DeleteObjects":
            for obj in params["Delete"]["Objects"]:
                action = "s3:DeleteObjectVersion" if obj.get("VersionId") else "s3:DeleteObject"
                need(action, _object(bucket, obj["Key"]))
        elif operation == "ListObjectVersions":
            need("s3:ListBucketVersions", f"arn:aws:s3:::{bucket}")
        elif operation in ("ListObjects", "ListObjectsV2"):
            need("s3:ListBucket", f"arn:aws:s3:::{bucket}")
        else:
            need(f"unmapped:{service}:{operation}", "*")
    elif service == "sns" and operation == "Publish":
        need("sns:Publish", params.get("TopicArn") or params.get("TargetArn") or "*")
    elif service in ("email", "ses") and operation in ("SendEmail", "SendRawEmail"):
        # SES authorizes the sending identity: the address, or its verified domain.
        source = params.get("Source") or params.get("FromArn") or ""
        address = source.rsplit("<", 1)[-1].rstrip(">").strip()
        need(f"ses:{operation}", f"arn:aws:ses:{region}:{ACCOUNT_ID}:identity/{address}")
    elif service == "secretsmanager" and operation == "GetSecretValue":
        secret = params["SecretId"]
        if not secret.startswith("arn:"):
            secret = f"arn:aws:secretsmanager:{region}:{ACCOUNT_ID}:secret:{secret}"
        need("secretsmanager:GetSecretValue", secret)
    else:
        need(f"unmapped:{service}:{operation}", "*")
    return out


def read_log(directory: Path) -> list[dict]:
    calls = []
    for path in sorted(Path(directory).glob("calls-*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                calls.append(json.loads(line))
    return calls
