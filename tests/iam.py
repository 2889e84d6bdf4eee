"""The functions' IAM roles as infra/resources.json defines them, resolved for the local
stack, and a small IAM policy evaluator to check recorded calls against them.

Evaluation follows IAM's rules for identity policies without conditions: a request is
allowed when an Allow statement matches its action and resource and no Deny statement
does; actions match case-insensitively, ``*`` and ``?`` match any characters (``:`` and
``/`` included) in actions and resource ARNs. Statements this evaluator cannot judge
(NotAction, NotResource, Condition, a non-string value) raise instead of guessing.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "infra" / "resources.json"
REGION = "ap-southeast-3"
ACCOUNT_ID = "123456789012"  # the emulator's
STACK_NAME = "satupintu"
# Local values of the template's parameters (devstack.resources.local_parameters)
PARAMETERS = {
    "Stage": "dev",
    "MailSender": "no-reply@satupintu.test",
    "WebOrigin": "http://127.0.0.1:8000",
    "PortalUrl": "http://127.0.0.1:8000",
}


def load_template() -> dict:
    return json.loads(TEMPLATE.read_text())


def cfn_name(function: str) -> str:
    """The packaged template's logical id of a Chalice function ('api_handler' too)."""
    from chalice.utils import to_cfn_resource_name

    return "APIHandler" if function == "api_handler" else to_cfn_resource_name(function)


class Resolver:
    """Ref, Fn::GetAtt (Arn), Fn::Sub, Fn::Select and Fn::Split, with local values."""

    def __init__(self, template: dict):
        self.resources = template["Resources"]

    def ref(self, name: str) -> str:
        pseudo = {
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT_ID,
            "AWS::Partition": "aws",
            "AWS::StackName": STACK_NAME,
        }
        if name in pseudo:
            return pseudo[name]
        if name in PARAMETERS:
            return PARAMETERS[name]
        kind = self.resources[name]["Type"]
        if kind == "AWS::DynamoDB::Table":
            return self.name(name, "TableName")
        if kind == "AWS::SQS::Queue":
            return f"http://127.0.0.1/{ACCOUNT_ID}/{self.name(name, 'QueueName')}"
        if kind == "AWS::S3::Bucket":
            return self.name(name, "BucketName")
        if kind == "AWS::SNS::Topic":
            return f"arn:aws:sns:{REGION}:{ACCOUNT_ID}:{self.name(name, 'TopicName')}"
        if kind == "AWS::SecretsManager::Secret":
            # Ref gives the exact ARN, which ends in a random suffix of six characters
            secret = self.name(name, "Name")
            return f"arn:aws:secretsmanager:{REGION}:{ACCOUNT_ID}:secret:{secret}-??????"
        raise KeyError(f"Ref {name} ({kind}) is not resolved locally")

    def name(self, resource: str, prop: str) -> str:
        """A resource's name property, resolved (every resource here is named)."""
        return self.resolve(self.resources[resource]["Properties"][prop])

    def arn(self, name: str) -> str:
        kind = self.resources[name]["Type"]
        if kind == "AWS::DynamoDB::Table":
            return f"arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/{self.name(name, 'TableName')}"
        if kind == "AWS::SQS::Queue":
            return f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:{self.name(name, 'QueueName')}"
        if kind == "AWS::S3::Bucket":
            return f"arn:aws:s3:::{self.name(name, 'BucketName')}"
        if kind == "AWS::SNS::Topic":
            return self.ref(name)
        if kind == "AWS::IAM::Role":
            return f"arn:aws:iam::{ACCOUNT_ID}:role/{name}"
        raise KeyError(f"GetAtt {name}.Arn ({kind}) is not resolved locally")

    def resolve(self, value):
        if isinstance(value, dict) and len(value) == 1:
            ((fn, arg),) = value.items()
            if fn == "Ref":
                return self.ref(arg)
            if fn == "Fn::GetAtt":
                name, attribute = arg if isinstance(arg, list) else arg.split(".", 1)
                if attribute == "StreamArn":  # ends with the stream's creation time
                    return self.arn(name) + "/stream/*"
                if attribute != "Arn":
                    raise KeyError(f"GetAtt {name}.{attribute}")
                return self.arn(name)
            if fn == "Fn::Sub":
                text, variables = (arg, {}) if isinstance(arg, str) else arg
                variables = {k: self.resolve(v) for k, v in variables.items()}

                def one(match):
                    name = match.group(1)
                    if name in variables:
                        return variables[name]
                    if name.endswith(".Arn"):
                        return self.arn(name[: -len(".Arn")])
                    return self.ref(name)

                return re.sub(r"\$\{([^}!]+)\}", one, text)
            if fn == "Fn::Select":
                index, items = arg
                return self.resolve(items)[int(index)]
            if fn == "Fn::Split":
                sep, text = arg
                return self.resolve(text).split(sep)
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        return value


