"""The functions' roles in infra/resources.json, and the tools that prove them: the
recorder's map from API calls to IAM requests (devstack/aws_calls.py) and the policy
evaluator (tests/iam.py). The proof itself runs on the local stack:
tests/e2e/test_least_privilege.py."""

import pytest

from devstack.aws_calls import iam_requests
from tests import iam

R, A = iam.REGION, iam.ACCOUNT_ID
OPEN_DATA = "satupintu-dev-open-data-123456789012-ap-southeast-3"
BUCKET = f"satupintu-dev-attachments-{A}-{R}"


def table(name):
    return f"arn:aws:dynamodb:{R}:{A}:table/{name}"


@pytest.fixture(scope="module")
def template():
    return iam.load_template()


def role(template, function):
    return iam.statements_of(template, iam.role_of(template, iam.cfn_name(function)))


# -- the recorder's map -------------------------------------------------------------------


def test_a_transaction_needs_each_write_action_on_each_table():
    params = {
        "TransactItems": [
            {"Put": {"TableName": "satupintu-reports", "Item": {}}},
            {"Update": {"TableName": "satupintu-reports", "Key": {}}},
            {"ConditionCheck": {"TableName": "satupintu-audit", "Key": {}}},
            {"Put": {"TableName": "satupintu-report-events", "Item": {}}},
        ]
    }
    assert iam_requests("dynamodb", "TransactWriteItems", params, R) == [
        ["dynamodb:PutItem", table("satupintu-reports")],
        ["dynamodb:UpdateItem", table("satupintu-reports")],
        ["dynamodb:ConditionCheckItem", table("satupintu-audit")],
        ["dynamodb:PutItem", table("satupintu-report-events")],
    ]


def test_batches_and_index_queries_name_every_table_and_the_index():
    got = iam_requests(
        "dynamodb", "BatchGetItem", {"RequestItems": {"satupintu-deliveries": {}, "x": {}}}, R
    )
    assert got == [
        ["dynamodb:BatchGetItem", table("satupintu-deliveries")],
        ["dynamodb:BatchGetItem", table("x")],
    ]
    got = iam_requests(
        "dynamodb", "Query", {"TableName": "satupintu-reports", "IndexName": "outbox"}, R
    )
    assert got == [["dynamodb:Query", table("satupintu-reports") + "/index/outbox"]]


def test_sqs_batches_s3_versions_and_unknown_calls():
    url = f"https://sqs.{R}.amazonaws.com/210987654321/agency-inbox"
    assert iam_requests("sqs", "SendMessageBatch", {"QueueUrl": url}, R) == [
        ["sqs:SendMessage", f"arn:aws:sqs:{R}:210987654321:agency-inbox"]
    ]
    got = iam_requests(
        "s3",
        "DeleteObjects",
        {"Bucket": BUCKET, "Delete": {"Objects": [{"Key": "incoming/a", "VersionId": "1"}]}},
        R,
    )
    assert got == [["s3:DeleteObjectVersion", f"arn:aws:s3:::{BUCKET}/incoming/a"]]
    got = iam_requests(
        "s3",
        "CopyObject",
        {
            "Bucket": BUCKET,
            "Key": "attachments/b",
            "CopySource": f"{BUCKET}/incoming/a?versionId=7",
        },
        R,
    )
    assert got == [
        ["s3:GetObjectVersion", f"arn:aws:s3:::{BUCKET}/incoming/a"],
        ["s3:PutObject", f"arn:aws:s3:::{BUCKET}/attachments/b"],
    ]
    assert iam_requests("dynamodb", "Scan", {"TableName": "t"}, R)[0][0] == "dynamodb:Scan"
    assert iam_requests("kms", "Decrypt", {}, R) == [["unmapped:kms:Decrypt", "*"]]


# -- the evaluator ------------------------------------------------------------------------


def test_the_evaluator_matches_wildcards_and_lets_deny_win():
    statements = [
        {"Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": f"arn:aws:sqs:{R}:*:*"},
        {"Effect": "Deny", "Action": "sqs:*", "Resource": f"arn:aws:sqs:*:{A}:satupintu-*"},
    ]
    assert iam.allowed(statements, "SQS:sendmessage", f"arn:aws:sqs:{R}:210987654321:inbox")
    assert not iam.allowed(statements, "sqs:SendMessage", f"arn:aws:sqs:{R}:{A}:satupintu-x")
    assert not iam.allowed(statements, "sqs:SendMessage", f"arn:aws:sqs:us-east-1:{A}:inbox")
    assert not iam.allowed(statements, "sqs:ReceiveMessage", f"arn:aws:sqs:{R}:{A}:inbox")
    with pytest.raises(ValueError):
        iam.allowed(
            [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {}}], "a", "b"
        )


