"""Privacy computing's words: the refusals of differentially private answers (zh-CN, English)."""

from __future__ import annotations

from pubdata.common.messages import declare

REFUSALS = {
    "sql.dp-shape": (
        403,
        "差分隐私查询的 FROM 须为以个人或单位为单元的表。",
        "A differentially private query's FROM names a table of persons or entities.",
    ),
    "sql.dp-join": (
        403,
        "差分隐私查询只能按单元字段关联每个单元只有一行的表，否则无法限定一人的贡献。",
        "A differentially private query joins only, on its unit, a table with one row per unit: else one "
        "person's contribution is unbounded.",
    ),
    "sql.dp-groups": (
        403,
        "公开取值的组合超过 {limit} 个分组。",
        "The published values combine into more than {limit} groups.",
    ),
    "sql.dp-bounds": (
        403,
        "合约没有给出 {column} 的上下界，无法限定其贡献。",
        "The contract gives no bounds for {column}, so its contribution cannot be bounded.",
    ),
    "sql.dp-aggregate": (
        403,
        "{output}：差分隐私答案支持 COUNT(*)、COUNT(DISTINCT 单元)、SUM、AVG、MEDIAN 和 QUANTILE_CONT。",
        "{output}: differentially private answers support COUNT(*), COUNT(DISTINCT unit), SUM, AVG, MEDIAN and "
        "QUANTILE_CONT.",
    ),
    "sql.dp-calibration": (403, "无法按隐私预算校准噪声。", "The noise could not be calibrated to the privacy budget."),
    "sql.dp-delta": (
        403,
        "差分隐私的 GROUP BY 需要合约中的 δ。",
        "A differentially private GROUP BY needs a δ in the contract.",
    ),
    "privacy.release-unverified": (
        503,
        "这个问题已发布的答案与账本记录不符，暂不能提供；平台已记录此事。",
        "The answer released for this question does not match the ledger and is not served; the platform has "
        "logged it.",
    ),
}

ACTIONS = {
    "privacy.answer-adopt": (
        "账本收录升级前发布的差分隐私答案",
        "DP answer released before the upgrade, taken into the ledger",
    ),
}

# What the public ledger calls this domain's objects when an entry is about one.
LABELS = {
    "subject.dp_answer": ("差分隐私答案", "Differentially private answer"),
}

LABELS |= {
    "subject.consent": ("授权", "Consent"),
    "subject.consent_use": ("授权使用记录", "Consent use"),
}

declare(labels=LABELS, refusals=REFUSALS, actions=ACTIONS)
