"""The reports' words: refusals and page labels (zh-CN, English)."""

from __future__ import annotations

from pubdata.common.messages import declare

REFUSALS = {
    "reports.not-found": (404, "没有找到该{what}。", "No such {what}."),
    "reports.year": (
        422,
        "只能就已经结束的年度提交年度运营报告（{year} 年尚未结束或无效）。",
        "A report is on a year that is over ({year} is not).",
    ),
    "reports.already-submitted": (
        409,
        "{year} 年度的运营报告已经提交，不能重复提交；被退回后可修改重新提交。",
        "The report on {year} is already submitted; once returned it can be submitted again.",
    ),
    "reports.personal": (
        422,
        "产生效益的说明会随年度信息公开发布，其中含有身份证号码或手机号码。请写汇总的效益，不要写个人信息。",
        "The benefits are published with the yearly disclosure and hold an ID number or a mobile number. Write the "
        "benefits in sum; never personal information.",
    ),
    "reports.reason-required": (422, "退回年度运营报告须说明理由。", "A returned report needs the reasons."),
    "reports.view": (404, "没有“{view}”这一审计视图。", "There is no audit view “{view}”."),
    "reports.month": (422, "月份“{month}”无效，应为 YYYY-MM，例如 2026-11。", "“{month}” is not a month like 2026-11."),
}

