"""Create the local resources from infra/resources.json — the template production uses.

Tables, queues, buckets, topics and alarms go through the emulator's CloudFormation;
Cognito and Secrets Manager secrets (which moto's CloudFormation does not support) are
created from the same resource properties through their APIs. Alarms on what exists only
in the packaged template (the functions, the API) and the monitoring-only resources (log
groups, dashboard, e-mail subscription) are left out. moto's CloudFormation creates a
bucket with its encryption only, so the bucket's other properties (versioning, public
access block, CORS, lifecycle, S3 -> SQS notifications) are then applied from the template
through the S3 API; a property this module cannot translate stops the stack rather than
drift silently. Queue policies are left out (moto neither creates nor enforces them). The app's
environment is then derived from the template's ``Globals`` by resolving
Ref/GetAtt/Sub against what was created.
"""

from __future__ import annotations

import json
import re
import secrets
import string
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
VIA_SECRETS_API = {"AWS::SecretsManager::Secret"}
VIA_COGNITO_API = {
    "AWS::Cognito::UserPool",
    "AWS::Cognito::UserPoolClient",
    "AWS::Cognito::UserPoolGroup",
    "AWS::Cognito::UserPoolDomain",
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

    def __init__(self, conditions: dict | None = None):
        self.refs: dict[str, str] = {}
        self.attrs: dict[tuple[str, str], str] = {}
        self.conditions = conditions or {}  # the template's Conditions, evaluated on use

    def condition(self, name: str) -> bool:
        return self._truth(self.conditions[name])

    def _truth(self, value) -> bool:
        ((fn, arg),) = value.items()
        if fn == "Condition":
            return self.condition(arg)
        if fn == "Fn::Equals":
            left, right = (self.resolve(v) for v in arg)
            return left == right
        if fn == "Fn::Not":
            return not self._truth(arg[0])
        if fn == "Fn::And":
            return all(self._truth(v) for v in arg)
        if fn == "Fn::Or":
            return any(self._truth(v) for v in arg)
        raise ValueError(f"condition function not applied locally: {fn}")

    def resolve(self, value):
        if isinstance(value, dict) and len(value) == 1:
            ((fn, arg),) = value.items()
            if fn == "Ref" and arg == "AWS::NoValue":
                return NO_VALUE
            if fn == "Fn::If":
                name, if_true, if_false = arg
                return self.resolve(if_true if self.condition(name) else if_false)
            if fn == "Ref":
                return {
                    "AWS::Region": REGION,
                    "AWS::AccountId": ACCOUNT_ID,
                    "AWS::Partition": "aws",
                }.get(arg) or self.refs[arg]
            if fn == "Fn::GetAtt":
                return self.attrs[tuple(arg)]
            if fn == "Fn::Sub":
                if "{{resolve:" in arg:
                    raise KeyError("dynamic reference")
                return re.sub(r"\$\{([^}]+)\}", lambda m: self.resolve({"Ref": m.group(1)}), arg)
        if isinstance(value, dict):
            resolved = {k: self.resolve(v) for k, v in value.items()}
            return {k: v for k, v in resolved.items() if v is not NO_VALUE}
        if isinstance(value, list):
            return [v for v in map(self.resolve, value) if v is not NO_VALUE]
        return value


NO_VALUE = object()  # Ref AWS::NoValue: the property is left out


def _references(value) -> set[str]:
    """Logical ids (and parameters) a template value refers to."""
    if isinstance(value, list):
        return set().union(*map(_references, value)) if value else set()
    if not isinstance(value, dict):
        return set()
    if len(value) == 1:
        ((fn, arg),) = value.items()
        if fn == "Ref" and isinstance(arg, str):
            return {arg}
        if fn == "Fn::GetAtt":
            return {arg[0] if isinstance(arg, list) else arg.split(".", 1)[0]}
        if fn == "Fn::Sub" and isinstance(arg, str):
            return {m.split(".", 1)[0] for m in re.findall(r"\$\{([^}!]+)\}", arg)}
    return set().union(*map(_references, value.values())) if value else set()


def _local_resources(template: dict) -> dict:
    """The resources the emulator's CloudFormation creates, without dependencies on the
    ones it does not (queue policies), and without those that watch what exists only in
    the packaged template (alarms on the functions)."""
    candidates = {
        name for name, res in template["Resources"].items() if res.get("Type") in VIA_CLOUDFORMATION
    }
    known = candidates | set(template.get("Parameters", {}))
    resources = {}
    for name, res in template["Resources"].items():
        if name not in candidates:
            continue
        refs = {r for r in _references(res.get("Properties", {})) if not r.startswith("AWS::")}
        if refs - known:
            continue
        res = dict(res)
        depends = res.get("DependsOn")
        if depends is not None:
            depends = [depends] if isinstance(depends, str) else depends
            kept = [
                d for d in depends if template["Resources"][d].get("Type") in VIA_CLOUDFORMATION
            ]
            if kept:
                res["DependsOn"] = kept
            else:
                del res["DependsOn"]
        resources[name] = res
    return resources


def _create_stack(
    template: dict, endpoint: str, created: Created, parameters: dict[str, str]
) -> None:
    resources = _local_resources(template)
    body = {"Resources": resources}
    if template.get("Conditions"):
        body["Conditions"] = template["Conditions"]
    declared = template.get("Parameters", {})
    if declared:
        body["Parameters"] = declared
        missing = [p for p in declared if p not in parameters and "Default" not in declared[p]]
        if missing:
            raise ValueError(f"local values needed for template parameters: {missing}")
    cfn = _client("cloudformation", endpoint)
    cfn.create_stack(
        StackName=STACK_NAME,
        TemplateBody=json.dumps(body),
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
    )
    created.refs.update(parameters)
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
        elif kind == "AWS::S3::Bucket":
            created.attrs[(logical, "Arn")] = f"arn:aws:s3:::{physical}"


# -- buckets: the template's properties through the S3 API ------------------------------


def _lifecycle_rule(rule: dict) -> dict:
    known = {
        "Id",
        "Status",
        "Prefix",
        "ExpirationInDays",
        "NoncurrentVersionExpiration",
        "AbortIncompleteMultipartUpload",
        "ExpiredObjectDeleteMarker",
    }
    unknown = set(rule) - known
    if unknown:
        raise ValueError(f"lifecycle rule properties not translated locally: {sorted(unknown)}")
    out = {"ID": rule["Id"], "Status": rule["Status"], "Filter": {"Prefix": rule.get("Prefix", "")}}
    expiration = {}
    if "ExpirationInDays" in rule:
        expiration["Days"] = rule["ExpirationInDays"]
    if "ExpiredObjectDeleteMarker" in rule:
        expiration["ExpiredObjectDeleteMarker"] = rule["ExpiredObjectDeleteMarker"]
    if expiration:
        out["Expiration"] = expiration
    if "NoncurrentVersionExpiration" in rule:
        days = rule["NoncurrentVersionExpiration"]["NoncurrentDays"]
        out["NoncurrentVersionExpiration"] = {"NoncurrentDays": days}
    if "AbortIncompleteMultipartUpload" in rule:
        days = rule["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"]
        out["AbortIncompleteMultipartUpload"] = {"DaysAfterInitiation": days}
    return out


def _cors_rule(rule: dict) -> dict:
    names = {
        "Id": "ID",
        "AllowedMethods": "AllowedMethods",
        "AllowedOrigins": "AllowedOrigins",
        "AllowedHeaders": "AllowedHeaders",
        "ExposedHeaders": "ExposeHeaders",
        "MaxAge": "MaxAgeSeconds",
    }
    unknown = set(rule) - set(names)
    if unknown:
        raise ValueError(f"CORS rule properties not translated locally: {sorted(unknown)}")
    return {names[k]: v for k, v in rule.items()}


def _queue_notification(config: dict) -> dict:
    out = {"QueueArn": config["Queue"], "Events": [config["Event"]]}
    rules = config.get("Filter", {}).get("S3Key", {}).get("Rules")
    if rules:
        out["Filter"] = {
            "Key": {"FilterRules": [{"Name": r["Name"], "Value": r["Value"]} for r in rules]}
        }
    return out


def _notifications(config: dict) -> dict:
    unknown = set(config) - {"QueueConfigurations"}
    if unknown:
        raise ValueError(f"notification targets not translated locally: {sorted(unknown)}")
    return {"QueueConfigurations": [_queue_notification(c) for c in config["QueueConfigurations"]]}


# CloudFormation property -> how to apply it through the S3 API (None: CloudFormation did).
_BUCKET_PROPERTIES = {
    "BucketName": None,
    "BucketEncryption": None,
    "OwnershipControls": lambda s3, b, v: s3.put_bucket_ownership_controls(
        Bucket=b, OwnershipControls=v
    ),
    "PublicAccessBlockConfiguration": lambda s3, b, v: s3.put_public_access_block(
        Bucket=b, PublicAccessBlockConfiguration=v
    ),
    "VersioningConfiguration": lambda s3, b, v: s3.put_bucket_versioning(
        Bucket=b, VersioningConfiguration={"Status": v["Status"]}
    ),
    "CorsConfiguration": lambda s3, b, v: s3.put_bucket_cors(
        Bucket=b, CORSConfiguration={"CORSRules": [_cors_rule(r) for r in v["CorsRules"]]}
    ),
    "LifecycleConfiguration": lambda s3, b, v: s3.put_bucket_lifecycle_configuration(
        Bucket=b, LifecycleConfiguration={"Rules": [_lifecycle_rule(r) for r in v["Rules"]]}
    ),
    # Last: S3 sends its s3:TestEvent to the queue when notifications are configured.
    "NotificationConfiguration": lambda s3, b, v: s3.put_bucket_notification_configuration(
        Bucket=b, NotificationConfiguration=_notifications(v)
    ),
}


def _configure_buckets(template: dict, endpoint: str, created: Created) -> None:
    s3 = _client("s3", endpoint)
    for name, res in template["Resources"].items():
        if res.get("Type") != "AWS::S3::Bucket":
            continue
        props = created.resolve(res.get("Properties", {}))
        unknown = set(props) - set(_BUCKET_PROPERTIES)
        if unknown:
            raise ValueError(f"{name}: bucket properties not applied locally: {sorted(unknown)}")
        for prop, apply in _BUCKET_PROPERTIES.items():
            if apply is not None and prop in props:
                apply(s3, created.refs[name], props[prop])


def _create_cognito(template: dict, endpoint: str, created: Created) -> None:
    idp = _client("cognito-idp", endpoint)
    by_type = {t: [] for t in VIA_COGNITO_API}
    for name, res in template["Resources"].items():
        if res.get("Type") in VIA_COGNITO_API:
            by_type[res["Type"]].append((name, res["Properties"]))
    for name, props in by_type["AWS::Cognito::UserPool"]:
        # The pool's MfaConfiguration is left out: the demo accounts sign in with a
        # password only (`python -m devstack token`); the API checks MFA evidence the same
        # way on AWS and locally (chalicelib/api/auth.py).
        props = created.resolve(props)
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
            # What the local hosted-UI stand-in checks (devstack/signin.py), as Cognito's does.
            **{
                key: props[key]
                for key in (
                    "AllowedOAuthFlowsUserPoolClient",
                    "AllowedOAuthFlows",
                    "AllowedOAuthScopes",
                    "CallbackURLs",
                    "LogoutURLs",
                    "SupportedIdentityProviders",
                )
                if key in props
            },
        )["UserPoolClient"]
        created.refs[name] = client["ClientId"]
    for name, props in by_type["AWS::Cognito::UserPoolDomain"]:
        props = created.resolve(props)
        idp.create_user_pool_domain(Domain=props["Domain"], UserPoolId=props["UserPoolId"])
        created.refs[name] = props["Domain"]
    for name, props in by_type["AWS::Cognito::UserPoolGroup"]:
        props = created.resolve(props)
        idp.create_group(
            UserPoolId=props["UserPoolId"],
            GroupName=props["GroupName"],
            Description=props.get("Description", ""),
        )
        created.refs[name] = props["GroupName"]


