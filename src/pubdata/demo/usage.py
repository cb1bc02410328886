"""The demo's use of the data: four signed contracts (the operator's own development contract among them), one
urban-governance query under differential privacy, and one partner job reviewed, run isolated and released by
the operator and the bureau.

Idempotent like the rest of the demo: a contract is found again by its assignee and resources, the query runs
only while its contract is unused, and the job is submitted only once.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from pubdata.common import clock
from pubdata.contracts import service as contracts
from pubdata.contracts.schemas import Terms
from pubdata.demo import pilot
from pubdata.identity import service as identity
from pubdata.identity.access import Principal
from pubdata.jobs import service as jobs
from pubdata.jobs import worker as job_worker
from pubdata.jobs.schemas import DeclaredOutput, OutputColumn
from pubdata.platform import Platform
from pubdata.queries import service as queries
from pubdata.scenarios import service as scenarios

if TYPE_CHECKING:
    from pubdata.contracts.models import Contract


def principal(platform: Platform, login: str) -> Principal:
    with platform.read() as session:
        return identity.principal_of(session, login=login)


DP_QUERY = (
    "SELECT district, count(*) AS persons, avg(household_size) AS mean_household FROM cz_rk_0001 GROUP BY district"
)
JOB_SCRIPT = """\
import pandas as pd

firms = pd.read_parquet("/data/cz_fr_0001.parquet")
live = firms[firms["closed_date"].isna()]
summary = (live.groupby(["district", "industry"])
               .agg(firm_count=("registered_capital", "size"), median_capital=("registered_capital", "median"))
               .reset_index())
summary = summary[summary["firm_count"] >= 10]  # the contract's minimum group size
summary.to_csv("/output/output-1.csv", index=False)  # the platform names the declared file
print(len(summary), "groups written")
"""


# What the job declares it writes: one table of groups, each counting at least the contract's minimum of firms.
JOB_OUTPUTS = [
    DeclaredOutput(
        format="csv",
        columns=[
            OutputColumn(name="district", type="string"),
            OutputColumn(name="industry", type="string"),
            OutputColumn(name="firm_count", type="integer"),
            OutputColumn(name="median_capital", type="decimal"),
        ],
        count_column="firm_count",
    )
]


def _terms(resources: list[str], purpose: str, **extra: Any) -> Terms:
    today = clock.today()
    return Terms.model_validate(
        {
            "resources": resources,
            "purpose": purpose,
            "valid_from": today,
            "valid_until": today + timedelta(days=365),
            "max_calls": 1000,
            "max_rows": 100_000,
            "output_rule": "aggregate",
            "min_group_size": 10,
            **extra,
        }
    )


# (assignee login, terms, a query or job to try with it)
CONTRACTS: tuple[tuple[str, dict[str, Any], str], ...] = (
    (
        "city.admin",
        {
            "resources": [pilot.POPULATION],
            "purpose": "public_governance",
            "output_rule": "dp",
            "dimensions": ["district"],
            "measures": ["household_size"],
            "join_columns": [],
            "epsilon": 5.0,
            "epsilon_per_query": 0.5,
            "delta": 1e-6,
            "bounds": {"household_size": [1, 10]},
        },
        DP_QUERY,
    ),
    (
        "bank.admin",
        {
            "resources": [pilot.LEGAL_ENTITIES, pilot.TAX_PAYMENTS],
            "purpose": "industry",
            "dimensions": ["district", "industry"],
            "measures": ["registered_capital", "declared_sales", "total_tax_paid"],
            "join_columns": ["credit_code"],
        },
        "SELECT district, count(*) AS firms FROM cz_fr_0001 GROUP BY district",
    ),
    (
        "partner.admin",
        {
            "resources": [pilot.LEGAL_ENTITIES],
            "purpose": "industry",
            "dimensions": ["district", "industry"],
            "measures": ["registered_capital"],
            "join_columns": [],
        },
        "POST /api/v1/dev/queries, POST /api/v1/dev/runs, POST /api/v1/jobs",
    ),
    (
        # The operator's own development contract (内部开发合约): it develops and runs jobs itself, on its scope.
        "operator.admin",
        {
            "resources": [pilot.LEGAL_ENTITIES],
            "purpose": "industry",
            "dimensions": ["district", "industry"],
            "measures": ["registered_capital"],
            "join_columns": [],
        },
        "/console: SELECT district, count(*) AS firms FROM cz_fr_0001 GROUP BY district",
    ),
)


def _contract(platform: Platform, operator: Principal, assignee: Principal, spec: dict[str, Any]) -> Contract:
    with platform.read() as session:
        for contract in contracts.list_for(session, principal=operator):
            terms = contracts.terms_of(contract)
            # A product's subscription contract over the same data is not this one: it was made from the product.
            if (
                contract.assignee_id == assignee.organisation_id
                and terms.product is None
                and list(terms.resources) == list(spec["resources"])
            ):
                return contract
    terms = _terms(
        spec["resources"], spec["purpose"], **{k: v for k, v in spec.items() if k not in ("resources", "purpose")}
    )
    with platform.command() as session:
        contract = contracts.propose(session, principal=operator, assignee_id=assignee.organisation_id, terms=terms)
    for signer in dict.fromkeys((operator, assignee)):  # the operator's own contract: one signer for both sides
        with platform.command() as session:
            contract = contracts.sign(session, principal=signer, contract_id=contract.id)
    return contract


def build(platform: Platform) -> list[dict[str, Any]]:
    """Contracts, the DP query and the released job; returns the contracts for ``demo-accounts.json``."""
    listed = []
    operator, bureau = principal(platform, "operator.admin"), principal(platform, "bureau.admin")
    for login, spec, example in CONTRACTS:
        assignee = principal(platform, login)
        contract = _contract(platform, operator, assignee, spec)
        with platform.read() as session:
            consumer = identity.organisation_names(session, {assignee.organisation_id})[assignee.organisation_id]
        listed.append(
            {
                "id": contract.id,
                "consumer": consumer,
                "consumer_login": login,
                "purpose": spec["purpose"],
                "output_rule": contracts.terms_of(contract).output_rule,
                "resources": spec["resources"],
                "try": example,
            }
        )
    city_contract, partner_contract = listed[0]["id"], listed[2]["id"]
    with platform.read() as session:
        unused = contracts.get(session, principal=operator, contract_id=city_contract).calls_used == 0
    if unused:
        queries.run_query(
            platform,
            principal=principal(platform, "city.admin"),
            contract_id=city_contract,
            sql=DP_QUERY,
            engine=platform.query_engine,
        )
    partner = principal(platform, "partner.admin")
    with platform.read() as session:
        submitted = bool(jobs.list_for(session, principal=partner))
    approve_partner_scenario(platform, partner=partner, bureau=bureau)
    if not submitted:
        _run_partner_job(platform, operator=operator, bureau=bureau, partner=partner, contract_id=partner_contract)
    return listed


def _run_partner_job(
    platform: Platform, *, operator: Principal, bureau: Principal, partner: Principal, contract_id: int
) -> None:
    """The partner's job: submitted, reviewed, run isolated, and released by the operator and the bureau."""
    with platform.command() as session:
        job = jobs.submit(
            session,
            principal=partner,
            contract_id=contract_id,
            title="分区县分行业注册资本中位数",
            kind="python",
            code=JOB_SCRIPT,
            requirements=["pandas"],
            outputs=JOB_OUTPUTS,
        )
    with platform.command() as session:
        jobs.review(
            session, principal=operator, job_id=job.id, approve=True, note="只输出不少于10户的分组统计，同意运行。"
        )
    job_worker.execute_next(platform, domain_dir=platform.settings.domain_dir)
    with platform.read() as session:
        held = jobs.get(session, principal=operator, job_id=job.id).state == "held"
    if held:
        for releaser in (operator, bureau):
            with platform.command() as session:
                jobs.release(session, principal=releaser, job_id=job.id)


