"""Governed queries' words: the console's labels, the planner's refusals and the query path's ledger actions
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
    "console.data_paths": ("脚本中读取", "Scripts read"),
    "console.output_path": ("结果写入", "and write their results to"),
    "console.table_placeholder": ("<表名>", "<table>"),
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
    "console.truncated": (
        "结果超过合约剩余的行数，只显示前面的行。",
        "The answer has more rows than the contract has left; these are the first.",
    ),
    "console.epsilon_spent": ("该答案发布时花费的隐私预算", "Privacy budget its release spent"),
    "console.groups_published": ("分组取自目录公布的取值", "groups from the catalogue's published values"),
    "console.groups_thresholded": ("仅发布噪声计数超过阈值的分组", "groups released only above a noisy threshold"),
    "console.groups_none": ("不分组", "no groups"),
    "console.noise_ci": (
        "拉普拉斯噪声，95% 区间 ±{ci}（尺度 {scale}）",
        "Laplace noise, 95 % within ±{ci} (scale {scale})",
    ),
    "console.noise_ratio": (
        "噪声和除以噪声计数（和的尺度 {sum}，计数的尺度 {count}）",
        "a noisy sum over a noisy count (scales {sum} and {count})",
    ),
    "console.noise_histogram": (
        "由 {bins} 格噪声直方图得出（尺度 {scale}）",
        "from a noisy histogram of {bins} bins (scale {scale})",
    ),
    "console.schema": ("表与字段", "Tables and columns"),
    "console.schema_hint": (
        "查询按维度分组或筛选，对度量求计数、求和、平均等，按关联键连接两张表；敏感字段不能输出。",
        "A query groups and filters by dimensions, aggregates measures and joins tables on join keys; "
        "protected columns are never output.",
    ),
    "console.column": ("字段名", "Column"),
    "console.label": ("中文名", "Label"),
    "console.type": ("类型", "Type"),
    "console.role": ("用途", "Role"),
    "console.description": ("说明", "Description"),
    "console.role_dimension": ("维度", "dimension"),
    "console.role_measure": ("度量", "measure"),
    "console.role_join": ("关联键", "join key"),
    "console.role_protected": ("受保护，不可输出", "protected, never output"),
    "console.role_none": ("—", "—"),
    "console.samples": ("示例查询", "Sample queries"),
    "console.use_sample": ("填入查询框", "Use this query"),
    "console.sample_count": (
        "按“{dimension}”统计每组的记录数（少于 {k} 个单元的组不发布）。",
        "Records per “{dimension}” (groups of fewer than {k} units are not released).",
    ),
    "console.sample_average": (
        "按“{dimension}”计算“{measure}”的平均值。",
        "The average “{measure}” per “{dimension}”.",
    ),
    "console.sample_total": ("全表“{measure}”的平均值。", "The average “{measure}” over the table."),
    "console.sample_join": (
        "按“{key}”关联“{left}”与“{right}”，再按“{dimension}”统计。",
        "“{left}” joined to “{right}” on “{key}”, counted per “{dimension}”.",
    ),
    "console.sample_join_total": (
        "按“{key}”关联“{left}”与“{right}”后统计。",
        "“{left}” joined to “{right}” on “{key}”, counted.",
    ),
    "console.sql": ("SQL 查询", "SQL query"),
    "console.refused_sql": ("您提交的查询", "The query you sent"),
    "console.export_csv": ("导出 CSV", "Export CSV"),
    "console.export_xlsx": ("导出 XLSX", "Export XLSX"),
    "console.export_hint": (
        "导出的是上面显示的结果本身，不再次查询、不另计次数或隐私预算（一小时内有效）。",
        "The export is the answer shown above, not asked again: no call or privacy budget is spent (valid one hour).",
    ),
    "console.chart": ("分组结果图", "Chart of the groups"),
    "console.noisy": ("加噪结果", "Noisy answer"),
    "console.noisy_hint": (
        "差分隐私：每个数值都加了随机噪声；括号内为 95% 区间。",
        "Differential privacy: every number carries random noise; the 95 % interval is in brackets.",
    ),
    "console.cost": ("本次花费", "This call cost"),
    "console.cost_value": ("调用 {calls} 次 · ε {epsilon}", "{calls} call(s) · ε {epsilon}"),
    "console.cost_calls": ("调用 {calls} 次 · {rows} 行", "{calls} call(s) · {rows} row(s)"),
    "console.repeat": (
        "与之前的问题相同，返回已发布的答案，未再花费隐私预算。",
        "The same question as before: its released answer, no budget spent again.",
    ),
    "console.interval": ("95% 区间 {low} 至 {high}", "95 % interval {low} to {high}"),
    "console.limits": ("合约额度", "Contract limits"),
    "console.limit_calls": ("调用次数", "Calls"),
    "console.limit_rows": ("结果行数", "Rows"),
    "console.limit_epsilon": ("隐私预算 ε", "Privacy budget ε"),
    "console.limit_used": ("已用 {used} / {limit}（{share}%）", "{used} of {limit} used ({share} %)"),
    "console.limit_near": ("接近上限", "near its limit"),
    "console.limit_reached": ("已达上限，无法再查询", "limit reached: no more queries"),
    "console.limit_ok": ("充足", "enough left"),
    "console.answered": ("查询已完成，结果见下方。", "Query answered; the answer is below."),
    "console.title_consumer": ("受控查询", "Governed queries"),
    "console.part_year": ("{column}（年）", "{column} (year)"),
    "console.part_quarter": ("{column}（季度）", "{column} (quarter)"),
    "console.part_month": ("{column}（月）", "{column} (month)"),
    "console.agg_count": ("记录数", "Records"),
    "console.agg_count_units": ("单元数（去重）", "Distinct units"),
    "console.agg_sum": ("{column}合计", "{column}, total"),
    "console.agg_avg": ("{column}平均值", "{column}, average"),
    "console.agg_stddev": ("{column}标准差", "{column}, standard deviation"),
    "console.agg_stddev_pop": ("{column}总体标准差", "{column}, population standard deviation"),
    "console.agg_variance": ("{column}方差", "{column}, variance"),
    "console.agg_var_pop": ("{column}总体方差", "{column}, population variance"),
    "console.agg_min": ("{column}最小值", "{column}, minimum"),
    "console.agg_max": ("{column}最大值", "{column}, maximum"),
    "console.agg_median": ("{column}中位数", "{column}, median"),
    "console.agg_quantile": ("{column} {level} 分位数", "{column}, {level} quantile"),
    "console.agg_count_in": ("{column}区间计数", "{column}, count in a range"),
    "console.dp_no_jobs": (
        "差分隐私合约只回答查询；作业需要“仅聚合结果”的合约。",
        "A differential-privacy contract answers queries only; jobs need an aggregates-only contract.",
    ),
}

# Where in a query a construct was found, what it is, and the catalogue's types, for the planner's refusals.
LABELS |= {
    "sql.place.query": ("查询", "the query"),
    "sql.place.select": ("SELECT 输出", "the SELECT list"),
    "sql.place.from": ("FROM", "FROM"),
    "sql.place.join": ("JOIN", "JOIN"),
    "sql.place.where": ("WHERE", "WHERE"),
    "sql.place.group": ("GROUP BY", "GROUP BY"),
    "sql.place.having": ("HAVING", "HAVING"),
    "sql.place.order": ("ORDER BY", "ORDER BY"),
    "sql.place.limit": ("LIMIT", "LIMIT"),
    "sql.place.offset": ("OFFSET", "OFFSET"),
    "sql.construct.cte": ("WITH（公用表表达式）", "WITH (a common table expression)"),
    "sql.construct.subquery": ("子查询", "a subquery"),
    "sql.construct.set-operation": (
        "集合运算（UNION、INTERSECT、EXCEPT）",
        "a set operation (UNION, INTERSECT, EXCEPT)",
    ),
    "sql.construct.values": ("字面量关系（VALUES、UNNEST、序列）", "a literal relation (VALUES, UNNEST, a series)"),
    "sql.construct.window": ("窗口函数", "a window function"),
    "sql.construct.star": ("*", "*"),
    "sql.construct.parameter": ("参数", "a parameter"),
    "sql.construct.lateral": ("LATERAL", "LATERAL"),
    "sql.construct.case": ("CASE 或 IF", "CASE or IF"),
    "sql.construct.cast": ("类型转换", "a cast"),
    "sql.construct.struct-field": ("结构体或数组取值", "a struct field or array element"),
    "sql.construct.aggregate-filter": ("聚合的 FILTER 子句", "an aggregate's FILTER clause"),
    "sql.construct.alias-columns": ("表别名的列名列表", "a column list on a table alias"),
    "sql.construct.distinct": ("SELECT DISTINCT", "SELECT DISTINCT"),
    "sql.construct.qualify": ("QUALIFY", "QUALIFY"),
    "sql.construct.sample": ("抽样", "sampling"),
    "sql.construct.pivot": ("PIVOT", "PIVOT"),
    "sql.construct.function": ("函数 {name}", "the function {name}"),
    "sql.construct.option": ("选项 {name}", "the option {name}"),
    "sql.construct.other": ("{name}", "{name}"),
    "sql.type.string": ("文本", "text"),
    "sql.type.integer": ("整数", "a whole number"),
    "sql.type.decimal": ("数值", "a number"),
    "sql.type.date": ("日期（YYYY-MM-DD）", "a date (YYYY-MM-DD)"),
    "sql.type.timestamp": ("时间", "a timestamp"),
    "sql.type.boolean": ("是/否（布尔值）", "TRUE or FALSE"),
}

GRAMMAR_ZH = "一张主表、按约定字段关联的合约表、对维度的筛选、维度分组与度量聚合"
GRAMMAR_EN = "one source table, joins on declared columns, filters on dimensions, grouped aggregates of measures"

# The planner's refusals: each depends on the query text, the contract and the published schema only.
REFUSALS = {
    "sql.parse": (403, "查询不是有效的 DuckDB SQL。", "The query is not valid DuckDB SQL."),
    "sql.too-long": (403, "查询过长（上限 {tokens} 个词元）。", "The query is too long (at most {tokens} tokens)."),
    "sql.too-deep": (403, "查询嵌套过深（上限 {depth} 层）。", "The query nests too deeply (at most {depth} levels)."),
    "sql.single-statement": (403, "请只发送一条 SELECT 语句。", "Send exactly one SELECT statement."),
    "sql.not-a-select": (
        403,
        "这里只运行 SELECT 查询，不运行 {statement}。",
        "Only SELECT queries run here, not {statement}.",
    ),
    "sql.construct": (
        403,
        f"{{place}}中不允许使用{{construct}}。受控查询只包括：{GRAMMAR_ZH}。",
        f"{{construct}} is not allowed in {{place}}. A governed query is {GRAMMAR_EN}.",
    ),
    "sql.unsupported": (
        403,
        f"无法按受控查询语法读取该查询。受控查询只包括：{GRAMMAR_ZH}。",
        f"The query cannot be read in the governed grammar. A governed query is {GRAMMAR_EN}.",
    ),
    "sql.no-table": (403, "查询须读取合约中的一张表。", "A query reads one of the contract's tables."),
    "sql.no-output": (403, "查询没有输出。", "The query has no output."),
    "sql.table-not-allowed": (403, "表 {table} 不在本合约中。", "The table {table} is not in this contract."),
    "sql.table-twice": (
        403,
        "每张表在查询中只能出现一次（{table}）。",
        "Each table appears at most once in a query ({table}).",
    ),
    "sql.unknown-table": (403, "查询中没有名为 {table} 的表。", "The query has no table named {table}."),
    "sql.table-as-value": (
        403,
        "{place}中把表 {table} 当作值使用；请写出具体的列。",
        "{place} uses the table {table} as a value; name a column.",
    ),
    "sql.unknown-column": (403, "合约的表中没有列 {column}。", "No table of the contract has a column {column}."),
    "sql.ambiguous-column": (
        403,
        "列 {column} 出现在多张表中；请加表名或别名。",
        "The column {column} is in more than one table; qualify it.",
    ),
    "sql.join-kind": (
        403,
        "只允许 INNER JOIN 或 LEFT JOIN，不允许 {kind}。",
        "Only INNER and LEFT joins are allowed, not {kind}.",
    ),
    "sql.join-condition": (
        403,
        "JOIN 的条件须为新表与之前的表的列之间的等值比较（ON a.x = b.y 或 USING）。",
        "A JOIN's condition is equalities between a column of the joined table and one of an earlier table "
        "(ON a.x = b.y, or USING).",
    ),
    "sql.join-column": (
        403,
        "{column} 不是本合约约定的关联字段。",
        "{column} is not one of this contract's join columns.",
    ),
    "sql.join-type": (
        403,
        "关联的两列类型不同：{left} 与 {right}。",
        "The joined columns have different types: {left} and {right}.",
    ),
    "sql.too-many": (403, "{what}中的项目超过 {limit} 个。", "{what} has more than {limit} items."),
    "sql.sensitive-column": (
        403,
        "受保护的列 {column} 不能用于{place}；它只能作为约定的关联字段、判断是否为空或 COUNT(DISTINCT 单元)。",
        "The protected column {column} cannot be used in {place}; it may only be a declared join column, be "
        "tested IS NULL, or be counted as COUNT(DISTINCT unit).",
    ),
    "sql.not-a-dimension": (
        403,
        "{column} 不是本合约的维度，不能用于{place}。",
        "{column} is not a dimension of this contract and cannot be used in {place}.",
    ),
    "sql.not-a-measure": (
        403,
        "{column} 不是本合约可聚合的度量。",
        "{column} is not a measure this contract lets you aggregate.",
    ),
    "sql.date-part": (
        403,
        "日期只能取 year、quarter 或 month，不能取 {part}。",
        "A date gives year, quarter or month, not {part}.",
    ),
    "sql.date-part-type": (
        403,
        "{column} 不是日期，不能取年、季或月。",
        "{column} is not a date: no year, quarter or month.",
    ),
    "sql.literal-type": (403, "比较的值须为{type}。", "The value compared must be {type}."),
    "sql.literal-value": (403, "{value} 不是有效的{type}。", "{value} is not valid as {type}."),
    "sql.count-distinct": (
        403,
        "COUNT(DISTINCT …) 只能计数表的单元字段。",
        "COUNT(DISTINCT …) counts a table's unit column only.",
    ),
    "sql.count-column": (
        403,
        "请用 COUNT(*) 或 COUNT(DISTINCT 单元)。",
        "Use COUNT(*) or COUNT(DISTINCT unit).",
    ),
    "sql.quantile-level": (
        403,
        "分位数水平应为 0 到 1 之间的数，例如 QUANTILE_CONT(income, 0.9)。",
        "A quantile level is a number between 0 and 1, for example QUANTILE_CONT(income, 0.9).",
    ),
    "sql.aggregate-not-allowed": (
        403,
        "受控查询不能使用聚合{function}；可用 COUNT、SUM、AVG、STDDEV、VARIANCE、MIN、MAX、MEDIAN、QUANTILE_CONT。",
        "A governed query cannot aggregate with {function}; use COUNT, SUM, AVG, STDDEV, VARIANCE, MIN, MAX, "
        "MEDIAN or QUANTILE_CONT.",
    ),
    "sql.output-twice": (403, "输出名 {output} 重复。", "The output name {output} is used twice."),
    "sql.group-aggregate": (403, "不能按聚合值分组。", "A query cannot group by an aggregate."),
    "sql.position": (403, "没有第 {position} 个输出。", "There is no output number {position}."),
    "sql.output-not-grouped": (
        403,
        "输出 {output} 既不是聚合值，也不是分组的维度。",
        "The output {output} is neither an aggregate nor a grouped dimension.",
    ),
    "sql.not-an-output": (
        403,
        "{place}只能引用查询的输出（名称、序号或相同的表达式）。",
        "{place} may refer only to the query's outputs (by name, position or the same expression).",
    ),
    "sql.limit": (
        403,
        "LIMIT 与 OFFSET 须为不超过 1000000 的整数。",
        "LIMIT and OFFSET are whole numbers up to 1000000.",
    ),
    "sql.privacy-unit": (
        403,
        "查询的 FROM 须为以个人或单位为单元的表，以便抑制小分组。",
        "The query's FROM must name a table of persons or entities, so small groups can be suppressed.",
    ),
    "sql.job-columns": (
        403,
        "查询有 {outputs} 个输出，作业却声明了 {declared} 列；两者须一一对应。",
        "The query has {outputs} outputs but the job declares {declared} columns; they must match one to one.",
    ),
    "web.sql": (422, "请先写一个查询。", "Write a query first."),
    "console.unknown-contract": (
        404,
        "没有这个可在此查询的合约：它不存在、已终止，或不属于您的机构。",
        "No such contract to query here: it does not exist, has ended, or is not your organisation's.",
    ),
    "console.no-development": (
        403,
        "数据使用方在此只做受控查询；模拟数据开发与作业由运营机构及其合作方进行。",
        "A data consumer runs governed queries here; development on mock data and jobs are for the operator "
        "and its partners.",
    ),
    "console.export-gone": (
        404,
        "这个结果已不可下载（保留一小时，仅限查询人）；请重新运行查询。",
        "This answer can no longer be downloaded (kept for an hour, for whoever asked); run the query again.",
    ),
    "console.export-kind": (404, "结果只能导出为 CSV 或 XLSX。", "An answer exports as CSV or XLSX only."),
}

ACTIONS = {
    "sandbox.query-refused": ("拒绝查询", "Query refused"),
    "sandbox.dp-repeat": ("重复的差分隐私查询（返回已发布的结果）", "Repeated DP query answered from its release"),
    "sandbox.dp-release": ("发布差分隐私答案", "DP answer released"),
    "sandbox.dev-query": ("在模拟数据上查询", "Query on mock data"),
}

declare(labels=LABELS, refusals=REFUSALS, actions=ACTIONS)

# Query templates (查询模板): a reviewed template's declared parameters in the plan (products.compute).
TEMPLATE_REFUSALS = {
    "sql.parameter-undeclared": (
        403,
        "参数 :{parameter} 没有声明。模板中的参数须先声明名称和类型，且只能出现在筛选条件中本可写常量的位置。",
        "The parameter :{parameter} is not declared. A template's parameters are declared with a name and a type, "
        "and stand only where a filter could hold a literal.",
    ),
    "sql.parameter-type": (
        403,
        "参数 :{parameter} 声明为{declared}，但与它比较的是{type}；参数的类型须与所比较的列一致。",
        "The parameter :{parameter} is declared as {declared} but is compared with {type}; a parameter has the "
        "type of the column it is compared with.",
    ),
}
declare(refusals=TEMPLATE_REFUSALS)
