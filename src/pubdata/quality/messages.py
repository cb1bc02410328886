"""Data quality's words: refusals, ledger actions and page labels (zh-CN, English)."""

from __future__ import annotations

from pubdata.common.messages import declare
from pubdata.quality import rules

REFUSALS = {
    "quality.not-found": (404, "没有找到该{what}。", "No such {what}."),
    "quality.kind": (
        422,
        "问题类型须为数据错误、数据遗漏、更新不及时或数据不一致之一。",
        "The kind is one of error, omission, staleness or inconsistency.",
    ),
    "quality.where": (422, "问题位置有误：{problem}。", "The ticket's place is wrong: {problem}."),
    "quality.personal": (
        422,
        "{what}中含有身份证号码或手机号码。请用行号和列号指出问题所在，不要粘贴数据中的个人信息。",
        "The {what} holds an ID number or a mobile number. Point at the rows and columns by number; never paste "
        "personal information from the data.",
    ),
    "quality.version": (
        422,
        "该数据资源没有这个版本号，请填写资源目录中列出的版本。",
        "The resource has no version of that number; give one the catalogue lists.",
    ),
    "quality.weights-indicators": (
        422,
        "权重表须且只须包含这些指标：登记资源数、按声明频率更新、数据更新次数、质量问题按期答复、支撑数据产品、"
        "数据调用次数；有误的是：{names}。",
        "The weight table has exactly the indicators registered, current, loads, on_time, products and calls; "
        "wrong: {names}.",
    ),
    "quality.weights-range": (
        422,
        "每项权重须为 0 至 {most} 之间的整数。",
        "Each weight is a whole number from 0 to {most}.",
    ),
    "quality.weights-total": (
        422,
        "各项权重之和为 {sum}，与所写总分 {total} 不符。",
        "The weights sum to {sum}, not to the stated total {total}.",
    ),
    "quality.score-year": (422, "请选择 2000 年至 {last} 年之间的年度。", "Choose a year from 2000 to {last}."),
    "quality.no-department": (404, "该年度没有这个数据提供部门的记录。", "No such providing department that year."),
    "quality.fixed-version": (
        422,
        "修复版本须为该数据资源在问题所指版本之后导入的版本。",
        "The fixing version is one of the resource's versions loaded after the one the ticket is about.",
    ),
}

ACTIONS = {
    "quality.filed": ("提出数据质量问题", "Quality ticket filed"),
    "quality.round-opened": ("数据质量问题开始计时", "Quality ticket's deadline set"),
    "quality.answered": ("答复数据质量问题", "Quality ticket answered"),
    "quality.round-answered": ("数据质量问题答复（计时）", "Quality ticket's round answered"),
    "quality.confirmed": ("确认数据质量问题已解决", "Quality ticket's fix confirmed"),
    "quality.reopened": ("重新打开数据质量问题", "Quality ticket reopened"),
    "quality.withdrawn": ("撤回数据质量问题", "Quality ticket withdrawn"),
    "quality.round-closed": ("数据质量问题本轮结束", "Quality ticket's round ended"),
    "quality.overdue": ("数据质量问题逾期未答复", "Quality ticket overdue"),
    "quality.weights-set": ("设定贡献评价权重", "Contribution score weights set"),
    "quality.due-recomputed": ("按年度放假安排重新计算答复期限", "Quality ticket's deadline recomputed"),
}