def role_of(template: dict, function_cfn: str) -> str:
    """The logical id of the role the template gives a function (infra/resources.json
    sets every function's Role)."""
    role = template["Resources"].get(function_cfn, {}).get("Properties", {}).get("Role")
    if not (isinstance(role, dict) and "Fn::GetAtt" in role):
        raise KeyError(f"{function_cfn} has no Role from infra/resources.json")
    name = role["Fn::GetAtt"][0]
    assert template["Resources"][name]["Type"] == "AWS::IAM::Role", name
    return name


def statements_of(template: dict, role: str) -> list[dict]:
    """Every statement of a role's inline policies, resolved locally."""
    props = template["Resources"][role]["Properties"]
    if props.get("ManagedPolicyArns"):
        raise ValueError(f"{role}: managed policies cannot be checked here")
    resolver = Resolver(template)
    out = []
    for policy in props.get("Policies", []):
        for statement in resolver.resolve(policy["PolicyDocument"])["Statement"]:
            out.append(statement)
    return out


def _pattern(text: str, case_insensitive: bool) -> re.Pattern:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in text)
    return re.compile(regex, re.DOTALL | (re.IGNORECASE if case_insensitive else 0))


def _listed(value) -> list[str]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ValueError(f"cannot evaluate {value!r}")
    return values


def _matches(statement: dict, action: str, resource: str) -> bool:
    unsupported = {"NotAction", "NotResource", "Condition", "NotPrincipal", "Principal"}
    if unsupported & statement.keys():
        raise ValueError(f"this evaluator cannot judge {sorted(unsupported & statement.keys())}")
    actions = _listed(statement["Action"])
    resources = _listed(statement["Resource"])
    return any(_pattern(a, True).fullmatch(action) for a in actions) and any(
        _pattern(r, False).fullmatch(resource) for r in resources
    )


def allowed(statements: list[dict], action: str, resource: str) -> bool:
    if any(s["Effect"] == "Deny" and _matches(s, action, resource) for s in statements):
        return False
    return any(s["Effect"] == "Allow" and _matches(s, action, resource) for s in statements)


@dataclass(frozen=True)
class Violation:
    function: str
    role: str
    call: str
    action: str
    resource: str

    def __str__(self) -> str:
        return f"{self.function} ({self.role}): {self.call} needs {self.action} on {self.resource}"


def check(calls: list[dict], template: dict) -> list[Violation]:
    """Every (action, resource) a recorded call needs that its function's role does not
    allow. Each violation once."""
    roles: dict[str, tuple[str, list[dict]]] = {}
    found: dict[tuple, Violation] = {}
    for call in calls:
        function = call["function"]
        if function not in roles:
            role = role_of(template, cfn_name(function))
            roles[function] = (role, statements_of(template, role))
        role, statements = roles[function]
        for action, resource in call["requests"]:
            if not allowed(statements, action, resource):
                key = (function, action, resource)
                found.setdefault(key, Violation(function, role, call["call"], action, resource))
    return list(found.values())


def without_action(template: dict, role: str, action: str) -> dict:
    """A copy of the template whose role no longer allows ``action`` (for mutation checks)."""
    changed = copy.deepcopy(template)
    for policy in changed["Resources"][role]["Properties"]["Policies"]:
        statements = []
        for statement in policy["PolicyDocument"]["Statement"]:
            if statement["Effect"] == "Allow":
                actions = [a for a in _listed(statement["Action"]) if a.lower() != action.lower()]
                if not actions:
                    continue
                statement = {**statement, "Action": actions}
            statements.append(statement)
        policy["PolicyDocument"]["Statement"] = statements
    return changed
