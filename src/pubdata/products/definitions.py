"""What a product computes (产品定义): the one value its security review signs off by digest and every call runs.

Each kind has its definition; all name the resources they read, and none carries a consumer's text:
- a query template: SQL written by the operator or a partner, with typed, range-checked parameters, compiled
  through the governed plan with the parameters bound as typed literals of the plan;
- a verification and a credit profile: a pinned, platform-defined computation over one subject's records, whose
  answer is exactly its declared fields;
- a statistical table: a job's released output, published as a version.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from pubdata.common.digest import of_document


class _Definition(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    version: Literal[1] = 1
    resources: tuple[str, ...] = Field(min_length=1, max_length=20)

    def document(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    @property
    def digest(self) -> str:
        return of_document(self.document())


class QueryTemplate(_Definition):
    kind: Literal["query_template"] = "query_template"
    sql: str = Field(min_length=1, max_length=20_000)


class Verification(_Definition):
    kind: Literal["verification"] = "verification"


class CreditProfile(_Definition):
    kind: Literal["credit_profile"] = "credit_profile"


class StatisticalTable(_Definition):
    kind: Literal["statistical_table"] = "statistical_table"
    job_id: int = Field(ge=1)
    # The released output this version publishes: its file name in the job's manifest and that file's SHA-256.
    output: str = Field(min_length=1, max_length=200)
    output_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


Definition = Annotated[QueryTemplate | Verification | CreditProfile | StatisticalTable, Field(discriminator="kind")]
