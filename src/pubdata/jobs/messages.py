"""Jobs' words: page labels, refusals, the outcomes a run can end with, and ledger actions (zh-CN, English)."""

from __future__ import annotations

from pubdata.common.messages import declare

LABELS = {
    "job.list": ("作业", "Jobs"),
    "job.one": ("作业", "Job"),
    "job.none": ("没有作业。", "No job."),
    "job.all": ("全部作业", "All jobs"),
    "job.review_queue": ("待审核代码", "Code to review"),
    "job.release_queue": ("待放行输出", "Outputs to release"),
    "job.title_field": ("名称", "Title"),
    "job.kind": ("类型", "Kind"),
    "job.requirements": ("Python 库", "Python libraries"),
    "job.outcome_record": ("运行记录原文（英文）", "As recorded"),
    "job.submitter": ("提交方", "Submitted by"),
    "job.state": ("状态", "State"),
    "job.submitted_at": ("提交时间", "Submitted"),
    "job.record": ("运行记录", "Run record"),
    "job.code": ("代码", "Code"),
    "job.code_digest": ("代码哈希", "Code digest"),
    "job.reviewed": ("代码审核", "Code review"),
    "job.ran": ("运行", "Run"),
    "job.attempts": ("次数", "attempts"),
    "job.outcome": ("结果", "Outcome"),
    "job.releases": ("放行", "Releases"),
    "job.outputs": ("输出文件", "Outputs"),
    "job.file": ("文件", "File"),
    "job.bytes": ("字节", "Bytes"),
    "job.rows": ("行数", "Rows"),
    "job.log": ("运行日志", "Run log"),
    "job.note": ("意见", "Note"),
    "job.approve": ("审核通过", "Approve the code"),
    "job.reject": ("退回", "Reject"),
    "job.release": ("放行输出", "Release the output"),
    "job.withhold": ("不予放行", "Withhold"),
    "job.reject_reason": ("退回理由（必填，提交方可见）", "Why the code is rejected (required; the submitter sees it)"),
    "job.withhold_reason": ("不予放行的理由（必填）", "Why the output is withheld (required)"),
    "job.notice_approve": ("作业代码已审核通过。", "The job's code is approved."),
    "job.notice_reject": ("作业代码已退回。", "The job's code is rejected."),
    "job.notice_release": ("已放行作业输出（本方）。", "The output is released on your side."),
    "job.notice_withhold": ("作业输出已不予放行。", "The output is withheld."),
    "job.download": ("下载输出", "Download the output"),
    "job.declared": ("声明的输出", "Declared outputs"),
    "job.format": ("格式", "Format"),
    "job.columns": ("列（名称:类型，逗号分隔）", "Columns (name:type, comma-separated)"),
    "job.count_column": ("计数列", "Count column"),
    "job.max_rows": ("最多行数", "At most rows"),
    "job.declare_hint": (
        "声明作业将写出的每个文件。运行必须恰好写出这些文件、这些列和类型；计数列（人数、户数等）的每个值须不小于"
        "合约的最小分组。",
        "Declare each file the job will write. The run must write exactly these files, columns and types; every "
        "value of a count column (people, households …) must be at least the contract's minimum group size.",
    ),
    "job.output_names": (
        "平台按顺序为文件命名，名单也写在",
        "The platform names the files in order, also listed in",
    ),
    "job.sealed": (
        "运行结果在运营机构审核员和市数据资源局两次放行之前对提交方保密：此处只显示作业状态。",
        "A run's results are sealed from the submitter until the operator's reviewer and the bureau have both "
        "released them: only the job's state is shown here.",
    ),
    "job.findings": ("检查发现", "Findings"),
    "job.preview": ("脱敏预览", "Masked preview"),
    "job.profile": ("列概况", "Column profile"),
    "job.column": ("列", "Column"),
    "job.non_null": ("非空", "Non-null"),
    "job.distinct": ("不同值", "Distinct"),
    "job.min": ("最小", "Min"),
    "job.max": ("最大", "Max"),
    "job.masked": ("已遮蔽", "masked"),
    "job.no_findings": ("自动检查未发现问题。", "The automatic checks found nothing."),
    "job.finding.identifiers": ("含有个人标识", "holds personal identifiers"),
    "job.finding.across-columns": ("标识被拆分到相邻列", "identifiers split across adjacent columns"),
    "job.finding.column-name": ("列名含有个人标识", "a column name holds a personal identifier"),
    "job.finding.metadata": ("Parquet 元数据含有个人标识", "Parquet metadata holds a personal identifier"),
    "job.finding.small-group": ("计数列有小于最小分组的组", "a count column has a group below the minimum"),
    "job.finding.type": ("值与声明的类型不符", "values do not have the declared type"),
    "job.finding.columns": ("列与声明不符", "the columns differ from the declaration"),
    "job.finding.missing-file": ("未写出声明的文件", "a declared file was not written"),
    "job.finding.undeclared-file": ("写出了未声明的文件", "a file that was not declared"),
    "job.finding.not-a-file": ("不是普通文件", "not a regular file"),
    "job.finding.not-text": ("不是 UTF-8 文本", "not UTF-8 text"),
    "job.finding.unreadable": ("无法按声明的格式读取", "cannot be read in its declared format"),
    "job.finding.too-large": ("超过声明或平台的限制", "larger than declared or than the platform's limits"),
    "job.kind.resident_id": ("身份证号", "resident ID"),
    "job.kind.mobile": ("手机号", "mobile"),
    "job.kind.name": ("姓名", "name"),
}

