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

declare(refusals=REFUSALS)
