"""infra/lint.py: every linter finding on the packaged template needs a justification in
infra/README.md, and a justification that matches nothing is stale."""

from __future__ import annotations

import pytest

from infra import lint


def finding(tool="checkov", check="CKV_AWS_117", resource="AWS::Serverless::Function.APIHandler"):
    return lint.Finding(tool, check, resource, "message")


TABLE = """
| tool | check | resources | why |
|---|---|---|---|
| checkov | `CKV_AWS_117` | `AWS::Serverless::Function.*` | no private resource to reach |
| sam | `W3660` | `*ProblemJson*` | owned by the edge work |
"""


def test_a_finding_is_covered_by_tool_check_and_resource_glob():
    rows = lint.justifications(TABLE)

    open_findings, stale = lint.unjustified(
        [
            finding(),
            finding(resource="AWS::Serverless::Function.OnDispatchJob"),
            finding("sam", "W3660", "Defining 'Body' with ... 'ProblemJson4xx' ..."),
        ],
        rows,
    )
    assert open_findings == [] and stale == []


@pytest.mark.parametrize(
    "unexpected",
    [
        finding(check="CKV_AWS_999"),  # another check
        finding(resource="AWS::SQS::Queue.DispatchQueue"),  # another resource type
        finding(tool="cfn-lint", check="CKV_AWS_117"),  # another tool
    ],
)
def test_anything_else_is_unjustified(unexpected):
    open_findings, _ = lint.unjustified([finding(), unexpected], lint.justifications(TABLE))
    assert open_findings == [unexpected]


def test_a_justification_for_a_finding_that_is_gone_is_stale():
    _, stale = lint.unjustified([finding()], lint.justifications(TABLE))
    assert [(j.tool, j.check) for j in stale] == [("sam", "W3660")]


def test_a_justification_needs_a_reason():
    with pytest.raises(ValueError):
        lint.justifications("| checkov | `CKV_AWS_1` | `*` |  |")


def test_the_readme_justifies_each_finding_with_a_reason():
    rows = lint.justifications(lint.README.read_text())
    assert len(rows) >= 10
    assert all(len(j.reason) > 40 for j in rows)
    assert len({(j.tool, j.check, j.resources) for j in rows}) == len(rows)


def test_sam_output_is_parsed_into_findings(monkeypatch):
    output = (
        "[[W3660: Validate if multiple resources are modifying a Rest API definition] "
        "(Defining 'Body' with a relation to resource 'ProblemJson4xx' of type "
        "'AWS::ApiGateway::GatewayResponse' may result in drift and orphaned resources) "
        "matched 1180]\nError: Linting failed."
    )

    class Result:
        returncode, stdout, stderr = 1, "", output

    monkeypatch.setattr(lint, "tool", lambda name: name)
    monkeypatch.setattr(lint.subprocess, "run", lambda *a, **k: Result())
    (found,) = lint.sam_validate(lint.ROOT / "dist" / "sam.json")
    assert found.check == "W3660" and "ProblemJson4xx" in found.resource