LABELS |= {
    "job.syntax_at": ("第 {line} 行：{problem}", "line {line}: {problem}"),
    "job.import_at": (
        "第 {line} 行：不允许 import {module}；请在依赖中列出 pandas、numpy、duckdb、scikit-learn 或 statsmodels",
        "line {line}: import {module} is not allowed; list pandas, numpy, duckdb, scikit-learn or statsmodels "
        "in the requirements",
    ),
    "job.name_at": ("第 {line} 行：作业中不允许使用 {name}", "line {line}: {name} is not allowed in a job"),
    "isolation.no_bwrap": (
        "未安装 bubblewrap（bwrap）；作业被拒绝，不会在无隔离的情况下运行",
        "bubblewrap (bwrap) is not installed; jobs are refused, not run unisolated",
    ),
    "isolation.no_tools": (
        "缺少 {tools}（util-linux），无法设置限制；作业被拒绝",
        "{tools} (util-linux) is missing, so limits cannot be set; jobs are refused",
    ),
    "isolation.no_sandbox": (
        "bubblewrap 无法在此建立沙箱（{problem}）；作业被拒绝",
        "bubblewrap cannot build a sandbox here ({problem}); jobs are refused",
    ),
}

REFUSALS = {
    "job.not-found": (404, "没有这个{what}。", "No such {what}."),
    "job.kind": (422, "作业类型为 sql 或 python。", "A job is sql or python."),
    "job.title": (422, "请为作业命名。", "Give the job a title."),
    "job.outputs-none": (
        422,
        "请声明作业的输出：每个文件的格式（csv、parquet、json、txt）及其列和类型。",
        "Declare the job's outputs: each file's format (csv, parquet, json, txt) with its columns and types.",
    ),
    "job.outputs-columns": (
        422,
        "{file}：表格（csv、parquet、json）须声明列；文本（txt）不声明列。",
        "{file}: a table (csv, parquet, json) declares its columns; a text (txt) declares none.",
    ),
    "job.outputs-duplicate-column": (422, "{file}：列名重复。", "{file}: a column name appears twice."),
    "job.outputs-count-column": (
        422,
        "{file}：计数列须是声明的整数列。",
        "{file}: the count column must be one of its declared integer columns.",
    ),
    "job.outputs-sql": (
        422,
        "SQL 作业只写出一个表格：声明一个 csv、parquet 或 json 输出。",
        "A SQL job writes one table: declare one csv, parquet or json output.",
    ),
    "job.outputs-form": (
        422,
        "第 {number} 个输出的列写作“名称:类型”，类型为 string、integer、decimal、boolean 或 date。",
        "Output {number}: write columns as name:type, the type being string, integer, decimal, boolean or date.",
    ),
    "job.requirement-not-allowed": (
        422,
        "依赖须来自 {allowed}；不能是 {unknown}。",
        "Requirements must come from {allowed}; not {unknown}.",
    ),
    "job.syntax": (422, "脚本无法解析：{problems}。", "The script does not parse: {problems}."),
    "job.import-not-allowed": (
        422,
        "脚本导入了不允许的模块：{problems}。",
        "The script imports what a job may not: {problems}.",
    ),
    "job.dynamic-code": (422, "脚本使用了动态代码：{problems}。", "The script uses dynamic code: {problems}."),
    "job.dp-contract": (
        422,
        "差分隐私合约只回答查询；作业需要“仅聚合结果”的合约。",
        "A differentially private contract answers queries only; a job needs an aggregate contract.",
    ),
    "job.review-note": (
        422,
        "请说明退回代码的理由，以便提交方修改。",
        "Say why the code is rejected, so the submitter can fix it.",
    ),
    "job.withhold-reason": (422, "请说明不予放行的理由。", "Say why the output is withheld."),
    "job.own-review": (
        403,
        "不能审核自己提交的作业：请由本机构另一位审核员审核代码。",
        "You cannot review a job you submitted: another reviewer of your organisation reads its code.",
    ),
    "job.own-release": (
        403,
        "不能放行自己提交的作业：运营机构一方的放行须由另一位审核员完成。",
        "You cannot release a job you submitted: another reviewer releases it for the operator.",
    ),
    "job.not-a-releaser": (
        403,
        "只有运营机构审核员和市数据资源局可以放行输出。",
        "Only the operator's reviewers and the bureau release outputs.",
    ),
    "job.not-submitter": (
        403,
        "只有提交作业的机构可以下载其输出。",
        "Only the organisation that submitted a job downloads its output.",
    ),
    "job.not-released": (
        409,
        "输出须经运营机构审核员和市数据资源局放行后才能离开数据域。",
        "Outputs leave the domain only after the operator's reviewer and the bureau release them.",
    ),
    "job.output-changed": (
        409,
        "{name} 与放行时不同；未发送任何内容。",
        "{name} differs from what was released; nothing was sent.",
    ),
    "job.log-held": (
        403,
        "运行日志来自真实数据：在输出放行前与输出一同保留。",
        "The run's log comes from the real data: it is held with the outputs until they are released.",
    ),
    "sandbox.isolation-unavailable": (503, "无法隔离运行：{problem}。", "Isolation is unavailable: {problem}."),
    # How a run can end other than held: the job's outcome, kept with it and shown to the people who may see it.
    "job.time-limit": (409, "运行超过 {seconds} 秒，已被停止。", "The run passed its {seconds} s and was stopped."),
    "job.cpu-limit": (409, "运行用完了 {seconds} 秒 CPU 时间。", "The run used its {seconds} s of CPU time."),
    "job.killed": (409, "运行被终止（CPU 或内存限制）。", "The run was killed (CPU or memory limit)."),
    "job.file-size-limit": (
        409,
        "运行写出了超过 {bytes} 字节的文件。",
        "The run wrote a file larger than {bytes} bytes.",
    ),
    "job.exit-code": (409, "运行以退出码 {code} 结束。", "The run ended with exit code {code}."),
    "job.interrupted": (
        409,
        "服务器在 {attempts} 次运行中均被中断。",
        "The server stopped during each of {attempts} runs.",
    ),
    # Said to the submitter whatever went wrong: the details are the reviewers' (masked), never the submitter's.
    "job.output-check": (409, "作业未通过输出检查。", "The job did not pass the output check."),
    "job.run-failed": (409, "作业运行未完成。", "The job's run did not complete."),
    "job.withheld": (409, "输出不予放行。", "The output was withheld."),
}

ACTIONS = {
    "job.submit": ("提交作业", "Job submitted"),
    "job.approve": ("作业代码审核通过", "Job code approved"),
    "job.reject": ("作业代码被退回", "Job code rejected"),
    "job.start": ("作业开始运行", "Job started"),
    "job.resume": ("作业将重新运行", "Job will run again"),
    "job.hold": ("作业输出待放行", "Job output held"),
    "job.block": ("作业输出被拦截", "Job output blocked"),
    "job.fail": ("作业运行失败", "Job failed"),
    "job.release": ("放行作业输出", "Job output released"),
    "job.withhold": ("作业输出不予放行", "Job output withheld"),
    "job.download": ("下载作业输出", "Job output downloaded"),
    "sandbox.dev-run": ("在模拟数据上运行脚本", "Script run on mock data"),
}

# What the public ledger calls this domain's objects when an entry is about one.
LABELS |= {
    "subject.job": ("作业", "Job"),
}

declare(labels=LABELS, refusals=REFUSALS, actions=ACTIONS)
