"""Products' API shapes: what a developer sends to create, revise and publish a product, what a bureau reviewer
sends with the security checklist, and what the platform answers (to the parties, and to the public)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from pubdata.billing.schemas import PublicPriceOut
from pubdata.common.names import Name, Prose
from pubdata.products.definitions import Definition

# What the API publishes of a definition: an object by its ``kind`` (``products.definitions``: query_template,
# verification, credit_profile, statistical_table). Its numbers (a parameter's range, a profile's points) are
# kept in the definition's JSON, never in a column, so the published schema does not list them one by one.
DefinitionBody = Annotated[
    Definition,
    WithJsonSchema(
        {
            "type": "object",
            "description": "A product definition (products.definitions), chosen by its kind: query_template, "
            "verification, credit_profile or statistical_table; it names the resources it reads.",
            "required": ["kind", "resources"],
            "properties": {
                "kind": {
                    "enum": [
                        "query_template",
                        "verification",
                        "credit_profile",
                        "statistical_table",
                        "private_set",
                        "labelled_lookup",
                        "joint_scoring",
                    ]
                },
                "resources": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 20},
            },
        }
    ),
]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProductIn(_In):
    """A new product: what it is, who it serves, under which approved scenario, and what it computes."""

    scenario_id: int = Field(ge=1, le=2_147_483_647)
    name: Name = Field(min_length=1, max_length=200)
    kind: str = Field(max_length=32)
    description: Prose = Field(min_length=1, max_length=5000)
    delivery: str = Field(max_length=32)
    purposes: list[str] = Field(min_length=1, max_length=4)
    definition: DefinitionBody


class ProductRevision(_In):
    """A change of a product's description or definition; a reviewed definition changed goes back to review."""

    description: Prose | None = Field(default=None, min_length=1, max_length=5000)
    definition: DefinitionBody | None = None


class ChecklistAnswer(_In):
    passed: bool
    note: Prose = Field(default="", max_length=1000)


class ReviewIn(_In):
    """A bureau reviewer's decision: approve with every checklist item passed and noted, or return with a reason."""

    decision: str = Field(max_length=16)  # approve | return
    checklist: dict[str, ChecklistAnswer] = Field(default_factory=dict, max_length=20)
    reason: Prose = Field(default="", max_length=2000)


class ReasonIn(_In):
    reason: Prose = Field(default="", max_length=2000)


class RegistrationIn(_In):
    """``first`` or ``change`` (chosen by the platform when left out), or ``cancel`` with its reason."""

    kind: str | None = Field(default=None, max_length=16)
    reason: Prose = Field(default="", max_length=2000)


class PublishTableIn(_In):
    """A released job output published as a statistical table (统计数据表): a new product, or (``code``) a new
    version of one."""

    job_id: int = Field(ge=1, le=2_147_483_647)
    output: str = Field(min_length=1, max_length=200)
    code: str | None = Field(default=None, max_length=32)
    scenario_id: int | None = Field(default=None, ge=1, le=2_147_483_647)
    name: Name | None = Field(default=None, min_length=1, max_length=200)
    description: Prose | None = Field(default=None, min_length=1, max_length=5000)
    purposes: list[str] | None = Field(default=None, min_length=1, max_length=4)


class ResourceUsed(BaseModel):
    code: str
    name: str


class ReviewOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    definition_digest: str
    state: str
    checklist: dict[str, dict[str, object]]
    reason: str | None
    requested_at: datetime
    reviewed_at: datetime | None


class ProductOut(BaseModel):
    """A product as its parties (the operator, its developer) and the regulators see it."""

    code: str
    name: str
    kind: str
    kind_name: str
    state: str
    state_name: str
    operator_id: int
    operator: str
    developer_id: int
    scenario_id: int
    description: str
    delivery: str
    purposes: list[str]
    definition: dict[str, object]
    definition_digest: str
    reviewed_digest: str | None
    version: int
    registration_number: str | None
    listed_at: datetime | None
    delisted_at: datetime | None
    reviews: list[ReviewOut] = []


class PublicProductOut(BaseModel):
    """What anyone sees of a listed product (no login): metadata only, every code with its Chinese name."""

    code: str
    name: str
    kind: str
    kind_name: str
    operator: str
    field: str
    field_name: str
    resources: list[ResourceUsed]
    registration_number: str | None
    delivery: str
    delivery_name: str
    purposes: list[str]
    purpose_names: list[str]
    description: str
    version: int
    # 明码标价: the price in force, its unit and cap, and whether it is a trial price.
    price: PublicPriceOut