def _create_secrets(template: dict, endpoint: str, created: Created) -> None:
    """Secrets (moto's CloudFormation has none) through the Secrets Manager API, the value
    given or generated as the template asks (a JSON template with one generated key
    included); the app reads them at runtime as on AWS."""
    sm = _client("secretsmanager", endpoint)
    for name, res in template["Resources"].items():
        if res.get("Type") not in VIA_SECRETS_API:
            continue
        props = created.resolve(res["Properties"])
        unknown = set(props) - {"Name", "Description", "GenerateSecretString", "SecretString"}
        if unknown:
            raise ValueError(f"{name}: secret properties not applied locally: {sorted(unknown)}")
        if "SecretString" in props:
            value = props["SecretString"]
        else:
            value = _generated_secret(name, props["GenerateSecretString"])
        arn = sm.create_secret(
            Name=props["Name"], Description=props.get("Description", ""), SecretString=value
        )["ARN"]
        created.refs[name] = arn  # Ref of a secret is its ARN


def _generated_secret(name: str, generate: dict) -> str:
    if set(generate) - {"PasswordLength", "ExcludePunctuation"}:
        raise ValueError(f"{name}: GenerateSecretString options not applied locally")
    alphabet = string.ascii_letters + string.digits
    if not generate.get("ExcludePunctuation"):
        alphabet += string.punctuation
    return "".join(secrets.choice(alphabet) for _ in range(generate["PasswordLength"]))