LABELS = {
    "nav.quality": ("数据质量", "Data quality"),
    "quality.title": ("数据质量问题", "Data-quality tickets"),
    "quality.one": ("数据质量问题", "Quality ticket"),
    "quality.intro": (
        "对数据错误、遗漏、更新不及时、不一致等问题，提供部门应在收到后 {days} 个工作日内处理并答复"
        "（提出当日不计，按国家法定工作日和调休计算）。",
        "The providing department answers errors, omissions, staleness and inconsistencies within {days} working "
        "days of receiving them (the filing day never counts; China's official working days, make-up days "
        "included).",
    ),
    "quality.new": ("提出数据质量问题", "File a quality ticket"),
    "quality.resource": ("数据资源", "Resource"),
    "quality.resource_code": ("资源编码", "Resource code"),
    "quality.version": ("版本", "Version"),
    "quality.version_hint": ("留空即为当前版本", "Leave empty for the current version"),
    "quality.kind": ("问题类型", "Kind"),
    "quality.rows": ("行号", "Rows"),
    "quality.rows_hint": (
        "按行号指出问题所在，例如“3, 7-9”；问题涉及整个资源时留空。",
        "Point at rows by number, as in “3, 7-9”; leave empty when it is about the whole resource.",
    ),
    "quality.columns": ("字段", "Columns"),
    "quality.columns_hint": (
        "勾选有问题的字段（按目录中的字段顺序编号）",
        "Tick the columns (numbered as the catalogue lists them)",
    ),
    "quality.description": ("问题说明", "description"),
    "quality.description_hint": (
        "说明问题，不要粘贴数据中的身份证号码、手机号码、姓名等个人信息。",
        "Describe the problem; never paste ID numbers, mobiles, names or other personal data from the data.",
    ),
    "quality.answer": ("答复", "answer"),
    "quality.answer_title": ("答复本问题", "Answer this ticket"),
    "quality.fixed_version": ("修复后的数据版本", "Version that fixes it"),
    "quality.fixed_version_hint": (
        "如已导入修复后的数据，填写其版本号",
        "If you loaded fixed data, its version number",
    ),
    "quality.reopen_reason": ("重新打开的理由", "reason for reopening"),
    "quality.submit": ("提交", "Submit"),
    "quality.do_answer": ("提交答复", "Answer"),
    "quality.do_confirm": ("确认已解决", "Confirm the fix"),
    "quality.do_reopen": ("未解决，重新打开", "Not fixed: reopen"),
    "quality.do_withdraw": ("撤回", "Withdraw"),
    "quality.filer": ("提出方", "Filed by"),
    "quality.department": ("提供部门", "Department"),
    "quality.filed_at": ("提出时间", "Filed"),
    "quality.state": ("状态", "State"),
    "quality.due": ("答复期限", "Answer due"),
    "quality.due_end": ("{day} 当日结束前", "by the end of {day}"),
    "quality.overdue": ("已逾期", "Overdue"),
    "quality.late": ("逾期答复", "Answered late"),
    "quality.on_time": ("按期答复", "Answered on time"),
    "quality.rounds": ("办理记录", "Rounds"),
    "quality.round": ("第 {n} 轮", "Round {n}"),
    "quality.round_head": ("轮次", "Round"),
    "quality.opened_on": ("起算日", "Counted from"),
    "quality.answered_at": ("答复时间", "Answered"),
    "quality.outcome": ("结果", "Outcome"),
    "quality.whole_resource": ("整个资源", "The whole resource"),
    "quality.none": ("没有数据质量问题。", "No quality tickets."),
    "quality.filter_all": ("全部", "All"),
    "quality.filter_overdue": ("仅看逾期", "Overdue only"),
    "quality.filter": ("筛选", "Filter"),
    "quality.overdue_count": ("逾期未答复 {count} 件", "{count} overdue"),
    "quality.file_here": ("对该资源提出数据质量问题", "File a quality ticket on this resource"),
    "quality.rows_too_many": (f"行号最多列出 {rules.MAX_RANGES} 段", f"at most {rules.MAX_RANGES} row ranges"),
    "quality.rows_shape": (
        "行号应为正整数或“起-止”区间，以逗号分隔",
        "rows are numbers or “from-to” ranges, separated by commas",
    ),
    "quality.rows_order": (
        "行号从 1 开始，区间的起始行不能大于结束行",
        "rows start at 1, and a range's first row is not after its last",
    ),
    "quality.columns_repeated": ("字段重复或过多", "a column is repeated, or too many are named"),
    "quality.columns_range": ("字段编号超出该资源的字段范围", "a column number is outside the resource's columns"),
    "notice.quality-filed": ("已提出数据质量问题。", "The quality ticket is filed."),
    "notice.quality-answered": ("已答复。", "Answered."),
    "notice.quality-confirmed": ("已确认解决，问题关闭。", "Fix confirmed; the ticket is closed."),
    "notice.quality-reopened": ("已重新打开，重新计算答复期限。", "Reopened, with a new deadline."),
    "notice.quality-withdrawn": ("已撤回。", "Withdrawn."),
    "workbench.quality.to_answer": ("待答复的数据质量问题", "Quality tickets to answer"),
    "workbench.quality.overdue": ("逾期未答复的数据质量问题", "Quality tickets overdue"),
    "workbench.quality.overdue_city": ("全市逾期未答复的数据质量问题", "Quality tickets overdue city-wide"),
    "workbench.quality.to_confirm": ("已答复、待确认的数据质量问题", "Quality answers to confirm"),
    "subject.quality_ticket": ("数据质量问题", "Quality ticket"),
    "subject.quality_round": ("数据质量问题办理轮次", "Quality ticket's round"),
    "subject.score_weights": ("贡献评价权重", "Contribution score weights"),
}
LABELS |= {
    "nav.scores": ("贡献评价", "Contribution scores"),
    "scores.title": ("{year} 年度公共数据资源贡献评价", "Public data contribution scores, {year}"),
    "scores.intro": (
        "按各部门供数的记录事实计分：登记资源、按声明的更新频率保持更新、数据更新次数、数据质量问题按期答复、"
        "支撑的数据产品和数据调用。计数类指标以本年度最好的部门为满分，比率类指标按比率计分。评价结果纳入"
        "政务信息化项目绩效评估。",
        "Scored from the recorded facts of each department's supply: resources registered, kept current against "
        "their declared frequency, data loads, quality tickets answered on time, products built on its data and "
        "calls on it. Counts score against the year's best department, ratios as they stand. The results feed the "
        "IT-project performance evaluation.",
    ),
    "scores.as_of": ("数据截至 {day}", "Facts as of {day}"),
    "scores.formula": ("计分公式", "Formula"),
    "scores.formula_text": (
        "得分 = Σ 权重 × 指标得分率；计数类得分率 = 本部门数 ÷ 最好部门数，比率类得分率 = 比率。",
        "Score = Σ weight × the indicator's share; a count's share = the department's ÷ the best department's, a "
        "ratio's share = the ratio.",
    ),
    "scores.weights_version": ("权重版本", "Weights version"),
    "scores.default_weights": (
        "平台默认权重（市数据资源局尚未设定）",
        "The platform's default (the bureau has set none)",
    ),
    "scores.weight": ("权重", "Weight"),
    "scores.total": ("总分", "Total"),
    "scores.rank": ("排名", "Rank"),
    "scores.department": ("部门", "Department"),
    "scores.points": ("得分", " points"),
    "scores.value": ("指标值", "Value"),
    "scores.set_weights": ("设定权重", "Set the weights"),
    "scores.note": ("说明", "Note"),
    "scores.download_csv": ("导出 CSV（用于政务信息化项目绩效评估）", "Export CSV (for the IT-project evaluation)"),
    "scores.chart": ("各部门得分构成", "Each department's points"),
    "scores.facts": ("计分依据", "The facts counted"),
    "scores.registered_at": ("登记时间", "Registered"),
    "scores.last_load": ("最近更新", "Last loaded"),
    "scores.frequency": ("声明更新频率", "Declared frequency"),
    "scores.is_current": ("是否按时更新", "Current"),
    "scores.loads_year": ("本年更新次数", "Loads this year"),
    "scores.calls_year": ("本年调用次数", "Calls this year"),
    "scores.not_registered": ("未登记", "Not registered"),
    "scores.yes": ("是", "Yes"),
    "scores.no": ("否", "No"),
    "scores.tickets_due": ("本年到期的质量问题答复", "Quality answers due this year"),
    "scores.none": ("无", "None"),
    "scores.year": ("年度", "Year"),
}
LABELS |= {f"scores.indicator_{name}": words for name, words in rules.INDICATORS.items()}
LABELS |= {f"quality.kind_{kind}": words for kind, words in rules.KINDS.items()}
LABELS |= {f"quality.outcome_{outcome}": words for outcome, words in rules.OUTCOMES.items()}

declare(labels=LABELS, refusals=REFUSALS, actions=ACTIONS)