LABELS = {
    "nav.transparency": ("公开透明", "Transparency"),
    "transparency.title": ("公共数据使用公开", "How public data is used"),
    "transparency.intro": (
        "每一项已登记的公共数据资源用在了哪些数据产品和合约中、每月被调用多少次。每个数字都来自存证记录，"
        "可以打开核对；每条存证记录都可以在您自己的浏览器中核验其包含证明和平台的国密签名。",
        "Which products and contracts use each registered public data resource, and how often it is called each "
        "month. Every figure comes from the ledger and opens to its entries; your own browser can check each "
        "entry's inclusion proof and the platform's SM2 signature.",
    ),
    "transparency.resource": ("数据资源", "Resource"),
    "transparency.provider": ("提供部门", "Department"),
    "transparency.products": ("数据产品", "Products"),
    "transparency.contracts": ("合约", "Contracts"),
    "transparency.calls_year": ("近 12 个月调用次数", "Calls in the last 12 months"),
    "transparency.product_code": ("产品编号", "Product"),
    "transparency.operator": ("运营机构", "Operator"),
    "transparency.contract": ("合约", "Contract"),
    "transparency.consumer": ("使用方", "Consumer"),
    "transparency.purpose": ("用途", "Purpose"),
    "transparency.state": ("状态", "State"),
    "transparency.period": ("有效期", "Valid"),
    "transparency.calls": ("调用次数", "Calls"),
    "transparency.month": ("月份", "Month"),
    "transparency.by_month": ("每月调用次数", "Calls by month"),
    "transparency.series_calls": ("调用次数", "Calls"),
    "transparency.no_products": ("还没有使用该资源的数据产品。", "No product uses this resource yet."),
    "transparency.no_contracts": ("还没有使用该资源的合约。", "No contract uses this resource yet."),
    "transparency.entries_title": ("{code} · {month} 的调用存证", "Call entries for {code} in {month}"),
    "transparency.entries_intro": (
        "这些存证记录就是该月调用次数所计的每一次调用。点击“核验”，由您的浏览器检查该记录确在平台签名的存证树中。",
        "These ledger entries are the calls that month's figure counts. Choose “Verify” and your browser checks "
        "that each is in the tree the platform signed.",
    ),
    "transparency.seq": ("序号", "Seq"),
    "transparency.time": ("时间", "Time"),
    "transparency.action": ("操作", "Action"),
    "transparency.subject": ("对象", "Subject"),
    "transparency.verify": ("核验", "Verify"),
    "transparency.no_entries": ("该月没有调用。", "No calls that month."),
    "transparency.more": ("只列出前 {count} 条。", "Only the first {count} are listed."),
    "transparency.open": ("查看使用情况", "See its use"),
    "verify.title": ("在浏览器中核验存证第 {seq} 条", "Verify ledger entry {seq} in your browser"),
    "verify.intro": (
        "本页不信任平台的任何结论：浏览器下载该条记录的叶哈希、包含证明和平台签名的存证树头，用国密 SM3 "
        "逐层计算树根、用 SM2 公钥核验签名，以下结果均由您的浏览器得出。",
        "This page trusts no conclusion of the platform: your browser downloads the entry's leaf hash, its "
        "inclusion proof and the signed tree head, rebuilds the root with SM3 and checks the SM2 signature; "
        "every result below is your browser's own.",
    ),
    "verify.step_inclusion": ("包含证明", "Inclusion proof"),
    "verify.step_inclusion_what": (
        "从叶哈希出发，按审计路径逐层计算 SM3(0x01 ‖ 左 ‖ 右)，得到的树根应与树头中的树根相同（RFC 9162）。",
        "From the leaf hash, hash up the audit path with SM3(0x01 ‖ left ‖ right); the root reached must be the "
        "tree head's (RFC 9162).",
    ),
    "verify.step_signature": ("树头签名", "Tree head signature"),
    "verify.step_signature_what": (
        "用树头给出的 SM2 公钥（默认用户标识 1234567812345678）核验平台对树头原文的签名，且原文中的树根和"
        "大小就是上一步所用的。",
        "The platform's SM2 signature over the tree head's exact bytes must verify with the key it names "
        "(default user ID 1234567812345678), and those bytes must name the root and size used above.",
    ),
    "verify.step_key": ("公钥指纹", "Key fingerprint"),
    "verify.step_key_what": (
        "公钥的 SM3 指纹应与您上次在本浏览器核验时记下的相同；第一次核验时记下它。公钥变化本身就值得追问。",
        "The key's SM3 fingerprint must be the one this browser noted at your last check (noted the first "
        "time). A key that changes is itself worth asking about.",
    ),
    "verify.not_checked": (
        "本页无法核对：该条记录的原文含有内部编号，只有审计局可以读取并重新计算叶哈希。",
        "Not checked here: the entry's document holds internal identifiers, so only the audit bureau reads it "
        "and recomputes the leaf hash.",
    ),
    "verify.checking": ("正在核验……", "Checking…"),
    "verify.yes": ("通过", "passed"),
    "verify.no": ("未通过", "failed"),
    "verify.verified": (
        "核验通过：该条记录在平台签名的存证树中。",
        "Verified: the entry is in the tree the platform signed.",
    ),
    "verify.failed": (
        "核验未通过：请勿信任本条记录，并向市数据资源局反映。",
        "Not verified: do not trust this entry; tell the bureau.",
    ),
    "verify.unsupported": (
        "该存证使用的算法不是 SM3/SM2，本页无法核验。",
        "This ledger does not use SM3 and SM2, which this page checks.",
    ),
    "verify.unreachable": ("无法取得核验数据。", "The proof could not be fetched."),
    "verify.leaf": ("叶哈希", "Leaf hash"),
    "verify.tree": ("树头", "Tree head"),
    "verify.root": ("树根", "Root"),
    "verify.size": ("记录数", "Size"),
    "verify.api": ("核验数据来自公开接口：", "The data comes from the public API: "),
    "verify.tools": (
        "也可以在自己的电脑上用支持国密算法的命令行工具核验树头签名，做法见平台文档。",
        "You can also check the tree head's signature with openssl on your own computer; the platform's "
        "documentation says how.",
    ),
}