def app_environment(template: dict, created: Created, endpoint: str) -> dict[str, str]:
    """The Lambda environment the template gives every function, resolved locally."""
    env = {}
    variables = template.get("Globals", {}).get("Function", {}).get("Environment", {})
    for key, value in variables.get("Variables", {}).items():
        try:
            env[key] = created.resolve(value)
        except KeyError:
            continue  # a value the local stack does not have
    # Cognito's issuer is an AWS URL; locally the keys are served by the emulator.
    pool_id = env.get("JWT_ISSUER", "").rsplit("/", 1)[-1]
    if pool_id:
        env["JWKS_URL"] = f"{endpoint}/{pool_id}/.well-known/jwks.json"
    return env


# The sender of the local stack's e-mails (verified in the emulator's SES at start).
LOCAL_MAIL_SENDER = "no-reply@satupintu.test"


LOCAL_STAGE = "dev"
LOCAL_ALERT_EMAIL = "oncall@satupintu.test"  # the subscription is not created locally


def local_parameters(api_url: str) -> dict[str, str]:
    """Local values of the template's Parameters for a stack serving the API at api_url."""
    return {
        "Stage": LOCAL_STAGE,
        "WebOrigin": api_url,
        "MailSender": LOCAL_MAIL_SENDER,
        "PortalUrl": api_url,
        "AlertEmail": LOCAL_ALERT_EMAIL,
        "PublicApiUrl": api_url,
    }


