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

# A version's file is not the one the catalogue recorded (missing, truncated, substituted). Platform state, the
# same whatever was asked: nothing ran and nothing is charged; the bureau and the department are alerted.
REFUSALS["data.damaged"] = (
    503,
    "数据资源 {resource} 第 {version} 版的数据文件已损坏或缺失，与登记的校验值不符；本次没有运行，也不计费。"
    "已通知数据资源局和提供部门。",
    "The data file of resource {resource}, version {version}, is damaged or missing: it does not match its recorded "
    "checksum. Nothing ran and nothing was charged; the data bureau and the providing department have been told.",
)

declare(refusals=REFUSALS)