LABELS |= {
    "nav.audit": ("审计", "Audit"),
    "audit.title": ("审计查阅", "Audit"),
    "audit.intro": (
        "市审计局查阅全部资源目录和每一次使用：合约、调用及其受控查询计划、作业、发布和账单。可筛选、导出"
        "元数据（不含任何数据），并可在每条记录旁核验其存证的包含证明。查阅调用明细本身也记入存证。",
        "The audit bureau reads the whole catalogue and every use: contracts, calls with their governed plans, "
        "jobs, releases and statements. Filter, export the metadata (never data), and check each record's proof "
        "beside it. Reading the calls is itself recorded in the ledger.",
    ),
    "audit.view_resources": ("资源目录", "Catalogue"),
    "audit.view_contracts": ("合约", "Contracts"),
    "audit.view_calls": ("调用与查询计划", "Calls and plans"),
    "audit.view_jobs": ("作业与发布", "Jobs and releases"),
    "audit.view_statements": ("账单", "Statements"),
    "audit.q": ("包含文字", "Containing"),
    "audit.state": ("状态代码", "State code"),
    "audit.month": ("月份", "Month"),
    "audit.contract_id": ("合约编号", "Contract number"),
    "audit.filter": ("筛选", "Filter"),
    "audit.export": ("导出 CSV（仅元数据）", "Export CSV (metadata only)"),
    "audit.proof": ("存证", "Ledger"),
    "audit.verify": ("核验", "Verify"),
    "audit.none": ("没有记录。", "Nothing recorded."),
    "audit.limit": ("最多列出 {count} 条。", "At most {count} are listed."),
    "audit.col_code": ("资源编码", "Code"),
    "audit.col_name": ("名称", "Name"),
    "audit.col_provider": ("提供部门", "Department"),
    "audit.col_state": ("状态", "State"),
    "audit.col_grade": ("分级", "Grade"),
    "audit.col_version": ("当前版本", "Version"),
    "audit.col_registration": ("登记编号", "Registration"),
    "audit.col_contract": ("合约", "Contract"),
    "audit.col_assigner": ("提供方", "Assigner"),
    "audit.col_assignee": ("使用方", "Assignee"),
    "audit.col_purpose": ("用途", "Purpose"),
    "audit.col_resources": ("数据资源", "Resources"),
    "audit.col_period": ("有效期", "Valid"),
    "audit.col_calls": ("调用次数", "Calls"),
    "audit.col_seq": ("存证序号", "Seq"),
    "audit.col_time": ("时间", "Time"),
    "audit.col_consumer": ("调用方", "Caller"),
    "audit.col_rows": ("结果行数或主体数", "Rows or subjects"),
    "audit.col_plan": ("受控查询计划（平台生成的 SQL）或摘要", "Governed plan (the SQL generated) or digest"),
    "audit.col_job": ("作业", "Job"),
    "audit.col_title": ("标题", "Title"),
    "audit.col_submitter": ("提交方", "Submitter"),
    "audit.col_kind": ("类型", "Kind"),
    "audit.col_code_digest": ("代码摘要", "Code digest"),
    "audit.col_operator_released": ("运营方发布时间", "Released by the operator"),
    "audit.col_bureau_released": ("数据局发布时间", "Released by the bureau"),
    "audit.col_month": ("月份", "Month"),
    "audit.col_uses": ("使用次数", "Uses"),
    "audit.col_free_uses": ("其中免费（公益）", "Of which free (public welfare)"),
    "audit.col_amount": ("金额", "Amount"),
    "audit.col_ledger": ("存证序号", "Ledger entry"),
}

ACTIONS = {
    "audit.calls-read": ("审计查阅调用明细", "Audit read the calls"),
    "reports.annual-submitted": ("提交年度运营报告", "Annual report submitted"),
    "reports.annual-accepted": ("通过年度运营报告", "Annual report accepted"),
    "reports.annual-returned": ("退回年度运营报告", "Annual report returned"),
}