def _verify_mail_sender(env: dict[str, str], endpoint: str) -> None:
    """SES (and moto) refuse to send from an unverified address: verify the sender, as an
    operator does once in the console before deploying."""
    sender = env.get("MAIL_SENDER")
    if sender:
        _client("ses", endpoint).verify_email_identity(EmailAddress=sender)


def _connect_local_channels(env: dict[str, str], endpoint: str) -> None:
    """The channels' credentials secrets get the local fake providers' credentials
    (devstack/providers.py), as an operator puts the real ones on AWS."""
    from .providers import CHANNEL_SECRET_VARIABLES, LOCAL_CREDENTIALS

    sm = _client("secretsmanager", endpoint)
    for channel, variable in CHANNEL_SECRET_VARIABLES.items():
        if env.get(variable):
            sm.put_secret_value(
                SecretId=env[variable], SecretString=json.dumps(LOCAL_CREDENTIALS[channel])
            )


def create_all(
    endpoint: str, template: dict | None = None, parameters: dict[str, str] | None = None
) -> tuple[Created, dict[str, str]]:
    """``parameters``: local values for the template's Parameters (``local_parameters``)."""
    template = template or load_template()
    created = Created(template.get("Conditions"))
    _create_stack(template, endpoint, created, parameters or {})
    _configure_buckets(template, endpoint, created)
    _create_secrets(template, endpoint, created)
    _create_cognito(template, endpoint, created)
    env = app_environment(template, created, endpoint)
    _verify_mail_sender(env, endpoint)
    _connect_local_channels(env, endpoint)
    return created, env
