"""Create the local resources from infra/resources.json — the template production uses.

Tables, queues, topics and alarms go through the emulator's CloudFormation; Cognito
(which moto's CloudFormation does not support) is created from the same resource
properties through the Cognito API. The app's environment is then derived from the
template's ``Globals`` by resolving Ref/GetAtt/Sub against what was created.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import boto3

from .emulator import LOCAL_AWS_ENV, REGION

TEMPLATE = Path(__file__).resolve().parent.parent / "infra" / "resources.json"
STACK_NAME = "satupintu"
ACCOUNT_ID = "123456789012"  # moto's default account

VIA_CLOUDFORMATION = {
    "AWS::DynamoDB::Table",
    "AWS::SQS::Queue",
    "AWS::S3::Bucket",
    "AWS::SNS::Topic",
    "AWS::CloudWatch::Alarm",
}
VIA_COGNITO_API = {
    "AWS::Cognito::UserPool",
    "AWS::Cognito::UserPoolClient",
    "AWS::Cognito::UserPoolGroup",
}


def load_template(path: Path = TEMPLATE) -> dict:
    return json.loads(path.read_text())


def _client(service: str, endpoint: str):
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=LOCAL_AWS_ENV["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=LOCAL_AWS_ENV["AWS_SECRET_ACCESS_KEY"],
    )


class Created:
    """Physical ids and attributes of what was created, for resolving intrinsics."""

    def __init__(self):
        self.refs: dict[str, str] = {}
        self.attrs: dict[tuple[str, str], str] = {}

    def resolve(self, value):
        if isinstance(value, dict) and len(value) == 1:
            ((fn, arg),) = value.items()
            if fn == "Ref":
                return {"AWS::Region": REGION, "AWS::AccountId": ACCOUNT_ID}.get(arg) or self.refs[
                    arg
                ]
            if fn == "Fn::GetAtt":
                return self.attrs[tuple(arg)]
            if fn == "Fn::Sub":
                if "{{resolve:" in arg:
                    raise KeyError("dynamic reference")
                return re.sub(r"\$\{([^}]+)\}", lambda m: self.resolve({"Ref": m.group(1)}), arg)
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        return value


def _create_stack(template: dict, endpoint: str, created: Created) -> None:
    resources = {
        name: res
        for name, res in template["Resources"].items()
        if res.get("Type") in VIA_CLOUDFORMATION
    }
    cfn = _client("cloudformation", endpoint)
    cfn.create_stack(StackName=STACK_NAME, TemplateBody=json.dumps({"Resources": resources}))
    status = cfn.describe_stacks(StackName=STACK_NAME)["Stacks"][0]["StackStatus"]
    if status != "CREATE_COMPLETE":
        raise RuntimeError(f"local stack creation ended in {status}")
    for res in cfn.describe_stack_resources(StackName=STACK_NAME)["StackResources"]:
        logical, physical = res.get("LogicalResourceId"), res.get("PhysicalResourceId")
        if logical not in resources:
            continue  # moto lists some resources (alarms) without ids
        created.refs[logical] = physical
        kind = resources[logical]["Type"]
        if kind == "AWS::SQS::Queue":
            name = physical.rsplit("/", 1)[-1]
            created.attrs[(logical, "Arn")] = f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:{name}"
            created.attrs[(logical, "QueueName")] = name
        elif kind == "AWS::DynamoDB::Table":
            created.attrs[(logical, "Arn")] = (
                f"arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/{physical}"
            )


def _create_cognito(template: dict, endpoint: str, created: Created) -> None:
    idp = _client("cognito-idp", endpoint)
    by_type = {t: [] for t in VIA_COGNITO_API}
    for name, res in template["Resources"].items():
        if res.get("Type") in VIA_COGNITO_API:
            by_type[res["Type"]].append((name, res["Properties"]))
    for name, props in by_type["AWS::Cognito::UserPool"]:
        schema = [{**a, "Mutable": a.get("Mutable", True)} for a in props.get("Schema", [])]
        pool = idp.create_user_pool(
            PoolName=props["UserPoolName"],
            Policies=props.get("Policies", {}),
            AdminCreateUserConfig=props.get("AdminCreateUserConfig", {}),
            UsernameConfiguration=props.get("UsernameConfiguration", {}),
            Schema=schema,
        )["UserPool"]
        created.refs[name] = pool["Id"]
    for name, props in by_type["AWS::Cognito::UserPoolClient"]:
        props = created.resolve(props)
        client = idp.create_user_pool_client(
            UserPoolId=props["UserPoolId"],
            ClientName=props["ClientName"],
            GenerateSecret=props.get("GenerateSecret", False),
            ExplicitAuthFlows=props.get("ExplicitAuthFlows", []),
            ReadAttributes=props.get("ReadAttributes", []),
            WriteAttributes=props.get("WriteAttributes", []),
        )["UserPoolClient"]
        created.refs[name] = client["ClientId"]
    for name, props in by_type["AWS::Cognito::UserPoolGroup"]:
        props = created.resolve(props)
        idp.create_group(
            UserPoolId=props["UserPoolId"],
            GroupName=props["GroupName"],
            Description=props.get("Description", ""),
        )
        created.refs[name] = props["GroupName"]


def app_environment(template: dict, created: Created, endpoint: str) -> dict[str, str]:
    """The Lambda environment the template gives every function, resolved locally."""
    env = {}
    variables = template.get("Globals", {}).get("Function", {}).get("Environment", {})
    for key, value in variables.get("Variables", {}).items():
        try:
            env[key] = created.resolve(value)
        except KeyError:
            continue  # e.g. a Secrets Manager reference: the dev stage has a default
    # Cognito's issuer is an AWS URL; locally the keys are served by the emulator.
    pool_id = env.get("JWT_ISSUER", "").rsplit("/", 1)[-1]
    if pool_id:
        env["JWKS_URL"] = f"{endpoint}/{pool_id}/.well-known/jwks.json"
    return env


def create_all(endpoint: str, template: dict | None = None) -> tuple[Created, dict[str, str]]:
    template = template or load_template()
    created = Created()
    _create_stack(template, endpoint, created)
    _create_cognito(template, endpoint, created)
    return created, app_environment(template, created, endpoint)