# The partner's inclusive-finance scenario plan (三(五)): what its real jobs and products on enterprise data need.
PARTNER_SCENARIO = {
    "name": "普惠金融企业信用服务",
    "field": "inclusive_finance",
    "users": "辖区内商业银行的小微企业信贷审批人员",
    "resources": [
        pilot.LEGAL_ENTITIES,
        pilot.E_LICENCES,
        pilot.TAX_PAYMENTS,
        pilot.SOCIAL_INSURANCE,
        pilot.UTILITY_PAYMENTS,
        pilot.PENALTIES,
        pilot.TAX_CREDIT_RATINGS,
    ],
    "purpose": "industry",
    "benefit": "以纳税、社保、水电缴费和信用记录刻画企业经营状况，缩短小微企业贷款审批时间，扩大首贷覆盖面。",
    "risk": {
        "personal_information": "low",
        "sensitive_personal": "none",
        "minors": "none",
        "cross_department": "medium",
        "per_subject_output": "medium",
        "external_delivery": "low",
    },
}


def approve_partner_scenario(platform: Platform, *, partner: Principal, bureau: Principal) -> int:
    """The partner's plan, submitted, agreed by every department whose data it uses, approved by the bureau —
    once: a plan that already covers its resources is left as it is. Its id."""
    codes = PARTNER_SCENARIO["resources"]
    with platform.read() as session:
        found = scenarios.covering(
            session,
            operator_id=scenarios.operator_for(session, principal=partner),
            organisation_id=partner.organisation_id,
            codes=codes,
        )
    if found is not None:
        return found.id
    with platform.command() as session:
        plan = scenarios.create_scenario(session, principal=partner, **PARTNER_SCENARIO)  # type: ignore[arg-type]
    with platform.command() as session:
        scenarios.submit_scenario(session, principal=partner, scenario_id=plan.id)
    agree_and_approve(platform, scenario_id=plan.id, bureau=bureau)
    return plan.id


def agree_and_approve(platform: Platform, *, scenario_id: int, bureau: Principal) -> None:
    """A submitted plan: each department whose data it uses agrees (its admin), then the bureau approves."""
    with platform.read() as session:
        plan = scenarios.get_scenario(session, principal=bureau, scenario_id=scenario_id)
        given = {opinion.department_id for opinion in scenarios.opinions_of(session, plan)}
        departments = scenarios.departments_of(session, plan) - given
        admins = [
            identity.principal_for(
                session,
                next(
                    user
                    for user in identity.list_users(session, principal=bureau, organisation_id=department)
                    if user.role == "admin"
                ),
            )
            for department in sorted(departments)
        ]
    for admin in admins:
        with platform.command() as session:
            scenarios.give_opinion(
                session, principal=admin, scenario_id=scenario_id, opinion="agree", reason="同意在授权范围内使用。"
            )
    with platform.command() as session:
        scenarios.decide_scenario(session, principal=bureau, scenario_id=scenario_id, approve=True)
