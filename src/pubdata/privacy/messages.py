"""Privacy computing's words: the refusals of differentially private answers (zh-CN, English)."""

from __future__ import annotations

from pubdata.common.messages import declare

REFUSALS = {
    "sql.dp-shape": (
        403,
        "差分隐私查询只读取一张以个人或单位为单元的表：不能有关联、子查询或 WITH。",
        "A differentially private query reads one table of persons or entities: no joins, subqueries or WITH.",
    ),
    "sql.dp-bounds": (
        403,
        "合约没有给出 {column} 的上下界，无法限定其贡献。",
        "The contract gives no bounds for {column}, so its contribution cannot be bounded.",
    ),
    "sql.dp-aggregate": (
        403,
        "{output}：差分隐私答案支持 COUNT(*)、SUM、AVG、MEDIAN 和 QUANTILE_CONT。",
        "{output}: differentially private answers support COUNT(*), SUM, AVG, MEDIAN and QUANTILE_CONT of a column.",
    ),
    "sql.dp-quantile": (
        403,
        "分位数水平应为 0 到 1 之间的数，例如 QUANTILE_CONT(income, 0.9)。",
        "A quantile is a number between 0 and 1, for example QUANTILE_CONT(income, 0.9).",
    ),
    "sql.dp-calibration": (403, "无法按隐私预算校准噪声。", "The noise could not be calibrated to the privacy budget."),
    "sql.dp-delta": (
        403,
        "差分隐私的 GROUP BY 需要合约中的 δ。",
        "A differentially private GROUP BY needs a δ in the contract.",
    ),
}

declare(refusals=REFUSALS)
