"""The deployable template: `chalice package --merge-template infra/resources.json`."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def packaged(tmp_path_factory):
    out = tmp_path_factory.mktemp("package")
    env = {**os.environ, "AWS_DEFAULT_REGION": "ap-southeast-3"}
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from chalice.cli import main; sys.exit(main())",
            "package",
            "--stage",
            "prod",
            "--pkg-format",
            "cloudformation",
            "--merge-template",
            "infra/resources.json",
            str(out),
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    return out / "sam.json"


def test_sqs_functions_report_partial_batch_failures(packaged):
    resources = json.loads(packaged.read_text())["Resources"]
    sqs_sources = {
        name: event["Properties"]
        for name, res in resources.items()
        if res["Type"] == "AWS::Serverless::Function"
        for event in res["Properties"].get("Events", {}).values()
        if event["Type"] == "SQS"
    }
    assert set(sqs_sources) == {"OnReportSubmitted", "OnAttachmentUploaded"}
    for props in sqs_sources.values():
        assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert resources["OnAttachmentUploaded"]["Properties"]["Events"][
        "OnAttachmentUploadedSqsEventSource"
    ]["Properties"]["Queue"]["Fn::Sub"].endswith(":satupintu-attachment-uploads")


def test_cfn_lint_finds_no_errors(packaged):
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    result = subprocess.run([str(cfn_lint), str(packaged)], capture_output=True, text=True)
    # Exit code bits: 1 crashed, 2 errors, 4 warnings, 8 informational.
    assert result.returncode & 3 == 0, result.stdout + result.stderr
    assert result.returncode == 0, result.stdout  # and no warnings either, today
