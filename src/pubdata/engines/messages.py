"""The engines' refusals (zh-CN, English): what stops a query that reached the data."""

from __future__ import annotations

from pubdata.common.messages import declare

REFUSALS = {
    "sql.engine-not-a-select": (
        403,
        "引擎只运行一条 SELECT 语句。",
        "The engine runs one SELECT statement and nothing else.",
    ),
    "sql.too-many-rows": (
        403,
        "结果超过 {limit} 行；请进一步聚合。",
        "The result has more than {limit} rows; aggregate further.",
    ),
    "sql.timeout": (
        403,
        "查询运行超过 {seconds} 秒，已被停止。",
        "The query ran longer than {seconds} s and was stopped.",
    ),
    "sql.engine-permission": (
        403,
        "引擎拒绝了一项超出合约数据的操作。",
        "The engine refused an operation outside the contract's data.",
    ),
    "sql.engine-error": (403, "引擎无法运行该查询（{kind}）。", "The engine could not run the query ({kind})."),
}

declare(refusals=REFUSALS)