LABELS |= {
    "nav.annual": ("年度报告", "Annual reports"),
    "annual.title": ("{year} 年度运营报告", "Annual operation report, {year}"),
    "annual.list": ("年度运营报告", "Annual operation reports"),
    "annual.intro": (
        "运营机构每年年初就上一年度报告数据需求、数据使用、收益与公益服务、安全等情况（三（九））。报告由平台"
        "依据记录的事实起草，每个数字都可打开核对其计入的存证记录；运营机构补充效益情况后提交，市数据资源局"
        "审核通过或退回。",
        "Each year the operator reports on the year before: demand, use, revenue and public-welfare service, "
        "security (三(九)). The platform drafts it from the recorded facts, every figure opening to the ledger "
        "entries it counts; the operator adds the benefits and submits it; the bureau accepts or returns it.",
    ),
    "annual.due": ("应于 {day} 前提交", "Due by {day}"),
    "annual.overdue": ("逾期未提交", "Overdue"),
    "annual.not_submitted": ("尚未提交", "Not submitted"),
    "annual.running": (
        "该年度尚未结束：以下是截至目前的草稿，年度结束后方可提交。",
        "The year is still running: a draft so far, to submit once it is over.",
    ),
    "annual.draft": ("平台依据事实起草", "Drafted from the facts"),
    "annual.snapshot": ("提交时的数据（摘要 {digest}）", "As submitted (digest {digest})"),
    "annual.section_demand": ("数据需求与场景", "Demand and scenarios"),
    "annual.section_use": ("数据使用", "Use"),
    "annual.section_revenue": ("收益与公益服务", "Revenue and public-welfare service"),
    "annual.section_security": ("数据安全", "Security"),
    "annual.section_benefits": ("效益情况（运营机构填写）", "Benefits (written by the operator)"),
    "annual.fig_posted": ("发布的数据需求", "Demands posted"),
    "annual.fig_answered": ("已答复的数据需求", "Demands answered"),
    "annual.fig_overdue": ("逾期答复的数据需求", "Demands answered late"),
    "annual.fig_scenarios": ("批准的场景建设方案", "Scenario plans approved"),
    "annual.fig_calls": ("调用总次数", "Calls in all"),
    "annual.fig_resource": ("按数据资源", "By resource"),
    "annual.fig_product": ("按数据产品", "By product"),
    "annual.fig_consumer_kind": ("按使用方类型", "By kind of consumer"),
    "annual.fig_revenue_fen": ("收费收入", "Revenue"),
    "annual.fig_free_calls": ("公益免费调用", "Free public-welfare calls"),
    "annual.fig_drill": ("应急演练", "Drills"),
    "annual.fig_risk_assessment": ("风险评估", "Risk assessments"),
    "annual.fig_incidents": ("数据安全事件", "Security incidents"),
    "annual.fig_bad_impact": ("造成不良影响的事件", "Incidents with bad impact"),
    "annual.entries": ("存证", "Entries"),
    "annual.entries_title": ("{figure} 计入的存证记录", "The entries {figure} counts"),
    "annual.benefits": ("效益情况", "Benefits"),
    "annual.benefits_hint": (
        "写明经济效益和社会效益，例如支持的普惠贷款笔数与金额、城市治理事项等；报告通过后随年度公示公开。",
        "Write the economic and social benefits: the inclusive loans supported, the city-governance work done; "
        "published with the yearly disclosure once the report is accepted.",
    ),
    "annual.submit": ("提交年度运营报告", "Submit the annual report"),
    "annual.accept": ("通过", "Accept"),
    "annual.return": ("退回修改", "Return"),
    "annual.reason": ("理由", "Reasons"),
    "annual.download_pdf": ("下载 PDF", "Download PDF"),
    "annual.state": ("状态", "State"),
    "annual.operator": ("运营机构", "Operator"),
    "annual.year": ("年度", "Year"),
    "annual.open": ("查看", "Open"),
    "annual.submitted_at": ("提交时间", "Submitted"),
    "annual.decision": ("审核意见", "Decision"),
    "disclosure.operation": (
        "{year} 年度运营情况（与年度运营报告同一事实来源）",
        "Operation in {year} (from the same facts as the annual report)",
    ),
    "disclosure.report": ("年度运营报告{state}（{day} 提交）。", "Annual report {state} (submitted {day})."),
    "disclosure.matches": (
        "以下数字与报告提交时依据的事实一致。",
        "These figures are the ones the report was submitted with.",
    ),
    "disclosure.differs": (
        "报告提交后记录的事实有变化，以下数字与提交时（摘要 {digest}）不同。",
        "The recorded facts changed after the report was submitted: these figures differ from it (digest {digest}).",
    ),
    "disclosure.no_report": (
        "该年度运营报告尚未提交；以下数字由平台依据记录的事实汇总，每个数字都可打开核对。",
        "The year's report is not submitted; the platform sums these figures from the recorded facts, each opening "
        "to its entries.",
    ),
    "notice.annual-submitted": ("年度运营报告已提交。", "The annual report is submitted."),
    "subject.annual_report": ("年度运营报告", "Annual report"),
    "workbench.reports.overdue": ("逾期未提交的年度运营报告", "Annual reports overdue"),
    "workbench.reports.to_decide": ("待审核的年度运营报告", "Annual reports to decide"),
    "workbench.reports.to_submit": ("待提交的上年度运营报告", "Last year's report to submit"),
}

declare(labels=LABELS, refusals=REFUSALS, actions=ACTIONS)
