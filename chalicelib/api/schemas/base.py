"""What every model builds on: the request and response bases, bounded numbers and
coordinates, links and problem details."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

# -- numbers: every number a client sends is bounded (and coordinates rounded) here, so
# nothing DynamoDB cannot store (38 digits, magnitude 1e-130..1e126) reaches a write.

MAX_INT = 2**53 - 1  # exact as a JSON double, far inside DynamoDB's 38 digits
_DYNAMODB_SMALLEST = 1e-130
COORDINATE_DECIMALS = 7  # about 1 cm; a phone's fix is metres at best


def _whole_number(value):
    # JSON has one number type: 5.0 is the integer 5 (JSON Schema agrees); 5.5 is not.
    # Strict mode would refuse every float.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _coordinate_in(value):
    if isinstance(value, bool):
        return value  # strict float refuses it
    if isinstance(value, int):
        # a 401-digit integer must not reach float() (OverflowError)
        if abs(value) > 10**15:
            raise ValueError("must be a coordinate in degrees")
        return float(value)
    if isinstance(value, float) and value != 0 and abs(value) < _DYNAMODB_SMALLEST:
        raise ValueError("must be 0 or at least 1e-130 in magnitude")
    return value


def _coordinate_out(value: float) -> float:
    return round(value, COORDINATE_DECIMALS) + 0.0  # + 0.0: no negative zero


def whole_number(ge: int = -MAX_INT, le: int = MAX_INT):
    """An integer field that also takes 5.0 (constraints before validators, or pydantic
    cannot show them in the JSON schema)."""
    return Annotated[int, Field(ge=ge, le=le), BeforeValidator(_whole_number)]


Latitude = Annotated[
    float,
    Field(ge=-90, le=90, description="Degrees; kept to 7 decimals."),
    BeforeValidator(_coordinate_in),
    AfterValidator(_coordinate_out),
]


Longitude = Annotated[
    float,
    Field(ge=-180, le=180, description="Degrees; kept to 7 decimals."),
    BeforeValidator(_coordinate_in),
    AfterValidator(_coordinate_out),
]


ByteCount = whole_number(ge=1)


# defer_build: a model's validator and serializer are built the first time it is used,
# not when this module loads (a cold start uses a few of these ~70 models).
class _In(BaseModel):
    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, strict=True, defer_build=True
    )


class _Out(BaseModel):
    # Every field is always sent (null when empty): the documented schema says so.
    model_config = ConfigDict(
        use_enum_values=True, json_schema_serialization_defaults_required=True, defer_build=True
    )


class Link(_Out):
    href: str


class ProblemOut(_Out):
    """RFC 9457 problem details (members without a value are left out; extension members
    such as current_status or allowed_actions may follow)."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=False)
    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[dict] | None = Field(
        None, description="For validation errors: [{field, message, type}]."
    )
