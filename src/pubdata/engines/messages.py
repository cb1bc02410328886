"""The engines' refusal (zh-CN, English): what stops a query that reached the data."""

from __future__ import annotations

from pubdata.common.messages import declare

REFUSALS = {
    # One refusal for whatever stops a plan in the engine — time, memory, a conversion, anything: the reason
    # may depend on the data, so it is never said. The call reached the data and is charged.
    "sql.engine-failed": (
        403,
        "查询未能在数据上完成，本次调用已计费。",
        "The query could not be completed on the data; the call is charged.",
    ),
}

REFUSALS["sql.plan-check"] = (
    403,
    "平台生成的查询未通过自检，没有运行，也不计费；请联系运营机构。",
    "The SQL the platform generated for this query failed its self-check; nothing ran or was charged. Please "
    "tell the operator.",
)

declare(refusals=REFUSALS)