def test_a_role_without_batchgetitem_fails_the_dispatchers_recorded_lookup(template):
    """What the e2e proof does for every recorded action, on one known call."""
    lookup = {
        "function": "on_dispatch_job",
        "call": "dynamodb.BatchGetItem",
        "requests": [
            ["dynamodb:BatchGetItem", table("satupintu-dev-deliveries")],
            ["dynamodb:BatchGetItem", table("satupintu-dev-directory")],
        ],
    }
    assert iam.check([lookup], template) == []
    weaker = iam.without_action(template, "OnDispatchJobRole", "dynamodb:BatchGetItem")
    denied = iam.check([lookup], weaker)
    assert {(v.function, v.action) for v in denied} == {
        ("on_dispatch_job", "dynamodb:BatchGetItem")
    }
    assert len(denied) == 2


# -- the roles themselves -----------------------------------------------------------------


def test_resources_are_exact_except_where_aws_or_the_design_needs_a_pattern(template):
    """Every resource names this account and region (or the bucket) — no other
    accounts' buckets, no `*:*` queues. The exceptions are X-Ray (no resource-level
    permissions), each function's own log group, objects under a bucket prefix, a
    table's indexes, a table's stream (its ARN ends with its creation time; the template
    names it exactly), ListStreams (no resource-level permissions) and agencies' own
    queues (registered at run time)."""
    import app

    for function in {"api_handler", *(s.name for s in app.app.event_sources)}:
        for s in role(template, function):
            if s["Effect"] != "Allow":
                continue
            for resource in s["Resource"]:
                if s["Sid"] == "Tracing":
                    assert resource == "*"
                elif s["Sid"] == "OwnLogs":
                    name = iam.cfn_name(function)
                    assert resource == (
                        f"arn:aws:logs:{R}:{A}:log-group:/aws/lambda/satupintu-{name}-*"
                    )
                elif s["Sid"] == "ListStreams":
                    assert s["Action"] == ["dynamodb:ListStreams"] and resource == "*"
                elif s["Sid"] == "AgencyQueues":
                    assert function == "on_dispatch_job" and resource == f"arn:aws:sqs:{R}:*:*"
                elif resource.startswith("arn:aws:s3:::"):
                    assert resource in (
                        f"arn:aws:s3:::{BUCKET}",
                        f"arn:aws:s3:::{BUCKET}/incoming/*",
                        f"arn:aws:s3:::{BUCKET}/attachments/*",
                        f"arn:aws:s3:::{OPEN_DATA}/open-data/*",
                    ), (function, resource)
                else:
                    assert f":{R}:{A}:" in resource, (function, resource)
                    assert "*" not in resource or resource.endswith(("/index/*", "/stream/*"))


def test_the_public_api_cannot_delete_evidence_or_write_checked_copies(template):
    api = role(template, "api_handler")
    for action in ("s3:DeleteObject", "s3:DeleteObjectVersion", "dynamodb:DeleteItem"):
        for key in ("incoming/K7M3QX9P2A/x", "attachments/K7M3QX9P2A/x/original"):
            assert not iam.allowed(api, action, f"arn:aws:s3:::{BUCKET}/{key}")
    assert not iam.allowed(api, "s3:PutObject", f"arn:aws:s3:::{BUCKET}/attachments/K/x/original")
    assert iam.allowed(api, "s3:PutObject", f"arn:aws:s3:::{BUCKET}/incoming/K/x")
    other = f"arn:aws:s3:::satupintu-dev-attachments-999999999999-{R}/incoming/K/x"
    assert not iam.allowed(api, "s3:PutObject", other)


def test_the_dispatcher_reaches_agencies_queues_but_not_the_platforms_own(template):
    dispatcher = role(template, "on_dispatch_job")
    assert iam.allowed(dispatcher, "sqs:SendMessage", f"arn:aws:sqs:{R}:210987654321:inbox")
    for own in (
        "satupintu-dev-report-submitted",
        "satupintu-dev-dispatch",
        "satupintu-dev-notifications",
    ):
        assert not iam.allowed(dispatcher, "sqs:SendMessage", f"arn:aws:sqs:{R}:{A}:{own}")


def test_only_the_notifications_consumer_sends_mail_from_the_sender_identity(template):
    import app

    identity = f"arn:aws:ses:{R}:{A}:identity/no-reply@satupintu.test"
    domain = f"arn:aws:ses:{R}:{A}:identity/satupintu.test"
    for function in {"api_handler", *(s.name for s in app.app.event_sources)}:
        may = iam.allowed(role(template, function), "ses:SendEmail", identity)
        assert may == (function == "on_notification"), function
    assert iam.allowed(role(template, "on_notification"), "ses:SendEmail", domain)
    other = f"arn:aws:ses:{R}:{A}:identity/someone@else.test"
    assert not iam.allowed(role(template, "on_notification"), "ses:SendEmail", other)
