"""Products' words: refusals, ledger actions and labels (zh-CN, English)."""

from __future__ import annotations

from pubdata.common.messages import declare

REFUSALS: dict[str, tuple[int, str, str]] = {}
ACTIONS: dict[str, tuple[str, str]] = {}
LABELS: dict[str, tuple[str, str]] = {
    "subject.product": ("数据产品", "Product"),
    "subject.product_review": ("安全审查", "Security review"),
    "subject.subscription": ("订阅申请", "Subscription"),
}

declare(labels=LABELS, refusals=REFUSALS, actions=ACTIONS)

# What products compute (products.definitions, products.compute): definitions, parameters and per-subject calls.
COMPUTE_REFUSALS: dict[str, tuple[int, str, str]] = {
    "product.parameter": (
        422,
        "参数 {parameter}：{problem}",
        "Parameter {parameter}: {problem}",
    ),
    "product.parameter-unused": (
        422,
        "参数 {parameter} 已声明，但模板的 SQL 没有使用它；请删除这个参数，或在筛选条件中使用它。",
        "The parameter {parameter} is declared but the template's SQL does not use it; remove it or use it in a "
        "filter.",
    ),
    "product.outputs": (
        422,
        "输出说明须与模板的输出逐一对应：模板输出 {outputs}，说明的是 {declared}。",
        "The output descriptions must match the template's outputs one to one: it outputs {outputs}, the "
        "descriptions name {declared}.",
    ),
    "product.output-rule": (
        422,
        "产品定义要求的输出规则是{expected}，合约的输出规则是{found}，两者须一致。",
        "The product's definition expects the output rule {expected}; the contract has {found}. They must agree.",
    ),
    "product.group-size": (
        422,
        "产品审查时每组至少 {expected} 个单位，合约的最小分组是 {found}：调用时的规则不能比审查时宽松。",
        "The product was reviewed with groups of at least {expected} units; the contract's minimum is {found}. "
        "A call's rule is never looser than the review's.",
    ),
    "product.wrong-kind": (
        422,
        "这个产品是{kind}，不能这样调用。",
        "This product is {kind} and cannot be called this way.",
    ),
    "product.definition-field": (
        422,
        "资源 {code} 没有{what}所需的字段 {field}（{type}）。",
        "The resource {code} has no field {field} ({type}), which {what} needs.",
    ),
    "product.credit-code": (
        422,
        "第 {position} 个统一社会信用代码无效（须为 18 位，字符和校验位须符合 GB 32100）。",
        "Credit code number {position} is not valid (18 characters, with the characters and check character of "
        "GB 32100).",
    ),
    "product.batch-size": (
        422,
        "一次须查询 1 至 {limit} 个主体，本次是 {count} 个。",
        "A call asks about 1 to {limit} subjects; this one has {count}.",
    ),
    "product.table-output": (
        422,
        "作业 {job} 没有已发布的输出 {output}，或它已不是审查时的那个文件。",
        "Job {job} has no released output {output}, or it is no longer the file that was reviewed.",
    ),
}
COMPUTE_LABELS: dict[str, tuple[str, str]] = {
    "product.parameter.required": ("必须填写。", "is required."),
    "product.parameter.unknown": ("模板没有这个参数。", "is not a parameter of this template."),
    "product.parameter.type": ("须为{type}。", "must be {type}."),
    "product.parameter.minimum": ("不能小于 {minimum}。", "must be at least {minimum}."),
    "product.parameter.maximum": ("不能大于 {maximum}。", "must be at most {maximum}."),
    "product.parameter.choices": ("须为以下之一：{choices}。", "must be one of: {choices}."),
    "product.parameter.length": ("最长 {max_length} 个字符。", "is at most {max_length} characters."),
    "product.type.string": ("文本", "text"),
    "product.type.integer": ("整数", "a whole number"),
    "product.type.decimal": ("数值", "a number"),
    "product.type.date": ("日期（YYYY-MM-DD）", "a date (YYYY-MM-DD)"),
    "product.type.boolean": ("是/否（true 或 false）", "true or false"),
    "product.kind.query_template": ("查询模板", "a query template"),
    "product.kind.verification": ("核验", "a verification"),
    "product.kind.credit_profile": ("企业信用画像", "an enterprise credit profile"),
    "product.kind.statistical_table": ("统计表", "a statistical table"),
    "product.output-rule.aggregate": ("最小分组（k）规则", "the minimum group size (k)"),
    "product.output-rule.dp": ("差分隐私", "differential privacy"),
}
declare(labels=COMPUTE_LABELS, refusals=COMPUTE_REFUSALS)
