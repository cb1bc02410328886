"""The contracts' words: page labels, refusals and ledger actions (zh-CN, English)."""

from __future__ import annotations

from pubdata.common.messages import declare

LABELS = {
    "contract.title": ("使用合约", "Usage contracts"),
    "contract.none": ("没有合约。", "No contract."),
    "contract.assigner": ("运营机构", "Operator"),
    "contract.assignee": ("使用方", "Assignee"),
    "contract.internal": ("本机构（内部开发合约）", "Ourselves (internal development contract)"),
    "contract.purpose": ("用途", "Purpose"),
    "contract.output_rule": ("输出规则", "Output rule"),
    "contract.rule_aggregate": ("仅聚合结果", "Aggregates only"),
    "contract.rule_dp": ("差分隐私", "Differential privacy"),
    "contract.state": ("状态", "State"),
    "contract.valid": ("有效期", "Valid"),
    "contract.valid_from": ("生效日期", "Valid from"),
    "contract.valid_until": ("截止日期", "Valid until"),
    "contract.calls": ("调用次数", "Calls"),
    "contract.rows": ("返回行数", "Rows"),
    "contract.max_calls": ("调用次数上限", "Call quota"),
    "contract.max_rows": ("返回行数上限", "Row quota"),
    "contract.resources": ("数据资源（逗号分隔）", "Resources (comma-separated)"),
    "contract.data": ("数据资源", "Resources"),
    "contract.dimensions": ("允许的分组维度", "Allowed dimensions"),
    "contract.measures": ("可聚合的度量", "Measures"),
    "contract.join_columns": ("关联字段", "Join columns"),
    "contract.roles_default": ("留空则按目录默认", "leave empty for the catalogue's default"),
    "contract.min_group_size": ("最小分组人数", "Minimum group size"),
    "contract.dp_terms": ("差分隐私条款", "Differential-privacy terms"),
    "contract.budget": ("总预算", "budget"),
    "contract.per_query": ("每次查询", "per query"),
    "contract.max_contributions": ("每人最多贡献行数", "Rows per person at most"),
    "contract.bounds": ("数值上下界（每行：列: 下界, 上界）", "Bounds (one per line: column: low, high)"),
    "contract.epsilon_left": ("剩余 ε", "ε left"),
    "contract.propose": ("提出合约", "Propose a contract"),
    "contract.signatures": ("签署", "Signatures"),
    "contract.digest": ("条款哈希", "Terms digest"),
    "contract.counters": ("用量", "Usage"),
    "contract.used": ("已用", "Used"),
    "contract.limit": ("上限", "Limit"),
    "contract.left": ("剩余", "Left"),
    "contract.sign": ("签署合约", "Sign"),
    "contract.revoke": ("撤销合约", "Revoke"),
    "contract.revoke_reason": ("撤销理由", "Reason"),
}

LABELS |= {
    "terms.window": ("截止日期早于生效日期", "valid_until is before valid_from"),
    "terms.min_group_size": ("最小分组人数至少为 10", "min_group_size is at least 10"),
    "terms.epsilon": (
        "差分隐私合约的隐私预算 epsilon 应在 0 到 10 之间",
        "a dp contract has a privacy budget epsilon between 0 and 10",
    ),
    "terms.epsilon_per_query": (
        "差分隐私合约每次查询花费 epsilon_per_query（大于 0，不超过 epsilon）",
        "a dp contract spends epsilon_per_query (above 0, at most epsilon) on each query",
    ),
    "terms.delta": ("delta 应在 0 到 0.001 之间", "delta is between 0 and 0.001"),
    "terms.bounds": ("数值上下界写作 [下界, 上界]，且下界小于上界", "bounds are [low, high] with low < high"),
    "terms.max_contributions": (
        "max_contributions 为 1 到 100 的整数",
        "max_contributions is a whole number from 1 to 100",
    ),
}

REFUSALS = {
    "contract.not-found": (404, "没有这个{what}。", "No such {what}."),
    "contract.assignee": (
        422,
        "合约只与数据使用方、合伙人或本运营机构自身（内部开发合约）签订。",
        "A contract is made with a consumer, a partner, or the operator itself (an internal development contract).",
    ),
    "contract.terms": (422, "合约条款有误：{problems}。", "The terms are not sound: {problems}."),
    "contract.terms-invalid": (422, "合约条款填写有误：{problems}", "The terms are not valid: {problems}"),
    "contract.unoffered": (403, "{code} 不能提供：{reasons}。", "{code} cannot be offered: {reasons}."),
    "contract.dimensions": (
        422,
        "分组维度须为资源中的非个人信息字段：{fields}。",
        "Dimensions must be non-personal fields of the resources: {fields}.",
    ),
    "contract.measures": (
        422,
        "度量须为资源中的非个人信息数值字段：{fields}。",
        "Measures must be non-personal numeric fields of the resources: {fields}.",
    ),
    "contract.join-columns": (
        422,
        "关联字段须为资源中的字段：{fields}。",
        "Join columns must be fields of the resources: {fields}.",
    ),
    "contract.wrong-signatory": (
        403,
        "只有合约双方的管理员可以签署。",
        "Only an admin of one of the two parties signs a contract.",
    ),
    "contract.revoke": (
        403,
        "只有提出合约的运营机构或市数据资源局可以撤销。",
        "The operator that offered a contract, or the bureau, revokes it.",
    ),
    "contract.revoke-reason": (422, "请说明撤销理由。", "Say why the contract is revoked."),
    "contract.not-assignee": (
        403,
        "只有合约的使用方可以在合约下使用数据。",
        "Only the contract's assignee uses data under it.",
    ),
    "contract.proposed": (403, "合约尚未经双方签署。", "The contract is not signed by both sides yet."),
    "contract.revoked": (403, "合约已撤销。", "The contract was revoked."),
    "contract.expired": (403, "合约已于 {until} 到期。", "The contract ended on {until}."),
    "contract.not-yet-valid": (403, "合约自 {since} 起生效。", "The contract is valid from {since}."),
    "contract.exhausted": (
        403,
        "合约的调用次数、返回行数或隐私预算已用尽或将被超出；未返回任何结果。",
        "The contract's calls, rows or privacy budget are used up or would be exceeded; nothing was released.",
    ),
}

ACTIONS = {
    "contract.propose": ("提出使用合约", "Contract proposed"),
    "contract.sign": ("签署使用合约", "Contract signed"),
    "contract.revoke": ("撤销使用合约", "Contract revoked"),
    "contract.expire": ("使用合约到期", "Contract expired"),
    "contract.call": ("在合约下调用数据", "Call under a contract"),
}

# What the public ledger calls this domain's objects when an entry is about one.
LABELS |= {
    "subject.contract": ("使用合约", "Contract"),
}

declare(labels=LABELS, refusals=REFUSALS, actions=ACTIONS)
