"""The demo's use of the data: three signed contracts, one urban-governance query under differential privacy,
and one partner job reviewed, run isolated and released by the operator and the bureau.

Idempotent like the rest of the demo: a contract is found again by its assignee and resources, the query runs
only while its contract is unused, and the job is submitted only once.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from pubdata.common import clock
from pubdata.contracts import service as contracts
from pubdata.demo import pilot
from pubdata.identity import service as identity
from pubdata.jobs import service as jobs
from pubdata.platform import Platform
from pubdata.queries import service as queries

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
summary.to_csv("/output/capital_by_district_and_industry.csv", index=False)
print(len(summary), "groups written")
"""


def _terms(resources: list[str], purpose: str, **extra: Any) -> dict[str, Any]:
    today = clock.today()
    return {
        "resources": resources,
        "purpose": purpose,
        "valid_from": today.isoformat(),
        "valid_until": (today + timedelta(days=365)).isoformat(),
        "max_calls": 1000,
        "max_rows": 100_000,
        "output_rule": "aggregate",
        "min_group_size": 10,
        **extra,
    }


# (assignee login, terms, a query or job to try with it)
CONTRACTS: tuple[tuple[str, dict[str, Any], str], ...] = (
    (
        "city.admin",
        {
            "resources": [pilot.POPULATION],
            "purpose": "public_governance",
            "output_rule": "dp",
            "dimensions": ["district"],
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
        },
        "SELECT district, count(*) AS firms FROM cz_fr_0001 GROUP BY district",
    ),
    (
        "partner.admin",
        {"resources": [pilot.LEGAL_ENTITIES], "purpose": "industry", "dimensions": ["district", "industry"]},
        "POST /api/v1/dev/queries, POST /api/v1/dev/runs, POST /api/v1/jobs",
    ),
)


def _principal(session: Session, login: str) -> identity.Principal:
    return identity.principal_for(session, identity.find_user(session, login=login))


def _contract(session: Session, operator: identity.Principal, assignee: identity.Principal, spec: dict[str, Any]):  # noqa: ANN202
    for contract in contracts.list_for(session, principal=operator):
        if (
            contract.assignee_id == assignee.organisation_id
            and contracts.terms_of(contract)["resources"] == spec["resources"]
        ):
            return contract
    terms = _terms(
        spec["resources"], spec["purpose"], **{k: v for k, v in spec.items() if k not in ("resources", "purpose")}
    )
    contract = contracts.propose(session, principal=operator, assignee_id=assignee.organisation_id, terms=terms)
    session.commit()
    for signer in (operator, assignee):
        contracts.sign(session, principal=signer, contract_id=contract.id)
        session.commit()
    return contract


def build(platform: Platform) -> list[dict[str, Any]]:
    """Contracts, the DP query and the released job; returns the contracts for ``demo-accounts.json``."""
    listed, settings = [], platform.settings
    with platform.session() as session:
        operator, bureau = _principal(session, "operator.admin"), _principal(session, "bureau.admin")
        for login, spec, example in CONTRACTS:
            assignee = _principal(session, login)
            contract = _contract(session, operator, assignee, spec)
            listed.append(
                {
                    "id": contract.id,
                    "consumer": identity.organisation_names(session, {assignee.organisation_id})[
                        assignee.organisation_id
                    ],
                    "consumer_login": login,
                    "purpose": spec["purpose"],
                    "output_rule": contracts.terms_of(contract)["output_rule"],
                    "resources": spec["resources"],
                    "try": example,
                }
            )
        city_contract, partner_contract = listed[0]["id"], listed[2]["id"]
        if contracts.get(session, principal=operator, contract_id=city_contract).calls_used == 0:
            queries.run_query(
                session,
                principal=_principal(session, "city.admin"),
                contract_id=city_contract,
                sql=DP_QUERY,
                engine=platform.query_engine,
            )
            session.commit()
        partner = _principal(session, "partner.admin")
        if not jobs.list_for(session, principal=partner):
            job = jobs.submit(
                session,
                principal=partner,
                contract_id=partner_contract,
                title="分区县分行业注册资本中位数",
                kind="python",
                code=JOB_SCRIPT,
                requirements=["pandas"],
            )
            session.commit()
            jobs.review(
                session, principal=operator, job_id=job.id, approve=True, note="只输出不少于10户的分组统计，同意运行。"
            )
            session.commit()
            jobs.execute_next(platform)
            session.expire_all()
            if jobs.get(session, principal=operator, job_id=job.id).state == "held":
                for releaser in (operator, bureau):
                    jobs.release(session, principal=releaser, job_id=job.id)
                    session.commit()
    return listed
