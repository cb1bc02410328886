"""Governed queries' words: the console's labels, the SQL checks' refusals and the query path's ledger actions
(zh-CN, English)."""

from __future__ import annotations

from pubdata.common.messages import declare

LABELS = {
    "console.title": ("查询与开发沙箱", "Query console and development sandbox"),
    "console.no_contract": (
        "您没有生效的使用合约；先与运营机构签署合约。",
        "You have no active contract; sign one with the operator first.",
    ),
    "console.contract": ("合约", "Contract"),
    "console.choose": ("选择", "Choose"),
    "console.tables": ("可用的表", "Tables"),
    "console.data_paths": (
        "脚本中读取 /data/<表名>.parquet，结果写入 /output/",
        "scripts read /data/<table>.parquet and write to /output/",
    ),
    "console.rule": ("拒绝规则", "Refused by rule"),
    "console.real": ("真实数据（按输出规则）", "Real data (output rule applies)"),
    "console.mock": ("模拟数据", "Mock data"),
    "console.run": ("运行查询", "Run query"),
    "console.real_caption": ("真实数据的聚合结果", "Aggregate result over the real data"),
    "console.mock_caption": ("模拟数据（平台合成，非真实个人）", "Mock data (synthetic, no real person)"),
    "console.python": ("Python 开发（模拟数据）", "Python development (mock data)"),
    "console.run_mock": ("在模拟数据上运行", "Run on mock data"),
    "console.exit_code": ("退出码", "Exit code"),
    "console.timed_out": ("已超时", "timed out"),
    "console.submit_job": ("提交作业（真实数据）", "Submit a job (real data)"),
    "console.submit_hint": (
        "作业先经运营机构审核代码，在隔离沙箱中运行；输出经自动检查后，须运营机构与市数据资源局放行才能下载。",
        (
            "The operator reviews the code first; the job runs isolated; its outputs are checked and can be "
            "downloaded only once the operator and the bureau release them."
        ),
    ),
    "console.dp_no_jobs": (
        "差分隐私合约只回答查询；作业需要“仅聚合结果”的合约。",
        "A differential-privacy contract answers queries only; jobs need an aggregates-only contract.",
    ),
}

LABELS |= {
    "sql.star": (
        "SELECT * 输出的是行；请选择聚合值和允许的维度",
        "SELECT * outputs rows; select aggregates and allowed dimensions",
    ),
    "sql.bare_column": ("{column} 在输出 {output} 中位于聚合之外", "{column} is outside an aggregate in {output}"),
    "sql.not_output": (
        "{output} 既不是聚合值，也不是已分组的允许维度",
        "{output} is neither an aggregate nor a grouped, allowed dimension",
    ),
}

REFUSALS = {
    "sql.parse": (403, "查询不是有效的 DuckDB SQL。", "The query is not valid DuckDB SQL."),
    "sql.single-statement": (403, "请只发送一条 SELECT 语句。", "Send exactly one SELECT statement."),
    "sql.not-a-select": (
        403,
        "这里只运行 SELECT 查询，不运行 {statement}。",
        "Only SELECT queries run here, not {statement}.",
    ),
    "sql.recursive-cte": (403, "不允许递归 WITH 查询。", "Recursive WITH queries are not allowed."),
    "sql.cross-join": (403, "每个 JOIN 都需要 ON 或 USING 条件。", "Every JOIN needs an ON or USING condition."),
    "sql.table-function": (
        403,
        "不允许使用 {construct} 等表函数；请查询合约中的表。",
        "Table functions such as {construct} are not allowed; query the contract's tables.",
    ),
    "sql.parameter": (
        403,
        "不允许使用参数；请写出完整的查询。",
        "Parameters are not allowed; write the query in full.",
    ),
    "sql.not-allowed": (403, "沙箱查询中不允许使用 {construct}。", "{construct} is not allowed in a sandbox query."),
    "sql.qualified-table": (403, "表名前请不要加模式或数据库名。", "Name tables without a schema or database."),
    "sql.file-path": (
        403,
        "查询中不能读取文件；请查询合约中的表。",
        "Files cannot be read from a query; query the contract's tables.",
    ),
    "sql.table-not-allowed": (403, "表 {table} 不在本合约中。", "The table {table} is not in this contract."),
    "sql.unknown-column": (403, "有列无法解析：{problem}", "A column could not be resolved: {problem}"),
    "sql.sensitive-column": (
        403,
        "受保护的列 {column} 只能用于关联、判断是否为空或去重计数。",
        "The protected column {column} may only join, be tested for NULL, or be counted distinct.",
    ),
    "sql.group-key-not-allowed": (
        403,
        "{key} 不是本合约允许的维度。",
        "{key} is not an allowed dimension of this contract.",
    ),
    "sql.output-not-aggregate": (
        403,
        "输出不符合聚合规则：{problem}。",
        "An output breaks the aggregate rule: {problem}.",
    ),
    "sql.privacy-unit": (
        403,
        "查询最外层的 FROM 须为以个人或单位为单元的表，以便抑制小分组。",
        "The query's outer FROM must name a table of persons or entities, so small groups can be suppressed.",
    ),
    "web.sql": (422, "请先写一个查询。", "Write a query first."),
}

ACTIONS = {
    "sandbox.query-refused": ("拒绝查询", "Query refused"),
    "sandbox.dp-repeat": ("重复的差分隐私查询（返回已发布的结果）", "Repeated DP query answered from its release"),
    "sandbox.dev-query": ("在模拟数据上查询", "Query on mock data"),
}

declare(labels=LABELS, refusals=REFUSALS, actions=ACTIONS)
